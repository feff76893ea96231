// @ts-check
'use strict';

/**
 * A strict simulator of the DingTalk custom-robot webhook
 * (`POST https://oapi.dingtalk.com/robot/send?access_token=…`), following
 * /work/shared/dingtalk-robot-api.md. It is the judge of every other test of the project, so it
 * rejects everything DingTalk would reject, with DingTalk's errcode and errmsg, and it records
 * every request so that tests can assert on what was really sent.
 *
 * Only Node built-ins: node:http, node:crypto, node:net.
 */

const http = require('node:http');
const crypto = require('node:crypto');
const net = require('node:net');
const { renderGroupPage } = require('./groupView');

/** The message types a custom robot webhook accepts. */
const SUPPORTED_MSGTYPES = Object.freeze(['text', 'link', 'markdown', 'actionCard', 'feedCard']);

/** The fault kinds that injectFaults accepts. */
const FAULT_KINDS = Object.freeze(['busy', 'http500', 'http502', 'nonJson', 'slow', 'drop']);

/** The tamper kinds that deliverCallback accepts. */
const TAMPER_KINDS = Object.freeze([
	'wrongSign',
	'noSign',
	'oldTimestamp',
	'futureTimestamp',
	'wrongToken',
	'malformedBody',
	'notAMessage',
	'badSignEncoding',
]);

const SEND_PATH = '/robot/send';
const SESSION_PATH = '/robot/sendBySession';
/** DingTalk's documented samples give a session webhook about 90 minutes of life. */
const DEFAULT_SESSION_TTL_MS = 90 * 60_000;
const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;
/** How far the oldTimestamp / futureTimestamp tampers move the clock: well outside DingTalk's 1 hour. */
const TAMPER_CLOCK_SHIFT_MS = 2 * 3_600_000;
/** Truncated on purpose: the body DingTalk would never send, to see a trigger answer it sanely. */
const MALFORMED_BODY = '{"msgtype": "text", "text": ';

const DEFAULT_RATE_LIMIT = Object.freeze({ perWindow: 20, windowMs: 60_000, throttleMs: 600_000 });
const DEFAULT_MAX_BODY_BYTES = 20_000;
const DEFAULT_TIMESTAMP_TOLERANCE_MS = 3_600_000;
/** Bodies are buffered up to this many bytes (or 2 × maxBodyBytes if larger); the rest is drained. */
const MIN_BUFFER_CAP_BYTES = 1024 * 1024;

/**
 * @typedef {object} RateLimitOptions
 * @property {number} [perWindow] deliveries allowed per robot inside one window (DingTalk: 20)
 * @property {number} [windowMs] length of the sliding window (DingTalk: 60 000 ms)
 * @property {number} [throttleMs] how long a robot stays throttled once it exceeded the limit (DingTalk: 10 min)
 */

/**
 * @typedef {object} SimulatorOptions
 * @property {RateLimitOptions | false} [rateLimit]
 * @property {number} [maxBodyBytes]
 * @property {number} [timestampToleranceMs]
 * @property {() => number} [now]
 * @property {(record: RequestRecord) => void} [onRequest] called once per request, when it is answered or dropped
 */

/**
 * @typedef {object} RobotOptions
 * @property {string} accessToken
 * @property {string} [secret]
 * @property {string[]} [keywords]
 * @property {string[]} [ipWhitelist] IPv4 addresses or IPv4 CIDR blocks
 * @property {boolean} [disabled]
 * @property {boolean} [dissolved]
 */

/**
 * @typedef {object} Fault
 * @property {'busy' | 'http500' | 'http502' | 'nonJson' | 'slow' | 'drop'} kind
 * @property {number} [delayMs] for `slow`: how long to wait before answering
 * @property {boolean} [afterDelivery] for `drop`: process (and deliver) first, then drop the connection
 */

/**
 * @typedef {object} RequestRecord
 * @property {number} at now() when the request arrived
 * @property {string} method
 * @property {string} path pathname, without the query
 * @property {string | null} accessToken
 * @property {string | null} session the `session` query parameter (the session webhook's id), as received
 * @property {string} clientIp
 * @property {string | null} contentType
 * @property {string | null} timestamp the `timestamp` query parameter, as received
 * @property {string | null} sign the `sign` query parameter, decoded once (URLSearchParams)
 * @property {boolean | null} signatureValid timestamp and sign both valid; null when the robot is unknown or has no secret
 * @property {string} rawBody
 * @property {Record<string, unknown> | undefined} body the parsed body when it is a JSON object
 * @property {string | undefined} msgtype
 * @property {string | undefined} msgUuid
 * @property {Fault['kind'] | undefined} fault
 * @property {number | null} status HTTP status of the answer (set when decided, also for a `slow` answer still waiting); null when the connection was dropped
 * @property {number | undefined} errcode
 * @property {string | undefined} errmsg
 * @property {boolean} delivered
 * @property {boolean} duplicate
 */

/**
 * @typedef {object} SimulatorStats
 * @property {number} requests
 * @property {number} delivered
 * @property {number} duplicates
 * @property {Record<string, number>} rejected count per non-zero errcode
 */

/**
 * @typedef {object} WhitelistEntry
 * @property {number} base
 * @property {number} prefix
 */

/**
 * @typedef {object} Robot
 * @property {string} accessToken
 * @property {string | undefined} secret
 * @property {string[]} keywords
 * @property {WhitelistEntry[] | undefined} ipWhitelist
 * @property {boolean} disabled
 * @property {boolean} dissolved
 */

/**
 * @typedef {object} RobotState
 * @property {Record<string, unknown>[]} messages
 * @property {Set<string>} deliveredUuids
 * @property {number[]} deliveryTimes
 * @property {number} throttledUntil
 */

/**
 * @typedef {{ status: number, errcode: number, errmsg: string } | { status: number, html: string }} Outcome
 */

/**
 * @typedef {object} ConversationOptions
 * @property {'group' | 'oneToOne'} [type] default group
 * @property {string} [id]
 * @property {string} [title] ignored for one-to-one conversations
 */

/**
 * @typedef {object} SessionReply
 * @property {Record<string, unknown>} body
 * @property {'sessionWebhook' | 'response'} via posted to the session webhook, or the HTTP answer to the callback
 * @property {number} at now() when it was accepted
 */

/**
 * @typedef {object} Session
 * @property {string} sessionId
 * @property {string} sessionWebhook
 * @property {number} expiresAt
 * @property {{ type: 'group' | 'oneToOne', id: string | undefined, title: string | undefined }} conversation
 * @property {SessionReply[]} replies
 * @property {Set<string>} deliveredUuids
 * @property {number[]} deliveryTimes
 * @property {number} throttledUntil
 */

