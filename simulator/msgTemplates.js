// @ts-check
'use strict';

/**
 * The message templates an app robot sends with (`msgKey` and `msgParam`, a JSON string), as
 * DingTalk's reference lists them (消息发送与接收类型, robot-message-type): the fields of each
 * template, the checks of `msgKey` and `msgParam`, and how a message looks on the group page.
 * Pure: the caller says which media ids exist.
 *
 * Codes and messages (HTTP 400, the 错误码 tables of 机器人发送群聊消息 and 批量发送人与机器人会话中
 * 机器人消息): `invalidParameter.msgKey.empty` 缺少msgKey, `invalidParameter.msgKey.invalid` msgKey无效,
 * `invalidParameter.msgParam.invalid` msgParam必须是json格式, `invalidParameter.msgParam.tooLong`
 * 消息内容太长 (msgParam "长度限制 15000 字节以内"), and the `miss.param.*` codes of a missing field.
 * Which field maps to which miss.param code is our reading of those tables (the template becomes
 * the message they name: sampleImageMsg's photoURL is "photo->photoURL"); a msgParam that is absent
 * answering `invalidParameter.param.invalid` 参数不合法, one that is no string answering
 * msgParam.invalid, and `invalid.media.id` media_id非法 (全局错误码) for a media id the simulator
 * did not issue, are assumed.
 */

const { isObject } = require('./checks');

/** "长度限制 15000 字节以内". */
const MAX_MSG_PARAM_BYTES = 15_000;

/**
 * A required field: its name, the code and message when it is missing, and whether it names a
 * media id (`mediaId`) or a picture that may be a URL or a media id (`photo`).
 * @typedef {{ field: string, code: string, message: string, media?: 'mediaId' | 'photo', number?: boolean }} FieldRule
 */

/**
 * The rules of the fields whose absence answers this miss.param code.
 * @param {string} code
 * @param {string} message
 * @returns {(field: string, extra?: Partial<FieldRule>) => FieldRule}
 */
const miss = (code, message) => (field, extra = {}) => ({ field, code: `miss.param.${code}`, message, ...extra });

const title = miss('actionCardTotitle', '需要actionCard->title属性')('title');
const text = miss('actionCardTotext', '需要actionCard->text属性')('text');
const btnTitle = miss('actionCardTobtnsTotitle', '需要actionCard->btns->title属性');
const btnUrl = miss('actionCardTobtnsToactionUrl', '需要actionCard->btns->actionURL属性');
const file = miss('file', '消息内容不合法，需要file属性');
const audio = miss('audio', '消息内容不合法，需要audio属性');
const video = miss('video', '消息内容不合法，需要video->videoMediaId属性');

/**
 * @param {number} n buttons
 * @returns {FieldRule[]}
 */
const verticalButtons = (n) => [
	title,
	text,
	...Array.from({ length: n }, (_, i) => [btnTitle(`actionTitle${i + 1}`), btnUrl(`actionURL${i + 1}`)]).flat(),
];

/**
 * Every template and its required fields, in the reference's casing. sampleLink's picUrl is
 * optional (as the webhook's link; no miss.param code names it).
 * @type {Readonly<Record<string, FieldRule[]>>}
 */
const TEMPLATES = Object.freeze({
	sampleText: [miss('contentOfText', '需要text->content属性')('content')],
	// the reference's message for a missing markdown title says "text" too
	sampleMarkdown: [miss('markdownTotitle', '需要markdown->text属性')('title'), miss('markdownTotext', '需要markdown->text属性')('text')],
	sampleImageMsg: [miss('photoTophotoUrl', '需要photo->photoURL属性')('photoURL', { media: 'photo' })],
	sampleLink: [
		miss('textOfLink', '需要link->text属性')('text'),
		miss('titleOfLink', '需要link->title属性')('title'),
		miss('messageUrlOfLink', '需要link->messageUrl属性')('messageUrl'),
	],
	sampleActionCard: [
		title,
		text,
		miss('actionCardTosingleTitle', '需要actionCard->singleTitle属性')('singleTitle'),
		miss('actionCardTosingleUrl', '需要actionCard->singleURL属性')('singleURL'),
	],
	sampleActionCard2: verticalButtons(2),
	sampleActionCard3: verticalButtons(3),
	sampleActionCard4: verticalButtons(4),
	sampleActionCard5: verticalButtons(5),
	// "卡片消息：横向二个按钮": buttonTitle1/buttonUrl1/buttonTitle2/buttonUrl2 (the reference's casing)
	sampleActionCard6: [title, text, btnTitle('buttonTitle1'), btnUrl('buttonUrl1'), btnTitle('buttonTitle2'), btnUrl('buttonUrl2')],
	sampleFile: [file('mediaId', { media: 'mediaId' }), file('fileName'), file('fileType')],
	// duration in ms, "xxxxx" (a string) in the reference's sample: a string or a number is taken
	sampleAudio: [audio('mediaId', { media: 'mediaId' }), audio('duration', { number: true })],
	sampleVideo: [
		video('duration', { number: true }),
		video('videoMediaId', { media: 'mediaId' }),
		video('videoType'),
		video('picMediaId', { media: 'mediaId' }),
	],
});

