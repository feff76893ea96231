// Hand-written declarations for simulator/index.js (a strict DingTalk custom-robot webhook simulator).

export type DingTalkMsgtype = 'text' | 'link' | 'markdown' | 'actionCard' | 'feedCard';

export type FaultKind = 'busy' | 'http500' | 'http502' | 'nonJson' | 'slow' | 'drop';

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

export type Fault =
	| { kind: 'busy' }
	| { kind: 'http500' }
	| { kind: 'http502' }
	| { kind: 'nonJson' }
	| { kind: 'slow'; delayMs: number }
	| { kind: 'drop'; afterDelivery?: boolean };

export interface RequestRecord {
	/** now() when the request arrived. */
	at: number;
	method: string;
	/** Pathname without the query. */
	path: string;
	accessToken: string | null;
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

export declare class DingTalkSimulator {
	constructor(options?: SimulatorOptions);
	/** `http://HOST:PORT` once started, else undefined. */
	readonly baseUrl: string | undefined;
	/** Every request since construction or the last reset(), in arrival order. */
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
	/** Clears requests, messages, msgUuid memory, rate-limit/throttle state and pending faults; robots stay. */
	reset(): void;
	/** Listener called once per answered or dropped request; returns an unsubscribe function. */
	onRequest(listener: (record: RequestRecord) => void): () => void;
}

/** base64(HmacSHA256(key = secret, message = `${timestamp}\n${secret}`)), NOT URL-encoded. */
export declare function computeDingTalkSign(secret: string, timestamp: string | number): string;

export declare const SUPPORTED_MSGTYPES: readonly DingTalkMsgtype[];
export declare const FAULT_KINDS: readonly FaultKind[];
