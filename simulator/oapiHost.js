// @ts-check
'use strict';

/**
 * oapi.dingtalk.com as a robot sender meets it: the host of the custom robot webhook
 * (`/robot/send`) and of the session webhooks (`/robot/sendBySession`). Every request to it,
 * whatever its path, is recorded (`requests`, `onRequest` listeners), consumes the next injected
 * fault (faults.js), and is answered from the Outcome its route decides: DingTalk's JSON
 * (`{errcode, errmsg}`, HTTP 200 also on failure) or a page of its Tengine front (404, 5xx).
 * Routes are the surfaces' decisions (webhookRobot.js, sessionWebhook.js); this module only
 * records, applies faults (busy, 5xx, non-JSON, slow, drop) and answers.
 */

const { isObject, normalizeIp } = require('./checks');
const { FaultQueue, faultOutcome } = require('./faults');
const { htmlPage } = require('./sendRules');
const { HeldAnswers } = require('./heldAnswers');

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
 * @property {import('./faults').Fault['kind'] | undefined} fault
 * @property {number | null} status HTTP status of the answer (set when decided, also for a `slow` answer still waiting); null when the connection was dropped
 * @property {number | undefined} errcode
 * @property {string | undefined} errmsg
 * @property {boolean} delivered
 * @property {boolean} duplicate
 */

/**
 * What an oapi surface decides on.
 * @typedef {object} OapiRequest
 * @property {RequestRecord} record
 * @property {Record<string, unknown> | undefined} body the parsed body when it is a UTF-8 JSON object
 * @property {Buffer} raw the bytes received (up to the cap)
 * @property {URLSearchParams} query
 * @property {number} bodyBytes
 * @property {boolean} truncated longer than the server buffers
 * @property {number} now
 */

/**
 * @typedef {object} OapiRoute
 * @property {(record: RequestRecord, now: number) => void} [inspect] fills record fields before a fault can answer
 * @property {(request: OapiRequest) => import('./sendRules').Outcome} decide
 * @property {number} [maxBodyBytes] buffer bodies up to this many bytes (default: the server's cap)
 * @property {boolean} [binary] a binary body (an upload): not parsed as JSON, recorded as rawBody ''
 * @property {() => number} [delayMs] holds the route's own answers this long (the OpenAPI latency)
 */

/**
 * @typedef {object} SimulatorStats
 * @property {number} requests
 * @property {number} delivered
 * @property {number} duplicates
 * @property {Record<string, number>} rejected count per non-zero errcode
 */

class OapiHost {
	/**
	 * @param {{ now: () => number, readBody: (req: import('node:http').IncomingMessage, done: (raw: Buffer, totalBytes: number) => void, capBytes?: number) => void }} options
	 */
	constructor({ now, readBody }) {
		this._now = now;
		this._readBody = readBody;
		this.faults = new FaultQueue();
		/** @type {Set<(record: RequestRecord) => void>} */
		this._listeners = new Set();
		/** @type {RequestRecord[]} */
		this._requests = [];
		/** @type {Map<string, OapiRoute>} */
		this._routes = new Map();
		/** @type {OapiRoute} */
		this._otherPaths = { decide: () => ({ status: 404, html: htmlPage(404, 'Not Found') }) };
		this._held = new HeldAnswers();
	}

	/** Every request since construction or the last reset(), in arrival order. */
	get requests() {
		return this._requests;
	}

	/**
	 * @param {string} path
	 * @param {OapiRoute} route
	 */
	route(path, route) {
		this._routes.set(path, route);
	}

	/**
	 * Decides every request whose path no route claims (default: Tengine's 404 page).
	 * @param {OapiRoute} route
	 */
	routeOtherPaths(route) {
		this._otherPaths = route;
	}

