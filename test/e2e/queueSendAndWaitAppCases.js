// @ts-check
'use strict';
/**
 * Send and Wait for Response as the app robot in the queue-mode n8n of queueCases.js: an app of
 * its own, a group with its robot, the approver; a DingTalk Stream Trigger workflow (Events: Card
 * Button Clicks) and the Webhook → Send and Wait → Send workflow of sendAndWaitAppCases.js, both
 * active when the main starts. The execution runs on a worker up to the wait (the worker sends the
 * card); the app's one Stream connection is the main's, so a click reaches the main, which posts it
 * to the card's resume URL (its own /webhook-waiting/); the rest runs on a worker. Run before any
 * simulator reset in queueCases.js (a reset clears the cards).
 */
const { APPROVER, SEND_AND_WAIT_TEMPLATE, streamWorkflow, waitingWorkflow } = require('./sendAndWaitAppCases');
const { executionOf, grewOn, outputsOf, startsPerWorker } = require('./queueSendAndWaitCases');
const { sleep, waitFor } = require('./triggerCases');

const APP = { clientId: 'dinge2eqsawapp01', clientSecret: 'e2eQSawSecret-Pw3Kd9Vr', robotCode: 'dinge2eqsawapp01' };
const GROUP = 'cidE2eQueueSaw01==';
const CREDENTIAL = { id: 'dtQSawApp', name: 'DingTalk App (queue send and wait)' };
const FLOWS = { stream: 'qSawStream', approval: 'qSawApproval' };
const WEBHOOK_PATH = 'q-saw-approval';

/** The app, its group and approver, the card template; the credential (n8n's export format). */
function queueSendAndWaitAppFixtures(/** @type {any} */ sim) {
	sim.addApp(APP);
	sim.addGroup({ openConversationId: GROUP, title: 'E2E queue approvals', robotCodes: [APP.robotCode] });
	sim.addUser({ userId: APPROVER });
	sim.addCardTemplate(SEND_AND_WAIT_TEMPLATE);
	return { credentials: [{ ...CREDENTIAL, type: 'dingTalkAppApi', data: { ...APP, baseUrl: sim.baseUrl, plainHttpHosts: sim.host } }] };
}

/** The two workflows, to be imported and made active before the main starts. */
const queueSendAndWaitAppWorkflows = () => {
	const credentials = { dingTalkAppApi: CREDENTIAL };
	return [streamWorkflow(FLOWS.stream, credentials), waitingWorkflow(FLOWS.approval, WEBHOOK_PATH, {}, { group: GROUP, credentials })];
};

const reports = (/** @type {any} */ sim) =>
	sim.groupMessages(GROUP).map((/** @type {any} */ m) => m.text?.content ?? m.msgParam?.content ?? JSON.stringify(m)).filter((/** @type {string} */ t) => t.includes('decision'));
const openConnections = (/** @type {any} */ sim) => sim.streamConnections(APP.clientId).filter((/** @type {any} */ c) => c.state === 'open');

