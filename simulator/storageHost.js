// @ts-check
'use strict';

/**
 * DingTalk's file storage, where the `downloadUrl` of POST /v1.0/robot/messageFiles/download
 * (messageFiles.js) points: another host than api.dingtalk.com, reached with a plain GET and no
 * token. The downloadUrls quoted in public code are Alibaba Cloud OSS links, on plain http:
 * `http://lippi-space-zjk.oss-cn-zhangjiakou.aliyuncs.com/yundisk0/<key>.file?Expires=<unix s>&OSSAccessKeyId=LTAI…&Signature=<base64, URL-encoded>`.
 * The object has no useful name or type (DingTalk's SDK notes say the URL ends in `.file` and the
 * developer restores the extension), so a file is served as `application/octet-stream` unless
 * it was stored with another mimeType. So the simulator plays it as a second HTTP listener on its
 * own port (another host:port than the API, started and stopped with the simulator):
 * - `/yundisk0/<key>.file?Expires=&OSSAccessKeyId=&Signature=`, the signature an HMAC over
 *   the path and Expires (OSS's V1 string to sign, our own secret): a changed path, Expires or
 *   Signature (e.g. `%2B` decoded to a blank) is refused 403 `SignatureDoesNotMatch`; past Expires
 *   403 `AccessDenied` `Request has expired.`; no signature 403 `AccessDenied`; an unknown object
 *   404 `NoSuchKey`; another method than GET or HEAD 405. Errors are OSS's XML `<Error>` (codes
 *   from OSS's error reference; the exact texts are assumed).
 * - bodies are written from the stored Buffer (slices, never copies), so a 10 MB file streams;
 *   no ranges.
 * - every request is recorded with its method, path and ALL its headers (to prove that no access
 *   token travelled here), and consumes the next injected fault (FIFO, or the policy's):
 *   forbidden, notFound, slow, trickle, drop, redirect, wrongLength.
 */

const http = require('node:http');
const crypto = require('node:crypto');
const { checkNumber } = require('./checks');
const { FaultQueue } = require('./faults');

const OBJECT_DIR = '/yundisk0/';
const ACCESS_KEY_ID = 'LTAIsimulatorStore01';
const OCTET_STREAM = 'application/octet-stream';

/** The fault kinds injectStorageFaults accepts. */
const STORAGE_FAULT_KINDS = Object.freeze(['forbidden', 'notFound', 'slow', 'trickle', 'drop', 'redirect', 'wrongLength']);

/**
 * @typedef {object} StorageFault
 * @property {'forbidden' | 'notFound' | 'slow' | 'trickle' | 'drop' | 'redirect' | 'wrongLength'} kind
 *   forbidden: 403 AccessDenied; notFound: 404 NoSuchKey; slow: delayMs before the first byte;
 *   trickle: the body in chunkBytes pieces every intervalMs; drop: the connection reset after
 *   afterBytes of the body (default half); redirect: status (default 302) to location;
 *   wrongLength: Content-Length says contentLength (default the size + 1024), the real body
 *   follows, then the connection closes (more promised: the body ends early; less: a client reads
 *   that much, and may fail on the bytes after it)
 * @property {number} [delayMs] slow
 * @property {number} [chunkBytes] trickle; default 1024
 * @property {number} [intervalMs] trickle; default 50
 * @property {number} [afterBytes] drop
 * @property {string} [location] redirect
 * @property {301 | 302 | 303 | 307 | 308} [status] redirect
 * @property {number} [contentLength] wrongLength
 */

/**
 * What the storage host needs of a stored file.
 * @typedef {object} StoredObject
 * @property {string} objectKey
 * @property {string} downloadCode
 * @property {Buffer} bytes
 * @property {string} mimeType
 */

/**
 * @typedef {object} StorageRequestRecord
 * @property {number} at now() when it arrived
 * @property {string} method
 * @property {string} url the path and query as received
 * @property {string} path
 * @property {Record<string, string | string[] | undefined>} headers every header received (names in lower case)
 * @property {string | undefined} downloadCode of the file the path names
 * @property {StorageFault['kind'] | undefined} fault
 * @property {'served' | 'expired' | 'badSignature' | 'unsigned' | 'notFound' | 'methodNotAllowed' | 'fault'} outcome
 * @property {number | null} status null until the head is sent
 * @property {number} bytesSent body bytes written
 * @property {boolean} complete the whole answer was handed to the connection as declared (false: cut, dropped, a lying length)
 */

