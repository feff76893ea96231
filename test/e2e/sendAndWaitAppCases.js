// @ts-check
'use strict';
/**
 * Send and Wait for Response as the app robot, in the n8n the group robot's Send and Wait cases
 * start (sendAndWaitCases.js: one `n8n start` for both): a workflow with a DingTalk Stream Trigger
 * (Events: Card Button Clicks) holds the app's card connection; a second workflow, started by a
 * Webhook, sends the approval card and waits; the simulator clicks the card over Stream as people
 * would. After the wait the workflow reports what it got as an app robot message in the group:
 * `decision approved=<true|false|none> by=<userId|none>`.
 * Cases (E2E_CASES=sendAndWaitApp): a non-approver's click (told so in the card, still waiting),
 * approve, a second click after the decision (already decided, nothing changes), decline, a
 * forged post to the resume URL (refused, still waiting), and the Limit Wait Time timeout. The
 * simulator is not reset between them (the group cases' timeout is still pending): each case
 * reads the reports sent after it began. The workflows are made inactive again afterwards.
 */
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const { sleep, waitFor } = require('./triggerCases');

const APP = { clientId: 'dinge2esawapp01', clientSecret: 'e2eSawSecret-Hn4Qx7Lp', robotCode: 'dinge2esawapp01' };
const GROUP = 'cidE2eSaw01==';
const APPROVER = 'manager4521';
const OTHER = 'staff0042';
const TEMPLATE = 'n8n-send-and-wait-e2e.schema';
const CREDENTIAL = { id: 'dtSawApp', name: 'DingTalk App (send and wait)' };
const WEBHOOK_PATHS = { approval: 'e2e-saw-approval', timeout: 'e2e-saw-timeout' };
/** The workflows of the cases: active while they run in the group cases' n8n, inactive after. */
const SEND_AND_WAIT_APP_WORKFLOWS = ['e2eSawStream', 'e2eSawApproval', 'e2eSawTimeout'];

/** The template a user makes in DingTalk's card platform (the README's "Approvals" section). */
const SEND_AND_WAIT_TEMPLATE = {
	cardTemplateId: TEMPLATE,
	title: 'Send and Wait',
	variables: ['title', 'message', 'status', 'approveLabel', 'declineLabel', 'notice'],
	buttons: [
		{ actionId: 'n8n_decline', text: 'Decline', params: { n8nResumeUrl: '${n8nResumeUrl}' }, disabledBy: 'declineDisabled' },
		{ actionId: 'n8n_approve', text: 'Approve', params: { n8nResumeUrl: '${n8nResumeUrl}' }, disabledBy: 'approveDisabled' },
	],
};

function addSendAndWaitApp(/** @type {any} */ sim) {
	sim.addApp(APP);
	sim.addGroup({ openConversationId: GROUP, title: 'E2E approvals', robotCodes: [APP.robotCode] });
	for (const userId of [APPROVER, OTHER]) sim.addUser({ userId });
	sim.addCardTemplate(SEND_AND_WAIT_TEMPLATE);
}

function sendAndWaitAppCredentials(/** @type {any} */ sim) {
	return [{ ...CREDENTIAL, type: 'dingTalkAppApi', data: { ...APP, baseUrl: sim.baseUrl, plainHttpHosts: sim.host } }];
}

const credentials = { dingTalkAppApi: CREDENTIAL };
const node = (/** @type {string} */ id, /** @type {string} */ name, /** @type {string} */ type, /** @type {number} */ x, /** @type {any} */ parameters, extra = {}) => ({ id, name, type, typeVersion: 1, position: [x, 0], parameters, ...extra });

/**
 * The Webhook → Send and Wait (Ask) → Send (Report) workflow; `fixture` names another group and
 * credential (the queue-mode e2e's).
 */
function waitingWorkflow(/** @type {string} */ id, /** @type {string} */ webhookPath, /** @type {any} */ options, fixture = { group: GROUP, credentials }) {
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] }, Ask: { main: [[{ node: 'Report', type: 'main', index: 0 }]] } },
		nodes: [
			node('w', 'Webhook', 'n8n-nodes-base.webhook', 0, { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} }, { typeVersion: 2, webhookId: `${webhookPath}-id` }),
			node(`${id}-ask`, 'Ask', 'n8n-nodes-dingtalk-robot.dingTalkRobot', 200, {
				operation: 'sendAndWait',
				target: 'app',
				approvalCardTemplateId: TEMPLATE,
				cardDestination: 'group',
				cardOpenConversationId: fixture.group,
				approvers: APPROVER,
				title: 'Deploy',
				message: 'Ship 1.4 to production?',
				responseType: 'approval',
				approvalOptions: { values: { approvalType: 'double', approveLabel: 'Ship it', disapproveLabel: 'Hold' } },
				options,
			}, { credentials: fixture.credentials }),
			node('r', 'Report', 'n8n-nodes-dingtalk-robot.dingTalkRobot', 400, {
				operation: 'send',
				target: 'app',
				appDestination: 'group',
				openConversationId: fixture.group,
				messageType: 'text',
				content: '=decision approved={{ $json.data ? $json.data.approved : "none" }} by={{ $json.data ? $json.data.userId : "none" }}',
				options: {},
			}, { credentials: fixture.credentials }),
		],
	};
}

