// @ts-check
'use strict';

/**
 * The parts of a card request DingTalk checks, as pure functions (cards.js, cardCallbacks.js):
 * a cardParamMap is an object of strings (aliyun/dingtalk-sdk card_1_0: `map<string, string>`;
 * a value that is not a string is refused `MissingStringValue`, assumed from a third-party
 * comment "数字会报 MissingStringValue"), privateData is {userId: {cardParamMap}}, and an
 * openSpaceId `dtv1.card//TYPE.id`, several joined by `;`, the type in any case. Errors are
 * api.dingtalk.com's, the card APIs' message being their code (`param.templateUnpublished`).
 */

const { apiError } = require('./apiHost');
const { isObject } = require('./checks');

const SPACE_PREFIX = 'dtv1.card//';

/** @typedef {import('./openApiGate').OpenApiOutcome} OpenApiOutcome */

/**
 * @param {number} status
 * @param {string} code
 * @param {string} [message] default the code (as DingTalk's card errors answer)
 * @returns {OpenApiOutcome}
 */
const cardError = (status, code, message = code) => ({ status, json: apiError(code, message) });

/**
 * HTTP 400.
 * @param {string} code
 * @param {string} [message]
 */
const bad = (code, message = code) => cardError(400, code, message);

/**
 * A cardParamMap (or a map of private data) as DingTalk takes it: an object of string values.
 * @param {unknown} map
 * @param {string} name
 * @returns {{ map: Record<string, string> } | { refused: OpenApiOutcome }}
 */
function checkParamMap(map, name) {
	if (map === undefined) return { map: {} };
	if (!isObject(map)) return { refused: bad('param.invalid', `${name} must be an object`) };
	for (const [key, value] of Object.entries(map)) {
		if (typeof value !== 'string') return { refused: bad('MissingStringValue', `${name}.${key} must be a string (JSON-encode lists and objects)`) };
	}
	return { map: /** @type {Record<string, string>} */ ({ ...map }) };
}

/**
 * privateData: {userId: {cardParamMap}}.
 * @param {unknown} privateData
 * @returns {{ map: Record<string, Record<string, string>> } | { refused: OpenApiOutcome }}
 */
function checkPrivateData(privateData) {
	if (privateData === undefined) return { map: {} };
	if (!isObject(privateData)) return { refused: bad('param.invalid', 'privateData must be an object') };
	/** @type {Record<string, Record<string, string>>} */
	const out = {};
	for (const [userId, data] of Object.entries(privateData)) {
		const checked = checkParamMap(isObject(data) ? data.cardParamMap : data, `privateData.${userId}.cardParamMap`);
		if ('refused' in checked) return checked;
		out[userId] = checked.map;
	}
	return { map: out };
}

/**
 * The spaces of an openSpaceId, or undefined when it is not `dtv1.card//TYPE.id[;TYPE.id…]`.
 * @param {string} openSpaceId
 * @returns {{ spaceType: string, spaceId: string }[] | undefined}
 */
function parseOpenSpaceId(openSpaceId) {
	if (!openSpaceId.startsWith(SPACE_PREFIX)) return undefined;
	const parts = openSpaceId.slice(SPACE_PREFIX.length).split(';').filter((p) => p !== '');
	const spaces = parts.map((p) => {
		const dot = p.indexOf('.');
		return dot > 0 && dot < p.length - 1 ? { spaceType: p.slice(0, dot).toUpperCase(), spaceId: p.slice(dot + 1) } : undefined;
	});
	if (spaces.length === 0 || spaces.some((s) => s === undefined)) return undefined;
	return /** @type {{ spaceType: string, spaceId: string }[]} */ (spaces);
}

module.exports = { SPACE_PREFIX, bad, cardError, checkParamMap, checkPrivateData, parseOpenSpaceId };
