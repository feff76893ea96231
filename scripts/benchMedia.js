// @ts-check
'use strict';
/**
 * Received files in npm run bench: a 10 MB file someone sends the Stream echo bot
 * (examples/stream-echo-bot.json, Download Attachments on) in a real n8n (the e2e's cached
 * install, this package from its tarball), the simulator playing DingTalk and its storage. For
 * n8n's default binary data mode (N8N_DEFAULT_BINARY_DATA_MODE unset: in memory in n8n 1, the
 * filesystem in n8n 2) and for N8N_DEFAULT_BINARY_DATA_MODE=filesystem, side by side (n8n
 * restarted between them, the same user folder), several runs each, one at a time:
 * - time: from the push of the frame to the execution's start as n8n recorded it (the trigger
 *   hands n8n the item once its files are binary data), and to the echo bot's reply arriving;
 *   a "ping" without a file is timed the same way for comparison;
 * - memory: the n8n process's peak resident set above its idle size, read from /proc. Before each
 *   push n8n is asked for a full garbage collection (through its inspector, which the benchmark
 *   starts it with), so that idle holds no garbage of the previous run; then its RSS is read
 *   and its high-water mark reset (VmHWM, through /proc/<pid>/clear_refs; if that is refused, the
 *   highest VmRSS sampled every 10 ms counts), and read again once the execution has been saved.
 *   The file's size is the yardstick.
 * n8n's other settings are its defaults (every execution saved, with its data).
 *
 *   node scripts/benchMedia.js [--targets 1,2] [--runs 5]
 * (npm run bench runs it with n8n 1.123.50.)
 */
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { DingTalkSimulator } = require('../simulator');
const WebSocket = require('ws');