	/**
	 * @param {(record: RequestRecord) => void} listener called once per request, answered or dropped
	 * @returns {() => void} unsubscribe
	 */
	onRequest(listener) {
		this._listeners.add(listener);
		return () => {
			this._listeners.delete(listener);
		};
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

	/** Clears the request log and pending faults (and the fault policy). */
	reset() {
		this._requests = [];
		this.faults.reset();
	}

	/** Cuts the answers still waiting (slow faults, the OpenAPI latency of media uploads). */
	stop() {
		this._held.cut();
	}

	/**
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 * @param {URL} url
	 */
	handle(req, res, url) {
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
		const fault = this.faults.next(this._requests.length - 1);
		record.fault = fault?.kind;
		const route = this._routes.get(url.pathname) ?? this._otherPaths;
		this._readBody(
			req,
			(raw, total) => {
				try {
					this._process(record, fault, route, url, req, res, raw, total);
				} catch (err) {
					record.status = 500;
					fail(res, err);
					this._notify(record);
				}
			},
			route.maxBodyBytes,
		);
	}

	/**
	 * @param {RequestRecord} record
	 * @param {import('./faults').Fault | undefined} fault
	 * @param {OapiRoute} route the route handle() found for the path
	 * @param {URL} url
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 * @param {Buffer} raw
	 * @param {number} totalBytes
	 */
	_process(record, fault, route, url, req, res, raw, totalBytes) {
		const query = url.searchParams;
		record.path = url.pathname;
		record.accessToken = query.get('access_token');
		record.session = query.get('session');
		record.timestamp = query.get('timestamp');
		record.sign = query.get('sign');
		record.rawBody = route.binary ? '' : raw.toString('utf8');
		const truncated = totalBytes > raw.length;
		/** @type {Record<string, unknown> | undefined} */
		let body;
		if (!truncated && raw.length > 0 && !route.binary) {
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
		const now = this._now();
		route.inspect?.(record, now);

		// a fault answers instead of DingTalk: before the message is processed, or after it was posted
		const answerFault = () => {
			const outcome = faultOutcome(/** @type {import('./faults').Fault} */ (fault), req.url ?? '');
			if (outcome) this._answer(record, res, outcome, 0);
			else this._drop(record, req, res);
		};
		if (fault && fault.kind !== 'slow' && !fault.afterDelivery) {
			answerFault();
			return;
		}
		const outcome = route.decide({ record, body, raw, query, bodyBytes: raw.length, truncated, now });
		if (fault && fault.kind !== 'slow') {
			answerFault();
			return;
		}
		this._answer(record, res, outcome, (fault && fault.kind === 'slow' ? fault.delayMs ?? 0 : 0) + (route.delayMs?.() ?? 0));
	}

	/**
	 * @param {RequestRecord} record
	 * @param {import('node:http').ServerResponse} res
	 * @param {import('./sendRules').Outcome} outcome
	 * @param {number} delayMs
	 */
	_answer(record, res, outcome, delayMs) {
		record.status = outcome.status;
		let payload;
		let type;
		/** @type {Record<string, string>} */
		let headers = {};
		if ('errcode' in outcome) {
			record.errcode = outcome.errcode;
			record.errmsg = outcome.errmsg;
			payload = JSON.stringify({ errcode: outcome.errcode, errmsg: outcome.errmsg });
			type = 'application/json;charset=utf-8';
		} else if ('json' in outcome) {
			const json = outcome.json;
			if (isObject(json) && typeof json.errcode === 'number') {
				record.errcode = json.errcode;
				record.errmsg = String(json.errmsg);
			}
			payload = JSON.stringify(json);
			type = 'application/json;charset=utf-8';
		} else {
			payload = outcome.html;
			type = 'text/html; charset=utf-8';
			headers = outcome.headers ?? {};
		}
		this._held.after(res, delayMs, () => {
			res.writeHead(outcome.status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload) });
			res.end(payload);
			this._notify(record);
		});
	}

	/**
	 * @param {RequestRecord} record
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
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

/**
 * A bug in the simulator must be loud, not a silent 200.
 * @param {import('node:http').ServerResponse} res
 * @param {unknown} err
 */
function fail(res, err) {
	if (res.headersSent) return;
	res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
	res.end(`simulator error: ${err instanceof Error && err.stack ? err.stack : String(err)}`);
}

module.exports = { OapiHost, fail };