/**
 * @typedef {object} CallbackSender
 * @property {string} [nick]
 * @property {string} [staffId]
 * @property {string} [id]
 * @property {string} [corpId]
 * @property {boolean} [isAdmin]
 */

/**
 * @typedef {object} CallbackOptions
 * @property {string} [appSecret] signs the callback (headers timestamp and sign)
 * @property {string} [outgoingToken] the custom robot's Outgoing token (header token)
 * @property {string} [text] what the sender typed after the mention of the robot; default 'ping'
 * @property {CallbackSender} [sender]
 * @property {ConversationOptions} [conversation]
 * @property {boolean} [robotMentioned] default true
 * @property {{ dingtalkId: string, staffId?: string }[]} [mentions] other people mentioned in the message
 * @property {string} [chatbotUserId]
 * @property {string} [robotCode]
 * @property {string} [msgId]
 * @property {number} [createAt]
 * @property {number} [sessionTtlMs]
 * @property {'wrongSign' | 'noSign' | 'oldTimestamp' | 'futureTimestamp' | 'wrongToken' | 'malformedBody' | 'notAMessage' | 'badSignEncoding'} [tamper]
 * @property {Record<string, unknown>} [extraBody] merged over the body (shallow)
 * @property {number} [timeoutMs] default 30 000
 */

/**
 * @typedef {object} CallbackRequest
 * @property {string} url
 * @property {Record<string, string>} headers
 * @property {Record<string, unknown> | string} body the body object, or the raw text for malformedBody
 * @property {string} rawBody exactly the bytes sent (UTF-8)
 * @property {string} msgId
 * @property {string} sessionId
 * @property {string} sessionWebhook
 * @property {number} expiresAt
 * @property {CallbackOptions['tamper']} tamper
 * @property {number} timeoutMs
 */

/**
 * @typedef {object} CallbackResult
 * @property {number} status
 * @property {http.IncomingHttpHeaders} headers
 * @property {string} bodyText
 * @property {unknown} json the parsed answer, or undefined when it is not JSON
 * @property {{ recorded: boolean, errcode: number, errmsg: string } | undefined} syncReply
 *   undefined when the answer is no message (not 2xx, not a JSON object with a msgtype, or msgtype
 *   empty); else whether it passed the body checks of /robot/send and was recorded as a reply
 * @property {CallbackRequest} request
 */

/**
 * @typedef {object} CallbackRecord
 * @property {number} at now() when it was sent
 * @property {string} url
 * @property {CallbackOptions['tamper']} tamper
 * @property {boolean} replay sent by replayCallback
 * @property {string} msgId
 * @property {string} sessionId
 * @property {Record<string, string>} headers
 * @property {string} rawBody
 * @property {number | null} status null when no answer came (network error, timeout)
 * @property {string | undefined} bodyText
 * @property {string | undefined} error
 */

/**
 * What GET / draws, in the order it happened.
 * @typedef {{ from: 'robot', message: Record<string, unknown> }
 *   | { from: 'user', nick: string, text: string, mentioned: boolean, oneToOne: boolean }} TimelineEntry
 */

/**
 * DingTalk's signature: base64(HmacSHA256(key = secret, message = `${timestamp}\n${secret}`)).
 * The result is NOT URL-encoded; encode it exactly once when putting it into a query string.
 * @param {string} secret
 * @param {string | number} timestamp milliseconds
 * @returns {string}
 */
function computeDingTalkSign(secret, timestamp) {
	if (typeof secret !== 'string') throw new TypeError('secret must be a string');
	if (typeof timestamp !== 'string' && typeof timestamp !== 'number') {
		throw new TypeError('timestamp must be a string or a number');
	}
	return crypto
		.createHmac('sha256', Buffer.from(secret, 'utf8'))
		.update(`${timestamp}\n${secret}`, 'utf8')
		.digest('base64');
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string} key
 */
function hasText(obj, key) {
	const v = obj[key];
	return typeof v === 'string' && v !== '';
}

/**
 * @param {string} ip
 * @returns {number | null}
 */
function ipv4ToInt(ip) {
	if (!net.isIPv4(ip)) return null;
	return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/**
 * @param {string} entry
 * @returns {WhitelistEntry}
 */
function parseWhitelistEntry(entry) {
	if (typeof entry !== 'string') throw new TypeError('ipWhitelist entries must be strings');
	const [addr, prefixText, ...rest] = entry.trim().split('/');
	const base = ipv4ToInt(addr);
	let prefix = 32;
	if (prefixText !== undefined) {
		prefix = /^\d{1,2}$/.test(prefixText) ? Number(prefixText) : NaN;
	}
	if (base === null || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) {
		throw new TypeError(`invalid ipWhitelist entry ${JSON.stringify(entry)}: expected an IPv4 address or CIDR`);
	}
	return { base, prefix };
}

/**
 * @param {number} a
 * @param {number} b
 * @param {number} prefix
 */
function sameNetwork(a, b, prefix) {
	if (prefix === 0) return true;
	const size = 2 ** (32 - prefix);
	return Math.floor(a / size) === Math.floor(b / size);
}

/**
 * @param {string | undefined} address
 * @returns {string}
 */
function normalizeIp(address) {
	if (!address) return '';
	const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	return m ? m[1] : address;
}

/**
 * @param {string | null} contentType
 */
function isJsonContentType(contentType) {
	if (!contentType) return false;
	return contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * Every string value of the body except the top-level msgtype and msgUuid, concatenated.
 * @param {unknown} value
 * @param {string[]} out
 * @param {boolean} top
 */
function collectStrings(value, out, top) {
	if (typeof value === 'string') {
		out.push(value);
	} else if (Array.isArray(value)) {
		for (const v of value) collectStrings(v, out, false);
	} else if (isObject(value)) {
		for (const [k, v] of Object.entries(value)) {
			if (top && (k === 'msgtype' || k === 'msgUuid')) continue;
			collectStrings(v, out, false);
		}
	}
}

/**
 * The first missing required field of a message (DingTalk's exact casing), or null.
 * @param {string} msgtype
 * @param {Record<string, unknown>} body
 * @returns {string | null}
 */
function findMissingField(msgtype, body) {
	const part = isObject(body[msgtype]) ? /** @type {Record<string, unknown>} */ (body[msgtype]) : {};
	/** @param {string[]} keys */
	const firstMissing = (keys) => keys.find((k) => !hasText(part, k)) ?? null;
	switch (msgtype) {
		case 'text':
			return firstMissing(['content']);
		case 'link':
			return firstMissing(['title', 'text', 'messageUrl']);
		case 'markdown':
			return firstMissing(['title', 'text']);
		case 'actionCard': {
			const missing = firstMissing(['title', 'text']);
			if (missing) return missing;
			if (hasText(part, 'singleTitle') && hasText(part, 'singleURL')) return null;
			const btns = part.btns;
			if (Array.isArray(btns) && btns.length > 0) {
				for (let i = 0; i < btns.length; i++) {
					const btn = isObject(btns[i]) ? /** @type {Record<string, unknown>} */ (btns[i]) : {};
					for (const key of ['title', 'actionURL']) {
						if (!hasText(btn, key)) return `btns[${i}].${key}`;
					}
				}
				return null;
			}
			if (hasText(part, 'singleTitle')) return 'singleURL';
			if (hasText(part, 'singleURL')) return 'singleTitle';
			return 'btns';
		}
		case 'feedCard': {
			const links = part.links;
			if (!Array.isArray(links) || links.length === 0) return 'links';
			for (let i = 0; i < links.length; i++) {
				const link = isObject(links[i]) ? /** @type {Record<string, unknown>} */ (links[i]) : {};
				for (const key of ['title', 'messageURL', 'picURL']) {
					if (!hasText(link, key)) return `links[${i}].${key}`;
				}
			}
			return null;
		}
		default:
			return null;
	}
}

/**
 * @param {number} status
 * @param {string} title
 */
function htmlPage(status, title) {
	return (
		`<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n` +
		`<center><h1>${status} ${title}</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n`
	);
}

/**
 * @param {number} errcode
 * @param {string} errmsg
 * @returns {Outcome}
 */
function reply(errcode, errmsg) {
	return { status: 200, errcode, errmsg };
}

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} min
 */
function checkNumber(value, name, min) {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
		throw new TypeError(`${name} must be a finite number >= ${min}`);
	}
	return value;
}

