/**
 * The answer a trigger gives DingTalk for a click, the same over Stream (the ACK's data is
 * `{"response": <answer>}`, as the official SDKs wrap it) and HTTP (the answer is the body).
 * DingTalk's guide (事件回调, 事件回调响应) documents the answer: `cardData: {cardParamMap}` (the
 * card's public data), `userPrivateData: {cardParamMap}` (the clicking user's own data, not keyed
 * by userId), `cardUpdateOptions: {updateCardDataByKey, updatePrivateDataByKey}`. It must come
 * within 2 seconds, so it is decided when the click arrives, from the trigger's settings, never
 * by the workflow (which updates the card later with Update Card, by the item's outTrackId).
 *
 * The settings are read and checked once, when the trigger starts (readClickAnswer: a mistake
 * fails the activation and names the field); each click fills in its placeholders (clickResponse):
 * {userId}, {actionId}, {actionIds}, {outTrackId}, {params.NAME} (a param's value; objects as
 * JSON). Braces that are none of these are kept as typed. Single braces: n8n's own {{ }} would be
 * evaluated when the trigger starts, before any click.
 */
import type { IDataObject } from 'n8n-workflow';

import { parseJsonField } from '../../DingTalkRobot/messages/checks';
import { toCardParamMap } from '../../DingTalkRobot/messages/cardData';
import { MessageInputError, describeValue } from '../../DingTalkRobot/messages/fields';
import type { CardActionItem } from './cardAction';

export type ClickAnswerMode = 'none' | 'variables' | 'json';

/** What the trigger answers each click with: nothing, or a card update (placeholders not filled in yet). */
export type ClickAnswer = { mode: 'none' } | { mode: 'update'; response: IDataObject };

/** The node's parameters of the answer (names of nodes/shared/incoming/cardActionDescription.ts). */
export interface ClickAnswerParameters {
	cardActionAnswer?: unknown;
	cardActionVariables?: unknown;
	cardActionUpdateFor?: unknown;
	cardActionJson?: unknown;
}

