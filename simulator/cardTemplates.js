// @ts-check
'use strict';

/**
 * The card templates an app's cards are made from (卡片平台 / card builder: a template is made and
 * published there, then used by its `cardTemplateId`, `….schema`). Test setup, not DingTalk
 * requests: reset() keeps them. A template has variables (the keys of `cardParamMap`), buttons
 * whose clicks come back to the app (回传请求, each with an action ID), and, for an AI card, the
 * variables that stream (`PUT /v1.0/card/streaming`) and whether its failed state is on.
 *
 * DingTalk's public AI card template `382e4302-551d-4880-bf29-a30acfab2e71.schema` is
 * registered from the start, with the variables DingTalk's own code fills: the official Python
 * Stream SDK (open-dingtalk/dingtalk-stream-sdk-python, `card_instance.py` AIMarkdownCardInstance
 * and `card_replier.py` AICardReplier) streams `msgContent` and sets `msgTitle`, `logo`,
 * `staticMsgContent`, `flowStatus` and `sys_full_json_obj` (a JSON string: `order` of the parts
 * `msgTitle`, `msgContent`, `staticMsgContent`, `msgTextList`, `msgImages`, `msgSlider`,
 * `msgButtons`; `msgButtons` [{text, color, id, request, url}]; `source`), and DingTalk's own
 * connector (DingTalk-Real-AI/dingtalk-openclaw-connector) streams `msgContent` too. `flowStatus`
 * (AICardStatus in the SDK): 1 processing (处理中), 2 inputting (输入中), 3 finished (执行完成),
 * 4 executing (执行中), 5 failed (执行失败), sent as strings. That it has its failed state on is
 * our assumption (the SDK's ai_fail sets flowStatus 5 on it); a button of `msgButtons` calls back
 * when it has an `id` and `request: true` (CarouselCardInstance), one with a `url` only opens it.
 */

const { isObject, optionalText, textList } = require('./checks');

const AI_CARD_TEMPLATE_ID = '382e4302-551d-4880-bf29-a30acfab2e71.schema';

/**
 * The template of the package's button-card example (examples/card-question-app-robot.json), there from the
 * start so that the example runs against the simulator as it is: a question (title, question,
 * status), two buttons that pass back the choice and the group the card was sent to (its
 * variable conversationId), disabled once the variable answered is "true". A user makes the same
 * template in DingTalk's card platform (README, "Card buttons") and uses its own ID.
 */
const EXAMPLE_QUESTION_TEMPLATE = Object.freeze({
	cardTemplateId: 'n8n-example-question.schema',
	title: 'Question',
	// answered and conversationId are bound to the buttons' state and parameters: not drawn
	variables: ['title', 'question', 'status'],
	buttons: ['approve', 'reject'].map((choice) => ({
		actionId: choice,
		text: choice === 'approve' ? 'Approve' : 'Reject',
		params: { choice, conversationId: '${conversationId}' },
		disabledBy: 'answered',
	})),
});

/** flowStatus of an AI card → its state (AICardStatus of the official Python SDK). */
const FLOW_STATES = Object.freeze({ 1: 'processing', 2: 'inputting', 3: 'finished', 4: 'executing', 5: 'failed' });

/** The parts of the public AI card template (the order of sys_full_json_obj in the SDK). */
const AI_CARD_VARIABLES = Object.freeze([
	'msgTitle',
	'msgContent',
	'staticMsgContent',
	'msgTextList',
	'msgImages',
	'msgSlider',
	'msgButtons',
	'logo',
	'flowStatus',
	'sys_full_json_obj',
]);

/**
 * A button that calls back (回传请求), as the card builder configures it: its action ID, the
 * parameters it passes back (回传参数; a value `${name}` is the card's variable `name` at the
 * time of the click), and the variable its disabled state is bound to (the button is disabled
 * while that variable is "true"). The parameters bound to variables and the disabled state are
 * how the builder is described to work, not checked against DingTalk (assumed).
 * @typedef {object} CardButton
 * @property {string} actionId what `cardPrivateData.actionIds` carries when it is clicked
 * @property {string} text
 * @property {Record<string, string>} [params] what `cardPrivateData.params` carries (the click may add more)
 * @property {string} [disabledBy] a variable: the button is disabled while it is "true"
 */

