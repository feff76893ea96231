// @ts-check
'use strict';

/**
 * Not a DingTalk surface: a chat model that speaks OpenAI's Chat Completions API, so that the
 * AI examples, the AI Card node's e2e and its benchmark run n8n's own OpenAI Chat Model node
 * (LangChain's ChatOpenAI, with a Base URL) without an account. Mounted at `/openai/v1` on the
 * simulator's port: `POST /openai/v1/chat/completions` (streamed as server-sent events when the
 * body asks `stream: true`, as OpenAI's), `GET /openai/v1/models`.
 *
 * The answer is set by the test (`setAnswer`): a text, or a function of the last user message,
 * cut into a number of chunks sent a fixed time apart; by default it repeats the question
 * ("You asked: …") in words, 20 ms apart. A fault ends the stream after some chunks (the
 * connection cut, as a provider that fails mid-answer). Every request is recorded, pictures
 * included, so tests can see what the model was given.
 */

const crypto = require('node:crypto');
const { readJsonBody, sendJson } = require('./apiHost');

const BASE_PATH = '/openai/v1';
const COMPLETIONS_PATH = `${BASE_PATH}/chat/completions`;
const MODELS_PATH = `${BASE_PATH}/models`;
/** The API key the simulated model accepts (`Authorization: Bearer …`). */
const CHAT_MODEL_API_KEY = 'sk-simulator-chat-model';
const MODEL_IDS = ['gpt-4o-mini', 'gpt-4o'];

/**
 * @typedef {object} ChatAnswerOptions
 * @property {string | ((question: string) => string)} [text] the answer (default: "You asked: " and the question)
 * @property {number} [chunks] how many pieces the answer is cut into (default: one per word)
 * @property {number} [intervalMs] time between pieces (default 20)
 * @property {number} [failAfterChunks] cut the connection after this many pieces
 */

/**
 * @typedef {object} ChatRequestRecord
 * @property {number} at when it arrived (ms)
 * @property {boolean} stream
 * @property {string} model
 * @property {Array<{ role: string, content: unknown }>} messages
 * @property {string} question the last user message's text
 * @property {number} pictures how many image parts the messages carried
 * @property {number} status
 * @property {number} chunksSent
 * @property {number | undefined} lastChunkAt when the last piece of the answer was written (ms)
 */

/** @param {unknown} content */
function textOf(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter((part) => part && typeof part === 'object' && part.type === 'text')
		.map((part) => String(part.text ?? ''))
		.join('');
}

/** @param {unknown} content */
function picturesIn(content) {
	return Array.isArray(content) ? content.filter((part) => part && typeof part === 'object' && part.type === 'image_url').length : 0;
}

/**
 * Cuts a text into `count` pieces of nearly equal length (words when no count is given).
 * @param {string} text
 * @param {number | undefined} count
 * @returns {string[]}
 */
function cutIntoChunks(text, count) {
	if (count === undefined) return text.match(/\S+\s*|\s+/g) ?? [''];
	const pieces = [];
	for (let n = 0; n < count; n++) pieces.push(text.slice(Math.floor((n * text.length) / count), Math.floor(((n + 1) * text.length) / count)));
	return pieces;
}

class ChatModel {
	/**
	 * @param {import('./server').SimulatorServer} server
	 */
	constructor(server) {
		this._server = server;
		/** @type {ChatAnswerOptions} */
		this._answer = {};
		/** @type {ChatRequestRecord[]} */
		this.records = [];
		/** @type {Set<ReturnType<typeof setTimeout>>} */
		this._timers = new Set();
		server.onApi(COMPLETIONS_PATH, (exchange) => this._completions(exchange));
		server.onApi(MODELS_PATH, (exchange) => this._models(exchange));
		server.mount(this);
	}

	/** @param {ChatAnswerOptions} options */
	setAnswer(options) {
		const { chunks, intervalMs, failAfterChunks } = options;
		if (chunks !== undefined && (!Number.isInteger(chunks) || chunks < 1)) throw new TypeError('chunks must be an integer >= 1');
		if (intervalMs !== undefined && (!Number.isFinite(intervalMs) || intervalMs < 0)) throw new TypeError('intervalMs must be >= 0');
		if (failAfterChunks !== undefined && (!Number.isInteger(failAfterChunks) || failAfterChunks < 0)) throw new TypeError('failAfterChunks must be an integer >= 0');
		this._answer = { ...options };
	}

