// @ts-check
'use strict';

/**
 * A person clicking a button of a card (cards.js) that calls back (回传请求), and DingTalk
 * passing the click to the app the way the card was made for (`callbackType`):
 * - STREAM: a CALLBACK frame on topic `/v1.0/card/instances/callback` to one open connection of
 *   the app that subscribed to that topic (chosen at random, as robot messages); its data is
 *   `{extension: "{}", corpId, spaceType: "", userIdType: 1, type: "actionCallback", userId,
 *   content: "{\"cardPrivateData\":{\"actionIds\":[…],\"params\":{…}}}", spaceId: "",
 *   outTrackId, value: <content again>}`, the sample frame quoted in the official Python SDK
 *   (dingtalk_stream/card_callback_message.py; the Go SDK's CardRequest has the same fields). The
 *   client's ACK answers with `data` `{"response": {cardData: {cardParamMap}, cardUpdateOptions,
 *   privateData | userPrivateData}}`: all three official SDKs wrap the handler's answer in
 *   `response` (Python CallbackHandler.raw_process, Node socketCallBackResponse, Go card/handler.go),
 *   so a card update outside `response` is recorded and not applied (our reading of the SDKs).
 * - HTTP: `POST /v1.0/card/callbacks/register` {callbackRouteKey, callbackUrl, apiSecret?,
 *   forceUpdate?} → {success, result: {callbackUrl, apiSecret}} (aliyun/dingtalk-sdk card_1_0
 *   RegisterCallback; "一个 callbackRouteKey 可以映射一个 callbackUrl"; the apiSecret "加密密钥用于
 *   校验来源"); a click is POSTed to the URL of the card's callbackRouteKey, looked up at the time
 *   of the click, with the same JSON as the Stream data (DingTalk's guide 事件回调,
 *   open.dingtalk.com/document/development/event-callback-card, shows type, outTrackId, corpId,
 *   userId and content). Signed as that guide documents (回调签名验证), when the route was
 *   registered with an apiSecret: headers `x-ddpaas-signature-timestamp` (ms) and
 *   `x-ddpaas-signature` = base64(HmacSHA256(key = apiSecret, message = the timestamp as
 *   decimal text)); a route registered without one gets its clicks unsigned. The answer's JSON
 *   (`{cardData, userPrivateData, cardUpdateOptions}`, the guide's 事件回调响应, not wrapped)
 *   updates the card. The guide gives the app 2 seconds to answer (事件回调有超时限制，请在 2
 *   秒内完成业务处理并响应), over Stream and HTTP alike: the default of a click's timeout.
 * Assumed: the permission of register (`Card.Instance.Write`), an existing route key without
 * forceUpdate refused 400 `param.callbackRouteKeyExist` (the guide: the first call inserts, a
 * change needs forceUpdate), an answer's cardParamMap replacing the card's unless
 * cardUpdateOptions.updateCardDataByKey (as the update API), a card made without callbackType
 * calling back nowhere, no second try of a click that got no answer, an ACK after the click's
 * time ran out not applied, the timestamp in milliseconds (the guide's Java takes a long).
 */

const crypto = require('node:crypto');
const { checkNumber, isObject, optionalText } = require('./checks');
const { postRaw, parseHttpUrl } = require('./callbacks');
const { buttonsOf } = require('./cardTemplates');
const { bad, checkParamMap, checkPrivateData } = require('./cardParams');
const { INSTANCE_SCOPE } = require('./cards');
const { CORP_ID } = require('./org');
const { buildFrame, newMessageId, pickAtRandom } = require('./streamFrames');

const CARD_TOPIC = '/v1.0/card/instances/callback';
const REGISTER_PATH = '/v1.0/card/callbacks/register';
/** How long a click waits for the app's answer (ACK or HTTP): DingTalk's 2 seconds. */
const DEFAULT_CLICK_TIMEOUT_MS = 2_000;
/** The tampers of an HTTP click, to see a trigger refuse it. */
const CARD_CLICK_TAMPERS = Object.freeze(['wrongSign', 'noSign', 'oldTimestamp']);

/**
 * @typedef {object} CardClickOptions
 * @property {string} userId who clicks (a user of the org, addUser)
 * @property {string} actionId the button's action ID
 * @property {Record<string, unknown>} [params] what the click passes back besides the button's own params (`cardPrivateData.params`; a form's inputs)
 * @property {string} [connectionId] Stream: only this connection
 * @property {number} [timeoutMs] how long to wait for the answer; default 2000 (DingTalk's)
 * @property {'wrongSign' | 'noSign' | 'oldTimestamp'} [tamper] HTTP: break the signature
 */

