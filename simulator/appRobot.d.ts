// Hand-written declarations of the app-robot surfaces of the simulator: apps (apps.js), the Stream
// gateway (streamOpen.js, streamGateway.js, streamPush.js), and the app-robot half of the facade
// (appRobotFacade.js, AppRobotSimulator, which DingTalkSimulator extends). The OpenAPI's types are
// in openApi.d.ts. Re-exported by index.d.ts.

import type { ConversationOptions, SessionInfo } from './index';
import type {
	AccessTokenRecord,
	AccessTokenInfo,
	GroupOptions,
	Group,
	UserOptions,
	User,
	OpenApiFault,
	AccessTokenFault,
	OpenApiRequestRecord,
	GroupMessageRecord,
	UserMessageRecord,
	RecallRecord,
	MediaUploadRecord,
	MessageFileInfo,
	AddDownloadableFileOptions,
	FileDownloadRecord,
	StorageFault,
	StorageRequestRecord,
} from './openApi';

export type * from './openApi';

export interface AppOptions {
	/** Client ID (formerly AppKey). */
	clientId: string;
	/** Client Secret (formerly AppSecret). */
	clientSecret: string;
	/** The robot's code; default the clientId (as for an enterprise internal app). */
	robotCode?: string;
	/** `appId` in Stream frame headers; default a random UUID. */
	appId?: string;
	/** The permission scopes (权限点) granted, e.g. 'qyapi_robot_sendmsg'; default 'all'. */
	permissions?: string[] | 'all';
}

export interface App {
	clientId: string;
	clientSecret: string;
	robotCode: string;
	appId: string;
	permissions: string[] | 'all';
}

export interface StreamOptions {
	/** Life of a connections/open ticket; DingTalk: 90 000 ms. */
	ticketTtlMs?: number;
	/** How long an event waits for an ACK with status SUCCESS before it is pushed again; default 10 000 ms (our choice). */
	eventAckTimeoutMs?: number;
	/** How many times an event is pushed again at most; default 3 (our choice). */
	eventRedeliveries?: number;
}

