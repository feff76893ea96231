// @ts-check
'use strict';

/**
 * The app-robot half of the facade DingTalkSimulator (index.js extends it): the app robots
 * (apps.js), the Stream gateway (streamGateway.js, streamPush.js), the organization they send
 * into (org.js) and the OpenAPI: the access token (openapi.js), what every call goes through
 * (openApiGate.js: token, permission, QPS, latency, faults), the robot's messages
 * (robotMessages.js), media uploads (media.js), and the files people send the robot
 * (messageFiles.js: the registry and messageFiles/download) on DingTalk's storage, a listener of
 * its own (storageHost.js). It builds those surfaces on the simulator's server and delegates to
 * them; the webhook, the session webhooks and the callbacks stay in index.js.
 */

const { Apps } = require('./apps');
const { Org } = require('./org');
const { StreamGateway } = require('./streamGateway');
const { StreamPushes } = require('./streamPush');
const { OpenApi } = require('./openapi');
const { OpenApiGate } = require('./openApiGate');
const { RobotMessages } = require('./robotMessages');
const { MediaUploads } = require('./media');
const { MessageFiles } = require('./messageFiles');
const { StorageHost } = require('./storageHost');

/**
 * @typedef {object} OpenApiOptions
 * @property {number} [accessTokenTtlMs] DingTalk: 7 200 000 (expireIn 7200)
 * @property {number} [latencyMs] every OpenAPI answer waits this long; default 0
 * @property {number | false} [qpsLimit] calls per second per app and API; DingTalk: 20; false: none
 */

/**
 * @typedef {object} MessageFilesOptions
 * @property {number} [downloadCodeTtlMs] how long a message's downloadCode works; default 24 hours (assumed)
 * @property {number} [downloadUrlTtlMs] how long a downloadUrl works; default 5 minutes (assumed)
 */

/**
 * @typedef {object} AppRobotOptions
 * @property {import('./sessionWebhook').SessionWebhooks} sessions the session webhooks a pushed robot message gets
 * @property {() => number} [random] in [0, 1): which Stream connection gets a push; default Math.random
 * @property {{ ticketTtlMs?: number, eventAckTimeoutMs?: number, eventRedeliveries?: number }} [stream]
 * @property {OpenApiOptions} [openapi]
 * @property {MessageFilesOptions} [files]
 */

class AppRobotSimulator {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {AppRobotOptions} options
	 */
	constructor(server, { sessions, random, stream = {}, openapi = {}, files = {} }) {
		this._apps = new Apps();
		this._gateway = new StreamGateway(server, { apps: this._apps, ticketTtlMs: stream.ticketTtlMs });
		this._stream = new StreamPushes(server, {
			gateway: this._gateway,
			apps: this._apps,
			sessions,
			random,
			eventAckTimeoutMs: stream.eventAckTimeoutMs,
			eventRedeliveries: stream.eventRedeliveries,
		});
		this._org = new Org();
		const verifyToken = (/** @type {string} */ token, /** @type {number} */ now) => this._openApi.verify(token, now);
		this._gate = new OpenApiGate(server, { verifyToken, latencyMs: openapi.latencyMs, qpsLimit: openapi.qpsLimit });
		this._openApi = new OpenApi(server, {
			apps: this._apps,
			accessTokenTtlMs: openapi.accessTokenTtlMs,
			reply: (res, status, json) => this._gate.reply(res, status, json),
		});
		this._media = new MediaUploads(server, { gate: this._gate, verifyToken });
		this._robotMessages = new RobotMessages(server, {
			gate: this._gate,
			apps: this._apps,
			org: this._org,
			mediaExists: (mediaId) => this._media.has(mediaId),
		});
		this._storage = new StorageHost(server);
		this._messageFiles = new MessageFiles(server, { gate: this._gate, apps: this._apps, storage: this._storage, ...files });
	}

	// --- app robots (apps.js) and the Stream gateway (streamGateway.js, streamPush.js) ---

	/**
	 * Adds an app robot (Client ID and Secret); adding a clientId again replaces it.
	 * @param {import('./apps').AppOptions} options
	 */
	addApp(options) {
		return this._apps.add(options);
	}

	/**
	 * Grants an app exactly these permission scopes (or 'all') from now on.
	 * @param {string} clientId
	 * @param {string[] | 'all'} scopes
	 */
	setAppPermissions(clientId, scopes) {
		return this._apps.setPermissions(clientId, scopes);
	}

