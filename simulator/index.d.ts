// Hand-written declarations for simulator/index.js (a strict simulator of DingTalk's robot surfaces).
// The app-robot types and methods (apps, Stream gateway, OpenAPI) are in appRobot.d.ts.

import type {
	RobotMessageOptions,
	AppRobotSimulator,
	StreamOptions,
	OpenApiOptions,
	OpenApiFaultKind,
	MsgKey,
	MessageFilesOptions,
	IncomingMsgtype,
	StorageFaultKind,
} from './appRobot';

export type * from './appRobot';

export type DingTalkMsgtype = 'text' | 'link' | 'markdown' | 'actionCard' | 'feedCard';

export type FaultKind = 'busy' | 'http500' | 'http502' | 'nonJson' | 'slow' | 'drop';

export type TamperKind =
	| 'wrongSign'
	| 'noSign'
	| 'oldTimestamp'
	| 'futureTimestamp'
	| 'wrongToken'
	| 'malformedBody'
	| 'notAMessage'
	| 'badSignEncoding';

export interface RateLimitOptions {
	/** Deliveries allowed per robot inside one sliding window. DingTalk: 20. */
	perWindow?: number;
	/** Length of the sliding window in ms. DingTalk: 60 000. */
	windowMs?: number;
	/** How long a robot stays throttled after exceeding the limit, in ms. DingTalk: 600 000. */
	throttleMs?: number;
}

export interface SimulatorOptions {
	/** `false` disables rate limiting; partial objects are merged with DingTalk's defaults. */
	rateLimit?: RateLimitOptions | false;
	/** Largest accepted body in bytes. DingTalk: 20 000. */
	maxBodyBytes?: number;
	/** Allowed distance between the `timestamp` parameter and now(), either direction. DingTalk: 1 hour. */
	timestampToleranceMs?: number;
	/** Injectable clock (ms), used for every time decision. */
	now?: () => number;
	/** Called once per request, when it has been answered or dropped. */
	onRequest?: (record: RequestRecord) => void;
	/** In [0, 1): which Stream connection gets a push (DingTalk picks at random); default Math.random. */
	random?: () => number;
	stream?: StreamOptions;
	openapi?: OpenApiOptions;
	/** The life of downloadCodes and downloadUrls. */
	files?: MessageFilesOptions;
}

export interface RobotOptions {
	accessToken: string;
	/** The signing secret (starts with `SEC` at DingTalk). When set, timestamp + sign are required. */
	secret?: string;
	/** At least one must occur in the message text when set. */
	keywords?: string[];
	/** IPv4 addresses or IPv4 CIDR blocks. */
	ipWhitelist?: string[];
	disabled?: boolean;
	dissolved?: boolean;
}

/** afterDelivery: the message is processed (and posted) first, then the fault answers. */
export type Fault =
	| { kind: 'busy'; afterDelivery?: boolean }
	| { kind: 'http500'; afterDelivery?: boolean }
	| { kind: 'http502'; afterDelivery?: boolean }
	| { kind: 'nonJson'; afterDelivery?: boolean }
	/** a 200 with JSON that has no errcode */
	| { kind: 'noErrcode'; afterDelivery?: boolean }
	/** a proxy's redirect (default 307) to `location` */
	| { kind: 'redirect'; location: string; status?: 301 | 302 | 307 | 308; afterDelivery?: boolean }
	/** a proxy echoing the request URL (token, timestamp, sign): in a DingTalk-like errmsg (status 200) or an error page */
	| { kind: 'echoUrl'; status?: number; afterDelivery?: boolean }
	| { kind: 'slow'; delayMs: number }
	| { kind: 'drop'; afterDelivery?: boolean };

export interface RequestRecord {
	/** now() when the request arrived. */
	at: number;
	method: string;
	/** Pathname without the query. */
	path: string;
	accessToken: string | null;
	/** The `session` query parameter as received (session webhook requests), else null. */
	session: string | null;
	/** Client IPv4 (`::ffff:` prefix removed). */
	clientIp: string;
	contentType: string | null;
	/** The `timestamp` query parameter as received. */
	timestamp: string | null;
	/** The `sign` query parameter, decoded once. */
	sign: string | null;
	/** Timestamp and sign both valid; null when the token is unknown or the robot has no secret. */
	signatureValid: boolean | null;
	rawBody: string;
	/** The parsed body when it is a UTF-8 JSON object, else undefined. */
	body: Record<string, unknown> | undefined;
	msgtype: string | undefined;
	msgUuid: string | undefined;
	fault: FaultKind | undefined;
	/** HTTP status of the answer; null when the connection was dropped. */
	status: number | null;
	/** Undefined for answers without a JSON body (404, http500/502, nonJson, drop). */
	errcode: number | undefined;
	errmsg: string | undefined;
	delivered: boolean;
	duplicate: boolean;
}

