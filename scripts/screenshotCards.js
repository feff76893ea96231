#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * A picture of AI cards as the simulator draws them (docs/ai-card-group.png, for the README):
 * the DingTalk AI Card node of this build (dist/) in n8n-core's WorkflowExecute, its Chat Model
 * input on the simulator's OpenAI-speaking chat model (scripts/lib/chatModelNode.js), answering
 * two questions in a simulated group: one answer streamed in and finished, one whose model fails
 * halfway (the card ends failed with what it had written). Then headless Chromium (Debian package
 * `chromium`) takes the simulator's group page.
 *
 *   npm run build && node scripts/screenshotCards.js [FILE]
 */
const { execFile } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { NodeConnectionTypes } = require('n8n-workflow');

const { CHAT_MODEL_NODE_TYPE, chatModelNodeType } = require('./lib/chatModelNode');
const { ITEMS_NODE_TYPE, executeWorkflow, stopN8nTimers } = require('./lib/n8nEngine');
const { CHAT_MODEL_API_KEY, DingTalkSimulator } = require('../simulator');

const dist = path.join(__dirname, '..', 'dist');
const { DingTalkAiCard } = require(path.join(dist, 'nodes/DingTalkAiCard/DingTalkAiCard.node.js'));
const { DingTalkAppApi } = require(path.join(dist, 'credentials/DingTalkAppApi.credentials.js'));

const AI_CARD_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkAiCard';
const APP = { clientId: 'dingscreenshotapp1', clientSecret: 'screenshot-secret-5Rt8', robotCode: 'dingscreenshotapp1' };
const GROUP = 'cidScreenshotGroup==';

const ANSWER = [
	'**Release 4.2** changed three things:',
	'',
	'1. Alerts are paced under DingTalk\'s limits, none lost.',
	'2. Pictures people send the robot arrive as binary data.',
	'3. Answers stream into an AI card as the model writes them.',
	'',
	'Ask me about any of them.',
].join('\n');

/**
 * Runs the AI Card node on one question in the group.
 * @param {DingTalkSimulator} sim @param {string} question @param {string} title
 */
async function answer(sim, question, title) {
	const item = { text: question, conversation: { id: GROUP, type: 'group' }, sender: { staffId: 'li0001', nick: 'Li' } };
	const run = await executeWorkflow({
		nodes: [
			{ id: 'items', name: 'Items', type: ITEMS_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify([item]) } },
			{
				id: 'card', name: 'AI Card', type: AI_CARD_NODE_TYPE, typeVersion: 1, position: [200, 0],
				parameters: { cardTitle: title }, credentials: { dingTalkAppApi: { id: '1', name: 'Screenshot app' } },
				onError: 'continueRegularOutput',
			},
			{ id: 'model', name: 'Chat Model', type: CHAT_MODEL_NODE_TYPE, typeVersion: 1, position: [200, 200], parameters: {} },
		],
		connections: {
			Items: { main: [[{ node: 'AI Card', type: NodeConnectionTypes.Main, index: 0 }]] },
			'Chat Model': { [NodeConnectionTypes.AiLanguageModel]: [[{ node: 'AI Card', type: NodeConnectionTypes.AiLanguageModel, index: 0 }]] },
		},
		nodeTypes: { [AI_CARD_NODE_TYPE]: new DingTalkAiCard(), [CHAT_MODEL_NODE_TYPE]: chatModelNodeType(sim.chatModelBaseUrl, CHAT_MODEL_API_KEY) },
		credentialTypes: { dingTalkAppApi: new DingTalkAppApi() },
		credentials: { dingTalkAppApi: { ...APP, robotCode: '', baseUrl: sim.baseUrl ?? '', plainHttpHosts: sim.host ?? '' } },
	});
	const output = run.data.resultData.runData['AI Card']?.[0]?.data?.main?.[0]?.[0]?.json;
	if (!output) throw new Error(`the AI Card node gave no item: ${run.data.resultData.error?.message}`);
	return output;
}

async function main() {
	const file = path.resolve(process.argv[2] ?? 'docs/ai-card-group.png');
	const sim = new DingTalkSimulator();
	sim.addApp(APP);
	sim.addGroup({ openConversationId: GROUP, title: 'Release team', robotCodes: [APP.robotCode] });
	await sim.start({ host: '127.0.0.1', port: 0 });
	const profile = mkdtempSync(path.join(tmpdir(), 'chromium-'));
	try {
		sim.setChatAnswer({ text: ANSWER, chunks: 40, intervalMs: 5 });
		const finished = await answer(sim, 'What changed in release 4.2?', 'Release notes');
		sim.setChatAnswer({ text: 'The deployment log shows two failed health checks on', chunks: 10, intervalMs: 5, failAfterChunks: 6 });
		const failed = await answer(sim, 'Why did last night\'s deployment stop?', 'Deployment');
		console.log(`finished card: ${finished.outTrackId} (${String(finished.text).length} characters)`);
		console.log(`failed card: ${failed.error ?? failed.outTrackId}`);
		const states = sim.cards().map((card) => card.state).join(', ');
		if (states !== 'finished, failed') throw new Error(`the cards ended ${states}, not finished, failed`);
		// asynchronously: the simulator answering Chromium runs in this process
		await promisify(execFile)('chromium', [
			'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			`--user-data-dir=${profile}`, '--hide-scrollbars', '--window-size=640,430',
			`--screenshot=${file}`, `${sim.baseUrl}/`,
		], { timeout: 60000 });
		console.log(`A picture of the simulated group: ${path.relative(process.cwd(), file)}`);
	} finally {
		rmSync(profile, { recursive: true, force: true });
		stopN8nTimers();
		await sim.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
