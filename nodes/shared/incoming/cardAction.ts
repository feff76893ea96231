/**
 * A click on a card's button (a 回传请求 "callback request"), the same whether it came over Stream
 * (a CALLBACK frame on /v1.0/card/instances/callback: the DingTalk Stream Trigger) or HTTP (a POST
 * to the URL registered for the card's callbackRouteKey: the DingTalk Robot Trigger): is a body
 * such a click (readCardCallbackBody), the workflow item it becomes (normalizeCardAction), and the
 * triggers' card filters. Pure.
 *
 * DingTalk's shape (its guide 事件回调, open.dingtalk.com/document/development/event-callback-card;
 * the sample frame of the official Python Stream SDK, card_callback_message.py; the Go SDK's
 * card.CardRequest): `{type: "actionCallback", outTrackId, corpId, userId, userIdType,
 * content: "{\"cardPrivateData\":{\"actionIds\":[…],\"params\":{…}}}", spaceType, spaceId,
 * extension: "{}", value: <content again>}`. `content` is JSON in a string; `actionIds` are the
 * IDs of the components clicked, `params` what the button (and the card's inputs) pass back.
 */
import type { IDataObject } from 'n8n-workflow';

/** The CALLBACK topic of card clicks. */
export const CARD_CALLBACK_TOPIC = '/v1.0/card/instances/callback';

/** A click as DingTalk sends it (the frame's data over Stream, the body over HTTP). */
export interface CardCallbackBody {
	type?: string;
	outTrackId: string;
	userId: string;
	corpId?: string;
	userIdType?: number;
	content?: string;
	spaceType?: string;
	spaceId?: string;
	[key: string]: unknown;
}

export interface CardPrivateData {
	actionIds: string[];
	params: IDataObject;
}

export type CardCallbackReading = { ok: true; body: CardCallbackBody; action: CardPrivateData } | { ok: false; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parsed(value: unknown): unknown {
	if (typeof value !== 'string' && !Buffer.isBuffer(value)) return value;
	const text = value.toString().trim();
	if (text === '') return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * Whether a body that reached the HTTP trigger is meant as a card click rather than a robot
 * message: an object with an outTrackId and no msgtype. Only decides which check it gets; the
 * check (the signature, then readCardCallbackBody) decides whether it is one.
 */
export function looksLikeCardCallback(body: unknown): boolean {
	const value = parsed(body);
	return isObject(value) && value.msgtype === undefined && (typeof value.outTrackId === 'string' || value.type === 'actionCallback');
}

/** The clicked action IDs and params of `content` (JSON text, or already an object), or why there are none. */
function readContent(content: unknown): { ok: true; action: CardPrivateData } | { ok: false; reason: string } {
	const value = typeof content === 'string' ? parsed(content) : content;
	if (!isObject(value)) return { ok: false, reason: 'its content is not a JSON object' };
	const data = value.cardPrivateData;
	if (data === undefined) return { ok: true, action: { actionIds: [], params: {} } };
	if (!isObject(data)) return { ok: false, reason: 'its content.cardPrivateData is not an object' };
	const ids = data.actionIds ?? [];
	if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' && typeof id !== 'number')) {
		return { ok: false, reason: 'its content.cardPrivateData.actionIds is not a list of IDs' };
	}
	const params = data.params ?? {};
	if (!isObject(params)) return { ok: false, reason: 'its content.cardPrivateData.params is not an object' };
	return { ok: true, action: { actionIds: ids.map(String), params: params as IDataObject } };
}

/** The body as a card click, or why it is not one. A JSON body sent as text is parsed here. */
export function readCardCallbackBody(body: unknown): CardCallbackReading {
	const value = parsed(body);
	if (!isObject(value)) return { ok: false, reason: 'the body is not a JSON object' };
	if (value.type !== undefined && value.type !== 'actionCallback') {
		return { ok: false, reason: `the body's type is ${JSON.stringify(value.type)}, not actionCallback` };
	}
	if (typeof value.outTrackId !== 'string' || value.outTrackId === '') return { ok: false, reason: 'the body has no outTrackId: it is not a card click' };
	if (typeof value.userId !== 'string' || value.userId === '') return { ok: false, reason: 'the body has no userId: it is not a card click' };
	const content = readContent(value.content ?? value.value ?? '{}');
	if (!content.ok) return { ok: false, reason: `the click cannot be read: ${content.reason}` };
	return { ok: true, body: value as CardCallbackBody, action: content.action };
}

/** How the click reached n8n. */
export type CardActionVia = 'stream' | 'http';

/** The workflow item a click becomes, from either trigger. Documented in the README ("Card buttons"). */
export interface CardActionItem extends IDataObject {
	event: 'cardAction';
	outTrackId: string;
	/** who clicked: a user ID of the organization (userIdType 1), as the card was made with */
	userId: string;
	/** the first of actionIds: the button clicked */
	actionId: string;
	actionIds: string[];
	/** what the button (and the card's inputs) passed back */
	params: IDataObject;
	corpId: string;
	/** where the card was clicked, when DingTalk names the space (spaceType IM_GROUP or IM_ROBOT) */
	conversation?: { type: 'group' | 'oneToOne'; id: string };
	spaceType: string;
	spaceId: string;
	via: CardActionVia;
	receivedAt: string;
	/** DingTalk's body, unchanged (content still JSON text) */
	raw: IDataObject;
}

const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

export function normalizeCardAction(body: CardCallbackBody, action: CardPrivateData, via: CardActionVia, receivedAtMs: number): CardActionItem {
	const spaceType = text(body.spaceType);
	const spaceId = text(body.spaceId);
	const type = spaceType.toUpperCase() === 'IM_GROUP' ? 'group' : spaceType.toUpperCase() === 'IM_ROBOT' ? 'oneToOne' : undefined;
	return {
		event: 'cardAction',
		outTrackId: body.outTrackId,
		userId: body.userId,
		actionId: action.actionIds[0] ?? '',
		actionIds: action.actionIds,
		params: action.params,
		corpId: text(body.corpId),
		...(type && spaceId && { conversation: { type, id: spaceId } }),
		spaceType,
		spaceId,
		via,
		receivedAt: new Date(receivedAtMs).toISOString(),
		raw: body as IDataObject,
	};
}

/** The triggers' card filters, from their Options (text as the user typed it). */
export interface CardActionFilters {
	/** comma-separated action IDs: only clicks on these */
	onlyActionIds?: string;
	/** only cards whose outTrackId starts with this */
	outTrackIdPrefix?: string;
}

/** The action IDs of the option, split at commas, semicolons and new lines. */
export function actionIdList(value: unknown): string[] {
	return typeof value === 'string' ? value.split(/[,;\n，]/).map((id) => id.trim()).filter(Boolean) : [];
}

/** Whether a click passes the trigger's card filters (a filter left empty passes everything). */
export function passesCardFilters(item: Pick<CardActionItem, 'actionIds' | 'outTrackId'>, filters: CardActionFilters): boolean {
	const ids = actionIdList(filters.onlyActionIds);
	if (ids.length > 0 && !item.actionIds.some((id) => ids.includes(id))) return false;
	const prefix = typeof filters.outTrackIdPrefix === 'string' ? filters.outTrackIdPrefix.trim() : '';
	return prefix === '' || item.outTrackId.startsWith(prefix);
}