/** Sender of a simulated callback unless told otherwise (ids shaped like DingTalk's, but fixed). */
const DEFAULT_SENDER = Object.freeze({
	nick: 'Zhang San',
	staffId: 'manager4521',
	id: '$:LWCP_v1:$senderSimulator0001',
	corpId: 'dingsimulatorcorp0001',
	isAdmin: false,
});
const DEFAULT_CHATBOT_USER_ID = '$:LWCP_v1:$robotSimulator0001';
const DEFAULT_ROBOT_CODE = 'dingrobotsimulator';
/** These tampers change the signature, so they mean nothing without an appSecret. */
const SIGN_TAMPERS = Object.freeze(['wrongSign', 'noSign', 'oldTimestamp', 'futureTimestamp', 'badSignEncoding']);

/**
 * @param {ConversationOptions | undefined} conversation
 * @returns {Session['conversation']}
 */
function normalizeConversation(conversation) {
	if (conversation !== undefined && !isObject(conversation)) throw new TypeError('conversation must be an object');
	const type = conversation?.type ?? 'group';
	if (type !== 'group' && type !== 'oneToOne') throw new TypeError(`conversation.type must be 'group' or 'oneToOne'`);
	if (type === 'oneToOne') return { type, id: conversation?.id ?? 'cidSimulatorOneToOne0001', title: undefined };
	return { type, id: conversation?.id ?? 'cidSimulatorGroup0001', title: conversation?.title ?? 'n8n test group' };
}

/**
 * @param {string} url
 * @returns {URL}
 */
function parseHttpUrl(url) {
	let parsed;
	try {
		parsed = new URL(url);
	} catch {
		throw new TypeError(`invalid callback URL ${JSON.stringify(url)}`);
	}
	// node:http only: DingTalk itself requires HTTPS, but a local n8n listens on plain HTTP
	if (parsed.protocol !== 'http:') throw new TypeError(`callback URL must be http://, got ${parsed.protocol}`);
	return parsed;
}

/**
 * One POST without a keep-alive agent (so nothing stays open after the answer). The timeout covers
 * the whole exchange, not only idle time: a trigger that never answers must not hang a test.
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {string} rawBody
 * @param {number} timeoutMs
 * @returns {Promise<{ status: number, headers: http.IncomingHttpHeaders, bodyText: string }>}
 */
function postRaw(url, headers, rawBody, timeoutMs) {
	return new Promise((resolve, reject) => {
		/** @param {Error} err */
		const fail = (err) => {
			clearTimeout(timer);
			reject(err);
		};
		const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
			/** @type {Buffer[]} */
			const chunks = [];
			res.on('data', (/** @type {Buffer} */ chunk) => chunks.push(chunk));
			res.on('error', fail);
			res.on('close', () => {
				if (!res.complete) fail(new Error('the answer was cut off'));
			});
			res.on('end', () => {
				clearTimeout(timer);
				resolve({ status: res.statusCode ?? 0, headers: res.headers, bodyText: Buffer.concat(chunks).toString('utf8') });
			});
		});
		const timer = setTimeout(() => {
			req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
		}, timeoutMs);
		req.on('error', fail);
		req.end(rawBody);
	});
}

