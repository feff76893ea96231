// @ts-check
'use strict';

/**
 * DingTalk's OpenAPI for app robots (api.dingtalk.com, section 8 of
 * /work/shared/dingtalk-robot-api.md). For now only the access token an app gets with its Client
 * ID and Secret: `POST /v1.0/oauth2/accessToken` with `{appKey, appSecret}` answers
 * `{accessToken, expireIn: 7200}`. It checks POST, a JSON body, and the app's key and secret.
 * As DingTalk's reference says (获取企业内部应用的accessToken), asking again while the token is
 * valid answers the same token and renews it; after it expired, a new one. Every request and
 * every token is recorded, never the secret. The other OpenAPI endpoints (robotMessages.js,
 * media.js) check the tokens issued here (verify) through openApiGate.js, which also delays this
 * endpoint's answers by the injected latency.
 */

const crypto = require('node:crypto');
const { checkNumber } = require('./checks');
const { FaultQueue } = require('./faults');
const { MISSING_BODY, apiError, methodNotAllowed, readJsonBody } = require('./apiHost');

const ACCESS_TOKEN_PATH = '/v1.0/oauth2/accessToken';
/** "accessToken的有效期为7200秒（2小时）". */
const DEFAULT_ACCESS_TOKEN_TTL_MS = 7_200_000;
/**
 * DingTalk's reference of /v1.0/oauth2/accessToken lists one error: HTTP 400, code
 * invalidClientIdOrSecret, message 无效的clientId或者clientSecret (its 错误码 table). An unknown
 * appKey, a wrong appSecret and a missing one get it alike.
 */
const INVALID_CLIENT = Object.freeze({ code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' });

/**
 * @typedef {object} AccessTokenRecord
 * @property {number} at
 * @property {string | null} appKey as sent (the secret is never recorded)
 * @property {'issued' | 'renewed' | 'invalidClientIdOrSecret' | 'missingBody' | 'methodNotAllowed' | 'redirected'} outcome
 * @property {number} status
 * @property {string | undefined} accessToken the token answered, if any
 * @property {number | undefined} expiresAt
 */

/**
 * What a hostile server or proxy in front of the token endpoint may do instead of answering:
 * redirect the request (with the Client Secret in its body, the token in its header) elsewhere.
 * @typedef {{ kind: 'redirect', location: string, status?: number }} AccessTokenFault
 */

/**
 * @typedef {object} AccessToken
 * @property {string} accessToken
 * @property {string} clientId
 * @property {number} issuedAt
 * @property {number} expiresAt
 */

/**
 * @typedef {(res: import('node:http').ServerResponse, status: number, json: unknown) => void} Reply
 */

class OpenApi {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ apps: import('./apps').Apps, accessTokenTtlMs?: number, reply: Reply }} options
	 *   reply: how answers are sent (the gate's, with the injected latency)
	 */
	constructor(server, { apps, accessTokenTtlMs, reply }) {
		this._server = server;
		this._apps = apps;
		this._reply = reply;
		this._ttlMs = checkNumber(accessTokenTtlMs ?? DEFAULT_ACCESS_TOKEN_TTL_MS, 'openapi.accessTokenTtlMs', 1000);
		/** @type {AccessTokenRecord[]} */
		this.tokenRequests = [];
		/** @type {Map<string, AccessToken>} by token */
		this._tokens = new Map();
		/** @type {FaultQueue<AccessTokenFault>} */
		this.faults = new FaultQueue(['redirect']);
		server.onApi(ACCESS_TOKEN_PATH, (exchange) => this._accessToken(exchange));
		server.mount(this);
	}

	/**
	 * Every token issued since construction or reset(), with whether it has expired.
	 * @returns {(AccessToken & { expired: boolean })[]}
	 */
	tokens() {
		const now = this._server.now();
		return [...this._tokens.values()].map((t) => ({ ...t, expired: now >= t.expiresAt }));
	}

	/**
	 * Expires every token (or those of one app) from now() on: the next call with one fails, and
	 * the next accessToken request gets a new token.
	 * @param {string} [clientId]
	 * @returns {number} how many valid tokens were expired
	 */
	expire(clientId) {
		const now = this._server.now();
		let count = 0;
		for (const t of this._tokens.values()) {
			if ((clientId === undefined || t.clientId === clientId) && now < t.expiresAt) {
				t.expiresAt = now;
				count++;
			}
		}
		return count;
	}

	/**
	 * What an OpenAPI call's `x-acs-dingtalk-access-token` is worth at `now`.
	 * @param {string} accessToken
	 * @param {number} now
	 * @returns {{ app: import('./apps').App } | 'unknown' | 'expired'}
	 */
	verify(accessToken, now) {
		const token = this._tokens.get(accessToken);
		if (!token) return 'unknown';
		if (now >= token.expiresAt) return 'expired';
		return { app: this._apps.require(token.clientId) };
	}

	/** @param {number} ms how long tokens issued from now on live (DingTalk: 7200 s) */
	setTokenTtl(ms) {
		this._ttlMs = checkNumber(ms, 'openapi.accessTokenTtlMs', 1000);
	}

	/** Forgets the records, every token and pending faults. */
	reset() {
		this.tokenRequests = [];
		this._tokens = new Map();
		this.faults.reset();
	}

	/**
	 * POST /v1.0/oauth2/accessToken.
	 * @param {import('./server').ApiExchange} exchange
	 */
	_accessToken(exchange) {
		const { req, res, now } = exchange;
		const body = readJsonBody(exchange);
		/** @type {AccessTokenRecord} */
		const record = {
			at: now,
			appKey: body && typeof body.appKey === 'string' ? body.appKey : null,
			outcome: 'issued',
			status: 200,
			accessToken: undefined,
			expiresAt: undefined,
		};
		this.tokenRequests.push(record);
		/**
		 * @param {AccessTokenRecord['outcome']} outcome
		 * @param {number} status
		 * @param {{ code: string, message: string }} error
		 */
		const refuse = (outcome, status, { code, message }) => {
			Object.assign(record, { outcome, status });
			this._reply(res, status, apiError(code, message));
		};
		const fault = this.faults.next(this.tokenRequests.length - 1);
		if (fault) {
			Object.assign(record, { outcome: 'redirected', status: fault.status ?? 307 });
			res.writeHead(record.status, { Location: fault.location, 'Content-Length': 0 });
			res.end();
			return;
		}
		if (req.method !== 'POST') return refuse('methodNotAllowed', 405, methodNotAllowed(req.method));
		if (!body) return refuse('missingBody', 400, MISSING_BODY);
		const app = this._apps.authenticate(body.appKey, body.appSecret);
		if (!app) return refuse('invalidClientIdOrSecret', 400, INVALID_CLIENT);

		let token = [...this._tokens.values()].find((t) => t.clientId === app.clientId && now < t.expiresAt);
		if (token) {
			record.outcome = 'renewed';
		} else {
			token = { accessToken: crypto.randomBytes(16).toString('hex'), clientId: app.clientId, issuedAt: now, expiresAt: now };
			this._tokens.set(token.accessToken, token);
		}
		token.expiresAt = now + this._ttlMs;
		Object.assign(record, { accessToken: token.accessToken, expiresAt: token.expiresAt });
		this._reply(res, 200, { accessToken: token.accessToken, expireIn: Math.floor(this._ttlMs / 1000) });
	}
}

module.exports = { OpenApi, ACCESS_TOKEN_PATH };
