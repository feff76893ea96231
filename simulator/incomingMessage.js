// @ts-check
'use strict';

/**
 * The message DingTalk hands a robot when someone mentions it in a group (or writes to it one-to-one):
 * one body, whether it comes as an HTTP callback (callbacks.js) or as the `data` of a Stream
 * CALLBACK frame on topic `/v1.0/im/bot/messages/get` (streamGateway.js). Section 6 of
 * /work/shared/dingtalk-robot-api.md: msgtype, text.content (with the blank DingTalk leaves where
 * it cut the @robot mention out), msgId, createAt, conversationType ("1" one-to-one, "2" group),
 * conversationId, conversationTitle, sender fields, chatbotUserId, atUsers, isInAtList,
 * sessionWebhook and its sessionWebhookExpiredTime, robotCode. What it says differs per msgtype
 * (text, picture, richText, audio, video, file, others; a reply quoting an earlier message):
 * incomingContent.js; the files it carries are stored in the simulator's registry
 * (messageFiles.js) under the downloadCodes in the body, for the robot to download.
 */

const crypto = require('node:crypto');
const { isObject } = require('./checks');
const { normalizeConversation } = require('./sessionWebhook');
const { buildContent, checkContentOptions } = require('./incomingContent');

/** Sender of a simulated message unless told otherwise (ids shaped like DingTalk's, but fixed). */
const DEFAULT_SENDER = Object.freeze({
	nick: 'Zhang San',
	staffId: 'manager4521',
	id: '$:LWCP_v1:$senderSimulator0001',
	corpId: 'dingsimulatorcorp0001',
	isAdmin: false,
});
const DEFAULT_CHATBOT_USER_ID = '$:LWCP_v1:$robotSimulator0001';
const DEFAULT_ROBOT_CODE = 'dingrobotsimulator';

/**
 * @typedef {object} MessageSender
 * @property {string} [nick]
 * @property {string} [staffId]
 * @property {string} [id]
 * @property {string} [corpId]
 * @property {boolean} [isAdmin]
 */

/**
 * Where the files of a message go (messageFiles.js): each under its downloadCode, for the robot it was sent to.
 * @typedef {{ store: (file: import('./incomingContent').PendingFile & { robotCode: string, msgId: string }) => unknown }} MessageFileStore
 */

/**
 * What the message says and who wrote it where; every field has a default. The content options
 * (msgtype, file, recognition, duration, videoType, parts, content, quote) are incomingContent.js's.
 * @typedef {object} RobotMessageOptionsBase
 * @property {string} [text] msgtype text: what the sender typed after the mention of the robot; default 'ping'
 * @property {MessageSender} [sender]
 * @property {import('./sessionWebhook').ConversationOptions} [conversation]
 * @property {boolean} [robotMentioned] default true
 * @property {{ dingtalkId: string, staffId?: string }[]} [mentions] other people mentioned in the message
 * @property {string} [chatbotUserId]
 * @property {string} [robotCode]
 * @property {string} [msgId]
 * @property {number} [createAt]
 * @property {number} [sessionTtlMs] life of the message's session webhook; default 90 minutes
 * @property {Record<string, unknown>} [extraBody] merged over the body (shallow)
 * @property {boolean} [contentAsString] `content` as its JSON text instead of an object (not for text)
 */

/** @typedef {RobotMessageOptionsBase & import('./incomingContent').MessageContentOptions & { quote?: import('./incomingContent').QuoteOptions }} RobotMessageOptions */

/**
 * @typedef {object} RobotMessage
 * @property {Record<string, unknown>} body
 * @property {string} msgId
 * @property {import('./sessionWebhook').SessionInfo} session
 * @property {import('./groupView').GroupEntry} userEntry what the group page shows of it
 */

/**
 * Checks the options a caller may get wrong before anything is created.
 * @param {unknown} options
 * @param {string} what the method, for the error message
 * @returns {RobotMessageOptions}
 */
function checkRobotMessageOptions(options, what) {
	if (!isObject(options)) throw new TypeError(`${what} needs an options object`);
	const { type } = normalizeConversation(/** @type {import('./sessionWebhook').ConversationOptions | undefined} */ (options.conversation));
	checkContentOptions(options, { oneToOne: type === 'oneToOne' });
	return options;
}

/**
 * Builds the message body with a fresh session webhook for its conversation, and stores the files
 * it carries (a text without a quote carries none).
 * @param {RobotMessageOptions} options
 * @param {{ now: number, defaultRobotCode?: string, createSession: (o: { ttlMs?: number, conversation: import('./sessionWebhook').ConversationOptions }) => import('./sessionWebhook').SessionInfo, files?: MessageFileStore }} context
 * @returns {RobotMessage}
 */
function buildRobotMessage(options, { now, defaultRobotCode, createSession, files }) {
	const conversation = normalizeConversation(options.conversation);
	checkContentOptions(options, { oneToOne: conversation.type === 'oneToOne' });
	const mentioned = options.robotMentioned ?? true;
	const chatbotUserId = options.chatbotUserId ?? DEFAULT_CHATBOT_USER_ID;
	const said = buildContent(options, { mentioned, now, chatbotUserId });
	if (said.files.length > 0 && !files) throw new Error('a message with files needs the simulator\'s file store');
	const session = createSession({ ttlMs: options.sessionTtlMs, conversation });
	const sender = { ...DEFAULT_SENDER, ...(options.sender ?? {}) };
	const msgId = options.msgId ?? `msg${crypto.randomBytes(12).toString('hex')}`;
	const atUsers = [
		...(mentioned ? [{ dingtalkId: chatbotUserId }] : []),
		...(options.mentions ?? []).map((m) => ({ ...m })),
	];
	// Field order as in DingTalk's documented sample; what the message says (text, or content) where text is.
	/** @type {Record<string, unknown>} */
	const body = {
		conversationId: conversation.id,
		atUsers,
		chatbotCorpId: sender.corpId,
		chatbotUserId,
		msgId,
		senderNick: sender.nick,
		isAdmin: sender.isAdmin,
		senderStaffId: sender.staffId,
		sessionWebhookExpiredTime: session.expiresAt,
		createAt: options.createAt ?? now,
		senderCorpId: sender.corpId,
		conversationType: conversation.type === 'oneToOne' ? '1' : '2',
		senderId: sender.id,
		...(conversation.type === 'group' ? { conversationTitle: conversation.title } : {}),
		isInAtList: mentioned,
		sessionWebhook: session.sessionWebhook,
		...said.field,
		...said.extra,
		robotCode: options.robotCode ?? defaultRobotCode ?? DEFAULT_ROBOT_CODE,
		msgtype: said.msgtype,
		...(options.extraBody ?? {}),
	};
	// stored under the robotCode the body names: only that robot may download them
	for (const file of said.files) files?.store({ ...file, robotCode: String(body.robotCode), msgId: file.msgId ?? String(body.msgId) });
	/** @type {import('./groupView').GroupEntry} */
	const userEntry = {
		from: 'user',
		nick: String(body.senderNick ?? ''),
		text: said.words,
		mentioned,
		oneToOne: conversation.type === 'oneToOne',
		...(said.quote ? { quote: said.quote } : {}),
	};
	return { body, msgId, session, userEntry };
}

module.exports = { buildRobotMessage, checkRobotMessageOptions };
