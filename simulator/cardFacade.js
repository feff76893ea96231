// @ts-check
'use strict';

/**
 * The card half of the facade DingTalkSimulator (index.js extends it; it extends the app-robot
 * half, appRobotFacade.js): the card templates (cardTemplates.js), the card APIs behind the
 * OpenAPI gate (cards.js: createAndDeliver, update, streaming), and the clicks on their buttons
 * that come back to the app over Stream or HTTP (cardCallbacks.js, with
 * /v1.0/card/callbacks/register). Everything it returns is a copy.
 */

const { AppRobotSimulator } = require('./appRobotFacade');
const { CardTemplates, flowState } = require('./cardTemplates');
const { Cards } = require('./cards');
const { CardCallbacks } = require('./cardCallbacks');

/**
 * What cards() and card() show of a card, as it is now.
 * @typedef {object} CardRecord
 * @property {string} outTrackId
 * @property {string} cardTemplateId
 * @property {string} clientId the app that made it
 * @property {string | undefined} robotCode the robot that delivered it
 * @property {'STREAM' | 'HTTP' | undefined} callbackType
 * @property {string | undefined} callbackRouteKey
 * @property {number} createdAt
 * @property {import('./cards').DeliverResult[]} spaces every space asked for, delivered or not
 * @property {Record<string, string>} atUserIds
 * @property {Record<string, string>} cardParamMap the card's data now
 * @property {Record<string, Record<string, string>>} privateData by userId
 * @property {string | undefined} flowStatus an AI card's
 * @property {'processing' | 'inputting' | 'finished' | 'executing' | 'failed' | undefined} state of flowStatus
 * @property {Record<string, { text: string, finalized: boolean, error: boolean, history: import('./cards').StreamUpdate[] }>} streams by key: the text now and every streaming call, with time
 * @property {import('./cards').CardChange[]} history every change of its data, with time and source
 * @property {import('./cards').CardClickMark[]} clicks
 * @property {import('./openApiGate').OpenApiRequestRecord[]} calls every card API call that named it (refused ones too)
 */

class CardSimulator extends AppRobotSimulator {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {import('./appRobotFacade').AppRobotOptions} options
	 */
	constructor(server, options) {
		super(server, options);
		this._cardTemplates = new CardTemplates();
		this._cards = new Cards(server, { gate: this._gate, apps: this._apps, org: this._org, templates: this._cardTemplates });
		this._cardCallbacks = new CardCallbacks(server, {
			gate: this._gate,
			apps: this._apps,
			org: this._org,
			cards: this._cards,
			gateway: this._gateway,
			random: options.random,
		});
	}

	/**
	 * Adds a card template (or replaces the one with its id for the cards made from now on).
	 * DingTalk's public AI card template
	 * `382e4302-551d-4880-bf29-a30acfab2e71.schema` is there from the start. Kept across reset().
	 * @param {import('./cardTemplates').CardTemplateOptions} options
	 */
	addCardTemplate(options) {
		return this._cardTemplates.add(options);
	}

	/** Every card template. */
	cardTemplates() {
		return this._cardTemplates.list();
	}

	/**
	 * Every card made since construction or reset(), in creation order.
	 * @returns {CardRecord[]}
	 */
	cards() {
		return this._cards.all().map((c) => this._cardRecord(c));
	}

	/**
	 * One card by its outTrackId, or undefined.
	 * @param {string} outTrackId
	 * @returns {CardRecord | undefined}
	 */
	card(outTrackId) {
		const card = this._cards.get(outTrackId);
		return card && this._cardRecord(card);
	}

	/** Every call to the card APIs (createAndDeliver, update, streaming, callbacks/register), answered or refused, in order. */
	cardRequests() {
		return this._gate.requests.filter((r) => r.path.startsWith('/v1.0/card/')).map((r) => structuredClone(r));
	}

	/**
	 * A person clicks a button of a card: the click reaches the app as the card was made for
	 * (callbackType STREAM: a CALLBACK frame on /v1.0/card/instances/callback; HTTP: a signed POST
	 * to the URL registered for its callbackRouteKey); resolves once the app answered (its card
	 * update applied) or timeoutMs passed. Throws for an unknown card, user or button.
	 * @param {string} outTrackId
	 * @param {import('./cardCallbacks').CardClickOptions} options
	 */
	clickCardButton(outTrackId, options) {
		return this._cardCallbacks.click(outTrackId, options);
	}

	/** Every click since construction or reset(), with what was sent and answered. */
	cardClicks() {
		return structuredClone(this._cardCallbacks.clicks);
	}

	/** The callback URLs registered with /v1.0/card/callbacks/register (without their apiSecret). */
	cardCallbackRoutes() {
		return this._cardCallbacks.routes();
	}

	/**
	 * @param {import('./cards').Card} card
	 * @returns {CardRecord}
	 */
	_cardRecord(card) {
		const flowStatus = card.template.ai ? card.cardParamMap.flowStatus : undefined;
		return structuredClone({
			outTrackId: card.outTrackId,
			cardTemplateId: card.template.cardTemplateId,
			clientId: card.clientId,
			robotCode: card.robotCode,
			callbackType: card.callbackType,
			callbackRouteKey: card.callbackRouteKey,
			createdAt: card.createdAt,
			spaces: card.spaces,
			atUserIds: card.atUserIds,
			cardParamMap: card.cardParamMap,
			privateData: card.privateData,
			flowStatus,
			state: flowState(flowStatus),
			streams: Object.fromEntries(
				[...card.streams].map(([key, s]) => [key, { text: card.cardParamMap[key] ?? '', finalized: s.finalized, error: s.error, history: s.history }]),
			),
			history: card.changes,
			clicks: card.clicks,
			calls: this._gate.requests.filter((r) => r.path.startsWith('/v1.0/card/') && r.body?.outTrackId === card.outTrackId),
		});
	}
}

module.exports = { CardSimulator };
