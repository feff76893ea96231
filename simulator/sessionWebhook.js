// @ts-check
'use strict';

/**
 * Session webhooks (`sessionWebhook`): the URL DingTalk puts into every message it hands a robot
 * (HTTP callback or Stream), valid until `sessionWebhookExpiredTime` (about 90 minutes in the
 * documented samples), to which the robot POSTs its replies into that conversation
 * (`/robot/sendBySession?session=…` here). It checks what /robot/send checks minus the token,
 * IP, signature and keywords (the URL itself is the credential), plus the session's life:
 * POST, session known and not expired, JSON content type, throttle, body, msgUuid, rate limit.
 * It also takes the synchronous reply (a callback's HTTP answer that is a message).
 */

const crypto = require('node:crypto');
const { checkNumber, isJsonContentType, isObject } = require('./checks');
const { RateLimit, checkMessageBody, reply } = require('./sendRules');

const SESSION_PATH = '/robot/sendBySession';
/** DingTalk's documented samples give a session webhook about 90 minutes of life. */
const DEFAULT_SESSION_TTL_MS = 90 * 60_000;

/**
 * @typedef {object} ConversationOptions
 * @property {'group' | 'oneToOne'} [type] default group
 * @property {string} [id]
 * @property {string} [title] ignored for one-to-one conversations
 */

/** @typedef {{ type: 'group' | 'oneToOne', id: string | undefined, title: string | undefined }} Conversation */

/**
 * @typedef {object} SessionReply
 * @property {Record<string, unknown>} body
 * @property {'sessionWebhook' | 'response'} via posted to the session webhook, or the HTTP answer to the callback
 * @property {number} at now() when it was accepted
 */

/**
 * @typedef {object} SessionInfo
 * @property {string} sessionId
 * @property {string} sessionWebhook
 * @property {number} expiresAt
 */

/**
 * @typedef {SessionInfo & import('./sendRules').SendState & { conversation: Conversation, replies: SessionReply[] }} Session
 */

/**
 * @param {ConversationOptions | undefined} conversation
 * @returns {Conversation}
 */
function normalizeConversation(conversation) {
	if (conversation !== undefined && !isObject(conversation)) throw new TypeError('conversation must be an object');
	const type = conversation?.type ?? 'group';
	if (type !== 'group' && type !== 'oneToOne') throw new TypeError(`conversation.type must be 'group' or 'oneToOne'`);
	if (type === 'oneToOne') return { type, id: conversation?.id ?? 'cidSimulatorOneToOne0001', title: undefined };
	return { type, id: conversation?.id ?? 'cidSimulatorGroup0001', title: conversation?.title ?? 'n8n test group' };
}

