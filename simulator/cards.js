// @ts-check
'use strict';

/**
 * An app robot's cards through the OpenAPI (api.dingtalk.com, behind openApiGate.js; section 9
 * of /work/shared/dingtalk-robot-api.md), made from the templates of cardTemplates.js:
 * - `POST /v1.0/card/instances/createAndDeliver` {cardTemplateId, outTrackId, callbackType,
 *   callbackRouteKey, cardData: {cardParamMap}, privateData, openSpaceId, imGroupOpenDeliverModel,
 *   imRobotOpenDeliverModel, …} → {success, result: {outTrackId, deliverResults: [{spaceType,
 *   spaceId, success, errorMsg, carrierId}]}}: a space it cannot deliver to is a deliverResults
 *   entry with success false while the call itself answers 200;
 * - `PUT /v1.0/card/instances` {outTrackId, cardData, privateData, cardUpdateOptions:
 *   {updateCardDataByKey, updatePrivateDataByKey}} → {success, result: true};
 * - `PUT /v1.0/card/streaming` {outTrackId, guid, key, content, isFull, isFinalize, isError} →
 *   {success, result: true}.
 * Shapes: Alibaba's generated SDK (aliyun/dingtalk-sdk, card_1_0: CreateAndDeliverRequest,
 * UpdateCardRequest, StreamingUpdateRequest and their response bodies) and the official Python
 * Stream SDK (card_replier.py). Every cardParamMap value is a string (the SDK's type,
 * `map<string, string>`). `openSpaceId` is `dtv1.card//TYPE.id`, several joined by `;`, the type
 * in any case (the SDK's example writes `im_group.cid…;im_robot.user…`).
 * Without cardUpdateOptions an update replaces the whole cardParamMap ("按 key 更新 cardData
 * 数据，不填默认覆盖更新", the SDK's field comment); a stream writes the value of its variable.
 *
 * Permissions: createAndDeliver and updates need `Card.Instance.Write` (互动卡片实例写权限,
 * open-dingtalk/dingtalk-stream-sdk-python#15: a 403 on /v1.0/card/instances until it was
 * granted), streaming `Card.Streaming.Write` (#20 quotes the 403 naming it); DingTalk's guide for
 * OpenClaw bots grants exactly these two with qyapi_robot_sendmsg.
 *
 * Answers, documented: an unpublished template 400 `param.templateUnpublished` (message the same,
 * quoted in zfanswer/dify-on-dingtalk#2 from /v1.0/card/instances); a missing parameter 400
 * `param.empty` (quoted in soimy/openclaw-channel-dingtalk#33; which parameters give it is
 * assumed); streaming to a card that was never made 500 `unknownError` `未知错误` (the same
 * dify-on-dingtalk#2: its create had failed), as streaming isError to a template without its
 * failed state (the maintainer's diagnosis there); a user that is no IM_ROBOT space
 * `spaceId is illegal` in deliverResults (chenhg5/cc-connect#1144). Assumed: an unknown template
 * `param.templateNotExist` (a code seen in third-party tests); a value that is not a string
 * `MissingStringValue` (a third-party comment: "数字会报 MissingStringValue"); a duplicate
 * outTrackId `param.outTrackIdExist`; an update of an unknown card `param.cardNotExist`; a
 * stream to a variable that does not stream `param.invalidKey`; a stream after its finalize
 * `param.streamFinalized`; a reused guid answered 200 and not applied again (idempotent); the
 * deliverResults errorMsg of the other cases; isFull absent means append.
 */

const crypto = require('node:crypto');
const { isObject } = require('./checks');
const { buttonsOf, flowState } = require('./cardTemplates');
const { SPACE_PREFIX, bad, cardError, checkParamMap, checkPrivateData, parseOpenSpaceId } = require('./cardParams');

const PATHS = Object.freeze({
	createAndDeliver: '/v1.0/card/instances/createAndDeliver',
	update: '/v1.0/card/instances',
	streaming: '/v1.0/card/streaming',
});
const INSTANCE_SCOPE = 'Card.Instance.Write';
const STREAMING_SCOPE = 'Card.Streaming.Write';

/** @typedef {import('./openApiGate').OpenApiCall} OpenApiCall */
/** @typedef {import('./openApiGate').OpenApiOutcome} OpenApiOutcome */
/** @typedef {import('./cardTemplates').CardTemplate} CardTemplate */

/**
 * @typedef {object} DeliverResult
 * @property {string} spaceType
 * @property {string} spaceId
 * @property {boolean} success
 * @property {string} errorMsg '' when delivered
 * @property {string} carrierId '' when not delivered
 */

