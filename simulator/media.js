// @ts-check
'use strict';

/**
 * Uploading media for an app robot's messages (上传媒体文件, upload-media-files in DingTalk's
 * reference): `POST https://oapi.dingtalk.com/media/upload?access_token=…&type=image|voice|video|file`,
 * multipart/form-data with the file in the part named `media` (filename and content type), answers
 * oapi's style `{errcode: 0, errmsg: 'ok', media_id, created_at, type}` (HTTP 200, also on failure).
 * It lives on the oapi host (oapiHost.js: recorded in `requests`, the webhook's fault queue), takes
 * the access token of /v1.0/oauth2/accessToken as the query parameter, needs the permission
 * `qyapi_base` (权限要求) and counts against the app's QPS limit (openApiGate.js); its answers wait
 * the OpenAPI latency. The media_id it issues is what sampleImageMsg's photoURL, sampleFile's,
 * sampleAudio's and sampleVideo's media ids take (robotMessages.js).
 *
 * Limits and types, from the reference (updated 2026-06): image ≤ 20 MB jpg/gif/png/bmp, voice
 * ≤ 2 MB amr/mp3/wav, video ≤ 20 MB mp4, file ≤ 20 MB doc/docx/xls/xlsx/ppt/pptx/zip/pdf/rar (MB
 * taken as 2^20 bytes: assumed); `type` in the query or as a form field (the reference shows both).
 * Errcodes (全局错误码): 43002 需要POST请求, 41001 缺少access_token参数, 40014 不合法的access_token
 * (also for an expired token: "错误的或过期的 access_token 将导致接口返回 40001 或 40014"), 60011
 * 没有调用该接口的权限 (errmsg naming the scope as in answers quoted in public code: assumed for
 * this API), 90018 (the app's QPS limit, 调用频次与限流; its errmsg assumed), 40004 不合法的媒体文件类型,
 * 40005 不合法的文件类型 (a wrong extension; for other types than file: assumed), 40006 不合法的文件
 * 大小, 44001 多媒体文件为空. Assumed: 40035 缺少参数 media when no part is named media (or the body
 * is no multipart).
 */

const crypto = require('node:crypto');
const { boundaryOf, parseMultipart } = require('./multipart');
const { reply } = require('./sendRules');
const { Apps } = require('./apps');

const UPLOAD_PATH = '/media/upload';
const MEDIA_SCOPE = 'qyapi_base';
const MB = 1024 * 1024;