/** An answer to connections/open instead of the rules': `body` as JSON, or built from the request's JSON body (a proxy echoing it). */
export interface StreamOpenFault {
	status: number;
	body: ((request: Record<string, unknown> | undefined) => unknown) | Record<string, unknown> | unknown[] | string | number | boolean | null;
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
	/** 'fault': answered by injectStreamOpenFaults. */
	outcome: 'ticketIssued' | 'authFailed' | 'invalidSubscriptions' | 'missingBody' | 'methodNotAllowed' | 'gatewayDown' | 'fault';
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

export type IncomingMsgtype = 'text' | 'picture' | 'richText' | 'audio' | 'video' | 'file';

/** A file someone sends the robot; stored under a fresh downloadCode for the robot the message goes to. */
export interface MessageFileInput {
	bytes: Uint8Array;
	/** Shown on the group page; a file message's fileName. Default the kind's: picture.png, voice.amr, video.mp4, report.pdf. */
	name?: string;
	/** The Content-Type the storage host serves it with; default application/octet-stream (as DingTalk's storage). */
	mimeType?: string;
}

/** A part of a richText message: `{text}` in the body, or a picture (`{type: 'picture', downloadCode, pictureDownloadCode}`). */
export type RichTextPartOption = { text: string } | { picture: MessageFileInput };

/** What a message says, by msgtype; each field only with its msgtypes (others throw). */
export interface MessageContentOptions {
	/** Default 'text'. Any other msgtype (interactiveCard, unknownMsgType, …) carries `content` as given. audio, video and file throw in a group: DingTalk delivers them one-to-one only. */
	msgtype?: IncomingMsgtype | (string & {});
	/** text: what was typed after the @mention; default 'ping'. Sent as `' ' + text` when the robot is mentioned. */
	text?: string;
	/** picture, audio, video, file; default a small file of its kind. */
	file?: MessageFileInput;
	/** audio: DingTalk's speech to text; left out unless given. */
	recognition?: string;
	/** audio (left out unless given), video (default 5000): ms; a string is passed as given (some deliveries carry one). */
	duration?: number | string;
	/** video; default the file name's extension, else 'mp4'. */
	videoType?: string;
	/** richText, in order; default [{text: 'ping'}, a picture]. */
	parts?: RichTextPartOption[];
	/** Any other msgtype: the content object; default {}. */
	content?: Record<string, unknown>;
}

/**
 * The message a reply quotes (msgtype text only): `text.isReplyMsg` and `text.repliedMsg
 * {msgType, msgId, senderId, createdAt, content}`, content `{text}` or the quoted msgtype's content
 * (a quoted file is stored and downloadable). Shapes partly unconfirmed (third-party code only).
 * msgtype defaults to picture with a file, richText with parts, else text.
 */
export interface QuoteOptions extends MessageContentOptions {
	/** Default 'msg' + random hex. */
	msgId?: string;
	/** Default another person's id; with fromRobot the robot's chatbotUserId. */
	senderId?: string;
	/** Default now() - 60 s. */
	createdAt?: number;
	/** The quoted message was the robot's own: the body gets originalMsgId (the quoted msgId) and originalProcessQueryKey (given, or random). */
	fromRobot?: boolean | { processQueryKey?: string };
}

/** What the message says and who wrote it where; shared with CallbackOptions. */
export interface RobotMessageOptions extends MessageContentOptions {
	/** A reply quoting an earlier message (msgtype text). */
	quote?: QuoteOptions;
	/** `content` as its JSON text instead of an object, as some deliveries carry it (not for text). */
	contentAsString?: boolean;
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

/** The app-robot half of DingTalkSimulator (appRobotFacade.js). */
export declare class AppRobotSimulator {
	// --- app robots and the Stream gateway ---
	/** Adds an app robot; adding a clientId again replaces it. Returns a copy. */
	addApp(options: AppOptions): App;
	/** Grants exactly these scopes (or 'all') from now on, to tokens already issued too. Throws for an unknown app. */
	setAppPermissions(clientId: string, scopes: string[] | 'all'): App;
	/** Every POST to /v1.0/gateway/connections/open since construction or reset() (a copy of the list). */
	streamOpenRequests(): StreamOpenRecord[];
	/** Every WebSocket upgrade to /connect, accepted or refused (a copy of the list). */
	streamConnectAttempts(): StreamConnectRecord[];
	/** The connections not closed yet, of one app or of all. */
	streamConnections(clientId?: string): StreamConnectionInfo[];
	/** The connections closed since the last reset, with who closed them and the WebSocket close code (1006: no close frame). */
	streamClosedConnections(clientId?: string): StreamClosedConnectionInfo[];
	/** Every answer a client sent on a connection, valid or not (a copy of the list). */
	streamAcks(): StreamAckRecord[];
	/** Every push of a robot message or an event (a copy of the list). */
	streamPushes(): StreamPushRecord[];
	/** Every ping sent (a copy of the list). */
	streamPings(): StreamPingRecord[];
	/**
	 * Someone writes to the app's robot: a CALLBACK frame (topic /v1.0/im/bot/messages/get) with the
	 * HTTP callback's body and a fresh session webhook, to ONE open subscribed connection chosen at
	 * random. Without one it is lost (delivered false). Throws for an unknown app.
	 */
	pushRobotMessage(clientId: string, options?: PushRobotMessageOptions): PushRobotMessageResult;
	/** The same frame again (same messageId and data), to a connection chosen again. */
	replayRobotMessage(result: PushRobotMessageResult, options?: { connectionId?: string }): PushRobotMessageResult;
	/** An EVENT frame to one connection subscribed to EVENT *; pushed again while not ACKed SUCCESS. */
	pushEvent(clientId: string, options: PushEventOptions): PushEventResult;
	/** SYSTEM ping to a connection, or to every connection of an app; resolves when each answered or timed out (default 5 000 ms). */
	streamPing(target: string, options?: { timeoutMs?: number }): Promise<StreamPingRecord[]>;
	/** SYSTEM disconnect (data {reason}), then the connection is closed closeAfterMs later (default 10 000). */
	streamDisconnect(target: string, options?: { closeAfterMs?: number; reason?: string }): { connectionIds: string[]; closed: Promise<void> };
	/** Destroys the sockets without a close frame; returns the connection ids. */
	streamDrop(target: string): string[];
	/** true: connections/open and upgrades answer 503; 'reset': the request is cut; false: up. */
	setGatewayDown(down: boolean | 'reset'): void;
	/** The most connections of the app open at once since the last reset (those told to go count until closed). */
	streamPeakConnections(clientId: string): number;
	/** A reconnect storm: every new connection gets a disconnect as soon as it opens (closed closeAfterMs later, default 10 000); false ends it. Kept across reset(). */
	setStreamStorm(storm: { closeAfterMs?: number; reason?: string } | false): void;
	/** FIFO: each registration (connections/open) takes the next fault instead of its answer; no ticket is issued. Cleared by reset(). */
	injectStreamOpenFaults(faults: StreamOpenFault[]): void;
	/** The WebSocket endpoint handed out with tickets from now on; undefined: the simulator's own. Kept across reset(). */
	setStreamEndpoint(endpoint: string | undefined): void;

