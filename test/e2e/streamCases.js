// @ts-check
'use strict';
/**
 * The DingTalk Stream Trigger in a running n8n (`n8n start`): three workflows are made active, two
 * on the same app (the example echo bot and a second one) and one whose credential has a wrong
 * secret; n8n opens its Stream connection to the simulator's gateway, which pushes robot
 * messages, asks for reconnects, drops connections and plays a reconnect storm. Each case says what it expects and lists
 * what went wrong. Ends with n8n stopped: its connection must close cleanly.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { activateWorkflowArgs } = require('./n8nInstalls');
const { WEBHOOKS, freePort, recordedExecutions, sleep, startN8n, waitFor } = require('./triggerCases');

const APP = { clientId: 'dinge2estreamapp01', clientSecret: 'e2eStreamSecret-Vq7Lm3Zx9' };
const WRONG_APP = { clientId: 'dinge2ewrongapp01', clientSecret: 'e2eRightSecret-Kp2Wn8', credentialSecret: 'e2eNotTheSecret-Tr5Yh1' };
const SENDER = { nick: 'Zhang San', staffId: 'manager4521' };
const STREAM_WORKFLOWS = ['e2eStreamEcho', 'e2eStreamSecond', 'e2eStreamWrongSecret'];

/**
 * The app credentials, pointing at the simulator: its host and its file storage (another port,
 * where Download Attachments fetches files) the only plain http/ws hosts.
 */
function streamCredentials(/** @type {any} */ sim) {
	const common = { robotCode: '', baseUrl: sim.baseUrl, plainHttpHosts: `${sim.host}, ${sim.storageHost}` };
	return [
		{ id: 'dtApp', name: 'DingTalk App', type: 'dingTalkAppApi', data: { ...common, clientId: APP.clientId, clientSecret: APP.clientSecret } },
		{ id: 'dtAppWrong', name: 'DingTalk App (wrong secret)', type: 'dingTalkAppApi', data: { ...common, clientId: WRONG_APP.clientId, clientSecret: WRONG_APP.credentialSecret } },
	];
}

/** Registers the apps in the simulator (run.js does it before starting it). */
function addStreamApps(/** @type {any} */ sim) {
	sim.addApp(APP);
	sim.addApp({ clientId: WRONG_APP.clientId, clientSecret: WRONG_APP.clientSecret });
}

/**
 * The example Stream echo bot as workflow e2eStreamEcho, its replies in the conversation allowed
 * to the simulator; or (copy) as another workflow whose nodes use another app's credential.
 */
function writeStreamEchoBot(
	/** @type {string} */ workflowsDir,
	/** @type {string} */ simulatorHost,
	/** @type {{ id: string, credential: { id: string, name: string } } | undefined} */ copy = undefined,
) {
	const workflow = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', 'stream-echo-bot.json'), 'utf8'));
	workflow.id = copy?.id ?? 'e2eStreamEcho';
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-dingtalk-robot.dingTalkRobot' && node.parameters.target === 'session') {
			node.parameters.options = { ...node.parameters.options, sessionWebhookHosts: `oapi.dingtalk.com, api.dingtalk.com, ${simulatorHost}` };
		}
		if (copy && node.credentials?.dingTalkAppApi) node.credentials.dingTalkAppApi = copy.credential;
	}
	if (copy) workflow.name = `${workflow.name} (${copy.id})`;
	writeFileSync(path.join(workflowsDir, `stream-echo-bot${copy ? `-${copy.id}` : ''}.json`), JSON.stringify(workflow, null, 1));
}

const openConnections = (/** @type {any} */ sim) => sim.streamConnections(APP.clientId).filter((/** @type {any} */ c) => c.state === 'open');
const replyTexts = (/** @type {any} */ sim, /** @type {string} */ sessionId) =>
	sim.sessionReplies(sessionId).map((/** @type {any} */ r) => r.text?.content).sort();

