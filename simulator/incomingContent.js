// @ts-check
'use strict';

/**
 * What a message someone sends a robot says, per msgtype (section 9 of
 * /work/shared/dingtalk-robot-api.md, checked against DingTalk's Python Stream SDK, chatbot.py:
 * `text` → `text.content`; `picture` → `content.downloadCode`; `richText` → `content.richText`,
 * a list of `{text}` and picture parts): the part of the body that differs between msgtypes,
 * the files it refers to (each by a fresh downloadCode, stored by the caller: messageFiles.js),
 * and what the group page says of it in words. Pure, but for the random codes and ids.
 *
 * The shapes, and what is assumed in them:
 * - picture: `content: {downloadCode, pictureDownloadCode}`. pictureDownloadCode is another
 *   opaque code, for oapi's older download API (third-party code reads it as such): the v1.0
 *   download endpoint does not take it here (assumed).
 * - richText: `content: {richText: [{text}, {type: 'picture', downloadCode, pictureDownloadCode}, …]}`,
 *   the parts in the order given; text parts are kept as given (whether DingTalk leaves a blank
 *   where it cut an @mention out of rich text is not known).
 * - audio: `content: {downloadCode, recognition, duration}` (recognition: DingTalk's speech to
 *   text; duration in ms; each left out unless given: DingTalk may leave duration out);
 *   video: `content: {downloadCode, duration, videoType}` (duration default 5000, videoType the
 *   name's extension or mp4); file: `content: {downloadCode, fileName}`. Third-party code says
 *   durations come as numbers or strings: a string duration is passed as given.
 * - audio, video and file reach a robot only one-to-one: in a group they throw, as DingTalk never
 *   delivers them there.
 * - any other msgtype (interactiveCard, unknownMsgType, …): `content` as given (default {}).
 * - `contentAsString`: `content` as its JSON text, as some deliveries carry it.
 * - a reply quoting an earlier message (text only): `text: {content, isReplyMsg: true, repliedMsg:
 *   {msgType, msgId, senderId, createdAt, content}}`, content `{text}` for a quoted text, else
 *   the quoted msgtype's content object (a quoted file can be downloaded); quoting the robot's own
 *   message adds `originalMsgId` (the quoted msgId) and `originalProcessQueryKey` to the body.
 *   These shapes are partly unconfirmed (third-party code only; some report no repliedMsg at all).
 */

const crypto = require('node:crypto');
const { isObject, optionalText } = require('./checks');
const { newDownloadCode } = require('./messageFiles');

/** The msgtypes built from options; any other non-empty msgtype takes `content` as given. */
const INCOMING_MSGTYPES = Object.freeze(['text', 'picture', 'richText', 'audio', 'video', 'file']);
/** "群里@机器人只能收到文本、富文本、图片": the rest only one-to-one. */
const ONE_TO_ONE_ONLY = Object.freeze(['audio', 'video', 'file']);
const DEFAULT_VIDEO_DURATION_MS = 5000;

/** Which content options each msgtype takes ('other': any msgtype not built here). */
const FIELDS = Object.freeze({
	text: ['text', 'quote'],
	picture: ['file'],
	richText: ['parts'],
	audio: ['file', 'recognition', 'duration'],
	video: ['file', 'duration', 'videoType'],
	file: ['file'],
	other: ['content'],
});
const ALL_FIELDS = ['text', 'file', 'recognition', 'duration', 'videoType', 'parts', 'content', 'quote'];

/** Small files with the right magic numbers, for a message given no file. */
const DEFAULT_FILES = Object.freeze({
	picture: { name: 'picture.png', bytes: () => Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex') },
	audio: { name: 'voice.amr', bytes: () => Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(26, 0x3c)]) },
	video: { name: 'video.mp4', bytes: () => Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex') },
	file: { name: 'report.pdf', bytes: () => Buffer.from('%PDF-1.4\n%simulated\n%%EOF\n') },
});

