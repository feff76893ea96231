/**
 * DingTalk's robot callback over HTTP, as pure functions: is this request from DingTalk
 * (verifyCallback), and is its body of a size a message has. What the message is and the item it
 * becomes is the same for HTTP and Stream: nodes/shared/incoming/incomingMessage.ts.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

import { computeDingTalkSign } from '../../credentials/signing';

/** DingTalk refuses signatures more than an hour off; its callbacks are held to the same window. */
export const CALLBACK_TIMESTAMP_TOLERANCE_MS = 60 * 60 * 1000;

export interface CallbackSecrets {
	appSecret?: string;
	outgoingToken?: string;
	/** the apiSecret registered for card clicks (/v1.0/card/callbacks/register) */
	cardApiSecret?: string;
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

/** The headers of a signed card click (DingTalk's guide 事件回调, 回调签名验证). */
export const CARD_TIMESTAMP_HEADER = 'x-ddpaas-signature-timestamp';
export const CARD_SIGNATURE_HEADER = 'x-ddpaas-signature';

/** A card click's signature: base64(HmacSHA256(key = apiSecret, message = the timestamp as sent)). */
export function computeCardCallbackSign(apiSecret: string, timestamp: string): string {
	return createHmac('sha256', apiSecret).update(timestamp, 'utf8').digest('base64');
}

/**
 * Checks the proof DingTalk sends with a click on a card's button over HTTP, as its guide
 * (事件回调, open.dingtalk.com/document/development/event-callback-card) documents it for a route
 * registered with an apiSecret: headers `x-ddpaas-signature-timestamp` (ms) and
 * `x-ddpaas-signature` = base64(HmacSHA256(apiSecret, timestamp)). The guide names no time window:
 * the robot callbacks' hour is kept (a signature covers the timestamp only, never the body: the
 * pairs memory, signedPairs.ts, refuses one reused on another click). Reasons never contain a secret.
 */
export function verifyCardCallback(headers: Record<string, unknown>, cardApiSecret: string, nowMs: number): CallbackVerdict {
	const timestamp = header(headers, CARD_TIMESTAMP_HEADER);
	const sign = header(headers, CARD_SIGNATURE_HEADER);
	if (!timestamp || !sign) return { ok: false, status: 401, reason: `missing ${CARD_TIMESTAMP_HEADER} or ${CARD_SIGNATURE_HEADER} header` };
	if (!/^\d{1,16}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > CALLBACK_TIMESTAMP_TOLERANCE_MS) {
		return { ok: false, status: 401, reason: `${CARD_TIMESTAMP_HEADER} is more than one hour from now` };
	}
	if (!constantTimeEqual(sign, computeCardCallbackSign(cardApiSecret.trim(), timestamp))) {
		return { ok: false, status: 403, reason: `${CARD_SIGNATURE_HEADER} does not match` };
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