/** Pushes a message and waits for both workflows' replies; the problems, if any. */
async function pushAndExpectBoth(/** @type {any} */ sim, /** @type {string} */ text, /** @type {string} */ label) {
	const pushed = sim.pushRobotMessage(APP.clientId, { text, sender: SENDER });
	if (!pushed.delivered) return { pushed, problems: [`${label}: the gateway found no open connection`] };
	const want = [text === 'ping' ? 'pong, Zhang San\n@manager4521' : `Hi Zhang San, I only know "ping" (you said: ${text})`, `second: ${text}`].sort();
	const got = await waitFor(() => (replyTexts(sim, pushed.session.sessionId).length >= 2 ? replyTexts(sim, pushed.session.sessionId) : undefined), 30_000);
	await sleep(500); // a duplicate run would reply a third time
	const final = replyTexts(sim, pushed.session.sessionId);
	return { pushed, problems: JSON.stringify(final) === JSON.stringify(want) ? [] : [`${label}: replies ${JSON.stringify(got ? final : [])}, expected ${JSON.stringify(want)}`] };
}

/**
 * wrongSeen: the wrong app's registrations collected since n8n started (records survive only until a reset);
 * log: a line printed with the case's result (figures worth reading)
 * @typedef {{ name: string, expected: string, run: (ctx: { sim: any, output: () => string, base: string, major: number, wrongSeen: any[], log: (text: string) => void }) => Promise<string[]> }} StreamCase
 */

/** @type {Map<string, string>} */
const ownerCookies = new Map();

/**
 * A session of the instance's owner (set up on first use), for the REST calls the editor makes:
 * the value of the n8n-auth cookie.
 */