/**
 * A file someone sends, as the caller gives it.
 * @typedef {object} MessageFileInput
 * @property {Buffer | Uint8Array} bytes
 * @property {string} [name] shown on the group page; a file message's fileName; default the kind's (picture.png, voice.amr, video.mp4, report.pdf)
 * @property {string} [mimeType] the Content-Type the storage host serves it with; default application/octet-stream (as DingTalk's)
 */

/** @typedef {{ text: string } | { picture: MessageFileInput }} RichTextPartOption */

/**
 * @typedef {object} MessageContentOptions
 * @property {string} [msgtype] default 'text'
 * @property {string} [text] msgtype text
 * @property {MessageFileInput} [file] picture, audio, video, file; default a small file of its kind
 * @property {string} [recognition] audio
 * @property {number | string} [duration] audio, video (ms)
 * @property {string} [videoType] video
 * @property {RichTextPartOption[]} [parts] richText; default a text and a picture
 * @property {Record<string, unknown>} [content] any other msgtype
 */

/**
 * @typedef {MessageContentOptions & { msgId?: string, senderId?: string, createdAt?: number, fromRobot?: boolean | { processQueryKey?: string } }} QuoteOptions
 *   fromRobot: the quoted message was the robot's own (senderId the robot's, originalMsgId and originalProcessQueryKey in the body)
 */

/**
 * A file of the message before it is stored.
 * @typedef {object} PendingFile
 * @property {string} downloadCode
 * @property {string | undefined} pictureDownloadCode
 * @property {'picture' | 'audio' | 'video' | 'file'} kind
 * @property {Buffer} bytes
 * @property {string} name
 * @property {string | undefined} mimeType
 * @property {string | undefined} msgId of a quoted message; undefined: the message's own
 */

/**
 * @typedef {object} BuiltContent
 * @property {string} msgtype
 * @property {Record<string, unknown>} field `{text}` or `{content}`, where the body has it
 * @property {Record<string, unknown>} extra fields after it (originalMsgId, originalProcessQueryKey)
 * @property {PendingFile[]} files
 * @property {string} words what the group page shows
 * @property {{ fromRobot: boolean, words: string } | undefined} quote
 */

/**
 * @param {unknown} file
 * @param {string} name the option, for the error
 */
function checkFile(file, name) {
	if (file === undefined) return;
	if (!isObject(file) || !(file.bytes instanceof Uint8Array)) throw new TypeError(`${name} must be {bytes: Buffer, name?, mimeType?}`);
	optionalText(file.name, `${name}.name`);
	optionalText(file.mimeType, `${name}.mimeType`);
}

/**
 * Checks what a message (or a quote) says; throws on anything DingTalk could not deliver.
 * @param {Record<string, unknown>} options
 * @param {{ oneToOne: boolean, quoted?: boolean }} where
 */