/**
 * One call of PUT /v1.0/card/streaming that reached the card.
 * @typedef {object} StreamUpdate
 * @property {number} at
 * @property {string} guid
 * @property {string} content
 * @property {boolean} isFull
 * @property {boolean} isFinalize
 * @property {boolean} isError
 * @property {boolean} duplicate its guid was used before: nothing changed
 * @property {string} text the variable's text after it
 */

/**
 * @typedef {object} CardChange
 * @property {number} at
 * @property {'createAndDeliver' | 'update' | 'streaming' | 'callback'} source
 * @property {Record<string, string>} cardParamMap after the change
 * @property {string | undefined} flowStatus after the change
 */

/**
 * @typedef {object} CardClickMark
 * @property {number} at
 * @property {string} userId
 * @property {string} actionId
 */

/**
 * @typedef {object} Card
 * @property {string} outTrackId
 * @property {CardTemplate} template
 * @property {string} clientId
 * @property {string | undefined} robotCode
 * @property {'STREAM' | 'HTTP' | undefined} callbackType
 * @property {string | undefined} callbackRouteKey
 * @property {number} createdAt
 * @property {DeliverResult[]} spaces
 * @property {Record<string, string>} atUserIds
 * @property {Record<string, string>} cardParamMap
 * @property {Record<string, Record<string, string>>} privateData by userId
 * @property {Map<string, { finalized: boolean, error: boolean, history: StreamUpdate[] }>} streams by key
 * @property {Set<string>} guids
 * @property {CardChange[]} changes
 * @property {CardClickMark[]} clicks
 */

const UNKNOWN_ERROR = () => cardError(500, 'unknownError', '未知错误');

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' && value !== '' ? value : undefined);

