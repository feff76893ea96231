// @ts-check
'use strict';
/**
 * The package's features in a real queue-mode n8n (queueMode.js: Redis, PostgreSQL, `n8n start`
 * and two `n8n worker` processes with --concurrency=1, so that two executions started together
 * run on two workers): E2E_CASES=queue. Against the simulator of run.js:
 * - the Stream trigger: one connection for the app, held by the main process (the OS says which
 *   process owns the connection's socket), none by the workers; a message pushed over it runs on a
 *   worker and its reply reaches the conversation;
 * - the HTTP trigger: DingTalk's callback reaches the main, the echo bot runs on a worker;
 * - sends from a worker: an n8n Webhook → DingTalk Robot workflow, imported and activated over
 *   REST, runs on a worker and the message reaches the robot;
 * - a burst of 2 × 20 items to one robot from two workers at once: with the node's default pacing
 *   (20 per minute, per process) and with Messages per Minute 10 (20 divided by the workers).
 *   The figures (arrived, throttled, failed, lost, doubled) are printed as a table.
 * - Send and Wait for Response (group robot; queueSendAndWaitCases.js): approve by URL, forged
 *   links, decline, timeout; each execution waits after a worker ran it and resumes on a worker.
 * - Send and Wait for Response (app robot; queueSendAndWaitAppCases.js): approve by a card click
 *   over the main's Stream connection, resumed on a worker; a second click already decided.
 * E2E_QUEUE_LONG=1 adds the burst with the default Max Wait (about 11 minutes: the throttled items
 * wait out DingTalk's 10-minute throttle).
 */
const { existsSync, readFileSync } = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const { start } = require('./queueMode');
const { SEND_AND_WAIT_APP_QUEUE_CASE, queueSendAndWaitAppFixtures, queueSendAndWaitAppWorkflows } = require('./queueSendAndWaitAppCases');
const { SEND_AND_WAIT_QUEUE_CASES, SEND_WAIT_QUEUE_ROBOT, secretsLogged, sendAndWaitCredential, sendAndWaitWorkflows, startTimeoutCase } = require('./queueSendAndWaitCases');
const { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, WEBHOOKS, sleep, waitFor, waitForReplies } = require('./triggerCases');

const APP = { clientId: 'dinge2equeueapp01', clientSecret: 'e2eQueueSecret-Mv4Tq8Lz' };
const ROBOTS = {
	dtQueueSend: { accessToken: 'e2eQueueSendToken', secret: 'SECe2eQueueSendSecret' },
	dtQueueBurst: { accessToken: 'e2eQueueBurstToken', secret: 'SECe2eQueueBurstSecret' },
	dtQueuePaced: { accessToken: 'e2eQueuePacedToken', secret: 'SECe2eQueuePacedSecret' },
	dtQueueLong: { accessToken: 'e2eQueueLongToken', secret: 'SECe2eQueueLongSecret' },
};
const SENDER = { nick: 'Zhang San', staffId: 'manager4521' };
const ITEMS = 20;
/** The Stream trigger's default idle timeout (DEFAULT_IDLE_TIMEOUT_SECONDS of its description). */
const STREAM_IDLE_SECONDS = 180;

const node = (/** @type {string} */ name, /** @type {string} */ type, /** @type {number} */ typeVersion, /** @type {object} */ parameters, extra = {}) => ({
	id: name.toLowerCase().replace(/\W+/g, '-'),
	name,
	type,
	typeVersion,
	position: [0, 0],
	parameters,
	...extra,
});
const chain = (/** @type {string[]} */ names) => Object.fromEntries(names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));
const workflow = (/** @type {string} */ id, /** @type {any[]} */ nodes) => ({ id, name: `E2E queue: ${id}`, nodes, connections: chain(nodes.map((n) => n.name)), settings: { executionOrder: 'v1' } });
const robotNode = (/** @type {keyof typeof ROBOTS} */ credential, /** @type {string} */ content, options = {}, extra = {}) =>
	node('DingTalk Robot', 'n8n-nodes-dingtalk-robot.dingTalkRobot', 1, { messageType: 'text', content, options }, { credentials: { dingTalkRobotApi: { id: credential, name: credential } }, ...extra });
const webhookNode = (/** @type {string} */ webhookPath) =>
	node('Webhook', 'n8n-nodes-base.webhook', 2, { path: webhookPath, httpMethod: 'POST', responseMode: 'lastNode', responseData: 'allEntries', options: {} }, { webhookId: `e2e-queue-${webhookPath}` });

