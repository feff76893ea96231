// @ts-check
'use strict';
/**
 * Card buttons in a running n8n (`n8n start`): the example examples/card-question-app-robot.json
 * made active on an app of its own, and the same click settings on the DingTalk Robot Trigger
 * (HTTP). Over Stream: a person @-mentions the robot with a question, the question card comes
 * into the group, someone clicks Approve; the click must reach the workflow, the card must show
 * the choice at once (the trigger's answer) with its buttons disabled, the workflow must tell the
 * group, and the buttons must not act any more. Over HTTP: the trigger's URL registered with an
 * apiSecret for a route key; a click DingTalk signed runs the workflow and updates the card, a
 * click with a wrong or no signature is refused, changes nothing and runs nothing.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { activateWorkflowArgs } = require('./n8nInstalls');
const { WEBHOOKS, freePort, recordedExecutions, sleep, startN8n, waitFor } = require('./triggerCases');

const CARD_APP = { clientId: 'dinge2ecardapp01', clientSecret: 'e2eCardAppSecret-Tw5Ny3Qa' };
const GROUP = 'cidE2eCardGroup01==';
const ASKER = { nick: 'Wang Wu', staffId: 'asker5210' };
const APPROVERS = ['approver0001', 'approver0002'];
const CARD_API_SECRET = 'e2eCardApiSecret-Lk8Vd2Rs6Jp';
const ROUTE_KEY = 'n8n-e2e-questions';
const HTTP_WEBHOOK_ID = '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a21';
const TEMPLATE = 'n8n-example-question.schema';
const EXAMPLE = 'card-question-app-robot.json';
const CARD_TOPIC = '/v1.0/card/instances/callback';

function addCardActionFixtures(/** @type {any} */ sim) {
	sim.addApp(CARD_APP);
	sim.addGroup({ openConversationId: GROUP, title: 'Releases', robotCodes: [CARD_APP.clientId] });
	[ASKER.staffId, ...APPROVERS].forEach((userId) => sim.addUser({ userId }));
}

function cardActionCredentials(/** @type {any} */ sim) {
	return [
		{ id: 'dtCardApp', name: 'DingTalk App (cards)', type: 'dingTalkAppApi', data: { robotCode: '', baseUrl: sim.baseUrl, plainHttpHosts: sim.host, ...CARD_APP } },
		{ id: 'dtCardCallback', name: 'DingTalk card callbacks', type: 'dingTalkRobotCallbackApi', data: { appSecret: '', outgoingToken: '', cardApiSecret: CARD_API_SECRET } },
	];
}

/**
 * The example as it is (e2eCardQuestion), and e2eCardHttp: its click half with the HTTP trigger in
 * place of the Stream trigger, the same Events, answer and filters.
 */
function writeCardActionWorkflows(/** @type {string} */ workflowsDir) {
	const example = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', EXAMPLE), 'utf8'));
	const app = { id: 'dtCardApp', name: 'DingTalk App (cards)' };
	for (const node of example.nodes) if (node.credentials?.dingTalkAppApi) node.credentials.dingTalkAppApi = app;
	writeFileSync(path.join(workflowsDir, EXAMPLE), JSON.stringify({ ...example, id: 'e2eCardQuestion' }, null, 1));

	const clicked = example.nodes.find((/** @type {any} */ n) => n.name === 'Button clicked');
	const tell = example.nodes.find((/** @type {any} */ n) => n.name === 'Tell the group');
	const trigger = {
		...clicked,
		type: 'n8n-nodes-dingtalk-robot.dingTalkRobotTrigger',
		webhookId: HTTP_WEBHOOK_ID,
		credentials: { dingTalkRobotCallbackApi: { id: 'dtCardCallback', name: 'DingTalk card callbacks' } },
	};
	const http = {
		id: 'e2eCardHttp',
		name: 'E2E: card clicks over HTTP (DingTalk Robot Trigger, x-ddpaas-signature)',
		nodes: [trigger, { ...tell, parameters: { ...tell.parameters, content: `=HTTP: ${String(tell.parameters.content).slice(1)}` } }],
		connections: { [clicked.name]: example.connections[clicked.name] },
		settings: example.settings,
		active: false,
	};
	writeFileSync(path.join(workflowsDir, 'card-http.json'), JSON.stringify(http, null, 1));
}