/**
 * OSS's V1 signature: base64(HMAC-SHA1(secret, `GET\n\n\n${expires}\n${path}`)).
 * @param {string} secret
 * @param {string} path
 * @param {string} expires
 */
function signature(secret, path, expires) {
	return crypto.createHmac('sha1', secret).update(`GET\n\n\n${expires}\n${path}`).digest('base64');
}

/**
 * The verdict on a request's path and query: which object, or why not (pure: the caller passes now).
 * @param {{ method: string, url: URL, now: number, secret: string, objects: Map<string, StoredObject> }} request
 * @returns {{ outcome: 'served', object: StoredObject, signature: string } | { outcome: Exclude<StorageRequestRecord['outcome'], 'served' | 'fault'>, object: StoredObject | undefined, signature?: string }}
 *   signature: of a request signed by us (served, expired, or an object forgotten since)
 */
function judgeRequest({ method, url, now, secret, objects }) {
	const key = url.pathname.startsWith(OBJECT_DIR) ? url.pathname.slice(OBJECT_DIR.length) : undefined;
	const object = key === undefined ? undefined : objects.get(key);
	if (method !== 'GET' && method !== 'HEAD') return { outcome: 'methodNotAllowed', object };
	const expires = url.searchParams.get('Expires');
	const given = url.searchParams.get('Signature');
	if (expires === null || given === null || url.searchParams.get('OSSAccessKeyId') === null) return { outcome: 'unsigned', object };
	const expected = Buffer.from(signature(secret, url.pathname, expires));
	const received = Buffer.from(given);
	if (received.length !== expected.length || !crypto.timingSafeEqual(received, expected)) return { outcome: 'badSignature', object };
	// OSS refuses once the current time (in seconds) is past Expires
	if (!/^\d+$/.test(expires) || now > Number(expires) * 1000) return { outcome: 'expired', object, signature: given };
	if (!object) return { outcome: 'notFound', object, signature: given };
	return { outcome: 'served', object, signature: given };
}

/**
 * OSS's error document.
 * @param {string} code
 * @param {string} message
 * @param {string} requestId
 * @param {Record<string, string>} [extra]
 */
