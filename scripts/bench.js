#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run bench: what happens to a burst of alerts, side by side in one run, against the
 * DingTalk simulator with DingTalk's limits (20 messages per minute per robot; the 21st
 * throttles the robot for 10 minutes). Prints a table and writes docs/benchmarks.md.
 *
 *   node scripts/bench.js [--scale 0.05] [--no-write]
 *
 * --scale shortens DingTalk's window and throttle, and the node's limiter and retry pauses,
 * by the same factor (one time scale); times are reported both as measured and in DingTalk
 * time (measured / scale). --scale 1 runs in real time (the paced burst then takes 9 minutes).
 * Every case runs in a child process of its own, so peak memory is its own.
 * Then receiving (scripts/benchStream.js): the HTTP and the Stream trigger in a real n8n, their
 * push-to-reply latency and what survives forced reconnects; --no-receive skips it. Then
 * sending in the same real n8n (scripts/benchSending.js): the app robot to 500 groups against the
 * HTTP Request node and one request at a time, and the cost of a message; --no-send skips it.
 * Then the HTTP trigger against n8n's own Webhook node in n8n 1 and n8n 2 (scripts/benchTrigger.js):
 * its answer time one call at a time and at 20 calls a second, and n8n's CPU per call;
 * --no-trigger skips it.
 * Then AI cards in a real n8n (scripts/benchAiCard.js): the AI assistant example streaming a
 * 2,000-character answer into its card, against naive one-call-per-chunk senders; --no-aicard skips it.
 * Then received files (scripts/benchMedia.js): a 10 MB file sent to the Stream echo bot with
 * Download Attachments in n8n 1.123.50, in n8n's default binary data mode and in filesystem mode:
 * its time into the item and n8n's peak memory, against n8n's Webhook node taking the same file;
 * --no-media skips it.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { benchReceiving, receivingReport } = require('./benchStream');
const { benchSending } = require('./benchSending');
const { benchTrigger, triggerReport } = require('./benchTrigger');
const { benchAiCard, aiCardReport } = require('./benchAiCard');
const { benchMedia, mediaReport } = require('./benchMedia');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const TARGETS_LABEL = '1.123.50 on Node 20';
const DINGTALK = { windowMs: 60_000, throttleMs: 600_000, perWindow: 20 };
const TOKEN = 'bench-token';
const SECRET = 'SECbench-secret';
const ROBOT_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobot';

const argValue = (/** @type {string} */ name, /** @type {string} */ fallback) => {
	const at = process.argv.indexOf(name);
	return at > 0 ? process.argv[at + 1] : fallback;
};

// ---------------------------------------------------------------------------------------------
// One case, in a child process: prints one JSON line.

