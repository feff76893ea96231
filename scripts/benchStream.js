// @ts-check
'use strict';
/**
 * The receiving side of npm run bench, in a real n8n (1.123.50 on Node 20, the e2e's cached
 * install, with NODE_OPTIONS=--experimental-websocket): the HTTP echo bot and the Stream echo bot
 * active side by side, the simulator playing DingTalk for both.
 * - latency: from the moment the simulator pushes a message (Stream: the frame on the WebSocket;
 *   HTTP: the signed callback POST) to the moment the echo bot's reply reaches the session
 *   webhook, one message at a time, p50 / p99 over 200 messages each (a reply that never came
 *   within 30 s is counted as lost, not timed);
 * - reconnects: messages pushed every 20 ms while the gateway forces 20 reconnects (disconnect,
 *   closed 1 s later) and then 20 drops; every message counted: delivered to a connection, and
 *   answered in its session.
 */
const { spawn } = require('node:child_process');
const { rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { DingTalkSimulator } = require('../simulator');
const { activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { APP, addStreamApps, streamCredentials, writeStreamEchoBot } = require('../test/e2e/streamCases');
const { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, WEBHOOKS, freePort, sleep, startN8n, waitFor, writeWorkflows } = require('../test/e2e/triggerCases');

const MESSAGES = 200;
const RECONNECTS = 20;

function runCli(/** @type {any} */ installed, /** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ env) {
	return /** @type {Promise<void>} */ (
		new Promise((resolve, reject) => {
			const child = spawn(installed.node, [installed.n8nBin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
			let stderr = '';
			child.stderr.on('data', (chunk) => (stderr += chunk));
			child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`n8n ${args[0]} failed: ${stderr.slice(-500)}`))));
		})
	);
}