/**
 * @typedef {object} CardTemplateOptions
 * @property {string} cardTemplateId e.g. `3c0d…e2a1.schema`
 * @property {string} [title] shown on the group page; default the id
 * @property {boolean} [published] default true; an unpublished template cannot be used
 * @property {string[]} [variables] its variables; default none declared (every key is shown)
 * @property {string[]} [streamingKeys] the variables that stream: makes it an AI card (with flowStatus)
 * @property {boolean} [failedState] an AI card's failed state is on (default true); DingTalk fails isError without it
 * @property {CardButton[]} [buttons] the buttons that call back, with their action IDs
 */

/**
 * @typedef {object} CardTemplate
 * @property {string} cardTemplateId
 * @property {string} title
 * @property {boolean} published
 * @property {string[] | undefined} variables undefined: not declared
 * @property {string[]} streamingKeys
 * @property {boolean} ai it streams and has a flowStatus
 * @property {boolean} failedState
 * @property {CardButton[]} buttons
 * @property {boolean} builtIn DingTalk's public template
 */

/**
 * A button the card shows: the template's, or one of the AI card's `msgButtons`.
 * @typedef {object} ShownButton
 * @property {string} text
 * @property {string | undefined} actionId undefined for a link button (it does not call back)
 * @property {string | undefined} url
 * @property {Record<string, string>} params what a click passes back, variables filled in
 * @property {boolean} disabled its disabledBy variable is "true": it cannot be clicked
 */

/**
 * @param {CardTemplate} t
 * @returns {CardTemplate}
 */
const copyTemplate = (t) => ({
	...t,
	variables: t.variables && [...t.variables],
	streamingKeys: [...t.streamingKeys],
	buttons: t.buttons.map((b) => ({ ...b, ...(b.params && { params: { ...b.params } }) })),
});

/**
 * @param {unknown} buttons
 * @returns {CardButton[]}
 */
function checkButtons(buttons) {
	if (buttons === undefined) return [];
	if (!Array.isArray(buttons)) throw new TypeError('buttons must be an array of {actionId, text}');
	/** @type {CardButton[]} */
	const out = [];
	for (const b of buttons) {
		if (!isObject(b)) throw new TypeError('buttons must be an array of {actionId, text}');
		const actionId = optionalText(b.actionId, 'buttons[].actionId');
		const text = optionalText(b.text, 'buttons[].text');
		if (actionId === undefined || text === undefined) throw new TypeError('a button needs an actionId and a text');
		if (out.some((o) => o.actionId === actionId)) throw new TypeError(`two buttons with actionId ${JSON.stringify(actionId)}`);
		if (b.params !== undefined && (!isObject(b.params) || Object.values(b.params).some((v) => typeof v !== 'string'))) {
			throw new TypeError('buttons[].params must be an object of strings');
		}
		const disabledBy = optionalText(b.disabledBy, 'buttons[].disabledBy');
		out.push({ actionId, text, ...(b.params !== undefined && { params: /** @type {Record<string, string>} */ ({ ...b.params }) }), ...(disabledBy !== undefined && { disabledBy }) });
	}
	return out;
}

class CardTemplates {
	constructor() {
		/** @type {Map<string, CardTemplate>} */
		this._templates = new Map();
		this._templates.set(AI_CARD_TEMPLATE_ID, {
			cardTemplateId: AI_CARD_TEMPLATE_ID,
			title: 'AI card',
			published: true,
			variables: [...AI_CARD_VARIABLES],
			streamingKeys: ['msgContent'],
			ai: true,
			failedState: true,
			buttons: [],
			builtIn: true,
		});
		this.add(EXAMPLE_QUESTION_TEMPLATE);
	}

