// @ts-check
'use strict';

/**
 * What every OpenAPI call of an app robot on api.dingtalk.com goes through before its endpoint
 * (robotMessages.js, cards.js, …) decides, in this order: the injected fault (it can answer
 * instead of DingTalk), the endpoint's method (POST, or PUT for the card updates), the access
 * token, the permission the API needs, the app's QPS limit, a JSON body. Every call is recorded
 * (`requests`) and every answer, the access token endpoint's too, is delayed by the injected
 * latency (timers, cut on stop()). Errors are api.dingtalk.com's `{requestid, code, message}`
 * (apiHost.js). Where each answer comes from:
 * - no token: HTTP 400 `AuthenticationFailed.MissingParameter` `缺少参数：x-acs-dingtalk-access-token`,
 *   and an unknown or expired one: HTTP 400 `InvalidAuthentication` `不合法的access_token`: both
 *   as api.dingtalk.com answered requests probing it (a probe log published in a public
 *   repository, 2026-09-11); the reference's 全局错误码 lists InvalidAuthentication with HTTP 400
 *   too ("access_token过期或者不存在"). Not 401.
 * - a permission not granted: HTTP 403 `Forbidden.AccessDenied.AccessTokenPermissionDenied` (全局错误码),
 *   message `应用尚未开通所需的权限：[scope]` (answers quoted in public code, 2026) and
 *   `accessdenieddetail: {requiredScopes: [scope]}` (an answer quoted in casdoor/casdoor#4469,
 *   2025, whose message then was 没有调用该接口的权限…; both parts together are our assumption).
 * - the QPS limit: 20 calls per second per app and API ("标准版钉钉组织调用钉钉接口，每秒调用次数
 *   不能超过20次", 调用频次与限流), HTTP 403 `Forbidden.AccessDenied.QpsLimitForAppkeyAndApi`
 *   `您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了` (全局错误码); the platform-wide
 *   limit (fault `platformLimit`) is `Forbidden.AccessDenied.QpsLimitForApi` (the same pages).
 * - a 500 (fault `http500`) is `system.error` `未知的系统错误` (the robot APIs' 错误码 tables); a 502
 *   is a page of the Tengine front, as for the webhook (assumed).
 */

const { checkNumber } = require('./checks');
const { FaultQueue } = require('./faults');
const { htmlPage } = require('./sendRules');
const { MISSING_BODY, apiError, methodNotAllowed, readJsonBody, sendJson } = require('./apiHost');
const { Apps } = require('./apps');
const { HeldAnswers } = require('./heldAnswers');

const ACCESS_TOKEN_HEADER = 'x-acs-dingtalk-access-token';
/** 调用频次与限流: "每秒调用次数不能超过20次" for a standard-edition organization. */
const DEFAULT_QPS_LIMIT = 20;

/** The fault kinds injectOpenApiFaults accepts. */
const OPENAPI_FAULT_KINDS = Object.freeze(['http500', 'http502', 'http429', 'nonJson', 'throttled', 'platformLimit', 'monthlyLimit', 'echoHeaders', 'slow', 'drop']);