/** What the app robot wrote in the group (the text messages' content). */
const texts = (/** @type {any} */ sim) => sim.groupMessages(GROUP).map((/** @type {any} */ m) => m.msgParam?.content);

/**
 * Another click on a card whose buttons should be disabled now (its variable answered is "true",
 * the template's buttons' disabled state): the simulator refuses to click a disabled button, as
 * DingTalk's client would not let anyone; returns what happened.
 */
async function tryClick(/** @type {any} */ sim, /** @type {string} */ outTrackId, /** @type {string} */ userId) {
	try {
		const click = await sim.clickCardButton(outTrackId, { userId, actionId: 'reject' });
		return `clicked (${click.via}, status ${click.status})`;
	} catch (error) {
		return /** @type {Error} */ (error).message;
	}
}

/** An OpenAPI call to the simulator as the card app (what a user does once in DingTalk's API explorer, or a script). */
async function openApi(/** @type {any} */ sim, /** @type {string} */ apiPath, /** @type {Record<string, unknown>} */ body) {
	const token = await fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: CARD_APP.clientId, appSecret: CARD_APP.clientSecret }) });
	const { accessToken } = /** @type {any} */ (await token.json());
	const response = await fetch(`${sim.baseUrl}${apiPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': accessToken }, body: JSON.stringify(body) });
	const json = await response.json();
	if (response.status !== 200) throw new Error(`${apiPath}: ${response.status} ${JSON.stringify(json)}`);
	return json;
}

/** A question card whose clicks go over HTTP to the route key (as Create Card › Button Clicks Come Back: Over HTTP makes it). */
function httpQuestionCard(/** @type {any} */ sim, /** @type {string} */ outTrackId) {
	return openApi(sim, '/v1.0/card/instances/createAndDeliver', {
		cardTemplateId: TEMPLATE,
		outTrackId,
		callbackType: 'HTTP',
		callbackRouteKey: ROUTE_KEY,
		cardData: { cardParamMap: { title: 'Release', question: 'Ship 1.5?', status: 'Waiting for an answer', answered: 'false', conversationId: GROUP } },
		openSpaceId: `dtv1.card//IM_GROUP.${GROUP}`,
		imGroupOpenDeliverModel: { robotCode: CARD_APP.clientId },
		userIdType: 1,
	});
}