/** The msgKeys an app robot may send. */
const MSG_KEYS = Object.freeze(Object.keys(TEMPLATES));

/**
 * @typedef {object} TemplateError
 * @property {string} code
 * @property {string} message
 */

/** @param {unknown} value */
const isText = (value) => typeof value === 'string' && value !== '';

/**
 * @param {unknown} value
 * @param {FieldRule} rule
 */
const present = (value, rule) => isText(value) || (rule.number === true && typeof value === 'number' && Number.isFinite(value));

/** A picture given as a URL rather than a media id. @param {string} value */
const isUrl = (value) => /^https?:\/\//i.test(value);

/**
 * Checks msgKey and msgParam; the parsed msgParam when they are right.
 * @param {unknown} msgKey
 * @param {unknown} msgParam
 * @param {(mediaId: string) => boolean} mediaExists
 * @returns {{ error: TemplateError } | { msgKey: string, params: Record<string, unknown>, mediaIds: string[] }}
 */
function checkTemplate(msgKey, msgParam, mediaExists) {
	if (msgKey === undefined || msgKey === null || msgKey === '') return { error: { code: 'invalidParameter.msgKey.empty', message: '缺少msgKey' } };
	if (typeof msgKey !== 'string' || !Object.hasOwn(TEMPLATES, msgKey)) {
		return { error: { code: 'invalidParameter.msgKey.invalid', message: 'msgKey无效' } };
	}
	if (msgParam === undefined || msgParam === null) return { error: { code: 'invalidParameter.param.invalid', message: '参数不合法' } };
	const notJson = { error: { code: 'invalidParameter.msgParam.invalid', message: 'msgParam必须是json格式' } };
	if (typeof msgParam !== 'string') return notJson;
	if (Buffer.byteLength(msgParam, 'utf8') > MAX_MSG_PARAM_BYTES) {
		return { error: { code: 'invalidParameter.msgParam.tooLong', message: '消息内容太长' } };
	}
	/** @type {unknown} */
	let params;
	try {
		params = JSON.parse(msgParam);
	} catch {
		return notJson;
	}
	if (!isObject(params)) return notJson;
	const rules = TEMPLATES[msgKey];
	const missing = rules.find((rule) => !present(params[rule.field], rule));
	if (missing) return { error: { code: missing.code, message: missing.message } };
	const mediaIds = rules
		.filter((rule) => rule.media === 'mediaId' || (rule.media === 'photo' && !isUrl(String(params[rule.field]))))
		.map((rule) => String(params[rule.field]));
	if (!mediaIds.every(mediaExists)) return { error: { code: 'invalid.media.id', message: 'media_id非法' } };
	return { msgKey, params, mediaIds };
}

/** @param {unknown} value */
const str = (value) => (typeof value === 'string' ? value : String(value ?? ''));

/**
 * The message as the group page draws it (a webhook-style body for groupView.js).
 * @param {string} msgKey
 * @param {Record<string, unknown>} p the parsed msgParam
 * @returns {Record<string, unknown>}
 */
function toBubble(msgKey, p) {
	/** @param {string} content */
	const plain = (content) => ({ msgtype: 'text', text: { content } });
	/** @param {[unknown, unknown][]} pairs */
	const card = (pairs, btnOrientation = '0') => ({
		msgtype: 'actionCard',
		actionCard: { title: p.title, text: p.text, btnOrientation, btns: pairs.map(([t, u]) => ({ title: str(t), actionURL: str(u) })) },
	});
	const buttons = msgKey.match(/^sampleActionCard([2-5])$/);
	if (buttons) return card(Array.from({ length: Number(buttons[1]) }, (_, i) => [p[`actionTitle${i + 1}`], p[`actionURL${i + 1}`]]));
	switch (msgKey) {
		case 'sampleText':
			return plain(str(p.content));
		case 'sampleMarkdown':
			return { msgtype: 'markdown', markdown: { title: p.title, text: str(p.text) } };
		case 'sampleImageMsg':
			return { msgtype: 'markdown', markdown: { title: 'image', text: '![image](picture)' } };
		case 'sampleLink':
			return { msgtype: 'link', link: { title: p.title, text: p.text, picUrl: p.picUrl, messageUrl: p.messageUrl } };
		case 'sampleActionCard':
			return { msgtype: 'actionCard', actionCard: { title: p.title, text: str(p.text), singleTitle: p.singleTitle, singleURL: p.singleURL } };
		case 'sampleActionCard6':
			return card(
				[
					[p.buttonTitle1, p.buttonUrl1],
					[p.buttonTitle2, p.buttonUrl2],
				],
				'1',
			);
		case 'sampleFile':
			return plain(`📎 ${str(p.fileName)}`);
		case 'sampleAudio':
			return plain('🔊 voice message');
		default:
			return plain('🎬 video');
	}
}

module.exports = { MSG_KEYS, checkTemplate, toBubble };
