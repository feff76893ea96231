#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run screenshots: pictures of the node's forms (text and actionCard), the credential
 * forms, the triggers' forms (HTTP and Stream) and the app robot's form in the real n8n editor, for the README (docs/*.png). Starts n8n 1.123.50 with this
 * package (as npm run dev does, in a throw-away user folder) and drives Debian's Chromium
 * (package `chromium`) with playwright-core; no browser is downloaded. Then a picture someone
 * sends the Stream echo bot, as the editor shows it (docs/trigger-attachment.png): the trigger
 * listens for a test event, the simulator pushes a chart the browser drew, and the next node
 * shows the trigger's item with its attachment and the file as binary data attachment_0.
 */
const { execFileSync, spawn } = require('node:child_process');
const { rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const { DingTalkSimulator } = require('../simulator');
const { activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { addAppRobotFixtures, appRobotCredentials } = require('../test/e2e/appRobotCases');
const { APP: STREAM_APP, addStreamApps, streamCredentials, writeStreamEchoBot } = require('../test/e2e/streamCases');
const { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, WEBHOOKS, freePort, waitForReplies, writeWorkflows } = require('../test/e2e/triggerCases');

const root = path.join(__dirname, '..');
const OWNER = { email: 'owner@example.com', firstName: 'Demo', lastName: 'Owner', password: 'DingTalk-Demo-2026' };

async function waitFor(/** @type {string} */ url, /** @type {number} */ timeoutMs) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		try {
			if ((await fetch(url)).ok) return;
		} catch {
			// not up yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** A small PNG of a chart, drawn by the browser: the picture someone sends the robot. */
async function drawChart(/** @type {import('playwright-core').BrowserContext} */ context) {
	const page = await context.newPage();
	await page.setViewportSize({ width: 360, height: 200 });
	await page.setContent(
		'<body style="margin:0;font:14px sans-serif;background:#fff"><div style="padding:12px"><b>web-1 CPU, last 24 h</b>' +
			'<svg width="336" height="150" viewBox="0 0 336 150"><polyline fill="none" stroke="#1677ff" stroke-width="3" points="0,120 30,110 60,115 90,80 120,90 150,60 180,70 210,30 240,45 270,40 300,95 336,100"/>' +
			'<line x1="0" y1="40" x2="336" y2="40" stroke="#f5222d" stroke-dasharray="4"/></svg></div></body>',
	);
	const png = await page.screenshot({ type: 'png' });
	await page.close();
	return png;
}

async function main() {
	const { installed, work } = freshN8nWithPackage('dingtalk-screens-');
	// free ports: n8n's defaults (5678, and 5679 for its task broker) may be taken by another n8n, e.g. an e2e run's
	const PORT = await freePort();
	const BASE = `http://127.0.0.1:${PORT}`;

	const sim = new DingTalkSimulator();
	sim.addRobot({ accessToken: 'screens-token', secret: 'SECscreens-secret' });
	addStreamApps(sim);
	addAppRobotFixtures(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	const env = n8nEnv(installed, work, { N8N_PORT: String(PORT), N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
	writeFileSync(
		path.join(work, 'credentials.json'),
		JSON.stringify([
			{ id: 'dtTypes', name: 'DingTalk robot (simulator)', type: 'dingTalkRobotApi', data: { accessToken: sim.webhookUrl('screens-token'), secret: 'SECscreens-secret', keywords: '', plainHttpHosts: sim.host ?? '' } },
			...CALLBACK_CREDENTIALS,
			...streamCredentials(sim),
			...appRobotCredentials(sim),
		]),
	);
	const workflows = path.join(work, 'workflows');
	writeWorkflows(workflows, sim.host ?? '', ['all-message-types.json', 'app-group.json']);
	writeStreamEchoBot(workflows, sim.host ?? '');
	for (const args of [
		['import:credentials', `--input=${path.join(work, 'credentials.json')}`],
		['import:workflow', '--separate', `--input=${workflows}`],
		activateWorkflowArgs(installed.n8nVersion, 'e2eEchoBot'),
	]) {
		execFileSync(installed.node, [installed.n8nBin, ...args], { env, stdio: 'ignore' });
	}

	const n8n = spawn(installed.node, [installed.n8nBin, 'start'], { env, stdio: 'ignore' });
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		// /healthz answers before the REST API is mounted: wait for the API itself
		await waitFor(`${BASE}/rest/settings`, 180000);
		const setup = await fetch(`${BASE}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(OWNER) });
		if (!setup.ok) throw new Error(`owner setup: HTTP ${setup.status} ${await setup.text()}`);
		const cookie = /n8n-auth=([^;]+)/.exec(setup.headers.get('set-cookie') ?? '')?.[1];
		if (!cookie) throw new Error('owner setup gave no n8n-auth cookie');

		const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
		await context.addCookies([{ name: 'n8n-auth', value: cookie, url: BASE }]);
		const page = await context.newPage();

		const openNode = async (/** @type {string} */ name, /** @type {string} */ file, workflow = 'e2eAllTypes') => {
			await page.goto(`${BASE}/workflow/${workflow}`, { waitUntil: 'networkidle' });
			// select the node on the canvas, then open it (Enter), as a keyboard user would
			await page.locator('.vue-flow__node', { hasText: name }).first().click({ force: true });
			await page.keyboard.press('Enter');
			await page.getByText('Parameters', { exact: true }).first().waitFor();
			await page.waitForTimeout(800);
			await page.screenshot({ path: path.join(root, 'docs', file) });
			console.log(`docs/${file}`);
		};
		await openNode('Send text', 'editor-text-node.png');
		await openNode('Send actionCard', 'editor-actioncard-node.png');

		await page.goto(`${BASE}/home/credentials/dtTypes`, { waitUntil: 'networkidle' });
		await page.getByText('Webhook URL or Access Token').first().waitFor();
		await page.waitForTimeout(800);
		await page.screenshot({ path: path.join(root, 'docs', 'editor-credential.png') });
		console.log('docs/editor-credential.png');

		await openNode('DingTalk Robot Trigger', 'editor-trigger-node.png', 'e2eEchoBot');
		await openNode('Reply pong', 'editor-reply-node.png', 'e2eEchoBot');
		await openNode('DingTalk Stream Trigger', 'editor-stream-trigger-node.png', 'e2eStreamEcho');
		await openNode('Send text', 'editor-app-robot-node.png', 'e2eAppGroup');
		await openNode('Recall text', 'editor-recall-node.png', 'e2eAppGroup');

		await page.goto(`${BASE}/home/credentials/dtApp`, { waitUntil: 'networkidle' });
		await page.getByText('Client Secret').first().waitFor();
		await page.waitForTimeout(800);
		await page.screenshot({ path: path.join(root, 'docs', 'editor-app-credential.png') });
		console.log('docs/editor-app-credential.png');

		// a picture sent to the Stream echo bot, as the editor shows the item: the trigger listens for a
		// test event ("Execute step"), the simulator pushes a chart the browser drew, then the next node
		// ("Is it a picture?", run up to there) shows the trigger's item (attachments) and the binary
		await page.goto(`${BASE}/workflow/e2eStreamEcho`, { waitUntil: 'networkidle' });
		await page.locator('.vue-flow__node', { hasText: 'DingTalk Stream Trigger' }).first().click({ force: true });
		await page.keyboard.press('Enter');
		await page.getByText('Parameters', { exact: true }).first().waitFor();
		const chart = await drawChart(context);
		await page.locator('button', { hasText: 'Execute step' }).first().click();
		// nothing outside the editor tells when the test listening joined the connection: it is at once
		await page.waitForTimeout(3000);
		sim.pushRobotMessage(STREAM_APP.clientId, { msgtype: 'picture', file: { bytes: chart, name: 'cpu.png' }, sender: { nick: 'Zhang San', staffId: 'manager4521' } });
		await page.getByText('attachment_0').first().waitFor({ timeout: 30000 });
		await page.waitForTimeout(1000);
		await page.getByText('Back to canvas').first().click();
		await page.waitForTimeout(800);
		await page.locator('.vue-flow__node', { hasText: 'Is it a picture?' }).first().click({ force: true });
		await page.keyboard.press('Enter');
		await page.getByText('Conditions', { exact: true }).first().waitFor();
		await page.waitForTimeout(800);
		await page.locator('button', { hasText: 'Execute step' }).first().click();
		await page.getByText('True Branch (1 item)').first().waitFor({ timeout: 30000 });
		await page.setViewportSize({ width: 1920, height: 1000 });
		const input = page.locator('[data-test-id="ndv-input-panel"]');
		await input.locator('[data-test-id="radio-button-schema"]').click();
		await page.waitForTimeout(1000);
		// the fields that would push attachments out of view, folded
		for (const field of ['sender', 'conversation', 'raw']) {
			const row = input.locator('[data-test-id="run-data-schema-item"]').filter({ has: page.locator(`[data-path=".${field}"]`) }).first();
			if (await row.count()) await row.locator('.toggle-container').first().click();
			await page.waitForTimeout(300);
		}
		await input.locator('[data-test-id="run-data-schema-item"]').first().evaluate((element) => {
			for (let node = element.parentElement; node; node = node.parentElement) if (node.scrollHeight > node.clientHeight + 1) node.scrollTop = 0;
		});
		// "Node executed successfully" and the like: closed, not in the picture
		for (const close of await page.locator('.el-notification__closeBtn').all()) await close.click().catch(() => undefined);
		await page.mouse.move(1000, 700);
		await page.waitForTimeout(800);
		await page.screenshot({ path: path.join(root, 'docs', 'trigger-attachment.png') });
		console.log('docs/trigger-attachment.png');
		await page.setViewportSize({ width: 1400, height: 900 });

		// the echo bot, live: DingTalk's callbacks (from the simulator) and the replies, as the group shows them
		const echoBot = `${BASE}/webhook/${WEBHOOKS.e2eEchoBot}`;
		sim.reset();
		for (const text of ['ping', 'what can you do?']) {
			const { request } = await sim.deliverCallback(echoBot, { appSecret: CALLBACK_SECRETS.appSecret, text, sender: { nick: 'Zhang San', staffId: 'manager4521' } });
			await waitForReplies(sim, request.sessionId, 20000);
		}
		const groupPage = await context.newPage();
		await groupPage.setViewportSize({ width: 900, height: 560 });
		await groupPage.goto(`${sim.baseUrl}/`, { waitUntil: 'networkidle' });
		await groupPage.screenshot({ path: path.join(root, 'docs', 'trigger-conversation.png') });
		console.log('docs/trigger-conversation.png');
	} finally {
		await browser.close();
		n8n.kill('SIGTERM');
		await sim.stop();
		await new Promise((resolve) => n8n.on('close', resolve));
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