	/** Every POST to connections/open since construction or reset(), in order (a copy of the list). */
	streamOpenRequests() {
		return [...this._gateway.registration.openRequests];
	}

	/** Every WebSocket upgrade to /connect, accepted or refused (a copy of the list). */
	streamConnectAttempts() {
		return [...this._gateway.connectAttempts];
	}

	/**
	 * The connections not closed yet, of one app or of all.
	 * @param {string} [clientId]
	 */
	streamConnections(clientId) {
		return this._gateway.list(clientId);
	}

	/**
	 * The connections that closed since the last reset, with who closed them and the close code
	 * (1000 from a client that closed properly, 1006 when the TCP connection just ended).
	 * @param {string} [clientId]
	 */
	streamClosedConnections(clientId) {
		return this._gateway.listClosed(clientId);
	}

	/** Every answer a client sent on a Stream connection, valid or not (a copy of the list). */
	streamAcks() {
		return [...this._gateway.acks];
	}

	/** Every push of a robot message or an event, with the connection that got it (a copy of the list). */
	streamPushes() {
		return [...this._stream.pushes];
	}

	/** Every ping sent, with whether its pong came (a copy of the list). */
	streamPings() {
		return [...this._stream.pings];
	}

	/**
	 * @param {string} clientId
	 * @param {import('./streamPush').PushRobotMessageOptions} [options]
	 */
	pushRobotMessage(clientId, options) {
		return this._stream.pushRobotMessage(clientId, options);
	}

	/**
	 * @param {import('./streamPush').PushResult} result
	 * @param {{ connectionId?: string }} [options]
	 */
	replayRobotMessage(result, options) {
		return this._stream.replayRobotMessage(result, options);
	}

	/**
	 * @param {string} clientId
	 * @param {{ eventType: string, data?: unknown, eventId?: string, eventCorpId?: string, eventBornTime?: number, messageId?: string }} options
	 */
	pushEvent(clientId, options) {
		return this._stream.pushEvent(clientId, options);
	}

	/**
	 * @param {string} target a connection id or a clientId (all its connections)
	 * @param {{ timeoutMs?: number }} [options]
	 */
	streamPing(target, options) {
		return this._stream.ping(target, options);
	}

	/**
	 * @param {string} target a connection id or a clientId (all its connections)
	 * @param {{ closeAfterMs?: number, reason?: string }} [options]
	 */
	streamDisconnect(target, options) {
		return this._stream.disconnect(target, options);
	}

	/** @param {string} target a connection id or a clientId (all its connections) */
	streamDrop(target) {
		return this._stream.drop(target);
	}

	/** @param {boolean | 'reset'} down */
	setGatewayDown(down) {
		this._gateway.registration.setDown(down);
	}

	/**
	 * The most connections of the app open at once since the last reset (those told to go count
	 * until they are closed).
	 * @param {string} clientId
	 */
	streamPeakConnections(clientId) {
		return this._gateway.peakConnections(clientId);
	}

	/**
	 * A reconnect storm: every new connection is told to go as soon as it opens; false ends it.
	 * @param {{ closeAfterMs?: number, reason?: string } | false} storm
	 */
	setStreamStorm(storm) {
		this._stream.setStorm(storm);
	}

	/**
	 * Queues answers to connections/open (FIFO), each instead of the next registration's answer.
	 * @param {import('./streamOpen').OpenFault[]} faults
	 */
	injectStreamOpenFaults(faults) {
		this._gateway.registration.injectFaults(faults);
	}

	/**
	 * The WebSocket endpoint handed out with tickets from now on; undefined: the simulator's own.
	 * @param {string | undefined} endpoint
	 */
	setStreamEndpoint(endpoint) {
		this._gateway.registration.setEndpoint(endpoint);
	}

	// --- the OpenAPI (openapi.js) ---

	/** Every POST to /v1.0/oauth2/accessToken since construction or reset(), in order (a copy of the list). */
	accessTokenRequests() {
		return [...this._openApi.tokenRequests];
	}

	/** Every access token issued since construction or reset(), with whether it has expired. */
	accessTokens() {
		return this._openApi.tokens();
	}

	/**
	 * Expires every access token (or those of one app) from now() on.
	 * @param {string} [clientId]
	 * @returns {number} how many valid tokens were expired
	 */
	expireAccessTokens(clientId) {
		return this._openApi.expire(clientId);
	}

	/** @param {number} ms how long access tokens issued from now on live (DingTalk: 7200 s) */
	setAccessTokenTtl(ms) {
		this._openApi.setTokenTtl(ms);
	}

