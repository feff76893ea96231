/**
 * Card buttons over Stream: the DingTalk Stream Trigger with Events "Card Button Clicks" (or Both)
 * in n8n-core's TriggerContext, against the simulator's gateway and card API. The cards are made
 * by the DingTalk Robot node (Create Card, in WorkflowExecute); the clicks by the simulator's
 * clickCardButton, which waits for the ACK and applies its card update as DingTalk does.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { normalizeIncomingMessage } from '../../nodes/shared/incoming/incomingMessage';
import { openConnectionCount } from '../../nodes/DingTalkStreamTrigger/stream/registry';
import { runRobotWorkflow } from './n8nEngine';
import { useSimulator } from './simulatorFixture';
import { activate, appCredential, eventually, type ActiveTrigger } from './streamTrigger';

const sim = useSimulator({}, []);
const APP = { clientId: 'dingcardstream01', clientSecret: 'cardStreamSecret-8Hw3Qz', robotCode: 'dingcardstream01' };
const GROUP = 'cidCardActions01==';
const USERS = ['manager4521', 'staff0042'];
const QUESTION = 'n8n-example-question.schema';
const CARD_TOPIC = '/v1.0/card/instances/callback';
const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';

beforeEach(() => {
	sim.addApp(APP);
	sim.addGroup({ openConversationId: GROUP, title: 'Ops', robotCodes: [APP.robotCode] });
	USERS.forEach((userId) => sim.addUser({ userId }));
});

const active: ActiveTrigger[] = [];
async function start(parameters: IDataObject, options: IDataObject = {}, workflowId = 'wf-cards') {
	const trigger = await activate(appCredential(sim, APP), { workflowId, nodeId: `${workflowId}-node`, parameters: parameters as INodeParameters, options });
	active.push(trigger);
	return trigger;
}

afterEach(async () => {
	const triggers = active.splice(0);
	for (const trigger of triggers) await trigger.close();
	expect(openConnectionCount()).toBe(0);
	const said = triggers.flatMap((t) => [...t.logs, ...t.errors.map((e) => e.message)]).join('\n');
	expect(said).not.toContain(APP.clientSecret);
});

/** A question card in the group, made by the DingTalk Robot node (Create Card); its outTrackId. */
async function askQuestion(outTrackId?: string): Promise<string> {
	const { output, error } = await runRobotWorkflow({
		items: [{ conversation: { id: GROUP } }],
		parameters: {
			operation: 'createCard',
			cardTemplateId: QUESTION,
			cardDestination: 'group',
			aiCardState: 'none',
			...(outTrackId && { outTrackId }),
			cardDataMode: 'json',
			cardDataJson: JSON.stringify({ title: 'Deploy', question: 'Ship 1.4?', status: 'Waiting for an answer', answered: 'false', conversationId: GROUP }),
		},
		credential: {},
		appCredential: appCredential(sim, APP),
	});
	expect(error).toBeUndefined();
	return String(output[0].json.outTrackId);
}

const connectionsOf = () => sim.streamConnections(APP.clientId).filter((c) => c.state === 'open').map((c) => c.subscriptions.map((s) => s.topic).join());

test('Card Button Clicks: one connection subscribed to card clicks only; a click is an item, ACKed without an update by default', async () => {
	const trigger = await start({ events: 'cardActions' });
	expect(connectionsOf()).toEqual([CARD_TOPIC]);
	const outTrackId = await askQuestion();
	const click = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	expect(click).toMatchObject({ via: 'stream', delivered: true, answered: true, status: 200, applied: false, error: undefined, answer: { response: {} } });
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
	expect(trigger.emitted).toEqual([
		{
			event: 'cardAction',
			outTrackId,
			userId: USERS[0],
			actionId: 'approve',
			actionIds: ['approve'],
			params: { choice: 'approve', conversationId: GROUP },
			corpId: expect.stringMatching(/^ding/),
			spaceType: '',
			spaceId: '',
			via: 'stream',
			receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			raw: click.data,
		},
	]);
	expect(sim.card(outTrackId)?.cardParamMap).toMatchObject({ status: 'Waiting for an answer', answered: 'false' });
	// robot messages go to no connection of this trigger
	expect(sim.pushRobotMessage(APP.clientId, { text: 'hello' }).delivered).toBe(false);
	expect(trigger.errors).toEqual([]);
});

