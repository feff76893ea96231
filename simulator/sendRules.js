// @ts-check
'use strict';

/**
 * The rules every robot send obeys, whether it goes to the custom robot webhook (`/robot/send`)
 * or to a session webhook (`/robot/sendBySession`, and a callback's synchronous answer): the
 * body is a UTF-8 JSON object of at most ~20 000 bytes, a supported `msgtype` with its required
 * fields in DingTalk's exact casing, a `msgUuid` sent again is not posted twice, and 20 sends per
 * minute throttle the robot for 10 minutes. Answers carry DingTalk's errcode and errmsg (section
 * 4 of /work/shared/dingtalk-robot-api.md). Pure apart from the state objects passed in.
 */

const { checkNumber, isObject } = require('./checks');

/** The message types a custom robot webhook accepts. */
const SUPPORTED_MSGTYPES = Object.freeze(['text', 'link', 'markdown', 'actionCard', 'feedCard']);

const DEFAULT_RATE_LIMIT = Object.freeze({ perWindow: 20, windowMs: 60_000, throttleMs: 600_000 });

/**
 * How a request is answered: DingTalk's JSON (HTTP 200 and an errcode, also on failure) or a
 * page of its Tengine front (404, 5xx).
 * @typedef {{ status: number, errcode: number, errmsg: string } | { status: number, html: string, headers?: Record<string, string> } | { status: number, json: unknown }} Outcome
 */

/**
 * @typedef {object} RateLimitOptions
 * @property {number} [perWindow] deliveries allowed per robot inside one window (DingTalk: 20)
 * @property {number} [windowMs] length of the sliding window (DingTalk: 60 000 ms)
 * @property {number} [throttleMs] how long a robot stays throttled once it exceeded the limit (DingTalk: 10 min)
 */

/**
 * What one robot (or one session webhook) remembers between sends.
 * @typedef {object} SendState
 * @property {Set<string>} deliveredUuids
 * @property {number[]} deliveryTimes
 * @property {number} throttledUntil
 */

/**
 * @param {number} errcode
 * @param {string} errmsg
 * @returns {Outcome}
 */
function reply(errcode, errmsg) {
	return { status: 200, errcode, errmsg };
}

/**
 * The page DingTalk's front answers with when no JSON comes (unknown path, 5xx).
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
 * @param {Record<string, unknown>} obj
 * @param {string} key
 */
function hasText(obj, key) {
	const v = obj[key];
	return typeof v === 'string' && v !== '';
}

/**
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
const asObject = (value) => (isObject(value) ? value : {});

/**
 * The first missing required field of a message (DingTalk's exact casing), or null.
 * @param {string} msgtype
 * @param {Record<string, unknown>} body
 * @returns {string | null}
 */
function findMissingField(msgtype, body) {
	const part = asObject(body[msgtype]);
	/** @param {string[]} keys */
	const firstMissing = (keys) => keys.find((k) => !hasText(part, k)) ?? null;
	/**
	 * @param {string} name
	 * @param {unknown[]} items
	 * @param {string[]} keys
	 */
	const firstMissingIn = (name, items, keys) => {
		for (let i = 0; i < items.length; i++) {
			const key = keys.find((k) => !hasText(asObject(items[i]), k));
			if (key) return `${name}[${i}].${key}`;
		}
		return null;
	};
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
			if (Array.isArray(btns) && btns.length > 0) return firstMissingIn('btns', btns, ['title', 'actionURL']);
			if (hasText(part, 'singleTitle')) return 'singleURL';
			if (hasText(part, 'singleURL')) return 'singleTitle';
			return 'btns';
		}
		case 'feedCard': {
			const links = part.links;
			if (!Array.isArray(links) || links.length === 0) return 'links';
			return firstMissingIn('links', links, ['title', 'messageURL', 'picURL']);
		}
		default:
			return null;
	}
}

/** @param {unknown} value */
const textOf = (value) => (typeof value === 'string' ? value : '');

/**
 * The words DingTalk matches keywords against: what the group reads as the message. text:
 * content; markdown, link and actionCard: title and text; feedCard: the links' titles. Not
 * URLs, button titles, pictures or the mention lists (the README of the package says the same).
 * @param {Record<string, unknown>} body
 */
function keywordText(body) {
	const part = isObject(body[String(body.msgtype)]) ? /** @type {Record<string, unknown>} */ (body[String(body.msgtype)]) : {};
	switch (body.msgtype) {
		case 'text':
			return textOf(part.content);
		case 'markdown':
		case 'link':
		case 'actionCard':
			return `${textOf(part.title)}\n${textOf(part.text)}`;
		case 'feedCard':
			return (Array.isArray(part.links) ? part.links : []).map((link) => textOf(isObject(link) ? link.title : undefined)).join('\n');
		default:
			return '';
	}
}

