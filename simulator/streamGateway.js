// @ts-check
'use strict';

/**
 * DingTalk's Stream gateway (Stream 模式) once an app robot registered (streamOpen.js): the
 * WebSocket `${endpoint}?ticket=…` (步骤二：建立 WebSocket 连接, open-dingtalk/developerpedia
 * docs/learn/stream/protocol.md). It refuses a missing, unknown, used or expired ticket, keeps
 * several connections per app with the topics each subscribed to, sends frames and matches every
 * answer a client sends (`{code, headers: {messageId, contentType}, message, data}`) to the frame
 * it answers, recording it, valid or not. What is pushed lives in streamPush.js
 * (and cardCallbacks.js: the clicks on cards).
 */

const crypto = require('node:crypto');
const { WebSocket, WebSocketServer } = require('ws');
const { refuseUpgrade } = require('./server');
const { StreamRegistration } = require('./streamOpen');
const { isSubscribed, parseAck } = require('./streamFrames');

const CONNECT_PATH = '/connect';

/**
 * @typedef {object} ConnectRecord
 * @property {number} at
 * @property {string | null} ticket
 * @property {import('./streamOpen').RedeemOutcome | 'gatewayDown'} outcome
 * @property {string | undefined} clientId
 * @property {string | undefined} connectionId
 */

/**
 * @typedef {object} AckRecord
 * @property {number} at
 * @property {string} connectionId
 * @property {string} clientId
 * @property {string} raw the text received
 * @property {boolean} valid the shape is DingTalk's and it answers a frame sent on this connection
 * @property {string | undefined} error why it is invalid
 * @property {'robotMessage' | 'event' | 'ping' | 'disconnect' | 'cardCallback' | undefined} kind what it answers
 * @property {number | undefined} code
 * @property {string | undefined} messageId
 * @property {unknown} message
 * @property {unknown} data
 * @property {'SUCCESS' | 'LATER' | undefined} status of an event ACK (from data)
 * @property {boolean} duplicate a second answer to the same frame
 */

/**
 * @typedef {object} SentFrame
 * @property {AckRecord['kind']} kind
 * @property {string} data the frame's data string
 * @property {boolean} answered
 * @property {((record: AckRecord) => void) | undefined} onAnswer
 */

/**
 * @typedef {object} Connection
 * @property {string} id
 * @property {import('./apps').App} app
 * @property {import('./streamFrames').Subscription[]} subscriptions
 * @property {number} openedAt
 * @property {number | undefined} remotePort the client's TCP port (which process opened it: the queue-mode e2e asks the OS)
 * @property {'open' | 'closing' | 'closed'} state closing: a disconnect was sent
 * @property {number | undefined} closedAt
 * @property {'client' | 'disconnect' | 'drop' | 'stop' | undefined} closeReason
 * @property {number | undefined} closeCode the WebSocket close code (1006: the TCP connection ended without a close frame)
 * @property {number} framesReceived frames the client was sent on this connection
 * @property {number} framesAcked frames it answered (valid answers, once per frame)
 * @property {import('ws').WebSocket} ws
 * @property {Map<string, SentFrame>} sent
 */

/**
 * @typedef {object} ClosedConnectionInfo
 * @property {string} id
 * @property {string} clientId
 * @property {number} openedAt
 * @property {number} closedAt
 * @property {'client' | 'disconnect' | 'drop' | 'stop'} closeReason who ended it: the client, a disconnect, a drop, stop()
 * @property {number} closeCode
 */

/**
 * @typedef {object} ConnectionInfo
 * @property {string} id
 * @property {string} clientId
 * @property {import('./streamFrames').Subscription[]} subscriptions
 * @property {number} openedAt
 * @property {number | undefined} remotePort the client's TCP port
 * @property {'open' | 'closing'} state
 * @property {number} framesReceived
 * @property {number} framesAcked
 */

/**
 * @param {import('ws').RawData} data
 * @returns {string}
 */
function rawText(data) {
	if (Buffer.isBuffer(data)) return data.toString('utf8');
	if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
	return Buffer.from(data).toString('utf8');
}

