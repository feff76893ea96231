/**
 * DingTalk's robot callback, as pure functions: is this request from DingTalk (verifyCallback),
 * is its body a message (readCallbackBody), and the workflow item it becomes (normalizeCallback).
 */
import { createHash, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { computeDingTalkSign } from '../../credentials/signing';

/** DingTalk refuses signatures more than an hour off; its callbacks are held to the same window. */
export const CALLBACK_TIMESTAMP_TOLERANCE_MS = 60 * 60 * 1000;

export interface CallbackSecrets {
	appSecret?: string;
	outgoingToken?: string;
}

/** 401: the proof is missing or stale; 403: a proof was given and it is wrong. */
export type CallbackVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** Equal strings in constant time whatever their lengths: their digests are compared, not the strings. */
function constantTimeEqual(given: string, expected: string): boolean {
	const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
	return timingSafeEqual(digest(given), digest(expected));
}

/** A request header's first value, trimmed; undefined when missing or blank. */
export function header(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers[name];
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

/**
 * Checks the proof DingTalk sends with each callback: headers `timestamp` (ms, within an hour of
 * `nowMs`) and `sign` = base64(HmacSHA256(appSecret, timestamp + "\n" + appSecret)) when an App
 * Secret is set; header `token` when an Outgoing Token is set. Reasons never contain a secret.
 */
export function verifyCallback(headers: Record<string, unknown>, secrets: CallbackSecrets, nowMs: number): CallbackVerdict {
	const appSecret = secrets.appSecret?.trim();
	const outgoingToken = secrets.outgoingToken?.trim();
	if (appSecret) {
		const timestamp = header(headers, 'timestamp');
		const sign = header(headers, 'sign');
		if (!timestamp || !sign) return { ok: false, status: 401, reason: 'missing timestamp or sign header' };
		if (!/^\d{1,16}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > CALLBACK_TIMESTAMP_TOLERANCE_MS) {
			return { ok: false, status: 401, reason: 'timestamp is more than one hour from now' };
		}
		if (!constantTimeEqual(sign, computeDingTalkSign(appSecret, timestamp))) {
			return { ok: false, status: 403, reason: 'sign does not match' };
		}
	}
	if (outgoingToken) {
		const token = header(headers, 'token');
		if (!token) return { ok: false, status: 401, reason: 'missing token header' };
		if (!constantTimeEqual(token, outgoingToken)) return { ok: false, status: 403, reason: 'token does not match' };
	}
	return { ok: true };
}

/** DingTalk's callbacks are a few kilobytes; a body this large is not one of them. */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;

/** The Content-Length header as a number, or undefined when there is none (chunked) or it is not a number. */
export function declaredBodyLength(headers: Record<string, unknown>): number | undefined {
	const value = header(headers, 'content-length');
	return value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : undefined;
}

/**
 * The body as received, to measure and to digest. n8n keeps the bytes it parsed JSON from
 * (request.rawBody, decompressed), so that is what is used; a text body is itself; only a host
 * without rawBody gets the parsed body serialized, once (its size was checked before parsing by
 * that host's own limit, n8n's N8N_PAYLOAD_SIZE_MAX, 16 MB by default).
 */
export function receivedBody(rawBody: unknown, body: unknown): Buffer | string {
	if (Buffer.isBuffer(rawBody) || typeof rawBody === 'string') return rawBody;
	if (Buffer.isBuffer(body) || typeof body === 'string') return body;
	return JSON.stringify(body ?? null) ?? '';
}

/** A callback body as DingTalk sends it (section 6 of DingTalk's robot API). */
export interface DingTalkCallbackBody {
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

export type CallbackBodyReading = { ok: true; body: DingTalkCallbackBody } | { ok: false; reason: string };

/**
 * The request body as a DingTalk message, or why it is not one. A JSON body sent as text is
 * parsed here (n8n parses application/json itself).
 */
export function readCallbackBody(body: unknown): CallbackBodyReading {
	const refuse = (reason: string): CallbackBodyReading => ({ ok: false, reason });
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
	return { ok: true, body: message as DingTalkCallbackBody };
}

export interface NormalizeOptions {
	/** the robot's name as shown in the group, to remove "@name" if DingTalk left it in the text */
	robotName?: string;
}

export type ConversationType = 'oneToOne' | 'group';

/** The workflow item a callback becomes. Documented in the README ("What the trigger outputs"). */
export interface RobotCallbackItem extends IDataObject {
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

/** The words of the message: text content, or the text parts of a rich text. */
function messageText(body: DingTalkCallbackBody): string {
	if (body.msgtype === 'text') return string(body.text?.content);
	const richText = (body.content as { richText?: Array<{ text?: unknown }> } | undefined)?.richText;
	if (body.msgtype === 'richText' && Array.isArray(richText)) {
		return richText.map((part) => string(part?.text)).join('');
	}
	return '';
}

/** Trims the text and removes a leading "@robot name" (DingTalk usually removes it itself and leaves a space). */
export function cleanMessageText(text: string, robotName?: string): string {
	let cleaned = text.trim();
	const name = robotName?.trim().replace(/^@/, '');
	if (name && cleaned.startsWith(`@${name}`)) cleaned = cleaned.slice(name.length + 1).trim();
	return cleaned;
}

export function normalizeCallback(body: DingTalkCallbackBody, options: NormalizeOptions = {}): RobotCallbackItem {
	const type = conversationType(body.conversationType);
	return {
		text: cleanMessageText(messageText(body), options.robotName),
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
		raw: body as IDataObject,
	};
}

export interface CallbackFilters {
	conversationTypes?: string[];
	onlyWhenMentioned?: boolean;
}

/**
 * Whether a message passes the trigger's options. Only a filter the user set drops a message: one
 * without a conversationType is not lost by default.
 */
/** The trigger options that shape and filter the item (both triggers have them). */
export interface CallbackItemOptions extends CallbackFilters {
	robotName?: string;
}

export function passesFilters(item: Pick<RobotCallbackItem, 'conversation' | 'robotMentioned'>, filters: CallbackFilters): boolean {
	if (filters.conversationTypes && !filters.conversationTypes.includes(item.conversation.type)) return false;
	return !(filters.onlyWhenMentioned === true && !item.robotMentioned);
}
