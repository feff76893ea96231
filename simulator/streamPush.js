// @ts-check
'use strict';

/**
 * What DingTalk's Stream gateway pushes on the connections of streamGateway.js:
 * - robot messages: a CALLBACK frame on topic `/v1.0/im/bot/messages/get` whose data is the body
 *   of the HTTP callback (incomingMessage.js) with a fresh session webhook; sent to ONE open
 *   connection of the app subscribed to that topic, chosen at random; fire-and-forget: with no
 *   connection it is lost (recorded undelivered), and it is never pushed again on its own;
 * - events: an EVENT frame (headers eventType, eventId, eventBornTime, eventCorpId) to one
 *   connection subscribed to EVENT `*`; pushed again while it is not ACKed with status SUCCESS;
 * - SYSTEM ping (the client echoes the data with code 200) and disconnect (no answer; DingTalk
 *   closes the connection about 10 s later), and an abrupt drop without any close frame;
 * - a reconnect storm: while it is on, every new connection is told to go (disconnect) as soon as
 *   it opens, as a broken gateway did in a review (a client that obeys at once piles up
 *   registrations and sockets).
 */

const crypto = require('node:crypto');
const { WebSocket } = require('ws');
const { checkNumber, isObject, optionalText } = require('./checks');
const { buildRobotMessage, checkRobotMessageOptions } = require('./incomingMessage');
const { ROBOT_TOPIC, EVENT_TOPIC, buildFrame, eventAckStatus, newMessageId, pickAtRandom } = require('./streamFrames');
const { CORP_ID } = require('./org');

/** Our choices, not documented by DingTalk: how long an event waits for its ACK, how often it is pushed again. */
const DEFAULT_EVENT_ACK_TIMEOUT_MS = 10_000;
const DEFAULT_EVENT_REDELIVERIES = 3;
const DEFAULT_PING_TIMEOUT_MS = 5_000;
/** "服务端在静默10s之后会主动断开 tcp 连接" (protocol.md). */
const DEFAULT_CLOSE_AFTER_MS = 10_000;

/** @typedef {import('./streamGateway').Connection} Connection */

/**
 * @typedef {object} PushRecord
 * @property {number} at
 * @property {string} clientId
 * @property {'robotMessage' | 'event'} kind
 * @property {string} messageId
 * @property {string | undefined} msgId robot messages
 * @property {string | undefined} eventId events
 * @property {number} attempt 1 for the first push of a frame, then 2, 3… (events pushed again, replays)
 * @property {string | null} connectionId null when no connection could take it
 * @property {boolean} delivered
 */

/**
 * @typedef {object} PingRecord
 * @property {number} at
 * @property {string} connectionId
 * @property {string} messageId
 * @property {string} opaque
 * @property {boolean} answered an answer came within the timeout
 * @property {boolean} pong it was code 200 echoing the ping's data
 * @property {number | undefined} answeredAt
 */

/**
 * @typedef {import('./incomingMessage').RobotMessageOptions & { messageId?: string, connectionId?: string }} PushRobotMessageOptions
 */

/**
 * @typedef {object} PushResult
 * @property {string} messageId
 * @property {string} msgId
 * @property {boolean} delivered
 * @property {string | null} connectionId
 * @property {import('./sessionWebhook').SessionInfo} session
 * @property {Record<string, unknown>} body the message (the frame's data, parsed)
 */

/**
 * @typedef {object} EventState
 * @property {string} clientId
 * @property {string} messageId
 * @property {Record<string, string>} headers
 * @property {unknown} data
 * @property {number} attempts
 * @property {boolean} settled ACKed with SUCCESS
 */

