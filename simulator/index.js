// @ts-check
'use strict';

/**
 * A strict simulator of the DingTalk robot surfaces, following /work/shared/dingtalk-robot-api.md.
 * It is the judge of every other test of the project, so it rejects everything DingTalk would
 * reject, with DingTalk's answers, and it records everything so that tests can assert on what was
 * really sent. `DingTalkSimulator` is a facade over one small server (server.js) and one module
 * per DingTalk surface (it extends the card half of the facade, cardFacade.js, which extends the
 * app-robot half, appRobotFacade.js):
 * - webhookRobot.js: the custom robot webhook `/robot/send` (faults: faults.js, recording: oapiHost.js)
 * - sessionWebhook.js: the session webhooks a robot replies to
 * - callbacks.js: DingTalk calling a trigger over HTTP (the message body: incomingMessage.js)
 * - streamGateway.js, streamPush.js: the Stream gateway of app robots (frames: streamFrames.js)
 * - openapi.js: the OpenAPI of app robots (for now the access token)
 * - apps.js: the app robots (Client ID and Secret) the Stream gateway and the OpenAPI check
 * - messageFiles.js, storageHost.js: the files people send a robot (pictures, voice, video, files;
 *   in messages built by incomingContent.js), messageFiles/download, and DingTalk's storage on a
 *   port of its own
 * - cards.js, cardTemplates.js, cardCallbacks.js (checks: cardParams.js): an app robot's cards
 *   (createAndDeliver, update, AI card streaming) and the clicks on their buttons coming back over
 *   Stream or HTTP
 * - browser.js: a person tapping a button of a robot's actionCard, and the browser that opens
 *   its link (and fills in and submits the form page it shows)
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
const { mountControl } = require('./control');
const { CardSimulator } = require('./cardFacade');
const { AI_CARD_TEMPLATE_ID } = require('./cardTemplates');
const { CARD_TOPIC, CARD_CLICK_TAMPERS } = require('./cardCallbacks');
const { OPENAPI_FAULT_KINDS } = require('./openApiGate');
const { MSG_KEYS } = require('./msgTemplates');
const { INCOMING_MSGTYPES } = require('./incomingContent');
const { STORAGE_FAULT_KINDS } = require('./storageHost');
const { ChatModel, CHAT_MODEL_API_KEY, CHAT_MODEL_BASE_PATH } = require('./chatModel');
const browser = require('./browser');

const DEFAULT_MAX_BODY_BYTES = 20_000;
const DEFAULT_TIMESTAMP_TOLERANCE_MS = 3_600_000;

/** @typedef {import('./oapiHost').RequestRecord} RequestRecord */
// The types callers name, from the modules that define them (JSDoc is the simulator's one source of types).
/** @typedef {import('./callbacks').CallbackOptions} CallbackOptions */
/** @typedef {import('./callbacks').CallbackResult} CallbackResult */
/** @typedef {import('./webhookRobot').RobotOptions} RobotOptions */
/** @typedef {import('./incomingMessage').RobotMessageOptions} RobotMessageOptions */
/** @typedef {import('./streamFrames').Frame} StreamFrame */
/** @typedef {import('./cardFacade').CardRecord} CardRecord */
/** @typedef {import('./cardTemplates').CardTemplateOptions} CardTemplateOptions */
/** @typedef {import('./cardCallbacks').CardClickOptions} CardClickOptions */
/** @typedef {import('./cardCallbacks').CardClickRecord} CardClickRecord */
/** @typedef {import('./browser').Page} BrowserPage */
/** @typedef {import('./browser').FormField} BrowserFormField */

/**
 * @typedef {object} SimulatorOptions
 * @property {import('./sendRules').RateLimitOptions | false} [rateLimit]
 * @property {number} [maxBodyBytes]
 * @property {number} [timestampToleranceMs]
 * @property {() => number} [now]
 * @property {(record: RequestRecord) => void} [onRequest] called once per request, when it is answered or dropped
 * @property {() => number} [random] in [0, 1): which Stream connection gets a push; default Math.random
 * @property {import('./appRobotFacade').AppRobotOptions['stream']} [stream]
 * @property {import('./appRobotFacade').OpenApiOptions} [openapi]
 * @property {import('./appRobotFacade').MessageFilesOptions} [files]
 */