	/**
	 * Decides a fault (a redirect) for each request to the token endpoint, by its index since
	 * reset(); undefined answers it as DingTalk does.
	 * @param {((requestIndex: number) => import('./openapi').AccessTokenFault | undefined) | undefined} policy
	 */
	setAccessTokenFaultPolicy(policy) {
		this._openApi.faults.setPolicy(policy);
	}

	/** @param {import('./org').GroupOptions} [options] */
	addGroup(options) {
		return this._org.addGroup(options);
	}

	/** @param {import('./org').UserOptions} options */
	addUser(options) {
		return this._org.addUser(options);
	}

	/** Every call to the OpenAPI behind the gate (messages, recalls, file downloads, cards) since construction or reset(), in order (a copy of the list). */
	openApiRequests() {
		return [...this._gate.requests];
	}

	/** @param {string} openConversationId */
	groupMessages(openConversationId) {
		return this._robotMessages.groupMessages(openConversationId);
	}

	/** @param {string} userId */
	userMessages(userId) {
		return this._robotMessages.userMessages(userId);
	}

	/** Every POST to oapi's /media/upload since construction or reset(), accepted or not (a copy of the list). */
	mediaUploads() {
		return [...this._media.uploads];
	}

	/** Every recall answered with per-message results (a copy of the list). */
	recalls() {
		return structuredClone(this._robotMessages.recalls);
	}

	/**
	 * Queues faults; each call to the OpenAPI behind the gate (messages, cards, …) consumes the next one (FIFO).
	 * @param {import('./openApiGate').OpenApiFault[]} faults
	 */
	injectOpenApiFaults(faults) {
		this._gate.faults.inject(faults);
	}

	/** @param {((requestIndex: number) => import('./openApiGate').OpenApiFault | undefined) | undefined} policy */
	setOpenApiFaultPolicy(policy) {
		this._gate.faults.setPolicy(policy);
	}

	/** @param {number} ms every OpenAPI answer waits this long from now on */
	setOpenApiLatency(ms) {
		this._gate.setLatency(ms);
	}

	/** @param {number | false} limit calls per second per app and API; false: none */
	setOpenApiQpsLimit(limit) {
		this._gate.setQpsLimit(limit);
	}

	// --- files people send the robot (messageFiles.js) and DingTalk's storage (storageHost.js) ---

	/** `http://127.0.0.1:PORT` of the storage host (another port than baseUrl) once started, else undefined. */
	get storageBaseUrl() {
		return this._storage.baseUrl;
	}

	/** `127.0.0.1:PORT` of the storage host once started: what a credential lists as a plain-http host for downloads. */
	get storageHost() {
		const base = this._storage.baseUrl;
		return base ? new URL(base).host : undefined;
	}

	/**
	 * Stores a file a robot may download though no simulated message carried it (a downloadCode
	 * "found later"); returns what files() shows of it, with its downloadCode.
	 * @param {{ bytes: Uint8Array, robotCode: string, name?: string, mimeType?: string, kind?: 'picture' | 'audio' | 'video' | 'file', downloadCode?: string, msgId?: string }} options
	 */
	addDownloadableFile(options) {
		return this._messageFiles.add(options);
	}

	/** Every file stored (by messages and addDownloadableFile) since construction or reset(), without the bytes. */
	files() {
		return this._messageFiles.list();
	}

	/** Every downloadUrl messageFiles/download handed out since construction or reset(), with its fetches. */
	fileDownloads() {
		return this._messageFiles.downloads();
	}

	/** Every request to the storage host since construction or reset(), with all its headers (a copy of the list). */
	storageRequests() {
		return [...this._storage.requests];
	}

	/**
	 * Queues faults; each request to the storage host consumes the next one (FIFO).
	 * @param {import('./storageHost').StorageFault[]} faults
	 */
	injectStorageFaults(faults) {
		this._storage.injectFaults(faults);
	}

	/** @param {((requestIndex: number) => import('./storageHost').StorageFault | undefined) | undefined} policy */
	setStorageFaultPolicy(policy) {
		this._storage.faults.setPolicy(policy);
	}

	/**
	 * Expires the downloadCode of one file, or of every file, from now() on (URLs already handed out still work until theirs expire).
	 * @param {string} [downloadCode]
	 * @returns {number} how many codes that still worked were expired
	 */
	expireDownloadCodes(downloadCode) {
		return this._messageFiles.expire(downloadCode);
	}
}

module.exports = { AppRobotSimulator };