const ANSWER_KEYS = ['cardData', 'userPrivateData', 'cardUpdateOptions'];
const UPDATE_OPTION_KEYS = ['updateCardDataByKey', 'updatePrivateDataByKey'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The variables of the form's list (name and value rows), every value text. */
function readVariables(value: unknown): Record<string, string> {
	const field = 'Answer the Click › Variables';
	if (value === undefined || value === null || value === '') return {};
	if (!isObject(value)) throw new MessageInputError(field, `must be a list of names and values, got ${describeValue(value)}`);
	const rows = value.values ?? [];
	if (!Array.isArray(rows)) throw new MessageInputError(field, `must be a list of names and values, got ${describeValue(rows)}`);
	const entries: IDataObject = {};
	for (const row of rows) {
		const name = isObject(row) && typeof row.name === 'string' ? row.name.trim() : '';
		if (!name) throw new MessageInputError(`${field} › Name`, 'is required');
		entries[name] = isObject(row) ? (row.value as IDataObject[keyof IDataObject]) : '';
	}
	return toCardParamMap(entries, field);
}

/** One `{cardParamMap}` of the JSON answer, its values made text as DingTalk requires. */
function readCardDataPart(value: unknown, path: string): IDataObject {
	if (!isObject(value)) throw new MessageInputError(path, `must be an object {"cardParamMap": {…}}, got ${describeValue(value)}`);
	const extra = Object.keys(value).find((key) => key !== 'cardParamMap');
	if (extra) throw new MessageInputError(path, `has "${extra}": it takes only cardParamMap`);
	return { cardParamMap: toCardParamMap(value.cardParamMap ?? {}, `${path}.cardParamMap`) };
}

/** The JSON answer, checked: only DingTalk's three keys, in their shapes. */
function readJsonAnswer(value: unknown): IDataObject {
	const field = 'Answer the Click › JSON';
	const answer = typeof value === 'string' ? (value.trim() === '' ? {} : parseJsonField(value, field)) : value;
	if (!isObject(answer)) throw new MessageInputError(field, `must be an object with cardData, userPrivateData or cardUpdateOptions, got ${describeValue(answer)}`);
	const unknown = Object.keys(answer).find((key) => !ANSWER_KEYS.includes(key));
	if (unknown) throw new MessageInputError(field, `has "${unknown}": a click's answer takes ${ANSWER_KEYS.join(', ')}`);
	const checked: IDataObject = {};
	if (answer.cardData !== undefined) checked.cardData = readCardDataPart(answer.cardData, `${field} › cardData`);
	if (answer.userPrivateData !== undefined) checked.userPrivateData = readCardDataPart(answer.userPrivateData, `${field} › userPrivateData`);
	if (answer.cardUpdateOptions !== undefined) {
		const options = answer.cardUpdateOptions;
		const path = `${field} › cardUpdateOptions`;
		if (!isObject(options)) throw new MessageInputError(path, `must be an object, got ${describeValue(options)}`);
		for (const [key, flag] of Object.entries(options)) {
			if (!UPDATE_OPTION_KEYS.includes(key)) throw new MessageInputError(path, `has "${key}": it takes ${UPDATE_OPTION_KEYS.join(' and ')}`);
			if (typeof flag !== 'boolean') throw new MessageInputError(`${path}.${key}`, `must be true or false, got ${describeValue(flag)}`);
		}
		checked.cardUpdateOptions = { ...options } as IDataObject;
	}
	return checked;
}

/** The answer from the node's parameters, checked (throws MessageInputError naming the field). */
export function readClickAnswer(parameters: ClickAnswerParameters): ClickAnswer {
	const mode = parameters.cardActionAnswer ?? 'none';
	if (mode === 'none') return { mode: 'none' };
	if (mode === 'json') return { mode: 'update', response: readJsonAnswer(parameters.cardActionJson) };
	if (mode !== 'variables') throw new MessageInputError('Answer the Click', `is ${describeValue(mode)}: choose one of none, variables, json`);
	const cardParamMap = readVariables(parameters.cardActionVariables);
	const forClicker = parameters.cardActionUpdateFor === 'clicker';
	if (!forClicker && parameters.cardActionUpdateFor !== undefined && parameters.cardActionUpdateFor !== 'everyone') {
		throw new MessageInputError('Answer the Click › Update For', `is ${describeValue(parameters.cardActionUpdateFor)}: choose everyone or clicker`);
	}
	// only the variables given change; the others keep their values
	return {
		mode: 'update',
		response: forClicker
			? { userPrivateData: { cardParamMap }, cardUpdateOptions: { updatePrivateDataByKey: true } }
			: { cardData: { cardParamMap }, cardUpdateOptions: { updateCardDataByKey: true } },
	};
}

const PLACEHOLDER = /\{(userId|actionId|actionIds|outTrackId|params\.([^{}]+))\}/g;

/** A text with the click's placeholders filled in. */
export function fillPlaceholders(text: string, item: Pick<CardActionItem, 'userId' | 'actionId' | 'actionIds' | 'outTrackId' | 'params'>): string {
	return text.replace(PLACEHOLDER, (_whole, name: string, param: string | undefined) => {
		if (param !== undefined) {
			const value = item.params[param];
			if (value === undefined || value === null) return '';
			return typeof value === 'string' ? value : JSON.stringify(value);
		}
		if (name === 'actionIds') return item.actionIds.join(',');
		return String(item[name as 'userId' | 'actionId' | 'outTrackId']);
	});
}

function fillDeep(value: unknown, item: CardActionItem): unknown {
	if (typeof value === 'string') return fillPlaceholders(value, item);
	if (Array.isArray(value)) return value.map((entry) => fillDeep(entry, item));
	if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, fillDeep(entry, item)]));
	return value;
}

/** The answer to one click: `{}` (the card stays as it is) or the update with the click filled in. */
export function clickResponse(answer: ClickAnswer, item: CardActionItem): IDataObject {
	return answer.mode === 'none' ? {} : (fillDeep(answer.response, item) as IDataObject);
}