	reset() {
		this.records = [];
		this._answer = {};
	}

	stop() {
		for (const timer of this._timers) clearTimeout(timer);
		this._timers.clear();
	}

	/** @param {import('./server').ApiExchange} exchange */
	_authorized({ req, res }) {
		if (req.headers.authorization === `Bearer ${CHAT_MODEL_API_KEY}`) return true;
		sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
		return false;
	}

	/** @param {import('./server').ApiExchange} exchange */
	_models(exchange) {
		if (!this._authorized(exchange)) return;
		sendJson(exchange.res, 200, { object: 'list', data: MODEL_IDS.map((id) => ({ id, object: 'model', created: 1715367049, owned_by: 'system' })) });
	}

	/** @param {import('./server').ApiExchange} exchange */
	_completions(exchange) {
		const { req, res, now } = exchange;
		if (req.method !== 'POST') {
			sendJson(res, 405, { error: { message: `${req.method} is not allowed`, type: 'invalid_request_error' } });
			return;
		}
		if (!this._authorized(exchange)) return;
		const body = readJsonBody(exchange);
		const messages = Array.isArray(body?.messages) ? /** @type {Array<{ role: string, content: unknown }>} */ (body.messages) : undefined;
		if (!body || !messages || messages.length === 0) {
			sendJson(res, 400, { error: { message: "'messages' is a required property", type: 'invalid_request_error', param: 'messages' } });
			return;
		}
		const question = textOf([...messages].reverse().find((m) => m?.role === 'user')?.content);
		const { text, chunks, intervalMs = 20, failAfterChunks } = this._answer;
		const answer = typeof text === 'function' ? text(question) : (text ?? `You asked: ${question}`);
		const model = typeof body.model === 'string' ? body.model : MODEL_IDS[0];
		/** @type {ChatRequestRecord} */
		const record = { at: now, stream: body.stream === true, model, messages, question, pictures: messages.reduce((n, m) => n + picturesIn(m?.content), 0), status: 200, chunksSent: 0, lastChunkAt: undefined };
		this.records.push(record);
		const id = `chatcmpl-${crypto.randomBytes(12).toString('hex')}`;
		const created = Math.floor(now / 1000);
		const usage = { prompt_tokens: question.length, completion_tokens: answer.length, total_tokens: question.length + answer.length };
		if (!record.stream) {
			sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }], usage });
			return;
		}
		res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		const event = (/** @type {unknown} */ data) => res.write(`data: ${JSON.stringify(data)}\n\n`);
		const chunk = (/** @type {Record<string, unknown>} */ delta, /** @type {string | null} */ finish) => event({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] });
		chunk({ role: 'assistant', content: '' }, null);
		const pieces = cutIntoChunks(answer, chunks);
		let sent = 0;
		const next = () => {
			if (res.destroyed) return;
			if (failAfterChunks !== undefined && sent >= failAfterChunks) {
				record.status = 0;
				res.destroy();
				return;
			}
			if (sent < pieces.length) {
				chunk({ content: pieces[sent] }, null);
				record.chunksSent = ++sent;
				if (sent === pieces.length) record.lastChunkAt = this._server.now();
				this._later(next, intervalMs);
				return;
			}
			chunk({}, 'stop');
			const streamOptions = /** @type {{ include_usage?: unknown } | undefined} */ (body.stream_options);
			if (streamOptions?.include_usage === true) event({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
			res.end('data: [DONE]\n\n');
		};
		this._later(next, intervalMs);
	}

	/**
	 * @param {() => void} run
	 * @param {number} ms
	 */
	_later(run, ms) {
		const timer = setTimeout(() => {
			this._timers.delete(timer);
			run();
		}, ms);
		this._timers.add(timer);
	}
}

module.exports = { ChatModel, CHAT_MODEL_API_KEY, CHAT_MODEL_BASE_PATH: BASE_PATH, cutIntoChunks };
