// @ts-check
'use strict';
/**
 * The DingTalk Robot Trigger in a running n8n (`n8n start`): the trigger workflows are made
 * active, n8n listens on a free loopback port, and the simulator plays DingTalk: it POSTs signed
 * (or tampered) callbacks to the production webhook URLs and serves the session webhooks the
 * replies go to. Each case says what it expects and lists what went wrong.
 */
const { execFileSync, spawn } = require('node:child_process');
const { mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const net = require('node:net');

const { GROUP: APP_GROUP } = require('./appRobotCases');
const { activateWorkflowArgs } = require('./n8nInstalls');

/** nodes/DingTalkRobotTrigger/signedPairs.ts: how long after a pair's first call another message on it counts as genuine */
const COLLISION_WINDOW_MS = 5_000;
const path = require('node:path');

/** Secrets of the callback credentials (imported by run.js). */
const CALLBACK_SECRETS = {
	appSecret: 'e2eAppSecret-9cQ2Lw7xVb3N-callbacks',
	outgoingToken: 'e2eOutgoingToken-5Tz8',
};

const CALLBACK_CREDENTIALS = [
	{ id: 'dtCallback', name: 'DingTalk Robot Callback', type: 'dingTalkRobotCallbackApi', data: { appSecret: CALLBACK_SECRETS.appSecret } },
	{ id: 'dtCallbackToken', name: 'DingTalk Robot Outgoing Token', type: 'dingTalkRobotCallbackApi', data: { outgoingToken: CALLBACK_SECRETS.outgoingToken } },
	{ id: 'dtCallbackEmpty', name: 'DingTalk Robot Callback (left empty)', type: 'dingTalkRobotCallbackApi', data: { appSecret: '', outgoingToken: '' } },
];

/** Production webhook paths: /webhook/<webhookId>/dingtalk */
const WEBHOOKS = {
	e2eEchoBot: '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a01/dingtalk',
	e2eTriggerSync: '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a02/dingtalk',
	e2eTriggerToken: '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a03/dingtalk',
	e2eTriggerNoSecret: '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a04/dingtalk',
	e2eTriggerApp: '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a05/dingtalk',
};

const SENDER = { nick: 'Zhang San', staffId: 'manager4521' };

/** Stands for the simulator's host:port in the e2e workflows' Session Webhook Hosts. */
const SIMULATOR_HOST = '__SIMULATOR_HOST__';

/**
 * The e2e workflows (test/e2e/workflows, or the ones named) and the example echo bot
 * (examples/echo-bot.json) as the suite, npm run dev and npm run screenshots import them: the
 * simulator's host:port put where replies may go (the echo bot keeps DingTalk's own hosts).
 */
function writeWorkflows(/** @type {string} */ workflowsDir, /** @type {string} */ simulatorHost, /** @type {string[] | undefined} */ only = undefined) {
	mkdirSync(workflowsDir, { recursive: true });
	const source = path.join(__dirname, 'workflows');
	for (const file of readdirSync(source).filter((name) => name.endsWith('.json') && (!only || only.includes(name)))) {
		writeFileSync(path.join(workflowsDir, file), readFileSync(path.join(source, file), 'utf8').split(SIMULATOR_HOST).join(simulatorHost));
	}
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', 'echo-bot.json'), 'utf8'));
	workflow.id = 'e2eEchoBot';
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-dingtalk-robot.dingTalkRobot' && node.parameters.target === 'session') {
			node.parameters.options = { ...node.parameters.options, sessionWebhookHosts: `oapi.dingtalk.com, api.dingtalk.com, ${simulatorHost}` };
		}
	}
	writeFileSync(path.join(workflowsDir, 'echo-bot.json'), JSON.stringify(workflow, null, 1));
}

function freePort() {
	return /** @type {Promise<number>} */ (
		new Promise((resolve, reject) => {
			const server = net.createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				const address = server.address();
				const port = typeof address === 'object' && address ? address.port : 0;
				server.close(() => resolve(port));
			});
		})
	);
}

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `probe` returns a value other than undefined, or `timeoutMs` passes. */
async function waitFor(/** @type {() => Promise<any> | any} */ probe, /** @type {number} */ timeoutMs, stepMs = 250) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined || Date.now() > end) return value;
		await sleep(stepMs);
	}
}