/** A deterministic random source, so runs are comparable. */
function mulberry32(/** @type {number} */ seed) {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

async function runCase(/** @type {string} */ name, /** @type {number} */ scale) {
	const { DingTalkSimulator, computeDingTalkSign } = require('../simulator');
	const { executeWorkflow, stopN8nTimers } = require('./lib/n8nEngine');
	const dist = path.join(root, 'dist');
	const { DingTalkRobot } = require(path.join(dist, 'nodes/DingTalkRobot/DingTalkRobot.node.js'));
	const { DingTalkRobotApi } = require(path.join(dist, 'credentials/DingTalkRobotApi.credentials.js'));
	const { robotRateLimiter, DINGTALK_TIMING } = require(path.join(dist, 'nodes/DingTalkRobot/transport/rateLimiter.js'));

	const limits = name.endsWith('overhead') || name.endsWith('faults') ? false : {
		perWindow: DINGTALK.perWindow,
		windowMs: DINGTALK.windowMs * scale,
		throttleMs: DINGTALK.throttleMs * scale,
	};
	const sim = new DingTalkSimulator({ rateLimit: limits });
	sim.addRobot({ accessToken: TOKEN, secret: SECRET });
	await sim.start({ host: '127.0.0.1', port: 0 });
	robotRateLimiter.configure({
		windowMs: DINGTALK_TIMING.windowMs * scale,
		marginMs: DINGTALK_TIMING.marginMs * scale,
		throttleMs: DINGTALK_TIMING.throttleMs * scale,
		retryBaseMs: DINGTALK_TIMING.retryBaseMs * scale,
		retryMaxMs: DINGTALK_TIMING.retryMaxMs * scale,
	});

	const itemCount = name.endsWith('overhead') ? 2000 : 200;
	const alerts = Array.from({ length: itemCount }, (_, n) => ({ n, host: `web-${n % 50}`, usage: 90 + (n % 10) }));
	const alertText = (/** @type {{n: number, host: string, usage: number}} */ a) => `alert #${a.n}: disk on ${a.host} is ${a.usage}% full`;

	if (name.endsWith('faults')) {
		// a fifth of the requests fail: busy, HTTP 502, dropped (before or after DingTalk posted
		// the message), or an answer slower than the client's timeout (after posting it)
		const random = mulberry32(42);
		const kinds = [{ kind: 'busy' }, { kind: 'http502' }, { kind: 'drop' }, { kind: 'drop', afterDelivery: true }, { kind: 'slow', delayMs: 1500 }];
		sim.setFaultPolicy(() => (random() < 0.2 ? /** @type {any} */ (kinds[Math.floor(random() * kinds.length)]) : undefined));
	}

	/** @type {any} */
	let extra = {};
	let peakRss = process.memoryUsage().rss;
	const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
	const started = process.hrtime.bigint();

	if (name.startsWith('node')) {
		const combine = name === 'node-batched';
		/** @type {Record<string, unknown>} */
		const options = combine ? { combineItems: true, combinedHeader: '#### Disk alerts' } : {};
		if (name === 'node-overhead') options.pacing = false;
		if (name === 'node-faults') Object.assign(options, { pacing: false, timeoutSeconds: 1, maxAttempts: 8 });
		const nodes = [
			{ id: '1', name: 'Alerts', type: 'local.items', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(alerts) } },
			{
				id: '2',
				name: 'DingTalk Robot',
				type: ROBOT_NODE_TYPE,
				typeVersion: 1,
				position: [200, 0],
				parameters: { messageType: 'text', content: '=alert #{{ $json.n }}: disk on {{ $json.host }} is {{ $json.usage }}% full', options },
				credentials: { dingTalkRobotApi: { id: 'bench', name: 'bench' } },
				onError: 'continueRegularOutput',
			},
		];
		const run = await executeWorkflow({
			nodes: /** @type {any} */ (nodes),
			connections: { Alerts: { main: [[{ node: 'DingTalk Robot', type: 'main', index: 0 }]] } },
			nodeTypes: { [ROBOT_NODE_TYPE]: new DingTalkRobot() },
			credentialTypes: { dingTalkRobotApi: new DingTalkRobotApi() },
			credentials: { dingTalkRobotApi: { accessToken: sim.webhookUrl(TOKEN), secret: SECRET, plainHttpHosts: sim.host ?? '' } },
		});
		const output = run.data.resultData.runData['DingTalk Robot']?.[0]?.data?.main?.[0] ?? [];
		extra = {
			reportedFailures: output.filter((/** @type {any} */ o) => o.json.error).length,
			attempts: output.reduce((/** @type {number} */ sum, /** @type {any} */ o) => sum + (o.json.attempts ?? 0), 0),
		};
		stopN8nTimers();
	} else if (name === 'helper-overhead') {
		// n8n's own HTTP helper (what httpRequestWithAuthentication ends in), same signed bodies:
		// the cost any n8n node pays per request, without this node's work or the engine's
		const { httpRequest } = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions');
		for (const alert of alerts) {
			const timestamp = Date.now();
			await httpRequest({
				method: 'POST',
				url: `${sim.webhookUrl(TOKEN)}&timestamp=${timestamp}&sign=${encodeURIComponent(computeDingTalkSign(SECRET, timestamp))}`,
				body: { msgtype: 'text', text: { content: alertText(alert) } },
				json: true,
			});
		}
	} else {
		// A naive sender, as the HTTP Request node does it: one signed POST per item, no pacing, no
		// msgUuid; with retries for the fault case (up to 8 tries, like the node's setting).
		const tries = name === 'naive-faults' ? 8 : 1;
		const post = (/** @type {string} */ body) =>
			new Promise((resolve) => {
				const timestamp = Date.now();
				const url = `${sim.webhookUrl(TOKEN)}&timestamp=${timestamp}&sign=${encodeURIComponent(computeDingTalkSign(SECRET, timestamp))}`;
				const request = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, timeout: 1000 }, (response) => {
					let text = '';
					response.on('data', (chunk) => (text += chunk));
					response.on('end', () => {
						try {
							resolve(response.statusCode === 200 && JSON.parse(text).errcode === 0);
						} catch {
							resolve(false);
						}
					});
				});
				request.on('timeout', () => request.destroy(new Error('timeout')));
				request.on('error', () => resolve(false));
				request.end(body);
			});
		let reportedSuccess = 0;
		for (const alert of alerts) {
			const body = JSON.stringify({ msgtype: 'text', text: { content: alertText(alert) } });
			for (let attempt = 1; attempt <= tries; attempt++) if (await post(body)) { reportedSuccess++; break; }
		}
		extra = { reportedSuccess };
	}

	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	clearInterval(sampler);
	peakRss = Math.max(peakRss, process.memoryUsage().rss);

	const delivered = sim.messages(TOKEN);
	const deliveredTexts = delivered.map((/** @type {any} */ m) => m.text.content).join('\n');
	// an alert is delivered when its line reached the group; duplicated when it reached it twice
	let deliveredAlerts = 0;
	let duplicatedAlerts = 0;
	for (const alert of alerts) {
		const line = alertText(alert);
		const count = deliveredTexts.split('\n').filter((l) => l === line || l.endsWith(`) ${line}`)).length;
		if (count >= 1) deliveredAlerts++;
		if (count > 1) duplicatedAlerts++;
	}
	await sim.stop();
	console.log(
		JSON.stringify({
			name,
			items: alerts.length,
			messages: delivered.length,
			requests: sim.requests.length,
			deliveredAlerts,
			lostAlerts: alerts.length - deliveredAlerts,
			duplicatedAlerts,
			throttledAnswers: sim.requests.filter((r) => r.errcode === 410100).length,
			wallMs,
			peakRssMb: peakRss / 1048576,
			...extra,
		}),
	);
}

