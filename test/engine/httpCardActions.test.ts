/**
 * Card buttons over HTTP: the DingTalk Robot Trigger (Events: Card Button Clicks, or Both) in
 * n8n-core's WebhookContext behind a real HTTP server (httpTrigger.ts), its URL registered with the
 * simulator's POST /v1.0/card/callbacks/register; the simulator clicks (clickCardButton), signing
 * as DingTalk's guide documents (x-ddpaas-signature), and applies the card update the trigger
 * answers. Date alone is faked (timers and I/O stay real), so "30 minutes later" is one call.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { MAX_CALLBACK_BODY_BYTES } from '../../nodes/DingTalkRobotTrigger/callback';
import { computeDingTalkSign } from '../../simulator';
import { closeTriggers, startTrigger, type RunningTrigger } from './httpTrigger';
import { useSimulator } from './simulatorFixture';

const sim = useSimulator({}, []);
const APP = { clientId: 'dingcardhttp01', clientSecret: 'cardHttpSecret-3Rv8Lp', robotCode: 'dingcardhttp01' };
const GROUP = 'cidCardHttp01==';
const USERS = ['manager4521', 'staff0042'];
const CARD_SECRET = 'cardApiSecret-Zq7Wm2Xk9';
const APP_SECRET = 'robotAppSecret-Hn4Tc8Jy1';
const ROUTE = 'n8n-approvals';
const QUESTION = 'n8n-example-question.schema';

let clock = Date.UTC(2031, 5, 1);
beforeEach(() => {
	sim.addApp(APP);
	sim.addGroup({ openConversationId: GROUP, title: 'Ops', robotCodes: [APP.robotCode] });
	USERS.forEach((userId) => sim.addUser({ userId }));
	// each test three hours after the last: the pairs a test leaves in the process-wide memory have expired
	clock += 3 * 60 * 60 * 1000;
	jest.useFakeTimers({
		now: clock,
		doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
	});
});
afterEach(async () => {
	jest.useRealTimers();
	await closeTriggers();
});
const later = (ms: number) => jest.setSystemTime(Date.now() + ms);

async function openApi(path: string, body: IDataObject, token?: string): Promise<IDataObject> {
	const response = await fetch(`${sim.baseUrl}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(token && { 'x-acs-dingtalk-access-token': token }) },
		body: JSON.stringify(body),
	});
	const json = (await response.json()) as IDataObject;
	if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
	return json;
}

/** The trigger's URL registered for the route (with the apiSecret, unless told), and a question card whose clicks go there. */
async function setUp(trigger: RunningTrigger, { apiSecret = CARD_SECRET as string | null, outTrackId = 'q-http-1', route = ROUTE } = {}) {
	const { accessToken } = await openApi('/v1.0/oauth2/accessToken', { appKey: APP.clientId, appSecret: APP.clientSecret });
	await openApi('/v1.0/card/callbacks/register', { callbackRouteKey: route, callbackUrl: trigger.url, ...(apiSecret && { apiSecret }), forceUpdate: true }, String(accessToken));
	await openApi(
		'/v1.0/card/instances/createAndDeliver',
		{
			cardTemplateId: QUESTION,
			outTrackId,
			callbackType: 'HTTP',
			callbackRouteKey: route,
			cardData: { cardParamMap: { title: 'Deploy', question: 'Ship 1.4?', status: 'Waiting', answered: 'false', conversationId: GROUP } },
			openSpaceId: `dtv1.card//IM_GROUP.${GROUP}`,
			imGroupOpenDeliverModel: { robotCode: APP.robotCode },
			userIdType: 1,
		},
		String(accessToken),
	);
	return outTrackId;
}

const ANSWER_VARIABLES = { cardActionAnswer: 'variables', cardActionVariables: { values: [{ name: 'status', value: '{params.choice} by {userId}' }, { name: 'answered', value: 'true' }] } };
const UPDATE = (status: string) => ({ cardData: { cardParamMap: { status, answered: 'true' } }, cardUpdateOptions: { updateCardDataByKey: true } });