class DingTalkSimulator {
	/**
	 * @param {SimulatorOptions} [options]
	 */
	constructor(options = {}) {
		/** @type {{ perWindow: number, windowMs: number, throttleMs: number } | false} */
		this._rateLimit = false;
		if (options.rateLimit !== false) {
			const rl = { ...DEFAULT_RATE_LIMIT, ...(options.rateLimit ?? {}) };
			this._rateLimit = {
				perWindow: checkNumber(rl.perWindow, 'rateLimit.perWindow', 1),
				windowMs: checkNumber(rl.windowMs, 'rateLimit.windowMs', 1),
				throttleMs: checkNumber(rl.throttleMs, 'rateLimit.throttleMs', 0),
			};
		}
		/** @type {number} */
		this._maxBodyBytes = checkNumber(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes', 1);
		/** @type {number} */
		this._timestampToleranceMs = checkNumber(
			options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS,
			'timestampToleranceMs',
			0,
		);
		if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('now must be a function');
		/** @type {() => number} */
		this._now = options.now ?? (() => Date.now());
		/** @type {Set<(record: RequestRecord) => void>} */
		this._listeners = new Set();
		if (options.onRequest) this._listeners.add(options.onRequest);

		/** @type {Map<string, Robot>} */
		this._robots = new Map();
		/** @type {Map<string, RobotState>} */
		this._state = new Map();
		/** @type {RequestRecord[]} */
		this._requests = [];
		/** @type {Fault[]} */
		this._faults = [];
		/** @type {((requestIndex: number) => Fault | undefined) | undefined} */
		this._faultPolicy = undefined;
		/** @type {Set<{ timer: NodeJS.Timeout, res: http.ServerResponse }>} */
		this._pending = new Set();
		/** @type {http.Server | undefined} */
		this._server = undefined;
		/** @type {string | undefined} */
		this._baseUrl = undefined;
		/** @type {Map<string, Session>} */
		this._sessions = new Map();
		/** @type {CallbackRecord[]} */
		this._callbacks = [];
		/** @type {TimelineEntry[]} */
		this._timeline = [];
	}

	/** The base URL once started (`http://127.0.0.1:PORT`), else undefined. */
	get baseUrl() {
		return this._baseUrl;
	}

	/** Every HTTP request received since construction or the last reset(), in arrival order. */
	get requests() {
		return this._requests;
	}

	/**
	 * Adds a robot. Adding a token that already exists replaces its configuration and keeps its
	 * delivered messages and rate-limit state (use it to disable or dissolve a robot later).
	 * @param {RobotOptions} options
	 */
	addRobot(options) {
		if (!isObject(options)) throw new TypeError('addRobot needs an options object');
		const { accessToken, secret, keywords, ipWhitelist, disabled, dissolved } = options;
		if (typeof accessToken !== 'string' || accessToken === '') throw new TypeError('accessToken must be a non-empty string');
		if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
			throw new TypeError('secret must be a non-empty string when given');
		}
		if (keywords !== undefined && (!Array.isArray(keywords) || keywords.some((k) => typeof k !== 'string' || k === ''))) {
			throw new TypeError('keywords must be an array of non-empty strings');
		}
		if (ipWhitelist !== undefined && !Array.isArray(ipWhitelist)) throw new TypeError('ipWhitelist must be an array');
		/** @type {Robot} */
		const robot = {
			accessToken,
			secret,
			keywords: keywords ? [...keywords] : [],
			ipWhitelist: ipWhitelist && ipWhitelist.length > 0 ? ipWhitelist.map(parseWhitelistEntry) : undefined,
			disabled: disabled === true,
			dissolved: dissolved === true,
		};
		this._robots.set(accessToken, robot);
		if (!this._state.has(accessToken)) this._state.set(accessToken, DingTalkSimulator._freshState());
	}

	/** @returns {RobotState} */
	static _freshState() {
		return { messages: [], deliveredUuids: new Set(), deliveryTimes: [], throttledUntil: -Infinity };
	}

	/**
	 * @param {{ host?: string, port?: number }} [options]
	 * @returns {Promise<string>}
	 */
	start(options = {}) {
		if (this._server) return Promise.reject(new Error('simulator already started'));
		const host = options.host ?? '127.0.0.1';
		const port = options.port ?? 0;
		const server = http.createServer((req, res) => this._onRequest(req, res));
		this._server = server;
		return new Promise((resolve, reject) => {
			/** @param {Error} err */
			const onError = (err) => {
				this._server = undefined;
				reject(err);
			};
			server.once('error', onError);
			server.listen(port, host, () => {
				server.off('error', onError);
				const address = server.address();
				const actualPort = typeof address === 'object' && address ? address.port : port;
				const hostPart = host.includes(':') ? `[${host}]` : host;
				this._baseUrl = `http://${hostPart}:${actualPort}`;
				resolve(this._baseUrl);
			});
		});
	}

	/** @returns {Promise<void>} */
	stop() {
		const server = this._server;
		if (!server) return Promise.resolve();
		for (const p of this._pending) {
			clearTimeout(p.timer);
			p.res.destroy();
		}
		this._pending.clear();
		return new Promise((resolve) => {
			server.close(() => {
				if (this._server === server) {
					this._server = undefined;
					this._baseUrl = undefined;
				}
				resolve();
			});
			server.closeAllConnections();
		});
	}

	/**
	 * @param {string} accessToken
	 * @returns {string}
	 */
	webhookUrl(accessToken) {
		if (!this._baseUrl) throw new Error('simulator not started');
		return `${this._baseUrl}/robot/send?access_token=${encodeURIComponent(accessToken)}`;
	}

	/**
	 * Delivered message bodies of a robot, in delivery order (a copy of the list).
	 * @param {string} accessToken
	 * @returns {Record<string, unknown>[]}
	 */
	messages(accessToken) {
		const state = this._state.get(accessToken);
		return state ? [...state.messages] : [];
	}

	/** Callbacks sent by deliverCallback and replayCallback since construction or reset(), in order. */
	get callbacks() {
		return this._callbacks;
	}

	/**
	 * Opens a session webhook, as DingTalk does for every callback: replies POSTed to it before
	 * expiresAt land in the conversation.
	 * @param {{ ttlMs?: number, conversation?: ConversationOptions }} [options]
	 * @returns {{ sessionId: string, sessionWebhook: string, expiresAt: number }}
	 */
	createSession(options = {}) {
		if (!this._baseUrl) throw new Error('simulator not started');
		const ttlMs = checkNumber(options.ttlMs ?? DEFAULT_SESSION_TTL_MS, 'ttlMs', 0);
		const conversation = normalizeConversation(options.conversation);
		const sessionId = crypto.randomBytes(16).toString('hex');
		const sessionWebhook = `${this._baseUrl}${SESSION_PATH}?session=${sessionId}`;
		const expiresAt = this._now() + ttlMs;
		this._sessions.set(sessionId, {
			sessionId,
			sessionWebhook,
			expiresAt,
			conversation,
			replies: [],
			deliveredUuids: new Set(),
			deliveryTimes: [],
			throttledUntil: -Infinity,
		});
		return { sessionId, sessionWebhook, expiresAt };
	}

	/**
	 * Makes a session expired from now() on. Throws for an unknown session (a typo must be loud).
	 * @param {string} sessionIdOrWebhookUrl
	 */
	expireSession(sessionIdOrWebhookUrl) {
		const session = this._findSession(sessionIdOrWebhookUrl);
		if (!session) throw new Error(`unknown session ${JSON.stringify(sessionIdOrWebhookUrl)}`);
		session.expiresAt = this._now();
	}

	/**
	 * Bodies of every reply a session accepted (via its webhook or as the callback's answer), in
	 * order; deep copies. [] for an unknown session.
	 * @param {string} sessionIdOrWebhookUrl
	 * @returns {Record<string, unknown>[]}
	 */
	sessionReplies(sessionIdOrWebhookUrl) {
		return this.replies(sessionIdOrWebhookUrl).map((r) => r.body);
	}