class SessionWebhooks {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ rateLimit: RateLimit, maxBodyBytes: number }} options
	 */
	constructor(server, { rateLimit, maxBodyBytes }) {
		this._server = server;
		this._rateLimit = rateLimit;
		this._maxBodyBytes = maxBodyBytes;
		/** @type {Map<string, Session>} */
		this._sessions = new Map();
		server.oapi.route(SESSION_PATH, { decide: (request) => this._decide(request) });
		server.mount(this);
	}

	/**
	 * Opens a session webhook, as DingTalk does for every message it hands a robot: replies POSTed
	 * to it before expiresAt land in the conversation.
	 * @param {{ ttlMs?: number, conversation?: ConversationOptions }} [options]
	 * @returns {SessionInfo}
	 */
	createSession(options = {}) {
		const baseUrl = this._server.requireBaseUrl();
		const ttlMs = checkNumber(options.ttlMs ?? DEFAULT_SESSION_TTL_MS, 'ttlMs', 0);
		const conversation = normalizeConversation(options.conversation);
		const sessionId = crypto.randomBytes(16).toString('hex');
		const sessionWebhook = `${baseUrl}${SESSION_PATH}?session=${sessionId}`;
		const expiresAt = this._server.now() + ttlMs;
		this._sessions.set(sessionId, {
			sessionId,
			sessionWebhook,
			expiresAt,
			conversation,
			replies: [],
			...RateLimit.freshState(),
		});
		return { sessionId, sessionWebhook, expiresAt };
	}

	/**
	 * Makes a session expired from now() on. Throws for an unknown session (a typo must be loud).
	 * @param {string} sessionIdOrWebhookUrl
	 */
	expireSession(sessionIdOrWebhookUrl) {
		const session = this._find(sessionIdOrWebhookUrl);
		if (!session) throw new Error(`unknown session ${JSON.stringify(sessionIdOrWebhookUrl)}`);
		session.expiresAt = this._server.now();
	}

	/**
	 * The replies a session accepted (via its webhook or as the callback's answer), in order, with
	 * how and when they came; deep copies. [] for an unknown session.
	 * @param {string} sessionIdOrWebhookUrl
	 * @returns {SessionReply[]}
	 */
	replies(sessionIdOrWebhookUrl) {
		const session = this._find(sessionIdOrWebhookUrl);
		return session ? session.replies.map((r) => structuredClone(r)) : [];
	}

	/** Forgets every session and its replies. */
	reset() {
		this._sessions = new Map();
	}

	/**
	 * The answer to a callback is a reply when it is a 2xx JSON object with a msgtype other than
	 * `empty` (DingTalk's "stay silent"). It gets the body checks of /robot/send; msgUuid and the
	 * rate limit are left out, as there is nothing documented about them for this way of replying.
	 * @param {string} sessionId
	 * @param {number} status
	 * @param {string} bodyText
	 * @param {unknown} json
	 * @returns {{ recorded: boolean, errcode: number, errmsg: string } | undefined}
	 */
	takeSyncReply(sessionId, status, bodyText, json) {
		if (status < 200 || status > 299 || !isObject(json) || json.msgtype === undefined || json.msgtype === 'empty') {
			return undefined;
		}
		const session = this._sessions.get(sessionId);
		// reset() while the callback was out: its session is gone
		if (!session) return { recorded: false, errcode: 300001, errmsg: 'session not found' };
		const invalid = checkMessageBody(json, Buffer.byteLength(bodyText), false, this._maxBodyBytes);
		if (invalid && 'errcode' in invalid) return { recorded: false, errcode: invalid.errcode, errmsg: invalid.errmsg };
		this._addReply(session, json, 'response', this._server.now());
		return { recorded: true, errcode: 0, errmsg: 'ok' };
	}

	/**
	 * @param {string} sessionIdOrWebhookUrl a session id or a whole session webhook URL
	 * @returns {Session | undefined}
	 */
	_find(sessionIdOrWebhookUrl) {
		if (typeof sessionIdOrWebhookUrl !== 'string') throw new TypeError('a session id or session webhook URL is needed');
		let id = sessionIdOrWebhookUrl;
		if (id.includes('?')) id = new URL(id, 'http://simulator.invalid').searchParams.get('session') ?? '';
		return this._sessions.get(id);
	}

	/**
	 * POST /robot/sendBySession.
	 * @param {import('./oapiHost').OapiRequest} request
	 * @returns {import('./sendRules').Outcome}
	 */
	_decide({ record, body, bodyBytes, truncated, now }) {
		if (record.method !== 'POST') return reply(43002, '需要POST请求');
		// Assumption: DingTalk's documentation does not show the answer to an unknown or expired
		// session. We answer like its other "does not exist" case: HTTP 200, errcode 300001, and an
		// errmsg that tells the two apart.
		const session = record.session ? this._sessions.get(record.session) : undefined;
		if (!session) return reply(300001, 'session not found');
		if (now >= session.expiresAt) return reply(300001, 'session expired');
		if (!isJsonContentType(record.contentType)) return reply(43004, '无效的HTTP HEADER Content-Type');
		const throttled = this._rateLimit.checkThrottled(session, now);
		if (throttled) return throttled;
		const invalid = checkMessageBody(body, bodyBytes, truncated, this._maxBodyBytes);
		if (invalid || !body) return invalid ?? reply(40035, '缺少参数 json');
		const refused = this._rateLimit.admit(record, session, now);
		if (refused) return refused;
		this._addReply(session, body, 'sessionWebhook', now);
		this._rateLimit.delivered(record, session);
		return reply(0, 'ok');
	}

	/**
	 * @param {Session} session
	 * @param {Record<string, unknown>} body
	 * @param {SessionReply['via']} via
	 * @param {number} now
	 */
	_addReply(session, body, via, now) {
		session.replies.push({ body, via, at: now });
		this._server.timeline.push({ from: 'robot', message: body });
	}
}

module.exports = { SessionWebhooks, normalizeConversation, SESSION_PATH };