/**
 * A robot with keywords only posts a message whose text (keywordText) contains one of them.
 * @param {Record<string, unknown>} body
 * @param {string[]} keywords
 */
function containsKeyword(body, keywords) {
	const text = keywordText(body);
	return keywords.some((k) => text.includes(k));
}

/**
 * Size, JSON object, msgtype, required fields. Also judges a synchronous reply to a callback.
 * @param {Record<string, unknown> | undefined} body undefined when the bytes were no JSON object
 * @param {number} bodyBytes
 * @param {boolean} truncated the body was longer than the simulator buffers
 * @param {number} maxBodyBytes DingTalk: 20 000
 * @returns {Outcome | null} null when the body is a valid message
 */
function checkMessageBody(body, bodyBytes, truncated, maxBodyBytes) {
	if (truncated) return reply(460101, `message too long, exceed ${maxBodyBytes} bytes`);
	if (!body) return reply(40035, '缺少参数 json');
	if (bodyBytes > maxBodyBytes) return reply(460101, `message too long, exceed ${maxBodyBytes} bytes`);
	const msgtype = body.msgtype;
	if (typeof msgtype !== 'string' || !SUPPORTED_MSGTYPES.includes(msgtype)) return reply(400105, '不支持的消息类型');
	const missing = findMissingField(msgtype, body);
	if (missing) return reply(400402, `参数 ${msgtype} --》 ${missing} 缺失`);
	return null;
}

/** msgUuid memory and the rate limit of one robot or one session webhook. */
class RateLimit {
	/**
	 * @param {RateLimitOptions | false | undefined} options false turns the limit off
	 */
	constructor(options) {
		/** @type {{ perWindow: number, windowMs: number, throttleMs: number } | false} */
		this.limits = false;
		if (options !== false) {
			const rl = { ...DEFAULT_RATE_LIMIT, ...(options ?? {}) };
			this.limits = {
				perWindow: checkNumber(rl.perWindow, 'rateLimit.perWindow', 1),
				windowMs: checkNumber(rl.windowMs, 'rateLimit.windowMs', 1),
				throttleMs: checkNumber(rl.throttleMs, 'rateLimit.throttleMs', 0),
			};
		}
	}

	/** @returns {SendState} */
	static freshState() {
		return { deliveredUuids: new Set(), deliveryTimes: [], throttledUntil: -Infinity };
	}

	/**
	 * A robot (or session) that exceeded the rate limit stays throttled for throttleMs.
	 * @param {SendState} state
	 * @param {number} now
	 * @returns {Outcome | null}
	 */
	checkThrottled(state, now) {
		const rl = this.limits;
		if (rl && now < state.throttledUntil) return this._tooFast(rl.perWindow);
		return null;
	}

	/**
	 * A msgUuid replay answers ok without delivering (marks the record duplicate); past the rate
	 * limit the robot or session gets throttled. Null means: deliver it (then call delivered()).
	 * @param {{ msgUuid: string | undefined, duplicate: boolean }} record
	 * @param {SendState} state
	 * @param {number} now
	 * @returns {Outcome | null}
	 */
	admit(record, state, now) {
		if (record.msgUuid !== undefined && state.deliveredUuids.has(record.msgUuid)) {
			record.duplicate = true;
			return reply(0, 'ok');
		}
		const rl = this.limits;
		if (rl) {
			state.deliveryTimes = state.deliveryTimes.filter((t) => t > now - rl.windowMs);
			if (state.deliveryTimes.length >= rl.perWindow) {
				state.throttledUntil = now + rl.throttleMs;
				return this._tooFast(rl.perWindow);
			}
			state.deliveryTimes.push(now);
		}
		return null;
	}

	/**
	 * Remembers the msgUuid of a delivered message, so that it is not posted twice.
	 * @param {{ msgUuid: string | undefined, delivered: boolean }} record
	 * @param {SendState} state
	 */
	delivered(record, state) {
		if (record.msgUuid !== undefined) state.deliveredUuids.add(record.msgUuid);
		record.delivered = true;
	}

	/** @param {number} perWindow */
	_tooFast(perWindow) {
		return reply(410100, `send too fast, exceed ${perWindow} times per minute`);
	}
}

module.exports = { SUPPORTED_MSGTYPES, reply, htmlPage, checkMessageBody, containsKeyword, RateLimit };
