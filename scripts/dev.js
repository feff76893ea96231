#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run dev: try the node on the n8n canvas without a DingTalk account. Starts the DingTalk
 * simulator and n8n 1.123.50 (installed once into the e2e cache) with this package installed
 * from its packed tarball, credentials pointing at the simulator (group robot, HTTP trigger, DingTalk
 * app), the end-to-end example workflows imported and the two echo bots (HTTP and Stream) active;
 * n8n listens on http://localhost:5678. Ctrl-C stops both.
 *
 * The n8n user folder (.dev/n8n, ignored by git) is kept between runs; the package is
 * reinstalled from the current build every time.
 */
const { execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { DingTalkSimulator } = require('../simulator');
const { TARGETS, activateWorkflowArgs, ensureN8n, installPackage, n8nEnv, packPackage } = require('../test/e2e/n8nInstalls');
const { GROUP, addAppRobotFixtures, appRobotCredentials } = require('../test/e2e/appRobotCases');
const { APP: STREAM_APP, addStreamApps, streamCredentials, writeStreamEchoBot } = require('../test/e2e/streamCases');
const { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, WEBHOOKS, writeWorkflows } = require('../test/e2e/triggerCases');

const root = path.join(__dirname, '..');
const ECHO_BOT_WEBHOOK = WEBHOOKS.e2eEchoBot;
const PORT = Number(process.env.N8N_PORT || 5678);
const SIMULATOR_PORT = Number(process.env.SIMULATOR_PORT || 8790);
const ROBOT = { accessToken: 'dev-token', secret: 'SECdev-secret' };

async function main() {
	const installed = ensureN8n(TARGETS[0]);
	const tarball = packPackage();
	const userFolder = path.join(root, '.dev', 'n8n');
	installPackage(installed, userFolder, tarball);
	rmSync(path.dirname(tarball), { recursive: true, force: true });

	const sim = new DingTalkSimulator();
	sim.addRobot(ROBOT);
	for (const token of ['e2eTypesToken', 'e2ePlainToken', 'e2eWrongToken', 'e2eContinueToken', 'e2eBurstToken']) sim.addRobot({ accessToken: token });
	// the DingTalk app of the Stream echo bot, and the app robot's group and users
	addStreamApps(sim);
	addAppRobotFixtures(sim);
	// the group simulated messages come from (and their sender), with the Stream app's robot in it:
	// the Stream echo bot sends a picture back there (or one-to-one to the sender)
	sim.addGroup({ openConversationId: 'cidSimulatorGroup0001', title: 'n8n test group', robotCodes: [STREAM_APP.clientId] });
	sim.addUser({ userId: 'manager4521', name: 'Zhang San' });
	// for `node simulator/cli.js stream-push`: someone writing to the app robot
	sim.enableControl();
	sim.onRequest((r) => console.log(`[simulator] ${r.msgtype ?? '-'} errcode=${r.errcode ?? r.status} signature=${r.signatureValid === null ? 'n/a' : r.signatureValid ? 'valid' : 'INVALID'}`));
	await sim.start({ host: '127.0.0.1', port: SIMULATOR_PORT });

	const env = n8nEnv(installed, userFolder, { N8N_PORT: String(PORT) });
	const credentials = ['dtTypes', 'dtPlain', 'dtWrongSecret', 'dtContinue', 'dtBurst'].map((id) => ({
		id,
		name: `Simulator robot (${id})`,
		type: 'dingTalkRobotApi',
		data: { accessToken: sim.webhookUrl(ROBOT.accessToken), secret: ROBOT.secret, plainHttpHosts: sim.host ?? '' },
	}));
	const importDir = mkdtempSync(path.join(os.tmpdir(), 'dingtalk-dev-import-'));
	writeFileSync(
		path.join(importDir, 'credentials.json'),
		JSON.stringify([...credentials, ...CALLBACK_CREDENTIALS, ...streamCredentials(sim), ...appRobotCredentials(sim)]),
	);
	// the example echo bots, active, their replies allowed to the simulator's 127.0.0.1 sessions
	writeWorkflows(path.join(importDir, 'workflows'), sim.host ?? '');
	writeStreamEchoBot(path.join(importDir, 'workflows'), sim.host ?? '');
	for (const args of [
		['import:credentials', `--input=${path.join(importDir, 'credentials.json')}`],
		['import:workflow', '--separate', `--input=${path.join(importDir, 'workflows')}`],
		activateWorkflowArgs(installed.n8nVersion, 'e2eEchoBot'),
		activateWorkflowArgs(installed.n8nVersion, 'e2eStreamEcho'),
	]) {
		execFileSync(installed.node, [installed.n8nBin, ...args], { env, stdio: 'ignore' });
	}
	rmSync(importDir, { recursive: true, force: true });

	console.log(`
DingTalk simulator: ${sim.baseUrl}/ shows what the robot posted (webhook ${sim.webhookUrl(ROBOT.accessToken)}, secret ${ROBOT.secret})
n8n ${installed.n8nVersion}: http://localhost:${PORT}
  1. Set up the owner account (any e-mail and password; it stays in .dev/n8n).
  2. Open a workflow, e.g. "E2E: every message type from item expressions", and click "Execute workflow".
  3. Open the DingTalk Robot nodes to see the forms; add one from the node panel: search "DingTalk".
  4. Refresh ${sim.baseUrl}/ to see the messages in the simulated group.
  5. Talk to the active example echo bot (examples/echo-bot.json) as DingTalk would:
     node simulator/cli.js callback --url http://127.0.0.1:${PORT}/webhook/${ECHO_BOT_WEBHOOK} --app-secret ${CALLBACK_SECRETS.appSecret} --text ping --wait 10000
  6. Write to the app robot over Stream (examples/stream-echo-bot.json, connected when n8n is up):
     node simulator/cli.js stream-push --simulator ${sim.baseUrl} --client-id ${STREAM_APP.clientId} --text ping
     or send it a picture (it comes back from the app robot, with its size and type):
     node simulator/cli.js stream-push --simulator ${sim.baseUrl} --client-id ${STREAM_APP.clientId} --picture docs/demo-group.png
  7. Send as the app robot: execute "E2E: app robot into a group: text, picture, PDF, then recall"
     (a Code node makes the picture and the PDF), or add a DingTalk Robot node with Send To: App
     Robot (OpenAPI), credential "DingTalk App (robot)", Conversation ID ${GROUP}.
Every credential "Simulator robot (…)" points at the simulator's signed robot; "DingTalk App (…)" at its OpenAPI. Ctrl-C stops n8n and the simulator.
`);
	const n8n = spawn(installed.node, [installed.n8nBin, 'start'], { env, stdio: 'inherit' });
	const stop = () => n8n.kill('SIGTERM');
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	n8n.on('close', async (code) => {
		await sim.stop();
		process.exit(code ?? 0);
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