/**
 * The replies that reached a session (only those `via` one way, when given), once there is at
 * least one; undefined when none came within `timeoutMs`.
 */
function waitForReplies(/** @type {any} */ sim, /** @type {string} */ sessionId, timeoutMs = 30_000, /** @type {'sessionWebhook' | 'response' | undefined} */ via = undefined) {
	const replies = () => sim.replies(sessionId).filter((/** @type {any} */ r) => !via || r.via === via).map((/** @type {any} */ r) => r.body);
	return waitFor(() => (replies().length ? replies() : undefined), timeoutMs);
}

/** Requests the simulator received on a session webhook (replies that reached it, accepted or not). */
const sessionRequests = (/** @type {any} */ sim, /** @type {string} */ sessionId) =>
	sim.requests.filter((/** @type {any} */ r) => r.path === '/robot/sendBySession' && r.session === sessionId);

/**
 * Starts `n8n start` (`nodeArgs`: options for its Node.js, e.g. the inspector the benchmark asks
 * for a garbage collection through); resolves once the given webhook answers something other than 404.
 */
async function startN8n(/** @type {any} */ installed, /** @type {NodeJS.ProcessEnv} */ env, /** @type {string} */ probeUrl, /** @type {string[]} */ nodeArgs = []) {
	const child = spawn(installed.node, [...nodeArgs, installed.n8nBin, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	const exited = new Promise((resolve) => child.once('exit', resolve));
	const ready = await waitFor(
		async () => {
			if (child.exitCode !== null) return false;
			try {
				const response = await fetch(probeUrl, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
				return response.status !== 404 ? true : undefined;
			} catch {
				return undefined;
			}
		},
		180_000,
		1000,
	);
	const stop = async () => {
		if (child.exitCode === null) {
			child.kill('SIGTERM');
			const killed = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
			if (!killed) child.kill('SIGKILL');
		}
	};
	if (ready !== true) {
		await stop();
		throw new Error(`n8n start did not serve the trigger's webhook within 180 s:\n${output.slice(-1500)}`);
	}
	return { stop, output: () => output, pid: /** @type {number} */ (child.pid) };
}

/**
 * @typedef {{ name: string, expected: string, run: (ctx: { sim: any, url: (id: keyof typeof WEBHOOKS) => string }) => Promise<string[]> }} TriggerCase
 */

/** @type {TriggerCase[]} */
const TRIGGER_CASES = [
	{
		name: 'echo bot: @robot ping',
		expected: '200 {"msgtype":"empty"}, then "pong, Zhang San" @manager4521 in the session',
		run: async ({ sim, url }) => {
			const problems = [];
			const result = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER });
			if (result.status !== 200 || JSON.stringify(result.json) !== '{"msgtype":"empty"}') problems.push(`answered ${result.status} ${result.bodyText.slice(0, 200)}`);
			const replies = await waitForReplies(sim, result.request.sessionId);
			if (!replies) return [...problems, 'no reply reached the session within 30 s'];
			if (replies.length !== 1) problems.push(`${replies.length} replies`);
			const reply = replies[0];
			if (reply.text?.content !== 'pong, Zhang San\n@manager4521') problems.push(`reply text ${JSON.stringify(reply.text?.content)}`);
			if (JSON.stringify(reply.at?.atUserIds) !== '["manager4521"]') problems.push(`reply mentions ${JSON.stringify(reply.at)}`);
			return problems;
		},
	},
	{
		name: 'echo bot: anything else',
		expected: 'the help reply quotes the text',
		run: async ({ sim, url }) => {
			const result = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'deploy web', sender: SENDER });
			const replies = await waitForReplies(sim, result.request.sessionId);
			const content = replies?.[0]?.text?.content;
			return content === 'Hi Zhang San, I only know "ping" (you said: deploy web)' ? [] : [`reply ${JSON.stringify(content)}`];
		},
	},
	{
		name: 'DingTalk retries the same msgId',
		expected: 'both calls 200, one execution (one reply)',
		run: async ({ sim, url }) => {
			const problems = [];
			const first = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER });
			const again = await sim.replayCallback(first);
			for (const [which, result] of [['first', first], ['retry', again]]) {
				if (result.status !== 200 || JSON.stringify(result.json) !== '{"msgtype":"empty"}') problems.push(`${which} answered ${result.status} ${result.bodyText.slice(0, 200)}`);
			}
			await waitForReplies(sim, first.request.sessionId);
			await sleep(3000); // time for a second execution to reply, if one was started
			const replies = sim.sessionReplies(first.request.sessionId).length;
			if (replies !== 1) problems.push(`${replies} replies for one msgId`);
			return problems;
		},
	},
	{
		name: 'a captured signature with another message',
		expected: 'the (timestamp, sign) of an accepted call, on a forged message after the few seconds genuine messages of one millisecond arrive in: 403, nothing runs',
		run: async ({ sim, url }) => {
			const problems = [];
			const first = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER });
			const firstAt = Date.now();
			await waitForReplies(sim, first.request.sessionId);
			// within the collision window a new msgId on the pair would count as a second genuine message of that millisecond
			await sleep(Math.max(0, COLLISION_WINDOW_MS + 500 - (Date.now() - firstAt)));
			const forged = await sim.deliverCallback(url('e2eEchoBot'), {
				appSecret: CALLBACK_SECRETS.appSecret,
				signedAt: Number(first.request.headers.timestamp),
				text: 'ping from the forger',
				sender: SENDER,
			});
			if (forged.request.headers.sign !== first.request.headers.sign) problems.push('the simulator did not reuse the sign');
			if (forged.status !== 403) problems.push(`the forged call answered ${forged.status} ${forged.bodyText.slice(0, 200)}`);
			await sleep(2000);
			const replies = sessionRequests(sim, forged.request.sessionId).length;
			if (replies) problems.push(`a workflow ran: ${replies} replies`);
			return problems;
		},
	},
	{
		name: 'two messages in the same millisecond, then their signature on a forged body',
		expected: 'both genuine messages (one timestamp, one sign) 200 and answered; the pair with one of their msgIds and another text: 403, nothing runs',
		run: async ({ sim, url }) => {
			const problems = [];
			const signedAt = Date.now();
			const zhang = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, signedAt, text: 'ping', sender: SENDER });
			const li = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, signedAt, text: 'ping', sender: { nick: 'Li Si', staffId: 'lisi01' } });
			if (li.request.headers.sign !== zhang.request.headers.sign) problems.push('the simulator did not sign both with one pair');
			for (const [who, result] of [['Zhang San', zhang], ['Li Si', li]]) {
				if (result.status !== 200 || JSON.stringify(result.json) !== '{"msgtype":"empty"}') problems.push(`${who}'s message answered ${result.status} ${result.bodyText.slice(0, 200)}`);
				const replies = await waitForReplies(sim, result.request.sessionId);
				if (!replies?.[0]?.text?.content?.startsWith(`pong, ${who}`)) problems.push(`${who}'s session got ${JSON.stringify(replies)}`);
			}
			const forged = await sim.replayCallback(li, { changeBody: { text: { content: ' ping, and also from the forger' } } });
			if (forged.status !== 403) problems.push(`the forged body answered ${forged.status} ${forged.bodyText.slice(0, 200)}`);
			await sleep(2000);
			const replies = sessionRequests(sim, li.request.sessionId).length;
			if (replies > 1) problems.push(`Li Si's session got ${replies} requests: the forged body ran`);
			return problems;
		},
	},
	...[
		['wrongSign', 403],
		['noSign', 401],
		['oldTimestamp', 401],
		['futureTimestamp', 401],
		['badSignEncoding', 403],
		['notAMessage', 400],
		['malformedBody', 422],
	].map(([tamper, status]) => /** @type {TriggerCase} */ ({
		name: `refused: ${tamper}`,
		expected: `${status}${status === 422 ? ' (n8n\'s JSON parser)' : ''}, nothing runs`,
		run: async ({ sim, url }) => {
			const problems = [];
			const result = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER, tamper });
			if (result.status !== status) problems.push(`answered ${result.status} ${result.bodyText.slice(0, 200)}`);
			if (result.bodyText.includes(CALLBACK_SECRETS.appSecret)) problems.push('the answer contains the App Secret');
			await sleep(2000);
			const replies = sessionRequests(sim, result.request.sessionId).length;
			if (replies) problems.push(`a workflow ran: ${replies} replies`);
			return problems;
		},
	})),
	{
		name: 'expired session',
		expected: 'accepted (200), no request reaches the session (the run\'s error is counted by the executions check)',
		run: async ({ sim, url }) => {
			const result = await sim.deliverCallback(url('e2eEchoBot'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER, sessionTtlMs: 1 });
			await sleep(5000);
			const problems = [];
			if (result.status !== 200) problems.push(`answered ${result.status}`);
			const sent = sessionRequests(sim, result.request.sessionId).length;
			if (sent) problems.push(`${sent} requests reached the expired session`);
			return problems;
		},
	},
	{
		name: 'synchronous answer',
		expected: 'the HTTP answer is the send node\'s markdown message',
		run: async ({ sim, url }) => {
			const result = await sim.deliverCallback(url('e2eTriggerSync'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER });
			const problems = [];
			if (result.status !== 200) problems.push(`answered ${result.status}`);
			const body = result.json ?? {};
			if (body.msgtype !== 'markdown' || body.markdown?.text !== '**pong** (sync) for Zhang San: ping\n\n@manager4521') {
				problems.push(`answer ${result.bodyText.slice(0, 300)}`);
			}
			if (JSON.stringify(body.at?.atUserIds) !== '["manager4521"]') problems.push(`answer mentions ${JSON.stringify(body.at)}`);
			return problems;
		},
	},
	{
		name: 'Outgoing token, fixed answer',
		expected: 'fixed text at once, then the reply; wrong token 403; one-to-one and unmentioned filtered out',
		run: async ({ sim, url }) => {
			const problems = [];
			const good = await sim.deliverCallback(url('e2eTriggerToken'), { outgoingToken: CALLBACK_SECRETS.outgoingToken, text: 'restart web-3', sender: SENDER });
			if (good.status !== 200 || JSON.stringify(good.json) !== '{"msgtype":"text","text":{"content":"Got it, working on it"}}') {
				problems.push(`answered ${good.status} ${good.bodyText.slice(0, 200)}`);
			}
			// the simulator keeps the synchronous answer and the later reply apart (via)
			const replies = await waitForReplies(sim, good.request.sessionId, 30_000, 'sessionWebhook');
			if (replies?.length !== 1 || replies[0].text?.content !== 'done: restart web-3') problems.push(`replies ${JSON.stringify(replies)}`);

			const wrong = await sim.deliverCallback(url('e2eTriggerToken'), { outgoingToken: CALLBACK_SECRETS.outgoingToken, text: 'x', tamper: 'wrongToken' });
			if (wrong.status !== 403) problems.push(`wrong token answered ${wrong.status}`);
			const filtered = [
				['one-to-one', await sim.deliverCallback(url('e2eTriggerToken'), { outgoingToken: CALLBACK_SECRETS.outgoingToken, text: 'x', conversation: { type: 'oneToOne' } })],
				['not mentioned', await sim.deliverCallback(url('e2eTriggerToken'), { outgoingToken: CALLBACK_SECRETS.outgoingToken, text: 'x', robotMentioned: false })],
			];
			for (const [which, result] of filtered) {
				if (result.status !== 200 || JSON.stringify(result.json) !== '{"msgtype":"empty"}') problems.push(`${which} answered ${result.status} ${result.bodyText.slice(0, 200)}`);
			}
			await sleep(2000);
			for (const [which, result] of [['wrong token', wrong], ...filtered]) {
				if (sessionRequests(sim, result.request.sessionId).length) problems.push(`${which}: a workflow ran`);
			}
			return problems;
		},
	},
	{
		name: 'a trigger item answered by the app robot',
		expected: 'the group gets the app robot\'s answer (OpenAPI, not the session webhook)',
		run: async ({ sim, url }) => {
			const result = await sim.deliverCallback(url('e2eTriggerApp'), { appSecret: CALLBACK_SECRETS.appSecret, text: 'status', sender: SENDER, conversation: { id: APP_GROUP } });
			const problems = [];
			if (result.status !== 200) problems.push(`answered ${result.status} ${result.bodyText.slice(0, 200)}`);
			const messages = await waitFor(() => (sim.groupMessages(APP_GROUP).length ? sim.groupMessages(APP_GROUP) : undefined), 30_000);
			if (JSON.stringify(messages?.map((/** @type {any} */ m) => m.msgParam)) !== JSON.stringify([{ content: 'app robot: all green, Zhang San (status)' }])) {
				problems.push(`group messages ${JSON.stringify(messages?.map((/** @type {any} */ m) => m.msgParam))}`);
			}
			if (sessionRequests(sim, result.request.sessionId).length) problems.push('the session webhook was used');
			return problems;
		},
	},
	{
		name: 'credential without secret or token',
		expected: '500, nothing checked so nothing runs the workflow; the setup error is an execution to see',
		run: async ({ sim, url }) => {
			const result = await sim.deliverCallback(url('e2eTriggerNoSecret'), { appSecret: 'anything', text: 'ping' });
			await sleep(2000);
			const problems = [];
			if (result.status !== 500) problems.push(`answered ${result.status} ${result.bodyText.slice(0, 200)}`);
			if (sessionRequests(sim, result.request.sessionId).length) problems.push('the reply node ran');
			return problems;
		},
	},
];