/**
 * @typedef {object} CardClickRecord
 * @property {number} at
 * @property {string} outTrackId
 * @property {string} userId
 * @property {string} actionId
 * @property {Record<string, unknown>} params
 * @property {'stream' | 'http' | 'none'} via none: the card was made without callbackType
 * @property {Record<string, unknown>} data what DingTalk sent (the frame's data, or the HTTP body)
 * @property {boolean} delivered a connection took the frame, or the URL answered
 * @property {string | null} connectionId Stream
 * @property {string | undefined} messageId Stream
 * @property {string | undefined} url HTTP
 * @property {Record<string, string> | undefined} headers HTTP: what was sent
 * @property {number | undefined} status HTTP: the answer's status; Stream: the ACK's code
 * @property {boolean} answered an ACK or an HTTP answer came in time
 * @property {unknown} answer the ACK's data or the HTTP answer, parsed (the text when it is not JSON)
 * @property {boolean} applied the answer updated the card
 * @property {string | undefined} error why nothing was delivered, or why the answer was not applied
 */

/**
 * @typedef {object} CallbackRoute
 * @property {string} clientId
 * @property {string} callbackRouteKey
 * @property {string} callbackUrl
 * @property {string | undefined} apiSecret undefined: registered without one, its clicks go unsigned
 * @property {number} registeredAt
 */

/** The headers of a signed HTTP click (DingTalk's guide 事件回调, 回调签名验证). */
const SIGNATURE_TIMESTAMP_HEADER = 'x-ddpaas-signature-timestamp';
const SIGNATURE_HEADER = 'x-ddpaas-signature';

/**
 * The signature of an HTTP click: base64(HmacSHA256(key = apiSecret, message = timestamp)).
 * @param {string} apiSecret
 * @param {number | string} timestamp ms
 */
function cardCallbackSign(apiSecret, timestamp) {
	return crypto.createHmac('sha256', Buffer.from(apiSecret, 'utf8')).update(String(timestamp), 'utf8').digest('base64');
}

