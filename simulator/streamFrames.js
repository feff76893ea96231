// @ts-check
'use strict';

/**
 * The frames of DingTalk's Stream protocol, as pure functions (open-dingtalk/developerpedia
 * docs/learn/stream/protocol.md; the official SDKs' clients; section 8 of
 * /work/shared/dingtalk-robot-api.md): the body of `POST /v1.0/gateway/connections/open`, the
 * frames the gateway pushes (`{specVersion, type: SYSTEM | EVENT | CALLBACK, headers, data}`,
 * `data` a JSON string), and the check of what a client answers
 * (`{code, headers: {messageId, contentType}, message, data}`). No I/O, no clock.
 */

const crypto = require('node:crypto');
const { isObject } = require('./checks');

/** The CALLBACK topic of robot messages. */
const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
/** EVENT subscriptions accept only `*`: events are chosen in the developer console. */
const EVENT_TOPIC = '*';
const JSON_TYPE = 'application/json';

/**
 * @typedef {{ type: 'CALLBACK' | 'EVENT', topic: string }} Subscription
 */

/**
 * @typedef {object} Frame
 * @property {'1.0'} specVersion
 * @property {'SYSTEM' | 'EVENT' | 'CALLBACK'} type
 * @property {Record<string, string>} headers
 * @property {string} data a JSON string
 */

/**
 * A client's answer to a frame, as received.
 * @typedef {object} Ack
 * @property {number} code
 * @property {string} messageId
 * @property {unknown} contentType
 * @property {unknown} message
 * @property {unknown} data
 */

/**
 * A messageId shaped like DingTalk's (`212ca9d7_974_1898c159aa6_1783b`): unique per frame.
 * @param {number} now
 * @param {number} sequence
 */
function newMessageId(now, sequence) {
	return `${crypto.randomBytes(4).toString('hex')}_${sequence}_${Math.max(0, Math.floor(now)).toString(16)}_${crypto.randomBytes(2).toString('hex')}`;
}

/**
 * The subscriptions of an open request, or why they are refused. The protocol requires at least
 * one; `type` is CALLBACK or EVENT, `topic` a non-empty string, and EVENT only takes `*`.
 * @param {unknown} subscriptions
 * @returns {{ subscriptions: Subscription[] } | { error: string }}
 */
function checkSubscriptions(subscriptions) {
	if (!Array.isArray(subscriptions) || subscriptions.length === 0) return { error: 'subscriptions is required' };
	/** @type {Subscription[]} */
	const out = [];
	for (const [i, s] of subscriptions.entries()) {
		if (!isObject(s) || (s.type !== 'CALLBACK' && s.type !== 'EVENT')) {
			return { error: `subscriptions[${i}].type must be CALLBACK or EVENT` };
		}
		if (typeof s.topic !== 'string' || s.topic === '') return { error: `subscriptions[${i}].topic is required` };
		if (s.type === 'EVENT' && s.topic !== EVENT_TOPIC) return { error: `subscriptions[${i}]: EVENT only accepts topic *` };
		out.push({ type: s.type, topic: s.topic });
	}
	return { subscriptions: out };
}

/**
 * @param {Subscription[]} subscriptions
 * @param {Subscription['type']} type
 * @param {string} topic
 */
function isSubscribed(subscriptions, type, topic) {
	return subscriptions.some((s) => s.type === type && s.topic === topic);
}

/**
 * @param {'SYSTEM' | 'EVENT' | 'CALLBACK'} type
 * @param {Record<string, string>} headers topic, messageId and the rest; contentType and time are added
 * @param {number} now
 * @param {unknown} data serialized into the `data` string
 * @returns {Frame}
 */
function buildFrame(type, headers, now, data) {
	return {
		specVersion: '1.0',
		type,
		headers: { ...headers, contentType: JSON_TYPE, time: String(now) },
		data: JSON.stringify(data),
	};
}

/**
 * Checks a client's answer. DingTalk's shape: `code` a number (200 OK, 404 topic unknown, 500
 * internal error), `headers.messageId` the frame's, `headers.contentType` application/json,
 * `message` a string, `data` a JSON string (not an object).
 * @param {string} text
 * @returns {{ ack: Ack } | { error: string, ack?: Partial<Ack> }}
 */
function parseAck(text) {
	/** @type {unknown} */
	let parsed;
	try {
		parsed = JSON.parse(text);
	} catch {
		return { error: 'not JSON' };
	}
	if (!isObject(parsed)) return { error: 'not a JSON object' };
	const headers = isObject(parsed.headers) ? parsed.headers : undefined;
	const messageId = headers && typeof headers.messageId === 'string' && headers.messageId !== '' ? headers.messageId : undefined;
	/** @type {Partial<Ack>} */
	const partial = {
		code: typeof parsed.code === 'number' ? parsed.code : undefined,
		messageId,
		contentType: headers?.contentType,
		message: parsed.message,
		data: parsed.data,
	};
	if (typeof parsed.code !== 'number' || !Number.isInteger(parsed.code)) return { error: 'code must be an integer', ack: partial };
	if (!headers) return { error: 'headers missing', ack: partial };
	if (messageId === undefined) return { error: 'headers.messageId missing', ack: partial };
	if (headers.contentType !== JSON_TYPE) return { error: `headers.contentType must be ${JSON_TYPE}`, ack: partial };
	if (parsed.message !== undefined && typeof parsed.message !== 'string') return { error: 'message must be a string', ack: partial };
	if (parsed.data !== undefined && typeof parsed.data !== 'string') return { error: 'data must be a JSON string', ack: partial };
	return { ack: /** @type {Ack} */ (partial) };
}

/**
 * The status an event ACK reports in its data: `{"status":"SUCCESS"|"LATER","message":…}`.
 * @param {unknown} data
 * @returns {{ status: 'SUCCESS' | 'LATER' } | { error: string }}
 */
function eventAckStatus(data) {
	if (typeof data !== 'string') return { error: 'an event ACK needs data {"status":"SUCCESS"|"LATER"}' };
	let parsed;
	try {
		parsed = JSON.parse(data);
	} catch {
		return { error: 'data is not JSON' };
	}
	if (!isObject(parsed) || (parsed.status !== 'SUCCESS' && parsed.status !== 'LATER')) {
		return { error: 'data.status must be SUCCESS or LATER' };
	}
	return { status: parsed.status };
}

/**
 * One of the candidates, chosen at random as DingTalk does ("通过随机策略选取一个Stream通道").
 * @template T
 * @param {T[]} candidates
 * @param {() => number} random in [0, 1)
 * @returns {T | undefined}
 */
function pickAtRandom(candidates, random) {
	if (candidates.length === 0) return undefined;
	const index = Math.min(candidates.length - 1, Math.max(0, Math.floor(random() * candidates.length)));
	return candidates[index];
}

module.exports = {
	ROBOT_TOPIC,
	EVENT_TOPIC,
	newMessageId,
	checkSubscriptions,
	isSubscribed,
	buildFrame,
	parseAck,
	eventAckStatus,
	pickAtRandom,
};