/** The DingTalk Stream Trigger (Events: Card Button Clicks) that holds the app's card connection. */
const streamWorkflow = (/** @type {string} */ id, creds = credentials) => ({
	id,
	name: id,
	active: false,
	settings: { executionOrder: 'v1' },
	connections: {},
	nodes: [node('t', 'DingTalk Stream Trigger', 'n8n-nodes-dingtalk-robot.dingTalkStreamTrigger', 0, { events: 'cardActions', options: {} }, { credentials: creds })],
});

function writeSendAndWaitAppWorkflows(/** @type {string} */ workflowsDir) {
	const files = {
		'saw-stream.json': streamWorkflow('e2eSawStream'),
		'saw-approval.json': waitingWorkflow('e2eSawApproval', WEBHOOK_PATHS.approval, {}),
		'saw-timeout.json': waitingWorkflow('e2eSawTimeout', WEBHOOK_PATHS.timeout, { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0.1, resumeUnit: 'minutes' } } }),
	};
	for (const [file, workflow] of Object.entries(files)) writeFileSync(path.join(workflowsDir, file), JSON.stringify(workflow, null, 1));
}

const allReports = (/** @type {any} */ sim) => sim.groupMessages(GROUP).map((/** @type {any} */ m) => m.text?.content ?? m.msgParam?.content ?? JSON.stringify(m)).filter((/** @type {string} */ t) => t.includes('decision'));
/** The reports sent since the case began (set by each case). */
let reportsBefore = 0;
const reports = (/** @type {any} */ sim) => allReports(sim).slice(reportsBefore);
const beginCase = (/** @type {any} */ sim) => {
	reportsBefore = allReports(sim).length;
};
const sawCards = (/** @type {any} */ sim) => sim.cards().filter((/** @type {any} */ c) => c.outTrackId.startsWith('n8nsaw-'));

