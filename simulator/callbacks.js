// @ts-check
'use strict';

/**
 * DingTalk calling a trigger (HTTP mode of a robot, "Outgoing" of a custom robot; section 6 of
 * /work/shared/dingtalk-robot-api.md): a POST of the message someone wrote to the robot
 * (incomingMessage.js) with a fresh session webhook in it, signed with headers `timestamp` (ms)
 * and `sign` = base64(HmacSHA256(appSecret, timestamp + "\n" + appSecret)) when an appSecret is
 * given, and the Outgoing `token` header when an outgoingToken is. Tampers break one thing on
 * purpose (sign, timestamp, token, body) to see a trigger refuse it; replayCallback sends the
 * same bytes and headers again (DingTalk retrying). The trigger's answer, when it is a message,
 * is checked and kept as a synchronous reply of the session (sessionWebhook.js).
 */

const http = require('node:http');
const { checkNumber, computeDingTalkSign, isObject, optionalText } = require('./checks');
const { buildRobotMessage, checkRobotMessageOptions } = require('./incomingMessage');

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
/** These tampers change the signature, so they mean nothing without an appSecret. */
const SIGN_TAMPERS = Object.freeze(['wrongSign', 'noSign', 'oldTimestamp', 'futureTimestamp', 'badSignEncoding']);

const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;
/** How far the oldTimestamp / futureTimestamp tampers move the clock: well outside DingTalk's 1 hour. */
const TAMPER_CLOCK_SHIFT_MS = 2 * 3_600_000;
/** Truncated on purpose: the body DingTalk would never send, to see a trigger answer it sanely. */
const MALFORMED_BODY = '{"msgtype": "text", "text": ';

/**
 * @typedef {object} CallbackOnlyOptions
 * @property {string} [appSecret] signs the callback (headers timestamp and sign)
 * @property {string} [outgoingToken] the custom robot's Outgoing token (header token)
 * @property {'wrongSign' | 'noSign' | 'oldTimestamp' | 'futureTimestamp' | 'wrongToken' | 'malformedBody' | 'notAMessage' | 'badSignEncoding'} [tamper]
 * @property {number} [timeoutMs] default 30 000
 * @property {number} [signedAt] sign with this timestamp instead of now: with an earlier callback's
 *   timestamp, its very (timestamp, sign) pair carries a new message (DingTalk's sign does not cover the body)
 */

/** @typedef {import('./incomingMessage').RobotMessageOptions & CallbackOnlyOptions} CallbackOptions */

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

/**
 * The headers of a callback: JSON, the signature of appSecret (or what the tamper makes of it),
 * the Outgoing token.
 * @param {CallbackOptions} options
 * @param {number} now
 * @returns {Record<string, string>}
 */
function callbackHeaders({ appSecret, outgoingToken, tamper, signedAt }, now) {
	/** @type {Record<string, string>} */
	const headers = { 'content-type': 'application/json; charset=utf-8' };
	if (appSecret !== undefined && tamper !== 'noSign') {
		let timestamp = signedAt ?? now;
		if (tamper === 'oldTimestamp') timestamp = now - TAMPER_CLOCK_SHIFT_MS;
		if (tamper === 'futureTimestamp') timestamp = now + TAMPER_CLOCK_SHIFT_MS;
		headers.timestamp = String(timestamp);
		if (tamper === 'wrongSign') headers.sign = computeDingTalkSign(`${appSecret}-not-the-secret`, timestamp);
		else if (tamper === 'badSignEncoding') headers.sign = '%%%';
		else headers.sign = computeDingTalkSign(appSecret, timestamp);
	}
	if (outgoingToken !== undefined) headers.token = tamper === 'wrongToken' ? `${outgoingToken}-wrong` : outgoingToken;
	return headers;
}

class Callbacks {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {import('./sessionWebhook').SessionWebhooks} sessions
	 */
	constructor(server, sessions) {
		this._server = server;
		this._sessions = sessions;
		/** @type {CallbackRecord[]} */
		this.records = [];
		server.mount(this);
	}