/** A webhook that makes ITEMS alerts labelled by the caller (a Code node: n8n 2 runs it in the worker's task runner) and sends each. */
const burstWorkflow = (/** @type {string} */ id, /** @type {keyof typeof ROBOTS} */ credential, /** @type {object} */ options) =>
	workflow(id, [
		webhookNode(id),
		node('Alerts', 'n8n-nodes-base.code', 2, { jsCode: `const label = $input.first().json.body.label;\nreturn Array.from({ length: ${ITEMS} }, (_, n) => ({ json: { label, n } }));` }),
		robotNode(credential, '=burst {{ $json.label }} #{{ $json.n }}', options, { onError: 'continueRegularOutput' }),
	]);

/** The workflows: the Stream and HTTP echo bots are made active before n8n starts, the others over REST. */
function queueWorkflows(/** @type {string} */ simulatorHost) {
	const echo = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', 'echo-bot.json'), 'utf8'));
	echo.id = 'qEchoBot';
	for (const n of echo.nodes) if (n.type === 'n8n-nodes-dingtalk-robot.dingTalkRobot') n.parameters.options = { ...n.parameters.options, sessionWebhookHosts: simulatorHost };
	return {
		beforeStart: [
			workflow('qStreamEcho', [
				node('DingTalk Stream Trigger', 'n8n-nodes-dingtalk-robot.dingTalkStreamTrigger', 1, { options: {} }, { credentials: { dingTalkAppApi: { id: 'dtQueueApp', name: 'DingTalk App (queue)' } } }),
				node('Reply', 'n8n-nodes-dingtalk-robot.dingTalkRobot', 1, { target: 'session', messageType: 'text', content: '=queue: {{ $json.text }}', options: { sessionWebhookHosts: simulatorHost } }),
			]),
			echo,
			...sendAndWaitWorkflows(),
			...queueSendAndWaitAppWorkflows(),
		],
		send: workflow('qSend', [webhookNode('qSend'), robotNode('dtQueueSend', '=queue send: {{ $json.body.text }}')]),
		// Max Wait 60 s: what DingTalk throttled fails at once instead of waiting 10 minutes
		burst: burstWorkflow('qBurst', 'dtQueueBurst', { maxWaitSeconds: 60 }),
		paced: burstWorkflow('qPaced', 'dtQueuePaced', { messagesPerMinute: 10 }),
		long: burstWorkflow('qLong', 'dtQueueLong', {}),
	};
}

const openConnections = (/** @type {any} */ sim) => sim.streamConnections(APP.clientId).filter((/** @type {any} */ c) => c.state === 'open');
/**
 * POSTs JSON and waits for the answer however long it takes (node:http: fetch gives up after 300 s
 * without headers, and the long burst's answer comes after the 10-minute throttle).
 */
const post = (/** @type {string} */ url, /** @type {object} */ body) =>
	/** @type {Promise<{ status: number, json: any }>} */ (
		new Promise((resolve, reject) => {
			const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (text += chunk));
				response.on('end', () => {
					let json;
					try {
						json = JSON.parse(text);
					} catch {
						json = undefined;
					}
					resolve({ status: response.statusCode ?? 0, json });
				});
			});
			request.on('error', reject);
			request.end(JSON.stringify(body));
		})
	);

/** The newest execution of a workflow once it is finished, and which worker ran it. */
async function lastExecution(/** @type {any} */ qm, /** @type {string} */ workflowId) {
	const [newest] = await waitFor(async () => ((await qm.executions(workflowId)).length ? qm.executions(workflowId) : undefined), 30_000);
	if (!newest) return { problems: [`no execution of ${workflowId}`] };
	const done = await qm.waitForExecution(newest.id, ['success', 'error', 'crashed', 'canceled'], 60_000);
	const ranOn = qm.ranOn(newest.id);
	const problems = [...(done.status === 'success' ? [] : [`execution ${newest.id}: ${done.status}`]), ...(ranOn?.startsWith('worker') ? [] : [`execution ${newest.id} was run by no worker (${ranOn})`])];
	return { ranOn, problems };
}

/**
 * Two executions of a burst workflow started together (labels A and B); the figures.
 * @returns {Promise<{ figures: Record<string, number | string>, problems: string[] }>}
 */
