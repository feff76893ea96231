// @ts-check
'use strict';

/**
 * What every endpoint of api.dingtalk.com (the OpenAPI, the Stream gateway's registration) shares:
 * a JSON body in, JSON out, and errors as HTTP 4xx/5xx with `{requestid, code, message}`
 * (section 8 of /work/shared/dingtalk-robot-api.md). A body it cannot read as JSON (another
 * content type, not JSON, not an object) is answered 400 `Missingbody` / `body is mandatory for
 * this action.`: the answer quoted in aliyun/alibabacloud-php-sdk#36 to a form-encoded POST of
 * /v1.0/oauth2/accessToken.
 */

const crypto = require('node:crypto');
const { isJsonContentType, isObject } = require('./checks');

/**
 * A request id as api.dingtalk.com puts into its error answers (`requestid`, an uppercase UUID).
 * @returns {string}
 */
function newRequestId() {
	return crypto.randomUUID().toUpperCase();
}

/**
 * The body when the request is `Content-Type: application/json` with a JSON object, else undefined.
 * @param {import('./server').ApiExchange} exchange
 * @returns {Record<string, unknown> | undefined}
 */
function readJsonBody({ req, rawBody, truncated }) {
	if (truncated || !isJsonContentType(req.headers['content-type'])) return undefined;
	try {
		const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function sendJson(res, status, body) {
	const payload = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8', 'Content-Length': Buffer.byteLength(payload) });
	res.end(payload);
}

/**
 * DingTalk's error answer.
 * @param {string} code
 * @param {string} message
 * @returns {{ requestid: string, code: string, message: string }}
 */
function apiError(code, message) {
	return { requestid: newRequestId(), code, message };
}

/** The error of a body api.dingtalk.com cannot read (HTTP 400). */
const MISSING_BODY = Object.freeze({ code: 'Missingbody', message: 'body is mandatory for this action.' });

/**
 * The error of another method than the endpoint's (HTTP 405). Assumption: no source shows what
 * api.dingtalk.com answers; we keep its error shape.
 * @param {string | undefined} method
 */
const methodNotAllowed = (method) => ({ code: 'MethodNotAllowed', message: `${method} is not allowed` });

module.exports = { readJsonBody, sendJson, apiError, MISSING_BODY, methodNotAllowed };