const percentile = (/** @type {number[]} */ values, /** @type {number} */ p) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** Runs the receiving benchmark; returns its figures. */
async function benchReceiving(/** @type {(text: string) => void} */ log) {
	const { installed, work } = freshN8nWithPackage('dingtalk-bench-receive-');

	/** when each session's first reply arrived (performance.now()) */
	const replyAt = new Map();
	const sim = new DingTalkSimulator({
		rateLimit: false,
		onRequest: (record) => {
			if (record.path === '/robot/sendBySession' && record.session && record.delivered && !replyAt.has(record.session)) replyAt.set(record.session, performance.now());
		},
	});
	addStreamApps(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	const port = await freePort();
	const env = n8nEnv(installed, work, {
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		// the run's own executions would fill the database; keeping none makes n8n's cost per message steady
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none',
	});
	writeFileSync(path.join(work, 'credentials.json'), JSON.stringify([...CALLBACK_CREDENTIALS, ...streamCredentials(sim)]));
	const workflows = path.join(work, 'workflows');
	writeWorkflows(workflows, sim.host ?? '', []);
	writeStreamEchoBot(workflows, sim.host ?? '');
	await runCli(installed, ['import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
	await runCli(installed, ['import:workflow', '--separate', `--input=${workflows}`], env);
	for (const id of ['e2eEchoBot', 'e2eStreamEcho']) await runCli(installed, activateWorkflowArgs(installed.n8nVersion, id), env);
	const webhookUrl = `http://127.0.0.1:${port}/webhook/${WEBHOOKS.e2eEchoBot}`;
	const running = await startN8n(installed, env, webhookUrl);
	const openConnections = () => sim.streamConnections(APP.clientId).filter((/** @type {any} */ c) => c.state === 'open');
	try {
		if (!(await waitFor(() => (openConnections().length ? true : undefined), 60_000))) throw new Error('n8n did not open its Stream connection');
		/** when the session's first reply arrived, or undefined when none came within 30 s (a lost reply) */
		const waitReply = async (/** @type {string} */ sessionId) => /** @type {number | undefined} */ (await waitFor(() => replyAt.get(sessionId), 30_000));

		/** @type {{ http: number[], stream: number[], lost: { http: number, stream: number } }} */
		const latency = { http: [], stream: [], lost: { http: 0, stream: 0 } };
		// a few of each first: n8n compiles and caches on the first runs
		for (let n = 0; n < MESSAGES + 10; n++) {
			const startedHttp = performance.now();
			const callback = await sim.deliverCallback(webhookUrl, { appSecret: CALLBACK_SECRETS.appSecret, text: 'ping' });
			const httpAt = await waitReply(callback.request.sessionId);
			const startedStream = performance.now();
			const pushed = sim.pushRobotMessage(APP.clientId, { text: 'ping' });
			const streamAt = await waitReply(pushed.session.sessionId);
			if (n < 10) continue;
			// a lost reply is counted, not timed: it has no latency to take into the percentiles
			if (httpAt === undefined) latency.lost.http++;
			else latency.http.push(httpAt - startedHttp);
			if (streamAt === undefined) latency.lost.stream++;
			else latency.stream.push(streamAt - startedStream);
		}
		log(`    latency: ${MESSAGES} messages each way; replies lost: HTTP ${latency.lost.http}, Stream ${latency.lost.stream}`);

		/** @type {Record<string, { pushed: number, delivered: number, undelivered: number, lost: number, gapP50: number, gapMax: number }>} */
		const reconnects = {};
		for (const kind of /** @type {const} */ (['disconnect', 'drop'])) {
			/** @type {any[]} */
			const pushes = [];
			let pushing = true;
			const pusher = (async () => {
				while (pushing) {
					pushes.push(sim.pushRobotMessage(APP.clientId, { text: `${kind} ${pushes.length}` }));
					await sleep(20);
				}
			})();
			/** @type {number[]} */
			const gaps = [];
			for (let n = 0; n < RECONNECTS; n++) {
				const [current] = openConnections();
				if (!current) throw new Error('no open connection');
				const forcedAt = Date.now();
				if (kind === 'disconnect') sim.streamDisconnect(current.id, { closeAfterMs: 1000 });
				else sim.streamDrop(current.id);
				const next = await waitFor(() => openConnections().find((/** @type {any} */ c) => c.id !== current.id), 30_000);
				if (!next) throw new Error(`no new Stream connection within 30 s after ${kind} ${n + 1} of ${RECONNECTS}`);
				// the gateway's own record of when the new connection's WebSocket was accepted
				const accepted = sim.streamConnectAttempts().filter((/** @type {any} */ a) => a.outcome === 'connected' && a.at >= forcedAt);
				if (accepted.length) gaps.push(accepted[0].at - forcedAt);
				// a connection that received frames for a second counts as working: its drop is answered at once
				await sleep(1100);
			}
			pushing = false;
			await pusher;
			const delivered = pushes.filter((p) => p.delivered);
			await waitFor(() => (delivered.every((p) => replyAt.has(p.session.sessionId)) ? true : undefined), 30_000);
			reconnects[kind] = {
				pushed: pushes.length,
				delivered: delivered.length,
				undelivered: pushes.length - delivered.length,
				lost: delivered.filter((p) => !replyAt.has(p.session.sessionId)).length,
				gapP50: percentile(gaps, 50),
				gapMax: Math.max(...gaps),
			};
			log(`    ${RECONNECTS} × ${kind}: ${pushes.length} pushed`);
		}
		return { latency, reconnects, n8nVersion: installed.n8nVersion };
	} finally {
		await running.stop();
		await sim.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

/** The report's section on receiving. */
function receivingReport(/** @type {any} */ r, /** @type {(head: string[], rows: unknown[][]) => string} */ table) {
	// a percentile of no figure (every reply lost) is undefined, the max -Infinity
	const ms = (/** @type {number | undefined} */ v) => (v !== undefined && Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'none');
	const latency = table(
		['trigger (echo bot, real n8n ' + r.n8nVersion + ')', 'messages answered', 'replies lost (none in 30 s)', 'p50', 'p99', 'max'],
		[
			['DingTalk Robot Trigger (HTTP callback)', r.latency.http.length, r.latency.lost.http, ms(percentile(r.latency.http, 50)), ms(percentile(r.latency.http, 99)), ms(Math.max(...r.latency.http))],
			['DingTalk Stream Trigger (WebSocket)', r.latency.stream.length, r.latency.lost.stream, ms(percentile(r.latency.stream, 50)), ms(percentile(r.latency.stream, 99)), ms(Math.max(...r.latency.stream))],
		],
	);
	const rows = Object.entries(r.reconnects).map(([kind, /** @type {any} */ c]) => [
		`${RECONNECTS} × ${kind === 'disconnect' ? 'SYSTEM disconnect (closed 1 s later)' : 'dropped TCP connection'}`,
		c.pushed,
		c.delivered,
		c.lost,
		c.undelivered,
		`${c.gapP50} ms / ${c.gapMax} ms`,
	]);
	const reconnects = table(
		['forced reconnects (a push every 20 ms)', 'pushed', 'delivered to n8n', 'lost by n8n', 'no open connection at the push', 'until the new connection: p50 / max'],
		rows,
	);
	return { latency, reconnects };
}

module.exports = { benchReceiving, receivingReport, percentile, runCli };