async function ownerCookie(/** @type {string} */ base) {
	const known = ownerCookies.get(base);
	if (known) return known;
	const owner = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'DingTalk-E2E-2026' };
	const setup = await fetch(`${base}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'browser-id': 'e2e' }, body: JSON.stringify(owner) });
	const cookie = /n8n-auth=([^;]+)/.exec(setup.headers.get('set-cookie') ?? '')?.[1];
	if (!cookie) throw new Error(`owner setup answered ${setup.status} without a session cookie`);
	ownerCookies.set(base, cookie);
	return cookie;
}

/** One call of n8n's REST API as the owner; the body's `data`. */
async function rest(/** @type {string} */ base, /** @type {string} */ method, /** @type {string} */ route, /** @type {unknown} */ body = undefined) {
	const response = await fetch(`${base}/rest${route}`, {
		method,
		headers: { 'Content-Type': 'application/json', cookie: `n8n-auth=${await ownerCookie(base)}`, 'browser-id': 'e2e' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const answer = /** @type {any} */ (await response.json().catch(() => ({})));
	if (!response.ok) throw new Error(`${method} /rest${route} answered ${response.status}: ${JSON.stringify(answer).slice(0, 200)}`);
	return answer.data;
}

/**
 * The editor's credential "Test" button, through n8n's REST API (POST /rest/credentials/test) as
 * the owner: what the user reads for each credential.
 */
async function testCredentialInN8n(/** @type {string} */ base, /** @type {any[]} */ credentials) {
	const results = [];
	for (const credential of credentials) {
		const data = await rest(base, 'POST', '/credentials/test', { credentials: { id: credential.id, name: credential.name, type: credential.type, data: credential.data } }).catch(
			(/** @type {Error} */ error) => ({ status: 'REST error', message: error.message }),
		);
		results.push(data);
	}
	return results;
}

/**
 * The editor's "Execute workflow" from a trigger (the canvas then listens for a test event): POST
 * /rest/workflows/:id/run with the trigger to start from. n8n 1.x takes the workflow from the
 * body, n8n 2.x from its database (and ignores the body's copy).
 */
async function executeFromTrigger(/** @type {string} */ base, /** @type {string} */ workflowId, /** @type {string} */ triggerName) {
	const workflowData = await rest(base, 'GET', `/workflows/${workflowId}`);
	const started = await rest(base, 'POST', `/workflows/${workflowId}/run`, { workflowData, triggerToStartFrom: { name: triggerName } });
	if (!started?.executionId) throw new Error(`the manual run did not start an execution: ${JSON.stringify(started).slice(0, 200)}`);
	return String(started.executionId);
}

/**
 * The reconnect storm: how long the gateway tells every new connection to go, and the most
 * registrations the trigger may make meanwhile. Its schedule (1 s doubling, jittered between half
 * and all of each step) has the storm's first registration at once (the connection it replaces
 * had proved itself), the next ones at the earliest 0.5, 1.5, 3.5, 7.5 and 15.5 s later: at most
 * 6 in 20 s (7 in a minute, as test/engine/streamStorm.test.ts shows on a fake clock).
 */
const STORM_MS = 20_000;
const STORM_MAX_REGISTRATIONS = 6;
/** The next try after the storm comes at most 32 s after the last one (the step after 16 s). */
const STORM_RECOVERY_MS = 45_000;

/** @type {StreamCase[]} */
const STREAM_CASES = [
	{
		name: 'one connection for two workflows',
		expected: 'one registration, one open connection subscribed to robot messages',
		run: async ({ sim }) => {
			const problems = [];
			const open = openConnections(sim);
			if (open.length !== 1) problems.push(`${open.length} open connections`);
			const registrations = sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === APP.clientId);
			if (registrations.length !== 1) problems.push(`${registrations.length} registrations`);
			if (JSON.stringify(open[0]?.subscriptions) !== '[{"type":"CALLBACK","topic":"/v1.0/im/bot/messages/get"}]') problems.push(`subscriptions ${JSON.stringify(open[0]?.subscriptions)}`);
			return problems;
		},
	},
	{
		name: 'echo bot: @robot ping',
		expected: '"pong, Zhang San" @manager4521 and "second: ping" in the session; the frame ACKed',
		run: async ({ sim }) => {
			const { pushed, problems } = await pushAndExpectBoth(sim, 'ping', 'ping');
			const reply = sim.sessionReplies(pushed.session.sessionId).find((/** @type {any} */ r) => r.text?.content?.startsWith('pong'));
			if (reply && JSON.stringify(reply.at?.atUserIds) !== '["manager4521"]') problems.push(`mentions ${JSON.stringify(reply.at)}`);
			const ack = sim.streamAcks().find((/** @type {any} */ a) => a.messageId === pushed.messageId);
			if (!ack?.valid || ack.code !== 200) problems.push(`ACK ${JSON.stringify(ack)}`);
			const [ping] = await sim.streamPing(APP.clientId);
			if (!ping?.pong) problems.push(`ping ${JSON.stringify(ping)}`);
			return problems;
		},
	},
	{
		name: 'the same frame pushed twice',
		expected: 'each workflow runs once',
		run: async ({ sim }) => {
			const { pushed, problems } = await pushAndExpectBoth(sim, 'twice', 'first push');
			sim.replayRobotMessage(pushed);
			await sleep(2000);
			const count = sim.sessionReplies(pushed.session.sessionId).length;
			if (count !== 2) problems.push(`${count} replies after the replay`);
			return problems;
		},
	},
	{
		name: 'disconnect mid-stream',
		expected: 'the new connection opens before the old one closes; before, during and after each run once in both workflows',
		run: async ({ sim }) => {
			const problems = [];
			const [old] = openConnections(sim);
			problems.push(...(await pushAndExpectBoth(sim, 'before', 'before')).problems);
			const { closed } = sim.streamDisconnect(old.id, { closeAfterMs: 10_000 });
			const fresh = await waitFor(() => openConnections(sim).find((/** @type {any} */ c) => c.id !== old.id), 10_000);
			if (!fresh) return [...problems, 'no new connection within 10 s'];
			if (!sim.streamConnections(APP.clientId).some((/** @type {any} */ c) => c.id === old.id)) problems.push('the old connection closed before the new one opened');
			problems.push(...(await pushAndExpectBoth(sim, 'during', 'during')).problems);
			await closed;
			problems.push(...(await pushAndExpectBoth(sim, 'after', 'after')).problems);
			if (openConnections(sim).length !== 1) problems.push(`${openConnections(sim).length} open connections at the end`);
			const lost = sim.streamPushes().filter((/** @type {any} */ p) => p.kind === 'robotMessage' && !p.delivered).length;
			if (lost) problems.push(`${lost} pushes found no connection`);
			return problems;
		},
	},
	{
		name: 'dropped TCP connection',
		expected: 'a new connection with a fresh ticket; the next message runs',
		run: async ({ sim }) => {
			const [old] = openConnections(sim);
			sim.streamDrop(old.id);
			const fresh = await waitFor(() => openConnections(sim).find((/** @type {any} */ c) => c.id !== old.id), 15_000);
			if (!fresh) return ['no new connection within 15 s'];
			return (await pushAndExpectBoth(sim, 'back again', 'after the drop')).problems;
		},
	},
	{
		name: 'reconnect storm',
		expected: `the gateway tells every new connection to go for ${STORM_MS / 1000} s: at most ${STORM_MAX_REGISTRATIONS} registrations, never more than 2 connections open at once; after the storm a connection stays and both workflows answer`,
		run: async ({ sim, log }) => {
			const problems = [];
			const [old] = openConnections(sim);
			if (!old) return ['no open connection before the storm'];
			const started = Date.now();
			sim.setStreamStorm({ reason: 'e2e storm' });
			// the storm starts with the connection in use told to go, as DingTalk does
			sim.streamDisconnect(old.id, { reason: 'e2e storm begins' });
			await sleep(STORM_MS);
			const registrations = sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === APP.clientId).length;
			const toldToGo = sim.streamConnectAttempts().filter((/** @type {any} */ a) => a.clientId === APP.clientId && a.connectionId).length;
			const peak = sim.streamPeakConnections(APP.clientId);
			sim.setStreamStorm(false);
			if (registrations > STORM_MAX_REGISTRATIONS) problems.push(`${registrations} registrations in ${STORM_MS / 1000} s of storm, expected at most ${STORM_MAX_REGISTRATIONS}`);
			// a trigger that ignored the disconnects would pass the bounds above: it must have obeyed
			if (registrations < 3) problems.push(`${registrations} registrations in the storm: the trigger did not follow the disconnects`);
			if (peak > 2) problems.push(`${peak} connections open at once during the storm`);
			const calm = await waitFor(() => openConnections(sim)[0], STORM_RECOVERY_MS);
			const recoveredAfter = (Date.now() - started - STORM_MS) / 1000;
			log(`        storm: ${registrations} registrations and ${toldToGo} connections told to go in ${STORM_MS / 1000} s, at most ${peak} open at once; a connection stayed ${recoveredAfter.toFixed(1)} s after the storm ended`);
			if (!calm) return [...problems, `no connection stayed within ${STORM_RECOVERY_MS / 1000} s after the storm`];
			problems.push(...(await pushAndExpectBoth(sim, 'after the storm', 'after the storm')).problems);
			const finalPeak = sim.streamPeakConnections(APP.clientId);
			if (finalPeak > 2) problems.push(`${finalPeak} connections open at once after the storm`);
			return problems;
		},
	},
	{
		name: 'listen for test event while active',
		expected:
			'the editor runs the active echo bot from its trigger: the next message is the test event (a manual execution, success) and runs both active workflows too; no second connection; then the test listening ends',
		run: async ({ sim, base }) => {
			const problems = [];
			const executionId = await executeFromTrigger(base, 'e2eStreamEcho', 'DingTalk Stream Trigger');
			// nothing outside n8n tells when the test listening joined the shared connection: it is at once
			await sleep(3000);
			const pushed = sim.pushRobotMessage(APP.clientId, { text: 'ping', sender: SENDER });
			const pong = 'pong, Zhang San\n@manager4521';
			const want = [pong, pong, 'second: ping'].sort();
			const got = await waitFor(() => (replyTexts(sim, pushed.session.sessionId).length >= 3 ? true : undefined), 30_000);
			await sleep(500);
			const replies = replyTexts(sim, pushed.session.sessionId);
			if (!got || JSON.stringify(replies) !== JSON.stringify(want)) problems.push(`replies ${JSON.stringify(replies)}, expected ${JSON.stringify(want)}`);
			const execution = await waitFor(async () => {
				const found = await rest(base, 'GET', `/executions/${executionId}`);
				return found?.finished || (found?.status && !['new', 'running', 'waiting'].includes(found.status)) ? found : undefined;
			}, 15_000);
			if (execution?.mode !== 'manual' || execution?.status !== 'success') problems.push(`the manual execution: ${execution ? `${execution.mode}, ${execution.status}` : 'not finished'}`);
			else if (!JSON.stringify(execution.data).includes(pushed.msgId)) problems.push('the manual execution does not hold the pushed message');
			// the test listening took one event and stopped: the next message runs the active workflows only
			problems.push(...(await pushAndExpectBoth(sim, 'after the test', 'after the test')).problems);
			if (openConnections(sim).length !== 1) problems.push(`${openConnections(sim).length} open connections`);
			const registrations = sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === APP.clientId).length;
			if (registrations) problems.push(`${registrations} new registrations for the test listening`);
			return problems;
		},
	},
	{
		name: 'credential Test button',
		expected: 'OK for the app; readable refusals for a wrong secret, an unknown Client ID, an unlisted plain-http host and a base URL that is not the OpenAPI; no Stream connection opened',
		run: async ({ sim, base }) => {
			const [good, wrong] = streamCredentials(sim);
			const variant = (/** @type {string} */ name, /** @type {object} */ data) => ({ ...good, name, data: { ...good.data, ...data } });
			const results = await testCredentialInN8n(base, [
				good,
				wrong,
				variant('unknown client', { clientId: 'dingnobodyknows' }),
				variant('plain http not listed', { plainHttpHosts: '' }),
				variant('not the OpenAPI', { baseUrl: `${sim.baseUrl}/not-the-api` }),
			]);
			const want = [
				/^Connection successful!$/,
				/^DingTalk does not accept this Client ID and Client Secret \(invalidClientIdOrSecret\)/,
				/^DingTalk does not accept this Client ID and Client Secret \(invalidClientIdOrSecret\)/,
				/uses plain http:\/\/ to 127\.0\.0\.1:\d+, which is not listed as a plain-HTTP host/,
				/^The API Base URL did not answer like DingTalk's OpenAPI/,
			];
			const problems = results.flatMap((r, i) => (want[i].test(String(r.message)) && (i === 0) === (r.status === 'OK') ? [] : [`test ${i + 1}: ${r.status} ${r.message}`]));
			if (JSON.stringify(results).includes(WRONG_APP.credentialSecret)) problems.push('a secret appears in a test result');
			if (sim.streamOpenRequests().some((/** @type {any} */ r) => r.clientId === APP.clientId)) problems.push('a Stream registration was made');
			return problems;
		},
	},
	{
		name: 'wrong Client Secret',
		expected: 'one startup error naming the credential, n8n\'s retries bounded (1 s doubling), no connection, no secret in the log',
		run: async ({ sim, output, major, wrongSeen }) => {
			const problems = [];
			const current = sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === WRONG_APP.clientId);
			const attempts = [...new Map([...wrongSeen, ...current].map((r) => [`${r.at}:${r.outcome}`, r])).values()];
			if (!attempts.length) problems.push('no registration of the wrong app was seen');
			if (!attempts.every((/** @type {any} */ r) => r.outcome === 'authFailed')) problems.push(`an attempt was not refused: outcomes ${JSON.stringify(attempts.map((r) => r.outcome))}, expected every one authFailed`);
			if (sim.streamConnections(WRONG_APP.clientId).length) problems.push('a connection was opened');
			const log = output();
			// the credential as the user named it (streamCredentials)
			const message = "DingTalk refused the Client ID or Client Secret of the DingTalk App credential 'DingTalk App (wrong secret)' (HTTP 401, authFailed)";
			if (!log.includes(message)) problems.push('n8n\'s log does not show the readable error');
			const startupErrors = activationFailures(log, major).length;
			if (startupErrors !== 1) {
				// the lines that speak of it, to tell a changed log format from a missing error
				const lines = log.split('\n').filter((line) => /DingTalk refused the Client ID|problem activating|initial workflow activation|WrongSecret/.test(line)).slice(0, 8);
				problems.push(`${startupErrors} startup activation errors, expected 1; the log's lines naming the refusal: ${JSON.stringify(lines)}`);
			}
			if (log.includes(WRONG_APP.credentialSecret) || log.includes(APP.clientSecret)) problems.push('a Client Secret appears in n8n\'s log');
			return problems;
		},
	},
];

