/**
 * DingTalk's Stream protocol frames as pure functions: read a frame the gateway pushed and decide
 * what to answer (open-dingtalk/developerpedia docs/learn/stream/protocol.md; section 8 of the
 * package's DingTalk notes). Frames are JSON text:
 * `{specVersion, type: SYSTEM | EVENT | CALLBACK, headers: {topic, messageId, …}, data: "<JSON>"}`;
 * an answer is `{code, headers: {messageId, contentType}, message, data: "<JSON>"}`.
 * No I/O, no clock: connection.ts sends what these return.
 */
import type { IDataObject } from 'n8n-workflow';

import { CARD_CALLBACK_TOPIC, readCardCallbackBody, type CardCallbackReading } from '../../shared/incoming/cardAction';
import { readIncomingBody, type IncomingMessageBody } from '../../shared/incoming/incomingMessage';

/** The CALLBACK topic of robot messages. */
export const ROBOT_MESSAGE_TOPIC = '/v1.0/im/bot/messages/get';

/** The CALLBACK topics a connection may take: robot messages, or clicks on cards' buttons. */
export type StreamTopic = typeof ROBOT_MESSAGE_TOPIC | typeof CARD_CALLBACK_TOPIC;

export { CARD_CALLBACK_TOPIC };

/**
 * What a connection subscribes to: one CALLBACK topic (a connection per topic: DingTalk pushes a
 * topic only to connections subscribed to it, so robot messages and card clicks each keep one
 * connection however many triggers want either). Events (EVENT `*`) are not subscribed: DingTalk
 * gives each event to one of the app's connections at random, so a connection that took events it
 * does not handle would take them away from whatever else of the user's handles them.
 */
export function streamSubscriptions(topic: StreamTopic): Array<{ type: 'CALLBACK'; topic: StreamTopic }> {
	return [{ type: 'CALLBACK', topic }];
}

const JSON_TYPE = 'application/json';

export interface StreamFrame {
	type: string;
	headers: Record<string, unknown>;
	/** the frame's data: a JSON string */
	data: string;
}

/** What to do with one frame. `answer` is the text to send back, when there is one. */
export type FrameAction =
	| { kind: 'robotMessage'; messageId: string; body: IncomingMessageBody; answer: string }
	| { kind: 'cardAction'; messageId: string; reading: CardCallbackReading }
	| { kind: 'unreadableMessage'; messageId: string; reason: string; answer: string }
	| { kind: 'event'; messageId: string; answer: string }
	| { kind: 'ping'; messageId: string; answer: string }
	| { kind: 'disconnect'; reason: string }
	| { kind: 'unknownTopic'; messageId: string; type: string; topic: string; answer: string }
	| { kind: 'invalid'; reason: string };

/** The answer to a frame: code 200 unless told, the frame's messageId, `data` sent as a JSON string. */
export function frameAnswer(messageId: string, data: string, code = 200, message = 'OK'): string {
	return JSON.stringify({ code, headers: { messageId, contentType: JSON_TYPE }, message, data });
}

/** A robot message is fire-and-forget: its ACK says only "received". */
const ROBOT_MESSAGE_ACK_DATA = JSON.stringify({ response: null });

/**
 * The ACK of a card click: its data is `{"response": <answer>}` (the card update, or `{}`), as the
 * official SDKs wrap a handler's answer (Python CallbackHandler.raw_process, Node
 * socketCallBackResponse, Go card/handler.go).
 */
export function cardActionAck(messageId: string, response: IDataObject): string {
	return frameAnswer(messageId, JSON.stringify({ response }));
}

/**
 * An event is answered LATER: the trigger starts workflows for robot messages only, so an event
 * that reaches it anyway (it subscribes to none) is handed back for DingTalk to push again.
 */
const EVENT_ACK_DATA = JSON.stringify({ status: 'LATER', message: 'this connection handles robot messages only' });

function stringHeader(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers[name];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** The frame in a text message, or why it is not one. */
export function parseFrame(text: string): { ok: true; frame: StreamFrame } | { ok: false; reason: string } {
	const value = jsonObject(text);
	if (!value) return { ok: false, reason: 'the frame is not a JSON object' };
	if (typeof value.type !== 'string' || value.type === '') return { ok: false, reason: 'the frame has no type' };
	const headers = typeof value.headers === 'object' && value.headers !== null ? (value.headers as Record<string, unknown>) : undefined;
	if (!headers) return { ok: false, reason: 'the frame has no headers' };
	const data = typeof value.data === 'string' ? value.data : value.data === undefined ? '' : JSON.stringify(value.data);
	return { ok: true, frame: { type: value.type, headers, data } };
}

/**
 * What a frame asks for, on a connection subscribed to `subscribedTopic`:
 * - CALLBACK on the robot topic: ACK at once (fire-and-forget) and hand the message on;
 * - CALLBACK on the card topic: a click, answered by the ACK (cardActionAck) with what the
 *   triggers decide at once;
 * - EVENT: ACK with status LATER (see EVENT_ACK_DATA);
 * - SYSTEM ping: answer code 200 echoing its data (`{"opaque":…}`);
 * - SYSTEM disconnect: no answer; open a new connection now, DingTalk closes this one ~10 s later;
 * - a CALLBACK of another topic: code 404 (the code DingTalk's SDKs give an unknown topic).
 */
export function decideFrame(frame: StreamFrame, subscribedTopic: StreamTopic = ROBOT_MESSAGE_TOPIC): FrameAction {
	const topic = stringHeader(frame.headers, 'topic') ?? '';
	const messageId = stringHeader(frame.headers, 'messageId');
	if (frame.type === 'SYSTEM' && topic === 'disconnect') {
		const reason = jsonObject(frame.data)?.reason;
		return { kind: 'disconnect', reason: typeof reason === 'string' ? reason : '' };
	}
	if (!messageId) return { kind: 'invalid', reason: `a ${frame.type} frame without a messageId` };
	if (frame.type === 'SYSTEM' && topic === 'ping') return { kind: 'ping', messageId, answer: frameAnswer(messageId, frame.data) };
	if (frame.type === 'EVENT') return { kind: 'event', messageId, answer: frameAnswer(messageId, EVENT_ACK_DATA) };
	const subscribed = topic === subscribedTopic;
	if (frame.type === 'CALLBACK' && subscribed && topic === CARD_CALLBACK_TOPIC) {
		return { kind: 'cardAction', messageId, reading: readCardCallbackBody(frame.data) };
	}
	if (frame.type === 'CALLBACK' && subscribed && topic === ROBOT_MESSAGE_TOPIC) {
		const answer = frameAnswer(messageId, ROBOT_MESSAGE_ACK_DATA);
		const reading = readIncomingBody(frame.data);
		if (!reading.ok) return { kind: 'unreadableMessage', messageId, reason: reading.reason, answer };
		return { kind: 'robotMessage', messageId, body: reading.body, answer };
	}
	return {
		kind: 'unknownTopic',
		messageId,
		type: frame.type,
		topic,
		answer: frameAnswer(messageId, JSON.stringify({ response: null }), 404, 'topic not handled'),
	};
}