/** Sends a click's request again, as recorded (or with another body): what DingTalk retrying, or someone replaying, would send. */
async function resend(click: { url?: string; headers?: Record<string, string>; data: Record<string, unknown> }, data: Record<string, unknown> = click.data) {
	const body = JSON.stringify(data);
	const headers = Object.fromEntries(Object.entries(click.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-length'));
	const response = await fetch(String(click.url), { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body });
	return [response.status, await response.json()];
}

/** A trigger (each of a test its own workflow: the credential value a node keeps is its own). */
const start = (parameters: IDataObject, credential: IDataObject = { appSecret: '', outgoingToken: '', cardApiSecret: CARD_SECRET }, workflowId = 'wf-cards') =>
	startTrigger(credential as never, { parameters: parameters as INodeParameters, workflowId });

test('a signed click: answered at once with the card update (the same answer as the Stream ACK\'s response), the workflow runs with its item', async () => {
	const trigger = await start({ events: 'cardActions', ...ANSWER_VARIABLES });
	const outTrackId = await setUp(trigger);
	const click = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	expect(click).toMatchObject({ via: 'http', delivered: true, status: 200, applied: true, error: undefined, answer: UPDATE(`approve by ${USERS[0]}`) });
	expect(sim.card(outTrackId)?.cardParamMap).toMatchObject({ status: `approve by ${USERS[0]}`, answered: 'true', question: 'Ship 1.4?' });
	await trigger.until(() => trigger.runs.length === 1);
	expect(trigger.runs).toEqual([
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
			via: 'http',
			receivedAt: new Date(clock).toISOString(),
			raw: click.data,
		},
	]);
	expect(trigger.errors).toEqual([]);
});

test('forged, unsigned and stale clicks are refused and run nothing; so is every click when the route was registered without an apiSecret', async () => {
	const trigger = await start({ events: 'cardActions', ...ANSWER_VARIABLES });
	const outTrackId = await setUp(trigger);
	const refused = [];
	for (const tamper of ['wrongSign', 'noSign', 'oldTimestamp'] as const) {
		const click = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'reject', tamper });
		refused.push([tamper, click.status, click.answer, click.applied]);
	}
	expect(refused).toEqual([
		['wrongSign', 403, { errcode: 403, errmsg: 'x-ddpaas-signature does not match' }, false],
		['noSign', 401, { errcode: 401, errmsg: 'missing x-ddpaas-signature-timestamp or x-ddpaas-signature header' }, false],
		['oldTimestamp', 401, { errcode: 401, errmsg: 'x-ddpaas-signature-timestamp is more than one hour from now' }, false],
	]);
	await setUp(trigger, { apiSecret: null, outTrackId: 'q-open', route: 'open-route' });
	expect((await sim.clickCardButton('q-open', { userId: USERS[0], actionId: 'approve' })).status).toBe(401);
	// the robot callbacks' headers and scheme (timestamp + "\n" + secret), with the card secret: no card signature
	const genuine = await sim.clickCardButton(outTrackId, { userId: USERS[1], actionId: 'approve' });
	const timestamp = String(Date.now());
	const robotStyle = { ...genuine, headers: { 'content-type': 'application/json', timestamp, sign: computeDingTalkSign(CARD_SECRET, timestamp) } };
	expect(await resend(robotStyle, { ...genuine.data, userId: USERS[0] })).toEqual([401, { errcode: 401, errmsg: 'missing x-ddpaas-signature-timestamp or x-ddpaas-signature header' }]);
	// only the genuine click ran
	expect(genuine).toMatchObject({ status: 200, applied: true });
	await trigger.until(() => trigger.runs.length === 1);
	expect(trigger.runs.map((r) => r.userId)).toEqual([USERS[1]]);
});

test('replays: DingTalk\'s retry (same bytes) is answered again and runs nothing; the signature on an altered or another click is refused; two clicks of one millisecond both run', async () => {
	const statusOnly = (status: string) => ({ cardData: { cardParamMap: { status } }, cardUpdateOptions: { updateCardDataByKey: true } });
	const trigger = await start({ events: 'cardActions', cardActionAnswer: 'json', cardActionJson: JSON.stringify(statusOnly('{actionId} by {userId}')) });
	const outTrackId = await setUp(trigger);
	const click = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	later(30 * 60 * 1000);
	expect(await resend(click)).toEqual([200, statusOnly(`approve by ${USERS[0]}`)]);
	// the same person's click on the same card with other params: the click altered
	const altered = { ...click.data, content: JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { choice: 'reject' } } }) };
	expect(await resend(click, altered)).toEqual([403, { errcode: 403, errmsg: 'sign was already used for another message' }]);
	// another click, later than a millisecond's collision can be
	expect(await resend(click, { ...click.data, userId: USERS[1] })).toEqual([403, { errcode: 403, errmsg: 'sign was already used for another message' }]);
	expect(trigger.runs).toHaveLength(1);

	// two people clicking in the same millisecond get the same signature: both clicks are genuine
	const first = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'reject' });
	const sameMillisecond = { ...first.data, userId: USERS[1], content: JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: {} } }) };
	expect((await resend(first, sameMillisecond))[0]).toBe(200);
	await trigger.until(() => trigger.runs.length === 3);
	expect(trigger.runs.slice(1).map((r) => [r.userId, r.actionId])).toEqual([[USERS[0], 'reject'], [USERS[1], 'approve']]);
});