export interface SimulatorStats {
	requests: number;
	delivered: number;
	duplicates: number;
	/** Count per non-zero errcode (keys are the errcode as a string, e.g. "310000", "-1"). */
	rejected: Record<string, number>;
}

export interface ConversationOptions {
	/** Default 'group' (conversationType "2"); 'oneToOne' is "1". */
	type?: 'group' | 'oneToOne';
	/** Default 'cidSimulatorGroup0001' / 'cidSimulatorOneToOne0001'. */
	id?: string;
	/** Default 'n8n test group'; never sent for one-to-one. */
	title?: string;
}

export interface SessionInfo {
	/** Random hex; the `session` query parameter of the webhook. */
	sessionId: string;
	/** `${baseUrl}/robot/sendBySession?session=<sessionId>` */
	sessionWebhook: string;
	/** now() + ttlMs; from then on the webhook answers errcode 300001 `session expired`. */
	expiresAt: number;
}

export interface SessionReply {
	body: Record<string, unknown>;
	/** Posted to the session webhook, or the HTTP answer to the callback (a synchronous reply). */
	via: 'sessionWebhook' | 'response';
	/** now() when it was accepted. */
	at: number;
}

export interface CallbackOptions extends RobotMessageOptions {
	/** Signs the callback: headers `timestamp` (ms) and `sign` (base64, not URL-encoded). */
	appSecret?: string;
	/** Custom robot Outgoing token: header `token`. */
	outgoingToken?: string;
	/** Breaks one thing on purpose; the sign tampers need appSecret, wrongToken needs outgoingToken. */
	tamper?: TamperKind;
	/** Whole-exchange timeout; default 30 000 ms. */
	timeoutMs?: number;
	/** Sign with this timestamp instead of now: an earlier callback's timestamp gives its very (timestamp, sign) pair to a new message. */
	signedAt?: number;
}

export interface CallbackRequest {
	url: string;
	/** Exactly the headers set (Node adds host and connection). */
	headers: Record<string, string>;
	/** The body object; the raw text for the malformedBody and notAMessage tampers. */
	body: Record<string, unknown> | string;
	/** The exact body sent. */
	rawBody: string;
	msgId: string;
	sessionId: string;
	sessionWebhook: string;
	expiresAt: number;
	tamper: TamperKind | undefined;
	timeoutMs: number;
}

export interface CallbackResult {
	status: number;
	headers: import('node:http').IncomingHttpHeaders;
	bodyText: string;
	/** The parsed answer, undefined when it is not JSON. */
	json: unknown;
	/**
	 * Undefined when the answer is no message (not 2xx, not a JSON object with msgtype, or
	 * msgtype 'empty'); else whether it passed /robot/send's body checks and became a session reply.
	 */
	syncReply: { recorded: boolean; errcode: number; errmsg: string } | undefined;
	request: CallbackRequest;
}

export interface CallbackRecord {
	/** now() when sent. */
	at: number;
	url: string;
	tamper: TamperKind | undefined;
	/** Sent by replayCallback. */
	replay: boolean;
	msgId: string;
	sessionId: string;
	headers: Record<string, string>;
	rawBody: string;
	/** null when no answer came (network error, timeout). */
	status: number | null;
	bodyText: string | undefined;
	error: string | undefined;
}

