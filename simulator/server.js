// @ts-check
'use strict';

/**
 * The one small HTTP server behind every simulated DingTalk surface, on 127.0.0.1. It plays two
 * DingTalk hosts on one port and routes by path:
 * - oapi.dingtalk.com (`/robot/send`, `/robot/sendBySession`, and any path no surface claims):
 *   handed to oapiHost.js, which records every request, applies the injected faults and answers
 *   what the surface decides.
 * - api.dingtalk.com (`/v1.0/…`, JSON APIs such as the Stream gateway and the OpenAPI): the
 *   surface answers itself and keeps its own records; no faults, not in `requests`.
 * - WebSocket upgrades (the Stream gateway's `/connect`).
 * It reads bodies with a cap (the rest is drained), keeps the shared timeline of the group page
 * (GET /), and resets and stops the surfaces mounted on it.
 */

const http = require('node:http');
const { renderGroupPage } = require('./groupView');
const { OapiHost, fail } = require('./oapiHost');

/**
 * @typedef {object} ApiExchange
 * @property {http.IncomingMessage} req
 * @property {http.ServerResponse} res
 * @property {URL} url
 * @property {Buffer} rawBody
 * @property {boolean} truncated
 * @property {number} now
 */

/**
 * @typedef {(req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer, url: URL) => void} UpgradeHandler
 */

/**
 * A surface mounted on the server: what it clears on reset() and closes on stop(), and, for a
 * surface with a listener of its own (the storage host), what start() starts beside the server.
 * @typedef {object} Surface
 * @property {(host: string) => Promise<unknown>} [start]
 * @property {() => void} [reset]
 * @property {() => void | Promise<void>} [stop]
 */

/**
 * What GET / draws, in the order it happened.
 * @typedef {import('./groupView').GroupEntry} TimelineEntry
 */

/** Bodies are buffered up to this many bytes (or the cap asked for if larger); the rest is drained. */
const MIN_BUFFER_CAP_BYTES = 1024 * 1024;

class SimulatorServer {
	/**
	 * @param {{ now: () => number, bodyCapBytes: number }} options
	 */
	constructor({ now, bodyCapBytes }) {
		this.now = now;
		this._bodyCap = Math.max(bodyCapBytes, MIN_BUFFER_CAP_BYTES);
		/** oapi.dingtalk.com: the recorded robot sends, with faults. */
		this.oapi = new OapiHost({ now, readBody: (req, done, capBytes) => this._readBody(req, done, capBytes) });
		/** @type {TimelineEntry[]} */
		this.timeline = [];
		/** Where the files of the messages people send are kept (messageFiles.js sets it), for callbacks and Stream pushes alike. @type {import('./messageFiles').MessageFiles | undefined} */
		this.messageFiles = undefined;
		/** @type {Map<string, { handler: (exchange: ApiExchange) => void, maxBodyBytes: number | undefined }>} */
		this._api = new Map();
		/** @type {Map<string, UpgradeHandler>} */
		this._upgrades = new Map();
		/** @type {Surface[]} */
		this._surfaces = [];
		/** @type {http.Server | undefined} */
		this._server = undefined;
		/** @type {string | undefined} */
		this._baseUrl = undefined;
		/** how many of the next TCP connections are reset before a byte is read (resetNextConnections) */
		this._pendingResets = 0;
		/** how many connections were reset so */
		this.connectionsReset = 0;
	}

	/**
	 * Resets the next `count` TCP connections as soon as they are accepted, before a byte of the
	 * request is read: the client's connect fails with ECONNRESET (syscall connect), the way a
	 * connection cut on its way to DingTalk looks. Nothing of such a request was received, so a
	 * client may safely send it again. Until they happened, every answer closes its connection
	 * and idle ones are closed now, so that the next request opens a new connection.
	 * @param {number} count
	 */
	resetNextConnections(count) {
		if (!Number.isInteger(count) || count < 0) throw new TypeError('resetNextConnections needs a count >= 0');
		this._pendingResets += count;
		if (count > 0) this._server?.closeIdleConnections();
	}

	/** `http://127.0.0.1:PORT` once started, else undefined. */
	get baseUrl() {
		return this._baseUrl;
	}

	/** The base URL; throws when not started. */
	requireBaseUrl() {
		if (!this._baseUrl) throw new Error('simulator not started');
		return this._baseUrl;
	}

	/**
	 * @param {string} path
	 * @param {(exchange: ApiExchange) => void} handler
	 * @param {{ maxBodyBytes?: number }} [options] buffer bodies up to this many bytes (default: the server's cap)
	 */
	onApi(path, handler, options = {}) {
		this._api.set(path, { handler, maxBodyBytes: options.maxBodyBytes });
	}

	/**
	 * @param {string} path
	 * @param {UpgradeHandler} handler
	 */
	onUpgrade(path, handler) {
		this._upgrades.set(path, handler);
	}

	/** @param {Surface} surface */
	mount(surface) {
		this._surfaces.push(surface);
	}

