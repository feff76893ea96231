/**
 * Cards as the app robot (Create Card, Update Card, Stream Card Text), in n8n's WorkflowExecute
 * against the simulator's card API: delivered or said why not, an AI card's text streamed with
 * few calls and finalized, within the app's calls per second; the fallback to markdown.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { runRobotWorkflow } from './n8nEngine';
import { useSimulator } from './simulatorFixture';
import { appCredential as simulatorAppCredential } from './streamTrigger';

const sim = useSimulator({ openapi: { qpsLimit: 20 } }, []);
const APP = { clientId: 'dingcardengine01', clientSecret: 'cardEngineSecret-5Zp2', robotCode: 'dingcardengine01' };
const GROUP = 'cidCardGroup01==';
sim.addApp(APP);
sim.addGroup({ openConversationId: GROUP, title: 'Ops', robotCodes: [APP.robotCode] });
sim.addGroup({ openConversationId: 'cidNoRobot==', title: 'Elsewhere', robotCodes: [] });
sim.addUser({ userId: 'manager4521' });

const credential = (): ICredentialDataDecryptedObject => simulatorAppCredential(sim, APP);
const run = (items: IDataObject[], parameters: IDataObject, continueOnFail = false) =>
	runRobotWorkflow({ items, parameters: parameters as INodeParameters, credential: {}, appCredential: credential(), continueOnFail });
const trigger = { text: 'what changed?', conversation: { id: GROUP, type: 'group' }, sender: { staffId: 'manager4521' } };

async function createAiCard(): Promise<string> {
	const { output, error } = await run([trigger], { operation: 'createCard', cardVariables: { values: [{ name: 'msgTitle', value: 'Answer' }] } });
	expect(error).toBeUndefined();
	return String(output[0].json.outTrackId);
}

test('Create Card: DingTalk\'s AI card into the trigger item\'s group, thinking, with an outTrackId the node chose', async () => {
	const outTrackId = await createAiCard();
	expect(outTrackId).toMatch(/^n8n-[0-9a-f]{24}$/);
	expect(sim.card(outTrackId)).toMatchObject({ state: 'processing', cardParamMap: expect.objectContaining({ msgTitle: 'Answer', flowStatus: '1' }) });
	const [request] = sim.cardRequests();
	expect(request.body).toMatchObject({ openSpaceId: `dtv1.card//IM_GROUP.${GROUP}`, imGroupOpenDeliverModel: { robotCode: APP.robotCode }, callbackType: 'STREAM' });
});

test('Stream Card Text: 200 chunks in one execution make a few calls, the whole answer arrives, finalized, nothing throttled', async () => {
	const outTrackId = await createAiCard();
	const chunks = Array.from({ length: 200 }, (_, n) => ({ outTrackId, chunk: `word${n} `, last: n === 199 }));
	const { output, error } = await run(chunks, { operation: 'streamCardText', streamText: '={{ $json.chunk }}', streamFinalize: '={{ $json.last }}' });
	expect(error).toBeUndefined();
	const card = sim.card(outTrackId);
	expect(card?.streams.msgContent.text).toBe(chunks.map((c) => c.chunk).join(''));
	expect(card?.streams.msgContent.finalized).toBe(true);
	expect(card?.state).toBe('finished');
	const streamCalls = sim.cardRequests().filter((r) => r.path === '/v1.0/card/streaming');
	expect(streamCalls.length).toBeLessThanOrEqual(5);
	expect(streamCalls.every((r) => r.status === 200)).toBe(true);
	expect(output.map((o) => o.pairedItem)).toEqual(chunks.map((_, item) => ({ item })));
	expect(output[199].json).toMatchObject({ outTrackId, finalized: true });
});

test('Update Card: only the variables given, and the AI card\'s state', async () => {
	const outTrackId = await createAiCard();
	const { error } = await run([{ outTrackId }], { operation: 'updateCard', cardDataMode: 'json', cardDataJson: '{"staticMsgContent": "done", "items": ["a", 1]}', aiCardState: 'finished' });
	expect(error).toBeUndefined();
	expect(sim.card(outTrackId)?.cardParamMap).toMatchObject({ msgTitle: 'Answer', staticMsgContent: 'done', items: '["a",1]', flowStatus: '3' });
});

test('a card DingTalk did not deliver is an error saying what to do; with Fall Back to Markdown the person gets the text', async () => {
	const lost = await run([{ conversation: { id: 'cidNoRobot==', type: 'group' } }], { operation: 'createCard' }, true);
	expect(lost.output[0].json.error).toMatch(/^Item 0: DingTalk created the card but did not deliver it: /);
	expect(lost.output[0].json.description).toMatch(/Add the app's robot to the group/);

	sim.addCardTemplate({ cardTemplateId: 'draft0001.schema', published: false });
	const fallback = await run([trigger], { operation: 'createCard', cardTemplateId: 'draft0001.schema', cardOptions: { fallbackToMarkdown: true, fallbackText: '## Answer\nThe card could not be shown.' } });
	expect(fallback.error).toBeUndefined();
	expect(fallback.output[0].json).toMatchObject({ fallback: true, reason: expect.stringMatching(/The card template is not published/) });
	expect(sim.groupMessages(GROUP).map((m) => [m.msgKey, m.msgParam.text])).toEqual([['sampleMarkdown', '## Answer\nThe card could not be shown.']]);
});

test('card fields are checked before DingTalk is asked', async () => {
	const badJson = await run([trigger], { operation: 'createCard', cardDataMode: 'json', cardDataJson: '{title:' });
	expect(badJson.error?.message).toMatch(/^Item 0: "JSON" is not valid JSON: /);
	const badId = await run([trigger], { operation: 'createCard', outTrackId: 'has spaces' });
	expect(badId.error?.message).toBe('Item 0: "Out Track ID" is "has spaces": an outTrackId is 1 to 64 letters, digits, _ or -');
	expect(sim.cardRequests()).toEqual([]);
});