/** Starts the waiting workflow; resolves with its card once the simulator has it. */
async function ask(/** @type {any} */ sim, /** @type {string} */ base, /** @type {string} */ webhookPath) {
	const before = sawCards(sim).length;
	const started = await fetch(`${base}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	if (!started.ok) throw new Error(`the webhook answered ${started.status}`);
	const card = await waitFor(() => (sawCards(sim).length > before ? sawCards(sim)[sawCards(sim).length - 1] : undefined), 30_000);
	if (!card) throw new Error('no card was created');
	return card;
}

/**
 * The cases, in a running n8n at `base` whose workflows SEND_AND_WAIT_APP_WORKFLOWS are active.
 * @param {{ sim: any, base: string, n8nOutput: () => string, log: (text: string) => void }} options
 */
async function runSendAndWaitAppCases({ sim, base, n8nOutput, log }) {
	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	const row = (/** @type {string} */ name, /** @type {string} */ expected, /** @type {string[]} */ problems) => {
		if (n8nOutput().includes(APP.clientSecret)) problems.push('n8n\'s log carries the Client Secret');
		log(`  ${problems.length ? 'FAIL' : 'pass'}  sendAndWaitApp: ${name}${problems.map((p) => `\n        - ${p}`).join('')}`);
		rows.push({ workflow: `sendAndWaitApp: ${name}`, expected, delivered: reports(sim).length, problems });
	};
	try {
		const connected = await waitFor(() => (sim.streamConnections(APP.clientId).some((/** @type {any} */ c) => c.state === 'open') ? true : undefined), 90_000);
		if (!connected) throw new Error('the Stream trigger did not connect');
		await sleep(1000);

		// 1. approve, after a non-approver's click and before a second click
		{
			beginCase(sim);
			const problems = [];
			const card = await ask(sim, base, WEBHOOK_PATHS.approval);
			const p = card.cardParamMap;
			if (p.title !== 'Deploy' || p.approveLabel !== 'Ship it' || p.declineLabel !== 'Hold' || p.declineDisabled !== 'false' || !String(p.n8nResumeUrl).startsWith(`${base}/webhook-waiting/`)) problems.push(`card data ${JSON.stringify(p)}`);
			const other = await sim.clickCardButton(card.outTrackId, { userId: OTHER, actionId: 'n8n_approve' });
			if (!other.applied || !JSON.stringify(sim.card(card.outTrackId).privateData[OTHER] ?? {}).includes('not among')) problems.push(`non-approver: ${JSON.stringify({ answer: other.answer, error: other.error })}`);
			await sleep(1500);
			if (reports(sim).length !== 0) problems.push(`the non-approver's click resumed the execution: ${JSON.stringify(reports(sim))}`);
			// approve, and a second click 5 ms later (both sent before the card changed)
			const [approve, second] = await Promise.all([
				sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_approve' }),
				sleep(5).then(() => sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_decline' })),
			]);
			if (!approve.applied) problems.push(`approve: ${JSON.stringify({ answer: approve.answer, error: approve.error })}`);
			const got = await waitFor(() => (reports(sim).length ? reports(sim) : undefined), 30_000);
			await sleep(2000);
			if (JSON.stringify(reports(sim)) !== JSON.stringify([`decision approved=true by=${APPROVER}`])) problems.push(`reported ${JSON.stringify(got && reports(sim))}`);
			const after = sim.card(card.outTrackId).cardParamMap;
			if (after.approveDisabled !== 'true' || after.declineDisabled !== 'true' || !String(after.status).includes(`Ship it · ${APPROVER}`)) problems.push(`card after the decision ${JSON.stringify(after)}`);
			row('approve (a non-approver first, told so in the card)', 'the non-approver refused privately, still waiting; approve resumes with approved=true by the approver; the card shows it, buttons disabled', problems);
			const problems2 = [];
			if (!JSON.stringify(second.answer).includes('already decided')) problems2.push(`the second click answered ${JSON.stringify(second.answer)}`);
			await sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_approve' }).then(
				() => problems2.push('a disabled button could be clicked'),
				(/** @type {Error} */ e) => (/disabled/.test(e.message) ? undefined : problems2.push(e.message)),
			);
			row('second click (5 ms later, Decline)', 'nothing changes: one report (approved), the clicker is told it was already decided; the buttons are disabled after', problems2);
		}

		// 3. decline; a forged post first
		{
			beginCase(sim);
			const problems = [];
			const card = await ask(sim, base, WEBHOOK_PATHS.approval);
			const url = card.cardParamMap.n8nResumeUrl;
			const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outTrackId: card.outTrackId, userId: APPROVER, action: 'approve', timestamp: Date.now(), proof: 'a'.repeat(64) }) });
			if (forged.status !== 403) problems.push(`forged post answered ${forged.status}`);
			const opened = await fetch(url, { headers: { 'user-agent': 'Mozilla/5.0' } });
			if (!(await opened.text()).includes('Answer with the card')) problems.push(`the URL opened in a browser answered ${opened.status}`);
			await sleep(1500);
			if (reports(sim).length !== 0) problems.push(`the forged post or the GET resumed: ${JSON.stringify(reports(sim))}`);
			const decline = await sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_decline' });
			if (!decline.applied) problems.push(`decline: ${JSON.stringify({ answer: decline.answer, error: decline.error })}`);
			const got = await waitFor(() => (reports(sim).length ? reports(sim) : undefined), 30_000);
			if (JSON.stringify(got) !== JSON.stringify([`decision approved=false by=${APPROVER}`])) problems.push(`reported ${JSON.stringify(got)}`);
			if (!String(sim.card(card.outTrackId).cardParamMap.status).includes('Hold')) problems.push(`status ${sim.card(card.outTrackId).cardParamMap.status}`);
			row('decline (a forged post and a browser GET first)', 'forged post 403 and the GET record nothing; decline resumes with approved=false', problems);
		}

		// 4. timeout
		{
			beginCase(sim);
			const problems = [];
			const card = await ask(sim, base, WEBHOOK_PATHS.timeout);
			const got = await waitFor(() => (reports(sim).length ? reports(sim) : undefined), 150_000, 1000);
			if (JSON.stringify(got) !== JSON.stringify(['decision approved=none by=none'])) problems.push(`reported ${JSON.stringify(got)}`);
			const late = await sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_approve' });
			if (!JSON.stringify(late.answer).includes('already decided')) problems.push(`a click after the timeout answered ${JSON.stringify(late.answer)}`);
			row('Limit Wait Time (6 s)', 'the execution resumes without data; a later click: already decided', problems);
		}
	} catch (error) {
		row('setup', 'the Stream trigger connects, the card is sent', [String(/** @type {Error} */ (error).message).slice(0, 600)]);
	}
	return rows;
}

module.exports = {
	APP,
	APPROVER,
	GROUP,
	SEND_AND_WAIT_APP_WORKFLOWS,
	SEND_AND_WAIT_TEMPLATE,
	WEBHOOK_PATHS,
	addSendAndWaitApp,
	ask,
	runSendAndWaitAppCases,
	sendAndWaitAppCredentials,
	streamWorkflow,
	waitingWorkflow,
	writeSendAndWaitAppWorkflows,
};
