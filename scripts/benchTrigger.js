// @ts-check
'use strict';
/**
 * How fast the DingTalk Robot Trigger answers DingTalk, against n8n's own Webhook node, in real
 * n8n of both majors (the e2e's cached installs, this package installed from its tarball). Three
 * workflows active side by side in one n8n: "DingTalk Robot Trigger → No Operation", "Webhook
 * (POST, Respond: Immediately) → No Operation" and the same with the Webhook node's first
 * version, all sent the same signed DingTalk callback over a new connection each time (as DingTalk
 * does). Measured from the request to the end of the answer:
 * - one at a time: the contenders take turns call by call, back to back, then 250 ms apart;
 * - load: 20 calls a second whatever the answers (open loop), 5 s blocks taking turns;
 * with n8n's CPU time per call (user + system time of the n8n process, from /proc, over blocks of
 * 50 calls of one contender until n8n is idle again, so the executions the calls started count
 * too). Every block of load ends when n8n is idle again, so no backlog spills into the next.
 * Ratios are the trigger's figure over the Webhook node's in the same run: timings on a shared
 * machine move, their ratio side by side much less.
 *
 *   node scripts/benchTrigger.js [--targets 1,2] [--calls 200] [--rate 20]
 * (npm run bench runs it too.)
 */
const http = require('node:http');
const { readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { computeDingTalkSign } = require('../simulator');
const { TARGETS, activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, freePort, sleep, startN8n } = require('../test/e2e/triggerCases');
const { percentile, runCli } = require('./benchStream');

const TRIGGER_PATH = '7c2d9a40-5b1e-4f3a-9e61-0b6a1d2c3e01/dingtalk';
const WEBHOOK_PATH = '7c2d9a40-5b1e-4f3a-9e61-0b6a1d2c3e02';
const WEBHOOK_V1_PATH = '7c2d9a40-5b1e-4f3a-9e61-0b6a1d2c3e03';
/**
 * trigger: this package's; webhook: the baseline, n8n's Webhook node as a new workflow gets it;
 * webhookV1: the same node at its first version, which n8n 2 treats like any other trigger node:
 * it takes an expression isolate for the call (n8n's LiveWebhooks.webhookPhaseNeedsIsolate exempts
 * only the Webhook node from version 2 on)
 */
/** The pause after each call of the spaced phase. */
const SPACED_MS = 250;
const CONTENDERS = /** @type {const} */ (['trigger', 'webhook', 'webhookV1']);
/** @typedef {typeof CONTENDERS[number]} Contender */

/** The two workflows: each contender followed by a No Operation node, nothing else. */
function benchWorkflows() {
	const noOp = { id: 'noop', name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} };
	const workflow = (/** @type {string} */ id, /** @type {any} */ start) => ({
		id,
		name: id,
		nodes: [start, noOp],
		connections: { [start.name]: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	});
	return [
		workflow('benchDingTalkTrigger', {
			id: 'start',
			name: 'DingTalk Robot Trigger',
			type: 'n8n-nodes-dingtalk-robot.dingTalkRobotTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: TRIGGER_PATH.split('/')[0],
			parameters: { response: 'empty', options: {} },
			credentials: { dingTalkRobotCallbackApi: { id: CALLBACK_CREDENTIALS[0].id, name: CALLBACK_CREDENTIALS[0].name } },
		}),
		...[
			['benchWebhookNode', 2, WEBHOOK_PATH],
			['benchWebhookNodeV1', 1, WEBHOOK_V1_PATH],
		].map(([id, typeVersion, webhookPath]) =>
			workflow(String(id), {
				id: 'start',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion,
				position: [0, 0],
				webhookId: webhookPath,
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
			}),
		),
	];
}

let sequence = 0;

/** A signed DingTalk callback: a fresh msgId and timestamp each time. */
function callback() {
	const n = ++sequence;
	const timestamp = String(Date.now());
	const body = JSON.stringify({
		msgtype: 'text',
		text: { content: ' ping' },
		msgId: `benchTrigger${n}-${timestamp}`,
		createAt: Number(timestamp),
		conversationType: '2',
		conversationId: 'cidBenchTrigger',
		conversationTitle: 'bench',
		senderId: '$:LWCP_v1:$benchSender',
		senderNick: 'Zhang San',
		senderStaffId: 'manager4521',
		chatbotUserId: '$:LWCP_v1:$benchRobot',
		isInAtList: true,
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=bench',
		sessionWebhookExpiredTime: Number(timestamp) + 5_400_000,
		robotCode: 'dingbenchrobot',
	});
	const headers = {
		'content-type': 'application/json; charset=utf-8',
		'content-length': String(Buffer.byteLength(body)),
		timestamp,
		sign: computeDingTalkSign(CALLBACK_SECRETS.appSecret, timestamp),
	};
	return { body, headers };
}

/** POSTs one callback on a new connection; resolves with the status and the time to the end of the answer (ms). */
function post(/** @type {string} */ url) {
	const { body, headers } = callback();
	const started = performance.now();
	return /** @type {Promise<{ status: number, ms: number }>} */ (
		new Promise((resolve, reject) => {
			const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
				res.resume();
				res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
				res.on('error', reject);
			});
			req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
			req.on('error', reject);
			req.end(body);
		})
	);
}