class Cards {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ gate: import('./openApiGate').OpenApiGate, apps: import('./apps').Apps, org: import('./org').Org, templates: import('./cardTemplates').CardTemplates }} options
	 */
	constructor(server, { gate, apps, org, templates }) {
		this._server = server;
		this._gate = gate;
		this._apps = apps;
		this._org = org;
		this._templates = templates;
		/** @type {Map<string, Card>} by outTrackId, in creation order */
		this._cards = new Map();
		gate.route(PATHS.createAndDeliver, { scope: INSTANCE_SCOPE, decide: (call) => this._createAndDeliver(call) });
		gate.route(PATHS.update, { scope: INSTANCE_SCOPE, method: 'PUT', decide: (call) => this._update(call) });
		gate.route(PATHS.streaming, { scope: STREAMING_SCOPE, method: 'PUT', decide: (call) => this._streaming(call) });
		server.mount(this);
	}

	/**
	 * @param {string} outTrackId
	 * @returns {Card | undefined} the card itself (cardCallbacks.js reads and updates it)
	 */
	get(outTrackId) {
		return this._cards.get(outTrackId);
	}

	/** Every card (the cards themselves), in creation order. */
	all() {
		return [...this._cards.values()];
	}

	/** Forgets every card; templates, groups, users and apps stay. */
	reset() {
		this._cards = new Map();
	}

	/**
	 * Sets the cardParamMap: merged by key, or replacing the whole map; records the change.
	 * @param {Card} card
	 * @param {Record<string, string>} map
	 * @param {boolean} byKey
	 * @param {CardChange['source']} source
	 * @param {number} now
	 */
	apply(card, map, byKey, source, now) {
		card.cardParamMap = byKey ? { ...card.cardParamMap, ...map } : { ...map };
		this._changed(card, source, now);
	}

	/**
	 * @param {Card} card
	 * @param {CardChange['source']} source
	 * @param {number} now
	 */
	_changed(card, source, now) {
		card.changes.push({ at: now, source, cardParamMap: { ...card.cardParamMap }, flowStatus: card.cardParamMap.flowStatus });
	}

	/**
	 * POST /v1.0/card/instances/createAndDeliver.
	 * @param {OpenApiCall} call
	 * @returns {OpenApiOutcome}
	 */
	_createAndDeliver({ body, app, now }) {
		const cardTemplateId = text(body.cardTemplateId);
		const outTrackId = text(body.outTrackId);
		const openSpaceId = text(body.openSpaceId);
		if (!cardTemplateId || !outTrackId || !openSpaceId || !isObject(body.cardData)) return bad('param.empty');
		const params = checkParamMap(body.cardData.cardParamMap, 'cardData.cardParamMap');
		if ('refused' in params) return params.refused;
		const privateData = checkPrivateData(body.privateData);
		if ('refused' in privateData) return privateData.refused;
		const template = this._templates.get(cardTemplateId);
		if (!template) return bad('param.templateNotExist');
		if (!template.published) return bad('param.templateUnpublished');
		const { callbackType } = body;
		if (callbackType !== undefined && callbackType !== 'STREAM' && callbackType !== 'HTTP') return bad('param.invalid', 'callbackType must be STREAM or HTTP');
		const callbackRouteKey = text(body.callbackRouteKey);
		if (callbackType === 'HTTP' && !callbackRouteKey) return bad('param.empty', 'callbackRouteKey is required with callbackType HTTP');
		const atUserIds = checkParamMap(isObject(body.imGroupOpenDeliverModel) ? body.imGroupOpenDeliverModel.atUserIds : undefined, 'imGroupOpenDeliverModel.atUserIds');
		if ('refused' in atUserIds) return atUserIds.refused;
		const spaces = parseOpenSpaceId(openSpaceId);
		if (!spaces) return bad('param.invalid', `openSpaceId must be ${SPACE_PREFIX}TYPE.id[;TYPE.id…]`);
		if (this._cards.has(outTrackId)) return bad('param.outTrackIdExist');
		/** @type {Card} */
		const card = {
			outTrackId,
			template,
			clientId: app.clientId,
			robotCode: undefined,
			callbackType: callbackType ?? (callbackRouteKey ? 'HTTP' : undefined),
			callbackRouteKey,
			createdAt: now,
			spaces: [],
			atUserIds: atUserIds.map,
			cardParamMap: params.map,
			privateData: privateData.map,
			streams: new Map(),
			guids: new Set(),
			changes: [],
			clicks: [],
		};
		this._cards.set(outTrackId, card);
		this._changed(card, 'createAndDeliver', now);
		for (const { spaceType, spaceId } of spaces) {
			const result = this._deliver(card, body, app, spaceType, spaceId);
			card.spaces.push(result);
			if (result.success) this._server.timeline.push({ from: 'card', picture: () => this.picture(card, spaceType, spaceId) });
		}
		return { status: 200, json: { success: true, result: { outTrackId, deliverResults: card.spaces.map((s) => ({ ...s })) } } };
	}

	/**
	 * Delivers a new card to one space; the deliverResults entry.
	 * @param {Card} card
	 * @param {Record<string, unknown>} body
	 * @param {import('./apps').App} app
	 * @param {string} spaceType upper case
	 * @param {string} spaceId
	 * @returns {DeliverResult}
	 */
	_deliver(card, body, app, spaceType, spaceId) {
		const failed = (/** @type {string} */ errorMsg) => ({ spaceType, spaceId, success: false, errorMsg, carrierId: '' });
		const model = spaceType === 'IM_GROUP' ? body.imGroupOpenDeliverModel : spaceType === 'IM_ROBOT' ? body.imRobotOpenDeliverModel : undefined;
		if (spaceType !== 'IM_GROUP' && spaceType !== 'IM_ROBOT') return failed(`spaceType ${spaceType} is not simulated`);
		if (!isObject(model)) return failed(`${spaceType === 'IM_GROUP' ? 'imGroupOpenDeliverModel' : 'imRobotOpenDeliverModel'} is required`);
		// a group needs the robot that sends; one-to-one the app's robot is the default (the SDK sends none)
		const robotCode = text(model.robotCode) ?? (spaceType === 'IM_ROBOT' ? app.robotCode : undefined);
		if (!robotCode) return failed('robotCode is empty');
		if (this._apps.byRobotCode(robotCode)?.clientId !== app.clientId) return failed('robotCode is illegal');
		if (spaceType === 'IM_GROUP') {
			const group = this._org.group(spaceId);
			if (!group) return failed('spaceId is illegal');
			if (!group.robotCodes.includes(robotCode)) return failed('robot is not in the group');
		} else if (!this._org.user(spaceId)) {
			return failed('spaceId is illegal');
		}
		card.robotCode ??= robotCode;
		return { spaceType, spaceId, success: true, errorMsg: '', carrierId: crypto.randomBytes(18).toString('base64') };
	}

	/**
	 * The app's card named by the body's outTrackId.
	 * @param {OpenApiCall} call
	 * @returns {Card | undefined}
	 */
	_own({ body, app }) {
		const card = this._cards.get(String(body.outTrackId));
		return card && card.clientId === app.clientId ? card : undefined;
	}

	/**
	 * PUT /v1.0/card/instances.
	 * @param {OpenApiCall} call
	 * @returns {OpenApiOutcome}
	 */
	_update(call) {
		const { body, now } = call;
		if (!text(body.outTrackId) || (body.cardData === undefined && body.privateData === undefined)) return bad('param.empty');
		if (body.cardData !== undefined && !isObject(body.cardData)) return bad('param.invalid', 'cardData must be an object');
		const params = checkParamMap(isObject(body.cardData) ? body.cardData.cardParamMap : undefined, 'cardData.cardParamMap');
		if ('refused' in params) return params.refused;
		const privateData = checkPrivateData(body.privateData);
		if ('refused' in privateData) return privateData.refused;
		const card = this._own(call);
		if (!card) return bad('param.cardNotExist');
		const options = isObject(body.cardUpdateOptions) ? body.cardUpdateOptions : {};
		if (isObject(body.cardData)) this.apply(card, params.map, options.updateCardDataByKey === true, 'update', now);
		for (const [userId, map] of Object.entries(privateData.map)) {
			card.privateData[userId] = options.updatePrivateDataByKey === true ? { ...card.privateData[userId], ...map } : map;
		}
		return { status: 200, json: { success: true, result: true } };
	}

	/**
	 * PUT /v1.0/card/streaming.
	 * @param {OpenApiCall} call
	 * @returns {OpenApiOutcome}
	 */
	_streaming(call) {
		const { body, now } = call;
		const guid = text(body.guid);
		const key = text(body.key);
		if (!text(body.outTrackId) || !guid || !key || typeof body.content !== 'string') return bad('param.empty');
		const card = this._own(call);
		if (!card) return UNKNOWN_ERROR();
		const stream = card.streams.get(key) ?? { finalized: false, error: false, history: [] };
		const flags = { isFull: body.isFull === true, isFinalize: body.isFinalize === true, isError: body.isError === true };
		const update = { at: now, guid, content: body.content, ...flags, duplicate: false, text: card.cardParamMap[key] ?? '' };
		if (card.guids.has(guid)) {
			stream.history.push({ ...update, duplicate: true });
			card.streams.set(key, stream);
			return { status: 200, json: { success: true, result: true } };
		}
		if (!card.template.streamingKeys.includes(key)) return bad('param.invalidKey', `${key} is not a streaming variable of ${card.template.cardTemplateId}`);
		if (stream.finalized) return bad('param.streamFinalized', `the stream of ${key} was finalized`);
		if (flags.isError && !card.template.failedState) return UNKNOWN_ERROR();
		card.guids.add(guid);
		update.text = flags.isFull ? body.content : update.text + body.content;
		card.cardParamMap[key] = update.text;
		if (flags.isError) card.cardParamMap.flowStatus = '5';
		else if (flags.isFinalize) card.cardParamMap.flowStatus = '3';
		stream.finalized = flags.isFinalize || flags.isError;
		stream.error = flags.isError;
		stream.history.push(update);
		card.streams.set(key, stream);
		this._changed(card, 'streaming', now);
		return { status: 200, json: { success: true, result: true } };
	}

	/**
	 * What the group page draws of a card delivered to a space, as it is now.
	 * @param {Card} card
	 * @param {string} spaceType
	 * @param {string} spaceId
	 * @returns {import('./groupView').CardPicture}
	 */
	picture(card, spaceType, spaceId) {
		const { template, cardParamMap: params } = card;
		const group = spaceType === 'IM_GROUP' ? this._org.group(spaceId) : undefined;
		// the variable that titles the card is drawn as its title, not again among the fields
		const titleKey = ['msgTitle', 'title'].find((k) => params[k] !== undefined);
		const hidden = ['sys_full_json_obj', 'flowStatus', 'logo', titleKey];
		const variables = (template.variables ?? Object.keys(params)).filter((k) => !hidden.includes(k));
		return {
			title: titleKey ? params[titleKey] : template.title,
			via: group ? `card in ${group.title}` : `card to ${this._org.user(spaceId)?.name ?? spaceId} (one-to-one)`,
			ai: template.ai,
			state: template.ai ? flowState(params.flowStatus) : undefined,
			text: template.ai ? params[template.streamingKeys[0]] ?? '' : undefined,
			fields: (template.ai ? ['staticMsgContent'] : variables).filter((k) => params[k] !== undefined && params[k] !== '').map((k) => [k, params[k]]),
			mentions: Object.values(card.atUserIds).map((name) => name.replace(/^@/, '')), // {"@ALL": "@ALL"} mentions all
			buttons: buttonsOf(template, params).map((b) => ({
				text: b.text,
				link: b.actionId === undefined,
				disabled: b.disabled,
				clickedBy: card.clicks.filter((c) => b.actionId !== undefined && c.actionId === b.actionId).map((c) => this._org.user(c.userId)?.name ?? c.userId),
			})),
		};
	}
}

module.exports = { Cards, CARD_PATHS: PATHS, INSTANCE_SCOPE, STREAMING_SCOPE };