	reset() {
		this.records = [];
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
		optionalText(appSecret, 'appSecret');
		optionalText(outgoingToken, 'outgoingToken');
		if (tamper !== undefined && !TAMPER_KINDS.includes(tamper)) {
			throw new TypeError(`unknown tamper ${JSON.stringify(tamper)}; kinds: ${TAMPER_KINDS.join(', ')}`);
		}
		if (tamper && SIGN_TAMPERS.includes(tamper) && appSecret === undefined) throw new TypeError(`tamper ${tamper} needs an appSecret`);
		if (tamper === 'wrongToken' && outgoingToken === undefined) throw new TypeError('tamper wrongToken needs an outgoingToken');
		checkRobotMessageOptions(options, 'deliverCallback');
		const timeoutMs = checkNumber(options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS, 'timeoutMs', 1);
		if (options.signedAt !== undefined) checkNumber(options.signedAt, 'signedAt', 0);

		const now = this._server.now();
		const { body, msgId, session, userEntry } = buildRobotMessage(options, {
			now,
			createSession: (o) => this._sessions.createSession(o),
			files: this._server.messageFiles,
		});
		const headers = callbackHeaders(options, now);
		const notMessage = tamper === 'malformedBody' || tamper === 'notAMessage';
		let rawBody = JSON.stringify(body);
		if (tamper === 'malformedBody') rawBody = MALFORMED_BODY;
		if (tamper === 'notAMessage') rawBody = '{"hello":"world"}';
		headers['content-length'] = String(Buffer.byteLength(rawBody));

		// the group shows what the person wrote, whether or not the trigger accepts the callback
		if (!notMessage) this._server.timeline.push(userEntry);
		/** @type {CallbackRequest} */
		const request = {
			url,
			headers,
			body: notMessage ? rawBody : body,
			rawBody,
			msgId,
			sessionId: session.sessionId,
			sessionWebhook: session.sessionWebhook,
			expiresAt: session.expiresAt,
			tamper,
			timeoutMs,
		};
		return this._send(request, false);
	}

	/**
	 * Sends exactly the request of an earlier callback again: same headers (the same timestamp and
	 * sign, now older), same bytes. That is DingTalk retrying a callback it got no answer to.
	 * With `changeBody`, its fields replace the body's (shallow): the same headers on another body,
	 * as someone who captured the call would send it (the sign does not cover the body), e.g. the
	 * same msgId with `isInAtList: true` or another text.
	 * @param {CallbackResult | { request: CallbackRequest }} result
	 * @param {{ timeoutMs?: number, changeBody?: Record<string, unknown> }} [options]
	 * @returns {Promise<CallbackResult>}
	 */
	replayCallback(result, options = {}) {
		if (!isObject(result) || !isObject(result.request)) return Promise.reject(new TypeError('replayCallback needs a CallbackResult'));
		const timeoutMs = checkNumber(options.timeoutMs ?? result.request.timeoutMs, 'timeoutMs', 1);
		const { changeBody } = options;
		if (changeBody === undefined) return this._send({ ...result.request, timeoutMs }, true);
		if (!isObject(changeBody)) return Promise.reject(new TypeError('changeBody must be an object'));
		const original = result.request.body;
		if (!isObject(original)) return Promise.reject(new TypeError('changeBody needs a callback whose body is a message'));
		const body = { ...original, ...changeBody };
		const rawBody = JSON.stringify(body);
		const headers = { ...result.request.headers, 'content-length': String(Buffer.byteLength(rawBody)) };
		const msgId = typeof body.msgId === 'string' ? body.msgId : result.request.msgId;
		return this._send({ ...result.request, headers, body, rawBody, msgId, timeoutMs }, true);
	}

	/**
	 * @param {CallbackRequest} request
	 * @param {boolean} replay
	 * @returns {Promise<CallbackResult>}
	 */
	async _send(request, replay) {
		/** @type {CallbackRecord} */
		const record = {
			at: this._server.now(),
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
		this.records.push(record);
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
		const syncReply = this._sessions.takeSyncReply(request.sessionId, answer.status, answer.bodyText, json);
		return { status: answer.status, headers: answer.headers, bodyText: answer.bodyText, json, syncReply, request };
	}
}

module.exports = { Callbacks, TAMPER_KINDS, postRaw, parseHttpUrl };