	// --- the OpenAPI ---
	/** Every POST to /v1.0/oauth2/accessToken since construction or reset() (a copy of the list). */
	accessTokenRequests(): AccessTokenRecord[];
	/** Every access token issued since construction or reset(), with whether it has expired. */
	accessTokens(): AccessTokenInfo[];
	/** Expires every access token (or those of one app) from now() on; returns how many valid ones it expired. */
	expireAccessTokens(clientId?: string): number;
	/** How long access tokens issued from now on live (DingTalk: 7200 s). */
	setAccessTokenTtl(ms: number): void;
	/** Decides a fault (a redirect) for each token request, by its index since reset(); undefined: none. */
	setAccessTokenFaultPolicy(policy: ((requestIndex: number) => AccessTokenFault | undefined) | undefined): void;

	/** Adds a group chat (robots in it by robotCode); again with the same openConversationId replaces it, its messages stay. */
	addGroup(options?: GroupOptions): Group;
	/** Adds a member of the org; again with the same userId replaces it. */
	addUser(options: UserOptions): User;
	/** Every call to the robot APIs (send, batchSend, recall, batchRecall, messageFiles/download) since construction or reset(), in order. */
	openApiRequests(): OpenApiRequestRecord[];
	/** The messages sent to a group through the OpenAPI, in order, with whether each was recalled (deep copies; [] when none). */
	groupMessages(openConversationId: string): GroupMessageRecord[];
	/** The one-to-one messages a user got through the OpenAPI, in order (deep copies; [] when none). */
	userMessages(userId: string): UserMessageRecord[];
	/** Every recall answered 200, with its per-message results (deep copies). */
	recalls(): RecallRecord[];
	/** Every request to oapi's /media/upload, accepted or not (also in `requests`, without its bytes). */
	mediaUploads(): MediaUploadRecord[];
	/** FIFO: each call to the robot message APIs consumes the next fault (media upload takes injectFaults'). */
	injectOpenApiFaults(faults: OpenApiFault[]): void;
	/** Decides a fault for every robot API call that finds the queue empty; undefined turns it off. */
	setOpenApiFaultPolicy(policy: ((requestIndex: number) => OpenApiFault | undefined) | undefined): void;
	/** Every OpenAPI answer waits this long from now on (0: none). */
	setOpenApiLatency(ms: number): void;
	/** Calls per second per app and API; false: no limit. */
	setOpenApiQpsLimit(limit: number | false): void;

	// --- files people send the robot, and DingTalk's storage ---
	/** `http://127.0.0.1:PORT` of the storage host (a listener of its own, another port than baseUrl) once started, else undefined. */
	readonly storageBaseUrl: string | undefined;
	/** `127.0.0.1:PORT` of the storage host once started: what a credential lists as a plain-http host for downloads. */
	readonly storageHost: string | undefined;
	/** Stores a file a robot may download though no simulated message carried it (a code "found later"). */
	addDownloadableFile(options: AddDownloadableFileOptions): MessageFileInfo;
	/** Every file stored (by messages and addDownloadableFile) since construction or reset(), in order, without the bytes. */
	files(): MessageFileInfo[];
	/** Every downloadUrl POST /v1.0/robot/messageFiles/download handed out since construction or reset(), with its fetches. */
	fileDownloads(): FileDownloadRecord[];
	/** Every request to the storage host since construction or reset(), with all its headers. */
	storageRequests(): StorageRequestRecord[];
	/** FIFO: each request to the storage host consumes the next fault. Cleared by reset(). */
	injectStorageFaults(faults: StorageFault[]): void;
	/** Decides a fault for every storage request that finds the queue empty; undefined turns it off. */
	setStorageFaultPolicy(policy: ((requestIndex: number) => StorageFault | undefined) | undefined): void;
	/** Expires the downloadCode of one file, or of all, from now() on (URLs handed out still work until theirs expire); returns how many working codes it expired. */
	expireDownloadCodes(downloadCode?: string): number;
}
