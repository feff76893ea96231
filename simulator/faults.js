// @ts-check
'use strict';

/**
 * The failures of oapi.dingtalk.com that a sender must survive, on demand: "system busy"
 * (errcode -1), 500 and 502 pages of its Tengine front, a 200 that is no JSON or JSON without
 * an errcode, a slow answer, a connection dropped, and what a proxy in between may do: answer
 * with a redirect, or echo the request URL (with its token and sign) in its answer. Every
 * answering fault can come before the message is processed or after it was posted
 * (`afterDelivery`), as a proxy that loses DingTalk's answer would. A queue (injectFaults, FIFO, one
 * fault per request to the oapi host, whatever its path) and a policy for the requests the
 * queue leaves open (setFaultPolicy). The server applies them; this module only decides.
 */

const { checkNumber, isObject } = require('./checks');
const { reply, htmlPage } = require('./sendRules');

/** The fault kinds that injectFaults accepts. */
const FAULT_KINDS = Object.freeze(['busy', 'http500', 'http502', 'nonJson', 'noErrcode', 'redirect', 'echoUrl', 'slow', 'drop']);

/**
 * @typedef {object} Fault
 * @property {'busy' | 'http500' | 'http502' | 'nonJson' | 'noErrcode' | 'redirect' | 'echoUrl' | 'slow' | 'drop'} kind
 * @property {number} [delayMs] for `slow`: how long to wait before answering
 * @property {boolean} [afterDelivery] process (and deliver) the message first, then answer with the fault (or drop the connection)
 * @property {string} [location] for `redirect`: where the redirect points
 * @property {number} [status] for `redirect` (301, 302, 307, 308; default 307) and `echoUrl` (200: DingTalk-like JSON, else an error page)
 */

/**
 * The answer of a fault instead of DingTalk's; undefined for `slow` and `drop`, which the
 * server plays itself. `requestUrl` is the path and query as received, for `echoUrl`.
 * @param {Fault} fault
 * @param {string} requestUrl
 * @returns {import('./sendRules').Outcome | undefined}
 */
function faultOutcome(fault, requestUrl) {
	switch (fault.kind) {
		case 'noErrcode':
			return { status: 200, json: { success: true, result: 'ok' } };
		case 'redirect':
			return { status: fault.status ?? 307, html: '', headers: { Location: fault.location ?? '/' } };
		case 'echoUrl': {
			const status = fault.status ?? 200;
			return status === 200 ? reply(310000, `invalid request ${requestUrl}`) : { status, html: htmlPage(status, `Bad Gateway: upstream failed for ${requestUrl}`) };
		}
		case 'busy':
			return reply(-1, '系统繁忙');
		case 'http500':
			return { status: 500, html: htmlPage(500, 'Internal Server Error') };
		case 'http502':
			return { status: 502, html: htmlPage(502, 'Bad Gateway') };
		case 'nonJson':
			return { status: 200, html: htmlPage(200, 'OK') };
		default:
			return undefined;
	}
}

/**
 * @template {{ kind: string, delayMs?: number, location?: string }} [F=Fault]
 */
class FaultQueue {
	/**
	 * @param {readonly string[]} [kinds] the kinds it accepts; default the oapi host's (FAULT_KINDS)
	 */
	constructor(kinds = FAULT_KINDS) {
		this._kinds = kinds;
		/** @type {F[]} */
		this._queue = [];
		/** @type {((requestIndex: number) => F | undefined) | undefined} */
		this._policy = undefined;
	}

	/**
	 * Queues faults; each incoming request consumes the next one (FIFO).
	 * @param {F[]} faults
	 */
	inject(faults) {
		if (!Array.isArray(faults)) throw new TypeError('injectFaults needs an array');
		for (const f of faults) {
			if (!isObject(f) || typeof f.kind !== 'string' || !this._kinds.includes(f.kind)) {
				throw new TypeError(`unknown fault ${JSON.stringify(f)}; kinds: ${this._kinds.join(', ')}`);
			}
			if (f.kind === 'slow') checkNumber(f.delayMs, 'slow fault delayMs', 0);
			if (f.kind === 'redirect' && typeof f.location !== 'string') throw new TypeError('a redirect fault needs a location');
		}
		for (const f of faults) this._queue.push({ ...f });
	}

	/**
	 * Decides a fault for every request that finds the queue empty; undefined turns it off.
	 * @param {((requestIndex: number) => F | undefined) | undefined} policy
	 */
	setPolicy(policy) {
		this._policy = policy;
	}

	/**
	 * The fault of the request with this index (0-based, since the last reset), if any.
	 * @param {number} requestIndex
	 * @returns {F | undefined}
	 */
	next(requestIndex) {
		return this._queue.shift() ?? this._policy?.(requestIndex);
	}

	reset() {
		this._queue = [];
		this._policy = undefined;
	}
}

module.exports = { FAULT_KINDS, FaultQueue, faultOutcome };
