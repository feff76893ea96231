#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run test:e2e: the package as users install it, in real n8n processes of both majors.
 * For each n8n: `npm pack` this package, install the tarball into a fresh N8N_USER_FOLDER's
 * .n8n/nodes, start the DingTalk simulator, `n8n import:credentials` / `n8n import:workflow`
 * the workflows in test/e2e/workflows, run each with `n8n execute --id`, and check what the
 * simulator received and what the execution reported. Then the trigger: its workflows are made
 * active, `n8n start` serves their webhooks and the simulator delivers DingTalk callbacks
 * (triggerCases.js). Then the Stream trigger: its workflows are made active, n8n starts again and
 * opens its Stream connection to the simulator's gateway (streamCases.js); in the same n8n, messages
 * with pictures, voice notes, videos and files through both triggers with Download Attachments
 * (mediaCases.js). Then the AI examples with their AI cards (aiCardCases.js), then the card buttons
 * example and card clicks over HTTP (cardActionCases.js). Then Send and Wait for Response: its
 * workflows are made active, n8n starts again, and a person answers the cards it sends
 * (sendAndWaitCases.js). Last, the same features in a queue-mode n8n (Redis, PostgreSQL, main +
 * two workers: queueCases.js). Ends with a table and a plain "N passed, N failed" line.
 * E2E_TARGETS=1 or =2 runs one major only; E2E_CASES=e2eAllTypes,trigger,stream,media,aiCard,cardActions,sendAndWait,queue picks cases.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { DingTalkSimulator } = require('../../simulator');
const { TARGETS, ensureN8n, installPackage, n8nEnv, packPackage } = require('./n8nInstalls');
const { addStreamApps, runStreamCases, streamCredentials, writeStreamEchoBot } = require('./streamCases');
const { APP_CASES, addAppRobotFixtures, appRobotCredentials } = require('./appRobotCases');
const { CALLBACK_CREDENTIALS, runTriggerCases, writeWorkflows } = require('./triggerCases');
const { addAiCardFixtures, aiCardCredentials, runAiCardCases, writeAiCardWorkflows } = require('./aiCardCases');
const { addCardActionFixtures, cardActionCredentials, runCardActionCases, writeCardActionWorkflows } = require('./cardActionCases');
const { addMediaFixtures, mediaCredentials } = require('./mediaCases');
const { SEND_WAIT_ROBOT, runSendAndWaitCases } = require('./sendAndWaitCases');
const { runQueueCases } = require('./queueCases');
const { addSendAndWaitApp, sendAndWaitAppCredentials, writeSendAndWaitAppWorkflows } = require('./sendAndWaitAppCases');

const log = (/** @type {string} */ text) => process.stdout.write(`${text}\n`);

/** Robots of the simulated group, one per case so their per-minute budgets do not mix. */
const ROBOTS = {
	dtTypes: { accessToken: 'e2eTypesToken', secret: 'SECe2eTypesSecret' },
	dtPlain: { accessToken: 'e2ePlainToken' },
	dtWrongSecret: { accessToken: 'e2eWrongToken', secret: 'SECe2eRightSecret', credentialSecret: 'SECe2eNotTheSecret' },
	dtContinue: { accessToken: 'e2eContinueToken', secret: 'SECe2eContinueSecret' },
	dtBurst: { accessToken: 'e2eBurstToken', secret: 'SECe2eBurstSecret' },
	dtSendWait: SEND_WAIT_ROBOT,
};

/**
 * @typedef {{ ok: boolean, code: number | null, stdout: string, stderr: string }} CliResult
 * @typedef {{ workflow: string, robot: keyof typeof ROBOTS, expected: string, check: (sim: any, run: CliResult, robot: any, target: import('./n8nInstalls').Target) => string[] }} Case
 */

const texts = (/** @type {any} */ sim, /** @type {any} */ robot) => sim.messages(robot.accessToken).map((/** @type {any} */ m) => m.text?.content);

/**
 * The run data n8n's `execute` printed (pretty JSON, from a line "{" to a line "}"; n8n logs it
 * at level info), or undefined.
 */
function runData(/** @type {CliResult} */ run) {
	const lines = run.stdout.split('\n');
	const start = lines.indexOf('{');
	const end = lines.lastIndexOf('}');
	if (start < 0 || end < start) return undefined;
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'));
	} catch {
		return undefined;
	}
}