	/**
	 * @param {{ host?: string, port?: number }} [options]
	 * @returns {Promise<string>}
	 */
	start(options = {}) {
		if (this._server) return Promise.reject(new Error('simulator already started'));
		const host = options.host ?? '127.0.0.1';
		const port = options.port ?? 0;
		const server = http.createServer((req, res) => this._onRequest(req, res));
		server.on('upgrade', (req, socket, head) => this._onUpgrade(req, socket, head));
		server.on('connection', (socket) => {
			if (this._pendingResets === 0) return;
			this._pendingResets--;
			this.connectionsReset++;
			socket.resetAndDestroy();
		});
		this._server = server;
		/** @type {Promise<string>} */
		const listening = new Promise((resolve, reject) => {
			/** @param {Error} err */
			const onError = (err) => {
				this._server = undefined;
				reject(err);
			};
			server.once('error', onError);
			server.listen(port, host, () => {
				server.off('error', onError);
				const address = server.address();
				const actualPort = typeof address === 'object' && address ? address.port : port;
				const hostPart = host.includes(':') ? `[${host}]` : host;
				this._baseUrl = `http://${hostPart}:${actualPort}`;
				resolve(this._baseUrl);
			});
		});
		return listening.then(async (baseUrl) => {
			// the surfaces with listeners of their own (the storage host) start on the same address
			try {
				await Promise.all(this._surfaces.map((s) => s.start?.(host)));
			} catch (err) {
				await this.stop();
				throw err;
			}
			return baseUrl;
		});
	}

	/** Stops every surface (sockets, timers), then the server. Idempotent. */
	async stop() {
		const server = this._server;
		await Promise.all(this._surfaces.map((s) => s.stop?.()));
		this.oapi.stop();
		if (!server) return;
		await new Promise((resolve) => {
			server.close(() => {
				if (this._server === server) {
					this._server = undefined;
					this._baseUrl = undefined;
				}
				resolve(undefined);
			});
			server.closeAllConnections();
		});
	}

	/** Clears the request log, the timeline, pending faults and every surface's records. */
	reset() {
		this.oapi.reset();
		this.timeline = [];
		this._pendingResets = 0;
		this.connectionsReset = 0;
		for (const s of this._surfaces) s.reset?.();
	}

	/**
	 * @param {http.IncomingMessage} req
	 * @param {(raw: Buffer, totalBytes: number) => void} done
	 * @param {number} [capBytes] buffer up to this many bytes instead of the server's cap
	 */
	_readBody(req, done, capBytes) {
		const cap = capBytes ?? this._bodyCap;
		/** @type {Buffer[]} */
		const chunks = [];
		let buffered = 0;
		let total = 0;
		req.on('data', (/** @type {Buffer} */ chunk) => {
			total += chunk.length;
			if (buffered < cap) {
				const part = chunk.subarray(0, cap - buffered);
				chunks.push(part);
				buffered += part.length;
			}
		});
		req.on('error', () => {
			/* client went away: nothing to answer */
		});
		req.on('end', () => done(Buffer.concat(chunks), total));
	}

	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	_onRequest(req, res) {
		// a connection reset is waiting: this connection is not reused, so the next request opens one
		if (this._pendingResets > 0) res.setHeader('Connection', 'close');
		// a browser's icon request is not a DingTalk request either
		if (req.method === 'GET' && req.url === '/favicon.ico') {
			res.writeHead(204);
			res.end();
			return;
		}
		// GET / shows what the simulated group received (not a DingTalk request: not recorded)
		if (req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?'))) {
			const page = renderGroupPage({ groupName: 'Simulated DingTalk group', robotName: 'n8n robot', entries: this.timeline });
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
			res.end(page);
			return;
		}
		const url = new URL(req.url ?? '/', 'http://simulator.invalid');
		const api = this._api.get(url.pathname);
		if (api) {
			this._readBody(
				req,
				(raw, total) => {
					try {
						api.handler({ req, res, url, rawBody: raw, truncated: total > raw.length, now: this.now() });
					} catch (err) {
						fail(res, err);
					}
				},
				api.maxBodyBytes,
			);
			return;
		}
		this.oapi.handle(req, res, url);
	}

	/**
	 * @param {http.IncomingMessage} req
	 * @param {import('node:stream').Duplex} socket
	 * @param {Buffer} head
	 */
	_onUpgrade(req, socket, head) {
		const url = new URL(req.url ?? '/', 'http://simulator.invalid');
		const handler = this._upgrades.get(url.pathname);
		if (!handler) {
			refuseUpgrade(socket, 404, 'Not Found', 'no WebSocket endpoint at this path');
			return;
		}
		handler(req, socket, head, url);
	}
}

/**
 * Answers a WebSocket upgrade request with a plain HTTP error and closes the socket.
 * @param {import('node:stream').Duplex} socket
 * @param {number} status
 * @param {string} reason
 * @param {string} text
 */
function refuseUpgrade(socket, status, reason, text) {
	socket.on('error', () => {
		/* the client may already be gone */
	});
	if (!socket.writable) {
		socket.destroy();
		return;
	}
	socket.end(
		`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
			`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
	);
}

module.exports = { SimulatorServer, refuseUpgrade };