class StreamGateway {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ apps: import('./apps').Apps, ticketTtlMs?: number }} options
	 */
	constructor(server, { apps, ticketTtlMs }) {
		this._server = server;
		this._apps = apps;
		this.registration = new StreamRegistration(server, {
			apps,
			ticketTtlMs,
			endpoint: () => `${server.requireBaseUrl().replace(/^http:/, 'ws:')}${CONNECT_PATH}`,
		});
		this._wss = new WebSocketServer({ noServer: true });
		/** @type {Map<string, Connection>} */
		this.connections = new Map();
		this._sequence = 0;
		/** @type {ConnectRecord[]} */
		this.connectAttempts = [];
		/** @type {AckRecord[]} */
		this.acks = [];
		/** @type {Map<string, number>} the most connections of each app open (or closing) at once since the last reset */
		this._peaks = new Map();
		/** @type {Array<(connection: Connection) => void>} */
		this._connectionListeners = [];
		server.onUpgrade(CONNECT_PATH, (req, socket, head, url) => this._upgrade(req, socket, head, url));
		server.mount(this);
	}

	/** A fresh sequence number for messageIds. */
	nextSequence() {
		return ++this._sequence;
	}

	/**
	 * @param {string} [clientId]
	 * @returns {ConnectionInfo[]}
	 */
	list(clientId) {
		return [...this.connections.values()]
			.filter((c) => c.state !== 'closed' && (clientId === undefined || c.app.clientId === clientId))
			.map((c) => ({
				id: c.id,
				clientId: c.app.clientId,
				subscriptions: c.subscriptions.map((s) => ({ ...s })),
				openedAt: c.openedAt,
				remotePort: c.remotePort,
				state: /** @type {'open' | 'closing'} */ (c.state),
				framesReceived: c.framesReceived,
				framesAcked: c.framesAcked,
			}));
	}

	/**
	 * The most connections of the app that were open at once (counting those told to go and not
	 * closed yet) since the last reset, which starts it from the connections open then.
	 * @param {string} clientId
	 * @returns {number}
	 */
	peakConnections(clientId) {
		return Math.max(this._peaks.get(clientId) ?? 0, this.list(clientId).length);
	}

	/**
	 * Calls `listener` with every connection once its WebSocket is accepted (streamPush.js uses it to
	 * play a gateway that asks every new connection to go).
	 * @param {(connection: Connection) => void} listener
	 */
	onConnection(listener) {
		this._connectionListeners.push(listener);
	}

	/**
	 * The connections that closed since the last reset, of one app or of all, oldest first.
	 * @param {string} [clientId]
	 * @returns {ClosedConnectionInfo[]}
	 */
	listClosed(clientId) {
		return [...this.connections.values()]
			.filter((c) => c.state === 'closed' && (clientId === undefined || c.app.clientId === clientId))
			.map((c) => ({
				id: c.id,
				clientId: c.app.clientId,
				openedAt: c.openedAt,
				closedAt: /** @type {number} */ (c.closedAt),
				closeReason: /** @type {NonNullable<Connection['closeReason']>} */ (c.closeReason),
				closeCode: /** @type {number} */ (c.closeCode),
			}));
	}

	/**
	 * The open connections of an app that take a frame of this type and topic (streamPush.js and
	 * cardCallbacks.js pick one of them).
	 * @param {string} clientId
	 * @param {'CALLBACK' | 'EVENT'} type
	 * @param {string} topic
	 * @param {string} [connectionId] only this one
	 * @returns {Connection[]}
	 */
	subscribers(clientId, type, topic, connectionId) {
		return [...this.connections.values()].filter(
			(c) =>
				c.app.clientId === clientId &&
				c.state === 'open' &&
				c.ws.readyState === WebSocket.OPEN &&
				(connectionId === undefined || c.id === connectionId) &&
				isSubscribed(c.subscriptions, type, topic),
		);
	}

	/**
	 * The open connections a target names: a connection id, or a clientId (all its connections).
	 * Throws when it names nothing.
	 * @param {string} target
	 * @returns {Connection[]}
	 */
	resolve(target) {
		const byId = this.connections.get(target);
		if (byId) return byId.state === 'closed' ? [] : [byId];
		if (this._apps.get(target)) return [...this.connections.values()].filter((c) => c.state !== 'closed' && c.app.clientId === target);
		throw new Error(`unknown connection or app ${JSON.stringify(target)}`);
	}

	/**
	 * Sends a frame on a connection and remembers it, so that the answer can be matched.
	 * @param {Connection} connection
	 * @param {import('./streamFrames').Frame} frame
	 * @param {AckRecord['kind']} kind
	 * @param {(record: AckRecord) => void} [onAnswer]
	 */
	send(connection, frame, kind, onAnswer) {
		connection.sent.set(frame.headers.messageId, { kind, data: frame.data, answered: false, onAnswer });
		connection.framesReceived++;
		connection.ws.send(JSON.stringify(frame));
	}

	/**
	 * @param {Connection} connection
	 * @param {NonNullable<Connection['closeReason']>} reason
	 */
	markClosing(connection, reason) {
		if (connection.state === 'open') connection.state = 'closing';
		connection.closeReason ??= reason;
	}

	/**
	 * Closes with a close frame; cuts the socket if the client does not complete the close.
	 * @param {Connection} connection
	 */
	close(connection) {
		if (connection.state === 'closed') return;
		connection.ws.close(1000, 'disconnect');
		const cut = setTimeout(() => connection.ws.terminate(), 1000);
		connection.ws.once('close', () => clearTimeout(cut));
	}

	/**
	 * Destroys the socket, no close frame: a connection that silently dies.
	 * @param {Connection} connection
	 * @param {NonNullable<Connection['closeReason']>} reason
	 */
	drop(connection, reason) {
		this.markClosing(connection, reason);
		connection.ws.terminate();
	}

	/** Clears the records (the peaks start again from the connections open now); apps and open connections stay. */
	reset() {
		this.connectAttempts = [];
		this.acks = [];
		for (const [id, c] of this.connections) if (c.state === 'closed') this.connections.delete(id);
		this._peaks = new Map();
	}

	/** Cuts every connection and closes the WebSocket server. */
	async stop() {
		for (const c of this.connections.values()) {
			this.markClosing(c, 'stop');
			c.ws.terminate();
		}
		await new Promise((resolve) => this._wss.close(() => resolve(undefined)));
		this._wss = new WebSocketServer({ noServer: true });
	}

	/**
	 * GET /connect?ticket=… with Upgrade: websocket. Refused with HTTP 401 for a missing, unknown,
	 * used or expired ticket (DingTalk's exact status is not documented; 401 is our choice).
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:stream').Duplex} socket
	 * @param {Buffer} head
	 * @param {URL} url
	 */
	_upgrade(req, socket, head, url) {
		const now = this._server.now();
		const ticketText = url.searchParams.get('ticket');
		/** @type {ConnectRecord} */
		const record = { at: now, ticket: ticketText, outcome: 'connected', clientId: undefined, connectionId: undefined };
		this.connectAttempts.push(record);
		if (this.registration.down) {
			record.outcome = 'gatewayDown';
			refuseUpgrade(socket, 503, 'Service Temporarily Unavailable', 'gateway down');
			return;
		}
		const { outcome, ticket } = this.registration.redeem(ticketText, now);
		record.outcome = outcome;
		record.clientId = ticket?.app.clientId;
		if (outcome !== 'connected' || !ticket) {
			refuseUpgrade(socket, 401, 'Unauthorized', `ticket refused: ${outcome}`);
			return;
		}
		const { app } = ticket;
		this._wss.handleUpgrade(req, socket, head, (ws) => {
			/** @type {Connection} */
			const connection = {
				id: crypto.randomUUID(),
				app,
				subscriptions: ticket.subscriptions,
				openedAt: this._server.now(),
				remotePort: req.socket.remotePort,
				state: 'open',
				closedAt: undefined,
				closeReason: undefined,
				closeCode: undefined,
				framesReceived: 0,
				framesAcked: 0,
				ws,
				sent: new Map(),
			};
			record.connectionId = connection.id;
			this.connections.set(connection.id, connection);
			this._peaks.set(app.clientId, this.peakConnections(app.clientId));
			ws.on('message', (data, isBinary) => this._onAnswer(connection, data, isBinary));
			ws.on('error', () => {
				/* a broken client socket ends in 'close' */
			});
			ws.on('close', (code) => {
				connection.closeCode = code;
				connection.state = 'closed';
				connection.closedAt = this._server.now();
				connection.closeReason ??= 'client';
			});
			for (const listener of this._connectionListeners) listener(connection);
		});
	}

	/**
	 * Records what a client sent: an answer to a frame, or something invalid.
	 * @param {Connection} connection
	 * @param {import('ws').RawData} data
	 * @param {boolean} isBinary
	 */
	_onAnswer(connection, data, isBinary) {
		const raw = rawText(data);
		/** @type {AckRecord} */
		const record = {
			at: this._server.now(),
			connectionId: connection.id,
			clientId: connection.app.clientId,
			raw,
			valid: false,
			error: undefined,
			kind: undefined,
			code: undefined,
			messageId: undefined,
			message: undefined,
			data: undefined,
			status: undefined,
			duplicate: false,
		};
		this.acks.push(record);
		const parsed = isBinary ? { error: 'a binary frame; DingTalk expects JSON text' } : parseAck(raw);
		if ('ack' in parsed && parsed.ack) {
			Object.assign(record, { code: parsed.ack.code, messageId: parsed.ack.messageId, message: parsed.ack.message, data: parsed.ack.data });
		}
		if ('error' in parsed) {
			record.error = parsed.error;
			return;
		}
		const sent = record.messageId === undefined ? undefined : connection.sent.get(record.messageId);
		if (!sent) {
			record.error = 'messageId of no frame sent on this connection';
			return;
		}
		record.kind = sent.kind;
		record.valid = true;
		record.duplicate = sent.answered;
		if (!sent.answered) connection.framesAcked++;
		sent.answered = true;
		sent.onAnswer?.(record);
	}
}

module.exports = { StreamGateway, CONNECT_PATH };