/** @type {Case[]} */
const CASES = [
	{
		workflow: 'e2eAllTypes',
		robot: 'dtTypes',
		expected: '6 messages, one of each type, all signed',
		check: (sim, run, robot) => {
			const problems = [];
			if (!run.ok) problems.push(`execution failed: ${run.stderr || run.stdout}`.slice(0, 400));
			const types = sim.messages(robot.accessToken).map((/** @type {any} */ m) => m.msgtype).sort();
			const want = ['actionCard', 'feedCard', 'link', 'markdown', 'text', 'text'];
			if (JSON.stringify(types) !== JSON.stringify(want)) problems.push(`received ${types.join(', ')}, expected ${want.join(', ')}`);
			if (!sim.requests.every((/** @type {any} */ r) => r.signatureValid === true)) problems.push('a request had no valid signature');
			const text = sim.messages(robot.accessToken).find((/** @type {any} */ m) => m.msgtype === 'text' && m.at);
			if (text?.text.content !== 'Disk on db-1 is 93% full\n@13800000000') problems.push(`text content ${JSON.stringify(text?.text.content)}`);
			if (JSON.stringify(text?.at) !== JSON.stringify({ atMobiles: ['13800000000'], isAtAll: false })) problems.push(`mention ${JSON.stringify(text?.at)}`);
			return problems;
		},
	},
	{
		workflow: 'e2eUnsigned',
		robot: 'dtPlain',
		expected: '1 message, no signature',
		check: (sim, run, robot) => {
			const problems = [];
			if (!run.ok) problems.push(`execution failed: ${run.stderr || run.stdout}`.slice(0, 400));
			if (JSON.stringify(texts(sim, robot)) !== JSON.stringify(['unsigned: db-1'])) problems.push(`received ${JSON.stringify(texts(sim, robot))}`);
			if (sim.requests.some((/** @type {any} */ r) => r.sign !== null)) problems.push('a request carried a sign');
			return problems;
		},
	},
	{
		workflow: 'e2eWrongSecret',
		robot: 'dtWrongSecret',
		expected: 'execution fails: "the secret does not match"',
		check: (sim, run, robot) => {
			const problems = [];
			if (run.ok) problems.push('the execution did not fail');
			const said = `${run.stdout}\n${run.stderr}`;
			if (!said.includes('DingTalk refused the signature: the secret does not match [errcode 310000: sign not match]')) {
				problems.push(`n8n did not show the readable error; it said: ${said.slice(0, 400)}`);
			}
			if (said.includes(robot.accessToken) || said.includes(robot.credentialSecret)) problems.push('the token or the secret appears in n8n\'s output');
			if (sim.messages(robot.accessToken).length !== 0) problems.push('a message was delivered');
			return problems;
		},
	},
	{
		workflow: 'e2eContinueOnFail',
		robot: 'dtContinue',
		expected: '2 messages + 1 error item, in order',
		check: (sim, run, robot) => {
			const problems = [];
			if (!run.ok) problems.push(`execution failed: ${run.stderr || run.stdout}`.slice(0, 400));
			if (JSON.stringify(texts(sim, robot)) !== JSON.stringify(['first', 'third'])) problems.push(`received ${JSON.stringify(texts(sim, robot))}`);
			const output = runData(run)?.data?.resultData?.runData?.['DingTalk Robot']?.[0]?.data?.main?.[0];
			const errors = (output ?? []).map((/** @type {any} */ o) => o.json.error ?? null);
			if (JSON.stringify(errors) !== JSON.stringify([null, 'Item 1: "Content" is required', null])) problems.push(`output errors ${JSON.stringify(errors)}`);
			return problems;
		},
	},
	{
		workflow: 'e2eBurst50',
		robot: 'dtBurst',
		expected: '50 messages, paired, none throttled (paced: about 2 minutes)',
		check: (sim, run, robot) => {
			const problems = [];
			if (!run.ok) problems.push(`execution failed: ${run.stderr || run.stdout}`.slice(0, 400));
			const want = Array.from({ length: 50 }, (_, n) => `alert #${n} on web-${n}`);
			if (JSON.stringify(texts(sim, robot)) !== JSON.stringify(want)) problems.push(`received ${texts(sim, robot).length} of 50, or out of order`);
			const throttled = sim.requests.filter((/** @type {any} */ r) => r.errcode === 410100).length;
			if (throttled) problems.push(`${throttled} requests were throttled`);
			const output = runData(run)?.data?.resultData?.runData?.['DingTalk Robot']?.[0]?.data?.main?.[0] ?? [];
			const paired = output.map((/** @type {any} */ o) => JSON.stringify(o.pairedItem));
			if (output.length !== 50 || paired.some((/** @type {string} */ p, /** @type {number} */ i) => !p.includes(`"item":${i}`))) {
				problems.push(`output has ${output.length} items or wrong pairing`);
			}
			return problems;
		},
	},
];