/**
 * The lines in which n8n reports that the wrong-secret workflow could not be activated at
 * startup: n8n 1 logs "Issue on initial workflow activation try of … (ID: …)" once (then retries
 * with its backoff, each retry logging "There was a problem activating the workflow: …"); n8n 2
 * tries 5 times within the activation, then logs "There was a problem activating the workflow: …" once.
 */
function activationFailures(/** @type {string} */ log, /** @type {number} */ major) {
	return log
		.split('\n')
		.filter((line) =>
			major === 1
				? line.includes('Issue on initial workflow activation try') && line.includes('e2eStreamWrongSecret')
				// n8n 2's workflow publication service (2.40.7, seen in CI since 2026-12) says it in its own words
				: line.startsWith('There was a problem activating the workflow: "DingTalk refused the Client ID') ||
					line.startsWith('Workflow partially published; some triggers failed to activate'),
		);
}

/** Counts a run's registrations of the wrong app per minute since the first: n8n's backoff bounds it. */
function attemptsInFirstMinute(/** @type {any[]} */ records) {
	if (!records.length) return 0;
	return records.filter((r) => r.at - records[0].at < 60_000).length;
}

/**
 * Activates the Stream workflows (with `media`, the media cases' too: mediaCases.js), starts n8n,
 * runs the cases, stops n8n and checks that its connection closed with a close frame, and the
 * executions n8n recorded. `stream: false` runs the media cases alone in that n8n.
 * @param {{ installed: any, target: any, env: NodeJS.ProcessEnv, sim: any, n8n: (installed: any, args: string[], env: NodeJS.ProcessEnv) => Promise<{ ok: boolean, stdout: string, stderr: string }>, log: (text: string) => void, stream?: boolean, media?: boolean }} options
 */