/**
 * The executions n8n saved, per workflow and status, read from its SQLite database with the
 * install's own sqlite3 module (built for the install's Node): `{ counts: { "e2eEchoBot:success": 3, … },
 * setupErrorShown: <executions whose data carry the empty-credential error> }`
 */
function recordedExecutions(/** @type {any} */ installed, /** @type {string} */ userFolder) {
	const sqlite3 = path.join(path.dirname(path.dirname(path.dirname(installed.n8nBin))), 'sqlite3');
	const script = `
		const sqlite3 = require(process.argv[1]);
		const db = new sqlite3.Database(process.argv[2], sqlite3.OPEN_READONLY);
		db.all('SELECT "workflowId" AS workflow, mode, status, COUNT(*) AS n FROM execution_entity GROUP BY "workflowId", mode, status', (error, rows) => {
			if (error) { console.error(error.message); process.exit(1); }
			// an execution the editor started (manual mode) counts apart: workflow:manual:status
			const counts = {};
			for (const r of rows) {
				const key = r.workflow + (r.mode === 'manual' ? ':manual:' : ':') + r.status;
				counts[key] = (counts[key] ?? 0) + r.n;
			}
			// the words a user reads in the failed execution of a trigger whose credential is empty
			db.all("SELECT COUNT(*) AS n FROM execution_data WHERE data LIKE '%neither an App Secret nor an Outgoing Token%'", (error2, said) => {
				if (error2) { console.error(error2.message); process.exit(1); }
				console.log(JSON.stringify({ counts, setupErrorShown: said[0].n }));
			});
		});`;
	const output = execFileSync(installed.node, ['-e', script, sqlite3, path.join(userFolder, '.n8n', 'database.sqlite')], { encoding: 'utf8' });
	return JSON.parse(output);
}