async function burst(/** @type {any} */ qm, /** @type {any} */ sim, /** @type {string} */ webhookPath, /** @type {string} */ workflowId, /** @type {keyof typeof ROBOTS} */ robot) {
	const token = ROBOTS[robot].accessToken;
	const started = Date.now();
	const [a, b] = await Promise.all(['A', 'B'].map((label) => post(qm.webhook(webhookPath), { label })));
	const seconds = (Date.now() - started) / 1000;
	const problems = [];
	const outputs = [a, b].flatMap((r, i) => (Array.isArray(r.json) ? r.json.map((/** @type {any} */ o) => ({ ...o, label: 'AB'[i] })) : []));
	if (a.status !== 200 || b.status !== 200 || outputs.length !== 2 * ITEMS) problems.push(`answers ${a.status} and ${b.status} with ${outputs.length} items`);
	const executions = (await qm.executions(workflowId)).slice(0, 2);
	const workers = executions.map((/** @type {any} */ e) => qm.ranOn(e.id));
	if (executions.length !== 2 || new Set(workers).size !== 2 || workers.some((w) => !w)) problems.push(`the two executions ran on ${JSON.stringify(workers)}, expected two different workers`);
	const arrived = sim.messages(token).map((/** @type {any} */ m) => m.text?.content);
	const sends = sim.requests.filter((/** @type {any} */ r) => r.path === '/robot/send' && r.accessToken === token);
	const reportedSent = outputs.filter((o) => !o.error).map((o) => `burst ${o.label} #${outputs.filter((p) => p.label === o.label).indexOf(o)}`);
	const figures = {
		items: 2 * ITEMS,
		arrived: arrived.length,
		requests: sends.length,
		throttled: sends.filter((/** @type {any} */ r) => r.errcode === 410100).length,
		failed: outputs.filter((o) => o.error).length,
		lost: reportedSent.filter((text) => !arrived.includes(text)).length,
		doubled: arrived.length - new Set(arrived).size,
		seconds: Number(seconds.toFixed(0)),
		workers: workers.join(' + '),
		// which execution's items got through, and whether each execution's arrived in its items' order
		perExecution: ['A', 'B'].map((label) => `${label} ${arrived.filter((text) => text?.startsWith(`burst ${label} `)).length}`).join(' + '),
		inOrder: ['A', 'B'].every((label) => {
			const numbers = arrived.filter((text) => text?.startsWith(`burst ${label} `)).map((text) => Number(text.split('#')[1]));
			return numbers.every((n, i) => i === 0 || n > numbers[i - 1]);
		})
			? 'yes'
			: 'no',
	};
	if (figures.lost) problems.push(`${figures.lost} items reported sent did not arrive`);
	if (figures.doubled) problems.push(`${figures.doubled} messages arrived twice`);
	if (figures.arrived + figures.failed !== 2 * ITEMS) problems.push(`${figures.arrived} arrived + ${figures.failed} failed ≠ ${2 * ITEMS}`);
	const failure = outputs.find((o) => o.error)?.error;
	if (failure && !/rate limit: would wait \d+ s for DingTalk's throttle/.test(failure)) problems.push(`a failed item says ${JSON.stringify(failure).slice(0, 200)}`);
	return { figures, problems };
}

/**
 * ids: the ids n8n gave the workflows imported over REST, by the id in queueWorkflows()
 * @typedef {{ name: string, expected: string, run: (ctx: { qm: any, sim: any, ids: Record<string, string>, log: (text: string) => void }) => Promise<string[]> }} QueueCase
 * @type {QueueCase[]}
 */
const QUEUE_CASES = [
	{
		name: 'Stream: one connection, held by the main',
		expected: 'one registration, one open connection; its socket belongs to the main process, none to a worker',
		run: async ({ qm, sim, log }) => {
			const open = await waitFor(() => (openConnections(sim).length ? openConnections(sim) : undefined), 60_000);
			if (!open) return ['no Stream connection within 60 s'];
			await sleep(3000); // a second connection (a worker's) would show up meanwhile
			const problems = [];
			const registrations = sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === APP.clientId).length;
			if (openConnections(sim).length !== 1 || registrations !== 1) problems.push(`${openConnections(sim).length} open connections, ${registrations} registrations`);
			const holder = qm.processOfSocket(openConnections(sim)[0].remotePort);
			log(`        the connection's socket (port ${openConnections(sim)[0].remotePort}) belongs to: ${holder}`);
			if (holder !== 'main') problems.push(`the connection is held by ${holder}, not the main`);
			return problems;
		},
	},
	{
		name: 'Stream: a message runs on a worker',
		expected: 'the reply "queue: ping" reaches the conversation; the frame ACKed; the execution ran on a worker',
		run: async ({ qm, sim, log }) => {
			const pushed = sim.pushRobotMessage(APP.clientId, { text: 'ping', sender: SENDER });
			if (!pushed.delivered) return ['the gateway found no open connection'];
			const replies = await waitFor(() => (sim.sessionReplies(pushed.session.sessionId).length ? sim.sessionReplies(pushed.session.sessionId) : undefined), 30_000);
			const problems = JSON.stringify(replies?.map((/** @type {any} */ r) => r.text?.content)) === '["queue: ping"]' ? [] : [`replies ${JSON.stringify(replies)}`];
			const ack = sim.streamAcks().find((/** @type {any} */ a) => a.messageId === pushed.messageId);
			if (!ack?.valid || ack.code !== 200) problems.push(`ACK ${JSON.stringify(ack)}`);
			const execution = await lastExecution(qm, 'qStreamEcho');
			log(`        ran on ${execution.ranOn}`);
			return [...problems, ...execution.problems];
		},
	},
	{
		name: 'HTTP trigger: a callback runs on a worker',
		expected: 'the main answers 200 {"msgtype":"empty"}; "pong, Zhang San" reaches the session; the execution ran on a worker',
		run: async ({ qm, sim, log }) => {
			const result = await sim.deliverCallback(qm.webhook(WEBHOOKS.e2eEchoBot), { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping', sender: SENDER });
			const problems = result.status === 200 && JSON.stringify(result.json) === '{"msgtype":"empty"}' ? [] : [`answered ${result.status} ${result.bodyText.slice(0, 200)}`];
			const replies = await waitForReplies(sim, result.request.sessionId);
			if (replies?.[0]?.text?.content !== 'pong, Zhang San\n@manager4521') problems.push(`replies ${JSON.stringify(replies)}`);
			const execution = await lastExecution(qm, 'qEchoBot');
			log(`        ran on ${execution.ranOn}`);
			return [...problems, ...execution.problems];
		},
	},
	{
		name: 'send from a worker (Webhook → DingTalk Robot, activated over REST)',
		expected: 'the message reaches the robot, signed; the webhook answers with the node\'s output; the execution ran on a worker',
		run: async ({ qm, sim, ids, log }) => {
			const answer = await post(qm.webhook('qSend'), { text: 'hello from a worker' });
			const problems = answer.status === 200 && Array.isArray(answer.json) && answer.json.length === 1 && !answer.json[0].error ? [] : [`answered ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`];
			const texts = sim.messages(ROBOTS.dtQueueSend.accessToken).map((/** @type {any} */ m) => m.text?.content);
			if (JSON.stringify(texts) !== '["queue send: hello from a worker"]') problems.push(`the robot received ${JSON.stringify(texts)}`);
			if (!sim.requests.filter((/** @type {any} */ r) => r.path === '/robot/send').every((/** @type {any} */ r) => r.signatureValid === true)) problems.push('a request was not validly signed');
			const execution = await lastExecution(qm, ids.qSend);
			log(`        ran on ${execution.ranOn}`);
			return [...problems, ...execution.problems];
		},
	},
];

/** The burst cases: expected figures, checked; the table rows. */
const BURSTS = [
	{
		id: 'qBurst',
		robot: /** @type {const} */ ('dtQueueBurst'),
		setting: 'default pacing (20/min per process), Max Wait 60 s',
		expected: '20 arrive, DingTalk throttles the rest (≥ 1 throttled answer), 20 items fail with the rate-limit error; none lost, none doubled',
		check: (/** @type {any} */ f) => [...(f.arrived === 20 ? [] : [`${f.arrived} arrived, expected 20`]), ...(f.throttled >= 1 ? [] : ['DingTalk throttled nothing: the two workers did not overrun the limit'])],
	},
	{
		id: 'qPaced',
		robot: /** @type {const} */ ('dtQueuePaced'),
		setting: 'Messages per Minute 10 (20 / 2 workers)',
		expected: 'all 40 arrive in about a minute, none throttled, none lost, none doubled',
		check: (/** @type {any} */ f) => [...(f.arrived === 40 ? [] : [`${f.arrived} arrived, expected 40`]), ...(f.throttled === 0 ? [] : [`${f.throttled} throttled`])],
	},
	...(process.env.E2E_QUEUE_LONG
		? [
				{
					id: 'qLong',
					robot: /** @type {const} */ ('dtQueueLong'),
					setting: 'default pacing, default Max Wait (900 s)',
					expected: 'the throttled items wait out the 10-minute throttle: all 40 arrive, none lost, none doubled',
					check: (/** @type {any} */ f) => (f.arrived === 40 ? [] : [`${f.arrived} arrived, expected 40`]),
				},
			]
		: []),
];

/**
 * Starts the queue-mode n8n of this target, runs the cases, stops it.
 * @param {{ installed: any, target: any, tarball: string, sim: any, log: (text: string) => void }} options
 */
async function runQueueCases({ installed, target, tarball, sim, log }) {
	const started = Date.now();
	sim.addApp(APP);
	for (const robot of [...Object.values(ROBOTS), SEND_WAIT_QUEUE_ROBOT]) sim.addRobot(robot);
	const flows = queueWorkflows(sim.host);
	const sawApp = queueSendAndWaitAppFixtures(sim);
	const credentials = [
		{ id: 'dtQueueApp', name: 'DingTalk App (queue)', type: 'dingTalkAppApi', data: { clientId: APP.clientId, clientSecret: APP.clientSecret, robotCode: '', baseUrl: sim.baseUrl, plainHttpHosts: sim.host } },
		...Object.entries(ROBOTS).map(([id, robot]) => ({ id, name: id, type: 'dingTalkRobotApi', data: { accessToken: sim.webhookUrl(robot.accessToken), secret: robot.secret, plainHttpHosts: sim.host } })),
		sendAndWaitCredential(sim),
		...sawApp.credentials,
		...CALLBACK_CREDENTIALS,
	];
	sim.reset();
	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	/** @type {any} */
	let qm;
	try {
		qm = await start(target, { installed, tarball, workers: 2, concurrency: 1, credentials, workflows: flows.beforeStart, active: flows.beforeStart.map((w) => w.id), log });
		/** @type {Record<string, string>} */
		const ids = {};
		let lastStreamFrameAt = Date.now();
		for (const flow of [flows.send, flows.burst, flows.paced, ...(process.env.E2E_QUEUE_LONG ? [flows.long] : [])]) {
			const { id } = await qm.importWorkflow({ ...flow, id: undefined });
			await qm.activate(id);
			ids[flow.id] = id; // n8n chose it; the webhook path stays the one given
		}
		const caseRow = async (/** @type {string} */ name, /** @type {string} */ expected, /** @type {() => Promise<string[]>} */ run, /** @type {() => number} */ delivered) => {
			const caseStarted = Date.now();
			let problems;
			try {
				problems = await run();
			} catch (error) {
				problems = [`threw: ${/** @type {Error} */ (error).message}`];
			}
			log(`  ${problems.length ? 'FAIL' : 'pass'}  queue: ${name} (${((Date.now() - caseStarted) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: `queue: ${name}`, expected, delivered: delivered(), problems });
		};
		// Send and Wait's timeout first: the main's wait tracker resumes it within its 60 s poll, meanwhile the other cases run
		const timeoutCase = await startTimeoutCase(qm, sim);
		log(`        Send and Wait: the timeout case's execution waiting after ${((Date.now() - timeoutCase.startedAt) / 1000).toFixed(1)} s`);
		// the app robot's card case before any reset (a reset clears the simulator's cards)
		const card = SEND_AND_WAIT_APP_QUEUE_CASE;
		await caseRow(card.name, card.expected, () => card.run({ qm, sim, log }), () => sim.cards().length);
		for (const testCase of QUEUE_CASES) {
			if (testCase !== QUEUE_CASES[0]) sim.reset();
			await caseRow(testCase.name, testCase.expected, () => testCase.run({ qm, sim, ids, log }), () => sim.requests.filter((/** @type {any} */ r) => r.delivered).length);
			if (testCase.name.startsWith('Stream:')) lastStreamFrameAt = Date.now(); // the last frame the connection saw
		}
		for (const testCase of SEND_AND_WAIT_QUEUE_CASES) {
			sim.reset();
			await caseRow(testCase.name, testCase.expected, () => testCase.run({ qm, sim, log }), () => sim.messages(SEND_WAIT_QUEUE_ROBOT.accessToken).length);
		}
		/** @type {Array<Record<string, number | string>>} */
		const table = [];
		let sinceReset = Date.now();
		for (const b of BURSTS) {
			sim.reset();
			sinceReset = Date.now();
			let figures = {};
			await caseRow(
				`2 × ${ITEMS} items, one robot, two workers: ${b.setting}`,
				b.expected,
				async () => {
					const result = await burst(qm, sim, b.id, ids[b.id], b.robot);
					figures = result.figures;
					table.push({ setting: b.setting, ...result.figures });
					return [...result.problems, ...b.check(result.figures)];
				},
				() => sim.messages(ROBOTS[b.robot].accessToken).length,
			);
			log(`        ${JSON.stringify(figures)}`);
		}
		log(`\n  queue mode, n8n ${target.n8nVersion}: a burst of 2 × ${ITEMS} items to one robot from two workers at once\n`);
		log('  | setting | arrived | of A + B | in order | throttled answers | failed items | lost | doubled | seconds | workers |\n  | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
		for (const t of table) log(`  | ${t.setting} | ${t.arrived}/${t.items} | ${t.perExecution} | ${t.inOrder} | ${t.throttled} | ${t.failed} | ${t.lost} | ${t.doubled} | ${t.seconds} | ${t.workers} |`);
		await caseRow(
			'Send and Wait: timeout (Limit Wait Time 3 s), resumed on a worker',
			'started before the other cases; the main\'s wait tracker resumes it (within its 60 s poll) on a worker, the input item passed on unchanged; a later tap: "No action required"; the robot\'s token and secret in no process\'s log',
			async () => [...(await timeoutCase.run({ qm, sim, log })), ...(secretsLogged(qm) ? ['the Send and Wait robot\'s token or secret appears in a process\'s log'] : [])],
			() => 0,
		);
		// the Stream connection is still the main's only one after everything ran; the trigger renews a
		// connection on which no frame came for its idle timeout (180 s; the simulator does not ping),
		// so the long burst (10 minutes of silence) sees such renewals, each on the main again
		const registrations = sim.streamOpenRequests().filter((/** @type {any} */ r) => r.clientId === APP.clientId).length;
		const idleRenewals = Math.floor((Date.now() - lastStreamFrameAt) / (STREAM_IDLE_SECONDS * 1000));
		await caseRow(
			'Stream: still one connection, on the main, after the runs',
			`one open connection, held by the main; no new registration but the idle renewals (one per ${STREAM_IDLE_SECONDS} s without a frame)`,
			async () => {
				const open = openConnections(sim);
				const holder = open.length === 1 ? qm.processOfSocket(open[0].remotePort) : undefined;
				log(`        ${registrations} new registration(s) in ${((Date.now() - sinceReset) / 1000).toFixed(0)} s since the last reset (at most ${idleRenewals} idle renewals in ${((Date.now() - lastStreamFrameAt) / 1000).toFixed(0)} s without a frame); held by ${holder}`);
				return [
					...(open.length === 1 ? [] : [`${open.length} open connections`]),
					...(holder === 'main' || open.length !== 1 ? [] : [`the connection is held by ${holder}, not the main`]),
					...(registrations <= idleRenewals ? [] : [`${registrations} new registrations, more than the ${idleRenewals} idle renewals`]),
				];
			},
			() => 0,
		);
	} finally {
		const pids = qm ? [qm.pids.main, ...qm.pids.workers] : [];
		if (process.env.E2E_DEBUG && qm) for (const [name, text] of Object.entries({ main: qm.logs().main, ...qm.logs().workers })) require('node:fs').writeFileSync(`/tmp/e2e-${target.n8nVersion}-queue-${name}.out`, text);
		await (qm?.stop() ?? require('./queueServices').stopAll());
		if (qm) {
			const alive = pids.filter((pid) => existsSync(`/proc/${pid}`));
			const closed = await waitFor(() => (openConnections(sim).length ? undefined : true), 10_000);
			const problems = [...(alive.length ? [`processes still running: ${alive.join(', ')}`] : []), ...(closed ? [] : ['the Stream connection is still open'])];
			log(`  ${problems.length ? 'FAIL' : 'pass'}  queue: stop leaves nothing running${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: 'queue: stop leaves nothing running', expected: 'main, workers, Redis, PostgreSQL gone; the Stream connection closed', delivered: 0, problems });
		}
		log(`  queue mode: ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
	}
	return rows;
}

module.exports = { runQueueCases, QUEUE_CASES };
