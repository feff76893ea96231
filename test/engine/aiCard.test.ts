/**
 * The DingTalk AI Card node in n8n's WorkflowExecute: the card appears before the model's first
 * word, the streamed answer fills it with few calls and ends finished; a model that fails leaves
 * the card failed with what it had written; a card DingTalk refuses falls back to markdown (or is
 * the item's error); pictures reach the model; no model connected is said plainly.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runAiCardWorkflow } from './aiCardEngine';
import { useSimulator } from './simulatorFixture';
import { appCredential } from './streamTrigger';

const sim = useSimulator({ openapi: { qpsLimit: 20 } }, []);
const APP = { clientId: 'dingaicardengine1', clientSecret: 'aiCardEngineSecret-7Qk3', robotCode: 'dingaicardengine1' };
const GROUP = 'cidAiCardGroup01==';
sim.addApp(APP);
sim.addGroup({ openConversationId: GROUP, title: 'Ops', robotCodes: [APP.robotCode] });
sim.addGroup({ openConversationId: 'cidAiNoRobot==', title: 'Elsewhere', robotCodes: [] });
sim.addUser({ userId: 'asker8812' });

const question = (text: string, extra: IDataObject = {}): IDataObject => ({ text, conversation: { id: GROUP, type: 'group' }, sender: { staffId: 'asker8812', nick: 'Li' }, ...extra });
const run = (items: IDataObject[], parameters: IDataObject = {}, options: { model?: boolean; continueOnFail?: boolean } = {}) =>
	runAiCardWorkflow({
		items,
		parameters: parameters as INodeParameters,
		appCredential: appCredential(sim, APP),
		chatModelBaseUrl: options.model === false ? undefined : sim.chatModelBaseUrl,
		continueOnFail: options.continueOnFail,
	});

test('the card is in the group before the first word, the answer streams into it with few calls, and it ends finished', async () => {
	const answer = 'x'.repeat(2000);
	sim.setChatAnswer({ text: answer, chunks: 200, intervalMs: 2 });
	const { output, error } = await run([question('What changed in the release?')], { cardTitle: 'Answer for Li' });
	expect(error).toBeUndefined();
	const outTrackId = String(output[0].json.outTrackId);
	const card = sim.card(outTrackId);
	expect(card).toMatchObject({ state: 'finished', cardParamMap: expect.objectContaining({ msgTitle: 'Answer for Li' }) });
	expect(card?.streams.msgContent).toMatchObject({ text: answer, finalized: true });
	expect(output[0]).toMatchObject({ json: { text: answer, chunks: 200 }, pairedItem: { item: 0 } });
	const [request] = sim.chatRequests();
	expect(request.question).toBe('What changed in the release?');
	expect(request.messages[0]).toMatchObject({ role: 'system' });
	const created = sim.cardRequests().find((r) => r.path === '/v1.0/card/instances/createAndDeliver');
	expect(created!.at).toBeLessThanOrEqual(request.at);
	const streamed = sim.cardRequests().filter((r) => r.path === '/v1.0/card/streaming');
	expect(streamed.length).toBeLessThan(200 / 4);
	expect(streamed.every((r) => r.status === 200)).toBe(true);
	expect(sim.cardRequests().every((r) => r.status === 200)).toBe(true);
});

test('the model fails mid-answer: the card ends failed with what it had written, and the item says the model failed', async () => {
	sim.setChatAnswer({ text: 'one two three four five six', intervalMs: 2, failAfterChunks: 3 });
	const { output, error } = await run([question('hi')], {}, { continueOnFail: true });
	expect(error).toBeUndefined();
	expect(output[0].json.error).toMatch(/^Item 0: the chat model failed/);
	const [card] = sim.cards();
	expect(card.state).toBe('failed');
	expect(card.streams.msgContent.text).toBe('one two three ');
});

test('a template DingTalk does not know: the answer comes as a markdown message instead, and the item says why', async () => {
	sim.setChatAnswer({ text: 'the answer', intervalMs: 1 });
	const { output, error } = await run([question('q')], { options: { cardTemplateId: 'not-published.schema' } });
	expect(error).toBeUndefined();
	expect(output[0].json).toMatchObject({ text: 'the answer', fallback: true });
	expect(String(output[0].json.reason)).toMatch(/template/i);
	const [message] = sim.groupMessages(GROUP);
	expect(message).toMatchObject({ msgKey: 'sampleMarkdown' });
	expect(JSON.stringify(message)).toContain('the answer');
});

test('Fall Back to Markdown off: the card DingTalk refuses is the item\'s error, and the model is not asked', async () => {
	const { error } = await run([question('q', { conversation: { id: 'cidAiNoRobot==', type: 'group' } })], { options: { fallbackToMarkdown: false } });
	expect(error?.message).toMatch(/Item 0/);
	expect(sim.chatRequests()).toHaveLength(0);
});

test('a picture on the item reaches the model as an image part', async () => {
	const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
	const { error } = await run([question('what is this?', { $binary: { attachment_0: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'a.png' } } })]);
	expect(error).toBeUndefined();
	expect(sim.chatRequests()[0].pictures).toBe(1);
});

test('where the message came from: a one-to-one message is answered to its sender, an unknown conversation type is refused', async () => {
	sim.setChatAnswer({ text: 'private answer', intervalMs: 1 });
	const { output, error } = await run([question('q', { conversation: { id: 'cidPrivate==', type: 'oneToOne' } }), question('q', { conversation: { type: 'unknown' } })], {}, { continueOnFail: true });
	expect(error).toBeUndefined();
	expect(sim.card(String(output[0].json.outTrackId))).toMatchObject({ state: 'finished' });
	expect(sim.cardRequests()[0].body).toMatchObject({ openSpaceId: 'dtv1.card//IM_ROBOT.asker8812' });
	expect(output[1].json.error).toMatch(/Item 1.*Message Conversation Type.*"unknown"/);
});

test('no chat model connected: said plainly, nothing sent to DingTalk', async () => {
	const { error } = await run([question('q')], {}, { model: false });
	expect(error?.message).toMatch(/chat model/i);
	expect(sim.cardRequests()).toHaveLength(0);
});

test('a prompt that is an object, not text, is refused naming the item and field before anything is sent', async () => {
	const { error } = await run([question('q')], { prompt: '={{ { a: 1 } }}' });
	expect(error?.message).toMatch(/Prompt/);
	expect(sim.cardRequests()).toHaveLength(0);
	expect(sim.chatRequests()).toHaveLength(0);
});
