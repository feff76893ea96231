// Hand-written declarations of the OpenAPI an app robot sends with: the access token (openapi.js),
// what every call goes through (openApiGate.js), the organization (org.js), the robot's messages
// (robotMessages.js, msgTemplates.js), media uploads (media.js), and the files people send a robot
// with their download (messageFiles.js) from DingTalk's storage (storageHost.js). Re-exported by
// appRobot.d.ts and index.d.ts; the methods are AppRobotSimulator's (appRobot.d.ts).

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

export interface MessageFilesOptions {
	/** How long a message's downloadCode works; default 24 hours (assumed: DingTalk only says it is temporary). */
	downloadCodeTtlMs?: number;
	/** How long a downloadUrl works; default 5 minutes (assumed). Its Expires is in whole seconds, rounded up. */
	downloadUrlTtlMs?: number;
}

/** What files() shows of a stored file (no bytes: compare sha256). */
export interface MessageFileInfo {
	/** The opaque code in the message (128 base64 characters, + and / included). */
	downloadCode: string;
	/** A picture's second code (for oapi's older API); the v1.0 download endpoint refuses it as unknown (assumed). */
	pictureDownloadCode: string | undefined;
	/** The robot it was sent to: messageFiles/download takes the code only with this robotCode. */
	robotCode: string;
	kind: 'picture' | 'audio' | 'video' | 'file';
	name: string;
	/** The Content-Type the storage host serves it with; default application/octet-stream (as DingTalk's storage). */
	mimeType: string;
	size: number;
	/** Hex SHA-256 of its bytes. */
	sha256: string;
	/** The message that carried it (a quoted file: the quoted message's msgId). */
	msgId: string | undefined;
	storedAt: number;
	/** When its downloadCode stops working. */
	expiresAt: number;
	expired: boolean;
	/** GETs on the storage host that got its whole body. */
	downloads: number;
}

export interface AddDownloadableFileOptions {
	bytes: Uint8Array;
	/** The robot it was sent to (an app's robotCode, by default its clientId). */
	robotCode: string;
	/** Default 'file.bin'. */
	name?: string;
	/** Served as Content-Type; default application/octet-stream. */
	mimeType?: string;
	/** Default 'file'. */
	kind?: 'picture' | 'audio' | 'video' | 'file';
	/** Default a fresh one. */
	downloadCode?: string;
	msgId?: string;
}

/** One downloadUrl handed out by messageFiles/download. */
export interface FileDownloadRecord {
	at: number;
	downloadCode: string;
	robotCode: string;
	/** The app whose token asked. */
	clientId: string;
	downloadUrl: string;
	/** When the URL stops working (ms). */
	expiresAt: number;
	/** Requests to the storage host with this URL's signature (a URL handed out again in the same second is the same URL: its requests count for the last record). */
	requests: number;
	/** Of them, GETs that got the whole body. */
	completed: number;
}

export type StorageFaultKind = 'forbidden' | 'notFound' | 'slow' | 'trickle' | 'drop' | 'redirect' | 'wrongLength';

/** A fault of the storage host, consumed per request. */
export type StorageFault =
	/** 403 AccessDenied (XML). */
	| { kind: 'forbidden' }
	/** 404 NoSuchKey (XML). */
	| { kind: 'notFound' }
	/** Waits delayMs before the first byte. */
	| { kind: 'slow'; delayMs: number }
	/** The body in chunkBytes pieces (default 1024) every intervalMs (default 50). */
	| { kind: 'trickle'; chunkBytes?: number; intervalMs?: number }
	/** The connection reset after afterBytes of the body (default half). */
	| { kind: 'drop'; afterBytes?: number }
	/** A redirect (default 302) to location, e.g. a plain-http URL on another port. */
	| { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
	/** Content-Length says contentLength (default size + 1024), the real body follows, then the connection closes. */
	| { kind: 'wrongLength'; contentLength?: number };

export interface StorageRequestRecord {
	at: number;
	method: string;
	/** Path and query as received. */
	url: string;
	path: string;
	/** Every header received, names in lower case: no access token should be among them. */
	headers: Record<string, string | string[] | undefined>;
	/** Of the file the path names, if any. */
	downloadCode: string | undefined;
	fault: StorageFaultKind | undefined;
	/** 'fault': answered by forbidden, notFound or redirect. */
	outcome: 'served' | 'expired' | 'badSignature' | 'unsigned' | 'notFound' | 'methodNotAllowed' | 'fault';
	/** null until the head was sent (e.g. while slow). */
	status: number | null;
	/** Body bytes written. */
	bytesSent: number;
	/** The whole answer was written as declared and the connection not cut. */
	complete: boolean;
}