/** @param {string} text */
function parseJson(text) {
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

class CardCallbacks {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ gate: import('./openApiGate').OpenApiGate, apps: import('./apps').Apps, org: import('./org').Org, cards: import('./cards').Cards, gateway: import('./streamGateway').StreamGateway, random?: () => number }} options
	 */
	constructor(server, { gate, apps, org, cards, gateway, random }) {
		this._server = server;
		this._apps = apps;
		this._org = org;
		this._cards = cards;
		this._gateway = gateway;
		this._random = random ?? Math.random;
		/** @type {Map<string, CallbackRoute>} by `${clientId} ${callbackRouteKey}` */
		this._routes = new Map();
		/** @type {CardClickRecord[]} */
		this.clicks = [];
		/** @type {Set<() => void>} clicks waiting for their answer */
		this._waiting = new Set();
		gate.route(REGISTER_PATH, { scope: INSTANCE_SCOPE, decide: (call) => this._register(call) });
		server.mount(this);
	}

	/** The registered callback routes (without their apiSecret). */
	routes() {
		return [...this._routes.values()].map(({ apiSecret: _secret, ...route }) => ({ ...route }));
	}

	/** Forgets clicks and routes; clicks still waiting end unanswered. */
	reset() {
		this.stop();
		this.clicks = [];
		this._routes = new Map();
	}

	stop() {
		for (const finish of [...this._waiting]) finish();
	}

	/**
	 * POST /v1.0/card/callbacks/register.
	 * @param {import('./openApiGate').OpenApiCall} call
	 * @returns {import('./openApiGate').OpenApiOutcome}
	 */
	_register({ body, app, now }) {
		const { callbackRouteKey, callbackUrl, apiSecret } = body;
		if (typeof callbackRouteKey !== 'string' || callbackRouteKey === '' || typeof callbackUrl !== 'string' || callbackUrl === '') return bad('param.empty');
		if (!/^https?:\/\/[^/]/i.test(callbackUrl)) return bad('param.invalid', 'callbackUrl must be an http(s) URL');
		if (apiSecret !== undefined && (typeof apiSecret !== 'string' || apiSecret === '')) return bad('param.invalid', 'apiSecret must be a string');
		const key = `${app.clientId} ${callbackRouteKey}`;
		if (this._routes.has(key) && body.forceUpdate !== true) return bad('param.callbackRouteKeyExist');
		const route = { clientId: app.clientId, callbackRouteKey, callbackUrl, apiSecret, registeredAt: now };
		this._routes.set(key, route);
		return { status: 200, json: { success: true, result: { callbackUrl, ...(apiSecret !== undefined && { apiSecret }) } } };
	}

	/**
	 * Someone clicks a button of a card: the click goes to the app over Stream or HTTP as the card
	 * was made; resolves once the app answered (and its card update was applied) or the time ran out.
	 * @param {string} outTrackId
	 * @param {CardClickOptions} options
	 * @returns {Promise<CardClickRecord>}
	 */
	async click(outTrackId, options) {
		const card = this._cards.get(outTrackId);
		if (!card) throw new Error(`no card ${JSON.stringify(outTrackId)} (since the last reset)`);
		if (!isObject(options)) throw new TypeError('clickCardButton needs {userId, actionId}');
		const userId = optionalText(options.userId, 'userId');
		const actionId = optionalText(options.actionId, 'actionId');
		if (!userId || !this._org.user(userId)) throw new Error(`clickCardButton needs the userId of a user of the org (addUser), got ${JSON.stringify(userId)}`);
		// a person clicks a card they got: in a group it was delivered to, or one-to-one to them
		if (!card.spaces.some((sp) => sp.success && (sp.spaceType === 'IM_GROUP' || sp.spaceId === userId))) {
			throw new Error(`${userId} did not get card ${JSON.stringify(outTrackId)}: it was delivered to no group and not to them`);
		}
		const shown = buttonsOf(card.template, card.cardParamMap).filter((b) => b.actionId !== undefined);
		const button = shown.find((b) => b.actionId === actionId);
		if (!actionId || !button) throw new Error(`the card has no button with actionId ${JSON.stringify(actionId)}; it has ${JSON.stringify(shown.map((b) => b.actionId))}`);
		if (button.disabled) throw new Error(`the button ${JSON.stringify(actionId)} of card ${JSON.stringify(outTrackId)} is disabled: it cannot be clicked`);
		if (options.params !== undefined && !isObject(options.params)) throw new TypeError('params must be an object');
		if (options.tamper !== undefined && !CARD_CLICK_TAMPERS.includes(options.tamper)) throw new TypeError(`unknown tamper; kinds: ${CARD_CLICK_TAMPERS.join(', ')}`);
		const timeoutMs = checkNumber(options.timeoutMs ?? DEFAULT_CLICK_TIMEOUT_MS, 'timeoutMs', 1);
		const now = this._server.now();
		// the button's own parameters (its variables as they are now), then what the click adds
		const params = { ...button.params, ...(options.params ?? {}) };
		const content = JSON.stringify({ cardPrivateData: { actionIds: [actionId], params } });
		/** @type {CardClickRecord} */
		const record = {
			at: now,
			outTrackId,
			userId,
			actionId,
			params,
			via: card.callbackType === 'STREAM' ? 'stream' : card.callbackType === 'HTTP' ? 'http' : 'none',
			data: { extension: '{}', corpId: CORP_ID, spaceType: '', userIdType: 1, type: 'actionCallback', userId, content, spaceId: '', outTrackId, value: content },
			delivered: false,
			connectionId: null,
			messageId: undefined,
			url: undefined,
			headers: undefined,
			status: undefined,
			answered: false,
			answer: undefined,
			applied: false,
			error: undefined,
		};
		this.clicks.push(record);
		card.clicks.push({ at: now, userId, actionId });
		if (record.via === 'stream') await this._overStream(card, record, options.connectionId, timeoutMs);
		else if (record.via === 'http') await this._overHttp(card, record, options.tamper, timeoutMs);
		else record.error = 'the card was made without callbackType: its clicks go nowhere';
		return structuredClone(record);
	}

	/**
	 * @param {import('./cards').Card} card
	 * @param {CardClickRecord} record
	 * @param {string | undefined} connectionId
	 * @param {number} timeoutMs
	 */
	async _overStream(card, record, connectionId, timeoutMs) {
		const app = this._apps.require(card.clientId);
		const connection = pickAtRandom(this._gateway.subscribers(card.clientId, 'CALLBACK', CARD_TOPIC, connectionId), this._random);
		if (!connection) {
			record.error = `no open Stream connection of the app subscribed to ${CARD_TOPIC}`;
			return;
		}
		const now = this._server.now();
		const messageId = newMessageId(now, this._gateway.nextSequence());
		Object.assign(record, { delivered: true, connectionId: connection.id, messageId });
		let over = false;
		await this._wait(timeoutMs, (done) => {
			const frame = buildFrame('CALLBACK', { appId: app.appId, connectionId: connection.id, messageId, topic: CARD_TOPIC }, now, record.data);
			this._gateway.send(connection, frame, 'cardCallback', (ack) => {
				// an ACK after the time ran out is in streamAcks, not applied (assumed)
				if (ack.duplicate || over) return;
				const answer = typeof ack.data === 'string' ? parseJson(ack.data) : ack.data;
				Object.assign(record, { answered: true, status: ack.code, answer });
				if (ack.code !== 200) record.error = `the ACK's code is ${ack.code}`;
				else if (isObject(answer) && answer.response !== undefined && answer.response !== null) this._apply(card, record, answer.response);
				else if (isObject(answer) && (answer.cardData !== undefined || answer.cardUpdateOptions !== undefined)) {
					record.error = 'a card update must be in data.response (the official SDKs send {"response": …}): not applied';
				}
				done();
			});
		});
		over = true;
		if (!record.answered) record.error = `no answer within ${timeoutMs} ms`;
	}

	/**
	 * @param {import('./cards').Card} card
	 * @param {CardClickRecord} record
	 * @param {CardClickOptions['tamper']} tamper
	 * @param {number} timeoutMs
	 */
	async _overHttp(card, record, tamper, timeoutMs) {
		const route = this._routes.get(`${card.clientId} ${card.callbackRouteKey}`);
		if (!route) {
			record.error = `no callback URL registered for callbackRouteKey ${JSON.stringify(card.callbackRouteKey)}`;
			return;
		}
		record.url = route.callbackUrl;
		const rawBody = JSON.stringify(record.data);
		const now = this._server.now();
		const timestamp = tamper === 'oldTimestamp' ? now - 2 * 3_600_000 : now;
		/** @type {Record<string, string>} */
		const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(rawBody)) };
		if (route.apiSecret !== undefined && tamper !== 'noSign') {
			headers[SIGNATURE_TIMESTAMP_HEADER] = String(timestamp);
			headers[SIGNATURE_HEADER] = cardCallbackSign(tamper === 'wrongSign' ? `${route.apiSecret}-not-the-secret` : route.apiSecret, timestamp);
		}
		record.headers = headers;
		try {
			parseHttpUrl(route.callbackUrl);
			const answer = await postRaw(route.callbackUrl, { ...headers }, rawBody, timeoutMs);
			const json = parseJson(answer.bodyText);
			Object.assign(record, { delivered: true, answered: true, status: answer.status, answer: json });
			if (answer.status < 200 || answer.status >= 300) record.error = `the callback URL answered HTTP ${answer.status}`;
			else if (isObject(json)) this._apply(card, record, json);
		} catch (err) {
			record.error = err instanceof Error ? err.message : String(err);
		}
	}

	/**
	 * Runs `start(done)` and resolves when done() is called, the time runs out, or the simulator stops.
	 * @param {number} timeoutMs
	 * @param {(done: () => void) => void} start
	 * @returns {Promise<void>}
	 */
	_wait(timeoutMs, start) {
		return new Promise((resolve) => {
			const finish = () => {
				clearTimeout(timer);
				this._waiting.delete(finish);
				resolve();
			};
			const timer = setTimeout(finish, timeoutMs);
			this._waiting.add(finish);
			start(finish);
		});
	}

	/**
	 * Applies the app's answer to a click: cardData (replacing the card's unless
	 * cardUpdateOptions.updateCardDataByKey), privateData {userId: {cardParamMap}} or the clicking
	 * user's userPrivateData {cardParamMap}.
	 * @param {import('./cards').Card} card
	 * @param {CardClickRecord} record
	 * @param {unknown} update
	 */
	_apply(card, record, update) {
		if (!isObject(update)) return;
		const options = isObject(update.cardUpdateOptions) ? update.cardUpdateOptions : {};
		const cardData = isObject(update.cardData) ? update.cardData : undefined;
		/** @type {Record<string, unknown>} */
		const privateData = { ...(isObject(update.privateData) ? update.privateData : {}) };
		if (isObject(update.userPrivateData)) privateData[record.userId] = update.userPrivateData;
		const params = checkParamMap(cardData?.cardParamMap, 'cardData.cardParamMap');
		const privates = checkPrivateData(privateData);
		const refused = 'refused' in params ? params.refused : 'refused' in privates ? privates.refused : undefined;
		if (refused || !('map' in params) || !('map' in privates)) {
			record.error = `not applied: ${/** @type {{ message?: string }} */ (refused?.json)?.message}`;
			return;
		}
		if (cardData) this._cards.apply(card, params.map, options.updateCardDataByKey === true, 'callback', this._server.now());
		for (const [userId, map] of Object.entries(privates.map)) {
			card.privateData[userId] = options.updatePrivateDataByKey === true ? { ...card.privateData[userId], ...map } : map;
		}
		record.applied = cardData !== undefined || Object.keys(privates.map).length > 0;
	}
}

module.exports = { CardCallbacks, CARD_TOPIC, CARD_CLICK_TAMPERS, cardCallbackSign };
