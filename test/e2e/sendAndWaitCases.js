// @ts-check
'use strict';
/**
 * Send and Wait for Response through the group robot, in a running n8n (`n8n start`): the
 * workflows (Webhook trigger → DingTalk Robot, Send and Wait → No Op) are made active, each case
 * starts an execution over HTTP, finds the actionCard in the simulated group, checks that n8n
 * holds the execution as waiting, and a person taps a button (the simulator's browser opens n8n's
 * resume URL, fills in n8n's form page). n8n's own database says what happened: the execution's
 * status and the node's output. One n8n process serves every case; the timeout case's execution
 * is started first and checked last (n8n resumes waiting executions from a poll every 60 s).
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const { activateWorkflowArgs, deactivateWorkflowArgs } = require('./n8nInstalls');
const { SEND_AND_WAIT_APP_WORKFLOWS, runSendAndWaitAppCases } = require('./sendAndWaitAppCases');
const { freePort, sleep, startN8n, waitFor } = require('./triggerCases');

/** The robot of the cases (run.js imports its credential). */
const SEND_WAIT_ROBOT = { accessToken: 'e2eSendWaitToken', secret: 'SECe2eSendWaitSecret' };

const WORKFLOWS = {
	ping: { id: 'e2eSendWaitPing', path: 'dt-send-wait-ping' },
	approval: { id: 'e2eSendWaitApproval', path: 'dt-send-wait-approval' },
	text: { id: 'e2eSendWaitText', path: 'dt-send-wait-text' },
	form: { id: 'e2eSendWaitForm', path: 'dt-send-wait-form' },
	timeout: { id: 'e2eSendWaitTimeout', path: 'dt-send-wait-timeout' },
};

/**
 * An execution as n8n saved it, read from its SQLite database with the install's own sqlite3 and
 * flatted (n8n stores the run data flattened): status, waitTill, and the items each node output.
 * @returns {{ status: string, finished: boolean, waitTill: string | null, outputs: Record<string, any[]>, lastNode?: string } | undefined}
 */
function readExecution(/** @type {any} */ installed, /** @type {string} */ userFolder, /** @type {string} */ executionId) {
	const modules = path.dirname(path.dirname(path.dirname(installed.n8nBin)));
	const script = `
		const sqlite3 = require(process.argv[1]);
		const { parse } = require(process.argv[2]);
		const db = new sqlite3.Database(process.argv[3], sqlite3.OPEN_READONLY);
		db.get('SELECT e.status, e.finished, e."waitTill" AS waitTill, d.data FROM execution_entity e LEFT JOIN execution_data d ON d."executionId" = e.id WHERE e.id = ?', [process.argv[4]], (error, row) => {
			if (error) { console.error(error.message); process.exit(1); }
			if (!row) { console.log('null'); return; }
			const data = row.data ? parse(row.data) : {};
			const runData = data.resultData?.runData ?? {};
			const outputs = Object.fromEntries(Object.entries(runData).map(([node, runs]) => [node, (runs.at(-1)?.data?.main?.[0] ?? []).map((item) => item.json)]));
			console.log(JSON.stringify({ status: row.status, finished: !!row.finished, waitTill: row.waitTill, outputs, lastNode: data.resultData?.lastNodeExecuted }));
		});`;
	const output = execFileSync(installed.node, ['-e', script, path.join(modules, 'sqlite3'), path.join(modules, 'flatted'), path.join(userFolder, '.n8n', 'database.sqlite'), executionId], { encoding: 'utf8' });
	return JSON.parse(output) ?? undefined;
}