// ---------------------------------------------------------------------------------------------
// The orchestrator: runs every case in its own process and reports.

function runChild(/** @type {string} */ name, /** @type {number} */ scale) {
	const child = spawnSync(process.execPath, [__filename, '--case', name, '--scale', String(scale)], { encoding: 'utf8', maxBuffer: 16 * 1048576 });
	const line = child.stdout.trim().split('\n').pop() ?? '';
	try {
		return JSON.parse(line);
	} catch {
		throw new Error(`case ${name} failed:\n${child.stdout}\n${child.stderr}`);
	}
}

const fmtS = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;

function table(/** @type {string[]} */ head, /** @type {unknown[][]} */ rows) {
	const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
	for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
	return lines.join('\n');
}

async function main() {
	const caseName = argValue('--case', '');
	const scale = Number(argValue('--scale', '0.05'));
	if (caseName) return runCase(caseName, scale);

	if (!require('node:fs').existsSync(path.join(root, 'dist/nodes/DingTalkRobot/DingTalkRobot.node.js'))) {
		execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
	}
	const started = new Date();
	console.log(`DingTalk robot benchmark, time scale ${scale} (DingTalk's 60 s window = ${fmtS(60000 * scale)}, 10-minute throttle = ${fmtS(600000 * scale)})\n`);
	/** @type {Record<string, any>} */
	const r = {};
	for (const name of ['node-paced', 'node-batched', 'naive-burst', 'node-overhead', 'helper-overhead', 'naive-overhead', 'node-faults', 'naive-faults']) {
		process.stdout.write(`  running ${name}… `);
		r[name] = runChild(name, scale);
		console.log(fmtS(r[name].wallMs));
	}

	const floorMinutes = (/** @type {number} */ messages) => Math.ceil(messages / 20);
	const dtMinutes = (/** @type {number} */ ms) => ms / scale / 60000;
	const burstRows = [
		['this node, paced (default)', r['node-paced']],
		['this node, Combine Items', r['node-batched']],
		['naive sender (one POST per item, like the HTTP Request node)', r['naive-burst']],
	].map(([label, c]) => [
		label,
		`${c.deliveredAlerts}/${c.items}`,
		c.lostAlerts,
		c.duplicatedAlerts,
		c.messages,
		c.throttledAnswers,
		fmtS(c.wallMs),
		`${dtMinutes(c.wallMs).toFixed(2)} min`,
		label.startsWith('naive') ? 'n/a (lost items)' : (dtMinutes(c.wallMs) / floorMinutes(c.messages)).toFixed(2),
	]);
	const burst = table(
		['sender', 'delivered', 'lost', 'duplicated', 'messages', '410100 answers', 'wall time', 'in DingTalk time', 'DingTalk time / floor'],
		burstRows,
	);

	const node = r['node-overhead'];
	const helper = r['helper-overhead'];
	const bare = r['naive-overhead'];
	const rate = (/** @type {any} */ c) => c.items / (c.wallMs / 1000);
	const overhead = table(
		['sender (2,000 items, limits off)', 'messages/s', 'wall time', 'peak RSS', 'node / this'],
		[
			['this node in n8n\'s engine (pacing off)', rate(node).toFixed(0), fmtS(node.wallMs), `${node.peakRssMb.toFixed(0)} MB`, '1.00'],
			['n8n\'s HTTP helper in a loop, same signed bodies', rate(helper).toFixed(0), fmtS(helper.wallMs), `${helper.peakRssMb.toFixed(0)} MB`, (node.wallMs / helper.wallMs).toFixed(2)],
			['plain http.request loop, same bodies (floor)', rate(bare).toFixed(0), fmtS(bare.wallMs), `${bare.peakRssMb.toFixed(0)} MB`, (node.wallMs / bare.wallMs).toFixed(2)],
		],
	);

	const faults = table(
		['sender (200 items, 1 in 5 requests fails)', 'delivered', 'lost', 'duplicated', 'requests', 'reported failures'],
		[
			['this node (retries, msgUuid)', `${r['node-faults'].deliveredAlerts}/200`, r['node-faults'].lostAlerts, r['node-faults'].duplicatedAlerts, r['node-faults'].requests, r['node-faults'].reportedFailures],
			['naive sender with retries, no msgUuid', `${r['naive-faults'].deliveredAlerts}/200`, r['naive-faults'].lostAlerts, r['naive-faults'].duplicatedAlerts, r['naive-faults'].requests, 200 - r['naive-faults'].reportedSuccess],
		],
	);

	let receiving = '';
	if (!process.argv.includes('--no-receive')) {
		console.log('  running receiving (HTTP and Stream triggers in n8n 1.123.50)…');
		const figures = receivingReport(await benchReceiving((text) => console.log(text)), table);
		receiving = `
## 4. Receiving: the HTTP trigger and the Stream trigger in a real n8n

Both echo bots active in one n8n ${TARGETS_LABEL} (\`n8n start\`, this package installed from its
tarball), the simulator playing DingTalk: for the HTTP trigger it POSTs the signed callback, for
the Stream trigger it pushes the frame on n8n's WebSocket. Time from that push to the echo bot's
reply arriving at the session webhook, one message at a time (after 10 of each to warm up); real
time, not scaled.

${figures.latency}

Then a message pushed every 20 ms (n8n runs about 50 executions a second meanwhile) while the
gateway forces 20 reconnects. "Delivered to n8n": the gateway found an open connection and sent
the frame; "lost by n8n": delivered, but no reply came. On a SYSTEM disconnect the trigger
registers and opens the new connection at once, before DingTalk closes the old one; the gateway
pushes nothing more to a connection it told to go, so the pushes of the moment between the two
(the last column: from the disconnect or the drop to the gateway accepting the new WebSocket)
find no connection. Whether DingTalk keeps such messages for the app is not documented; the
simulator does not, and counts them in "no open connection at the push".

${figures.reconnects}
`;
		console.log(receiving);
	}

	let sending = '';
	if (!process.argv.includes('--no-send')) {
		console.log('  running sending (the app robot and the HTTP Request node in n8n 1.123.50)…');
		sending = sendingReport(await benchSending((text) => console.log(text)), table);
		console.log(sending);
	}

	let trigger = '';
	if (!process.argv.includes('--no-trigger')) {
		console.log('  running trigger (the HTTP trigger against the Webhook node in n8n 1 and n8n 2)…');
		trigger = `
## 6. The HTTP trigger against n8n's Webhook node (real n8n, both majors)

In each n8n (\`n8n start\`, this package installed from its tarball), three workflows active side
by side: DingTalk Robot Trigger → No Operation, and n8n's Webhook node (POST, *Respond:
Immediately*) → No Operation, at its current version and at its first. Each is sent the same
signed DingTalk callback, over a new connection each time as DingTalk does; the time is from the
request to the end of the answer. One call at a time (the three taking turns call by call), back
to back and then 250 ms apart (a bot's usual pace), then 20 calls a second whatever the answers
(blocks of 5 s, taking turns, each until n8n is idle again). "n8n CPU per call" is the n8n process's user and system time over blocks of 50 calls of
one contender, until n8n is idle again (the executions count too).
The ratios compare figures of the same run.

${triggerReport(await benchTrigger((text) => console.log(text)), table)}
`;
		console.log(trigger);
	}

	let aiCard = '';
	if (!process.argv.includes('--no-aicard')) {
		console.log('\nAI cards (real n8n)…');
		const figures = await benchAiCard((text) => console.log(text));
		aiCard = `
## 7. AI cards: an answer streamed into its card (real n8n)

In n8n ${figures.n8nVersion} (\`n8n start\`, this package installed from its tarball), the example AI
assistant active (DingTalk Stream Trigger → DingTalk AI Card, with n8n's own OpenAI Chat Model node
on the simulator's chat model). DingTalk's OpenAPI answers after ${figures.latencyMs} ms and allows 20 calls a
second per app and API, as DingTalk's default quota. Each answer is 2,000 characters in 200 chunks,
20 ms apart (4 s of tokens). "message → card": from the robot message pushed over Stream to the
card delivered; "last chunk → final text": from the model's last chunk to DingTalk's answer to the
finalizing update. The naive senders (a script, the same simulator) make one streaming call per
chunk, as an integration without coalescing does.

${aiCardReport(figures, table)}

The node sends the whole text so far at most every 300 ms (option Time Between Updates) with one
update in flight per card, and the final text at once. Sent as they arrive, one call per chunk
exceeds the quota: DingTalk refused ${figures.naiveAtOnce.refused} of ${figures.naiveAtOnce.calls}${figures.naiveAtOnce.whole ? '' : ', the finalizing call among them, so that card never ends'}.
Sent in turn, ${figures.naiveInTurn.refused} were refused, but the final text came ${(figures.naiveInTurn.lastChunkToFinal / 1000).toFixed(1)} s after the model's last chunk.
With five people asking at once, the node's own share of the wait for the cards is the app's pacing
(five creations ~52 ms apart); the rest is n8n taking in five Stream messages and starting five
executions at once, which this bench does not break down further.
`;
		console.log(aiCard);
	}

	let media = '';
	if (!process.argv.includes('--no-media')) {
		console.log('  running received files (a 10 MB file to the Stream echo bot in n8n 1.123.50)…');
		media = `
## 8. Received files: a 10 MB file into the item (real n8n, both binary data modes)

The Stream echo bot (\`examples/stream-echo-bot.json\`, Download Attachments on) active in n8n
${TARGETS_LABEL} (\`n8n start\`, this package installed from its tarball, n8n's other settings its
defaults: every execution saved with its data). The simulator pushes a 10 MB file someone sent the
robot one-to-one; the trigger turns its downloadCode into a link, fetches the file from the
simulator's storage (another port) and hands n8n the item with the file as binary data
\`attachment_0\`; the echo bot answers in the session. Once with n8n's default binary data mode
(\`N8N_DEFAULT_BINARY_DATA_MODE\` unset: the file is kept in memory, base64 in the item), once with
\`N8N_DEFAULT_BINARY_DATA_MODE=filesystem\`, n8n restarted between them; one message at a time,
after a warm-up. For reference, in the same n8n, n8n's own Webhook node taking the same 10 MB as
binary data (a POST of application/octet-stream, Webhook → No Operation): what n8n costs for
any file of that size. "Push → execution start" is from the push of the frame (the POST) to the
start n8n recorded for the execution: the file is in the item then.

${mediaReport(await benchMedia((text) => console.log(text)), table)}

A run's peak above idle counts what the process had to take from the system for it. The first
file after n8n started shows the whole of it; later runs reuse memory the allocator kept from the
earlier ones (in filesystem mode the file's 10 MB buffer mostly), so they show less. In the default
mode n8n keeps a file in its item as base64 text and copies it as it saves the execution: the
Webhook node's rows show what that costs any workflow that receives a file, with this package or without.
`;
		console.log(media);
	}

	const report = `# Benchmarks

Produced by \`npm run bench\` (\`node scripts/bench.js --scale ${scale}\`) on ${started.toISOString().slice(0, 10)},
${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node.js ${process.version}, n8n-core's WorkflowExecute
with this package's build (\`dist/\`), against the project's DingTalk simulator on 127.0.0.1.
Each case runs in a process of its own.

**Time scale ${scale}.** DingTalk's limits are 20 messages per minute per robot, and a 10-minute
throttle for the robot that sends a 21st. To run in seconds, the simulator's window and throttle,
the node's limiter and its retry pauses are all shortened by the same factor: a 60 s window is
${fmtS(60000 * scale)} here. "In DingTalk time" divides the measured time by the scale.
The floor for paced sending is \`ceil(messages / 20)\` minutes.

## 1. Burst: 200 alert items to one robot

${burst}

The naive sender's HTTP calls all return HTTP 200, so a workflow built that way reports success
for every item (${r['naive-burst'].reportedSuccess} of them got errcode 0; the others got 410100 in a body nobody reads),
and the robot stays throttled for 10 minutes after the burst.

## 2. Overhead: 2,000 items, the simulator's limits off

${overhead}

"node / this" is the node's wall time divided by that sender's. Most of the node's cost per
message is n8n's HTTP helper (axios, which every n8n node that makes requests goes through) and
the engine; building, checking and signing the message is a small part of it (a CPU profile of
this case puts this package's own code at about 0.04 ms per message).

## 3. Faults: a fifth of the requests fail

Busy (errcode -1), HTTP 502, dropped connections (before or after DingTalk posted the message),
and answers slower than the 1 s timeout (after posting), chosen at random with a fixed seed.

${faults}

The naive sender's duplicates come from retrying requests DingTalk had already posted (dropped or
slow answers); the node retries with the same \`msgUuid\`, which DingTalk posts only once.
${receiving}${sending}${trigger}${aiCard}${media}`;
	console.log(`\n## 1. Burst: 200 alert items to one robot\n\n${burst}\n\n## 2. Overhead\n\n${overhead}\n\n## 3. Faults\n\n${faults}\n`);
	if (!process.argv.includes('--no-write')) {
		writeFileSync(path.join(root, 'docs/benchmarks.md'), report);
		console.log('Written to docs/benchmarks.md');
	}
}