	/**
	 * Like sessionReplies, with the way each reply came and when; deep copies.
	 * @param {string} sessionIdOrWebhookUrl
	 * @returns {SessionReply[]}
	 */
	replies(sessionIdOrWebhookUrl) {
		const session = this._findSession(sessionIdOrWebhookUrl);
		return session ? session.replies.map((r) => structuredClone(r)) : [];
	}

	/**
	 * @param {string} sessionIdOrWebhookUrl a session id or a whole session webhook URL
	 * @returns {Session | undefined}
	 */
	_findSession(sessionIdOrWebhookUrl) {
		if (typeof sessionIdOrWebhookUrl !== 'string') throw new TypeError('a session id or session webhook URL is needed');
		let id = sessionIdOrWebhookUrl;
		if (id.includes('?')) id = new URL(id, 'http://simulator.invalid').searchParams.get('session') ?? '';
		return this._sessions.get(id);
	}

	/**
	 * Plays DingTalk calling a trigger: POSTs the callback of someone mentioning the robot to url,
	 * with a fresh session webhook in it, and returns the answer. A synchronous reply (the answer is
	 * a message) is checked like a /robot/send body and recorded as a reply of the session.
	 * Rejects on a network error or timeout (recorded in `callbacks` with status null).
	 * @param {string} url
	 * @param {CallbackOptions} [options]
	 * @returns {Promise<CallbackResult>}
	 */
	async deliverCallback(url, options = {}) {
		if (!isObject(options)) throw new TypeError('deliverCallback needs an options object');
		parseHttpUrl(url);
		const { appSecret, outgoingToken, tamper } = options;
		if (appSecret !== undefined && (typeof appSecret !== 'string' || appSecret === '')) {
			throw new TypeError('appSecret must be a non-empty string when given');
		}
		if (outgoingToken !== undefined && (typeof outgoingToken !== 'string' || outgoingToken === '')) {
			throw new TypeError('outgoingToken must be a non-empty string when given');
		}
		if (tamper !== undefined && !TAMPER_KINDS.includes(tamper)) {
			throw new TypeError(`unknown tamper ${JSON.stringify(tamper)}; kinds: ${TAMPER_KINDS.join(', ')}`);
		}
		if (tamper && SIGN_TAMPERS.includes(tamper) && appSecret === undefined) throw new TypeError(`tamper ${tamper} needs an appSecret`);
		if (tamper === 'wrongToken' && outgoingToken === undefined) throw new TypeError('tamper wrongToken needs an outgoingToken');
		const text = options.text ?? 'ping';
		if (typeof text !== 'string') throw new TypeError('text must be a string');
		const timeoutMs = checkNumber(options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS, 'timeoutMs', 1);

		const now = this._now();
		const conversation = normalizeConversation(options.conversation);
		const session = this.createSession({ ttlMs: options.sessionTtlMs, conversation });
		const sender = { ...DEFAULT_SENDER, ...(options.sender ?? {}) };
		const mentioned = options.robotMentioned ?? true;
		const chatbotUserId = options.chatbotUserId ?? DEFAULT_CHATBOT_USER_ID;
		const msgId = options.msgId ?? `msg${crypto.randomBytes(12).toString('hex')}`;
		const atUsers = [
			...(mentioned ? [{ dingtalkId: chatbotUserId }] : []),
			...(options.mentions ?? []).map((m) => ({ ...m })),
		];
		// Field order as in DingTalk's documented sample. DingTalk cuts the @robot mention out of the
		// text and leaves the blank that followed it: a trigger must trim.
		/** @type {Record<string, unknown>} */
		const body = {
			conversationId: conversation.id,
			atUsers,
			chatbotCorpId: sender.corpId,
			chatbotUserId,
			msgId,
			senderNick: sender.nick,
			isAdmin: sender.isAdmin,
			senderStaffId: sender.staffId,
			sessionWebhookExpiredTime: session.expiresAt,
			createAt: options.createAt ?? now,
			senderCorpId: sender.corpId,
			conversationType: conversation.type === 'oneToOne' ? '1' : '2',
			senderId: sender.id,
			...(conversation.type === 'group' ? { conversationTitle: conversation.title } : {}),
			isInAtList: mentioned,
			sessionWebhook: session.sessionWebhook,
			text: { content: mentioned ? ` ${text}` : text },
			robotCode: options.robotCode ?? DEFAULT_ROBOT_CODE,
			msgtype: 'text',
			...(options.extraBody ?? {}),
		};

		/** @type {Record<string, string>} */
		const headers = { 'content-type': 'application/json; charset=utf-8' };
		if (appSecret !== undefined && tamper !== 'noSign') {
			let timestamp = now;
			if (tamper === 'oldTimestamp') timestamp = now - TAMPER_CLOCK_SHIFT_MS;
			if (tamper === 'futureTimestamp') timestamp = now + TAMPER_CLOCK_SHIFT_MS;
			headers.timestamp = String(timestamp);
			if (tamper === 'wrongSign') headers.sign = computeDingTalkSign(`${appSecret}-not-the-secret`, timestamp);
			else if (tamper === 'badSignEncoding') headers.sign = '%%%';
			else headers.sign = computeDingTalkSign(appSecret, timestamp);
		}
		if (outgoingToken !== undefined) headers.token = tamper === 'wrongToken' ? `${outgoingToken}-wrong` : outgoingToken;
		let rawBody = JSON.stringify(body);
		if (tamper === 'malformedBody') rawBody = MALFORMED_BODY;
		if (tamper === 'notAMessage') rawBody = '{"hello":"world"}';
		headers['content-length'] = String(Buffer.byteLength(rawBody));

		// the group shows what the person wrote, whether or not the trigger accepts the callback
		if (tamper !== 'malformedBody' && tamper !== 'notAMessage') {
			this._timeline.push({
				from: 'user',
				nick: String(body.senderNick ?? ''),
				text,
				mentioned,
				oneToOne: conversation.type === 'oneToOne',
			});
		}
		/** @type {CallbackRequest} */
		const request = {
			url,
			headers,
			body: tamper === 'malformedBody' || tamper === 'notAMessage' ? rawBody : body,
			rawBody,
			msgId,
			sessionId: session.sessionId,
			sessionWebhook: session.sessionWebhook,
			expiresAt: session.expiresAt,
			tamper,
			timeoutMs,
		};
		return this._sendCallback(request, false);
	}

