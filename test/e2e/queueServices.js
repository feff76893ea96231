// @ts-check
'use strict';
/**
 * The services a queue-mode n8n needs, real and private to one run: Redis and PostgreSQL from
 * Debian's packages (installed with apt-get when missing: CI runs as root on a fresh machine),
 * each started on a free loopback port with its files in a new temporary folder, no persistence.
 * Every process started here (also n8n's, by queueMode.js) is the leader of its own process
 * group and is listed in one registry: stopAll() ends them all (SIGTERM, then SIGKILL) and
 * removes the temporary folders; so does a Ctrl-C / SIGTERM of the test run, and the exit of the
 * test process kills whatever is left. Nothing survives a run, so nothing leaks into the next.
 */
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { freePort, waitFor } = require('./triggerCases');

/** @typedef {{ name: string, child: import('node:child_process').ChildProcess, output: () => string, exited: Promise<unknown>, stopSignal: NodeJS.Signals }} Service */

/** @type {Set<Service>} */
const running = new Set();
/** @type {Set<string>} */
const tempDirs = new Set();

const log = (/** @type {string} */ text) => process.stdout.write(`${text}\n`);

/** A new temporary folder, removed by stopAll() (or at exit); owned by `owner` when given. */
function tempDir(/** @type {string} */ prefix, /** @type {{ uid: number, gid: number } | undefined} */ owner = undefined) {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	tempDirs.add(dir);
	if (owner) chownSync(dir, owner.uid, owner.gid);
	return dir;
}

function killGroup(/** @type {Service} */ service, /** @type {NodeJS.Signals} */ signal) {
	if (service.child.exitCode !== null || service.child.signalCode !== null || !service.child.pid) return;
	try {
		process.kill(-service.child.pid, signal);
	} catch {
		/* already gone */
	}
}

/** Resolves after `ms` without keeping the process alive. */
const later = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Stops one service's process group: its stop signal, then SIGKILL after `graceMs`. */
async function stopService(/** @type {Service} */ service, graceMs = 20_000) {
	killGroup(service, service.stopSignal);
	const ended = await Promise.race([service.exited.then(() => true), later(graceMs).then(() => false)]);
	if (!ended) killGroup(service, 'SIGKILL');
	await Promise.race([service.exited, later(2000)]);
	// the group's other members (n8n's task runners) go with it
	killGroup(service, 'SIGKILL');
	running.delete(service);
}

/** Stops every service, the last started first (n8n before its databases), and removes the temporary folders. */
async function stopAll() {
	for (const service of [...running].reverse()) await stopService(service);
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
	tempDirs.clear();
	removeSignalHandlers();
}

/** Ctrl-C or a SIGTERM of the run: stop everything, then end as that signal would have. */
const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
	log(`\n${signal}: stopping the queue-mode services …`);
	stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
};
const onExit = () => {
	for (const service of running) killGroup(service, 'SIGKILL');
	for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
};
let handlersOn = false;
function addSignalHandlers() {
	if (handlersOn) return;
	handlersOn = true;
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('exit', onExit);
}
function removeSignalHandlers() {
	if (!handlersOn) return;
	handlersOn = false;
	process.off('SIGINT', onSignal);
	process.off('SIGTERM', onSignal);
	process.off('exit', onExit);
}

/**
 * Starts a program as the leader of a new process group, its output kept (the last 2 MB).
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions & { stopSignal?: NodeJS.Signals }} options
 * @returns {Service}
 */
function startService(name, command, args, options = {}) {
	addSignalHandlers();
	const { stopSignal = 'SIGTERM', ...spawnOptions } = options;
	const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const keep = (/** @type {Buffer} */ chunk) => {
		output += chunk;
		if (output.length > 2_000_000) output = output.slice(-1_000_000);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const exited = new Promise((resolve) => {
		child.once('exit', resolve);
		child.once('error', (error) => {
			output += `\n${error.message}`;
			resolve(undefined);
		});
	});
	/** @type {Service} */
	const service = { name, child, output: () => output, exited, stopSignal };
	running.add(service);
	return service;
}

const gone = (/** @type {Service} */ service) => service.child.exitCode !== null || service.child.signalCode !== null;

/** Throws with the service's last output when `probe` does not succeed within `timeoutMs`. */
async function waitUntilReady(/** @type {Service} */ service, /** @type {() => Promise<boolean | undefined>} */ probe, /** @type {number} */ timeoutMs) {
	const ready = await waitFor(
		async () => {
			if (gone(service)) return false;
			return (await probe().catch(() => false)) ? true : undefined;
		},
		timeoutMs,
		250,
	);
	if (ready !== true) throw new Error(`${service.name} ${gone(service) ? 'exited' : `was not ready within ${timeoutMs / 1000} s`}:\n${service.output().slice(-1500)}`);
}

const which = (/** @type {string} */ program) => spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim() || undefined;

/** The folder of PostgreSQL's server programs: Debian keeps them in /usr/lib/postgresql/<major>/bin, off the PATH. */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	const majors = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
	if (majors.length) return path.join(base, majors[0], 'bin');
	const initdb = which('initdb');
	return initdb ? path.dirname(initdb) : undefined;
}

/**
 * Installs redis-server and postgresql from Debian's packages when missing (apt-get, as root,
 * non-interactive); says what it installs and how long it took. Returns the seconds it took (0
 * when both were there).
 */