test('a stale or future timestamp is refused; a body over 1 MB is refused before it is read', async () => {
	const trigger = await start({ events: 'cardActions' });
	const outTrackId = await setUp(trigger);
	const click = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	later(61 * 60 * 1000);
	expect(await resend(click)).toEqual([401, { errcode: 401, errmsg: 'x-ddpaas-signature-timestamp is more than one hour from now' }]);
	later(-122 * 60 * 1000);
	expect((await resend(click))[0]).toBe(401);
	const huge = { ...click.data, padding: 'x'.repeat(MAX_CALLBACK_BODY_BYTES) };
	expect(await resend(click, huge)).toEqual([413, { errcode: 413, errmsg: 'the body is larger than 1 MB: it is not a DingTalk message' }]);
	expect(trigger.runs).toHaveLength(1);
});

test('Both: robot messages work exactly as before next to card clicks; a click this trigger does not take is answered without an update', async () => {
	const credential = { appSecret: APP_SECRET, outgoingToken: '', cardApiSecret: CARD_SECRET };
	const trigger = await start({ events: 'both', ...ANSWER_VARIABLES, options: { onlyActionIds: 'approve' } }, credential);
	const outTrackId = await setUp(trigger);
	const message = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, text: 'status' });
	expect([message.status, message.json]).toEqual([200, { msgtype: 'empty' }]);
	const skipped = await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'reject' });
	expect([skipped.status, skipped.answer, skipped.applied]).toEqual([200, {}, false]);
	await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' });
	await trigger.until(() => trigger.runs.length === 2);
	expect(trigger.runs.map((r) => r.event ?? r.text)).toEqual(['status', 'cardAction']);
	expect(trigger.runs[0]).toMatchObject({ messageType: 'text', sender: expect.any(Object) });
	expect(trigger.runs[0].event).toBeUndefined();
});

test('the events a trigger does not take: a click on a robot-message trigger, a message on a card trigger; a credential without what a call needs fails loudly', async () => {
	const robotOnly = await start({}, { appSecret: APP_SECRET, outgoingToken: '' }, 'wf-robot-only');
	const outTrackId = await setUp(robotOnly);
	// as before card buttons: it is no robot message (checked after the robot signature, which it lacks)
	expect((await sim.clickCardButton(outTrackId, { userId: USERS[0], actionId: 'approve' })).status).toBe(401);
	await closeTriggers();

	const cardsOnly = await start({ events: 'cardActions' }, { appSecret: APP_SECRET, outgoingToken: '', cardApiSecret: CARD_SECRET }, 'wf-cards-only');
	const message = await sim.deliverCallback(cardsOnly.url, { appSecret: APP_SECRET, text: 'hello' });
	expect([message.status, message.json]).toEqual([400, { errcode: 400, errmsg: 'this trigger takes clicks on card buttons only (Events): the body is not one' }]);
	expect(cardsOnly.runs).toEqual([]);
	await closeTriggers();

	// a credential with a card secret only: its clicks run; a robot message (even unsigned) never does
	const cardSecretOnly = await start({ events: 'both' }, undefined, 'wf-card-secret-only');
	await setUp(cardSecretOnly, { outTrackId: 'q-card-only' });
	expect((await sim.clickCardButton('q-card-only', { userId: USERS[0], actionId: 'approve' })).status).toBe(200);
	const unsigned = await fetch(cardSecretOnly.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', msgId: 'm-1', text: { content: 'x' } }) });
	expect(unsigned.status).toBe(500);
	expect(cardSecretOnly.errors.map((e) => e.message)).toEqual(["The DingTalk Robot Callback credential 'DingTalk Robot Callback' has neither an App Secret nor an Outgoing Token"]);
	await cardSecretOnly.until(() => cardSecretOnly.runs.length === 1);
	expect(cardSecretOnly.runs.map((r) => r.event)).toEqual(['cardAction']);
	await closeTriggers();

	// card clicks with a credential that has no card secret: the setup error, never a run
	const noCardSecret = await start({ events: 'cardActions' }, { appSecret: APP_SECRET, outgoingToken: '' }, 'wf-no-card-secret');
	await setUp(noCardSecret, { outTrackId: 'q-no-secret' });
	expect((await sim.clickCardButton('q-no-secret', { userId: USERS[0], actionId: 'approve' })).status).toBe(500);
	expect(noCardSecret.errors.map((e) => e.message)).toEqual(["The DingTalk Robot Callback credential 'DingTalk Robot Callback' has no Card Callback API Secret"]);
	expect(noCardSecret.runs).toEqual([]);
});