	/**
	 * Adds a template, or replaces the one with the same id for the cards made from now on (those
	 * made before keep the template they were made from).
	 * @param {CardTemplateOptions} options
	 * @returns {CardTemplate} a copy
	 */
	add(options) {
		if (!isObject(options)) throw new TypeError('addCardTemplate needs an options object');
		const cardTemplateId = optionalText(options.cardTemplateId, 'cardTemplateId');
		if (cardTemplateId === undefined) throw new TypeError('addCardTemplate needs a cardTemplateId');
		if (options.published !== undefined && typeof options.published !== 'boolean') throw new TypeError('published must be a boolean');
		if (options.failedState !== undefined && typeof options.failedState !== 'boolean') throw new TypeError('failedState must be a boolean');
		const variables = options.variables === undefined ? undefined : textList(options.variables, 'variables');
		const streamingKeys = textList(options.streamingKeys ?? [], 'streamingKeys');
		const undeclared = variables && streamingKeys.find((k) => !variables.includes(k));
		if (undeclared) throw new TypeError(`streaming key ${JSON.stringify(undeclared)} is not one of the variables`);
		const ai = streamingKeys.length > 0;
		/** @type {CardTemplate} */
		const template = {
			cardTemplateId,
			title: optionalText(options.title, 'title') ?? cardTemplateId,
			published: options.published ?? true,
			variables: ai && variables && !variables.includes('flowStatus') ? [...variables, 'flowStatus'] : variables,
			streamingKeys,
			ai,
			failedState: options.failedState ?? true,
			buttons: checkButtons(options.buttons),
			builtIn: false,
		};
		this._templates.set(cardTemplateId, template);
		return copyTemplate(template);
	}

	/**
	 * @param {string} cardTemplateId
	 * @returns {CardTemplate | undefined} the template itself (not a copy)
	 */
	get(cardTemplateId) {
		return this._templates.get(cardTemplateId);
	}

	/** Every template (copies), DingTalk's public AI card template first. */
	list() {
		return [...this._templates.values()].map(copyTemplate);
	}
}

/**
 * A button's parameters with `${name}` replaced by the card's variable `name` ('' when it has none).
 * @param {Record<string, string> | undefined} params
 * @param {Record<string, string>} cardParamMap
 * @returns {Record<string, string>}
 */
function fillParams(params, cardParamMap) {
	return Object.fromEntries(Object.entries(params ?? {}).map(([k, v]) => [k, v.replace(/\$\{([^}]+)\}/g, (_, name) => cardParamMap[name] ?? '')]));
}

/**
 * The buttons a card shows now: its template's, then (AI card) the `msgButtons` of its
 * `sys_full_json_obj`; a msgButton calls back when it has an id and `request: true`.
 * @param {CardTemplate} template
 * @param {Record<string, string>} cardParamMap
 * @returns {ShownButton[]}
 */
function buttonsOf(template, cardParamMap) {
	/** @type {ShownButton[]} */
	const shown = template.buttons.map((b) => ({
		text: b.text,
		actionId: b.actionId,
		url: undefined,
		params: fillParams(b.params, cardParamMap),
		disabled: b.disabledBy !== undefined && cardParamMap[b.disabledBy] === 'true',
	}));
	const full = cardParamMap.sys_full_json_obj;
	if (!template.ai || full === undefined) return shown;
	let parsed;
	try {
		parsed = JSON.parse(full);
	} catch {
		return shown;
	}
	const list = isObject(parsed) && Array.isArray(parsed.msgButtons) ? parsed.msgButtons : [];
	for (const b of list) {
		if (!isObject(b) || typeof b.text !== 'string') continue;
		const callsBack = typeof b.id === 'string' && b.id !== '' && b.request === true;
		shown.push({ text: b.text, actionId: callsBack ? String(b.id) : undefined, url: typeof b.url === 'string' ? b.url : undefined, params: {}, disabled: false });
	}
	return shown;
}

/**
 * The state of a flowStatus value, undefined when it is none of DingTalk's.
 * @param {string | undefined} flowStatus
 * @returns {'processing' | 'inputting' | 'finished' | 'executing' | 'failed' | undefined}
 */
function flowState(flowStatus) {
	return flowStatus !== undefined && Object.hasOwn(FLOW_STATES, flowStatus) ? FLOW_STATES[/** @type {1|2|3|4|5} */ (Number(flowStatus))] : undefined;
}

module.exports = { CardTemplates, AI_CARD_TEMPLATE_ID, EXAMPLE_QUESTION_TEMPLATE, AI_CARD_VARIABLES, FLOW_STATES, buttonsOf, flowState };
