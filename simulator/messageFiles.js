// @ts-check
'use strict';

/**
 * The files people sent a robot, and how the robot gets them (下载机器人接收消息的文件内容):
 * `POST https://api.dingtalk.com/v1.0/robot/messageFiles/download` `{downloadCode, robotCode}`
 * with the access token header, permission `qyapi_robot_sendmsg`, answers `{downloadUrl}`: a
 * short-lived signed URL on DingTalk's storage, another host, fetched with a plain GET and no
 * token (storageHost.js). Mounted behind openApiGate.js like the robot message APIs: the token,
 * the permission, the app's QPS, the gate's faults and latency, and the call recorded in
 * openApiRequests().
 *
 * The registry: every file a simulated message carried (incomingMessage.js stores them) or that a
 * test added (add(), for codes "found later"), with its downloadCode, the robotCode it was sent
 * to, its bytes and sha256, when its code expires (default 24 hours: assumed, DingTalk only says
 * the code is temporary) and the URLs handed out for it, with how often each was fetched.
 *
 * DingTalk does not document this API's error codes; every refusal is HTTP 400 `{requestid, code,
 * message}` (api.dingtalk.com's shape) with codes of our choosing, ASSUMED: the robotCode's follow
 * oToMessages/batchSend's table (`invalidParameter.robotCode.empty`, `.notExsit`, `.auth`); a
 * missing downloadCode `invalidParameter.downloadCode.empty`, an unknown one
 * `invalidParameter.downloadCode.invalid`, an expired one `invalidParameter.downloadCode.expired`,
 * one of a file sent to another robot than the robotCode `invalidParameter.downloadCode.robotCode`.
 * A product should treat them alike: the file cannot be had with this code.
 */

const crypto = require('node:crypto');
const { apiError } = require('./apiHost');
const { checkNumber, isObject, optionalText } = require('./checks');

const DOWNLOAD_PATH = '/v1.0/robot/messageFiles/download';
/** 权限要求: qyapi_robot_sendmsg, as the robot message APIs. */
const DOWNLOAD_SCOPE = 'qyapi_robot_sendmsg';
const DEFAULT_CODE_TTL_MS = 24 * 3_600_000;
const DEFAULT_URL_TTL_MS = 5 * 60_000;
const OCTET_STREAM = 'application/octet-stream';

/** @type {Readonly<Record<string, [code: string, message: string]>>} */
const ERRORS = Object.freeze({
	robotCodeEmpty: ['invalidParameter.robotCode.empty', '机器人robotCode为空'],
	robotCodeUnknown: ['invalidParameter.robotCode.notExsit', '机器人不存在，请检查企业内是否安装了robotCode对应的机器人'],
	robotCodeNotYours: ['invalidParameter.robotCode.auth', '此应用appkey和机器人robotCode不匹配，请使用机器人应用的appkey'],
	codeEmpty: ['invalidParameter.downloadCode.empty', 'downloadCode为空'],
	codeUnknown: ['invalidParameter.downloadCode.invalid', '无效的downloadCode'],
	codeExpired: ['invalidParameter.downloadCode.expired', 'downloadCode已过期'],
	otherRobot: ['invalidParameter.downloadCode.robotCode', 'downloadCode与robotCode不匹配'],
});

/**
 * @typedef {object} MessageFile
 * @property {string} downloadCode
 * @property {string | undefined} pictureDownloadCode a picture's second code (not taken by the v1.0 API)
 * @property {string} robotCode the robot it was sent to: the only one that may download it
 * @property {'picture' | 'audio' | 'video' | 'file'} kind
 * @property {string} name
 * @property {string} mimeType what the storage host serves it as
 * @property {Buffer} bytes
 * @property {string} sha256
 * @property {string | undefined} msgId the message that carried it
 * @property {number} storedAt
 * @property {number} expiresAt when its downloadCode stops working
 * @property {string} objectKey its name on the storage host
 * @property {number} downloads requests to the storage host that got its whole body
 */

