#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run screenshots:send-and-wait: the README's pictures of Send and Wait for Response with the
 * group robot, taken from a real run: n8n 1.123.50 with this package (`n8n start`, a throw-away
 * user folder) sends the e2e's approval and free-text cards to the DingTalk simulator; headless
 * Chromium (Debian packages `chromium` and, for the ✅ of a decided card, `fonts-noto-color-emoji`) takes
 * - docs/send-and-wait-card.png: the simulated group with the actionCard (before the decision),
 * - docs/send-and-wait-recorded.png: the page n8n shows after Approve was tapped,
 * - docs/send-and-wait-form.png: the Free Text card's form page (n8n's own form).
 * Chromium opens the links with DingTalk's User-Agent (a headless browser's own is taken for a
 * link preview, which records nothing).
 * Then, in the same n8n, the app robot's (the e2e's sendAndWaitAppCases.js: a Stream Trigger
 * workflow with Events Card Button Clicks holds the card connection, a Webhook-started workflow
 * sends the approval card and waits), after the simulator's group page was cleared (reset()):
 * - docs/send-and-wait-app-card.png: the group page with the card before the decision,
 * - docs/send-and-wait-app-decided.png: the same page after the approver clicked Approve over
 *   Stream (the card updated by the node: the decision shown, buttons disabled; the workflow's
 *   report below it).
 */
const { execFile, execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');

const { DingTalkSimulator } = require('../simulator');
const { DINGTALK_USER_AGENT, pageOfLink } = require('../simulator/browser');
const { activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { APP, APPROVER, GROUP, SEND_AND_WAIT_APP_WORKFLOWS, WEBHOOK_PATHS, addSendAndWaitApp, ask, sendAndWaitAppCredentials, writeSendAndWaitAppWorkflows } = require('../test/e2e/sendAndWaitAppCases');
const { SEND_WAIT_ROBOT } = require('../test/e2e/sendAndWaitCases');
const { freePort, startN8n, waitFor, writeWorkflows } = require('../test/e2e/triggerCases');

const docs = path.join(__dirname, '..', 'docs');
/** the window of the app robot's pictures: the card and, after the decision, the workflow's report */
const APP_SIZE = '560,520';

/** @param {string} url @param {string} file @param {string} size */
async function screenshot(url, file, size) {
	const profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-'));
	try {
		await promisify(execFile)('chromium', [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			`--user-data-dir=${profile}`, '--hide-scrollbars', `--window-size=${size}`, `--user-agent=${DINGTALK_USER_AGENT}`,
			`--screenshot=${file}`, url,
		], { timeout: 60000 });
	} finally {
		rmSync(profile, { recursive: true, force: true });
	}
	console.log(`  ${path.relative(process.cwd(), file)}`);
}

async function main() {
	const { installed, work } = freshN8nWithPackage('dingtalk-send-wait-pictures-');
	const sim = new DingTalkSimulator();
	sim.addRobot(SEND_WAIT_ROBOT);
	addSendAndWaitApp(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const env = n8nEnv(installed, work, { N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), WEBHOOK_URL: `${base}/` });
	/** @type {{ stop: () => Promise<void> } | undefined} */
	let running;
	try {
		writeFileSync(path.join(work, 'credentials.json'), JSON.stringify([
			{ id: 'dtSendWait', name: 'dtSendWait', type: 'dingTalkRobotApi', data: { accessToken: sim.webhookUrl(SEND_WAIT_ROBOT.accessToken), secret: SEND_WAIT_ROBOT.secret, plainHttpHosts: sim.host ?? '' } },
			...sendAndWaitAppCredentials(sim),
		]));
		const workflows = path.join(work, 'workflows');
		writeWorkflows(workflows, sim.host ?? '', ['send-and-wait-ping.json', 'send-and-wait-approval.json', 'send-and-wait-text.json']);
		writeSendAndWaitAppWorkflows(workflows);
		for (const args of [
			['import:credentials', `--input=${path.join(work, 'credentials.json')}`],
			['import:workflow', '--separate', `--input=${workflows}`],
			activateWorkflowArgs(installed.n8nVersion, 'e2eSendWaitPing'),
			activateWorkflowArgs(installed.n8nVersion, 'e2eSendWaitApproval'),
			activateWorkflowArgs(installed.n8nVersion, 'e2eSendWaitText'),
			...SEND_AND_WAIT_APP_WORKFLOWS.map((id) => activateWorkflowArgs(installed.n8nVersion, id)),
		]) {
			execFileSync(installed.node, [installed.n8nBin, ...args], { env, stdio: 'ignore' });
		}
		running = await startN8n(installed, env, `${base}/webhook/dt-send-wait-ping`);
		/** the buttons of the card a workflow sent for a ticket */
		const send = async (/** @type {string} */ webhookPath, /** @type {string} */ ticket) => {
			await fetch(`${base}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
			const index = await waitFor(() => {
				const found = sim.messages(SEND_WAIT_ROBOT.accessToken).findIndex((/** @type {any} */ m) => m.actionCard?.text?.includes(ticket));
				return found < 0 ? undefined : found;
			}, 30_000);
			if (index === undefined) throw new Error(`no card for ${ticket}`);
			return sim.buttons(SEND_WAIT_ROBOT.accessToken).filter((/** @type {any} */ b) => b.message === index);
		};
		console.log('Send and Wait for Response pictures:');
		const text = await send('dt-send-wait-text', 'R-2077');
		const approval = await send('dt-send-wait-approval', 'R-1042');
		await screenshot(`${sim.baseUrl}/`, path.join(docs, 'send-and-wait-card.png'), '560,370');
		const approve = approval.find((/** @type {any} */ b) => b.title === 'Approve');
		if (!approve) throw new Error('the approval card has no Approve button');
		await screenshot(pageOfLink(approve.url), path.join(docs, 'send-and-wait-recorded.png'), '420,190');
		await screenshot(pageOfLink(text[0].url), path.join(docs, 'send-and-wait-form.png'), '520,370');

		// the app robot: the group page shows only its card from here on (reset() keeps the Stream connection)
		sim.reset();
		const connected = await waitFor(() => (sim.streamConnections(APP.clientId).some((/** @type {any} */ c) => c.state === 'open') ? true : undefined), 90_000);
		if (!connected) throw new Error('the Stream trigger did not connect');
		const card = await ask(sim, base, WEBHOOK_PATHS.approval);
		await screenshot(`${sim.baseUrl}/`, path.join(docs, 'send-and-wait-app-card.png'), APP_SIZE);
		const click = await sim.clickCardButton(card.outTrackId, { userId: APPROVER, actionId: 'n8n_approve' });
		if (!click.applied) throw new Error(`the click was not applied: ${JSON.stringify({ answer: click.answer, error: click.error })}`);
		const reported = await waitFor(() => (sim.groupMessages(GROUP).length ? true : undefined), 30_000);
		if (!reported || sim.card(card.outTrackId)?.cardParamMap.approveDisabled !== 'true') throw new Error('the card was not decided or the workflow did not report');
		await screenshot(`${sim.baseUrl}/`, path.join(docs, 'send-and-wait-app-decided.png'), APP_SIZE);
	} finally {
		await running?.stop();
		await sim.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