function checkContentOptions(options, { oneToOne, quoted = false }) {
	const what = quoted ? 'quote.' : '';
	const msgtype = optionalText(options.msgtype, `${what}msgtype`) ?? defaultMsgtype(options, quoted);
	const kind = Object.hasOwn(FIELDS, msgtype) ? /** @type {keyof typeof FIELDS} */ (msgtype) : 'other';
	const allowed = /** @type {readonly string[]} */ (FIELDS[kind]);
	for (const field of ALL_FIELDS) {
		if (options[field] !== undefined && !allowed.includes(field)) throw new TypeError(`${what}${field} does not go with msgtype ${msgtype}`);
	}
	if (!quoted && options.contentAsString !== undefined && (typeof options.contentAsString !== 'boolean' || (options.contentAsString && msgtype === 'text'))) {
		throw new TypeError('contentAsString (a boolean) is for the msgtypes with a content object, not text');
	}
	if (!quoted && ONE_TO_ONE_ONLY.includes(msgtype) && !oneToOne) {
		throw new TypeError(`DingTalk delivers ${msgtype} only in a one-to-one chat with the robot, not in a group: give conversation {type: 'oneToOne'}`);
	}
	if (options.text !== undefined && typeof options.text !== 'string') throw new TypeError(`${what}text must be a string`);
	checkFile(options.file, `${what}file`);
	optionalText(options.recognition, `${what}recognition`);
	optionalText(options.videoType, `${what}videoType`);
	const d = options.duration;
	if (d !== undefined && !(typeof d === 'string' || (typeof d === 'number' && Number.isFinite(d) && d >= 0))) throw new TypeError(`${what}duration must be ms (a number >= 0, or a string)`);
	if (options.content !== undefined && !isObject(options.content)) throw new TypeError(`${what}content must be an object`);
	if (options.parts !== undefined) {
		if (!Array.isArray(options.parts) || options.parts.length === 0) throw new TypeError(`${what}parts must be a non-empty array`);
		for (const part of options.parts) {
			if (isObject(part) && typeof part.text === 'string' && part.picture === undefined) continue;
			if (isObject(part) && part.text === undefined && part.picture !== undefined) checkFile(part.picture, `${what}parts[].picture`);
			else throw new TypeError(`${what}parts must hold {text: string} or {picture: {bytes}}`);
		}
	}
	if (options.quote !== undefined) {
		if (!isObject(options.quote)) throw new TypeError('quote must be an object');
		const { msgId, senderId, createdAt, fromRobot, ...said } = options.quote;
		optionalText(msgId, 'quote.msgId');
		optionalText(senderId, 'quote.senderId');
		if (createdAt !== undefined && typeof createdAt !== 'number') throw new TypeError('quote.createdAt must be a number (ms)');
		if (fromRobot !== undefined && typeof fromRobot !== 'boolean' && !isObject(fromRobot)) throw new TypeError('quote.fromRobot must be a boolean or {processQueryKey}');
		if (isObject(fromRobot)) optionalText(fromRobot.processQueryKey, 'quote.fromRobot.processQueryKey');
		if (fromRobot && senderId !== undefined) throw new TypeError("quote.senderId does not go with fromRobot: the robot's own message has the robot's id");
		checkContentOptions(said, { oneToOne, quoted: true });
	}
}

/**
 * A quote's msgtype follows what it was given; a message's is text.
 * @param {Record<string, unknown>} options
 * @param {boolean} quoted
 */
function defaultMsgtype(options, quoted) {
	if (!quoted) return 'text';
	if (options.parts !== undefined) return 'richText';
	return options.file !== undefined ? 'picture' : 'text';
}

/**
 * The content object of a non-text msgtype, and its files.
 * @param {string} msgtype
 * @param {MessageContentOptions} options
 * @param {string | undefined} msgId a quoted message's
 * @returns {{ content: Record<string, unknown>, files: PendingFile[], words: string }}
 */