/**
 * @typedef {object} FileDownloadRecord
 * @property {number} at when the URL was handed out
 * @property {string} downloadCode
 * @property {string} robotCode
 * @property {string} clientId the app that asked
 * @property {string} downloadUrl
 * @property {number} expiresAt when the URL stops working (ms; its Expires is in seconds)
 * @property {number} requests requests to the storage host with this URL (handed out again in the same second, a URL is the same: they count for the last record)
 * @property {number} completed of them, GETs that got the whole body
 */

/** @typedef {import('./openApiGate').OpenApiCall} OpenApiCall */
/** @typedef {import('./openApiGate').OpenApiOutcome} OpenApiOutcome */

/** A downloadCode as DingTalk's look: long, random, base64 with + and / (a robot must not put it into a URL unencoded). */
const newDownloadCode = () => crypto.randomBytes(96).toString('base64');

/** @param {[code: string, message: string]} error */
const bad = ([code, message]) => ({ status: 400, json: apiError(code, message) });

class MessageFiles {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ gate: import('./openApiGate').OpenApiGate, apps: import('./apps').Apps, storage: import('./storageHost').StorageHost, downloadCodeTtlMs?: number, downloadUrlTtlMs?: number }} options
	 */
	constructor(server, { gate, apps, storage, downloadCodeTtlMs, downloadUrlTtlMs }) {
		this._server = server;
		this._apps = apps;
		this._storage = storage;
		this._codeTtlMs = checkNumber(downloadCodeTtlMs ?? DEFAULT_CODE_TTL_MS, 'files.downloadCodeTtlMs', 1);
		this._urlTtlMs = checkNumber(downloadUrlTtlMs ?? DEFAULT_URL_TTL_MS, 'files.downloadUrlTtlMs', 1);
		/** @type {Map<string, MessageFile>} by downloadCode, in storing order */
		this._files = new Map();
		/** @type {FileDownloadRecord[]} */
		this._downloads = [];
		gate.route(DOWNLOAD_PATH, { scope: DOWNLOAD_SCOPE, decide: (call) => this._decide(call) });
		server.mount(this);
		server.messageFiles = this;
	}

	/**
	 * Keeps a file under its downloadCode (a message's, from incomingMessage.js).
	 * @param {{ downloadCode: string, pictureDownloadCode?: string, robotCode: string, kind: MessageFile['kind'], bytes: Buffer, name: string, mimeType?: string, msgId?: string }} file
	 * @returns {MessageFile}
	 */
	store(file) {
		const now = this._server.now();
		/** @type {MessageFile} */
		const stored = {
			downloadCode: file.downloadCode,
			pictureDownloadCode: file.pictureDownloadCode,
			robotCode: file.robotCode,
			kind: file.kind,
			name: file.name,
			mimeType: file.mimeType ?? OCTET_STREAM,
			bytes: file.bytes,
			sha256: crypto.createHash('sha256').update(file.bytes).digest('hex'),
			msgId: file.msgId,
			storedAt: now,
			expiresAt: now + this._codeTtlMs,
			// the storage's name for it: random, with DingTalk's useless .file extension
			objectKey: `${crypto.randomBytes(24).toString('base64url')}.file`,
			downloads: 0,
		};
		this._files.set(stored.downloadCode, stored);
		return stored;
	}

	/**
	 * A file a robot may download though no simulated message carried it (a code "found later").
	 * @param {unknown} options {bytes, robotCode, name?, mimeType?, kind?, downloadCode?, msgId?}
	 */
	add(options) {
		if (!isObject(options) || !(options.bytes instanceof Uint8Array)) throw new TypeError('addDownloadableFile needs {bytes: Buffer, robotCode, name?, mimeType?, kind?, downloadCode?}');
		const robotCode = optionalText(options.robotCode, 'robotCode');
		if (robotCode === undefined) throw new TypeError('addDownloadableFile needs the robotCode the file was sent to');
		const kind = options.kind ?? 'file';
		if (kind !== 'picture' && kind !== 'audio' && kind !== 'video' && kind !== 'file') throw new TypeError('kind must be picture, audio, video or file');
		return info(
			this.store({
				downloadCode: optionalText(options.downloadCode, 'downloadCode') ?? newDownloadCode(),
				robotCode,
				kind,
				bytes: Buffer.from(options.bytes),
				name: optionalText(options.name, 'name') ?? 'file.bin',
				mimeType: optionalText(options.mimeType, 'mimeType'),
				msgId: optionalText(options.msgId, 'msgId'),
			}),
			this._server.now(),
		);
	}

	/** Every file stored since construction or reset(), in order (without the bytes). */
	list() {
		const now = this._server.now();
		return [...this._files.values()].map((f) => info(f, now));
	}

	/** Every downloadUrl handed out since construction or reset(), with its fetches (copies). */
	downloads() {
		return this._downloads.map((d) => ({ ...d }));
	}

	/**
	 * Expires the downloadCode of one file, or of all, from now() on.
	 * @param {string} [downloadCode]
	 * @returns {number} how many codes that still worked were expired
	 */
	expire(downloadCode) {
		const now = this._server.now();
		let count = 0;
		for (const file of this._files.values()) {
			if (downloadCode !== undefined && file.downloadCode !== downloadCode) continue;
			if (file.expiresAt > now) count++;
			file.expiresAt = Math.min(file.expiresAt, now);
		}
		return count;
	}

	/** Forgets files and the URLs handed out. */
	reset() {
		this._files = new Map();
		this._downloads = [];
	}

	/**
	 * POST /v1.0/robot/messageFiles/download, once the gate let it through.
	 * @param {OpenApiCall} call
	 * @returns {OpenApiOutcome}
	 */
	_decide({ body, app, now }) {
		const { robotCode, downloadCode } = body;
		if (typeof robotCode !== 'string' || robotCode === '') return bad(ERRORS.robotCodeEmpty);
		const owner = this._apps.byRobotCode(robotCode);
		if (!owner) return bad(ERRORS.robotCodeUnknown);
		if (owner.clientId !== app.clientId) return bad(ERRORS.robotCodeNotYours);
		if (typeof downloadCode !== 'string' || downloadCode === '') return bad(ERRORS.codeEmpty);
		const file = this._files.get(downloadCode);
		if (!file) return bad(ERRORS.codeUnknown);
		if (now >= file.expiresAt) return bad(ERRORS.codeExpired);
		if (file.robotCode !== robotCode) return bad(ERRORS.otherRobot);
		/** @type {FileDownloadRecord} */
		const record = { at: now, downloadCode, robotCode, clientId: app.clientId, downloadUrl: '', expiresAt: now + this._urlTtlMs, requests: 0, completed: 0 };
		record.downloadUrl = this._storage.signUrl(file, record.expiresAt, (request) => {
			record.requests++;
			if (request.complete && request.status === 200 && request.method === 'GET') {
				record.completed++;
				file.downloads++;
			}
		});
		this._downloads.push(record);
		return { status: 200, json: { downloadUrl: record.downloadUrl } };
	}
}

/**
 * What the accessors show of a file: everything but the bytes.
 * @param {MessageFile} file
 * @param {number} now
 */
function info(file, now) {
	return {
		downloadCode: file.downloadCode,
		pictureDownloadCode: file.pictureDownloadCode,
		robotCode: file.robotCode,
		kind: file.kind,
		name: file.name,
		mimeType: file.mimeType,
		size: file.bytes.length,
		sha256: file.sha256,
		msgId: file.msgId,
		storedAt: file.storedAt,
		expiresAt: file.expiresAt,
		expired: now >= file.expiresAt,
		downloads: file.downloads,
	};
}

module.exports = { MessageFiles, DOWNLOAD_PATH, newDownloadCode };
