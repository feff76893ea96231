// @ts-check
'use strict';

/**
 * Registering a Stream connection (步骤一：注册连接凭证, open-dingtalk/developerpedia
 * docs/learn/stream/protocol.md): `POST https://api.dingtalk.com/v1.0/gateway/connections/open`
 * with `{clientId, clientSecret, subscriptions, ua, localIp}` answers `{endpoint, ticket}`. It
 * checks, in order: the gateway is up, POST, a JSON body, the app's Client ID and Secret, the
 * subscriptions; the answer is XML unless the request accepts application/json. A ticket is valid
 * 90 s and opens one connection ("ticket的有效期为90秒且只能用来建立一条连接"); streamGateway.js
 * redeems it. Every request is recorded, never the secret. For tests of a client against a broken
 * or hostile gateway: queued faults answer a registration with any status and body (also one
 * built from the request, as a proxy that echoes it), and the endpoint handed out can be replaced.
 */

const crypto = require('node:crypto');
const { checkNumber } = require('./checks');
const { htmlPage } = require('./sendRules');
const { MISSING_BODY, apiError, methodNotAllowed, readJsonBody } = require('./apiHost');
const { checkSubscriptions } = require('./streamFrames');

const OPEN_PATH = '/v1.0/gateway/connections/open';
const DEFAULT_TICKET_TTL_MS = 90_000;

/**
 * @typedef {object} OpenRecord
 * @property {number} at
 * @property {string | null} clientId as sent (the secret is never recorded)
 * @property {'ticketIssued' | 'authFailed' | 'invalidSubscriptions' | 'missingBody' | 'methodNotAllowed' | 'gatewayDown' | 'fault'} outcome
 * @property {number | null} status HTTP status; null when the gateway was down and cut the connection
 * @property {boolean} xml answered as XML because the request did not accept application/json
 * @property {unknown} subscriptions as sent
 * @property {unknown} ua
 * @property {unknown} localIp
 * @property {string | undefined} ticket
 */

/**
 * @typedef {object} Ticket
 * @property {import('./apps').App} app
 * @property {import('./streamFrames').Subscription[]} subscriptions
 * @property {number} expiresAt
 * @property {boolean} used
 */

/**
 * @typedef {'connected' | 'noTicket' | 'unknownTicket' | 'ticketUsed' | 'ticketExpired'} RedeemOutcome
 */

/**
 * A registration answered as the test says instead of by the rules: `body` is sent as JSON, or
 * built from the request's JSON body (undefined when it has none), to play a proxy that echoes it.
 * @typedef {object} OpenFault
 * @property {number} status
 * @property {((request: Record<string, unknown> | undefined) => unknown) | Record<string, unknown> | unknown[] | string | number | boolean | null} body
 *   the answer's JSON, or made from the request's JSON body (a proxy echoing it)
 */

/**
 * Escapes text for the XML answer.
 * @param {string} text
 */
const xmlText = (text) => text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);

/**
 * @param {string | string[] | undefined} accept
 */
function acceptsJson(accept) {
	const value = Array.isArray(accept) ? accept.join(',') : accept ?? '';
	return value.split(',').some((part) => part.split(';')[0].trim().toLowerCase() === 'application/json');
}