/** @type {{ name: string, expected: string, run: (ctx: { qm: any, sim: any, log: (text: string) => void }) => Promise<string[]> }} */
const SEND_AND_WAIT_APP_QUEUE_CASE = {
	name: 'Send and Wait (app robot): approve by card over Stream',
	expected:
		'the app\'s one Stream connection is the main\'s; the card is sent by a worker, its resume URL the main\'s; the execution waits (PostgreSQL); the approver\'s Approve over Stream → resumed on a worker with data.approved true and the userId, the card shows the decision, its buttons disabled; a second click 5 ms later: "already decided", one resume, one report',
	run: async ({ qm, sim, log }) => {
		const problems = [];
		const open = await waitFor(() => (openConnections(sim).length ? openConnections(sim) : undefined), 90_000);
		if (!open) return ['the app\'s Stream trigger did not connect within 90 s'];
		await sleep(1000);
		const holder = qm.processOfSocket(openConnections(sim)[0]?.remotePort);
		if (openConnections(sim).length !== 1 || holder !== 'main') problems.push(`${openConnections(sim).length} open connection(s), the first held by ${holder}, expected one held by the main`);

		const response = await fetch(qm.webhook(WEBHOOK_PATH), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		if (response.status !== 200) return [...problems, `the webhook answered ${response.status}`];
		const card = await waitFor(() => sim.cards().find((/** @type {any} */ c) => c.outTrackId.startsWith('n8nsaw-')), 60_000);
		if (!card) return [...problems, 'no card was created within 60 s'];
		const resumeUrl = String(card.cardParamMap.n8nResumeUrl);
		if (!resumeUrl.startsWith(`${qm.webhookUrl}webhook-waiting/`)) return [...problems, `the card's resume URL is ${resumeUrl.split('?')[0]}, not the main's ${qm.webhookUrl}webhook-waiting/…`];
		const executionId = executionOf(resumeUrl);
		const waiting = await qm.waitForExecution(executionId, 'waiting');
		if (waiting.workflowId !== FLOWS.approval) problems.push(`execution ${executionId} is of workflow ${waiting.workflowId}`);
		const before = startsPerWorker(qm, executionId);
		const waitedAfter = grewOn([], before);
		if (waitedAfter.length !== 1) problems.push(`run up to the wait by ${JSON.stringify(waitedAfter)}, expected one worker`);

		const [approve, second] = await Promise.all([
			sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_approve' }),
			sleep(5).then(() => sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_decline' })),
		]);
		if (!approve.applied || approve.via !== 'stream') problems.push(`approve: ${JSON.stringify({ via: approve.via, answer: approve.answer, error: approve.error })}`);
		if (!JSON.stringify(second.answer).includes('already decided')) problems.push(`the second click answered ${JSON.stringify(second.answer)}`);
		const done = await qm.waitForExecution(executionId, ['success', 'error', 'crashed', 'canceled'], 60_000);
		if (done.status !== 'success') problems.push(`the execution is ${done.status}, expected success`);
		const ask = outputsOf(qm, done).Ask ?? [];
		if (ask.length !== 1 || ask[0].data?.approved !== true || ask[0].data?.userId !== APPROVER) problems.push(`Send and Wait output ${JSON.stringify(ask)}, expected data.approved true by ${APPROVER}`);
		await waitFor(() => (reports(sim).length ? true : undefined), 30_000);
		await sleep(2000); // a second resume would report meanwhile
		const resumedOn = grewOn(before, startsPerWorker(qm, executionId));
		const resumes = startsPerWorker(qm, executionId).reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
		if (resumedOn.length !== 1 || resumes !== 1) problems.push(`resumed ${resumes} time(s) by ${JSON.stringify(resumedOn)}, expected once by one worker`);
		if (JSON.stringify(reports(sim)) !== JSON.stringify([`decision approved=true by=${APPROVER}`])) problems.push(`reported ${JSON.stringify(reports(sim))}`);
		const after = sim.card(card.outTrackId).cardParamMap;
		if (after.approveDisabled !== 'true' || after.declineDisabled !== 'true' || !String(after.status).includes(`Ship it · ${APPROVER}`)) problems.push(`the card after the decision ${JSON.stringify(after)}`);
		if ([qm.logs().main, ...qm.logs().workers].some((output) => output.includes(APP.clientSecret))) problems.push('a process\'s log carries the Client Secret');
		log(`        the app's Stream connection held by ${holder}; execution ${executionId}: waited after ${waitedAfter.join(', ')}, approved over Stream, resumed by ${resumedOn.join(', ')}; output ${JSON.stringify(ask[0]?.data)}; card status ${JSON.stringify(after.status)}`);
		return problems;
	},
};

module.exports = { SEND_AND_WAIT_APP_QUEUE_CASE, queueSendAndWaitAppFixtures, queueSendAndWaitAppWorkflows };
