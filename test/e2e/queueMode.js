// @ts-check
'use strict';
/**
 * A real queue-mode n8n for the e2e suite: Redis and PostgreSQL (queueServices.js: Debian's
 * packages, private, on free ports), `n8n start` (the main: UI, REST, webhooks, triggers such as
 * the Stream connection, the wait tracker) and one or more `n8n worker` processes (they run the
 * executions), all with one N8N_ENCRYPTION_KEY, each process with its own user folder holding
 * this package in .n8n/nodes (packed and installed as run.js does; copied to the workers' folders),
 * its own task-runner broker port (n8n 2 always runs task runners; n8n 1.123 only when
 * N8N_RUNNERS_ENABLED) and, for workers, a health server on a free port (how readiness is told).
 * OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true: the editor's manual runs go to the workers too (n8n 2
 * warns that running them on main is deprecated). Works for n8n 1.123.50 (Node 20) and 2.40.7 (Node 24).
 *
 * API (the send-and-wait e2e uses it):
 *
 *   const { start } = require('./queueMode');
 *   const qm = await start(2, {            // the major (1 or 2), or a Target of n8nInstalls.js
 *     workers: 2, concurrency: 5,          // `n8n worker --concurrency`
 *     credentials: [...],                  // n8n's export format (id, name, type, data), imported before the start
 *     workflows: [...],                    // workflow JSON (with ids), imported before the start
 *     active: ['wfId', ...],               // made active before the start (as the CLI does it)
 *     env: { ... },                        // more environment for every n8n process
 *     tarball,                             // the packed package (default: npm pack now)
 *   });
 *   qm.baseUrl                             // http://127.0.0.1:<port> (UI, REST)
 *   qm.webhookUrl                          // WEBHOOK_URL, the base of webhook and resume URLs (…/)
 *   qm.webhook('path')                     // the production URL of a webhook path
 *   await qm.rest('GET', '/executions/12') // n8n's REST API as the owner (set up at start): the body's data
 *   qm.owner                               // { email, password } of that owner
 *   await qm.importWorkflow(json)          // POST /rest/workflows → { id, versionId, … } (n8n picks the id)
 *   await qm.activate(id) / qm.deactivate(id) // n8n 2: resolves once its publication is done (triggers live)
 *   await qm.waitForExecution(id, 'waiting' | ['success', 'error'], timeoutMs = 60 000) → the execution (its data)
 *   await qm.executions(workflowId)        // the executions of a workflow, newest first
 *   qm.ranOn(executionId)                  // 'worker 1', 'worker 2', …: whose log says it started it; else undefined
 *   qm.processOfSocket(localPort)          // which of the processes holds a TCP connection from that local port
 *   qm.logs()                              // { main, workers: [...] }: each process's output so far
 *   qm.pids                                // { main, workers: [...] }
 *   await qm.stop()                        // everything, also Redis, PostgreSQL and the temporary folders
 *
 * A failed start stops what it started; Ctrl-C stops everything (queueServices.js).
 */
const { cpSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { TARGETS, activateWorkflowArgs, ensureN8n, installPackage, n8nEnv, packPackage } = require('./n8nInstalls');
const { startQueueServices, startService, stopAll, tempDir, waitUntilReady } = require('./queueServices');
const { freePort, sleep, waitFor } = require('./triggerCases');

const OWNER = { email: 'owner@example.com', firstName: 'E2E', lastName: 'Owner', password: 'DingTalk-E2E-2026' };
const TERMINAL = ['success', 'error', 'crashed', 'canceled'];

/** Runs n8n's CLI to completion; throws with its output when it fails. */
async function cli(/** @type {import('./n8nInstalls').Installed} */ installed, /** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ env) {
	const service = startService(`n8n ${args[0]}`, installed.node, [installed.n8nBin, ...args], { env });
	const code = await service.exited;
	if (code !== 0) throw new Error(`n8n ${args.join(' ')} failed (${code}):\n${service.output().slice(-1500)}`);
}

/** GET a URL; true when it answers 200. */
const answers200 = async (/** @type {string} */ url) => (await fetch(url, { signal: AbortSignal.timeout(5000) })).status === 200;

/**
 * Which of the given processes has a socket open whose local port is `localPort` (from
 * /proc/net/tcp{,6} and /proc/<pid>/fd): how the e2e tells the main's connections from a worker's.
 * @param {number} localPort
 * @param {Record<string, number>} pids name → pid
 */
function processOfSocket(localPort, pids) {
	const inodes = new Set();
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let text = '';
		try {
			text = readFileSync(table, 'utf8');
		} catch {
			continue;
		}
		for (const line of text.split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			if (fields.length > 9 && parseInt(fields[1].split(':')[1], 16) === localPort) inodes.add(fields[9]);
		}
	}
	for (const [name, pid] of Object.entries(pids)) {
		let fds = [];
		try {
			fds = readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			let link = '';
			try {
				link = readlinkSync(`/proc/${pid}/fd/${fd}`);
			} catch {
				continue;
			}
			const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
			if (inode && inodes.has(inode)) return name;
		}
	}
	return undefined;
}

/**
 * Starts a queue-mode n8n: see the header.
 * @param {number | import('./n8nInstalls').Target} major
 * @param {{ workers?: number, concurrency?: number, credentials?: object[], workflows?: Array<{ id: string }>, active?: string[], env?: Record<string, string>, tarball?: string, installed?: import('./n8nInstalls').Installed, log?: (text: string) => void }} [options]
 */
async function start(major, options = {}) {
	const target = typeof major === 'object' ? major : TARGETS.find((t) => Number(t.n8nVersion.split('.')[0]) === major);
	if (!target) throw new Error(`no n8n target of major ${major}`);
	const log = options.log ?? ((/** @type {string} */ text) => process.stdout.write(`${text}\n`));
	const installed = options.installed ?? ensureN8n(target);
	const { workers = 2, concurrency = 5 } = options;
	const startedAt = Date.now();
	const seconds = () => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
	try {
		const services = await startQueueServices();
		log(`  queue mode: Redis on ${services.redis.port}, PostgreSQL on ${services.postgres.port} after ${seconds()}`);

		// the package as users install it, once; every process gets its own user folder with a copy
		const tarball = options.tarball ?? packPackage();
		const folders = ['main', ...Array.from({ length: workers }, (_, n) => `worker-${n + 1}`)].map((name) => tempDir(`dingtalk-e2e-queue-${target.n8nVersion}-${name}-`));
		installPackage(installed, folders[0], tarball);
		if (!options.tarball) rmSync(path.dirname(tarball), { recursive: true, force: true });
		for (const folder of folders.slice(1)) cpSync(path.join(folders[0], '.n8n'), path.join(folder, '.n8n'), { recursive: true });

		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		// WEBHOOK_URL for the workers too: a resume URL (Send and Wait, Wait) is built by the process
		// running the execution; a worker without it links its own host and port (here http://127.0.0.1:5678/)
		const common = { ...services.env, N8N_LOG_LEVEL: 'info', OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true', N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10', WEBHOOK_URL: `${baseUrl}/`, ...options.env };
		const mainEnv = n8nEnv(installed, folders[0], { ...common, N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()) });

		// imports before the start, as an admin would: the CLI writes to the shared database
		const importDir = path.join(folders[0], 'import');
		mkdirSync(path.join(importDir, 'workflows'), { recursive: true });
		if (options.credentials?.length) {
			writeFileSync(path.join(importDir, 'credentials.json'), JSON.stringify(options.credentials));
			await cli(installed, ['import:credentials', `--input=${path.join(importDir, 'credentials.json')}`], mainEnv);
		}
		if (options.workflows?.length) {
			for (const workflow of options.workflows) writeFileSync(path.join(importDir, 'workflows', `${workflow.id}.json`), JSON.stringify(workflow));
			await cli(installed, ['import:workflow', '--separate', `--input=${path.join(importDir, 'workflows')}`], mainEnv);
		}
		for (const id of options.active ?? []) await cli(installed, activateWorkflowArgs(target.n8nVersion, id), mainEnv);
		if (options.credentials?.length || options.workflows?.length) log(`  queue mode: imported into PostgreSQL after ${seconds()}`);

		// the main first: it migrates the fresh database; the workers then find it ready
		const main = startService('n8n main', installed.node, [installed.n8nBin, 'start'], { env: mainEnv });
		await waitUntilReady(main, () => answers200(`${baseUrl}/healthz/readiness`), 180_000);
		const workerServices = [];
		for (const [n, folder] of folders.slice(1).entries()) {
			const healthPort = await freePort();
			const env = n8nEnv(installed, folder, {
				...common,
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			});
			const worker = startService(`n8n worker ${n + 1}`, installed.node, [installed.n8nBin, 'worker', `--concurrency=${concurrency}`], { env });
			workerServices.push({ worker, healthPort });
		}
		for (const { worker, healthPort } of workerServices) {
			await waitUntilReady(worker, async () => (await answers200(`http://127.0.0.1:${healthPort}/healthz/readiness`)) && worker.output().includes('n8n worker is now ready'), 180_000);
		}
		log(`  queue mode: n8n ${target.n8nVersion} main on ${port} and ${workers} worker(s) ready after ${seconds()}`);

		const cookie = await ownerSession(baseUrl, main);
		const rest = async (/** @type {string} */ method, /** @type {string} */ route, /** @type {unknown} */ body = undefined) => {
			const response = await fetch(`${baseUrl}/rest${route}`, {
				method,
				headers: { 'Content-Type': 'application/json', cookie: `n8n-auth=${cookie}`, 'browser-id': 'e2e' },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const answer = /** @type {any} */ (await response.json().catch(() => ({})));
			if (!response.ok) throw new Error(`${method} /rest${route} answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
			return answer.data;
		};
		const pids = { main: /** @type {number} */ (main.child.pid), workers: workerServices.map(({ worker }) => /** @type {number} */ (worker.child.pid)) };
		const named = () => Object.fromEntries([['main', pids.main], ...pids.workers.map((pid, n) => [`worker ${n + 1}`, pid])]);
		return {
			target,
			installed,
			baseUrl,
			webhookUrl: `${baseUrl}/`,
			webhook: (/** @type {string} */ webhookPath) => `${baseUrl}/webhook/${webhookPath}`,
			owner: { email: OWNER.email, password: OWNER.password },
			rest,
			pids,
			importWorkflow: async (/** @type {any} */ workflow) => rest('POST', '/workflows', { ...workflow, active: false }),
			activate: async (/** @type {string} */ id) => {
				const activated = await rest('POST', `/workflows/${id}/activate`, { versionId: (await rest('GET', `/workflows/${id}`)).versionId });
				if (Number(target.n8nVersion.split('.')[0]) < 2) return activated;
				// n8n 2 publishes in the background (its workflow publication service): wait until its triggers are live
				const status = await waitFor(async () => {
					const current = await rest('GET', `/workflows/${id}/publication-status`);
					return current?.status === 'in_progress' || current?.status === 'not_published' ? undefined : current;
				}, 60_000, 250);
				if (status?.status !== 'published') throw new Error(`workflow ${id} was not published: ${JSON.stringify(status ?? 'still in progress after 60 s').slice(0, 400)}`);
				return activated;
			},
			deactivate: async (/** @type {string} */ id) => rest('POST', `/workflows/${id}/deactivate`, {}),
			/** @returns {Promise<any[]>} */
			executions: async (/** @type {string} */ workflowId) => (await rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`)).results,
			waitForExecution: async (/** @type {string} */ id, /** @type {string | string[]} */ status = TERMINAL, timeoutMs = 60_000) => {
				const wanted = Array.isArray(status) ? status : [status];
				let last;
				const found = await waitFor(
					async () => {
						last = await rest('GET', `/executions/${id}`).catch(() => undefined);
						return last && wanted.includes(last.status) ? last : undefined;
					},
					timeoutMs,
					500,
				);
				if (!found) throw new Error(`execution ${id} is ${last?.status ?? 'unknown'}, not ${wanted.join(' or ')}, after ${timeoutMs / 1000} s`);
				return found;
			},
			ranOn: (/** @type {string} */ executionId) => {
				const started = new RegExp(`Worker started execution ${executionId} \\(job`);
				const n = workerServices.findIndex(({ worker }) => started.test(worker.output()));
				return n >= 0 ? `worker ${n + 1}` : undefined;
			},
			processOfSocket: (/** @type {number} */ localPort) => processOfSocket(localPort, named()),
			logs: () => ({ main: main.output(), workers: workerServices.map(({ worker }) => worker.output()) }),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

/** Sets up the instance's owner (n8n answers once its REST API is up); the n8n-auth cookie. */
async function ownerSession(/** @type {string} */ baseUrl, /** @type {import('./queueServices').Service} */ main) {
	for (const end = Date.now() + 60_000; Date.now() < end; await sleep(1000)) {
		const setup = await fetch(`${baseUrl}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'browser-id': 'e2e' }, body: JSON.stringify(OWNER) }).catch(() => undefined);
		const cookie = /n8n-auth=([^;]+)/.exec(setup?.headers.get('set-cookie') ?? '')?.[1];
		if (cookie) return cookie;
	}
	throw new Error(`the owner could not be set up:\n${main.output().slice(-1500)}`);
}

module.exports = { start, processOfSocket };