test('Answer the Click with variables: the ACK updates the card at once (placeholders filled in), for everyone or for the clicker only', async () => {
	const variables = { values: [{ name: 'status', value: '{params.choice} by {userId} ({actionIds}, {outTrackId}, {unknown})' }, { name: 'answered', value: 'true' }] };
	const trigger = await start({ events: 'cardActions', cardActionAnswer: 'variables', cardActionVariables: variables });
	const outTrackId = await askQuestion();
	const click = await sim.clickCardButton(outTrackId, { userId: USERS[1], actionId: 'reject' });
	expect(click).toMatchObject({ answered: true, applied: true, error: undefined });
	expect(click.answer).toEqual({
		response: { cardData: { cardParamMap: { status: `reject by ${USERS[1]} (reject, ${outTrackId}, {unknown})`, answered: 'true' } }, cardUpdateOptions: { updateCardDataByKey: true } },
	});
	// only these variables changed; the buttons are disabled now
	expect(sim.card(outTrackId)?.cardParamMap).toEqual({ title: 'Deploy', question: 'Ship 1.4?', status: `reject by ${USERS[1]} (reject, ${outTrackId}, {unknown})`, answered: 'true', conversationId: GROUP });
	await expect(sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' })).rejects.toThrow(/is disabled/);
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
	expect(trigger.emitted[0]).toMatchObject({ actionId: 'reject', userId: USERS[1] });

	await trigger.close();
	active.splice(0);
	await start({ events: 'cardActions', cardActionAnswer: 'variables', cardActionUpdateFor: 'clicker', cardActionVariables: { values: [{ name: 'mine', value: 'you chose {actionId}' }] } });
	const second = await askQuestion();
	expect(await sim.clickCardButton(second, { userId: USERS[0], actionId: 'approve' })).toMatchObject({ applied: true });
	expect(sim.card(second)?.privateData).toEqual({ [USERS[0]]: { mine: 'you chose approve' } });
	expect(sim.card(second)?.cardParamMap.status).toBe('Waiting for an answer');
});

test('Answer the Click with JSON: DingTalk\'s answer, values made text, placeholders filled in', async () => {
	const json = JSON.stringify({ cardData: { cardParamMap: { status: 'Chosen: {params.choice}', answered: true } }, cardUpdateOptions: { updateCardDataByKey: true } });
	await start({ events: 'cardActions', cardActionAnswer: 'json', cardActionJson: json });
	const outTrackId = await askQuestion();
	const click = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	expect(click.answer).toEqual({ response: { cardData: { cardParamMap: { status: 'Chosen: approve', answered: 'true' } }, cardUpdateOptions: { updateCardDataByKey: true } } });
	expect(sim.card(outTrackId)?.cardParamMap).toMatchObject({ status: 'Chosen: approve', answered: 'true', question: 'Ship 1.4?' });
});

test('Both: robot messages as before, on their own connection, and clicks on theirs; the app registers once per topic', async () => {
	const trigger = await start({ events: 'both' });
	expect(connectionsOf().sort()).toEqual([CARD_TOPIC, ROBOT_TOPIC].sort());
	expect(sim.streamOpenRequests()).toHaveLength(2);
	const pushed = sim.pushRobotMessage(APP.clientId, { text: 'deploy web', sender: { nick: 'Li Si', staffId: USERS[1] } });
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the message');
	// the robot message's item is exactly what it was before card buttons existed
	expect(trigger.emitted[0]).toEqual(normalizeIncomingMessage(pushed.body as never));
	expect(trigger.emitted[0].event).toBeUndefined();
	const outTrackId = await askQuestion();
	await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	await eventually(() => (trigger.emitted.length === 2 ? true : undefined), 'the click');
	expect(trigger.emitted[1]).toMatchObject({ event: 'cardAction', outTrackId, actionId: 'approve' });
	// the default, Robot Messages: no card connection, the click finds nobody
	await trigger.close();
	active.splice(0);
	await start({});
	expect(connectionsOf()).toEqual([ROBOT_TOPIC]);
	expect(await sim.clickCardButton(outTrackId, { userId: USERS[1], actionId: 'reject' })).toMatchObject({ delivered: false, error: `no open Stream connection of the app subscribed to ${CARD_TOPIC}` });
});

test('two workflows share the card connection; each takes its own clicks (filters), and the click is answered by the one it is for', async () => {
	const votes = await start(
		{ events: 'cardActions', cardActionAnswer: 'variables', cardActionVariables: { values: [{ name: 'status', value: 'vote counted' }] } },
		{ outTrackIdPrefix: 'vote-' },
		'wf-votes',
	);
	const approvals = await start(
		{ events: 'both', cardActionAnswer: 'variables', cardActionVariables: { values: [{ name: 'status', value: 'approval noted' }] } },
		{ onlyActionIds: 'approve, escalate' },
		'wf-approvals',
	);
	expect(connectionsOf().sort()).toEqual([CARD_TOPIC, ROBOT_TOPIC].sort());
	const vote = await askQuestion('vote-0001');
	const other = await askQuestion('question-0002');
	expect((await sim.clickCardButton(vote, { userId: USERS[0], actionId: 'reject' })).answer).toMatchObject({ response: { cardData: { cardParamMap: { status: 'vote counted' } } } });
	expect((await sim.clickCardButton(other, { userId: USERS[0], actionId: 'approve' })).answer).toMatchObject({ response: { cardData: { cardParamMap: { status: 'approval noted' } } } });
	// a click neither takes: answered without an update, runs nothing
	expect((await sim.clickCardButton(other, { userId: USERS[1], actionId: 'reject' })).answer).toEqual({ response: {} });
	// a click both take (vote-, approve): the first subscribed answers, the log says so
	expect((await sim.clickCardButton(vote, { userId: USERS[1], actionId: 'approve' })).answer).toMatchObject({ response: { cardData: { cardParamMap: { status: 'vote counted' } } } });
	await eventually(() => (votes.emitted.length === 2 && approvals.emitted.length === 2 ? true : undefined), 'the items');
	expect(votes.emitted.map((i) => [i.outTrackId, i.actionId])).toEqual([[vote, 'reject'], [vote, 'approve']]);
	expect(approvals.emitted.map((i) => [i.outTrackId, i.actionId])).toEqual([[other, 'approve'], [vote, 'approve']]);
	expect(votes.logs.join('\n')).toContain(`2 workflows answered the click on card ${vote} with a card update; the first one's was sent`);
});

test('card settings are checked when the trigger starts: a mistake fails the activation naming the field', async () => {
	const problems: Array<[IDataObject, RegExp]> = [
		[{ cardActionAnswer: 'json', cardActionJson: '{"cardData": ' }, /^"Answer the Click › JSON" is not valid JSON/],
		[{ cardActionAnswer: 'json', cardActionJson: '{"privateData": {}}' }, /^"Answer the Click › JSON" has "privateData": a click's answer takes cardData, userPrivateData, cardUpdateOptions$/],
		[{ cardActionAnswer: 'json', cardActionJson: '{"cardUpdateOptions": {"updateCardDataByKey": "yes"}}' }, /cardUpdateOptions.updateCardDataByKey" must be true or false/],
		[{ cardActionAnswer: 'variables', cardActionVariables: { values: [{ name: 'has space', value: 'x' }] } }, /^"Answer the Click › Variables" has the variable name "has space"/],
		[{ cardActionAnswer: 'variables', cardActionVariables: { values: [{ name: '', value: 'x' }] } }, /^"Answer the Click › Variables › Name" is required$/],
	];
	for (const [parameters, message] of problems) {
		await expect(activate(appCredential(sim, APP), { parameters: { events: 'cardActions', ...parameters } as INodeParameters })).rejects.toThrow(message);
	}
	await expect(activate(appCredential(sim, APP), { parameters: { events: 'cards' } })).rejects.toThrow('"Events" is "cards": choose Robot Messages, Card Button Clicks or Both');
	await expect(activate(appCredential(sim, APP), { parameters: { events: 'cardActions' }, options: { onlyActionIds: ['approve'] } })).rejects.toThrow(/"Options › Only Action IDs" must be text/);
	// nothing was opened for any of them
	expect(sim.streamOpenRequests()).toEqual([]);
});