export declare class DingTalkSimulator extends AppRobotSimulator {
	constructor(options?: SimulatorOptions);
	/** `http://HOST:PORT` once started, else undefined. */
	readonly baseUrl: string | undefined;
	/** `127.0.0.1:PORT` once started: what a credential lists as a Plain HTTP Host (the simulator has no TLS). */
	readonly host: string | undefined;
	/** Every request to the oapi host (webhook, session webhooks, media upload, unknown paths) since construction or the last reset(), in arrival order; not the api.dingtalk.com ones (Stream registration, OpenAPI). */
	readonly requests: RequestRecord[];
	/** Re-adding an existing token replaces its configuration and keeps its messages and rate-limit state. */
	addRobot(options: RobotOptions): void;
	/** Resolves the base URL, e.g. `http://127.0.0.1:PORT`. Defaults: host 127.0.0.1, port 0. */
	start(options?: { host?: string; port?: number }): Promise<string>;
	stop(): Promise<void>;
	/** `${baseUrl}/robot/send?access_token=TOKEN`. Throws when not started. */
	webhookUrl(accessToken: string): string;
	/** Delivered message bodies of that robot, in order (a copy; [] for an unknown token). */
	messages(accessToken: string): Record<string, unknown>[];
	/** FIFO: each incoming request consumes the next fault. */
	injectFaults(faults: Fault[]): void;
	/** Decides a fault for every request that finds the injectFaults queue empty; undefined turns it off. */
	setFaultPolicy(policy: ((requestIndex: number) => Fault | undefined) | undefined): void;
	stats(): SimulatorStats;
	/** Clears requests, messages, msgUuid memory, rate-limit/throttle state, pending faults, sessions, replies, callbacks, Stream records, tickets, pending event redeliveries, access tokens, OpenAPI calls, QPS counts and faults, app-robot messages, recalls and media, stored files (their codes and URLs stop working), storage requests and faults; robots, apps (with permissions), groups, users, the OpenAPI latency and QPS limit, and open Stream connections stay. */
	reset(): void;
	/** Every callback sent (deliverCallback and replayCallback) since construction or reset(), in order. */
	readonly callbacks: CallbackRecord[];
	/** Opens a session webhook. ttlMs default 90 minutes. Throws when not started. */
	createSession(options?: { ttlMs?: number; conversation?: ConversationOptions }): SessionInfo;
	/** Expires the session from now() on. Throws for an unknown session. */
	expireSession(sessionIdOrWebhookUrl: string): void;
	/** Bodies of the replies a session accepted (webhook and synchronous), in order; deep copies, [] when unknown. */
	sessionReplies(sessionIdOrWebhookUrl: string): Record<string, unknown>[];
	/** The same replies with how and when they came; deep copies, [] when unknown. */
	replies(sessionIdOrWebhookUrl: string): SessionReply[];
	/**
	 * POSTs a DingTalk callback to an http:// URL with a fresh session webhook and resolves the
	 * answer; rejects on a network error or timeout. Needs a started simulator.
	 */
	deliverCallback(url: string, options?: CallbackOptions): Promise<CallbackResult>;
	/**
	 * Sends the same request again: same headers (timestamp, sign), same bytes: DingTalk's retry.
	 * With changeBody, its fields replace the body's (shallow): the captured headers on a forged body.
	 */
	replayCallback(result: { request: CallbackRequest }, options?: { timeoutMs?: number; changeBody?: Record<string, unknown> }): Promise<CallbackResult>;
	/** Listener called once per answered or dropped request; returns an unsubscribe function. */
	onRequest(listener: (record: RequestRecord) => void): () => void;
	/**
	 * Resets the next `count` TCP connections before a byte of their request is read: the client's
	 * connect fails (ECONNRESET, syscall connect) and DingTalk received nothing of it.
	 */
	resetNextConnections(count: number): void;
	/** How many connections resetNextConnections reset since construction or reset(). */
	readonly connectionsReset: number;

	/** For the CLI only: mounts POST /simulator/control/stream/push (not a DingTalk endpoint). */
	enableControl(): void;
}

/** base64(HmacSHA256(key = secret, message = `${timestamp}\n${secret}`)), NOT URL-encoded. */
export declare function computeDingTalkSign(secret: string, timestamp: string | number): string;

export declare const SUPPORTED_MSGTYPES: readonly DingTalkMsgtype[];
export declare const FAULT_KINDS: readonly FaultKind[];
export declare const TAMPER_KINDS: readonly TamperKind[];
export declare const OPENAPI_FAULT_KINDS: readonly OpenApiFaultKind[];
export declare const MSG_KEYS: readonly MsgKey[];
export declare const INCOMING_MSGTYPES: readonly IncomingMsgtype[];
export declare const STORAGE_FAULT_KINDS: readonly StorageFaultKind[];