	/**
	 * Sends exactly the request of an earlier callback again: same headers (the same timestamp and
	 * sign, now older), same bytes. That is DingTalk retrying a callback it got no answer to.
	 * @param {CallbackResult | { request: CallbackRequest }} result
	 * @param {{ timeoutMs?: number }} [options]
	 * @returns {Promise<CallbackResult>}
	 */
	replayCallback(result, options = {}) {
		if (!isObject(result) || !isObject(result.request)) return Promise.reject(new TypeError('replayCallback needs a CallbackResult'));
		const timeoutMs = checkNumber(options.timeoutMs ?? result.request.timeoutMs, 'timeoutMs', 1);
		return this._sendCallback({ ...result.request, timeoutMs }, true);
	}

	/**
	 * @param {CallbackRequest} request
	 * @param {boolean} replay
	 * @returns {Promise<CallbackResult>}
	 */
	async _sendCallback(request, replay) {
		/** @type {CallbackRecord} */
		const record = {
			at: this._now(),
			url: request.url,
			tamper: request.tamper,
			replay,
			msgId: request.msgId,
			sessionId: request.sessionId,
			headers: { ...request.headers },
			rawBody: request.rawBody,
			status: null,
			bodyText: undefined,
			error: undefined,
		};
		this._callbacks.push(record);
		let answer;
		try {
			answer = await postRaw(request.url, { ...request.headers }, request.rawBody, request.timeoutMs);
		} catch (err) {
			record.error = err instanceof Error ? err.message : String(err);
			throw err;
		}
		record.status = answer.status;
		record.bodyText = answer.bodyText;
		/** @type {unknown} */
		let json;
		try {
			json = JSON.parse(answer.bodyText);
		} catch {
			json = undefined;
		}
		const syncReply = this._takeSyncReply(request.sessionId, answer.status, answer.bodyText, json);
		return { status: answer.status, headers: answer.headers, bodyText: answer.bodyText, json, syncReply, request };
	}

	/**
	 * The answer to a callback is a reply when it is a 2xx JSON object with a msgtype other than
	 * `empty` (DingTalk's "stay silent"). It gets the body checks of /robot/send; msgUuid and the
	 * rate limit are left out, as there is nothing documented about them for this way of replying.
	 * @param {string} sessionId
	 * @param {number} status
	 * @param {string} bodyText
	 * @param {unknown} json
	 * @returns {CallbackResult['syncReply']}
	 */
	_takeSyncReply(sessionId, status, bodyText, json) {
		if (status < 200 || status > 299 || !isObject(json) || json.msgtype === undefined || json.msgtype === 'empty') {
			return undefined;
		}
		const session = this._sessions.get(sessionId);
		// reset() while the callback was out: its session is gone
		if (!session) return { recorded: false, errcode: 300001, errmsg: 'session not found' };
		const invalid = this._checkBody(json, Buffer.byteLength(bodyText), false);
		if (invalid && 'errcode' in invalid) return { recorded: false, errcode: invalid.errcode, errmsg: invalid.errmsg };
		this._addReply(session, json, 'response', this._now());
		return { recorded: true, errcode: 0, errmsg: 'ok' };
	}

	/**
	 * Queues faults; each incoming request consumes the next one (FIFO).
	 * @param {Fault[]} faults
	 */
	injectFaults(faults) {
		if (!Array.isArray(faults)) throw new TypeError('injectFaults needs an array');
		for (const f of faults) {
			if (!isObject(f) || typeof f.kind !== 'string' || !FAULT_KINDS.includes(f.kind)) {
				throw new TypeError(`unknown fault ${JSON.stringify(f)}; kinds: ${FAULT_KINDS.join(', ')}`);
			}
			if (f.kind === 'slow') checkNumber(f.delayMs, 'slow fault delayMs', 0);
		}
		for (const f of faults) this._faults.push({ ...f });
	}

	/**
	 * Decides a fault for every request that finds the queue of injectFaults empty, e.g. to fail a
	 * share of requests at random in a benchmark. `undefined` turns it off.
	 * @param {((requestIndex: number) => Fault | undefined) | undefined} policy
	 */
	setFaultPolicy(policy) {
		this._faultPolicy = policy;
	}

	/** @returns {SimulatorStats} */
	stats() {
		/** @type {Record<string, number>} */
		const rejected = {};
		let delivered = 0;
		let duplicates = 0;
		for (const r of this._requests) {
			if (r.delivered) delivered++;
			if (r.duplicate) duplicates++;
			if (r.errcode !== undefined && r.errcode !== 0) {
				const key = String(r.errcode);
				rejected[key] = (rejected[key] ?? 0) + 1;
			}
		}
		return { requests: this._requests.length, delivered, duplicates, rejected };
	}

	/**
	 * Clears requests, messages, msgUuid memory, rate-limit and throttle state, pending faults,
	 * sessions with their replies, and callbacks; robots stay.
	 */
	reset() {
		this._requests = [];
		this._sessions = new Map();
		this._callbacks = [];
		this._timeline = [];
		this._faults = [];
		this._faultPolicy = undefined;
		for (const token of this._state.keys()) this._state.set(token, DingTalkSimulator._freshState());
	}

	/**
	 * Registers a listener called once per request when it has been answered or dropped.
	 * @param {(record: RequestRecord) => void} listener
	 * @returns {() => void} unsubscribe
	 */
	onRequest(listener) {
		this._listeners.add(listener);
		return () => {
			this._listeners.delete(listener);
		};
	}

	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	_onRequest(req, res) {
		// a browser's icon request is not a webhook request either
		if (req.method === 'GET' && req.url === '/favicon.ico') {
			res.writeHead(204);
			res.end();
			return;
		}
		// GET / shows what the simulated group received (not a webhook request: not recorded)
		if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?'))) {
			const page = renderGroupPage({
				groupName: 'Simulated DingTalk group',
				robotName: 'n8n robot',
				messages: [],
				entries: this._timeline,
			});
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end(page);
			return;
		}
		/** @type {RequestRecord} */
		const record = {
			at: this._now(),
			method: req.method ?? '',
			path: '',
			accessToken: null,
			session: null,
			clientIp: normalizeIp(req.socket.remoteAddress),
			contentType: req.headers['content-type'] ?? null,
			timestamp: null,
			sign: null,
			signatureValid: null,
			rawBody: '',
			body: undefined,
			msgtype: undefined,
			msgUuid: undefined,
			fault: undefined,
			status: null,
			errcode: undefined,
			errmsg: undefined,
			delivered: false,
			duplicate: false,
		};
		this._requests.push(record);
		const fault = this._faults.shift() ?? this._faultPolicy?.(this._requests.length - 1);
		record.fault = fault?.kind;