class DingTalkSimulator extends CardSimulator {
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
		const server = new SimulatorServer({ now, bodyCapBytes: maxBodyBytes * 2 });
		if (options.onRequest) server.oapi.onRequest(options.onRequest);
		const robots = new WebhookRobots(server, { rateLimit, maxBodyBytes, timestampToleranceMs });
		const sessions = new SessionWebhooks(server, { rateLimit, maxBodyBytes });
		const callbacks = new Callbacks(server, sessions);
		const chatModel = new ChatModel(server);
		super(server, { sessions, random: options.random, stream: options.stream, openapi: options.openapi, files: options.files });
		this._server = server;
		this._robots = robots;
		this._sessions = sessions;
		this._callbacks = callbacks;
		this._chatModel = chatModel;
	}

	/** The base URL once started (`http://127.0.0.1:PORT`), else undefined. */
	get baseUrl() {
		return this._server.baseUrl;
	}

	/** `127.0.0.1:PORT` once started: what a credential lists as a Plain HTTP Host (the simulator has no TLS). */
	get host() {
		return this._server.baseUrl ? new URL(this._server.baseUrl).host : undefined;
	}

	/**
	 * Every request to the oapi host (webhook, session webhooks, media upload, unknown paths) since
	 * construction or the last reset(), in arrival order. The api.dingtalk.com surfaces (Stream
	 * registration, OpenAPI) keep their own records.
	 */
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
	 * sessions with their replies, callbacks, Stream records (the peak of open connections starts
	 * again from those open), tickets, pending Stream registration faults, pending event
	 * redeliveries and pings, access tokens, OpenAPI calls, QPS counts and faults, app-robot
	 * messages, recalls and media, the files people sent (their codes and URLs stop working), the
	 * storage host's requests and faults, cards (with their streams and history), card clicks (those
	 * waiting for an answer end unanswered) and card callback routes; robots, apps (with their
	 * permissions), groups, users, card templates, the OpenAPI latency and QPS limit, the Stream
	 * gateway's modes (down, storm, endpoint) and open Stream connections stay.
	 */
	reset() {
		this._server.reset();
	}

	/**
	 * Resets the next `count` TCP connections before a byte of their request is read: the client's
	 * connect fails (ECONNRESET, syscall connect) and DingTalk received nothing of it.
	 * @param {number} count
	 */
	resetNextConnections(count) {
		this._server.resetNextConnections(count);
	}

	/** How many connections resetNextConnections reset since construction or reset(). */
	get connectionsReset() {
		return this._server.connectionsReset;
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

	// --- a person tapping a button of a robot's message (browser.js) ---

	/**
	 * The buttons of a robot's actionCards, in delivery order: which message (its index in
	 * messages(token)), the button's title and its link.
	 * @param {string} accessToken
	 * @returns {Array<{ message: number, title: string, url: string }>}
	 */
	buttons(accessToken) {
		return this.messages(accessToken).flatMap((message, index) => {
			const card = /** @type {{ btns?: Array<{ title: string, actionURL: string }>, singleTitle?: string, singleURL?: string } | undefined} */ (
				message.msgtype === 'actionCard' ? message.actionCard : undefined
			);
			if (!card) return [];
			if (card.singleURL) return [{ message: index, title: String(card.singleTitle), url: card.singleURL }];
			return (card.btns ?? []).map((button) => ({ message: index, title: button.title, url: button.actionURL }));
		});
	}

	/**
	 * A person taps the button titled `title` of the robot's last actionCard that has one (or of
	 * message `options.message`): its link opens in DingTalk's browser.
	 * @param {string} accessToken
	 * @param {string} title
	 * @param {{ message?: number, userAgent?: string }} [options]
	 * @returns {Promise<BrowserPage>}
	 */
	async clickButton(accessToken, title, options = {}) {
		const candidates = this.buttons(accessToken).filter((button) => button.title === title && (options.message === undefined || button.message === options.message));
		const button = candidates[candidates.length - 1];
		if (!button) throw new Error(`no actionCard of robot ${accessToken} has a button "${title}"`);
		return await browser.openLink(button.url, { userAgent: options.userAgent });
	}

	/**
	 * Opens a link as DingTalk's browser does (a `dingtalk://…/page/link?url=` link: its page).
	 * @param {string} link
	 * @param {{ userAgent?: string }} [options] `userAgent: ''` sends an empty one, as a link preview does
	 */
	openLink(link, options) {
		return browser.openLink(link, options);
	}

	/**
	 * Fills in and submits the form of a page the browser opened (answers by field label).
	 * @param {BrowserPage} page
	 * @param {Record<string, string | number | string[]>} answers
	 * @param {{ userAgent?: string }} [options]
	 */
	submitForm(page, answers, options) {
		return browser.submitForm(page, answers, options);
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
	 * @param {{ timeoutMs?: number, changeBody?: Record<string, unknown> }} [options]
	 */
	replayCallback(result, options) {
		return this._callbacks.replayCallback(result, options);
	}

	// --- not DingTalk: a chat model speaking OpenAI's API, for the AI examples (chatModel.js) ---

	/** The OpenAI Base URL of the simulated chat model (`http://127.0.0.1:PORT/openai/v1`); its API key is CHAT_MODEL_API_KEY. */
	get chatModelBaseUrl() {
		return `${this._server.requireBaseUrl()}${CHAT_MODEL_BASE_PATH}`;
	}

	/**
	 * What the chat model answers from now on (until reset()): the text, in how many pieces, how far apart, a cut connection.
	 * @param {import('./chatModel').ChatAnswerOptions} options
	 */
	setChatAnswer(options) {
		this._chatModel.setAnswer(options);
	}

	/** @returns {import('./chatModel').ChatRequestRecord[]} every request the chat model answered since reset() */
	chatRequests() {
		return [...this._chatModel.records];
	}

	/** For the CLI only: POST /simulator/control/stream/push pushes a robot message (control.js). */
	enableControl() {
		mountControl(this._server, { pushRobotMessage: (clientId, options) => this.pushRobotMessage(clientId, options), files: () => this.files() });
	}
}

module.exports = {
	DingTalkSimulator,
	computeDingTalkSign,
	SUPPORTED_MSGTYPES,
	FAULT_KINDS,
	TAMPER_KINDS,
	OPENAPI_FAULT_KINDS,
	MSG_KEYS,
	INCOMING_MSGTYPES,
	STORAGE_FAULT_KINDS,
	AI_CARD_TEMPLATE_ID,
	CARD_TOPIC,
	CARD_CLICK_TAMPERS,
	CHAT_MODEL_API_KEY,
};