class StreamPushes {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ gateway: import('./streamGateway').StreamGateway, apps: import('./apps').Apps, sessions: import('./sessionWebhook').SessionWebhooks, random?: () => number, eventAckTimeoutMs?: number, eventRedeliveries?: number }} options
	 */
	constructor(server, { gateway, apps, sessions, random, eventAckTimeoutMs, eventRedeliveries }) {
		this._server = server;
		this._gateway = gateway;
		this._apps = apps;
		this._sessions = sessions;
		if (random !== undefined && typeof random !== 'function') throw new TypeError('random must be a function');
		this._random = random ?? Math.random;
		this._eventAckTimeoutMs = checkNumber(eventAckTimeoutMs ?? DEFAULT_EVENT_ACK_TIMEOUT_MS, 'stream.eventAckTimeoutMs', 1);
		this._eventRedeliveries = checkNumber(eventRedeliveries ?? DEFAULT_EVENT_REDELIVERIES, 'stream.eventRedeliveries', 0);
		/** @type {Set<NodeJS.Timeout>} */
		this._timers = new Set();
		/** @type {Set<() => void>} */
		this._pendingPings = new Set();
		/** @type {PushRecord[]} */
		this.pushes = [];
		/** @type {PingRecord[]} */
		this.pings = [];
		/** @type {{ closeAfterMs?: number, reason?: string } | false} */
		this._storm = false;
		gateway.onConnection((connection) => {
			if (this._storm) this.disconnect(connection.id, this._storm);
		});
		server.mount(this);
	}

	/**
	 * A reconnect storm: from now on every new connection gets a SYSTEM disconnect as soon as it
	 * opens, and is closed closeAfterMs later (default 10 000, as DingTalk); false ends it. The
	 * connections open when it starts are left alone (disconnect them to start the storm). Kept
	 * across reset().
	 * @param {{ closeAfterMs?: number, reason?: string } | false} storm
	 */
	setStorm(storm) {
		if (storm !== false && (typeof storm !== 'object' || storm === null)) throw new TypeError('setStreamStorm takes {closeAfterMs?, reason?} or false');
		if (storm) {
			checkNumber(storm.closeAfterMs ?? DEFAULT_CLOSE_AFTER_MS, 'closeAfterMs', 0);
			optionalText(storm.reason, 'reason');
		}
		this._storm = storm ? { ...storm } : false;
	}

	/**
	 * @param {() => void} fn
	 * @param {number} ms
	 */
	_later(fn, ms) {
		const timer = setTimeout(() => {
			this._timers.delete(timer);
			fn();
		}, ms);
		this._timers.add(timer);
	}

	/**
	 * Someone writes to the app's robot: a CALLBACK frame to one of its connections.
	 * @param {string} clientId
	 * @param {PushRobotMessageOptions} [options]
	 * @returns {PushResult}
	 */
	pushRobotMessage(clientId, options = {}) {
		const app = this._apps.require(clientId);
		checkRobotMessageOptions(options, 'pushRobotMessage');
		const messageId = optionalText(options.messageId, 'messageId');
		optionalText(options.connectionId, 'connectionId');
		const now = this._server.now();
		const { body, msgId, session, userEntry } = buildRobotMessage(options, {
			now,
			defaultRobotCode: app.robotCode,
			createSession: (o) => this._sessions.createSession(o),
			files: this._server.messageFiles,
		});
		this._server.timeline.push(userEntry);
		const result = { messageId: messageId ?? newMessageId(now, this._gateway.nextSequence()), msgId, session, body };
		return { ...result, ...this._pushCallback(clientId, result, 1, options.connectionId) };
	}

	/**
	 * The same frame again (same messageId, same data): the duplicate a robot must recognise.
	 * @param {PushResult} result
	 * @param {{ connectionId?: string }} [options]
	 * @returns {PushResult}
	 */
	replayRobotMessage(result, options = {}) {
		if (!isObject(result) || typeof result.messageId !== 'string' || !isObject(result.body)) {
			throw new TypeError('replayRobotMessage needs the result of pushRobotMessage');
		}
		const clientId = this.pushes.find((p) => p.messageId === result.messageId)?.clientId;
		if (clientId === undefined) throw new Error(`no robot message ${result.messageId} was pushed (since the last reset)`);
		const attempt = this.pushes.filter((p) => p.messageId === result.messageId).length + 1;
		return { ...result, ...this._pushCallback(clientId, result, attempt, options.connectionId) };
	}

	/**
	 * @param {string} clientId
	 * @param {{ messageId: string, msgId: string, body: Record<string, unknown> }} message
	 * @param {number} attempt
	 * @param {string | undefined} connectionId
	 * @returns {{ delivered: boolean, connectionId: string | null }}
	 */
	_pushCallback(clientId, { messageId, msgId, body }, attempt, connectionId) {
		const app = this._apps.require(clientId);
		const connection = pickAtRandom(this._gateway.subscribers(clientId, 'CALLBACK', ROBOT_TOPIC, connectionId), this._random);
		this.pushes.push({
			at: this._server.now(),
			clientId,
			kind: 'robotMessage',
			messageId,
			msgId,
			eventId: undefined,
			attempt,
			connectionId: connection?.id ?? null,
			delivered: connection !== undefined,
		});
		if (!connection) return { delivered: false, connectionId: null };
		const headers = { appId: app.appId, connectionId: connection.id, messageId, topic: ROBOT_TOPIC };
		this._gateway.send(connection, buildFrame('CALLBACK', headers, this._server.now(), body), 'robotMessage');
		return { delivered: true, connectionId: connection.id };
	}

	/**
	 * An event of the app (chosen in the developer console, so every EVENT `*` subscriber takes
	 * it): pushed to one connection, and again every eventAckTimeoutMs while not ACKed SUCCESS.
	 * @param {string} clientId
	 * @param {{ eventType: string, data?: unknown, eventId?: string, eventCorpId?: string, eventBornTime?: number, messageId?: string }} options
	 * @returns {{ messageId: string, eventId: string, delivered: boolean, connectionId: string | null }}
	 */
	pushEvent(clientId, options) {
		const app = this._apps.require(clientId);
		if (!isObject(options)) throw new TypeError('pushEvent needs an options object');
		const eventType = optionalText(options.eventType, 'eventType');
		if (eventType === undefined) throw new TypeError('pushEvent needs an eventType');
		const now = this._server.now();
		const messageId = optionalText(options.messageId, 'messageId') ?? newMessageId(now, this._gateway.nextSequence());
		const eventId = optionalText(options.eventId, 'eventId') ?? crypto.randomBytes(16).toString('hex');
		/** @type {EventState} */
		const event = {
			clientId,
			messageId,
			headers: {
				appId: app.appId,
				messageId,
				topic: EVENT_TOPIC,
				eventType,
				eventId,
				eventBornTime: String(options.eventBornTime ?? now),
				eventCorpId: optionalText(options.eventCorpId, 'eventCorpId') ?? CORP_ID,
				eventUnifiedAppId: app.appId,
			},
			data: options.data ?? {},
			attempts: 0,
			settled: false,
		};
		const connectionId = this._pushEvent(event);
		return { messageId, eventId, delivered: connectionId !== null, connectionId };
	}

	/**
	 * One attempt; schedules the next one unless the event gets settled first.
	 * @param {EventState} event
	 * @returns {string | null} the connection that got it
	 */
	_pushEvent(event) {
		event.attempts++;
		const connection = pickAtRandom(this._gateway.subscribers(event.clientId, 'EVENT', EVENT_TOPIC), this._random);
		this.pushes.push({
			at: this._server.now(),
			clientId: event.clientId,
			kind: 'event',
			messageId: event.messageId,
			msgId: undefined,
			eventId: event.headers.eventId,
			attempt: event.attempts,
			connectionId: connection?.id ?? null,
			delivered: connection !== undefined,
		});
		if (connection) {
			const frame = buildFrame('EVENT', { ...event.headers, connectionId: connection.id }, this._server.now(), event.data);
			this._gateway.send(connection, frame, 'event', (record) => {
				const checked = eventAckStatus(record.data);
				if ('error' in checked) {
					record.valid = false;
					record.error = checked.error;
					return;
				}
				record.status = checked.status;
				if (record.code === 200 && checked.status === 'SUCCESS') event.settled = true;
			});
		}
		if (event.attempts > this._eventRedeliveries) return connection?.id ?? null;
		this._later(() => {
			if (!event.settled) this._pushEvent(event);
		}, this._eventAckTimeoutMs);
		return connection?.id ?? null;
	}

	/**
	 * SYSTEM ping to each open connection of the target; resolves once each answered or timed out.
	 * @param {string} target a connection id or a clientId
	 * @param {{ timeoutMs?: number }} [options]
	 * @returns {Promise<PingRecord[]>}
	 */
	ping(target, options = {}) {
		const timeoutMs = checkNumber(options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS, 'timeoutMs', 1);
		const connections = this._gateway.resolve(target).filter((c) => c.ws.readyState === WebSocket.OPEN);
		return Promise.all(connections.map((c) => this._ping(c, timeoutMs)));
	}

	/**
	 * @param {Connection} connection
	 * @param {number} timeoutMs
	 * @returns {Promise<PingRecord>}
	 */
	_ping(connection, timeoutMs) {
		const now = this._server.now();
		const messageId = newMessageId(now, this._gateway.nextSequence());
		const opaque = crypto.randomUUID();
		/** @type {PingRecord} */
		const record = { at: now, connectionId: connection.id, messageId, opaque, answered: false, pong: false, answeredAt: undefined };
		this.pings.push(record);
		const frame = buildFrame('SYSTEM', { messageId, topic: 'ping' }, now, { opaque });
		return new Promise((resolve) => {
			let done = false;
			const finish = () => {
				done = true;
				clearTimeout(timer);
				this._timers.delete(timer);
				this._pendingPings.delete(finish);
				resolve(record);
			};
			const timer = setTimeout(finish, timeoutMs);
			this._timers.add(timer);
			this._pendingPings.add(finish);
			this._gateway.send(connection, frame, 'ping', (ack) => {
				const pong = ack.code === 200 && sameOpaque(ack.data, opaque);
				if (!pong) {
					ack.valid = false;
					ack.error = 'a pong is code 200 with the ping data echoed';
				}
				// an answer after the timeout or a second one is recorded in acks, not as the pong
				if (done || ack.duplicate) return;
				Object.assign(record, { answered: true, answeredAt: ack.at, pong });
				finish();
			});
		});
	}

	/**
	 * SYSTEM disconnect, then the connection is closed closeAfterMs later. Nothing more is pushed to
	 * a connection that was told to go.
	 * @param {string} target a connection id or a clientId
	 * @param {{ closeAfterMs?: number, reason?: string }} [options]
	 * @returns {{ connectionIds: string[], closed: Promise<void> }}
	 */
	disconnect(target, options = {}) {
		const closeAfterMs = checkNumber(options.closeAfterMs ?? DEFAULT_CLOSE_AFTER_MS, 'closeAfterMs', 0);
		const reason = optionalText(options.reason, 'reason') ?? 'persistent connection is timeout';
		const connections = this._gateway.resolve(target);
		const closed = connections.map((c) => {
			const now = this._server.now();
			const frame = buildFrame('SYSTEM', { messageId: newMessageId(now, this._gateway.nextSequence()), topic: 'disconnect' }, now, { reason });
			if (c.ws.readyState === WebSocket.OPEN) this._gateway.send(c, frame, 'disconnect');
			this._gateway.markClosing(c, 'disconnect');
			this._later(() => this._gateway.close(c), closeAfterMs);
			return new Promise((resolve) => {
				if (c.ws.readyState === WebSocket.CLOSED) resolve(undefined);
				else c.ws.once('close', () => resolve(undefined));
			});
		});
		return { connectionIds: connections.map((c) => c.id), closed: Promise.all(closed).then(() => undefined) };
	}

	/**
	 * Destroys the sockets without a close frame, as a connection that dies in the network.
	 * @param {string} target a connection id or a clientId
	 * @returns {string[]} the connections dropped
	 */
	drop(target) {
		const connections = this._gateway.resolve(target);
		for (const c of connections) this._gateway.drop(c, 'drop');
		return connections.map((c) => c.id);
	}

	/** Clears records, stops pending redeliveries and ends waiting pings (unanswered). */
	reset() {
		this._stopTimers();
		this.pushes = [];
		this.pings = [];
	}

	stop() {
		this._stopTimers();
	}

	_stopTimers() {
		for (const timer of this._timers) clearTimeout(timer);
		this._timers.clear();
		for (const finish of [...this._pendingPings]) finish();
	}
}

/**
 * @param {unknown} data the pong's data string
 * @param {string} opaque
 */
function sameOpaque(data, opaque) {
	if (typeof data !== 'string') return false;
	try {
		const parsed = JSON.parse(data);
		return isObject(parsed) && parsed.opaque === opaque;
	} catch {
		return false;
	}
}

module.exports = { StreamPushes };
