// @ts-check
'use strict';
/**
 * The sending side of npm run bench, in a real n8n (1.123.50 on Node 20, the e2e's cached
 * install), against the simulator, every case a workflow run with `n8n execute` and timed by the
 * node's own executionTime in n8n's run data (so n8n's start-up is not counted):
 * - many destinations: 500 items to 500 different groups, the OpenAPI answering after 40 ms.
 *   With DingTalk's quota of a standard organization (20 calls a second per app): the app robot
 *   at its defaults against n8n's HTTP Request node posting the same calls. With a raised quota
 *   (the simulator's limit off, Calls per Second 1000): Parallel Destinations 50 (the default), 20
 *   and 100, the same one request at a time, and the HTTP Request node;
 * - per-message overhead, no latency: 2,000 items to one group robot (pacing off) against the
 *   HTTP Request node posting the same bodies one at a time (Batching: 1 per batch) and at once.
 *
 *   node scripts/benchSending.js [--profile <case id> <dir>]
 *
 * --profile writes a CPU profile of that case's measured run (n8n's process) into <dir>.
 */
const { spawn } = require('node:child_process');
const { rmSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const { DingTalkSimulator } = require('../simulator');
const { freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');

const DESTINATIONS = 500;
const LATENCY_MS = 40;
const OVERHEAD_ITEMS = 2000;
const APP = { clientId: 'dingbenchapp01', clientSecret: 'benchAppSecret-7Tq', robotCode: 'dingbenchapp01' };
const ROBOT_TOKEN = 'bench-overhead-robot';

/** @returns {Promise<{ ok: boolean, stdout: string, stderr: string }>} */
function runCli(/** @type {any} */ installed, /** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ env, /** @type {string[]} */ nodeArgs = []) {
	return new Promise((resolve) => {
		const child = spawn(installed.node, [...nodeArgs, installed.n8nBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('close', (code) => resolve({ ok: code === 0, stdout, stderr }));
	});
}

/** The run data `n8n execute` prints at level info: from a line "{" to a line "}". */
function runData(/** @type {string} */ stdout) {
	const lines = stdout.split('\n');
	return JSON.parse(lines.slice(lines.indexOf('{'), lines.lastIndexOf('}') + 1).join('\n'));
}

const node = (/** @type {string} */ name, /** @type {string} */ type, /** @type {number} */ typeVersion, /** @type {object} */ parameters, /** @type {object} */ extra = {}) => ({
	id: name,
	name,
	type,
	typeVersion,
	position: [0, 0],
	parameters,
	...extra,
});

/** Manual trigger → Code node with `jsCode` → the measured node, as one workflow. */
function workflow(/** @type {string} */ id, /** @type {string} */ jsCode, /** @type {object} */ measured) {
	return {
		id,
		name: id,
		nodes: [node('Start', 'n8n-nodes-base.manualTrigger', 1, {}), node('Items', 'n8n-nodes-base.code', 2, { jsCode }), { ...measured, name: 'Measured', id: 'Measured' }],
		connections: { Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] }, Items: { main: [[{ node: 'Measured', type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'none' },
		pinData: {},
	};
}

/** The HTTP Request node posting JSON, optionally one item at a time. */
const httpRequest = (/** @type {string} */ url, /** @type {string} */ jsonBody, /** @type {Array<{name: string, value: string}>} */ headers, oneAtATime = false) =>
	node('Measured', 'n8n-nodes-base.httpRequest', 4.2, {
		method: 'POST',
		url,
		sendHeaders: headers.length > 0,
		headerParameters: { parameters: headers },
		sendBody: true,
		specifyBody: 'json',
		jsonBody,
		// an answer other than 2xx (throttled) is counted, not an error that ends the run
		options: { response: { response: { neverError: true } }, ...(oneAtATime && { batching: { batch: { batchSize: 1, batchInterval: 0 } } }) },
	});

/** Runs the sending benchmark; returns its figures. */
async function benchSending(/** @type {(text: string) => void} */ log) {
	const { installed, work } = freshN8nWithPackage('dingtalk-bench-send-');
	const sim = new DingTalkSimulator({ rateLimit: false, openapi: { latencyMs: LATENCY_MS, qpsLimit: false } });
	sim.addApp(APP);
	const groups = Array.from({ length: DESTINATIONS }, (_, n) => sim.addGroup({ openConversationId: `cidBench${n}==`, robotCodes: [APP.robotCode] }).openConversationId);
	sim.addRobot({ accessToken: ROBOT_TOKEN });
	await sim.start({ host: '127.0.0.1', port: 0 });
	// the HTTP Request node needs the token by hand: one asked up front, as a user would paste it
	const tokenAnswer = await fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: APP.clientId, appSecret: APP.clientSecret }) });
	const { accessToken } = /** @type {{ accessToken: string }} */ (await tokenAnswer.json());

	const env = n8nEnv(installed, work, { N8N_LOG_LEVEL: 'info' });
	writeFileSync(
		path.join(work, 'credentials.json'),
		JSON.stringify([
			{ id: 'benchApp', name: 'bench app', type: 'dingTalkAppApi', data: { ...APP, baseUrl: sim.baseUrl, plainHttpHosts: sim.host } },
			{ id: 'benchRobot', name: 'bench robot', type: 'dingTalkRobotApi', data: { accessToken: sim.webhookUrl(ROBOT_TOKEN), plainHttpHosts: sim.host } },
		]),
	);
	const groupItems = `return ${JSON.stringify(groups)}.map((id, n) => ({ json: { conversation: { id }, n } }));`;
	const app = { dingTalkAppApi: { id: 'benchApp', name: 'bench app' } };
	const appNode = (/** @type {object} */ options) =>
		node('Measured', 'n8n-nodes-dingtalk-robot.dingTalkRobot', 1, { operation: 'send', target: 'app', appDestination: 'group', openConversationId: '={{ $json.conversation.id }}', messageType: 'text', content: '=alert #{{ $json.n }}', options }, { credentials: app });
	const raised = { callsPerSecond: 1000 };
	const overheadItems = `return Array.from({ length: ${OVERHEAD_ITEMS} }, (_, n) => ({ json: { n } }));`;
	const robotNode = node('Measured', 'n8n-nodes-dingtalk-robot.dingTalkRobot', 1, { messageType: 'text', content: '=alert #{{ $json.n }}', options: { pacing: false } }, { credentials: { dingTalkRobotApi: { id: 'benchRobot', name: 'bench robot' } } });
	const appBody = `={{ JSON.stringify({ robotCode: '${APP.robotCode}', openConversationId: $json.conversation.id, msgKey: 'sampleText', msgParam: JSON.stringify({ content: 'alert #' + $json.n }) }) }}`;
	const robotBody = '={{ JSON.stringify({ msgtype: "text", text: { content: "alert #" + $json.n } }) }}';
	// the simulator keeps its tokens and messages between cases (the HTTP Request node's pasted token stays valid): count what each run adds
	let groupsBefore = new Map();
	const groupsReached = () => groups.filter((g) => sim.groupMessages(g).length > (groupsBefore.get(g) ?? 0)).length;
	let robotBefore = 0;
	let callsBefore = 0;
	const httpToGroups = () => httpRequest(`${sim.baseUrl}/v1.0/robot/groupMessages/send`, appBody, [{ name: 'x-acs-dingtalk-access-token', value: accessToken }]);
	/** @type {Array<{ id: string, label: string, group: 'quota' | 'destinations' | 'overhead', qps: number | false, items: number, workflow: object, delivered: () => number }>} */
	const cases = [
		{ id: 'benchQuotaNode', label: 'this node, app robot, its defaults (20 calls/s, Parallel Destinations 50)', group: 'quota', qps: 20, items: DESTINATIONS, workflow: workflow('benchQuotaNode', groupItems, appNode({})), delivered: groupsReached },
		{ id: 'benchQuotaHttp', label: 'n8n\'s HTTP Request node, same calls (token pasted)', group: 'quota', qps: 20, items: DESTINATIONS, workflow: workflow('benchQuotaHttp', groupItems, httpToGroups()), delivered: groupsReached },
		{ id: 'benchAppParallel50', label: 'this node, Parallel Destinations 50 (default)', group: 'destinations', qps: false, items: DESTINATIONS, workflow: workflow('benchAppParallel50', groupItems, appNode({ ...raised })), delivered: groupsReached },
		{ id: 'benchAppParallel20', label: 'this node, Parallel Destinations 20', group: 'destinations', qps: false, items: DESTINATIONS, workflow: workflow('benchAppParallel20', groupItems, appNode({ ...raised, parallelDestinations: 20 })), delivered: groupsReached },
		{ id: 'benchAppParallel100', label: 'this node, Parallel Destinations 100', group: 'destinations', qps: false, items: DESTINATIONS, workflow: workflow('benchAppParallel100', groupItems, appNode({ ...raised, parallelDestinations: 100 })), delivered: groupsReached },
		{ id: 'benchAppSequential', label: 'this node, one request at a time (Parallel Destinations 1)', group: 'destinations', qps: false, items: DESTINATIONS, workflow: workflow('benchAppSequential', groupItems, appNode({ ...raised, parallelDestinations: 1 })), delivered: groupsReached },
		{ id: 'benchAppHttpRequest', label: 'n8n\'s HTTP Request node, same calls (token pasted)', group: 'destinations', qps: false, items: DESTINATIONS, workflow: workflow('benchAppHttpRequest', groupItems, httpToGroups()), delivered: groupsReached },
		{ id: 'benchRobotNode', label: 'this node, group robot (pacing off)', group: 'overhead', qps: false, items: OVERHEAD_ITEMS, workflow: workflow('benchRobotNode', overheadItems, robotNode), delivered: () => sim.messages(ROBOT_TOKEN).length - robotBefore },
		{
			id: 'benchRobotHttpOne',
			label: 'HTTP Request node, one at a time (Batching: 1)',
			group: 'overhead',
			qps: false,
			items: OVERHEAD_ITEMS,
			workflow: workflow('benchRobotHttpOne', overheadItems, httpRequest(sim.webhookUrl(ROBOT_TOKEN), robotBody, [], true)),
			delivered: () => sim.messages(ROBOT_TOKEN).length - robotBefore,
		},
		{
			id: 'benchRobotHttpAll',
			label: 'HTTP Request node, all at once (its default)',
			group: 'overhead',
			qps: false,
			items: OVERHEAD_ITEMS,
			workflow: workflow('benchRobotHttpAll', overheadItems, httpRequest(sim.webhookUrl(ROBOT_TOKEN), robotBody, [])),
			delivered: () => sim.messages(ROBOT_TOKEN).length - robotBefore,
		},
	];
	const dir = path.join(work, 'workflows');
	mkdirSync(dir, { recursive: true });
	for (const c of cases) writeFileSync(path.join(dir, `${c.id}.json`), JSON.stringify(c.workflow));
	try {
		for (const [args, what] of [[['import:credentials', `--input=${path.join(work, 'credentials.json')}`], 'credentials'], [['import:workflow', '--separate', `--input=${dir}`], 'workflows']]) {
			const imported = await runCli(installed, /** @type {string[]} */ (args), env);
			if (!imported.ok) throw new Error(`n8n import of the ${what} failed: ${imported.stderr.slice(-400)}`);
		}
		const results = [];
		for (const c of cases) {
			// one warm-up run, then the measured one (n8n compiles and caches on the first)
			sim.setOpenApiQpsLimit(c.qps);
			for (const round of ['warm-up', 'measured']) {
				groupsBefore = new Map(groups.map((g) => [g, sim.groupMessages(g).length]));
				robotBefore = sim.messages(ROBOT_TOKEN).length;
				callsBefore = sim.openApiRequests().length;
				// each case starts with DingTalk's one-second QPS window empty
				await new Promise((resolve) => setTimeout(resolve, 1100));
				const profileAt = process.argv.indexOf('--profile');
				const profiled = round === 'measured' && profileAt > 0 && process.argv[profileAt + 1] === c.id;
				const run = await runCli(installed, ['execute', `--id=${c.id}`, '--rawOutput'], env, profiled ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profileAt + 2]}`] : []);
				if (!run.ok) throw new Error(`${c.id} failed: ${(run.stderr || run.stdout).slice(-400)}`);
				if (round === 'warm-up') continue;
				const measured = runData(run.stdout).data.resultData.runData.Measured[0];
				const ms = measured.executionTime;
				const calls = sim.openApiRequests().slice(callsBefore);
				const throttled = calls.filter((/** @type {any} */ r) => String(r.code).startsWith('Forbidden.AccessDenied.Qps')).length;
				// the most calls DingTalk saw arrive within any one second (a sliding window)
				const arrivals = calls.map((/** @type {any} */ r) => r.at);
				const busiestSecond = Math.max(0, ...arrivals.map((/** @type {number} */ t) => arrivals.filter((/** @type {number} */ u) => u >= t && u < t + 1000).length));
				results.push({ id: c.id, label: c.label, group: c.group, items: c.items, qps: c.qps, delivered: c.delivered(), ms, perMessageMs: ms / c.items, throttled, busiestSecond });
				log(`  ${c.group}: ${c.label}: ${c.delivered()}/${c.items} in ${(ms / 1000).toFixed(2)} s, ${throttled} throttled, busiest second ${busiestSecond} calls`);
			}
		}
		return { n8nVersion: installed.n8nVersion, latencyMs: LATENCY_MS, results };
	} finally {
		await sim.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

module.exports = { benchSending };

if (require.main === module) {
	benchSending((text) => process.stdout.write(`${text}\n`))
		.then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 1)}\n`))
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
}