function ossError(code, message, requestId, extra = {}) {
	const fields = Object.entries(extra).map(([k, v]) => `  <${k}>${v.replace(/[<&>]/g, (c) => `&#${c.charCodeAt(0)};`)}</${k}>\n`).join('');
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>${requestId}</RequestId>\n  <HostId>lippi-space-sim.oss-cn-zhangjiakou.aliyuncs.com</HostId>\n${fields}</Error>\n`;
}

/**
 * The answer before faults shape it.
 * @typedef {{ status: number, headers: Record<string, string>, body: Buffer }} StorageAnswer
 */

/**
 * @param {ReturnType<typeof judgeRequest>['outcome'] | 'forbidden' | 'notFound'} outcome
 * @param {{ object: StoredObject | undefined, path: string, requestId: string, now: number }} context
 * @returns {StorageAnswer}
 */
function answerFor(outcome, { object, path, requestId, now }) {
	const xml = (/** @type {number} */ status, /** @type {string} */ code, /** @type {string} */ message, /** @type {Record<string, string>} */ extra = {}) => ({
		status,
		headers: { 'Content-Type': 'application/xml' },
		body: Buffer.from(ossError(code, message, requestId, extra)),
	});
	switch (outcome) {
		case 'served':
			return { status: 200, headers: { 'Content-Type': object?.mimeType ?? OCTET_STREAM }, body: /** @type {StoredObject} */ (object).bytes };
		case 'expired':
			return xml(403, 'AccessDenied', 'Request has expired.', { ServerTime: new Date(now).toISOString() });
		case 'badSignature':
			return xml(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
		case 'unsigned':
		case 'forbidden':
			return xml(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
		case 'methodNotAllowed':
			return xml(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
		default:
			return xml(404, 'NoSuchKey', 'The specified key does not exist.', { Key: path.replace(/^\//, '') });
	}
}

class StorageHost {
	/**
	 * @param {import('./server').SimulatorServer} server
	 */
	constructor(server) {
		this._server = server;
		this._secret = crypto.randomBytes(24).toString('base64');
		/** @type {Map<string, StoredObject>} by objectKey */
		this._objects = new Map();
		/** @type {Map<string, (record: StorageRequestRecord) => void>} by Signature: who counts the requests of an issued URL */
		this._tallies = new Map();
		/** @type {StorageRequestRecord[]} */
		this.requests = [];
		/** @type {FaultQueue<StorageFault>} */
		this.faults = new FaultQueue(STORAGE_FAULT_KINDS);
		/** @type {Set<NodeJS.Timeout>} */
		this._timers = new Set();
		/** @type {http.Server | undefined} */
		this._http = undefined;
		/** @type {string | undefined} */
		this._baseUrl = undefined;
		server.mount(this);
	}

	/** `http://127.0.0.1:PORT` of the storage host once started, else undefined. */
	get baseUrl() {
		return this._baseUrl;
	}

	/**
	 * A signed URL of the object, valid until expiresAt (ms; Expires is in whole seconds, rounded
	 * up). `tally` is told of every request that comes with exactly this URL's signature.
	 * @param {StoredObject} object
	 * @param {number} expiresAt
	 * @param {(record: StorageRequestRecord) => void} tally
	 */
	signUrl(object, expiresAt, tally) {
		if (!this._baseUrl) throw new Error('the storage host is not started');
		const path = `${OBJECT_DIR}${object.objectKey}`;
		const expires = String(Math.ceil(expiresAt / 1000));
		const sig = signature(this._secret, path, expires);
		this._objects.set(object.objectKey, object);
		this._tallies.set(sig, tally);
		const query = new URLSearchParams({ Expires: expires, OSSAccessKeyId: ACCESS_KEY_ID, Signature: sig });
		return `${this._baseUrl}${path}?${query}`;
	}

	/**
	 * Listens on another port of the simulator's host (called by the server's start()).
	 * @param {string} host
	 */
	start(host) {
		const server = http.createServer((req, res) => this._onRequest(req, res));
		this._http = server;
		return new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, host, () => {
				server.off('error', reject);
				const address = server.address();
				const port = typeof address === 'object' && address ? address.port : 0;
				this._baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
				resolve(undefined);
			});
		});
	}

	/** Cuts answers in flight and closes the listener. */
	async stop() {
		this._cutTimers();
		const server = this._http;
		this._http = undefined;
		this._baseUrl = undefined;
		if (!server) return;
		await new Promise((resolve) => {
			server.close(() => resolve(undefined));
			server.closeAllConnections();
		});
	}

	/**
	 * Queues faults; each request to the storage host consumes the next one (FIFO).
	 * @param {StorageFault[]} faults
	 */
	injectFaults(faults) {
		if (!Array.isArray(faults)) throw new TypeError('injectStorageFaults needs an array');
		for (const f of faults) {
			for (const name of /** @type {const} */ (['chunkBytes', 'intervalMs', 'afterBytes', 'contentLength'])) {
				if (f?.[name] !== undefined) checkNumber(f[name], `${f.kind} fault ${name}`, 0);
			}
			if (f?.kind === 'redirect' && f.status !== undefined && ![301, 302, 303, 307, 308].includes(f.status)) throw new TypeError('a redirect fault status must be 301, 302, 303, 307 or 308');
		}
		this.faults.inject(faults);
	}

	/** Forgets objects, URLs, records and pending faults (and the policy); answers in flight still go. */
	reset() {
		this._objects = new Map();
		this._tallies = new Map();
		this.requests = [];
		this.faults.reset();
	}

	_cutTimers() {
		for (const timer of this._timers) clearTimeout(timer);
		this._timers.clear();
	}

	/**
	 * @param {() => void} fn
	 * @param {number} ms
	 */
	_later(fn, ms) {
		const timer = setTimeout(() => {
			this._timers.delete(timer);
			fn();
		}, ms);
		this._timers.add(timer);
	}

	/**
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 */
	_onRequest(req, res) {
		req.resume();
		const now = this._server.now();
		const url = new URL(req.url ?? '/', 'http://storage.invalid');
		const method = req.method ?? '';
		const verdict = judgeRequest({ method, url, now, secret: this._secret, objects: this._objects });
		const fault = this.faults.next(this.requests.length);
		/** @type {StorageRequestRecord} */
		const record = {
			at: now,
			method,
			url: req.url ?? '',
			path: url.pathname,
			headers: { ...req.headers },
			downloadCode: verdict.object?.downloadCode,
			fault: fault?.kind,
			outcome: fault?.kind === 'forbidden' || fault?.kind === 'notFound' || fault?.kind === 'redirect' ? 'fault' : verdict.outcome,
			status: null,
			bytesSent: 0,
			complete: false,
		};
		this.requests.push(record);
		const requestId = crypto.randomBytes(12).toString('hex').toUpperCase();
		const context = { object: verdict.object, path: url.pathname, requestId, now };
		/** @type {StorageAnswer} */
		let answer;
		if (fault?.kind === 'forbidden' || fault?.kind === 'notFound') answer = answerFor(fault.kind, context);
		else if (fault?.kind === 'redirect') answer = { status: fault.status ?? 302, headers: { Location: String(fault.location) }, body: Buffer.alloc(0) };
		else answer = answerFor(verdict.outcome, context);
		const tally = verdict.signature === undefined ? undefined : this._tallies.get(verdict.signature);
		// each request is settled once: when its answer was handed over whole, or cut (before a client can see the end of it)
		let settled = false;
		const settle = (/** @type {boolean} */ complete) => {
			if (settled) return;
			settled = true;
			record.complete = complete;
			tally?.(record);
		};
		res.on('close', () => settle(false));
		const head = () => this._send(req, res, record, answer, fault, requestId, settle);
		if (fault?.kind === 'slow') this._later(head, checkNumber(fault.delayMs ?? 0, 'slow fault delayMs', 0));
		else head();
	}

	/**
	 * Writes the answer as the fault shapes it.
	 * @param {http.IncomingMessage} req
	 * @param {http.ServerResponse} res
	 * @param {StorageRequestRecord} record
	 * @param {StorageAnswer} answer
	 * @param {StorageFault | undefined} fault
	 * @param {string} requestId
	 * @param {(complete: boolean) => void} settle
	 */
	_send(req, res, record, { status, headers, body }, fault, requestId, settle) {
		if (res.destroyed) return;
		const payload = req.method === 'HEAD' ? body.subarray(0, 0) : body;
		const length = fault?.kind === 'wrongLength' ? fault.contentLength ?? body.length + 1024 : body.length;
		res.writeHead(status, {
			Server: 'AliyunOSS',
			'x-oss-request-id': requestId,
			...headers,
			'Content-Length': String(length),
			...(fault?.kind === 'wrongLength' ? { Connection: 'close' } : {}),
		});
		record.status = status;
		if (fault?.kind === 'drop') {
			const cut = Math.min(fault.afterBytes ?? Math.floor(payload.length / 2), payload.length);
			res.write(payload.subarray(0, cut), () => {
				record.bytesSent = cut;
				settle(false);
				req.socket.resetAndDestroy();
			});
			return;
		}
		if (fault?.kind === 'trickle') {
			const chunk = Math.max(1, fault.chunkBytes ?? 1024);
			const interval = fault.intervalMs ?? 50;
			const step = (/** @type {number} */ offset) => {
				if (res.destroyed) return;
				const piece = payload.subarray(offset, offset + chunk);
				record.bytesSent += piece.length;
				if (offset + piece.length >= payload.length) {
					// the last piece ends the answer at once: a client that has its bytes may close
					res.end(piece);
					settle(true);
					return;
				}
				res.write(piece);
				this._later(() => step(offset + piece.length), interval);
			};
			step(0);
			return;
		}
		record.bytesSent = payload.length;
		if (fault?.kind === 'wrongLength') {
			// node would keep the connection for the bytes promised (or mistake the extra ones for the next answer): close it
			res.end(payload, () => req.socket.destroySoon());
			settle(false);
			return;
		}
		res.end(payload);
		settle(true);
	}
}

module.exports = { StorageHost, STORAGE_FAULT_KINDS, judgeRequest, signature };