/**
 * Section 5 of docs/benchmarks.md from benchSending's figures.
 * @param {{ n8nVersion: string, latencyMs: number, results: Array<{ id: string, label: string, group: string, items: number, qps: number | false, delivered: number, ms: number, perMessageMs: number, throttled: number, busiestSecond: number }> }} figures
 * @param {(head: string[], rows: unknown[][]) => string} tableOf
 */
function sendingReport(figures, tableOf) {
	const of = (/** @type {string} */ group) => figures.results.filter((r) => r.group === group);
	const byId = Object.fromEntries(figures.results.map((r) => [r.id, r]));
	const sequential = byId.benchAppSequential.ms;
	const rows = (/** @type {string} */ group, /** @type {(r: any) => unknown[]} */ extra) =>
		of(group).map((r) => [r.label, `${r.delivered}/${r.items}`, r.throttled, `${(r.ms / 1000).toFixed(2)} s`, `${r.perMessageMs.toFixed(2)} ms`, ...extra(r)]);
	const head = ['sender', 'delivered', 'throttled answers', 'time (n8n\'s executionTime)', 'per message'];
	const robotOne = byId.benchRobotHttpOne.ms;
	return `
## 5. Sending to many destinations, and the cost of a message (real n8n)

In n8n ${figures.n8nVersion} (\`n8n execute\`, this package installed from its tarball), each case a
workflow Manual Trigger → Code node → the measured node, timed by the measured node's own
\`executionTime\` in n8n's run data, after one warm-up run.

**500 items to 500 different groups as the app robot**, the simulator's OpenAPI answering every
call after ${figures.latencyMs} ms. With DingTalk's quota of a standard organization, 20 calls a second
per app (the simulator throttles past it, as DingTalk does):

${tableOf([...head, 'calls in the busiest second', 'vs the floor (items ÷ quota)'], rows('quota', (r) => [r.busiestSecond, `${(r.ms / 1000 / (r.items / (r.qps || 1))).toFixed(2)}×`]))}

The HTTP Request node sends all items at once: DingTalk takes 20 in the first second and throttles
the rest, which the workflow would have to find in 480 error answers. The node keeps to the quota
(Calls per Second) in every sliding second, counted where DingTalk counts (arrival), and delivers
all 500 at DingTalk's pace: the floor is 500 ÷ 20 = 25 s. Each call takes its turn the moment it
leaves (after any token renewal it waited for), not a time booked in advance; a booking made the
node 1.27× the floor (31.7 s) with a 300 ms margin, and let 38 calls into one second when calls
booked for different times left together.

With a raised quota (the simulator's limit off; the node with Calls per Second 1000):

${tableOf([...head, 'vs one at a time'], rows('destinations', (r) => [`${(sequential / r.ms).toFixed(1)}×`]))}

**Per-message cost, no latency: 2,000 items to one group robot** (the node with pacing off; the HTTP
Request node posting the same bodies to the same webhook):

${tableOf([...head, 'node / this'], rows('overhead', (r) => [(byId.benchRobotNode.ms / r.ms).toFixed(2)]))}

Where the node's time went before: a CPU profile of n8n running this case showed n8n reading and
decrypting the credential from its database for every request (\`httpRequestWithAuthentication\`
does so when it is not given the credential): about 0.75 ms of the node's 3.3 ms per message,
which made it 1.3–1.6× slower than the HTTP Request node without a credential. The node now reads
the credential once per execution and hands it to every request; one at a time it costs
${(byId.benchRobotNode.ms / robotOne).toFixed(2)}× the HTTP Request node's time per message.
`;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
