/**
 * A message people sent the robot, the same whether it came over HTTP (the DingTalk Robot Trigger)
 * or Stream (the DingTalk Stream Trigger): is a body a DingTalk message (readIncomingBody), the
 * workflow item it becomes (normalizeIncomingMessage: who wrote where, what it says by msgtype,
 * its attachments and the message it quotes: messageContent.ts), and the triggers' filters. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import { readMessageContent, type Attachment, type QuotedMessage } from './messageContent';

/** A message body as DingTalk sends it to a robot, over HTTP (the callback's body) and Stream (the frame's data) alike. */
export interface IncomingMessageBody {
	msgtype: string;
	msgId: string;
	text?: { content?: string };
	content?: unknown;
	createAt?: number | string;
	conversationType?: string;
	conversationId?: string;
	conversationTitle?: string;
	senderId?: string;
	senderNick?: string;
	senderStaffId?: string;
	senderCorpId?: string;
	isAdmin?: boolean;
	chatbotUserId?: string;
	chatbotCorpId?: string;
	atUsers?: Array<{ dingtalkId?: string; staffId?: string }>;
	isInAtList?: boolean;
	sessionWebhook?: string;
	sessionWebhookExpiredTime?: number | string;
	robotCode?: string;
	[key: string]: unknown;
}

export type IncomingBodyReading = { ok: true; body: IncomingMessageBody } | { ok: false; reason: string };

/**
 * The request body as a DingTalk message, or why it is not one. A JSON body sent as text is
 * parsed here (n8n parses application/json itself).
 */
export function readIncomingBody(body: unknown): IncomingBodyReading {
	const refuse = (reason: string): IncomingBodyReading => ({ ok: false, reason });
	let value = body;
	if (typeof value === 'string' || Buffer.isBuffer(value)) {
		const text = value.toString().trim();
		if (text === '') return refuse('the body is empty');
		try {
			value = JSON.parse(text);
		} catch {
			return refuse('the body is not JSON');
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('the body is not a JSON object');
	const message = value as Record<string, unknown>;
	if (Object.keys(message).length === 0) return refuse('the body is empty');
	if (typeof message.msgtype !== 'string' || message.msgtype === '') {
		return refuse('the body has no msgtype: it is not a DingTalk robot message');
	}
	if (typeof message.msgId !== 'string' || message.msgId === '') {
		return refuse('the body has no msgId: it is not a DingTalk robot message');
	}
	return { ok: true, body: message as IncomingMessageBody };
}

export interface NormalizeOptions {
	/** the robot's name as shown in the group, to remove "@name" if DingTalk left it in the text */
	robotName?: string;
}

export type ConversationType = 'oneToOne' | 'group';

/** The workflow item a message becomes, from either trigger. Documented in the README ("What the triggers output"). */
export interface IncomingMessageItem extends IDataObject {
	/** what the message says in words: text, rich text's text parts, a voice note's recognition */
	text: string;
	messageType: string;
	messageId: string;
	createdAt: string | null;
	sender: { nick: string; staffId: string; id: string; corpId: string; isAdmin: boolean };
	conversation: { type: ConversationType | 'unknown'; id: string; title: string };
	mentionedUsers: Array<{ dingtalkId: string; staffId: string }>;
	robotMentioned: boolean;
	robotCode: string;
	sessionWebhook: string;
	sessionWebhookExpiresAt: string | null;
	/** one per picture, voice note, video or file, in order */
	attachments: Array<Attachment & IDataObject>;
	/** the message a reply quotes */
	quoted?: QuotedMessage & IDataObject;
	/** a msgtype this package does not model: its content as DingTalk sent it */
	content?: IDataObject | IDataObject[] | string;
	raw: IDataObject;
}

const string = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

function isoTime(value: unknown): string | null {
	const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return null;
	return new Date(ms).toISOString();
}

function conversationType(value: unknown): ConversationType | 'unknown' {
	if (String(value) === '1') return 'oneToOne';
	if (String(value) === '2') return 'group';
	return 'unknown';
}

/** Trims the text and removes a leading "@robot name" (DingTalk usually removes it itself and leaves a space). */
export function cleanMessageText(text: string, robotName?: string): string {
	let cleaned = text.trim();
	const name = robotName?.trim().replace(/^@/, '');
	if (name && cleaned.startsWith(`@${name}`)) cleaned = cleaned.slice(name.length + 1).trim();
	return cleaned;
}

export function normalizeIncomingMessage(body: IncomingMessageBody, options: NormalizeOptions = {}): IncomingMessageItem {
	const type = conversationType(body.conversationType);
	const { text, attachments, quoted, content } = readMessageContent(body);
	return {
		text: cleanMessageText(text, options.robotName),
		messageType: body.msgtype,
		messageId: body.msgId,
		createdAt: isoTime(body.createAt),
		sender: {
			nick: string(body.senderNick),
			staffId: string(body.senderStaffId),
			id: string(body.senderId),
			corpId: string(body.senderCorpId),
			isAdmin: body.isAdmin === true,
		},
		conversation: { type, id: string(body.conversationId), title: string(body.conversationTitle) },
		mentionedUsers: (Array.isArray(body.atUsers) ? body.atUsers : [])
			.filter((user) => user && user.dingtalkId !== body.chatbotUserId)
			.map((user) => ({ dingtalkId: string(user.dingtalkId), staffId: string(user.staffId) })),
		// in a one-to-one chat every message is for the robot
		robotMentioned: body.isInAtList === true || type === 'oneToOne',
		robotCode: string(body.robotCode),
		sessionWebhook: string(body.sessionWebhook),
		sessionWebhookExpiresAt: isoTime(body.sessionWebhookExpiredTime),
		attachments: attachments as Array<Attachment & IDataObject>,
		...(quoted && { quoted: quoted as QuotedMessage & IDataObject }),
		...(content !== undefined && { content: content as IDataObject }),
		raw: body as IDataObject,
	};
}

export interface IncomingFilters {
	conversationTypes?: string[];
	onlyWhenMentioned?: boolean;
}

/**
 * Whether a message passes the trigger's options. Only a filter the user set drops a message: one
 * without a conversationType is not lost by default.
 */
/** The trigger options that shape and filter the item (both triggers have them). */
export interface IncomingItemOptions extends IncomingFilters {
	robotName?: string;
}

export function passesFilters(item: Pick<IncomingMessageItem, 'conversation' | 'robotMentioned'>, filters: IncomingFilters): boolean {
	if (filters.conversationTypes && !filters.conversationTypes.includes(item.conversation.type)) return false;
	return !(filters.onlyWhenMentioned === true && !item.robotMentioned);
}