function contentOf(msgtype, options, msgId) {
	/** @type {PendingFile[]} */
	const files = [];
	/**
	 * @param {'picture' | 'audio' | 'video' | 'file'} kind
	 * @param {MessageFileInput | undefined} input
	 */
	const store = (kind, input) => {
		const fallback = DEFAULT_FILES[kind];
		const file = {
			downloadCode: newDownloadCode(),
			pictureDownloadCode: kind === 'picture' ? newDownloadCode() : undefined,
			kind,
			bytes: input ? Buffer.from(input.bytes) : fallback.bytes(),
			name: input?.name ?? fallback.name,
			mimeType: input?.mimeType,
			msgId,
		};
		files.push(file);
		return file;
	};
	switch (msgtype) {
		case 'picture': {
			const f = store('picture', options.file);
			return { content: { downloadCode: f.downloadCode, pictureDownloadCode: f.pictureDownloadCode }, files, words: `[picture ${f.name}]` };
		}
		case 'richText': {
			const parts = options.parts ?? [{ text: 'ping' }, { picture: { bytes: DEFAULT_FILES.picture.bytes() } }];
			/** @type {string[]} */
			const words = [];
			const richText = parts.map((part) => {
				if ('text' in part) {
					words.push(part.text);
					return { text: part.text };
				}
				const f = store('picture', part.picture);
				words.push(`[picture ${f.name}]`);
				return { type: 'picture', downloadCode: f.downloadCode, pictureDownloadCode: f.pictureDownloadCode };
			});
			return { content: { richText }, files, words: words.join(' ') };
		}
		case 'audio': {
			const f = store('audio', options.file);
			const { recognition, duration } = options;
			const content = { downloadCode: f.downloadCode, ...(recognition === undefined ? {} : { recognition }), ...(duration === undefined ? {} : { duration }) };
			const length = duration === undefined ? '' : ` ${seconds(duration)} s`;
			return { content, files, words: `[voice${length}${recognition === undefined ? '' : `: '${recognition}'`}]` };
		}
		case 'video': {
			const f = store('video', options.file);
			const duration = options.duration ?? DEFAULT_VIDEO_DURATION_MS;
			const videoType = options.videoType ?? /\.([a-z0-9]+)$/i.exec(f.name)?.[1].toLowerCase() ?? 'mp4';
			return { content: { downloadCode: f.downloadCode, duration, videoType }, files, words: `[video ${f.name}, ${seconds(duration)} s]` };
		}
		case 'file': {
			const f = store('file', options.file);
			return { content: { downloadCode: f.downloadCode, fileName: f.name }, files, words: `[file ${f.name}]` };
		}
		default:
			return { content: structuredClone(options.content ?? {}), files, words: `[${msgtype}]` };
	}
}

/** @param {number | string} ms */
const seconds = (ms) => Math.round(Number(ms) / 1000);

/**
 * What the message says, checked options in (checkContentOptions).
 * @param {MessageContentOptions & { quote?: QuoteOptions, contentAsString?: boolean }} options
 * @param {{ mentioned: boolean, now: number, chatbotUserId: string }} context
 * @returns {BuiltContent}
 */
function buildContent(options, { mentioned, now, chatbotUserId }) {
	const msgtype = options.msgtype ?? 'text';
	if (msgtype !== 'text') {
		const { content, files, words } = contentOf(msgtype, options, undefined);
		return { msgtype, field: { content: options.contentAsString ? JSON.stringify(content) : content }, extra: {}, files, words, quote: undefined };
	}
	const text = options.text ?? 'ping';
	// DingTalk cuts the @robot mention out of the text and leaves the blank that followed it: a robot must trim
	/** @type {Record<string, unknown>} */
	const said = { content: mentioned ? ` ${text}` : text };
	if (!options.quote) return { msgtype, field: { text: said }, extra: {}, files: [], words: text, quote: undefined };

	const { msgId, senderId, createdAt, fromRobot, ...quoted } = options.quote;
	const quotedType = quoted.msgtype ?? defaultMsgtype(quoted, true);
	const repliedMsgId = msgId ?? `msg${crypto.randomBytes(12).toString('hex')}`;
	const built = quotedType === 'text' ? { content: { text: quoted.text ?? 'an earlier message' }, files: [], words: quoted.text ?? 'an earlier message' } : contentOf(quotedType, quoted, repliedMsgId);
	said.isReplyMsg = true;
	said.repliedMsg = {
		msgType: quotedType,
		msgId: repliedMsgId,
		senderId: fromRobot ? chatbotUserId : senderId ?? '$:LWCP_v1:$quotedSender0001',
		createdAt: createdAt ?? now - 60_000,
		content: built.content,
	};
	const processQueryKey = (isObject(fromRobot) ? fromRobot.processQueryKey : undefined) ?? crypto.randomBytes(24).toString('base64');
	const extra = fromRobot ? { originalMsgId: repliedMsgId, originalProcessQueryKey: processQueryKey } : {};
	return { msgtype, field: { text: said }, extra, files: built.files, words: text, quote: { fromRobot: Boolean(fromRobot), words: built.words } };
}

module.exports = { INCOMING_MSGTYPES, checkContentOptions, buildContent };