/** @type {Array<{ name: string, expected: string, run: (sim: any, context: { httpUrl: string }) => Promise<string[]> }>} */
const CARD_CASES = [
	{
		name: 'Stream: a question card, a click reaches the workflow, the card shows the choice, its buttons stop acting',
		expected: 'card in the group; click answered at once; "approve by …", buttons disabled; the group told; a second click impossible',
		run: async (sim) => {
			const problems = [];
			const pushed = sim.pushRobotMessage(CARD_APP.clientId, { sender: ASKER, text: 'Ship 1.4?', conversation: { id: GROUP, title: 'Releases' } });
			if (!pushed.delivered) return ['the gateway found no open connection for the robot message'];
			const card = await waitFor(() => sim.cards().find((/** @type {any} */ c) => c.outTrackId.startsWith('question-')), 30_000);
			if (!card) return ['no question card within 30 s'];
			if (card.cardTemplateId !== TEMPLATE || card.callbackType !== 'STREAM') problems.push(`card ${card.cardTemplateId}, callbackType ${card.callbackType}`);
			const want = { title: `Question from ${ASKER.nick}`, question: 'Ship 1.4?', status: 'Waiting for an answer', answered: 'false', conversationId: GROUP };
			if (JSON.stringify(card.cardParamMap) !== JSON.stringify(want)) problems.push(`card data ${JSON.stringify(card.cardParamMap)}`);
			const click = await sim.clickCardButton(card.outTrackId, { userId: APPROVERS[0], actionId: 'approve' });
			if (click.via !== 'stream' || !click.answered || !click.applied) problems.push(`click ${JSON.stringify({ via: click.via, answered: click.answered, applied: click.applied, error: click.error })}`);
			const answer = { response: { cardData: { cardParamMap: { status: `approve by ${APPROVERS[0]}`, answered: 'true' } }, cardUpdateOptions: { updateCardDataByKey: true } } };
			if (JSON.stringify(click.answer) !== JSON.stringify(answer)) problems.push(`ACK ${JSON.stringify(click.answer)}`);
			const after = sim.card(card.outTrackId);
			if (after?.cardParamMap.status !== `approve by ${APPROVERS[0]}` || after?.cardParamMap.question !== 'Ship 1.4?') problems.push(`card after the click ${JSON.stringify(after?.cardParamMap)}`);
			const told = await waitFor(() => (texts(sim).length ? texts(sim) : undefined), 30_000);
			if (JSON.stringify(told) !== JSON.stringify([`${APPROVERS[0]} chose Approve (card ${card.outTrackId})`])) problems.push(`the group was told ${JSON.stringify(told)}`);
			const again = await tryClick(sim, card.outTrackId, APPROVERS[1]);
			if (!again.includes('is disabled')) problems.push(`a second click: ${again}`);
			if (sim.cardClicks().length !== 1) problems.push(`${sim.cardClicks().length} clicks reached DingTalk's side`);
			return problems;
		},
	},
	{
		name: 'HTTP: a signed click runs the workflow and updates the card; a wrong or missing x-ddpaas-signature is refused and runs nothing',
		expected: 'signed: 200, card updated, the group told; wrongSign 403, noSign 401: card unchanged, nothing told',
		run: async (sim, { httpUrl }) => {
			const problems = [];
			await openApi(sim, '/v1.0/card/callbacks/register', { callbackRouteKey: ROUTE_KEY, callbackUrl: httpUrl, apiSecret: CARD_API_SECRET, forceUpdate: true });
			await httpQuestionCard(sim, 'question-http-forged');
			for (const [tamper, status] of /** @type {const} */ ([['wrongSign', 403], ['noSign', 401]])) {
				const click = await sim.clickCardButton('question-http-forged', { userId: APPROVERS[1], actionId: 'reject', tamper });
				if (click.status !== status || click.applied) problems.push(`${tamper}: HTTP ${click.status}, applied ${click.applied} (${JSON.stringify(click.answer)})`);
			}
			if (sim.card('question-http-forged')?.cardParamMap.answered !== 'false') problems.push('a refused click changed the card');

			await httpQuestionCard(sim, 'question-http-1');
			const click = await sim.clickCardButton('question-http-1', { userId: APPROVERS[0], actionId: 'approve' });
			const answer = { cardData: { cardParamMap: { status: `approve by ${APPROVERS[0]}`, answered: 'true' } }, cardUpdateOptions: { updateCardDataByKey: true } };
			if (click.via !== 'http' || click.status !== 200 || !click.applied || JSON.stringify(click.answer) !== JSON.stringify(answer)) {
				problems.push(`signed click: ${JSON.stringify({ via: click.via, status: click.status, applied: click.applied, answer: click.answer, error: click.error })}`);
			}
			if (!String(click.headers?.['x-ddpaas-signature'] ?? '')) problems.push('the click was not signed');
			const again = await tryClick(sim, 'question-http-1', APPROVERS[1]);
			if (!again.includes('is disabled')) problems.push(`a second click: ${again}`);
			await waitFor(() => (texts(sim).length ? true : undefined), 30_000);
			// a refused click, had it run, would have been told too (the executions count below checks it again)
			await sleep(1500);
			if (JSON.stringify(texts(sim)) !== JSON.stringify([`HTTP: ${APPROVERS[0]} chose Approve (card question-http-1)`])) problems.push(`the group was told ${JSON.stringify(texts(sim))}`);
			return problems;
		},
	},
];

