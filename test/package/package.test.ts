/**
 * The package as users get it: `npm pack`, unpacked the way n8n installs a community package,
 * then loaded by n8n-core's PackageDirectoryLoader, the loader n8n uses for community nodes.
 * Needs the build in dist/ (npm test builds first).
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

import { PackageDirectoryLoader } from 'n8n-core';

import { stopN8nTimers } from '../../scripts/lib/n8nEngine';

const root = resolve(__dirname, '../..');
let workDir: string;
let packageDir: string;
let files: string[];

beforeAll(() => {
	if (!existsSync(join(root, 'dist/nodes/DingTalkRobot/DingTalkRobot.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
	}
	workDir = mkdtempSync(join(tmpdir(), 'dingtalk-pack-'));
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	) as Array<{ filename: string; files: Array<{ path: string }> }>;
	files = packed.files.map((file) => file.path);
	// where n8n puts community packages: <N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name>
	packageDir = join(workDir, 'nodes/node_modules/n8n-nodes-dingtalk-robot');
	mkdirSync(packageDir, { recursive: true });
	execFileSync('tar', ['xzf', join(workDir, packed.filename), '-C', packageDir, '--strip-components=1']);
	// npm installs the peer dependency n8n-workflow beside it, as it does in ~/.n8n/nodes
	symlinkSync(join(root, 'node_modules/n8n-workflow'), join(workDir, 'nodes/node_modules/n8n-workflow'), 'dir');
}, 60000);

afterAll(() => {
	rmSync(workDir, { recursive: true, force: true });
	stopN8nTimers();
});

test('the tarball ships the build, the icons, the codex, README and LICENSE, and nothing else', () => {
	expect(files).toEqual(
		expect.arrayContaining([
			'package.json',
			'index.js',
			'README.md',
			'LICENSE',
			'dist/nodes/DingTalkRobot/DingTalkRobot.node.js',
			'dist/nodes/DingTalkRobot/DingTalkRobot.node.json',
			'dist/credentials/DingTalkRobotApi.credentials.js',
			'dist/nodes/DingTalkRobotTrigger/DingTalkRobotTrigger.node.js',
			'dist/nodes/DingTalkRobotTrigger/DingTalkRobotTrigger.node.json',
			'dist/credentials/DingTalkRobotCallbackApi.credentials.js',
			'dist/nodes/DingTalkStreamTrigger/DingTalkStreamTrigger.node.js',
			'dist/nodes/DingTalkStreamTrigger/DingTalkStreamTrigger.node.json',
			'dist/nodes/DingTalkAiCard/DingTalkAiCard.node.js',
			'dist/nodes/DingTalkAiCard/DingTalkAiCard.node.json',
			'dist/credentials/DingTalkAppApi.credentials.js',
			'dist/icons/dingtalk.svg',
			'dist/icons/dingtalk.dark.svg',
		]),
	);
	const unexpected = files.filter(
		(file) => !/^dist\//.test(file) && !['package.json', 'index.js', 'README.md', 'LICENSE'].includes(file),
	);
	expect(unexpected).toEqual([]);
	expect(files.some((file) => /\.test\.|simulator|scripts\/|zh-CN/.test(file))).toBe(false);
	// n8n's verification scanner lints every .ts in the tarball and takes
	// `X.credentials.d.ts` for a misnamed credential file (npm run scan)
	expect(files.filter((file) => file.endsWith('.d.ts'))).toEqual([]);
});

test('package.json: a community package with no runtime dependencies', () => {
	const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
	expect(pkg.name).toMatch(/^n8n-nodes-/);
	expect(pkg.keywords).toContain('n8n-community-node-package');
	expect(pkg.license).toBe('MIT');
	expect(pkg.dependencies ?? {}).toEqual({});
	expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
	expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
});

test('n8n\'s package loader finds the nodes and the credentials under their real names', async () => {
	const loader = new PackageDirectoryLoader(packageDir);
	await loader.loadAll();

	expect(Object.keys(loader.nodeTypes).sort()).toEqual(['dingTalkAiCard', 'dingTalkRobot', 'dingTalkRobotTrigger', 'dingTalkStreamTrigger']);
	expect(Object.keys(loader.credentialTypes).sort()).toEqual(['dingTalkAppApi', 'dingTalkRobotApi', 'dingTalkRobotCallbackApi']);
	expect(loader.known.nodes.dingTalkRobot.className).toBe('DingTalkRobot');
	expect(loader.known.nodes.dingTalkRobotTrigger.className).toBe('DingTalkRobotTrigger');
	expect(loader.known.nodes.dingTalkStreamTrigger.className).toBe('DingTalkStreamTrigger');
	expect(loader.known.credentials.dingTalkAppApi.className).toBe('DingTalkAppApi');

	const node = loader.types.nodes.find((type) => type.name === 'dingTalkRobot')!;
	const trigger = loader.types.nodes.find((type) => type.name === 'dingTalkRobotTrigger')!;
	// n8n registers a community node as `<package>.<node name>`: the type used in workflows
	expect(`${loader.packageName}.${node.name}`).toBe('n8n-nodes-dingtalk-robot.dingTalkRobot');
	expect(`${loader.packageName}.${trigger.name}`).toBe('n8n-nodes-dingtalk-robot.dingTalkRobotTrigger');
	expect(node.usableAsTool).toBe(true);
	// the AI card node takes a chat model; n8n would take its inputs away to make a tool of it
	const aiCard = loader.types.nodes.find((type) => type.name === 'dingTalkAiCard')!;
	expect(aiCard.usableAsTool).toBeUndefined();
	expect(aiCard.inputs).toEqual(['main', expect.objectContaining({ type: 'ai_languageModel', required: true, maxConnections: 1 })]);
	expect(aiCard.credentials).toEqual([{ name: 'dingTalkAppApi', required: true }]);
	// the robot credential only for Send To: Group Robot, the app credential for App Robot and Recall
	// (which has no Send To, so "hide" the other targets: test/unit/nodeForm.test.ts says why); replies need none
	expect(node.credentials).toEqual([
		{ name: 'dingTalkRobotApi', required: true, displayOptions: { hide: { target: ['app', 'session', 'response'], operation: ['createCard', 'downloadFile', 'recall', 'streamCardText', 'updateCard'] } } },
		{ name: 'dingTalkAppApi', required: true, displayOptions: { hide: { target: ['robot', 'session', 'response'] } } },
	]);
	// the app credential only to download received files (Download Attachments)
	expect(trigger.credentials).toEqual([
		{ name: 'dingTalkRobotCallbackApi', required: true, testedBy: 'testCallbackCredential' },
		{ name: 'dingTalkAppApi', required: true, displayOptions: { hide: { downloadAttachments: [false] } } },
	]);
	expect(trigger.webhooks).toEqual([expect.objectContaining({ httpMethod: 'POST', path: 'dingtalk' })]);
	const stream = loader.types.nodes.find((type) => type.name === 'dingTalkStreamTrigger')!;
	expect(`${loader.packageName}.${stream.name}`).toBe('n8n-nodes-dingtalk-robot.dingTalkStreamTrigger');
	// a trigger of its own: no webhook, the app credential (tested by its own request)
	expect(stream.credentials).toEqual([{ name: 'dingTalkAppApi', required: true }]);
	expect(stream.webhooks).toBeUndefined();
	expect(stream.group).toEqual(['trigger']);
	// the same filter options as the HTTP trigger
	const optionNames = (type: typeof node) => (type.properties.find((p) => p.name === 'options')?.options ?? []).map((o) => o.name);
	expect(optionNames(stream)).toEqual([...optionNames(trigger), 'idleTimeoutSeconds']);
	for (const type of [node, trigger, stream]) {
		expect((type as unknown as { codex: { categories: string[] } }).codex.categories).toEqual(['Communication']);
	}

	// the icons resolve to files inside the package, as n8n serves them
	for (const icon of [...loader.types.nodes, ...loader.types.credentials].map((type) => type.iconUrl)) {
		expect(icon).toEqual({
			light: 'icons/n8n-nodes-dingtalk-robot/dist/icons/dingtalk.svg',
			dark: 'icons/n8n-nodes-dingtalk-robot/dist/icons/dingtalk.dark.svg',
		});
	}
	expect(readFileSync(join(packageDir, 'dist/icons/dingtalk.svg'), 'utf8')).toMatch(/^<svg /);
});

test('require(\'n8n-nodes-dingtalk-robot\') gives the classes and the signing helpers', () => {
	const pkg = require(packageDir);
	expect(new pkg.DingTalkRobot().description.name).toBe('dingTalkRobot');
	expect(new pkg.DingTalkRobotApi().name).toBe('dingTalkRobotApi');
	expect(new pkg.DingTalkRobotTrigger().description.name).toBe('dingTalkRobotTrigger');
	expect(new pkg.DingTalkRobotCallbackApi().name).toBe('dingTalkRobotCallbackApi');
	expect(new pkg.DingTalkStreamTrigger().description.name).toBe('dingTalkStreamTrigger');
	expect(new pkg.DingTalkAppApi().name).toBe('dingTalkAppApi');
	expect(new pkg.DingTalkAiCard().description.name).toBe('dingTalkAiCard');
	// Python: base64(hmac.new(b'this is secret', b'1577808000000\nthis is secret', sha256).digest())
	expect(pkg.computeDingTalkSign('this is secret', 1577808000000)).toBe('ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=');
});
