#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run screenshots: pictures of the node's forms (text and actionCard), the credential
 * forms, the triggers' forms (HTTP and Stream) and the app robot's form in the real n8n editor, for the README (docs/*.png). Starts n8n 1.123.50 with this
 * package (as npm run dev does, in a throw-away user folder) and drives Debian's Chromium
 * (package `chromium`) with playwright-core; no browser is downloaded.
 */
const { execFileSync, spawn } = require('node:child_process');
const { rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const { DingTalkSimulator } = require('../simulator');
const { activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { addAppRobotFixtures, appRobotCredentials } = require('../test/e2e/appRobotCases');
const { addStreamApps, streamCredentials, writeStreamEchoBot } = require('../test/e2e/streamCases');
const { CALLBACK_CREDENTIALS, CALLBACK_SECRETS, WEBHOOKS, waitForReplies, writeWorkflows } = require('../test/e2e/triggerCases');

const root = path.join(__dirname, '..');
const PORT = 5679;
const BASE = `http://127.0.0.1:${PORT}`;
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

async function main() {
	const { installed, work } = freshN8nWithPackage('dingtalk-screens-');

	const sim = new DingTalkSimulator();
	sim.addRobot({ accessToken: 'screens-token', secret: 'SECscreens-secret' });
	addStreamApps(sim);
	addAppRobotFixtures(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	const env = n8nEnv(installed, work, { N8N_PORT: String(PORT) });
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