/** Runs the n8n CLI of an install; resolves with its result (never rejects). */
function n8n(/** @type {any} */ installed, /** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ env) {
	return /** @type {Promise<CliResult>} */ (
		new Promise((resolve) => {
			const child = spawn(installed.node, [installed.n8nBin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (chunk) => (stdout += chunk));
			child.stderr.on('data', (chunk) => (stderr += chunk));
			child.on('close', (code) => resolve({ ok: code === 0, code, stdout, stderr }));
		})
	);
}

async function runTarget(/** @type {import('./n8nInstalls').Target} */ target, /** @type {import('./n8nInstalls').Installed} */ installed, /** @type {string} */ tarball) {
	log(`\n== ${target.label}`);
	const userFolder = mkdtempSync(path.join(os.tmpdir(), `dingtalk-e2e-n8n-${target.n8nVersion}-`));
	installPackage(installed, userFolder, tarball);

	const sim = new DingTalkSimulator();
	for (const robot of Object.values(ROBOTS)) sim.addRobot({ accessToken: robot.accessToken, secret: robot.secret });
	addStreamApps(sim);
	addAppRobotFixtures(sim);
	addAiCardFixtures(sim);
	addCardActionFixtures(sim);
	addMediaFixtures(sim);
	addSendAndWaitApp(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });

	// `n8n execute` prints the run data at level info
	const env = n8nEnv(installed, userFolder, { N8N_LOG_LEVEL: 'info' });
	const credentialsFile = path.join(userFolder, 'credentials.json');
	writeFileSync(
		credentialsFile,
		JSON.stringify([
			...Object.entries(ROBOTS).map(([id, robot]) => ({
				id,
				name: id,
				type: 'dingTalkRobotApi',
				data: {
					accessToken: sim.webhookUrl(robot.accessToken),
					secret: 'credentialSecret' in robot ? robot.credentialSecret : robot.secret ?? '',
					plainHttpHosts: sim.host ?? '',
				},
			})),
			...CALLBACK_CREDENTIALS,
			...streamCredentials(sim),
			...appRobotCredentials(sim),
			...aiCardCredentials(sim),
			...cardActionCredentials(sim),
			...mediaCredentials(sim),
			...sendAndWaitAppCredentials(sim),
		]),
	);
	const workflowsDir = path.join(userFolder, 'workflows');
	writeWorkflows(workflowsDir, sim.host ?? '');
	writeStreamEchoBot(workflowsDir, sim.host ?? '');
	writeAiCardWorkflows(workflowsDir);
	writeCardActionWorkflows(workflowsDir);
	// the example Stream echo bot again, on the media cases' app of its own
	writeStreamEchoBot(workflowsDir, sim.host ?? '', { id: 'e2eMediaStreamEcho', credential: { id: mediaCredentials(sim)[0].id, name: mediaCredentials(sim)[0].name } });
	writeSendAndWaitAppWorkflows(workflowsDir);
	const only = process.env.E2E_CASES?.split(',');

	/** @type {Array<{ target: string, workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	try {
		for (const [what, args] of /** @type {Array<[string, string[]]>} */ ([
			['import:credentials', ['import:credentials', `--input=${credentialsFile}`]],
			['import:workflow', ['import:workflow', '--separate', `--input=${workflowsDir}`]],
		])) {
			const result = await n8n(installed, args, env);
			if (!result.ok) throw new Error(`n8n ${what} failed:\n${result.stdout}\n${result.stderr}`);
		}
		for (const testCase of [...CASES, ...APP_CASES].filter((c) => !only || only.includes(c.workflow) || (only.includes('app') && c.workflow.startsWith('e2eApp')))) {
			sim.reset();
			if ('before' in testCase) testCase.before?.(sim);
			const started = Date.now();
			const run = await n8n(installed, ['execute', `--id=${testCase.workflow}`, '--rawOutput'], env);
			const robot = 'robot' in testCase ? ROBOTS[testCase.robot] : undefined;
			const problems = testCase.check(sim, run, robot, target);
			if (process.env.E2E_DEBUG) writeFileSync(path.join(os.tmpdir(), `e2e-${target.n8nVersion}-${testCase.workflow}.out`), `${run.stdout}\n----stderr----\n${run.stderr}`);
			const delivered = 'delivered' in testCase ? testCase.delivered(sim) : sim.messages(robot?.accessToken).length;
			log(`  ${problems.length ? 'FAIL' : 'pass'}  ${testCase.workflow} (${((Date.now() - started) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ target: target.label, workflow: testCase.workflow, expected: testCase.expected, delivered, problems });
		}
		if (!only || only.includes('trigger')) {
			const triggerRows = await runTriggerCases({ installed, target, env, sim, n8n, log });
			rows.push(...triggerRows.map((row) => ({ target: target.label, ...row })));
		}
		// the media cases run in the n8n the Stream cases start (or, alone, in one of their own)
		const stream = !only || only.includes('stream');
		const media = !only || only.includes('media');
		if (stream || media) {
			const streamRows = await runStreamCases({ installed, target, env, sim, n8n, log, stream, media });
			rows.push(...streamRows.map((row) => ({ target: target.label, ...row })));
		}
		if (!only || only.includes('aiCard')) {
			const aiRows = await runAiCardCases({ installed, target, env, sim, n8n, log });
			rows.push(...aiRows.map((row) => ({ target: target.label, ...row })));
		}
		if (!only || only.includes('cardActions')) {
			const cardRows = await runCardActionCases({ installed, target, env, sim, n8n, log });
			rows.push(...cardRows.map((row) => ({ target: target.label, ...row })));
		}
		// both robots' Send and Wait cases in one n8n (sendAndWaitCases.js starts it), after the others: the app
		// robot's workflows are active while they run, and made inactive again after
		const sendAndWaitGroup = !only || only.includes('sendAndWait');
		const sendAndWaitApp = !only || only.includes('sendAndWaitApp');
		if (sendAndWaitGroup || sendAndWaitApp) {
			const sendAndWaitRows = await runSendAndWaitCases({ installed, target, env, sim, n8n, log, group: sendAndWaitGroup, app: sendAndWaitApp });
			rows.push(...sendAndWaitRows.map((row) => ({ target: target.label, ...row })));
		}
		if (!only || only.includes('queue')) {
			const queueRows = await runQueueCases({ installed, target, tarball, sim, log });
			rows.push(...queueRows.map((row) => ({ target: target.label, ...row })));
		}
	} finally {
		await sim.stop();
		// a failed case's n8n database holds the executions' errors: kept to be read (CI's machine is thrown away)
		if (rows.some((row) => row.problems?.length)) log(`  n8n's user folder kept for its executions: ${userFolder}`);
		else rmSync(userFolder, { recursive: true, force: true });
	}
	return rows;
}