function ensureServicePackages() {
	const missing = [...(which('redis-server') ? [] : ['redis-server']), ...(postgresBin() ? [] : ['postgresql'])];
	if (!missing.length) return 0;
	if (process.getuid?.() !== 0) throw new Error(`queue mode needs ${missing.join(' and ')}: run  sudo apt-get install ${missing.join(' ')}  (or run the e2e as root)`);
	const started = Date.now();
	log(`  installing ${missing.join(', ')} from Debian's packages (apt-get) …`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
	execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
	const seconds = (Date.now() - started) / 1000;
	log(`  installing ${missing.join(', ')}: done in ${seconds.toFixed(0)} s`);
	if (!which('redis-server') || !postgresBin()) throw new Error(`apt-get installed ${missing.join(', ')} but redis-server or PostgreSQL's initdb is still missing`);
	return seconds;
}

/** Sends Redis a PING over a plain socket; true on +PONG. */
function redisPing(/** @type {number} */ port) {
	return /** @type {Promise<boolean>} */ (
		new Promise((resolve) => {
			const socket = net.connect(port, '127.0.0.1');
			socket.setTimeout(2000, () => socket.destroy());
			socket.once('connect', () => socket.write('PING\r\n'));
			socket.once('data', (data) => {
				resolve(data.toString().startsWith('+PONG'));
				socket.destroy();
			});
			socket.once('error', () => resolve(false));
			socket.once('close', () => resolve(false));
		})
	);
}

/** A private Redis: loopback, a free port, its own folder, no RDB or AOF files. */
async function startRedis() {
	const dir = tempDir('dingtalk-e2e-redis-');
	const port = await freePort();
	const service = startService('redis-server', /** @type {string} */ (which('redis-server')), [
		'--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--logfile', '',
	]);
	await waitUntilReady(service, () => redisPing(port), 20_000);
	return { port, service };
}

/**
 * The account PostgreSQL runs as: this one, or, as root (which PostgreSQL refuses), the
 * `postgres` user Debian's package created, else an unprivileged user created for it.
 */
function postgresAccount() {
	if (process.getuid?.() !== 0) return undefined;
	const id = (/** @type {string} */ flag, /** @type {string} */ user) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
	for (const user of ['postgres', 'dingtalk-e2e-pg']) {
		if (spawnSync('id', [user]).status === 0) return { user, uid: id('-u', user), gid: id('-g', user) };
	}
	execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'dingtalk-e2e-pg']);
	return { user: 'dingtalk-e2e-pg', uid: id('-u', 'dingtalk-e2e-pg'), gid: id('-g', 'dingtalk-e2e-pg') };
}

/**
 * A private PostgreSQL cluster: initdb into a new temporary folder (as an unprivileged user when
 * run as root), listening on 127.0.0.1 at a free port with scram-sha-256 passwords, its unix
 * socket in that folder; no fsync (a test database); then the database `n8n`, owned by `n8n`.
 */
async function startPostgres() {
	const bin = /** @type {string} */ (postgresBin());
	const account = postgresAccount();
	const asUser = account ? { uid: account.uid, gid: account.gid } : {};
	const dir = tempDir('dingtalk-e2e-pg-', account);
	const data = path.join(dir, 'data');
	const database = { name: 'n8n', user: 'n8n', password: `e2e-${Math.random().toString(36).slice(2)}` };
	const passwordFile = path.join(dir, 'password');
	writeFileSync(passwordFile, database.password, { mode: 0o600 });
	if (account) chownSync(passwordFile, account.uid, account.gid);
	const initdb = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', database.user, `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-locale', '-E', 'UTF8', '--no-sync'], {
		cwd: dir,
		encoding: 'utf8',
		...asUser,
	});
	if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status}):\n${initdb.stderr}${initdb.stdout}`.slice(0, 1500));
	const port = await freePort();
	const service = startService(
		'postgres',
		path.join(bin, 'postgres'),
		['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'],
		{ cwd: dir, stopSignal: 'SIGINT', ...asUser },
	);
	const pgEnv = { ...process.env, PGPASSWORD: database.password };
	const isReady = async () => spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q'], { timeout: 5000 }).status === 0;
	await waitUntilReady(service, isReady, 30_000);
	// over TCP with the password: the way n8n will connect
	const created = spawnSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', database.user, database.name], { encoding: 'utf8', env: pgEnv });
	if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);
	return { port, database, service };
}

/**
 * Redis and PostgreSQL for one queue-mode n8n, and the environment n8n's processes need for them.
 * @returns {Promise<{ env: Record<string, string>, redis: { port: number }, postgres: { port: number }, installSeconds: number }>}
 */
async function startQueueServices() {
	const installSeconds = ensureServicePackages();
	const redis = await startRedis();
	const postgres = await startPostgres();
	return {
		installSeconds,
		redis: { port: redis.port },
		postgres: { port: postgres.port },
		env: {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database.name,
			DB_POSTGRESDB_USER: postgres.database.user,
			DB_POSTGRESDB_PASSWORD: postgres.database.password,
		},
	};
}

module.exports = { ensureServicePackages, startQueueServices, startService, stopAll, stopService, tempDir, waitUntilReady };
