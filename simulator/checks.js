// @ts-check
'use strict';

/**
 * Pure checks that several simulated DingTalk surfaces share: DingTalk's signature (加签, used
 * by the webhook robot to check a send and by the callbacks to sign what DingTalk POSTs to a
 * trigger), the IP whitelist of a custom robot (IPv4 address or CIDR, no IPv6), the JSON content
 * type every DingTalk endpoint insists on, and the argument checks of the simulator's own API.
 * No I/O and no clock here: the caller passes `now`.
 */

const crypto = require('node:crypto');
const net = require('node:net');

/**
 * @typedef {object} WhitelistEntry
 * @property {number} base
 * @property {number} prefix
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
 * The signature check of a signed send: the timestamp (ms) within toleranceMs of now in either
 * direction, then the sign compared in constant time.
 * @param {string} secret
 * @param {string | null} timestamp the `timestamp` query parameter as received
 * @param {string | null} sign the `sign` query parameter, decoded once
 * @param {number} now
 * @param {number} toleranceMs DingTalk: 1 hour
 * @returns {string | null} DingTalk's errmsg (`invalid timestamp`, `sign not match`), or null when valid
 */
function checkSignature(secret, timestamp, sign, now, toleranceMs) {
	if (timestamp === null || !/^\d{1,16}$/.test(timestamp)) return 'invalid timestamp';
	const ts = Number(timestamp);
	if (!Number.isSafeInteger(ts) || Math.abs(now - ts) > toleranceMs) return 'invalid timestamp';
	if (sign === null || sign === '') return 'sign not match';
	const expected = Buffer.from(computeDingTalkSign(secret, timestamp), 'utf8');
	const given = Buffer.from(sign, 'utf8');
	if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return 'sign not match';
	return null;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} min
 * @returns {number}
 */
function checkNumber(value, name, min) {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
		throw new TypeError(`${name} must be a finite number >= ${min}`);
	}
	return value;
}

/**
 * A non-empty string option, or undefined when not given.
 * @param {unknown} value
 * @param {string} name
 * @returns {string | undefined}
 */
function optionalText(value, name) {
	if (value !== undefined && (typeof value !== 'string' || value === '')) {
		throw new TypeError(`${name} must be a non-empty string when given`);
	}
	return value;
}

/**
 * An array of non-empty strings, deduplicated (a copy).
 * @param {unknown} value
 * @param {string} name
 * @param {string} [message] the error's text when it is not; default `${name} must be an array of non-empty strings`
 * @returns {string[]}
 */
function textList(value, name, message = `${name} must be an array of non-empty strings`) {
	if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) throw new TypeError(message);
	return [...new Set(/** @type {string[]} */ (value))];
}

/**
 * `application/json`, charset optional, case-insensitive.
 * @param {string | null | undefined} contentType
 */
function isJsonContentType(contentType) {
	if (!contentType) return false;
	return contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * The client's IPv4 address without the `::ffff:` prefix of an IPv4-mapped IPv6 address.
 * @param {string | undefined} address
 * @returns {string}
 */
function normalizeIp(address) {
	if (!address) return '';
	const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	return m ? m[1] : address;
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
 * One entry of a robot's IP whitelist: an IPv4 address or an IPv4 CIDR block.
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
 * @param {string} clientIp
 * @param {WhitelistEntry[]} whitelist
 */
function ipAllowed(clientIp, whitelist) {
	const ip = ipv4ToInt(clientIp);
	if (ip === null) return false;
	return whitelist.some(({ base, prefix }) => {
		if (prefix === 0) return true;
		const size = 2 ** (32 - prefix);
		return Math.floor(ip / size) === Math.floor(base / size);
	});
}

module.exports = {
	computeDingTalkSign,
	checkSignature,
	isObject,
	checkNumber,
	optionalText,
	textList,
	isJsonContentType,
	normalizeIp,
	parseWhitelistEntry,
	ipAllowed,
};