async function main() {
	const only = process.env.E2E_TARGETS?.split(',').map((v) => v.trim());
	const targets = TARGETS.filter((t) => !only || only.includes(t.n8nVersion.split('.')[0]) || only.includes(t.n8nVersion));
	// every n8n is installed and checked before any case runs: a broken install is one clear line
	const installs = [];
	for (const target of targets) {
		log(`== ${target.label}: install`);
		try {
			installs.push({ target, installed: ensureN8n(target) });
		} catch (error) {
			log(`\ne2e setup failed: ${String(/** @type {Error} */ (error).message).split('\n')[0]}`);
			process.exit(1);
		}
	}
	const tarball = packPackage();
	log(`packed ${path.basename(tarball)}`);
	const rows = [];
	for (const { target, installed } of installs) {
		try {
			rows.push(...(await runTarget(target, installed, tarball)));
		} catch (error) {
			const problem = String(/** @type {Error} */ (error).message).slice(0, 800);
			log(`  FAIL  ${target.label}: ${problem}`);
			rows.push({ target: target.label, workflow: '(setup)', expected: 'n8n installs and imports', delivered: 0, problems: [problem] });
		}
	}
	rmSync(path.dirname(tarball), { recursive: true, force: true });

	const width = Math.max(...rows.map((r) => r.target.length));
	log('\n| n8n | workflow | expected | delivered | result |\n| --- | --- | --- | --- | --- |');
	for (const r of rows) log(`| ${r.target.padEnd(width)} | ${r.workflow} | ${r.expected} | ${r.delivered} | ${r.problems.length ? 'FAIL' : 'pass'} |`);
	const failed = rows.filter((r) => r.problems.length).length;
	log(`\ne2e: ${rows.length - failed} passed, ${failed} failed`);
	process.exitCode = failed || rows.length === 0 ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