/** @type {Readonly<Record<string, { maxBytes: number, extensions: readonly string[] }>>} */
const MEDIA_TYPES = Object.freeze({
	image: { maxBytes: 20 * MB, extensions: ['jpg', 'gif', 'png', 'bmp'] },
	voice: { maxBytes: 2 * MB, extensions: ['amr', 'mp3', 'wav'] },
	video: { maxBytes: 20 * MB, extensions: ['mp4'] },
	file: { maxBytes: 20 * MB, extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'] },
});

/** Room for the multipart framing around the largest file. */
const MAX_UPLOAD_BODY_BYTES = 21 * MB;

/**
 * @typedef {object} MediaUploadRecord
 * @property {number} at
 * @property {string | null} accessToken the query parameter as received
 * @property {string | undefined} clientId the app of a valid token
 * @property {string | null} type as asked (query or form field)
 * @property {number} errcode
 * @property {string} errmsg
 * @property {string | undefined} mediaId
 * @property {string | undefined} filename
 * @property {string | undefined} contentType the part's
 * @property {string[] | undefined} partHeaders the header names of the file's part, in order (an injected one shows here)
 * @property {number | undefined} size bytes of the file
 * @property {string | undefined} sha256 hex digest of the file's bytes
 */

class MediaUploads {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ gate: import('./openApiGate').OpenApiGate, verifyToken: (token: string, now: number) => ReturnType<import('./openapi').OpenApi['verify']> }} options
	 */
	constructor(server, { gate, verifyToken }) {
		this._gate = gate;
		this._verifyToken = verifyToken;
		/** @type {MediaUploadRecord[]} */
		this.uploads = [];
		/** @type {Set<string>} the media_ids issued */
		this._media = new Set();
		server.oapi.route(UPLOAD_PATH, {
			decide: (request) => this._decide(request),
			maxBodyBytes: MAX_UPLOAD_BODY_BYTES,
			binary: true,
			delayMs: () => gate.latencyMs,
		});
		server.mount(this);
	}

	/**
	 * Whether the simulator issued this media_id (since construction or reset()).
	 * @param {string} mediaId
	 */
	has(mediaId) {
		return this._media.has(mediaId);
	}

	/** Forgets uploads and the media they made. */
	reset() {
		this.uploads = [];
		this._media = new Set();
	}

	/**
	 * @param {import('./oapiHost').OapiRequest} request
	 * @returns {import('./sendRules').Outcome}
	 */
	_decide({ record, raw, query, truncated, now }) {
		const boundary = truncated ? undefined : boundaryOf(record.contentType);
		const parts = boundary === undefined ? undefined : parseMultipart(raw, boundary);
		/** @type {MediaUploadRecord} */
		const upload = {
			at: now,
			accessToken: record.accessToken,
			clientId: undefined,
			type: query.get('type') ?? parts?.find((p) => p.name === 'type' && p.filename === undefined)?.data.toString('utf8') ?? null,
			errcode: 0,
			errmsg: 'ok',
			mediaId: undefined,
			filename: undefined,
			contentType: undefined,
			partHeaders: undefined,
			size: undefined,
			sha256: undefined,
		};
		this.uploads.push(upload);
		/**
		 * @param {number} errcode
		 * @param {string} errmsg
		 */
		const refuse = (errcode, errmsg) => {
			Object.assign(upload, { errcode, errmsg });
			return reply(errcode, errmsg);
		};
		if (record.method !== 'POST') return refuse(43002, '需要POST请求');
		if (!record.accessToken) return refuse(41001, '缺少access_token参数');
		const verified = this._verifyToken(record.accessToken, now);
		if (typeof verified === 'string') return refuse(40014, '不合法的access_token');
		const { app } = verified;
		upload.clientId = app.clientId;
		if (!Apps.granted(app, MEDIA_SCOPE)) return refuse(60011, `应用尚未开通所需的权限：[${MEDIA_SCOPE}]`);
		if (this._gate.overQps(app.clientId, UPLOAD_PATH, now)) return refuse(90018, '您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了');
		const limits = upload.type !== null && Object.hasOwn(MEDIA_TYPES, upload.type) ? MEDIA_TYPES[upload.type] : undefined;
		if (!limits) return refuse(40004, '不合法的媒体文件类型');
		if (truncated) return refuse(40006, '不合法的文件大小');
		const media = parts?.find((p) => p.name === 'media' && p.filename !== undefined);
		if (!media) return refuse(40035, '缺少参数 media');
		Object.assign(upload, {
			filename: media.filename,
			contentType: media.contentType,
			partHeaders: media.headerNames,
			size: media.data.length,
			sha256: crypto.createHash('sha256').update(media.data).digest('hex'),
		});
		if (media.data.length === 0) return refuse(44001, '多媒体文件为空');
		const extension = /\.([^./\\]+)$/.exec(media.filename ?? '')?.[1].toLowerCase();
		if (extension === undefined || !limits.extensions.includes(extension)) return refuse(40005, '不合法的文件类型');
		if (media.data.length > limits.maxBytes) return refuse(40006, '不合法的文件大小');

		const mediaId = `@lA${crypto.randomBytes(18).toString('base64url')}`;
		const type = /** @type {string} */ (upload.type);
		this._media.add(mediaId);
		upload.mediaId = mediaId;
		return { status: 200, json: { errcode: 0, errmsg: 'ok', media_id: mediaId, created_at: now, type } };
	}
}

module.exports = { MediaUploads };
