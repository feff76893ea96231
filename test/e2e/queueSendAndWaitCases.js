// @ts-check
'use strict';
/**
 * Send and Wait for Response (group robot) in the queue-mode n8n of queueCases.js: the workflows
 * (Webhook → DingTalk Robot, Send and Wait → No Op, as test/e2e/workflows/send-and-wait-*.json)
 * are active when the main starts; an execution started over the main's webhook runs on a worker
 * and waits (n8n's database, PostgreSQL, says so over REST); a person taps the card's link, which
 * reaches the main's /webhook-waiting/ URL; the execution resumes, and the worker that ran the rest
 * is named (its log says it started the execution a second time). Forged links get 401 and change
 * nothing. The timeout case's execution is started before the other queue cases and checked after
 * them: the main's wait tracker finds executions whose time is up by polling every 60 s.
 */
const { readFileSync } = require('node:fs');
const path = require('node:path');

const { sleep, waitFor } = require('./triggerCases');

const ROBOT = { accessToken: 'e2eQueueSendWaitToken', secret: 'SECe2eQueueSendWaitSecret' };
const CREDENTIAL = 'dtQueueSendWait';
const FLOWS = {
	approval: { id: 'qSendWaitApproval', path: 'q-send-wait-approval', file: 'send-and-wait-approval.json' },
	timeout: { id: 'qSendWaitTimeout', path: 'q-send-wait-timeout', file: 'send-and-wait-timeout.json' },
};
/** How long the timeout execution may take to resume: the wait tracker's poll (60 s) and a margin. */
const TIMEOUT_MS = 180_000;

/** The robot's credential in n8n's export format (the simulator as a plain-http host). */
const sendAndWaitCredential = (/** @type {any} */ sim) => ({ id: CREDENTIAL, name: CREDENTIAL, type: 'dingTalkRobotApi', data: { accessToken: sim.webhookUrl(ROBOT.accessToken), secret: ROBOT.secret, plainHttpHosts: sim.host } });

/** The single-process e2e's workflows with the queue cases' ids, paths and credential. */
function sendAndWaitWorkflows() {
	return Object.values(FLOWS).map(({ id, path: webhookPath, file }) => {
		const flow = JSON.parse(readFileSync(path.join(__dirname, 'workflows', file), 'utf8'));
		flow.id = id;
		flow.name = `E2E queue: ${id}`;
		for (const n of flow.nodes) {
			n.id = n.id.replace(/^e2eSendWait\w+?-/, `${id}-`);
			if (n.type === 'n8n-nodes-base.webhook') Object.assign(n, { webhookId: `e2e-queue-${webhookPath}`, parameters: { ...n.parameters, path: webhookPath } });
			if (n.credentials?.dingTalkRobotApi) n.credentials.dingTalkRobotApi = { id: CREDENTIAL, name: CREDENTIAL };
		}
		return flow;
	});
}

/** The execution of a resume URL: `/webhook-waiting/<executionId>/<nodeId>`. */
const executionOf = (/** @type {string} */ url) => new URL(url).pathname.split('/').at(-2) ?? '';

/** How often each worker's log says it started the execution (once for the run up to the wait, once more for the resume). */
const startsPerWorker = (/** @type {any} */ qm, /** @type {string} */ executionId) =>
	qm.logs().workers.map((/** @type {string} */ output) => output.split(`Worker started execution ${executionId} (job`).length - 1);

/** The workers whose start count grew since `before`. */
const grewOn = (/** @type {number[]} */ before, /** @type {number[]} */ after) => after.flatMap((n, i) => (n > (before[i] ?? 0) ? [`worker ${i + 1}`] : []));

/**
 * The items each node output in an execution as n8n's REST API gives it (its run data flattened
 * by flatted: parsed with the installed n8n's own copy).
 * @returns {Record<string, any[]>}
 */
function outputsOf(/** @type {any} */ qm, /** @type {any} */ execution) {
	const { parse } = require(path.join(path.dirname(path.dirname(path.dirname(qm.installed.n8nBin))), 'flatted'));
	const data = typeof execution?.data === 'string' ? parse(execution.data) : (execution?.data ?? {});
	const runData = data.resultData?.runData ?? {};
	return Object.fromEntries(Object.entries(runData).map(([name, runs]) => [name, (/** @type {any[]} */ (runs).at(-1)?.data?.main?.[0] ?? []).map((/** @type {any} */ item) => item.json)]));
}

/**
 * Starts an execution over the main's webhook; once its card is in the group: the execution (by
 * the card's link), its buttons, and where it ran until it waited.
 */