/**
 * @param {{ installed: any, target: import('./n8nInstalls').Target, env: NodeJS.ProcessEnv, sim: any, n8n: (installed: any, args: string[], env: NodeJS.ProcessEnv) => Promise<{ ok: boolean, stdout: string, stderr: string }>, log: (text: string) => void }} context
 */
async function runCardActionCases({ installed, target, env, sim, n8n, log }) {
	// the HTTP echo bot too: its webhook answering tells that n8n is up
	for (const id of ['e2eCardQuestion', 'e2eCardHttp', 'e2eEchoBot']) {
		const args = activateWorkflowArgs(target.n8nVersion, id);
		const result = await n8n(installed, args, env);
		if (!result.ok) throw new Error(`n8n ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	}
	const port = await freePort();
	const base = `http://127.0.0.1:${port}/`;
	const startEnv = { ...env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), WEBHOOK_URL: base };
	const running = await startN8n(installed, startEnv, `${base}webhook/${WEBHOOKS.e2eEchoBot}`);
	// one connection for robot messages, one for card clicks (the trigger's own, shared per app and topic)
	const subscribed = (/** @type {string} */ topic) => sim.streamConnections(CARD_APP.clientId).some((/** @type {any} */ c) => c.state === 'open' && c.subscriptions.some((/** @type {any} */ s) => s.topic === topic));
	const connected = await waitFor(() => (subscribed(CARD_TOPIC) && subscribed('/v1.0/im/bot/messages/get') ? true : undefined), 60_000);
	log(`  n8n start (card buttons): Stream ${connected ? 'connected (messages and card clicks)' : 'NOT connected'}`);
	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	try {
		for (const testCase of CARD_CASES) {
			sim.reset();
			const started = Date.now();
			/** @type {string[]} */
			let problems;
			try {
				problems = await testCase.run(sim, { httpUrl: `${base}webhook/${HTTP_WEBHOOK_ID}/dingtalk` });
			} catch (error) {
				problems = [`threw: ${/** @type {Error} */ (error).message}`];
			}
			log(`  ${problems.length ? 'FAIL' : 'pass'}  card buttons: ${testCase.name} (${((Date.now() - started) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: `card buttons: ${testCase.name}`, expected: testCase.expected, delivered: sim.cardClicks().length, problems });
		}
		await sleep(500);
	} finally {
		if (process.env.E2E_DEBUG) writeFileSync(path.join(require('node:os').tmpdir(), `e2e-${target.n8nVersion}-n8n-cards.out`), running.output());
		await running.stop();
	}
	const problems = [];
	const { counts } = recordedExecutions(installed, String(env.N8N_USER_FOLDER));
	const mine = Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith('e2eCardQuestion:') || key.startsWith('e2eCardHttp:')));
	// the question and its click; the signed HTTP click only (the refused ones start nothing)
	const want = { 'e2eCardQuestion:success': 2, 'e2eCardHttp:success': 1 };
	if (JSON.stringify(mine, Object.keys(mine).sort()) !== JSON.stringify(want, Object.keys(want).sort())) problems.push(`n8n recorded ${JSON.stringify(mine)}, expected ${JSON.stringify(want)}`);
	log(`  ${problems.length ? 'FAIL' : 'pass'}  card buttons: executions recorded ${JSON.stringify(mine)}${problems.map((p) => `\n        - ${p}`).join('')}`);
	rows.push({ workflow: 'card buttons: executions n8n recorded', expected: JSON.stringify(want), delivered: 0, problems });
	return rows;
}

module.exports = { addCardActionFixtures, cardActionCredentials, writeCardActionWorkflows, runCardActionCases };
