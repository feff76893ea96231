// Hand-written declarations of the app-robot surfaces of the simulator: apps (apps.js), the Stream
// gateway (streamOpen.js, streamGateway.js, streamPush.js) and the OpenAPI (openapi.js).
// Re-exported by index.d.ts.

import type { ConversationOptions, SessionInfo } from './index';

export interface AppOptions {
	/** Client ID (formerly AppKey). */
	clientId: string;
	/** Client Secret (formerly AppSecret). */
	clientSecret: string;
	/** The robot's code; default the clientId (as for an enterprise internal app). */
	robotCode?: string;
	/** `appId` in Stream frame headers; default a random UUID. */
	appId?: string;
}

export interface App {
	clientId: string;
	clientSecret: string;
	robotCode: string;
	appId: string;
}

export interface StreamOptions {
	/** Life of a connections/open ticket; DingTalk: 90 000 ms. */
	ticketTtlMs?: number;
	/** How long an event waits for an ACK with status SUCCESS before it is pushed again; default 10 000 ms (our choice). */
	eventAckTimeoutMs?: number;
	/** How many times an event is pushed again at most; default 3 (our choice). */
	eventRedeliveries?: number;
}

export interface OpenApiOptions {
	/** Life of an OpenAPI access token, at least 1 000 ms (expireIn is in seconds); DingTalk: 7 200 000 ms (expireIn 7200). */
	accessTokenTtlMs?: number;
}

export interface StreamSubscription {
	type: 'CALLBACK' | 'EVENT';
	topic: string;
}

/** A frame the gateway pushes. */
export interface StreamFrame {
	specVersion: '1.0';
	type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
	/** topic, messageId, contentType ('application/json'), time (ms, as a string); CALLBACK/EVENT also appId, connectionId; EVENT eventType, eventId, eventBornTime, eventCorpId, eventUnifiedAppId. */
	headers: Record<string, string>;
	/** A JSON string. */
	data: string;
}

export interface StreamOpenRecord {
	at: number;
	/** As sent; the secret is never recorded. */
	clientId: string | null;
	outcome: 'ticketIssued' | 'authFailed' | 'invalidSubscriptions' | 'missingBody' | 'methodNotAllowed' | 'gatewayDown';
	/** null when the gateway was down with 'reset' (connection cut). */
	status: number | null;
	/** Answered as XML: the request did not accept application/json. */
	xml: boolean;
	subscriptions: unknown;
	ua: unknown;
	localIp: unknown;
	ticket: string | undefined;
}

export interface StreamConnectRecord {
	at: number;
	ticket: string | null;
	outcome: 'connected' | 'noTicket' | 'unknownTicket' | 'ticketUsed' | 'ticketExpired' | 'gatewayDown';
	clientId: string | undefined;
	connectionId: string | undefined;
}

export interface StreamConnectionInfo {
	id: string;
	clientId: string;
	subscriptions: StreamSubscription[];
	openedAt: number;
	/** 'closing' once a disconnect was sent: nothing more is pushed to it. */
	state: 'open' | 'closing';
	/** Frames the gateway sent on this connection. */
	framesReceived: number;
	/** Frames the client answered validly (once per frame). */
	framesAcked: number;
}

export interface StreamClosedConnectionInfo {
	id: string;
	clientId: string;
	openedAt: number;
	closedAt: number;
	/** 'client': the client closed it or its TCP connection ended; 'disconnect', 'drop', 'stop': the gateway did. */
	closeReason: 'client' | 'disconnect' | 'drop' | 'stop';
	/** The WebSocket close code: 1000 for a proper close, 1006 when the TCP connection ended without a close frame. */
	closeCode: number;
}

export interface StreamAckRecord {
	at: number;
	connectionId: string;
	clientId: string;
	/** The text received. */
	raw: string;
	/** DingTalk's shape, answering a frame sent on this connection (a pong must echo the data; an event ACK needs data.status). */
	valid: boolean;
	error: string | undefined;
	kind: 'robotMessage' | 'event' | 'ping' | 'disconnect' | undefined;
	code: number | undefined;
	messageId: string | undefined;
	message: unknown;
	data: unknown;
	/** Of an event ACK. */
	status: 'SUCCESS' | 'LATER' | undefined;
	/** A second answer to the same frame. */
	duplicate: boolean;
}

export interface StreamPushRecord {
	at: number;
	clientId: string;
	kind: 'robotMessage' | 'event';
	messageId: string;
	msgId: string | undefined;
	eventId: string | undefined;
	/** 1 for the first push of a frame, then 2, 3… (an event pushed again, a replayed robot message). */
	attempt: number;
	/** null: no open connection subscribed to the topic (a robot message is then lost). */
	connectionId: string | null;
	delivered: boolean;
}

export interface StreamPingRecord {
	at: number;
	connectionId: string;
	messageId: string;
	opaque: string;
	/** An answer came within the timeout. */
	answered: boolean;
	/** It was code 200 echoing the ping's data. */
	pong: boolean;
	answeredAt: number | undefined;
}

/** What the message says and who wrote it where; shared with CallbackOptions. */
export interface RobotMessageOptions {
	/** What was typed after the @mention; default 'ping'. Sent as `' ' + text` when the robot is mentioned. */
	text?: string;
	sender?: { nick?: string; staffId?: string; id?: string; corpId?: string; isAdmin?: boolean };
	conversation?: ConversationOptions;
	/** Default true: isInAtList, and the robot first in atUsers. */
	robotMentioned?: boolean;
	/** Other people mentioned, appended to atUsers. */
	mentions?: { dingtalkId: string; staffId?: string }[];
	chatbotUserId?: string;
	/** Default 'dingrobotsimulator' for callbacks, the app's robotCode for Stream. */
	robotCode?: string;
	/** Default 'msg' + random hex. */
	msgId?: string;
	/** Default now(). */
	createAt?: number;
	/** Life of the message's session webhook; default 90 minutes. */
	sessionTtlMs?: number;
	/** Shallow-merged over the body (add or override fields). */
	extraBody?: Record<string, unknown>;
}

export interface PushRobotMessageOptions extends RobotMessageOptions {
	/** The frame's messageId; default a fresh one. */
	messageId?: string;
	/** Only this connection may take it. */
	connectionId?: string;
}

export interface PushRobotMessageResult {
	messageId: string;
	msgId: string;
	delivered: boolean;
	connectionId: string | null;
	session: SessionInfo;
	/** The message (the frame's data, parsed): the same body as an HTTP callback. */
	body: Record<string, unknown>;
}

export interface PushEventOptions {
	eventType: string;
	/** Serialized into the frame's data; default {}. */
	data?: unknown;
	eventId?: string;
	eventCorpId?: string;
	/** Default now(). */
	eventBornTime?: number;
	messageId?: string;
}

export interface PushEventResult {
	messageId: string;
	eventId: string;
	/** Whether the first push found a connection (it is pushed again either way until ACKed SUCCESS). */
	delivered: boolean;
	connectionId: string | null;
}

export interface AccessTokenRecord {
	at: number;
	/** As sent; the secret is never recorded. */
	appKey: string | null;
	outcome: 'issued' | 'renewed' | 'invalidClientIdOrSecret' | 'missingBody' | 'methodNotAllowed';
	status: number;
	/** The token answered, if any. */
	accessToken: string | undefined;
	/** When it expires (now() + ttl). */
	expiresAt: number | undefined;
}

export interface AccessTokenInfo {
	accessToken: string;
	clientId: string;
	issuedAt: number;
	expiresAt: number;
	/** now() >= expiresAt, or expired by expireAccessTokens(). */
	expired: boolean;
}
