// @ts-check
'use strict';
/**
 * The AI card part of npm run bench, in a real n8n (1.123.50 on Node 20, the e2e's cached
 * install): the example AI assistant (DingTalk Stream Trigger → DingTalk AI Card, with n8n's own
 * OpenAI Chat Model node on the simulator's chat model) active; DingTalk's OpenAPI answering after
 * LATENCY_MS, with DingTalk's default quota of 20 calls per second per app and API.
 * A person asks; the model answers 2,000 characters in 200 chunks, 20 ms apart. Measured at the
 * simulator: the time from the robot message to the card in the conversation, the OpenAPI calls
 * per answer, the calls DingTalk refused, and the time from the model's last chunk to the final
 * text in the card. Five answers one after the other, then five people asking at once.
 * Against the same answers streamed by a naive sender (in this process, the same simulator): one
 * streaming call per chunk, each sent as the chunk arrives, or each after the one before.
 */
const { randomUUID } = require('node:crypto');
const { rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const { AI_CARD_TEMPLATE_ID, CHAT_MODEL_API_KEY, DingTalkSimulator } = require('../simulator');
const { activateWorkflowArgs, freshN8nWithPackage, n8nEnv } = require('../test/e2e/n8nInstalls');
const { addAiCardFixtures, aiCardCredentials, writeAiCardWorkflows } = require('../test/e2e/aiCardCases');
const { CALLBACK_CREDENTIALS, WEBHOOKS, freePort, sleep, startN8n, waitFor, writeWorkflows } = require('../test/e2e/triggerCases');
const { percentile, runCli } = require('./benchStream');

const CHUNKS = 200;
const CHUNK_INTERVAL_MS = 20;
const ANSWER = Array.from({ length: CHUNKS }, (_, n) => `token${String(n).padStart(3, '0')} `).join('');
const LATENCY_MS = 50;
const AI_APP_ID = 'dinge2eaicardapp01';
const GROUP = 'cidE2eAiGroup01==';
const ROUNDS = 5;

/**
 * The figures of one answer, from the simulator's records.
 * @param {any} sim
 * @param {string} outTrackId
 * @param {number} askedAt when the message was pushed (simulator time)
 * @param {any} chat the chat model's record of this answer
 */
function answerFigures(sim, outTrackId, askedAt, chat) {
	const calls = sim.cardRequests().filter((/** @type {any} */ r) => r.body?.outTrackId === outTrackId);
	const created = calls.find((/** @type {any} */ r) => r.path === '/v1.0/card/instances/createAndDeliver' && r.status === 200);
	const final = calls.find((/** @type {any} */ r) => r.path === '/v1.0/card/streaming' && r.body?.isFinalize === true && r.status === 200);
	const card = sim.card(outTrackId);
	return {
		calls: calls.length,
		refused: calls.filter((/** @type {any} */ r) => r.status !== 200).length,
		toCard: created ? created.at + created.delayMs - askedAt : NaN,
		lastChunkToFinal: final && chat?.lastChunkAt ? final.at + final.delayMs - chat.lastChunkAt : NaN,
		whole: card?.streams?.msgContent?.text === ANSWER && card?.streams?.msgContent?.finalized === true,
	};
}

/** n8n's AI card: `count` people ask at once; the figures of each answer. */
async function askN8n(/** @type {any} */ sim, /** @type {number} */ count) {
	const before = new Set(sim.cards().map((/** @type {any} */ c) => c.outTrackId));
	const asked = Array.from({ length: count }, (_, n) => ({ at: Date.now(), pushed: sim.pushRobotMessage(AI_APP_ID, { text: `question ${n}`, conversation: { id: GROUP, title: 'AI' } }) }));
	const done = await waitFor(() => {
		const mine = sim.cards().filter((/** @type {any} */ c) => !before.has(c.outTrackId));
		return mine.length === count && mine.every((/** @type {any} */ c) => c.state === 'finished' || c.state === 'failed') ? mine : undefined;
	}, 120_000);
	if (!done) throw new Error(`the ${count} answers did not end within 120 s`);
	// each execution creates its card before it asks the model: cards and questions pair up in order of arrival
	const createdAt = (/** @type {any} */ card) => sim.cardRequests().find((/** @type {any} */ r) => r.path === '/v1.0/card/instances/createAndDeliver' && r.body?.outTrackId === card.outTrackId)?.at ?? Infinity;
	const cards = [...done].sort((a, b) => createdAt(a) - createdAt(b));
	const chats = sim.chatRequests().filter((/** @type {any} */ c) => c.at >= asked[0].at).sort((/** @type {any} */ a, /** @type {any} */ b) => a.at - b.at);
	return cards.map((card, n) => answerFigures(sim, card.outTrackId, asked[0].at, chats[n]));
}

/** A naive sender of one answer: a card, then one streaming call per chunk of the model's stream. */
async function askNaive(/** @type {any} */ sim, /** @type {string} */ token, /** @type {'at once' | 'in turn'} */ mode) {
	const api = (/** @type {string} */ method, /** @type {string} */ route, /** @type {unknown} */ body) =>
		fetch(`${sim.baseUrl}${route}`, { method, headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token }, body: JSON.stringify(body) });
	const outTrackId = `naive-${randomUUID().slice(0, 8)}`;
	const askedAt = Date.now();
	await api('POST', '/v1.0/card/instances/createAndDeliver', {
		cardTemplateId: AI_CARD_TEMPLATE_ID,
		outTrackId,
		callbackType: 'STREAM',
		cardData: { cardParamMap: { flowStatus: '1' } },
		openSpaceId: `dtv1.card//IM_GROUP.${GROUP}`,
		imGroupOpenSpaceModel: { supportForward: true },
		imGroupOpenDeliverModel: { robotCode: AI_APP_ID },
	});
	const response = await fetch(`${sim.chatModelBaseUrl}/chat/completions`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${CHAT_MODEL_API_KEY}` },
		body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `naive ${outTrackId}` }] }),
	});
	let text = '';
	let buffered = '';
	/** @type {Promise<unknown>[]} */
	const calls = [];
	const stream = (/** @type {boolean} */ isFinalize) => api('PUT', '/v1.0/card/streaming', { outTrackId, guid: randomUUID(), key: 'msgContent', content: text, isFull: true, isFinalize, isError: false });
	for await (const bytes of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (response.body))) {
		buffered += Buffer.from(bytes).toString('utf8');
		let end;
		while ((end = buffered.indexOf('\n\n')) >= 0) {
			const data = buffered.slice(6, end);
			buffered = buffered.slice(end + 2);
			if (data === '[DONE]') break;
			const piece = JSON.parse(data).choices?.[0]?.delta?.content;
			if (!piece) continue;
			text += piece;
			if (mode === 'at once') calls.push(stream(false));
			else await stream(false);
		}
	}
	await Promise.all(calls);
	await stream(true);
	const chat = sim.chatRequests().find((/** @type {any} */ c) => c.question === `naive ${outTrackId}`);
	return answerFigures(sim, outTrackId, askedAt, chat);
}

/** Runs the AI card benchmark; returns its figures. */
async function benchAiCard(/** @type {(text: string) => void} */ log) {
	const { installed, work } = freshN8nWithPackage('dingtalk-bench-aicard-');
	const sim = new DingTalkSimulator({ rateLimit: false, openapi: { qpsLimit: 20, latencyMs: LATENCY_MS } });
	addAiCardFixtures(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	sim.setChatAnswer({ text: ANSWER, chunks: CHUNKS, intervalMs: CHUNK_INTERVAL_MS });
	const port = await freePort();
	const env = n8nEnv(installed, work, { N8N_PORT: String(port), N8N_RUNNERS_BROKER_PORT: String(await freePort()), WEBHOOK_URL: `http://127.0.0.1:${port}/`, EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none' });
	writeFileSync(path.join(work, 'credentials.json'), JSON.stringify([...CALLBACK_CREDENTIALS, ...aiCardCredentials(sim)]));
	const workflows = path.join(work, 'workflows');
	writeWorkflows(workflows, sim.host ?? '', []);
	writeAiCardWorkflows(workflows);
	await runCli(installed, ['import:credentials', `--input=${path.join(work, 'credentials.json')}`], env);
	await runCli(installed, ['import:workflow', '--separate', `--input=${workflows}`], env);
	for (const id of ['e2eEchoBot', 'e2eAiAssistant']) await runCli(installed, activateWorkflowArgs(installed.n8nVersion, id), env);
	const running = await startN8n(installed, env, `http://127.0.0.1:${port}/webhook/${WEBHOOKS.e2eEchoBot}`);
	try {
		if (!(await waitFor(() => (sim.streamConnections(AI_APP_ID).some((/** @type {any} */ c) => c.state === 'open') ? true : undefined), 60_000))) throw new Error('n8n did not open its Stream connection');
		await askN8n(sim, 1); // warm-up: the access token, n8n's first run of the nodes
		/** @type {any[]} */
		const oneByOne = [];
		for (let n = 0; n < ROUNDS; n++) oneByOne.push(...(await askN8n(sim, 1)));
		log(`    n8n AI card: ${ROUNDS} answers one after the other`);
		const atOnce = await askN8n(sim, ROUNDS);
		log(`    n8n AI card: ${ROUNDS} answers at once`);
		const tokenAnswer = await fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: AI_APP_ID, appSecret: 'e2eAiCardSecret-Hq4Tz8Lm' }) });
		const { accessToken } = /** @type {any} */ (await tokenAnswer.json());
		await sleep(1100); // a fresh second of quota
		const naiveAtOnce = await askNaive(sim, accessToken, 'at once');
		await sleep(1100);
		const naiveInTurn = await askNaive(sim, accessToken, 'in turn');
		log('    naive senders: done');
		return { n8nVersion: installed.n8nVersion, latencyMs: LATENCY_MS, oneByOne, atOnce, naiveAtOnce, naiveInTurn };
	} finally {
		await running.stop();
		await sim.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

/** The report's section on AI cards. */
function aiCardReport(/** @type {any} */ r, /** @type {(head: string[], rows: unknown[][]) => string} */ table) {
	const ms = (/** @type {number} */ v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '—');
	const summary = (/** @type {string} */ label, /** @type {any[]} */ answers) => {
		const p50 = (/** @type {string} */ key) => percentile(answers.map((a) => a[key]), 50);
		const max = (/** @type {string} */ key) => Math.max(...answers.map((a) => a[key]));
		return [label, `${answers.filter((a) => a.whole).length}/${answers.length}`, `${p50('calls')} (max ${max('calls')})`, answers.reduce((n, a) => n + a.refused, 0), `${ms(p50('toCard'))} (max ${ms(max('toCard'))})`, `${ms(p50('lastChunkToFinal'))} (max ${ms(max('lastChunkToFinal'))})`];
	};
	return table(
		['sender', 'whole answer, finalized', 'OpenAPI calls per answer: p50', 'calls refused (over 20/s)', 'message → card', 'last chunk → final text'],
		[
			summary(`DingTalk AI Card node, ${r.oneByOne.length} answers one after the other`, r.oneByOne),
			summary(`DingTalk AI Card node, ${r.atOnce.length} people asking at once`, r.atOnce),
			summary('naive: one call per chunk, sent as it arrives', [r.naiveAtOnce]),
			summary('naive: one call per chunk, each after the one before', [r.naiveInTurn]),
		],
	);
}

module.exports = { benchAiCard, aiCardReport };
