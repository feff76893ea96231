#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * npm run demo: one message of every type, sent by this package (the build in dist/) through
 * n8n's workflow engine, to a local DingTalk simulator that checks signatures, fields and limits
 * like DingTalk; then prints what the group received and whether every signature was valid.
 *
 * With DINGTALK_WEBHOOK (and DINGTALK_SECRET, DINGTALK_KEYWORDS) set, the same workflow posts to
 * that real robot instead.
 */
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { executeWorkflow, stopN8nTimers } = require('./lib/n8nEngine');
const { DingTalkSimulator } = require('../simulator');

const dist = path.join(__dirname, '..', 'dist');
const { DingTalkRobot } = require(path.join(dist, 'nodes/DingTalkRobot/DingTalkRobot.node.js'));
const { DingTalkRobotApi } = require(path.join(dist, 'credentials/DingTalkRobotApi.credentials.js'));
/** @type {{ name: string, nodes: any[], connections: any }} */
const demo = require('./demo-workflow.json');

const ROBOT_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobot';
const SIM_TOKEN = 'demo-token';
const SIM_SECRET = 'SECdemo-secret';

/**
 * `--screenshot FILE`: a PNG of the simulated group (the simulator's GET / page), taken with
 * headless Chromium (Debian package `chromium`), for the README.
 * @param {string} url @param {string} file
 */
async function screenshot(url, file) {
	const profile = mkdtempSync(path.join(tmpdir(), 'chromium-'));
	try {
		// asynchronously: the simulator answering Chromium runs in this process
		await promisify(execFile)('chromium', [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			`--user-data-dir=${profile}`, '--hide-scrollbars', '--window-size=640,900',
			`--screenshot=${path.resolve(file)}`, url,
		], { timeout: 60000 });
	} finally {
		rmSync(profile, { recursive: true, force: true });
	}
	console.log(`\nA picture of the simulated group: ${file}`);
}

/** @param {string} text @param {number} width */
const pad = (text, width) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

/** A short, readable rendering of a received message. */
function render(/** @type {any} */ message) {
	const lines = [];
	const at = message.at
		? ` [at: ${[...(message.at.atMobiles ?? []), ...(message.at.atUserIds ?? [])].join(', ') || '-'}${message.at.isAtAll ? ', @all' : ''}]`
		: '';
	switch (message.msgtype) {
		case 'text':
			lines.push(...`${message.text.content}${at}`.split('\n'));
			break;
		case 'markdown':
			lines.push(`title: ${message.markdown.title}${at}`, ...message.markdown.text.split('\n'));
			break;
		case 'link':
			lines.push(`${message.link.title} — ${message.link.text}`, `→ ${message.link.messageUrl}`);
			if (message.link.picUrl) lines.push(`picture: ${message.link.picUrl}`);
			break;
		case 'actionCard':
			lines.push(`title: ${message.actionCard.title}${at}`, ...message.actionCard.text.split('\n'));
			if (message.actionCard.singleURL) lines.push(`[${message.actionCard.singleTitle}] → ${message.actionCard.singleURL}`);
			for (const btn of message.actionCard.btns ?? []) lines.push(`[${btn.title}] → ${btn.actionURL}`);
			break;
		case 'feedCard':
			for (const link of message.feedCard.links) lines.push(`• ${link.title} → ${link.messageURL}`);
			break;
	}
	return lines.map((line) => `    ${line}`).join('\n');
}

async function main() {
	const realWebhook = process.env.DINGTALK_WEBHOOK?.trim();
	/** @type {DingTalkSimulator | undefined} */
	let sim;
	/** @type {Record<string, string>} */
	let credential;
	if (realWebhook) {
		credential = {
			accessToken: realWebhook,
			secret: process.env.DINGTALK_SECRET ?? '',
			keywords: process.env.DINGTALK_KEYWORDS ?? '',
		};
		console.log('DingTalk Robot demo: sending to the robot in DINGTALK_WEBHOOK (a real group)\n');
	} else {
		sim = new DingTalkSimulator();
		sim.addRobot({ accessToken: SIM_TOKEN, secret: SIM_SECRET });
		await sim.start({ host: '127.0.0.1', port: 0 });
		credential = { accessToken: sim.webhookUrl(SIM_TOKEN), secret: SIM_SECRET, plainHttpHosts: sim.host ?? '' };
		console.log(`DingTalk Robot demo: a local DingTalk simulator on ${sim.baseUrl} plays the group`);
		console.log('(its robot uses 加签 signing, 20 messages per minute, DingTalk\'s field rules and errcodes)\n');
	}

	const nodes = demo.nodes.map((/** @type {any} */ node) =>
		node.type === ROBOT_NODE_TYPE ? { ...node, credentials: { dingTalkRobotApi: { id: 'demo', name: 'Demo robot' } } } : node,
	);
	let run;
	try {
		run = await executeWorkflow({
			nodes,
			connections: demo.connections,
			nodeTypes: { [ROBOT_NODE_TYPE]: new DingTalkRobot() },
			credentialTypes: { dingTalkRobotApi: new DingTalkRobotApi() },
			credentials: { dingTalkRobotApi: credential },
		});
		const pictureAt = process.argv.indexOf('--screenshot');
		if (sim && pictureAt > 0) await screenshot(`${sim.baseUrl}/`, process.argv[pictureAt + 1] ?? 'docs/demo-group.png');
	} finally {
		stopN8nTimers();
		await sim?.stop();
	}

	const robotNodes = nodes.filter((/** @type {any} */ node) => node.type === ROBOT_NODE_TYPE);
	console.log(`Workflow "${demo.name}" run by n8n-core's WorkflowExecute:\n`);
	console.log(`  ${pad('node', 22)}${pad('msgtype', 12)}${pad('DingTalk answer', 18)}signature`);
	let sent = 0;
	robotNodes.forEach((/** @type {any} */ node) => {
		const task = run.data.resultData.runData[node.name]?.[0];
		const item = task?.data?.main?.[0]?.[0]?.json;
		// the node's request is the one carrying its message's msgUuid
		const request = item ? sim?.requests.find((r) => r.msgUuid === item.msgUuid) : undefined;
		const answer = item ? `${item.errcode} ${item.errmsg}` : `failed: ${task?.error?.message ?? 'not run'}`;
		const signature = sim ? (request?.signatureValid ? 'valid' : 'INVALID') : 'checked by DingTalk';
		if (item?.errcode === 0) sent++;
		console.log(`  ${pad(node.name, 22)}${pad(String(item?.msgtype ?? '-'), 12)}${pad(answer, 18)}${signature}`);
	});

	const failed = run.data.resultData.error;
	if (sim) {
		const received = sim.messages(SIM_TOKEN);
		const signed = sim.requests.filter((r) => r.signatureValid === true).length;
		console.log(`\nWhat the group received (${received.length} messages):`);
		for (const message of received) console.log(`\n  ${message.msgtype}\n${render(message)}`);
		console.log(`\n${received.length} of ${robotNodes.length} messages delivered; ${signed} of ${sim.requests.length} requests carried a valid signature.`);
		if (received.length !== robotNodes.length || signed !== sim.requests.length || failed) process.exitCode = 1;
	} else {
		console.log(`\n${sent} of ${robotNodes.length} messages accepted by DingTalk.`);
		if (sent !== robotNodes.length || failed) process.exitCode = 1;
	}
	if (failed) console.error(`\nThe execution failed: ${failed.message}\n${/** @type {any} */ (failed).description ?? ''}`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