/**
 * @typedef {object} Ctx
 * @property {any} sim
 * @property {(workflow: keyof typeof WORKFLOWS, ticket: string) => Promise<{ executionId: string, card: any, buttons: Array<{ title: string, url: string }> }>} start
 *   starts an execution (the trigger's body `{ ticket }`), resolves once its card is in the group
 * @property {(executionId: string, status: string, timeoutMs?: number) => Promise<ReturnType<typeof readExecution>>} until
 *   the execution once n8n saved it with that status (or as it is after timeoutMs)
 * @property {(executionId: string) => ReturnType<typeof readExecution>} execution
 * @property {() => string} n8nOutput what n8n printed so far
 * @property {number} major n8n's major version
 */

/** The execution of a resume URL: `/webhook-waiting/<executionId>/<nodeId>`. */
const executionOf = (/** @type {string} */ url) => new URL(url).pathname.split('/').at(-2) ?? '';

/** The node's answer (`data`) in the run of an execution, and what reached the node after it. */
function answerOf(/** @type {any} */ execution) {
	return { robot: execution?.outputs?.['DingTalk Robot'] ?? [], after: execution?.outputs?.['After the Answer'] ?? [] };
}

/** An approval's output: `{ data: { approved, respondedAt } }`, handed on unchanged. */
function checkApproval(/** @type {any} */ execution, /** @type {boolean} */ approved) {
	const problems = [];
	const { robot, after } = answerOf(execution);
	if (execution?.status !== 'success') problems.push(`the execution is ${execution?.status}, expected success`);
	if (robot.length !== 1 || robot[0].data?.approved !== approved) problems.push(`the node output ${JSON.stringify(robot)}, expected data.approved ${approved}`);
	if (robot.length && Number.isNaN(Date.parse(robot[0].data?.respondedAt))) problems.push(`respondedAt ${JSON.stringify(robot[0].data?.respondedAt)}`);
	if (JSON.stringify(after) !== JSON.stringify(robot)) problems.push(`the next node got ${JSON.stringify(after)}`);
	return problems;
}