async function runStreamCases({ installed, target, env, sim, n8n, log, stream = true, media = false }) {
	// required here: mediaCases.js requires this module
	const mediaCases = media ? require('./mediaCases') : undefined;
	// the HTTP echo bot too (already active after the trigger cases): its webhook tells when n8n is up
	for (const id of [...(stream ? STREAM_WORKFLOWS : []), 'e2eEchoBot', ...(mediaCases?.MEDIA_WORKFLOWS ?? [])]) {
		const args = activateWorkflowArgs(target.n8nVersion, id);
		const result = await n8n(installed, args, env);
		if (!result.ok) throw new Error(`n8n ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	}
	sim.reset();
	const port = await freePort();
	const startEnv = { ...env, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), WEBHOOK_URL: `http://127.0.0.1:${port}/` };
	const started = Date.now();
	// the HTTP trigger's echo bot is still active: its webhook answering tells that n8n is up
	const running = await startN8n(installed, startEnv, `http://127.0.0.1:${port}/webhook/${WEBHOOKS.e2eEchoBot}`);
	const appOpen = (/** @type {string} */ clientId) => sim.streamConnections(clientId).some((/** @type {any} */ c) => c.state === 'open');
	const connected = await waitFor(() => ((!stream || appOpen(APP.clientId)) && (!mediaCases || appOpen(mediaCases.MEDIA_APP.clientId)) ? true : undefined), 60_000);
	// n8n activates the workflows one after the other: the cases start once it is done with the last (the wrong secret)
	const major = Number(target.n8nVersion.split('.')[0]);
	const activated = !stream || (await waitFor(() => (activationFailures(running.output(), major).length ? true : undefined), 90_000));
	// the media cases' workflows share the media app's connection: the first opens it, and a message that
	// comes before n8n has activated the others reaches only the first (seen under load): wait for n8n's
	// "Activated workflow … (ID: …)" of each (n8n 1 prints it at start; n8n 2's output was not seen to)
	const mediaActive = (/** @type {string} */ id) => running.output().split('\n').some((line) => line.includes('Activated workflow') && line.includes(`(ID: ${id})`));
	if (mediaCases && major === 1 && !(await waitFor(() => (mediaCases.MEDIA_WORKFLOWS.every(mediaActive) ? true : undefined), 90_000))) {
		log(`  media: n8n did not report every media workflow activated: ${mediaCases.MEDIA_WORKFLOWS.filter((id) => !mediaActive(id)).join(', ')}`);
	}
	log(`  n8n start: Stream ${connected ? 'connected' : 'NOT connected'}, every workflow activated${activated ? '' : ' (NOT seen)'} after ${((Date.now() - started) / 1000).toFixed(0)} s`);

	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	const wrongAttempts = () => sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === WRONG_APP.clientId);
	/** @type {any[]} */
	const wrongSeen = [];
	const ledger = mediaCases?.newLedger();
	try {
		for (const testCase of stream ? STREAM_CASES : []) {
			wrongSeen.push(...wrongAttempts());
			// the first case reads the registrations made at startup, the last the wrong app's since then
			if (testCase !== STREAM_CASES[0] && testCase.name !== 'wrong Client Secret') sim.reset();
			const caseStarted = Date.now();
			let problems;
			try {
				problems = await testCase.run({ sim, output: running.output, base: `http://127.0.0.1:${port}`, major, wrongSeen: [...wrongSeen], log });
			} catch (error) {
				problems = [`threw: ${/** @type {Error} */ (error).message}`];
			}
			const delivered = sim.requests.filter((/** @type {any} */ r) => r.path === '/robot/sendBySession' && r.delivered).length;
			log(`  ${problems.length ? 'FAIL' : 'pass'}  stream: ${testCase.name} (${((Date.now() - caseStarted) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: `stream: ${testCase.name}`, expected: testCase.expected, delivered, problems });
		}
		if (stream) {
			// the wrong app's registrations over a whole minute from the first (records survive only until a reset: collected per case)
			const first = [...wrongSeen, ...wrongAttempts()].reduce((at, r) => Math.min(at, r.at), Infinity);
			if (Number.isFinite(first) && Date.now() < first + 61_000) await sleep(first + 61_000 - Date.now());
			wrongSeen.push(...wrongAttempts());
			const unique = [...new Map(wrongSeen.map((r) => [`${r.at}:${r.outcome}`, r])).values()].sort((a, b) => a.at - b.at);
			const perMinute = attemptsInFirstMinute(unique);
			const problems = perMinute > 8 ? [`${perMinute} registrations in the first minute`] : unique.length < 2 ? ['n8n did not retry the activation'] : [];
			log(`  ${problems.length ? 'FAIL' : 'pass'}  stream: wrong secret, registrations in the first minute: ${perMinute}${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: 'stream: wrong secret, attempts per minute', expected: 'at most 8 (n8n retries 1 s doubling)', delivered: 0, problems });
		}
		if (mediaCases && ledger) {
			const url = (/** @type {string} */ webhook) => `http://127.0.0.1:${port}/webhook/${webhook}`;
			rows.push(...(await mediaCases.runMediaCases({ sim, url, base: `http://127.0.0.1:${port}`, ledger, log })));
		}
	} finally {
		if (process.env.E2E_DEBUG) writeFileSync(path.join(require('node:os').tmpdir(), `e2e-${target.n8nVersion}-n8n-stream.out`), running.output());
		sim.reset();
		await running.stop();
	}

	if (stream) {
		// n8n's shutdown deactivates every workflow: the connection must end with a close frame
		const problems = [];
		const gone = await waitFor(() => (sim.streamConnections(APP.clientId).length === 0 ? true : undefined), 10_000);
		if (!gone) problems.push('a connection is still open after n8n stopped');
		const closed = sim.streamClosedConnections(APP.clientId);
		if (closed.length !== 1 || closed[0].closeCode !== 1000) problems.push(`closed connections ${JSON.stringify(closed.map((/** @type {any} */ c) => c.closeCode))}, expected one closed with 1000`);
		log(`  ${problems.length ? 'FAIL' : 'pass'}  stream: deactivation (n8n stops) closes the connection with a close frame${problems.map((p) => `\n        - ${p}`).join('')}`);
		rows.push({ workflow: 'stream: deactivation leaves no connection', expected: '0 open connections, closed with code 1000', delivered: 0, problems });
	}

	/** @type {Record<string, number>} */
	let counts = {};
	const executionProblems = [];
	try {
		counts = recordedExecutions(installed, String(env.N8N_USER_FOLDER)).counts;
	} catch (error) {
		executionProblems.push(`could not read n8n's executions: ${/** @type {Error} */ (error).message.slice(0, 300)}`);
	}
	if (stream) {
		const mine = Object.fromEntries(Object.entries(counts).filter(([key]) => STREAM_WORKFLOWS.some((id) => key.startsWith(`${id}:`))));
		// ping, twice, before, during, after, back again, after the storm, the test event, after the
		// test: nine messages, each run once by each active workflow; the test event once more by the manual run
		const want = { 'e2eStreamEcho:success': 9, 'e2eStreamSecond:success': 9, 'e2eStreamEcho:manual:success': 1 };
		if (!executionProblems.length && JSON.stringify(mine, Object.keys(mine).sort()) !== JSON.stringify(want, Object.keys(want).sort())) executionProblems.push(`n8n recorded ${JSON.stringify(mine)}, expected ${JSON.stringify(want)}`);
		log(`  ${executionProblems.length ? 'FAIL' : 'pass'}  stream: executions recorded ${JSON.stringify(mine)}${executionProblems.map((p) => `\n        - ${p}`).join('')}`);
		rows.push({ workflow: 'stream: executions n8n recorded', expected: '9 per active workflow, 1 manual (the test event), none for the wrong secret', delivered: 0, problems: executionProblems });
	}
	if (mediaCases && ledger) {
		rows.push(...mediaCases.mediaChecksAfterStop({ installed, userFolder: String(env.N8N_USER_FOLDER), output: running.output(), ledger, counts, log }));
	}
	return rows;
}

module.exports = { APP, WRONG_APP, addStreamApps, rest, runStreamCases, streamCredentials, writeStreamEchoBot };
