// @ts-check
'use strict';

/**
 * A strict simulator of the DingTalk robot surfaces, following /work/shared/dingtalk-robot-api.md.
 * It is the judge of every other test of the project, so it rejects everything DingTalk would
 * reject, with DingTalk's answers, and it records everything so that tests can assert on what was
 * really sent. `DingTalkSimulator` is a facade over one small server (server.js) and one module
 * per DingTalk surface:
 * - webhookRobot.js: the custom robot webhook `/robot/send` (faults: faults.js, recording: oapiHost.js)
 * - sessionWebhook.js: the session webhooks a robot replies to
 * - callbacks.js: DingTalk calling a trigger over HTTP (the message body: incomingMessage.js)
 * Shared pure checks: checks.js (signature, IP whitelist, content type), sendRules.js (message
 * body, msgUuid, rate limit).
 */

const { SimulatorServer } = require('./server');
const { WebhookRobots } = require('./webhookRobot');
const { SessionWebhooks } = require('./sessionWebhook');
const { Callbacks, TAMPER_KINDS } = require('./callbacks');
const { computeDingTalkSign, checkNumber } = require('./checks');
const { RateLimit, SUPPORTED_MSGTYPES } = require('./sendRules');
const { FAULT_KINDS } = require('./faults');

const DEFAULT_MAX_BODY_BYTES = 20_000;
const DEFAULT_TIMESTAMP_TOLERANCE_MS = 3_600_000;

/** @typedef {import('./oapiHost').RequestRecord} RequestRecord */

/**
 * @typedef {object} SimulatorOptions
 * @property {import('./sendRules').RateLimitOptions | false} [rateLimit]
 * @property {number} [maxBodyBytes]
 * @property {number} [timestampToleranceMs]
 * @property {() => number} [now]
 * @property {(record: RequestRecord) => void} [onRequest] called once per request, when it is answered or dropped
 */

class DingTalkSimulator {
	/**
	 * @param {SimulatorOptions} [options]
	 */
	constructor(options = {}) {
		const rateLimit = new RateLimit(options.rateLimit);
		const maxBodyBytes = checkNumber(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes', 1);
		const timestampToleranceMs = checkNumber(
			options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS,
			'timestampToleranceMs',
			0,
		);
		if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('now must be a function');
		const now = options.now ?? (() => Date.now());
		this._server = new SimulatorServer({ now, bodyCapBytes: maxBodyBytes * 2 });
		if (options.onRequest) this._server.oapi.onRequest(options.onRequest);
		this._robots = new WebhookRobots(this._server, { rateLimit, maxBodyBytes, timestampToleranceMs });
		this._sessions = new SessionWebhooks(this._server, { rateLimit, maxBodyBytes });
		this._callbacks = new Callbacks(this._server, this._sessions);
	}

	/** The base URL once started (`http://127.0.0.1:PORT`), else undefined. */
	get baseUrl() {
		return this._server.baseUrl;
	}

	/** Every HTTP request received since construction or the last reset(), in arrival order. */
	get requests() {
		return this._server.oapi.requests;
	}

	/** Callbacks sent by deliverCallback and replayCallback since construction or reset(), in order. */
	get callbacks() {
		return this._callbacks.records;
	}

	/**
	 * @param {{ host?: string, port?: number }} [options]
	 * @returns {Promise<string>}
	 */
	start(options) {
		return this._server.start(options);
	}

	/** @returns {Promise<void>} */
	stop() {
		return this._server.stop();
	}

	/**
	 * Clears requests, messages, msgUuid memory, rate-limit and throttle state, pending faults,
	 * sessions with their replies, and callbacks; robots stay.
	 */
	reset() {
		this._server.reset();
	}

	/**
	 * Registers a listener called once per request when it has been answered or dropped.
	 * @param {(record: RequestRecord) => void} listener
	 * @returns {() => void} unsubscribe
	 */
	onRequest(listener) {
		return this._server.oapi.onRequest(listener);
	}

	/** @returns {import('./oapiHost').SimulatorStats} */
	stats() {
		return this._server.oapi.stats();
	}

	/**
	 * Queues faults; each incoming request consumes the next one (FIFO).
	 * @param {import('./faults').Fault[]} faults
	 */
	injectFaults(faults) {
		this._server.oapi.faults.inject(faults);
	}

	/**
	 * Decides a fault for every request that finds the queue of injectFaults empty, e.g. to fail a
	 * share of requests at random in a benchmark. `undefined` turns it off.
	 * @param {((requestIndex: number) => import('./faults').Fault | undefined) | undefined} policy
	 */
	setFaultPolicy(policy) {
		this._server.oapi.faults.setPolicy(policy);
	}

	// --- the custom robot webhook (webhookRobot.js) ---

	/** @param {import('./webhookRobot').RobotOptions} options */
	addRobot(options) {
		this._robots.addRobot(options);
	}

	/** @param {string} accessToken */
	webhookUrl(accessToken) {
		return this._robots.webhookUrl(accessToken);
	}

	/** @param {string} accessToken */
	messages(accessToken) {
		return this._robots.messages(accessToken);
	}

	// --- session webhooks (sessionWebhook.js) ---

	/** @param {{ ttlMs?: number, conversation?: import('./sessionWebhook').ConversationOptions }} [options] */
	createSession(options) {
		return this._sessions.createSession(options);
	}

	/** @param {string} sessionIdOrWebhookUrl */
	expireSession(sessionIdOrWebhookUrl) {
		this._sessions.expireSession(sessionIdOrWebhookUrl);
	}

	/**
	 * Bodies of every reply a session accepted, in order; deep copies. [] for an unknown session.
	 * @param {string} sessionIdOrWebhookUrl
	 */
	sessionReplies(sessionIdOrWebhookUrl) {
		return this._sessions.replies(sessionIdOrWebhookUrl).map((r) => r.body);
	}

	/** @param {string} sessionIdOrWebhookUrl */
	replies(sessionIdOrWebhookUrl) {
		return this._sessions.replies(sessionIdOrWebhookUrl);
	}

	// --- DingTalk calling a trigger (callbacks.js) ---

	/**
	 * @param {string} url
	 * @param {import('./callbacks').CallbackOptions} [options]
	 */
	deliverCallback(url, options) {
		return this._callbacks.deliverCallback(url, options);
	}

	/**
	 * @param {import('./callbacks').CallbackResult | { request: import('./callbacks').CallbackRequest }} result
	 * @param {{ timeoutMs?: number }} [options]
	 */
	replayCallback(result, options) {
		return this._callbacks.replayCallback(result, options);
	}
}

module.exports = { DingTalkSimulator, computeDingTalkSign, SUPPORTED_MSGTYPES, FAULT_KINDS, TAMPER_KINDS };