/** @type {Array<{ name: string, expected: string, run: (ctx: Ctx) => Promise<string[]> }>} */
const CASES = [
	{
		name: 'approve',
		expected: 'a card with Decline and Approve linking n8n\'s signed resume URL; waiting; Approve → "Got it, thanks", data.approved true; a second tap: n8n\'s "No action required", nothing changes',
		run: async ({ sim, start, until, execution }) => {
			const problems = [];
			const { executionId, card, buttons } = await start('approval', 'T-approve');
			if (card.actionCard.title !== 'Refund T-approve') problems.push(`card title ${JSON.stringify(card.actionCard.title)}`);
			if (JSON.stringify(buttons.map((b) => b.title)) !== '["Decline","Approve"]') problems.push(`buttons ${JSON.stringify(buttons.map((b) => b.title))}`);
			for (const button of buttons) {
				const url = new URL(button.url);
				const params = [...url.searchParams.keys()].sort().join(',');
				if (params !== 'approved,signature' || !/^[0-9a-f]{64}$/.test(url.searchParams.get('signature') ?? '')) problems.push(`${button.title} links ${url.pathname}?${params}`);
			}
			const before = execution(executionId);
			if (before?.status !== 'waiting') problems.push(`before the tap the execution is ${before?.status}, expected waiting`);
			const page = await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Approve', { message: card.index });
			if (page.status !== 200 || page.heading !== 'Got it, thanks') problems.push(`the page answered ${page.status} "${page.heading}"`);
			const after = await until(executionId, 'success');
			problems.push(...checkApproval(after, true));
			const again = await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Decline', { message: card.index });
			if (again.heading !== 'No action required') problems.push(`a second tap showed ${again.status} "${again.heading}", expected n8n's "No action required"`);
			await sleep(1000);
			const still = execution(executionId);
			if (JSON.stringify(answerOf(still)) !== JSON.stringify(answerOf(after))) problems.push(`the second tap changed the run: ${JSON.stringify(answerOf(still))}`);
			return problems;
		},
	},
	{
		name: 'decline',
		expected: 'Decline → data.approved false',
		run: async ({ sim, start, until }) => {
			const { executionId, card } = await start('approval', 'T-decline');
			const page = await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Decline', { message: card.index });
			const problems = page.heading === 'Got it, thanks' ? [] : [`the page answered ${page.status} "${page.heading}"`];
			return [...problems, ...checkApproval(await until(executionId, 'success'), false)];
		},
	},
	{
		name: 'forged and previewed links',
		expected: 'another execution\'s ID, approved=false→true, no signature, another node\'s ID: 401 (n8n 1: {"error":"Invalid token"}, n8n 2: its "Invalid Form Link" page), a link preview (empty User-Agent): nothing; each request in n8n\'s log (debug), the preview in the node\'s; both executions keep waiting; the genuine link still works',
		run: async ({ sim, start, until, execution, major, n8nOutput }) => {
			const problems = [];
			const a = await start('approval', 'T-forge-a');
			const b = await start('approval', 'T-forge-b');
			await until(a.executionId, 'waiting');
			await until(b.executionId, 'waiting');
			const approveA = a.buttons.find((button) => button.title === 'Approve')?.url ?? '';
			const declineA = new URL(a.buttons.find((button) => button.title === 'Decline')?.url ?? '');
			const otherExecution = approveA.replace(`/${a.executionId}/`, `/${b.executionId}/`);
			const flipped = new URL(declineA);
			flipped.searchParams.set('approved', 'true');
			const unsigned = new URL(approveA);
			unsigned.searchParams.delete('signature');
			const otherNode = approveA.replace(/\/[^/?]+\?/, '/e2eSendWaitApproval-after?');
			const logged = (/** @type {string} */ id) => n8nOutput().split(`Received waiting-webhook "GET" for execution "${id}"`).length - 1;
			const loggedBefore = { a: logged(a.executionId), b: logged(b.executionId) };
			for (const [what, url] of [['another execution\'s ID', otherExecution], ['approved=false changed to true', flipped.toString()], ['no signature', unsigned.toString()], ['another node\'s ID', otherNode]]) {
				const page = await sim.openLink(url);
				// what n8n says: 1.x a JSON error, 2.x its "Invalid Form Link" page (a JSON error where the node is not a Send and Wait node)
				const refused = page.body === '{"error":"Invalid token"}' || (major >= 2 && page.heading === 'Invalid Form Link');
				if (page.status !== 401 || !refused) problems.push(`${what}: n8n answered ${page.status} "${page.heading ?? page.body.slice(0, 80)}"`);
			}
			const preview = await sim.openLink(approveA, { userAgent: '' });
			if (preview.status !== 200 || preview.body !== '') problems.push(`a link preview got ${preview.status} ${JSON.stringify(preview.body.slice(0, 80))}`);
			await sleep(500);
			// n8n logs every request to a waiting execution (debug), and the node the preview it ignored
			const loggedNow = { a: logged(a.executionId) - loggedBefore.a, b: logged(b.executionId) - loggedBefore.b };
			if (loggedNow.a !== 4 || loggedNow.b !== 1) problems.push(`n8n logged ${loggedNow.a} requests for A (expected 4: three forgeries and the preview) and ${loggedNow.b} for B (expected 1)`);
			if (!n8nOutput().includes('a link preview opened an approval link of node "DingTalk Robot"; nothing recorded')) problems.push('the node did not log the link preview it ignored');
			await sleep(1500);
			for (const [which, id] of [['A', a.executionId], ['B', b.executionId]]) {
				const now = execution(id);
				if (now?.status !== 'waiting') problems.push(`execution ${which} is ${now?.status} after the forgeries, expected waiting`);
			}
			const genuine = await sim.openLink(approveA);
			if (genuine.heading !== 'Got it, thanks') problems.push(`the genuine link answered ${genuine.status} "${genuine.heading}"`);
			problems.push(...checkApproval(await until(a.executionId, 'success'), true));
			await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Decline', { message: b.card.index });
			problems.push(...checkApproval(await until(b.executionId, 'success'), false).map((p) => `B: ${p}`));
			return problems;
		},
	},
	{
		name: 'free text',
		expected: 'Answer (opens in the desktop browser) → n8n\'s form page with a required Response; sent → data.text',
		run: async ({ sim, start, until }) => {
			const problems = [];
			const { executionId, card, buttons } = await start('text', 'T-text');
			if (JSON.stringify(buttons.map((b) => b.title)) !== '["Answer"]') problems.push(`buttons ${JSON.stringify(buttons.map((b) => b.title))}`);
			if (!buttons[0]?.url.startsWith('dingtalk://dingtalkclient/page/link?url=http') || !buttons[0].url.endsWith('&pc_slide=false')) problems.push(`the button links ${buttons[0]?.url}`);
			const page = await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Answer', { message: card.index });
			const fields = page.form?.fields.map((/** @type {any} */ f) => `${f.label}:${f.kind}:${f.required}`);
			if (page.status !== 200 || JSON.stringify(fields) !== '["Response:textarea:true"]') problems.push(`the form page: ${page.status}, fields ${JSON.stringify(fields)}`);
			const empty = await sim.submitForm(page, {});
			if (JSON.stringify(empty.refused) !== '["Response"]') problems.push(`an empty answer was not held back by the page: ${JSON.stringify(empty.refused)}`);
			const sent = await sim.submitForm(page, { Response: 'Refund half, the rest as a voucher' });
			if (sent.status !== 200 || sent.heading !== 'Got it, thanks') problems.push(`submitting answered ${sent.status} "${sent.heading}"`);
			const after = await until(executionId, 'success');
			const output = answerOf(after).robot;
			if (after?.status !== 'success' || output[0]?.data?.text !== 'Refund half, the rest as a voucher' || !output[0]?.data?.respondedAt) problems.push(`the execution is ${after?.status}, output ${JSON.stringify(output)}`);
			return problems;
		},
	},
	{
		name: 'custom form',
		expected: 'n8n\'s form page with the fields as defined (required ones marked); sent → data with each field by label, numbers as numbers, choices as lists',
		run: async ({ sim, start, until }) => {
			const problems = [];
			const { executionId, card } = await start('form', 'T-form');
			const page = await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Respond', { message: card.index });
			const fields = page.form?.fields.map((/** @type {any} */ f) => `${f.label}:${f.kind}:${f.required}`);
			const want = ['Reason:textarea:true', 'Amount:input:true', 'Priority:select:true', 'Notify:choices:false', 'Refund Kind:choices:false', 'field-5:hidden:false'];
			if (JSON.stringify(fields) !== JSON.stringify(want)) problems.push(`form fields ${JSON.stringify(fields)}`);
			if (page.form?.title !== 'Refund details' || page.form?.submitLabel !== 'Send') problems.push(`form title "${page.form?.title}", button "${page.form?.submitLabel}"`);
			const sent = await sim.submitForm(page, { Reason: '  Broken on arrival ', Amount: 120.5, Priority: 'Urgent', Notify: ['Email', 'DingTalk'], 'Refund Kind': 'Partial' });
			if (sent.heading !== 'Got it, thanks') problems.push(`submitting answered ${sent.status} "${sent.heading}"`);
			const after = await until(executionId, 'success');
			const data = answerOf(after).robot[0]?.data ?? {};
			const { respondedAt, ...fieldsOut } = data;
			const expected = { Reason: '  Broken on arrival ', Amount: 120.5, Priority: 'Urgent', Notify: ['Email', 'DingTalk'], 'Refund Kind': 'Partial', source: 'dingtalk' };
			if (after?.status !== 'success' || JSON.stringify(fieldsOut) !== JSON.stringify(expected) || !respondedAt) problems.push(`the execution is ${after?.status}, output data ${JSON.stringify(data)}`);
			return problems;
		},
	},
];