/** What the cases above must leave in n8n's execution list: refused calls and retries start nothing. */
const EXPECTED_EXECUTIONS = {
	// ping, "deploy web", the retried msgId once, the genuine call of the captured signature (its
	// forged copy starts nothing), the two messages of one millisecond (their forged copy starts
	// nothing), and the expired session (the reply is refused: error)
	'e2eEchoBot:success': 6,
	'e2eEchoBot:error': 1,
	'e2eTriggerSync:success': 1,
	// the good call; the wrong token is refused, the one-to-one and the unmentioned messages filtered out
	'e2eTriggerToken:success': 1,
	// n8n records a webhook node's error as a failed execution that stops at the trigger
	'e2eTriggerNoSecret:error': 1,
	'e2eTriggerApp:success': 1,
};

/**
 * Activates the trigger workflows, starts n8n, runs every trigger case, stops n8n, and checks
 * the executions n8n recorded.
 * @param {{ installed: any, target: any, env: NodeJS.ProcessEnv, sim: any, n8n: (installed: any, args: string[], env: NodeJS.ProcessEnv) => Promise<{ ok: boolean, stdout: string, stderr: string }>, log: (text: string) => void }} options
 */
async function runTriggerCases({ installed, target, env, sim, n8n, log }) {
	for (const id of Object.keys(WEBHOOKS)) {
		const args = activateWorkflowArgs(target.n8nVersion, id);
		const result = await n8n(installed, args, env);
		if (!result.ok) throw new Error(`n8n ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	}
	const port = await freePort();
	const startEnv = { ...env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), WEBHOOK_URL: `http://127.0.0.1:${port}/` };
	const url = (/** @type {keyof typeof WEBHOOKS} */ id) => `http://127.0.0.1:${port}/webhook/${WEBHOOKS[id]}`;
	const started = Date.now();
	const running = await startN8n(installed, startEnv, url('e2eEchoBot'));
	log(`  n8n start: webhooks live on port ${port} after ${((Date.now() - started) / 1000).toFixed(0)} s`);

	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	try {
		for (const testCase of TRIGGER_CASES) {
			sim.reset();
			const caseStarted = Date.now();
			let problems;
			try {
				problems = await testCase.run({ sim, url });
			} catch (error) {
				problems = [`threw: ${/** @type {Error} */ (error).message}`];
			}
			if (running.output().includes(CALLBACK_SECRETS.appSecret) || running.output().includes(CALLBACK_SECRETS.outgoingToken)) {
				problems.push('a callback secret appears in n8n\'s log');
			}
			const delivered = sim.requests.filter((/** @type {any} */ r) => r.path === '/robot/sendBySession' && r.delivered).length;
			log(`  ${problems.length ? 'FAIL' : 'pass'}  trigger: ${testCase.name} (${((Date.now() - caseStarted) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: `trigger: ${testCase.name}`, expected: testCase.expected, delivered, problems });
		}
	} finally {
		if (process.env.E2E_DEBUG) writeFileSync(path.join(require('node:os').tmpdir(), `e2e-${target.n8nVersion}-n8n-start.out`), running.output());
		await running.stop();
	}

	const problems = [];
	try {
		const { counts: recorded, setupErrorShown } = recordedExecutions(installed, String(env.N8N_USER_FOLDER));
		if (setupErrorShown !== 1) problems.push(`the empty credential's error is in ${setupErrorShown} executions, expected 1`);
		const triggerOnly = Object.fromEntries(Object.entries(recorded).filter(([key]) => Object.keys(WEBHOOKS).some((id) => key.startsWith(`${id}:`))));
		if (JSON.stringify(triggerOnly, Object.keys(triggerOnly).sort()) !== JSON.stringify(EXPECTED_EXECUTIONS, Object.keys(EXPECTED_EXECUTIONS).sort())) {
			problems.push(`n8n recorded ${JSON.stringify(triggerOnly)}, expected ${JSON.stringify(EXPECTED_EXECUTIONS)}`);
		}
		log(`  ${problems.length ? 'FAIL' : 'pass'}  trigger: executions recorded ${JSON.stringify(triggerOnly)}${problems.map((p) => `\n        - ${p}`).join('')}`);
	} catch (error) {
		problems.push(`could not read n8n's executions: ${/** @type {Error} */ (error).message.slice(0, 300)}`);
	}
	const expectedTotal = Object.values(EXPECTED_EXECUTIONS).reduce((sum, count) => sum + count, 0);
	rows.push({ workflow: 'trigger: executions n8n recorded', expected: `${expectedTotal}: refusals, filtered calls and retries start none; the setup error is one`, delivered: 0, problems });
	return rows;
}

module.exports = { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, WEBHOOKS, TRIGGER_CASES, freePort, recordedExecutions, runTriggerCases, sleep, startN8n, waitFor, waitForReplies, writeWorkflows };