class StreamRegistration {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ apps: import('./apps').Apps, ticketTtlMs?: number, endpoint: () => string }} options
	 *   endpoint: the WebSocket URL handed out with a ticket
	 */
	constructor(server, { apps, ticketTtlMs, endpoint }) {
		this._server = server;
		this._apps = apps;
		this._endpoint = endpoint;
		this._ticketTtlMs = checkNumber(ticketTtlMs ?? DEFAULT_TICKET_TTL_MS, 'stream.ticketTtlMs', 0);
		/** @type {false | 'http503' | 'reset'} */
		this.down = false;
		/** @type {OpenRecord[]} */
		this.openRequests = [];
		/** @type {Map<string, Ticket>} */
		this._tickets = new Map();
		/** @type {OpenFault[]} */
		this._faults = [];
		/** @type {string | undefined} */
		this._endpointOverride = undefined;
		server.onApi(OPEN_PATH, (exchange) => this._open(exchange));
		server.mount(this);
	}

	/**
	 * true: connections/open answers 503 (and WebSocket upgrades too); 'reset': the connection is
	 * cut without an answer; false: up again. Open connections are not touched.
	 * @param {boolean | 'reset'} down
	 */
	setDown(down) {
		if (down !== true && down !== false && down !== 'reset') throw new TypeError("setGatewayDown takes true, false or 'reset'");
		this.down = down === true ? 'http503' : down;
	}

	/**
	 * Queues faults: each registration takes the next one (FIFO) instead of its answer; no ticket
	 * is issued for it. Cleared by reset().
	 * @param {OpenFault[]} faults
	 */
	injectFaults(faults) {
		if (!Array.isArray(faults)) throw new TypeError('injectStreamOpenFaults takes a list of faults');
		for (const fault of faults) {
			if (!fault || typeof fault !== 'object') throw new TypeError('a Stream registration fault is an object {status, body}');
			checkNumber(fault.status, 'fault.status', 100);
		}
		this._faults.push(...faults);
	}

	/**
	 * The WebSocket endpoint handed out with every ticket from now on, instead of the simulator's
	 * own (a gateway that points clients elsewhere); undefined restores it. Kept across reset().
	 * @param {string | undefined} endpoint
	 */
	setEndpoint(endpoint) {
		if (endpoint !== undefined && typeof endpoint !== 'string') throw new TypeError('setStreamEndpoint takes a URL string or undefined');
		this._endpointOverride = endpoint;
	}

	/**
	 * Uses up a ticket: the outcome, and the ticket when it opens a connection.
	 * @param {string | null} ticketText
	 * @param {number} now
	 * @returns {{ outcome: RedeemOutcome, ticket: Ticket | undefined }}
	 */
	redeem(ticketText, now) {
		const ticket = ticketText ? this._tickets.get(ticketText) : undefined;
		/** @type {RedeemOutcome} */
		let outcome = 'connected';
		if (!ticketText) outcome = 'noTicket';
		else if (!ticket) outcome = 'unknownTicket';
		else if (ticket.used) outcome = 'ticketUsed';
		else if (now >= ticket.expiresAt) outcome = 'ticketExpired';
		if (ticket && outcome === 'connected') ticket.used = true;
		return { outcome, ticket };
	}

	/** Forgets the records, every ticket issued and the faults not used yet. */
	reset() {
		this.openRequests = [];
		this._tickets = new Map();
		this._faults = [];
	}

	/**
	 * POST /v1.0/gateway/connections/open.
	 * @param {import('./server').ApiExchange} exchange
	 */
	_open(exchange) {
		const { req, res, now } = exchange;
		/** @type {OpenRecord} */
		const record = {
			at: now,
			clientId: null,
			outcome: 'ticketIssued',
			status: 200,
			xml: !acceptsJson(req.headers.accept),
			subscriptions: undefined,
			ua: undefined,
			localIp: undefined,
			ticket: undefined,
		};
		this.openRequests.push(record);
		if (this.down) {
			record.outcome = 'gatewayDown';
			if (this.down === 'reset') {
				record.status = null;
				req.socket.destroy();
				return;
			}
			record.status = 503;
			res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end(htmlPage(503, 'Service Temporarily Unavailable'));
			return;
		}
		const body = readJsonBody(exchange);
		if (body) {
			record.clientId = typeof body.clientId === 'string' ? body.clientId : null;
			record.subscriptions = structuredClone(body.subscriptions);
			record.ua = body.ua;
			record.localIp = body.localIp;
		}
		/**
		 * @param {OpenRecord['outcome']} outcome
		 * @param {number} status
		 * @param {{ code: string, message: string }} error
		 */
		const refuse = (outcome, status, { code, message }) => {
			record.outcome = outcome;
			this._answer(res, record, status, apiError(code, message));
		};
		const fault = this._faults.shift();
		if (fault) {
			record.outcome = 'fault';
			record.xml = false;
			this._answer(res, record, fault.status, typeof fault.body === 'function' ? fault.body(body) : fault.body);
			return;
		}
		if (req.method !== 'POST') return refuse('methodNotAllowed', 405, methodNotAllowed(req.method));
		if (!body) return refuse('missingBody', 400, MISSING_BODY);
		// A wrong or unknown Client ID or Secret: HTTP 401 {requestid, code: authFailed, message: 鉴权失败},
		// as the real gateway answered in zfanswer/dify-on-dingtalk#28 (quoted from the Python SDK's log).
		const app = this._apps.authenticate(body.clientId, body.clientSecret);
		if (!app) return refuse('authFailed', 401, { code: 'authFailed', message: '鉴权失败' });
		// Assumption: the subscriptions the protocol requires are checked, and answered 400 invalidParameter.
		const checked = checkSubscriptions(body.subscriptions);
		if ('error' in checked) return refuse('invalidSubscriptions', 400, { code: 'invalidParameter', message: checked.error });
		const ticket = crypto.randomUUID();
		this._tickets.set(ticket, { app, subscriptions: checked.subscriptions, expiresAt: now + this._ticketTtlMs, used: false });
		record.ticket = ticket;
		this._answer(res, record, 200, { endpoint: this._endpointOverride ?? this._endpoint(), ticket });
	}

	/**
	 * JSON, or XML when the client did not ask for JSON ("这个接口得加个[Accept]，否则默认返回的会是xml",
	 * a comment in the Node SDK). The XML element names are an assumption; what matters is that it
	 * is not JSON.
	 * @param {import('node:http').ServerResponse} res
	 * @param {OpenRecord} record
	 * @param {number} status
	 * @param {unknown} body
	 */
	_answer(res, record, status, body) {
		record.status = status;
		let payload = JSON.stringify(body) ?? '';
		let type = 'application/json;charset=utf-8';
		if (record.xml && body && typeof body === 'object') {
			const root = status === 200 ? 'OpenConnectionResponse' : 'Error';
			const fields = Object.entries(body).map(([k, v]) => `<${k}>${xmlText(String(v))}</${k}>`).join('');
			payload = `<?xml version="1.0" encoding="UTF-8"?>\n<${root}>${fields}</${root}>`;
			type = 'application/xml;charset=utf-8';
		}
		res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload) });
		res.end(payload);
	}
}

module.exports = { StreamRegistration, OPEN_PATH };