/**
 * Activates the workflows, starts n8n, runs the cases, stops n8n: the group robot's cases (group)
 * and the app robot's (app, sendAndWaitAppCases.js) in one `n8n start`, the app's while the
 * group's timeout waits for n8n's poll. The app's workflows are made inactive again at the end,
 * so no later n8n of the run holds their Stream connection.
 * @param {{ installed: any, target: any, env: NodeJS.ProcessEnv, sim: any, n8n: (installed: any, args: string[], env: NodeJS.ProcessEnv) => Promise<{ ok: boolean, stdout: string, stderr: string }>, log: (text: string) => void, group?: boolean, app?: boolean }} options
 */
async function runSendAndWaitCases({ installed, target, env, sim, n8n, log, group = true, app = false }) {
	const cli = async (/** @type {string[]} */ args) => {
		const result = await n8n(installed, args, env);
		if (!result.ok) throw new Error(`n8n ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	};
	// the ping tells when n8n's production webhooks are up
	for (const { id } of group ? Object.values(WORKFLOWS) : [WORKFLOWS.ping]) await cli(activateWorkflowArgs(target.n8nVersion, id));
	if (app) for (const id of SEND_AND_WAIT_APP_WORKFLOWS) await cli(activateWorkflowArgs(target.n8nVersion, id));
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const startEnv = { ...env, N8N_LOG_LEVEL: 'debug', N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), WEBHOOK_URL: `${base}/` };
	const userFolder = String(env.N8N_USER_FOLDER);
	const began = Date.now();
	const running = await startN8n(installed, startEnv, `${base}/webhook/${WORKFLOWS.ping.path}`);
	// startN8n takes any answer but 404 for up; on a loaded machine n8n first answers 503 (its
	// database not ready) and mounts the production webhooks after that: wait for the ping's 200
	const pinged = await waitFor(async () => {
		try {
			const response = await fetch(`${base}/webhook/${WORKFLOWS.ping.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			return response.status === 200 ? true : undefined;
		} catch {
			return undefined;
		}
	}, 120_000, 1000);
	if (!pinged) {
		await running.stop();
		throw new Error(`n8n's production webhooks did not answer within 120 s:\n${running.output().slice(-1500)}`);
	}
	log(`  n8n start: send-and-wait webhooks live on port ${port} after ${((Date.now() - began) / 1000).toFixed(0)} s`);

	let cardsSeen = 0;
	/** @type {Ctx} */
	const ctx = {
		sim,
		major: Number(String(target.n8nVersion).split('.')[0]),
		n8nOutput: () => running.output(),
		execution: (executionId) => readExecution(installed, userFolder, executionId),
		until: async (executionId, status, timeoutMs = 30_000) =>
			(await waitFor(() => {
				const execution = readExecution(installed, userFolder, executionId);
				return execution?.status === status ? execution : undefined;
			}, timeoutMs, 300)) ?? readExecution(installed, userFolder, executionId),
		start: async (workflow, ticket) => {
			const response = await fetch(`${base}/webhook/${WORKFLOWS[workflow].path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
			if (response.status !== 200) throw new Error(`starting ${workflow} answered ${response.status} ${(await response.text()).slice(0, 200)}`);
			const card = await waitFor(() => {
				const index = sim.messages(SEND_WAIT_ROBOT.accessToken).findIndex((/** @type {any} */ m) => m.actionCard?.text?.includes(ticket));
				return index < 0 ? undefined : { index, ...sim.messages(SEND_WAIT_ROBOT.accessToken)[index] };
			}, 30_000);
			if (!card) throw new Error(`no card for ${ticket} reached the group within 30 s`);
			cardsSeen++;
			const buttons = sim.buttons(SEND_WAIT_ROBOT.accessToken).filter((/** @type {any} */ b) => b.message === card.index);
			const link = buttons[0]?.url ?? '';
			const resumeUrl = link.startsWith('dingtalk:') ? new URL(link).searchParams.get('url') ?? '' : link;
			return { executionId: executionOf(resumeUrl), card, buttons };
		},
	};

	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	const record = (/** @type {string} */ name, /** @type {string} */ expected, /** @type {string[]} */ problems, /** @type {number} */ startedAt) => {
		if (running.output().includes(SEND_WAIT_ROBOT.accessToken) || running.output().includes(SEND_WAIT_ROBOT.secret)) problems.push('the robot\'s token or secret appears in n8n\'s log');
		log(`  ${problems.length ? 'FAIL' : 'pass'}  send and wait: ${name} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
		rows.push({ workflow: `send and wait: ${name}`, expected, delivered: cardsSeen, problems });
	};
	try {
		sim.reset();
		// the timeout case first: n8n finds waiting executions whose time is up by polling every 60 s
		const timeoutStarted = Date.now();
		/** @type {Awaited<ReturnType<Ctx['start']>> | undefined} */
		let timeout;
		/** @type {string[]} */
		const timeoutProblems = [];
		try {
			if (group) {
				timeout = await ctx.start('timeout', 'T-timeout');
				const waiting = ctx.execution(timeout.executionId);
				if (waiting?.status !== 'waiting' || !waiting.waitTill) timeoutProblems.push(`the execution is ${waiting?.status} until ${waiting?.waitTill}, expected waiting with a time limit`);
			}
		} catch (error) {
			timeoutProblems.push(`threw: ${/** @type {Error} */ (error).message}`);
		}
		for (const testCase of group ? CASES : []) {
			const caseStarted = Date.now();
			let problems;
			try {
				problems = await testCase.run(ctx);
			} catch (error) {
				problems = [`threw: ${/** @type {Error} */ (error).message}`];
			}
			record(testCase.name, testCase.expected, problems, caseStarted);
		}
		// the app robot's cases while the group's timeout waits for n8n's poll
		if (app) rows.push(...(await runSendAndWaitAppCases({ sim, base, n8nOutput: () => running.output(), log })));
		if (timeout) {
			const after = await ctx.until(timeout.executionId, 'success', 100_000);
			const { robot, after: next } = answerOf(after);
			if (after?.status !== 'success') timeoutProblems.push(`the execution is ${after?.status} ${Math.round((Date.now() - timeoutStarted) / 1000)} s after it started, expected success`);
			// n8n's Send and Wait nodes pass their input on unchanged when the time is up
			if (robot.length !== 1 || robot[0].body?.ticket !== 'T-timeout' || 'data' in robot[0]) timeoutProblems.push(`the node output ${JSON.stringify(robot)}, expected the trigger's item unchanged`);
			if (JSON.stringify(next) !== JSON.stringify(robot)) timeoutProblems.push(`the next node got ${JSON.stringify(next)}`);
			const late = await sim.clickButton(SEND_WAIT_ROBOT.accessToken, 'Approve', { message: timeout.card.index });
			if (late.heading !== 'No action required') timeoutProblems.push(`a tap after the time limit showed ${late.status} "${late.heading}"`);
		}
		if (group) record('timeout (Limit Wait Time 3 s)', 'resumed by n8n when the time is up (within its 60 s poll), the input item passed on unchanged; a later tap: "No action required"', timeoutProblems, timeoutStarted);
	} finally {
		if (process.env.E2E_DEBUG) require('node:fs').writeFileSync(path.join(require('node:os').tmpdir(), `e2e-${target.n8nVersion}-send-and-wait.out`), running.output());
		await running.stop();
		if (app) for (const id of SEND_AND_WAIT_APP_WORKFLOWS) await cli(deactivateWorkflowArgs(target.n8nVersion, id));
	}
	return rows;
}

module.exports = { SEND_WAIT_ROBOT, runSendAndWaitCases };