/** CPU time (user + system) the process has used so far, in ms. */
function cpuMs(/** @type {number} */ pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	// fields 14 and 15 of /proc/<pid>/stat (utime, stime), in clock ticks of 10 ms
	return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Waits until n8n has been idle (under 5 % of a core) for half a second: the executions of the last calls are done. */
async function idle(/** @type {number} */ pid) {
	const end = Date.now() + 60_000;
	let quiet = 0;
	while (quiet < 2 && Date.now() < end) {
		const before = cpuMs(pid);
		await sleep(250);
		quiet = cpuMs(pid) - before <= 12.5 ? quiet + 1 : 0;
	}
}

/**
 * Figures of one contender.
 * @typedef {{ sequential: number[], spaced: number[], load: number[], cpu: { sequential: number, load: number }, calls: { sequential: number, load: number }, failed: number }} Figures
 */

/** Runs the blocks on one running n8n; returns the figures of each contender. */
async function measure(/** @type {Record<Contender, string>} */ urls, /** @type {number} */ pid, /** @type {{ calls: number, rate: number }} */ plan) {
	const fresh = () => /** @type {Figures} */ ({ sequential: [], spaced: [], load: [], cpu: { sequential: 0, load: 0 }, calls: { sequential: 0, load: 0 }, failed: 0 });
	/** @type {Record<Contender, Figures>} */
	const figures = { trigger: fresh(), webhook: fresh(), webhookV1: fresh() };
	const record = (/** @type {Contender} */ who, /** @type {'sequential' | 'spaced' | 'load'} */ phase, /** @type {{ status: number, ms: number }} */ answer) => {
		if (answer.status === 200) figures[who][phase].push(answer.ms);
		else figures[who].failed++;
	};
	// warm-up: n8n compiles and caches on the first calls
	for (let n = 0; n < 20; n++) for (const who of CONTENDERS) await post(urls[who]);
	await idle(pid);

	// answer times: the contenders take turns call by call, so whatever else the machine does
	// meets all of them alike; back to back, then SPACED_MS apart (a bot's usual pace: n8n has
	// finished with one call when the next comes)
	for (const phase of /** @type {const} */ (['sequential', 'spaced'])) {
		for (let n = 0; n < plan.calls; n++) {
			for (let k = 0; k < CONTENDERS.length; k++) {
				const who = CONTENDERS[(n + k) % CONTENDERS.length];
				record(who, phase, await post(urls[who]));
				if (phase === 'spaced') await sleep(SPACED_MS);
			}
		}
		await idle(pid);
	}

	// CPU per call: blocks of one contender, each until n8n is idle again
	const blocks = Math.max(1, Math.round(plan.calls / 50));
	const size = Math.ceil(plan.calls / blocks);
	for (let block = 0; block < blocks * CONTENDERS.length; block++) {
		const who = CONTENDERS[block % CONTENDERS.length];
		const cpuBefore = cpuMs(pid);
		for (let n = 0; n < size; n++) await post(urls[who]);
		await idle(pid);
		figures[who].cpu.sequential += cpuMs(pid) - cpuBefore;
		figures[who].calls.sequential += size;
	}

	// load: blocks of one contender at the rate, each until n8n is idle again (a backlog one
	// contender leaves must not be counted against the next)
	const loadBlockMs = 5000;
	const loadBlocks = Math.max(1, Math.round(plan.calls / ((plan.rate * loadBlockMs) / 1000)));
	for (let block = 0; block < loadBlocks * CONTENDERS.length; block++) {
		const who = CONTENDERS[block % CONTENDERS.length];
		const cpuBefore = cpuMs(pid);
		const calls = Math.round((plan.rate * loadBlockMs) / 1000);
		const started = performance.now();
		const answers = [];
		for (let n = 0; n < calls; n++) {
			// open loop: the n-th call leaves at n / rate seconds whatever the earlier answers
			const wait = started + (n * 1000) / plan.rate - performance.now();
			if (wait > 0) await sleep(wait);
			answers.push(post(urls[who]).then((answer) => record(who, 'load', answer), () => figures[who].failed++));
		}
		await Promise.all(answers);
		await idle(pid);
		figures[who].cpu.load += cpuMs(pid) - cpuBefore;
		figures[who].calls.load += calls;
	}
	return figures;
}

/** Runs the benchmark on each target; returns the figures per n8n version. */
async function benchTrigger(/** @type {(text: string) => void} */ log, { targets = TARGETS, calls = 200, rate = 20 } = {}) {
	/** @type {Array<{ n8nVersion: string, rate: number, figures: Record<Contender, Figures> }>} */
	const results = [];
	for (const target of targets) {
		const { installed, work } = freshN8nWithPackage('dingtalk-bench-trigger-', target);
		try {
			const port = await freePort();
			const env = n8nEnv(installed, work, {
				N8N_PORT: String(port),
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				WEBHOOK_URL: `http://127.0.0.1:${port}/`,
				// keeping no executions makes n8n's cost per call steady, the same for both
				EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
			});
			writeFileSync(path.join(work, 'credentials.json'), JSON.stringify(CALLBACK_CREDENTIALS));
			const workflows = path.join(work, 'workflows');
			require('node:fs').mkdirSync(workflows, { recursive: true });
			const ids = [];
			for (const workflow of benchWorkflows()) {
				writeFileSync(path.join(workflows, `${workflow.id}.json`), JSON.stringify(workflow));
				ids.push(workflow.id);
			}
			await runCli(installed, ['import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
			await runCli(installed, ['import:workflow', '--separate', `--input=${workflows}`], env);
			for (const id of ids) await runCli(installed, activateWorkflowArgs(installed.n8nVersion, id), env);
			const base = `http://127.0.0.1:${port}/webhook`;
			const urls = { trigger: `${base}/${TRIGGER_PATH}`, webhook: `${base}/${WEBHOOK_PATH}`, webhookV1: `${base}/${WEBHOOK_V1_PATH}` };
			const running = await startN8n(installed, env, urls.trigger);
			try {
				log(`    n8n ${installed.n8nVersion}: ${calls} sequential calls and ${calls} at ${rate}/s to each`);
				results.push({ n8nVersion: installed.n8nVersion, rate, figures: await measure(urls, running.pid, { calls, rate }) });
			} finally {
				await running.stop();
			}
		} finally {
			rmSync(work, { recursive: true, force: true });
		}
	}
	return results;
}

/** The report: one table per n8n, the trigger's figures over the Webhook node's. */
function triggerReport(/** @type {Awaited<ReturnType<typeof benchTrigger>>} */ results, /** @type {(head: string[], rows: unknown[][]) => string} */ table) {
	const ms = (/** @type {number | undefined} */ v) => (v === undefined ? 'none' : `${v.toFixed(0)} ms`);
	const ratio = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) => (a === undefined || !b ? 'n/a' : `${(a / b).toFixed(2)}×`);
	return results
		.map(({ n8nVersion, rate, figures }) => {
			const stat = (/** @type {Figures} */ f) => ({
				seqP50: percentile(f.sequential, 50),
				seqP95: percentile(f.sequential, 95),
				seqCpu: f.cpu.sequential / f.calls.sequential,
				spacedP50: percentile(f.spaced, 50),
				spacedP95: percentile(f.spaced, 95),
				loadP50: percentile(f.load, 50),
				loadP95: percentile(f.load, 95),
				loadCpu: f.cpu.load / f.calls.load,
				failed: f.failed,
			});
			const t = stat(figures.trigger);
			const w = stat(figures.webhook);
			const w1 = stat(figures.webhookV1);
			/** @type {Array<[string, keyof ReturnType<typeof stat>, boolean]>} column, figure, is a time */
			const columns = [
				['back to back: p50', 'seqP50', true],
				['p95', 'seqP95', true],
				[`${SPACED_MS} ms apart: p50`, 'spacedP50', true],
				['p95', 'spacedP95', true],
				[`${rate}/s: p50`, 'loadP50', true],
				['p95', 'loadP95', true],
				['n8n CPU per call, one at a time', 'seqCpu', false],
				[`at ${rate}/s`, 'loadCpu', false],
			];
			const row = (/** @type {string} */ label, /** @type {ReturnType<typeof stat>} */ s) => [
				label,
				...columns.map(([, key, isTime]) => (isTime ? ms(s[key]) : `${s[key].toFixed(1)} ms`)),
				s.failed,
			];
			const ratios = (/** @type {string} */ label, /** @type {ReturnType<typeof stat>} */ a, /** @type {ReturnType<typeof stat>} */ b) => [
				label,
				...columns.map(([, key]) => ratio(a[key], b[key])),
				'',
			];
			return table(
				[`n8n ${n8nVersion}`, ...columns.map(([column]) => column), 'not 200'],
				[
					row('DingTalk Robot Trigger → No Operation', t),
					row('Webhook node (Respond: Immediately) → No Operation', w),
					row('Webhook node version 1, the same', w1),
					ratios('trigger / Webhook node', t, w),
					ratios('Webhook node version 1 / Webhook node', w1, w),
				],
			);
		})
		.join('\n\n');
}

module.exports = { benchTrigger, triggerReport };

if (require.main === module) {
	const argValue = (/** @type {string} */ name, /** @type {string} */ fallback) => {
		const at = process.argv.indexOf(name);
		return at > 0 ? process.argv[at + 1] : fallback;
	};
	const majors = argValue('--targets', '1,2').split(',');
	const targets = TARGETS.filter((t) => majors.includes(t.n8nVersion.split('.')[0]));
	const tableOf = (/** @type {string[]} */ head, /** @type {unknown[][]} */ rows) =>
		[`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
	benchTrigger((text) => console.log(text), { targets, calls: Number(argValue('--calls', '200')), rate: Number(argValue('--rate', '20')) })
		.then((results) => console.log(`\n${triggerReport(results, tableOf)}`))
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
}