		const cap = Math.max(this._maxBodyBytes * 2, MIN_BUFFER_CAP_BYTES);
		/** @type {Buffer[]} */
		const chunks = [];
		let buffered = 0;
		let total = 0;
		req.on('data', (/** @type {Buffer} */ chunk) => {
			total += chunk.length;
			if (buffered < cap) {
				const part = chunk.subarray(0, cap - buffered);
				chunks.push(part);
				buffered += part.length;
			}
		});
		req.on('error', () => {
			/* client went away: nothing to answer */
		});
		req.on('end', () => {
			try {
				this._process(record, fault, req, res, Buffer.concat(chunks), total);
			} catch (err) {
				// A bug in the simulator must be loud, not a silent 200.
				record.status = 500;
				if (!res.headersSent) {
					res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
					res.end(`simulator error: ${err && err.stack ? err.stack : String(err)}`);
				}
				this._notify(record);
			}
		});
	}

	/**
	 * @param {RequestRecord} record
	 * @param {Fault | undefined} fault
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 * @param {Buffer} raw
	 * @param {number} totalBytes
	 */
	_process(record, fault, req, res, raw, totalBytes) {
		const url = new URL(req.url ?? '/', 'http://simulator.invalid');
		const query = url.searchParams;
		record.path = url.pathname;
		record.accessToken = query.get('access_token');
		record.session = query.get('session');
		record.timestamp = query.get('timestamp');
		record.sign = query.get('sign');
		record.rawBody = raw.toString('utf8');
		const truncated = totalBytes > raw.length;

		/** @type {Record<string, unknown> | undefined} */
		let body;
		if (!truncated && raw.length > 0) {
			try {
				const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
				if (isObject(parsed)) body = parsed;
			} catch {
				body = undefined;
			}
		}
		record.body = body;
		if (body) {
			if (typeof body.msgtype === 'string') record.msgtype = body.msgtype;
			if (typeof body.msgUuid === 'string' && body.msgUuid !== '') record.msgUuid = body.msgUuid;
		}
		// a session webhook carries no robot: an access_token on it is ignored, not checked
		const robot =
			record.accessToken && record.path !== SESSION_PATH ? this._robots.get(record.accessToken) : undefined;
		const now = this._now();
		/** @type {string | null} */
		let signatureError = null;
		if (robot && robot.secret) {
			signatureError = this._checkSignature(robot.secret, record.timestamp, record.sign, now);
			record.signatureValid = signatureError === null;
		}

		if (fault && fault.kind !== 'slow' && !(fault.kind === 'drop' && fault.afterDelivery)) {
			switch (fault.kind) {
				case 'busy':
					this._answer(record, res, reply(-1, '系统繁忙'), 0);
					return;
				case 'http500':
					this._answer(record, res, { status: 500, html: htmlPage(500, 'Internal Server Error') }, 0);
					return;
				case 'http502':
					this._answer(record, res, { status: 502, html: htmlPage(502, 'Bad Gateway') }, 0);
					return;
				case 'nonJson':
					this._answer(record, res, { status: 200, html: htmlPage(200, 'OK') }, 0);
					return;
				case 'drop':
					this._drop(record, req, res);
					return;
			}
		}

		const outcome = this._decide(record, robot, body, raw.length, truncated, signatureError, now);
		if (fault && fault.kind === 'drop') {
			this._drop(record, req, res);
			return;
		}
		this._answer(record, res, outcome, fault && fault.kind === 'slow' ? fault.delayMs ?? 0 : 0);
	}

	/**
	 * @param {string} secret
	 * @param {string | null} timestamp
	 * @param {string | null} sign
	 * @param {number} now
	 * @returns {string | null} the errmsg, or null when valid
	 */
	_checkSignature(secret, timestamp, sign, now) {
		if (timestamp === null || !/^\d{1,16}$/.test(timestamp)) return 'invalid timestamp';
		const ts = Number(timestamp);
		if (!Number.isSafeInteger(ts) || Math.abs(now - ts) > this._timestampToleranceMs) return 'invalid timestamp';
		if (sign === null || sign === '') return 'sign not match';
		const expected = Buffer.from(computeDingTalkSign(secret, timestamp), 'utf8');
		const given = Buffer.from(sign, 'utf8');
		if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'sign not match';
		return null;
	}

	/**
	 * Steps 2 to 13 of the brief; delivers the message when everything passes.
	 * @param {RequestRecord} record
	 * @param {Robot | undefined} robot
	 * @param {Record<string, unknown> | undefined} body
	 * @param {number} bodyBytes
	 * @param {boolean} truncated
	 * @param {string | null} signatureError
	 * @param {number} now
	 * @returns {Outcome}
	 */
	_decide(record, robot, body, bodyBytes, truncated, signatureError, now) {
		// 2. route and method
		if (record.path === SESSION_PATH) return this._decideSession(record, body, bodyBytes, truncated, now);
		if (record.path !== SEND_PATH) return { status: 404, html: htmlPage(404, 'Not Found') };
		if (record.method !== 'POST') return reply(43002, '需要POST请求');
		// 3. token and robot state
		if (!record.accessToken) return reply(40035, '缺少参数 access_token');
		if (!robot) return reply(300005, 'token is not exist');
		if (robot.disabled) return reply(400102, '机器人已停用');
		if (robot.dissolved) return reply(400013, '群已被解散');
		// 4. content type
		if (!isJsonContentType(record.contentType)) return reply(43004, '无效的HTTP HEADER Content-Type');
		// 5. IP whitelist
		if (robot.ipWhitelist) {
			const ip = ipv4ToInt(record.clientIp);
			const allowed = ip !== null && robot.ipWhitelist.some((e) => sameNetwork(ip, e.base, e.prefix));
			if (!allowed) return reply(310000, `ip ${record.clientIp} not in whitelist`);
		}
		// 6. signature
		if (robot.secret && signatureError !== null) return reply(310000, signatureError);
		// 7. throttled
		const state = /** @type {RobotState} */ (this._state.get(robot.accessToken));
		const throttled = this._checkThrottled(state, now);
		if (throttled) return throttled;
		// 8. to 10. body, msgtype, required fields
		const invalid = this._checkBody(body, bodyBytes, truncated);
		if (invalid || !body) return invalid ?? reply(40035, '缺少参数 json');
		// 11. keywords
		if (robot.keywords.length > 0) {
			/** @type {string[]} */
			const strings = [];
			collectStrings(body, strings, true);
			const text = strings.join('\n');
			if (!robot.keywords.some((k) => text.includes(k))) return reply(310000, 'keywords not in content');
		}
		// 12. and 13. msgUuid replay, rate limit
		const refused = this._admit(record, state, now);
		if (refused) return refused;
		state.messages.push(body);
		this._timeline.push({ from: 'robot', message: body });
		if (record.msgUuid !== undefined) state.deliveredUuids.add(record.msgUuid);
		record.delivered = true;
		return reply(0, 'ok');
	}

	/**
	 * POST /robot/sendBySession: what /robot/send checks, minus token, IP, signature and keywords
	 * (a session webhook is itself the credential), plus the session's life.
	 * @param {RequestRecord} record
	 * @param {Record<string, unknown> | undefined} body
	 * @param {number} bodyBytes
	 * @param {boolean} truncated
	 * @param {number} now
	 * @returns {Outcome}
	 */
	_decideSession(record, body, bodyBytes, truncated, now) {
		if (record.method !== 'POST') return reply(43002, '需要POST请求');
		// Assumption: DingTalk's documentation does not show the answer to an unknown or expired
		// session. We answer like its other "does not exist" case: HTTP 200, errcode 300001, and an
		// errmsg that tells the two apart.
		const session = record.session ? this._sessions.get(record.session) : undefined;
		if (!session) return reply(300001, 'session not found');
		if (now >= session.expiresAt) return reply(300001, 'session expired');
		if (!isJsonContentType(record.contentType)) return reply(43004, '无效的HTTP HEADER Content-Type');
		const throttled = this._checkThrottled(session, now);
		if (throttled) return throttled;
		const invalid = this._checkBody(body, bodyBytes, truncated);
		if (invalid || !body) return invalid ?? reply(40035, '缺少参数 json');
		const refused = this._admit(record, session, now);
		if (refused) return refused;
		this._addReply(session, body, 'sessionWebhook', now);
		if (record.msgUuid !== undefined) session.deliveredUuids.add(record.msgUuid);
		record.delivered = true;
		return reply(0, 'ok');
	}

	/**
	 * Step 7: a robot (or session) that exceeded the rate limit stays throttled for throttleMs.
	 * @param {{ throttledUntil: number }} state
	 * @param {number} now
	 * @returns {Outcome | null}
	 */
	_checkThrottled(state, now) {
		const rl = this._rateLimit;
		if (rl && now < state.throttledUntil) {
			return reply(410100, `send too fast, exceed ${rl.perWindow} times per minute`);
		}
		return null;
	}

	/**
	 * Steps 8 to 10: size, JSON object, msgtype, required fields. Also judges a synchronous reply.
	 * @param {Record<string, unknown> | undefined} body
	 * @param {number} bodyBytes
	 * @param {boolean} truncated
	 * @returns {Outcome | null} null when the body is a valid message
	 */
	_checkBody(body, bodyBytes, truncated) {
		if (truncated) return reply(460101, `message too long, exceed ${this._maxBodyBytes} bytes`);
		if (!body) return reply(40035, '缺少参数 json');
		if (bodyBytes > this._maxBodyBytes) return reply(460101, `message too long, exceed ${this._maxBodyBytes} bytes`);
		const msgtype = body.msgtype;
		if (typeof msgtype !== 'string' || !SUPPORTED_MSGTYPES.includes(msgtype)) return reply(400105, '不支持的消息类型');
		const missing = findMissingField(msgtype, body);
		if (missing) return reply(400402, `参数 ${msgtype} --》 ${missing} 缺失`);
		return null;
	}

	/**
	 * Steps 12 and 13: a msgUuid replay answers ok without delivering (marks the record duplicate);
	 * past the rate limit the robot or session gets throttled. Null means: deliver it.
	 * @param {RequestRecord} record
	 * @param {{ deliveredUuids: Set<string>, deliveryTimes: number[], throttledUntil: number }} state
	 * @param {number} now
	 * @returns {Outcome | null}
	 */
	_admit(record, state, now) {
		if (record.msgUuid !== undefined && state.deliveredUuids.has(record.msgUuid)) {
			record.duplicate = true;
			return reply(0, 'ok');
		}
		const rl = this._rateLimit;
		if (rl) {
			state.deliveryTimes = state.deliveryTimes.filter((t) => t > now - rl.windowMs);
			if (state.deliveryTimes.length >= rl.perWindow) {
				state.throttledUntil = now + rl.throttleMs;
				return reply(410100, `send too fast, exceed ${rl.perWindow} times per minute`);
			}
			state.deliveryTimes.push(now);
		}
		return null;
	}

	/**
	 * @param {Session} session
	 * @param {Record<string, unknown>} body
	 * @param {SessionReply['via']} via
	 * @param {number} now
	 */
	_addReply(session, body, via, now) {
		session.replies.push({ body, via, at: now });
		this._timeline.push({ from: 'robot', message: body });
	}

	/**
	 * @param {RequestRecord} record
	 * @param {http.ServerResponse} res
	 * @param {Outcome} outcome
	 * @param {number} delayMs
	 */
	_answer(record, res, outcome, delayMs) {
		record.status = outcome.status;
		let payload;
		let type;
		if ('errcode' in outcome) {
			record.errcode = outcome.errcode;
			record.errmsg = outcome.errmsg;
			payload = JSON.stringify({ errcode: outcome.errcode, errmsg: outcome.errmsg });
			type = 'application/json;charset=utf-8';
		} else {
			payload = outcome.html;
			type = 'text/html; charset=utf-8';
		}
		const send = () => {
			if (res.destroyed) return;
			res.writeHead(outcome.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload) });
			res.end(payload);
			this._notify(record);
		};
		if (delayMs > 0) {
			const entry = {
				timer: setTimeout(() => {
					this._pending.delete(entry);
					send();
				}, delayMs),
				res,
			};
			this._pending.add(entry);
		} else {
			send();
		}
	}

	/**
	 * @param {RequestRecord} record
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	_drop(record, req, res) {
		record.status = null;
		res.destroy();
		req.socket.destroy();
		this._notify(record);
	}

	/** @param {RequestRecord} record */
	_notify(record) {
		for (const listener of this._listeners) {
			try {
				listener(record);
			} catch {
				/* a listener must not break the simulator */
			}
		}
	}
}

module.exports = { DingTalkSimulator, computeDingTalkSign, SUPPORTED_MSGTYPES, FAULT_KINDS, TAMPER_KINDS };