const ERRORS = Object.freeze({
	missingToken: { status: 400, code: 'AuthenticationFailed.MissingParameter', message: `缺少参数：${ACCESS_TOKEN_HEADER}` },
	invalidToken: { status: 400, code: 'InvalidAuthentication', message: '不合法的access_token' },
	throttled: { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了' },
	platformLimit: { status: 403, code: 'Forbidden.AccessDenied.QpsLimitForApi', message: '您的服务器调用钉钉开放平台当前接口的所有请求都被暂时禁用了' },
	// DingTalk's help center (API调用量超过限额后): code and message as quoted there; the HTTP status is assumed (403 like its other AccessDenied codes)
	monthlyLimit: { status: 403, code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: '您的企业本月api调用量已超过限制,调用量:10001次,额度:10000次,请登录开发者后台-资源管理-查看用量明细' },
	systemError: { status: 500, code: 'system.error', message: '未知的系统错误' },
});

/**
 * @typedef {object} OpenApiFault
 * @property {'http500' | 'http502' | 'http429' | 'nonJson' | 'throttled' | 'platformLimit' | 'monthlyLimit' | 'echoHeaders' | 'slow' | 'drop'} kind
 *   monthlyLimit: the organization's metered calls of the month are used up;
 *   http429: a bare 429 of a front or proxy (no DingTalk body), with `Retry-After` when `retryAfterS` is set;
 *   echoHeaders: a proxy's error quoting the request's headers (the access token among them): an HTML
 *   page with HTTP `status` (default 502), or with 400 a JSON error whose message quotes them
 * @property {number} [delayMs] for `slow`: added to the latency
 * @property {number} [retryAfterS] for `http429`
 * @property {number} [status] for `echoHeaders`
 * @property {boolean} [afterDelivery] the endpoint decides (and records the message) first, then the fault answers
 */

/**
 * @typedef {object} OpenApiRequestRecord
 * @property {number} at now() when the request arrived
 * @property {string} method
 * @property {string} path
 * @property {string | null} accessToken the header as received
 * @property {string | undefined} clientId the app of a valid token
 * @property {Record<string, unknown> | undefined} body the JSON body
 * @property {OpenApiFault['kind'] | undefined} fault
 * @property {number | null} status the HTTP status answered (set when decided); null for a dropped connection
 * @property {string | undefined} code the error code answered
 * @property {string | undefined} message the error message answered
 * @property {unknown} response the JSON answered (a success's body, or the error)
 * @property {number} delayMs how long the answer was held (latency and a slow fault)
 * @property {boolean} answered false while held, or when the connection was dropped or the simulator stopped
 */

/**
 * What an endpoint decides on, once the gate let the call through.
 * @typedef {object} OpenApiCall
 * @property {OpenApiRequestRecord} record
 * @property {Record<string, unknown>} body
 * @property {import('./apps').App} app the app of the token
 * @property {number} now
 */

/** @typedef {{ status: number, json: unknown }} OpenApiOutcome */

/**
 * An API behind the gate: the permission it needs, its HTTP method, what it decides.
 * @typedef {object} Endpoint
 * @property {string} scope
 * @property {'POST' | 'PUT'} [method] default POST
 * @property {(call: OpenApiCall) => OpenApiOutcome} decide
 */

/**
 * @param {{ status: number, code: string, message: string }} error
 * @returns {OpenApiOutcome}
 */
const refusal = ({ status, code, message }) => ({ status, json: apiError(code, message) });

class OpenApiGate {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ verifyToken: (token: string, now: number) => ReturnType<import('./openapi').OpenApi['verify']>, latencyMs?: number, qpsLimit?: number | false }} options
	 */
	constructor(server, { verifyToken, latencyMs, qpsLimit }) {
		this._server = server;
		this._verifyToken = verifyToken;
		/** @type {number} */
		this.latencyMs = 0;
		/** @type {number | false} */
		this.qpsLimit = DEFAULT_QPS_LIMIT;
		this.setLatency(latencyMs ?? 0);
		this.setQpsLimit(qpsLimit ?? DEFAULT_QPS_LIMIT);
		/** @type {FaultQueue<OpenApiFault>} */
		this.faults = new FaultQueue(OPENAPI_FAULT_KINDS);
		/** @type {OpenApiRequestRecord[]} */
		this.requests = [];
		/** @type {Map<string, { second: number, count: number }>} calls per app and API in the current second */
		this._qps = new Map();
		this._held = new HeldAnswers();
		server.mount(this);
	}

	/** @param {number} ms every answer waits this long (0: none) */
	setLatency(ms) {
		this.latencyMs = checkNumber(ms, 'openapi.latencyMs', 0);
	}

	/** @param {number | false} limit calls per second per app and API; false: no limit */
	setQpsLimit(limit) {
		this.qpsLimit = limit === false ? false : checkNumber(limit, 'openapi.qpsLimit', 1);
	}

	/**
	 * Counts a call of an app to an API; true when it is over the QPS limit (DingTalk counts in
	 * whole seconds: "当前秒调用次数超过20").
	 * @param {string} clientId
	 * @param {string} api
	 * @param {number} now
	 */
	overQps(clientId, api, now) {
		if (this.qpsLimit === false) return false;
		const key = `${clientId} ${api}`;
		const second = Math.floor(now / 1000);
		const bucket = this._qps.get(key);
		if (!bucket || bucket.second !== second) {
			this._qps.set(key, { second, count: 1 });
			return false;
		}
		bucket.count++;
		return bucket.count > this.qpsLimit;
	}

	/**
	 * Mounts an endpoint behind the gate: `method` (default POST) is the one it answers, any other
	 * gets 405.
	 * @param {string} path
	 * @param {Endpoint} endpoint
	 */
	route(path, endpoint) {
		this._server.onApi(path, (exchange) => this._handle(exchange, endpoint));
	}

	/**
	 * Sends a JSON answer after the latency (and `extraDelayMs`), then calls `sent`.
	 * @param {import('node:http').ServerResponse} res
	 * @param {number} status
	 * @param {unknown} json
	 * @param {{ extraDelayMs?: number, html?: string, sent?: () => void }} [options] html: answer this page instead
	 */
	reply(res, status, json, { extraDelayMs = 0, html, sent } = {}) {
		this.later(res, extraDelayMs, () => {
			if (html === undefined) {
				sendJson(res, status, json);
			} else {
				res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
				res.end(html);
			}
			sent?.();
		});
	}

	/**
	 * Runs `fn` after the latency (and `extraDelayMs`) unless the response is gone by then.
	 * @param {import('node:http').ServerResponse} res
	 * @param {number} extraDelayMs
	 * @param {() => void} fn
	 */
	later(res, extraDelayMs, fn) {
		this._held.after(res, this.latencyMs + extraDelayMs, fn);
	}

	/** Clears the records, the QPS counts and pending faults (and the fault policy); held answers still go. */
	reset() {
		this.requests = [];
		this._qps = new Map();
		this.faults.reset();
	}

	/** Cuts the answers still held. */
	stop() {
		this._held.cut();
	}

	/**
	 * @param {import('./server').ApiExchange} exchange
	 * @param {Endpoint} endpoint
	 */
	_handle(exchange, endpoint) {
		const { req, res, url, now } = exchange;
		const header = req.headers[ACCESS_TOKEN_HEADER];
		/** @type {OpenApiRequestRecord} */
		const record = {
			at: now,
			method: req.method ?? '',
			path: url.pathname,
			accessToken: typeof header === 'string' ? header : null,
			clientId: undefined,
			body: readJsonBody(exchange),
			fault: undefined,
			status: null,
			code: undefined,
			message: undefined,
			response: undefined,
			delayMs: this.latencyMs,
			answered: false,
		};
		this.requests.push(record);
		const fault = this.faults.next(this.requests.length - 1);
		record.fault = fault?.kind;
		const slowMs = fault?.kind === 'slow' ? fault.delayMs ?? 0 : 0;
		record.delayMs += slowMs;
		if (fault && fault.kind !== 'slow' && !fault.afterDelivery) {
			this._answerFault(record, exchange, fault);
			return;
		}
		const outcome = this._decide(record, exchange, endpoint);
		if (fault && fault.kind !== 'slow') {
			this._answerFault(record, exchange, fault);
			return;
		}
		this._answer(record, res, outcome, slowMs);
	}

	/**
	 * The gate's checks in order, then the endpoint.
	 * @param {OpenApiRequestRecord} record
	 * @param {import('./server').ApiExchange} exchange
	 * @param {Endpoint} endpoint
	 * @returns {OpenApiOutcome}
	 */
	_decide(record, { req, now }, { scope, decide, method = 'POST' }) {
		if (req.method !== method) return refusal({ status: 405, ...methodNotAllowed(req.method) });
		if (!record.accessToken) return refusal(ERRORS.missingToken);
		const verified = this._verifyToken(record.accessToken, now);
		if (typeof verified === 'string') return refusal(ERRORS.invalidToken);
		const { app } = verified;
		record.clientId = app.clientId;
		if (!Apps.granted(app, scope)) return permissionDenied(scope);
		if (this.overQps(app.clientId, record.path, now)) return refusal(ERRORS.throttled);
		if (!record.body) return refusal({ status: 400, ...MISSING_BODY });
		return decide({ record, body: record.body, app, now });
	}

	/**
	 * @param {OpenApiRequestRecord} record
	 * @param {import('node:http').ServerResponse} res
	 * @param {OpenApiOutcome} outcome
	 * @param {number} extraDelayMs
	 * @param {string} [html]
	 */
	_answer(record, res, { status, json }, extraDelayMs, html) {
		record.status = status;
		record.response = json;
		if (status >= 400 && json && typeof json === 'object') {
			const { code, message } = /** @type {{ code?: string, message?: string }} */ (json);
			record.code = code;
			record.message = message;
		}
		this.reply(res, status, json, { extraDelayMs, html, sent: () => (record.answered = true) });
	}

	/**
	 * @param {OpenApiRequestRecord} record
	 * @param {import('./server').ApiExchange} exchange
	 * @param {OpenApiFault} fault
	 */
	_answerFault(record, { req, res }, fault) {
		switch (fault.kind) {
			case 'http500':
				return this._answer(record, res, refusal(ERRORS.systemError), 0);
			case 'throttled':
			case 'platformLimit':
			case 'monthlyLimit':
				return this._answer(record, res, refusal(ERRORS[fault.kind]), 0);
			case 'http502':
				return this._answer(record, res, { status: 502, json: undefined }, 0, htmlPage(502, 'Bad Gateway'));
			case 'http429':
				if (fault.retryAfterS !== undefined) res.setHeader('Retry-After', String(fault.retryAfterS));
				return this._answer(record, res, { status: 429, json: undefined }, 0, htmlPage(429, 'Too Many Requests'));
			case 'echoHeaders': {
				const headers = Object.entries(req.headers).map(([name, value]) => `${name}: ${value}`).join('\n');
				const quoted = `${req.method} ${req.url}\n${headers}`;
				if (fault.status === 400) return this._answer(record, res, refusal({ status: 400, code: 'invalidParameter', message: `bad request: ${quoted}` }), 0);
				const status = fault.status ?? 502;
				return this._answer(record, res, { status, json: undefined }, 0, htmlPage(status, `upstream failed for ${quoted}`));
			}
			case 'nonJson':
				return this._answer(record, res, { status: 200, json: undefined }, 0, htmlPage(200, 'OK'));
			default:
				// drop: the connection is cut (after the latency, as a timeout far away would)
				record.status = null;
				record.response = undefined;
				this.later(res, 0, () => {
					res.destroy();
					req.socket.destroy();
				});
		}
	}
}

/**
 * HTTP 403 AccessTokenPermissionDenied naming the scope.
 * @param {string} scope
 * @returns {OpenApiOutcome}
 */
function permissionDenied(scope) {
	const { status, json } = refusal({
		status: 403,
		code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
		message: `应用尚未开通所需的权限：[${scope}]`,
	});
	return { status, json: { .../** @type {object} */ (json), accessdenieddetail: { requiredScopes: [scope] } } };
}

module.exports = { OpenApiGate, OPENAPI_FAULT_KINDS };
