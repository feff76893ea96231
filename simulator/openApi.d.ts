// Hand-written declarations of the OpenAPI an app robot sends with: the access token (openapi.js),
// what every call goes through (openApiGate.js), the organization (org.js), the robot's messages
// (robotMessages.js, msgTemplates.js) and media uploads (media.js). Re-exported by appRobot.d.ts
// and index.d.ts; the methods are AppRobotSimulator's (appRobot.d.ts).

export interface OpenApiOptions {
	/** Life of an OpenAPI access token, at least 1 000 ms (expireIn is in seconds); DingTalk: 7 200 000 ms (expireIn 7200). */
	accessTokenTtlMs?: number;
	/** Every OpenAPI answer (access token, robot messages, media upload) waits this long; default 0. Timers, cut on stop(). */
	latencyMs?: number;
	/**
	 * Calls per second (whole seconds of now()) per app and API before HTTP 403
	 * Forbidden.AccessDenied.QpsLimitForAppkeyAndApi (media upload: errcode 90018); DingTalk: 20.
	 * `false` turns it off. Mind a frozen injected clock: every call then falls in one second.
	 */
	qpsLimit?: number | false;
}

export interface AccessTokenRecord {
	at: number;
	/** As sent; the secret is never recorded. */
	appKey: string | null;
	outcome: 'issued' | 'renewed' | 'invalidClientIdOrSecret' | 'missingBody' | 'methodNotAllowed' | 'redirected';
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

export interface GroupOptions {
	/** Default `cid` + 16 random bytes in base64 (e.g. `cid1+dPH/0LUVUSBFDIcYjYSA==`). */
	openConversationId?: string;
	/** Default 'Simulated group'. */
	title?: string;
	/** The robots in the group; an app robot sends to (and recalls in) a group only when its robotCode is listed. */
	robotCodes?: string[];
}

export interface Group {
	openConversationId: string;
	title: string;
	robotCodes: string[];
}

export interface UserOptions {
	/** The userId (staffId) batchSend takes. */
	userId: string;
	/** Default the userId. */
	name?: string;
	/** A simulator knob: batchSend lists this user in flowControlledStaffIdList and does not deliver. */
	flowControlled?: boolean;
}

export interface User {
	userId: string;
	name: string;
	flowControlled: boolean;
}

export type MsgKey =
	| 'sampleText'
	| 'sampleMarkdown'
	| 'sampleImageMsg'
	| 'sampleLink'
	| 'sampleActionCard'
	| 'sampleActionCard2'
	| 'sampleActionCard3'
	| 'sampleActionCard4'
	| 'sampleActionCard5'
	| 'sampleActionCard6'
	| 'sampleFile'
	| 'sampleAudio'
	| 'sampleVideo';

export type OpenApiFaultKind = 'http500' | 'http502' | 'http429' | 'nonJson' | 'throttled' | 'platformLimit' | 'echoHeaders' | 'slow' | 'drop';

/**
 * A fault of the robot message APIs. http500: 500 system.error; http502: a 502 page; nonJson: a 200
 * page; throttled: 403 QpsLimitForAppkeyAndApi; platformLimit: 403 QpsLimitForApi; drop: the
 * connection cut. afterDelivery: the API does its work (records or recalls the message) first.
 */
export type OpenApiFault =
	| { kind: Exclude<OpenApiFaultKind, 'slow' | 'http429' | 'echoHeaders'>; afterDelivery?: boolean }
	/** A bare 429 of a front or proxy, no DingTalk body; Retry-After when retryAfterS is set. */
	| { kind: 'http429'; retryAfterS?: number; afterDelivery?: boolean }
	/** A proxy's error quoting the request's headers: an HTML page (status, default 502), or with 400 a JSON error. */
	| { kind: 'echoHeaders'; status?: number; afterDelivery?: boolean }
	/** The answer waits delayMs more (on top of the latency). */
	| { kind: 'slow'; delayMs: number };

/** A redirect instead of the token endpoint's answer. */
export interface AccessTokenFault {
	kind: 'redirect';
	location: string;
	status?: number;
}

export interface OpenApiRequestRecord {
	/** now() when it arrived. */
	at: number;
	method: string;
	path: string;
	/** The x-acs-dingtalk-access-token header as received. */
	accessToken: string | null;
	/** The app of a valid token. */
	clientId: string | undefined;
	/** The JSON body. */
	body: Record<string, unknown> | undefined;
	fault: OpenApiFaultKind | undefined;
	/** The HTTP status answered (set when decided, also while held); null for a dropped connection. */
	status: number | null;
	/** The error code and message answered. */
	code: string | undefined;
	message: string | undefined;
	/** The JSON answered (undefined for a page or a drop). */
	response: unknown;
	/** How long the answer was held: the latency and a slow fault. */
	delayMs: number;
	/** The answer was sent (false while held, after a drop, or when stop() cut it). */
	answered: boolean;
}

interface RobotMessageRecord {
	processQueryKey: string;
	robotCode: string;
	/** The app whose token sent it. */
	clientId: string;
	msgKey: MsgKey;
	/** msgParam, parsed. */
	msgParam: Record<string, unknown>;
	/** The media ids it uses (URLs of sampleImageMsg are not media ids). */
	mediaIds: string[];
	at: number;
	recalled: boolean;
	recalledAt: number | undefined;
}

export interface GroupMessageRecord extends RobotMessageRecord {
	openConversationId: string;
}

/** One per user who got it; a batchSend to several users gives each the same processQueryKey. */
export interface UserMessageRecord extends RobotMessageRecord {
	userId: string;
}

export interface RecallRecord {
	at: number;
	kind: 'group' | 'oto';
	robotCode: string;
	openConversationId: string | undefined;
	processQueryKeys: string[];
	successResult: string[];
	/** processQueryKey → reason. */
	failedResult: Record<string, string>;
}

export interface MediaUploadRecord {
	at: number;
	/** The access_token query parameter as received. */
	accessToken: string | null;
	clientId: string | undefined;
	/** As asked (query or form field). */
	type: string | null;
	errcode: number;
	errmsg: string;
	mediaId: string | undefined;
	filename: string | undefined;
	/** The part's Content-Type. */
	contentType: string | undefined;
	/** The header names of the file's part, in order (an injected one shows here). */
	partHeaders: string[] | undefined;
	/** Bytes of the file. */
	size: number | undefined;
	/** Hex SHA-256 of the file's bytes. */
	sha256: string | undefined;
}