const { TARGETS, activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { APP, addStreamApps, streamCredentials, writeStreamEchoBot } = require('../test/e2e/streamCases');
const { CALLBACK_CREDENTIALS, WEBHOOKS, freePort, sleep, startN8n, waitFor, writeWorkflows } = require('../test/e2e/triggerCases');
const { runCli } = require('./benchStream');

const FILE_BYTES = 10 * 1024 * 1024;
/** 'default': N8N_DEFAULT_BINARY_DATA_MODE left unset */
const MODES = /** @type {const} */ (['default', 'filesystem']);
const SENDER = { nick: 'Zhang San', staffId: 'manager4521' };
const MB = 1024 * 1024;

/** VmRSS and VmHWM of a process, in bytes. */
function memoryOf(/** @type {number} */ pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (/** @type {string} */ name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
	return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets the process's high-water mark to its current RSS; false when the kernel refuses. */
function resetPeak(/** @type {number} */ pid) {
	try {
		writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

const WEBHOOK_PATH = '7c2d9a40-5b1e-4f3a-9e61-0b6a1d2c3e11';

/** The reference: n8n's own Webhook node taking the same file as binary data (a POST of application/octet-stream) → No Operation. */
function webhookWorkflow() {
	return {
		id: 'benchWebhookBinary',
		name: 'Bench: n8n\'s Webhook node receiving a file as binary data',
		nodes: [
			{ id: 'w1', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: WEBHOOK_PATH, parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} } },
			{ id: 'w2', name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [240, 0], parameters: {} },
		],
		connections: { Webhook: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** A full garbage collection in the process whose inspector listens on `port` (Chrome DevTools Protocol). */
async function collectGarbage(/** @type {number} */ port) {
	const [target] = /** @type {any[]} */ (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json());
	const socket = new WebSocket(target.webSocketDebuggerUrl);
	await new Promise((resolve, reject) => {
		socket.once('open', resolve);
		socket.once('error', reject);
	});
	await new Promise((resolve, reject) => {
		socket.on('message', (data) => {
			const answer = JSON.parse(String(data));
			if (answer.id !== 1) return;
			if (answer.error) reject(new Error(answer.error.message));
			else resolve(undefined);
		});
		socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
	});
	socket.close();
}

/**
 * The executions n8n recorded for a workflow, in order: when each started and stopped (ms), read
 * with the install's sqlite3 once n8n stopped.
 */
function executionTimes(/** @type {any} */ installed, /** @type {string} */ userFolder, /** @type {string} */ workflowId) {
	const sqlite3 = path.join(path.dirname(path.dirname(path.dirname(installed.n8nBin))), 'sqlite3');
	const script = `
		const sqlite3 = require(process.argv[1]);
		const db = new sqlite3.Database(process.argv[2], sqlite3.OPEN_READONLY);
		db.all('SELECT "startedAt" AS started, "stoppedAt" AS stopped, status FROM execution_entity WHERE "workflowId" = ? ORDER BY id', [process.argv[3]], (error, rows) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(JSON.stringify(rows));
		});`;
	const rows = JSON.parse(execFileSync(installed.node, ['-e', script, sqlite3, path.join(userFolder, '.n8n', 'database.sqlite'), workflowId], { encoding: 'utf8' }));
	// SQLite keeps them as UTC text "YYYY-MM-DD HH:MM:SS.SSS"
	const ms = (/** @type {unknown} */ value) => (typeof value === 'number' ? value : Date.parse(`${String(value).replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(String(value)) ? '' : 'Z'}`));
	return rows.map((/** @type {any} */ r) => ({ started: ms(r.started), stopped: ms(r.stopped), status: r.status }));
}

/**
 * Runs the benchmark on one n8n; returns per binary mode the runs of the 10 MB file and of the ping.
 * @param {import('../test/e2e/n8nInstalls').Target} target
 */
async function benchOne(target, /** @type {number} */ runs, /** @type {(text: string) => void} */ log) {
	const { installed, work } = freshN8nWithPackage('dingtalk-bench-media-', target);
	/** when each session's first reply arrived (Date.now()) */
	const replyAt = new Map();
	const sim = new DingTalkSimulator({
		rateLimit: false,
		onRequest: (record) => {
			if (record.path === '/robot/sendBySession' && record.session && record.delivered && !replyAt.has(record.session)) replyAt.set(record.session, Date.now());
		},
	});
	addStreamApps(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	const baseEnv = n8nEnv(installed, work);
	writeFileSync(path.join(work, 'credentials.json'), JSON.stringify([...CALLBACK_CREDENTIALS, ...streamCredentials(sim)]));
	const workflows = path.join(work, 'workflows');
	writeWorkflows(workflows, sim.host ?? '', []);
	writeStreamEchoBot(workflows, sim.host ?? '');
	writeFileSync(path.join(workflows, 'bench-webhook-binary.json'), JSON.stringify(webhookWorkflow()));
	await runCli(installed, ['import:credentials', `--input=${path.join(work, 'credentials.json')}`], baseEnv);
	await runCli(installed, ['import:workflow', '--separate', `--input=${workflows}`], baseEnv);
	for (const id of ['e2eEchoBot', 'e2eStreamEcho', 'benchWebhookBinary']) await runCli(installed, activateWorkflowArgs(installed.n8nVersion, id), baseEnv);

	/**
	 * every push, in order: the executions n8n records are matched to them by position (per workflow).
	 * kind: the 10 MB file to the echo bot ('first' after n8n started, 'warm-up', 'file'), a ping, or
	 * the same file POSTed to n8n's Webhook node ('webhook', its first 'webhook-first')
	 */
	/** @type {Array<{ mode: string, kind: 'file' | 'ping' | 'first' | 'warm-up' | 'webhook' | 'webhook-first', pushedAt: number, repliedAt: number | undefined, idle?: number, peak?: number, sampledPeak?: number, hwmReset?: boolean }>} */
	const pushes = [];
	const file = randomBytes(FILE_BYTES);
	try {
		for (const mode of MODES) {
			const port = await freePort();
			const env = {
				...baseEnv,
				N8N_PORT: String(port),
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				WEBHOOK_URL: `http://127.0.0.1:${port}/`,
				...(mode === 'filesystem' && { N8N_DEFAULT_BINARY_DATA_MODE: mode }),
			};
			const inspector = await freePort();
			const running = await startN8n(installed, env, `http://127.0.0.1:${port}/webhook/${WEBHOOKS.e2eEchoBot}`, [`--inspect=127.0.0.1:${inspector}`]);
			try {
				if (!(await waitFor(() => (sim.streamConnections(APP.clientId).some((/** @type {any} */ c) => c.state === 'open') ? true : undefined), 60_000))) {
					throw new Error('n8n did not open its Stream connection');
				}
				/**
				 * Sends one message (or the Webhook node's POST) with n8n idle and garbage-collected, waits for
				 * the echo bot's reply (the Webhook node's answer), then for n8n to have saved the execution.
				 */
				const push = async (/** @type {(typeof pushes)[number]['kind']} */ kind) => {
					await sleep(2000); // the last execution saved, timers quiet
					await collectGarbage(inspector);
					await sleep(1000);
					const idle = memoryOf(running.pid).rss;
					const hwmReset = resetPeak(running.pid);
					let sampledPeak = idle;
					const sampler = setInterval(() => {
						try {
							sampledPeak = Math.max(sampledPeak, memoryOf(running.pid).rss);
						} catch {
							// n8n stopped
						}
					}, 10);
					let pushedAt;
					let repliedAt;
					if (kind.startsWith('webhook')) {
						pushedAt = Date.now();
						const answer = await fetch(`http://127.0.0.1:${port}/webhook/${WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file });
						await answer.arrayBuffer();
						repliedAt = answer.ok ? Date.now() : undefined;
					} else {
						/** @type {import('../simulator/streamPush').PushRobotMessageOptions} */
						const options = kind === 'ping' ? { text: 'ping', sender: SENDER } : { msgtype: 'file', file: { bytes: file, name: 'logs.zip' }, conversation: { type: 'oneToOne' }, sender: SENDER };
						const pushed = sim.pushRobotMessage(APP.clientId, options);
						pushedAt = Date.now();
						repliedAt = /** @type {number | undefined} */ (await waitFor(() => replyAt.get(pushed.session.sessionId), 120_000, 20));
					}
					// n8n saves the execution (with its binary data, in the default mode) after the reply
					await sleep(3000);
					clearInterval(sampler);
					const peak = hwmReset ? memoryOf(running.pid).hwm : sampledPeak;
					pushes.push({ mode, kind, pushedAt, repliedAt, idle, peak, sampledPeak, hwmReset });
					return pushes[pushes.length - 1];
				};
				const above = (/** @type {{ peak?: number, idle?: number }} */ p) => `${((Number(p.peak) - Number(p.idle)) / MB).toFixed(1)} MB above idle`;
				// the first file after n8n started (reported apart: n8n compiles and caches on the first runs)
				log(`    ${target.n8nVersion} ${mode}: first 10 MB file after n8n started, ${above(await push('first'))}`);
				log(`    ${target.n8nVersion} ${mode}: first 10 MB POST to the Webhook node, ${above(await push('webhook-first'))}`);
				await push('warm-up');
				for (let n = 0; n < runs; n++) {
					const sent = await push('file');
					const posted = await push('webhook');
					await push('ping');
					log(`    ${target.n8nVersion} ${mode}: 10 MB file ${sent.repliedAt ? `${sent.repliedAt - sent.pushedAt} ms to the reply` : 'no reply'}, ${above(sent)}; the Webhook node's ${above(posted)}`);
				}
			} finally {
				await running.stop();
			}
		}
		/** the execution n8n recorded for each push, matched by position per workflow */
		const started = new Map();
		for (const [workflowId, kinds] of /** @type {const} */ ([
			['e2eStreamEcho', ['first', 'warm-up', 'file', 'ping']],
			['benchWebhookBinary', ['webhook-first', 'webhook']],
		])) {
			const executions = executionTimes(installed, work, workflowId);
			const mine = pushes.filter((p) => /** @type {readonly string[]} */ (kinds).includes(p.kind));
			if (executions.length !== mine.length) log(`    ${executions.length} executions of ${workflowId} recorded for ${mine.length} pushes: their times are left out`);
			else mine.forEach((p, i) => started.set(p, executions[i]));
		}
		return {
			n8nVersion: installed.n8nVersion,
			nodeVersion: target.nodeMajor,
			fileBytes: FILE_BYTES,
			runs: pushes.map((p) => ({ ...p, startedAt: started.get(p)?.started, stoppedAt: started.get(p)?.stopped, status: started.get(p)?.status })),
		};
	} finally {
		await sim.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

/** Runs the benchmark on each target (default: n8n 1.123.50). */
async function benchMedia(/** @type {(text: string) => void} */ log, { targets = [TARGETS[0]], runs = 5 } = {}) {
	const results = [];
	for (const target of targets) results.push(await benchOne(target, runs, log));
	return results;
}

const median = (/** @type {number[]} */ values) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};

/** Section 8 of docs/benchmarks.md. */
function mediaReport(/** @type {Awaited<ReturnType<typeof benchMedia>>} */ results, /** @type {(head: string[], rows: unknown[][]) => string} */ table) {
	const rows = [];
	const mb = (/** @type {number} */ bytes) => `${(bytes / MB).toFixed(1)} MB`;
	const ms = (/** @type {Array<number | undefined>} */ values) => {
		const known = /** @type {number[]} */ (values.filter((v) => v !== undefined && Number.isFinite(v)));
		return known.length ? `${median(known).toFixed(0)} ms (${Math.min(...known).toFixed(0)}–${Math.max(...known).toFixed(0)})` : 'n/a';
	};
	for (const r of results) {
		for (const mode of MODES) {
			const modeLabel = mode === 'default' ? `n8n's default (${Number(r.n8nVersion.split('.')[0]) >= 2 ? 'filesystem' : 'memory'})` : 'filesystem';
			const pings = r.runs.filter((p) => p.mode === mode && p.kind === 'ping');
			for (const [who, kind, firstKind] of /** @type {const} */ ([
				['Stream trigger, Download Attachments (echo bot)', 'file', 'first'],
				['n8n\'s Webhook node, the file as binary (reference)', 'webhook', 'webhook-first'],
			])) {
				const files = r.runs.filter((p) => p.mode === mode && p.kind === kind);
				const first = r.runs.find((p) => p.mode === mode && p.kind === firstKind);
				const above = files.map((p) => Number(p.peak) - Number(p.idle));
				const firstAbove = first ? Number(first.peak) - Number(first.idle) : NaN;
				rows.push([
					`n8n ${r.n8nVersion} / Node ${r.nodeVersion}`,
					modeLabel,
					who,
					files.length,
					ms(files.map((p) => (p.startedAt !== undefined ? p.startedAt - p.pushedAt : undefined))),
					kind === 'file' ? `${ms(files.map((p) => (p.repliedAt !== undefined ? p.repliedAt - p.pushedAt : undefined)))}; a ping: ${ms(pings.map((p) => (p.repliedAt !== undefined ? p.repliedAt - p.pushedAt : undefined)))}` : '',
					mb(median(files.map((p) => Number(p.idle)))),
					`${mb(median(above))} (${mb(Math.min(...above))}–${mb(Math.max(...above))})`,
					`${(median(above) / r.fileBytes).toFixed(2)}× (${(Math.min(...above) / r.fileBytes).toFixed(2)}–${(Math.max(...above) / r.fileBytes).toFixed(2)}×)`,
					Number.isFinite(firstAbove) ? `${mb(firstAbove)}, ${(firstAbove / r.fileBytes).toFixed(2)}×` : 'n/a',
				]);
			}
		}
	}
	const peakHow = results.every((r) => r.runs.every((p) => p.hwmReset)) ? 'VmHWM, reset before each push' : 'the highest VmRSS sampled every 10 ms (VmHWM could not be reset)';
	return `${table(
		[
			'n8n',
			'binary data mode',
			'receiver',
			'runs',
			'push → execution start (the file in the item)',
			'push → the echo bot\'s reply',
			'n8n idle RSS',
			'peak RSS above idle',
			'above idle ÷ file size',
			'the first file after n8n started: above idle, ÷ file size',
		],
		rows,
	)}

Medians, with the lowest and highest run in brackets. The peak is the n8n process's (${peakHow}),
from just before the push until 3 s after the reply (n8n has saved the execution by then); idle is
its RSS just before the push, after a full garbage collection.`;
}

module.exports = { benchMedia, mediaReport };

if (require.main === module) {
	const argValue = (/** @type {string} */ name, /** @type {string} */ fallback) => {
		const at = process.argv.indexOf(name);
		return at > 0 ? process.argv[at + 1] : fallback;
	};
	const majors = argValue('--targets', '1').split(',');
	const targets = TARGETS.filter((t) => majors.includes(t.n8nVersion.split('.')[0]));
	const table = (/** @type {string[]} */ head, /** @type {unknown[][]} */ rows) =>
		[`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
	benchMedia((text) => console.log(text), { targets, runs: Number(argValue('--runs', '5')) })
		.then((results) => {
			writeFileSync(path.join(require('node:os').tmpdir(), 'bench-media.json'), JSON.stringify(results, null, 1));
			console.log(`\n${mediaReport(results, table)}`);
		})
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
}