async function startExecution(/** @type {any} */ qm, /** @type {any} */ sim, /** @type {keyof typeof FLOWS} */ flow, /** @type {string} */ ticket) {
	const response = await fetch(qm.webhook(FLOWS[flow].path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
	if (response.status !== 200) throw new Error(`starting ${flow} answered ${response.status} ${(await response.text()).slice(0, 200)}`);
	const card = await waitFor(() => {
		const index = sim.messages(ROBOT.accessToken).findIndex((/** @type {any} */ m) => m.actionCard?.text?.includes(ticket));
		return index < 0 ? undefined : { index, ...sim.messages(ROBOT.accessToken)[index] };
	}, 60_000);
	if (!card) throw new Error(`no card for ${ticket} reached the group within 60 s`);
	const buttons = sim.buttons(ROBOT.accessToken).filter((/** @type {any} */ b) => b.message === card.index);
	const link = buttons[0]?.url ?? '';
	// the worker built the link: it must lead to the main's WEBHOOK_URL
	if (!link.startsWith(`${qm.webhookUrl}webhook-waiting/`)) throw new Error(`the card links ${link.split('?')[0]}, not ${qm.webhookUrl}webhook-waiting/…`);
	const executionId = executionOf(link);
	const waiting = await qm.waitForExecution(executionId, 'waiting');
	return { executionId, card, buttons, waiting, ranOn: grewOn([], startsPerWorker(qm, executionId)), starts: startsPerWorker(qm, executionId) };
}

/** Problems of an execution that should have waited on a worker. */
function checkWaited(/** @type {Awaited<ReturnType<typeof startExecution>>} */ started, /** @type {string} */ what) {
	const problems = [];
	if (started.ranOn.length !== 1) problems.push(`${what}: run up to the wait by ${JSON.stringify(started.ranOn)}, expected one worker`);
	if (started.waiting.workflowId !== FLOWS.approval.id && started.waiting.workflowId !== FLOWS.timeout.id) problems.push(`${what}: execution of workflow ${started.waiting.workflowId}`);
	return problems;
}

/** The page, status and output of an approval, and which worker resumed it. */
async function approve(/** @type {any} */ qm, /** @type {any} */ sim, /** @type {Awaited<ReturnType<typeof startExecution>>} */ started, /** @type {string} */ button, /** @type {boolean} */ approved) {
	const before = startsPerWorker(qm, started.executionId);
	const page = await sim.clickButton(ROBOT.accessToken, button, { message: started.card.index });
	const problems = page.status === 200 && page.heading === 'Got it, thanks' ? [] : [`${button}: the page answered ${page.status} "${page.heading}"`];
	const done = await qm.waitForExecution(started.executionId, ['success', 'error', 'crashed', 'canceled'], 60_000);
	const outputs = outputsOf(qm, done);
	const robot = outputs['DingTalk Robot'] ?? [];
	if (done.status !== 'success') problems.push(`the execution is ${done.status}, expected success`);
	if (robot.length !== 1 || robot[0].data?.approved !== approved || Number.isNaN(Date.parse(robot[0].data?.respondedAt))) problems.push(`the node output ${JSON.stringify(robot)}, expected data.approved ${approved} and respondedAt`);
	if (JSON.stringify(outputs['After the Answer']) !== JSON.stringify(robot)) problems.push(`the next node got ${JSON.stringify(outputs['After the Answer'])}`);
	const resumedOn = grewOn(before, startsPerWorker(qm, started.executionId));
	if (resumedOn.length !== 1) problems.push(`resumed by ${JSON.stringify(resumedOn)}, expected one worker`);
	return { problems, resumedOn: resumedOn.join(', '), output: robot[0] };
}

/** What n8n answers a forged link: 1.x a JSON error, 2.x its "Invalid Form Link" page. */
const refused = (/** @type {any} */ page) => page.status === 401 && (page.body === '{"error":"Invalid token"}' || page.heading === 'Invalid Form Link');

/**
 * @typedef {{ qm: any, sim: any, log: (text: string) => void }} Ctx
 * @type {Array<{ name: string, expected: string, run: (ctx: Ctx) => Promise<string[]> }>}
 */
const SEND_AND_WAIT_QUEUE_CASES = [
	{
		name: 'Send and Wait: approve by URL, resumed on a worker',
		expected: 'the execution runs on a worker and waits (PostgreSQL, over REST); Approve (the main\'s resume URL) → "Got it, thanks", the execution resumes on a worker with data.approved true; a second tap: "No action required"',
		run: async ({ qm, sim, log }) => {
			const started = await startExecution(qm, sim, 'approval', 'Q-approve');
			const problems = checkWaited(started, 'the execution');
			const result = await approve(qm, sim, started, 'Approve', true);
			log(`        execution ${started.executionId}: waited after ${started.ranOn.join(', ')}; resumed by ${result.resumedOn}; output ${JSON.stringify(result.output?.data)}`);
			const again = await sim.clickButton(ROBOT.accessToken, 'Decline', { message: started.card.index });
			if (again.heading !== 'No action required') problems.push(`a second tap showed ${again.status} "${again.heading}", expected "No action required"`);
			await sleep(1000);
			const still = outputsOf(qm, await qm.waitForExecution(started.executionId, 'success'))['DingTalk Robot'];
			if (JSON.stringify(still?.[0]) !== JSON.stringify(result.output)) problems.push(`the second tap changed the output: ${JSON.stringify(still)}`);
			return [...problems, ...result.problems];
		},
	},
	{
		name: 'Send and Wait: forged links refused, decline',
		expected: 'B\'s Approve link with C\'s execution ID and B\'s Decline link with approved=true: 401, B and C still waiting; Decline of B → data.approved false, Approve of C → true, each resumed on a worker',
		run: async ({ qm, sim, log }) => {
			const b = await startExecution(qm, sim, 'approval', 'Q-forge-b');
			const c = await startExecution(qm, sim, 'approval', 'Q-forge-c');
			const problems = [...checkWaited(b, 'B'), ...checkWaited(c, 'C')];
			const approveB = b.buttons.find((button) => button.title === 'Approve')?.url ?? '';
			const flipped = new URL(b.buttons.find((button) => button.title === 'Decline')?.url ?? '');
			flipped.searchParams.set('approved', 'true');
			for (const [what, url] of [['another execution\'s ID', approveB.replace(`/${b.executionId}/`, `/${c.executionId}/`)], ['approved=false changed to true', flipped.toString()]]) {
				const page = await sim.openLink(url);
				if (!refused(page)) problems.push(`${what}: n8n answered ${page.status} "${page.heading ?? page.body.slice(0, 80)}"`);
			}
			await sleep(1500);
			for (const [which, id] of [['B', b.executionId], ['C', c.executionId]]) {
				const now = await qm.rest('GET', `/executions/${id}`);
				if (now.status !== 'waiting') problems.push(`execution ${which} is ${now.status} after the forgeries, expected waiting`);
			}
			const declined = await approve(qm, sim, b, 'Decline', false);
			const approved = await approve(qm, sim, c, 'Approve', true);
			log(`        B ${b.executionId}: waited after ${b.ranOn.join(', ')}, declined, resumed by ${declined.resumedOn}; C ${c.executionId}: waited after ${c.ranOn.join(', ')}, approved, resumed by ${approved.resumedOn}`);
			return [...problems, ...declined.problems.map((p) => `B: ${p}`), ...approved.problems.map((p) => `C: ${p}`)];
		},
	},
];

/**
 * Starts the timeout case's execution (Limit Wait Time 3 s); returns the check to run after the
 * other cases.
 * @returns {Promise<{ startedAt: number, run: (ctx: Ctx) => Promise<string[]> }>}
 */
async function startTimeoutCase(/** @type {any} */ qm, /** @type {any} */ sim) {
	const startedAt = Date.now();
	/** @type {Awaited<ReturnType<typeof startExecution>> | undefined} */
	let started;
	/** @type {string[]} */
	const problems = [];
	try {
		started = await startExecution(qm, sim, 'timeout', 'Q-timeout');
		if (!started.waiting.waitTill) problems.push('the execution waits without a time limit');
		problems.push(...checkWaited(started, 'the execution'));
	} catch (error) {
		problems.push(`threw: ${/** @type {Error} */ (error).message}`);
	}
	return {
		startedAt,
		run: async ({ qm: q, sim: s, log }) => {
			if (!started) return problems;
			const before = started.starts;
			const done = await q.waitForExecution(started.executionId, ['success', 'error', 'crashed', 'canceled'], TIMEOUT_MS).catch((/** @type {Error} */ error) => ({ status: error.message }));
			const outputs = outputsOf(q, done);
			const robot = outputs['DingTalk Robot'] ?? [];
			const resumedOn = grewOn(before, startsPerWorker(q, started.executionId));
			const finishedAfter = done.stoppedAt ? (Date.parse(done.stoppedAt) - startedAt) / 1000 : NaN;
			log(`        execution ${started.executionId}: waited after ${started.ranOn.join(', ')}; resumed by ${resumedOn.join(', ') || 'no worker'} ${finishedAfter.toFixed(0)} s after it started (wait till ${started.waiting.waitTill})`);
			if (done.status !== 'success') problems.push(`the execution is ${done.status}, expected success`);
			// n8n's Send and Wait nodes pass their input on unchanged when the time is up
			if (robot.length !== 1 || robot[0].body?.ticket !== 'Q-timeout' || 'data' in robot[0]) problems.push(`the node output ${JSON.stringify(robot)}, expected the trigger's item unchanged`);
			if (JSON.stringify(outputs['After the Answer']) !== JSON.stringify(robot)) problems.push(`the next node got ${JSON.stringify(outputs['After the Answer'])}`);
			if (resumedOn.length !== 1) problems.push(`resumed by ${JSON.stringify(resumedOn)}, expected one worker`);
			// the card left the simulator's records at a reset: its link is opened as kept
			const late = await s.openLink(started.buttons.find((b) => b.title === 'Approve')?.url ?? '');
			if (late.heading !== 'No action required') problems.push(`a tap after the time limit showed ${late.status} "${late.heading}"`);
			return problems;
		},
	};
}

/** The robot's token or secret in any process's output. */
const secretsLogged = (/** @type {any} */ qm) => [qm.logs().main, ...qm.logs().workers].some((output) => output.includes(ROBOT.accessToken) || output.includes(ROBOT.secret));

module.exports = { SEND_WAIT_QUEUE_ROBOT: ROBOT, SEND_AND_WAIT_QUEUE_CASES, executionOf, grewOn, outputsOf, secretsLogged, sendAndWaitCredential, sendAndWaitWorkflows, startTimeoutCase, startsPerWorker };
