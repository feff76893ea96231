/**
 * A card's data as DingTalk takes it, pure: DingTalk's card API wants every value of
 * `cardParamMap` as a string (lists and objects JSON-encoded), a card sent into a conversation
 * is addressed by an open space ID, and the sender chooses the card's `outTrackId`, by which it
 * is updated and streamed into afterwards.
 */
import { randomBytes } from 'crypto';

import { parseJsonField } from './checks';
import { MessageInputError, describeValue } from './fields';

/**
 * DingTalk's published AI card template, which many bots use. Its variables, as DingTalk's own
 * Python Stream SDK fills them (card_instance.py, AIMarkdownCardInstance): `msgContent` streams
 * markdown, `msgTitle` heads it, `flowStatus` shows its state.
 */
export const AI_CARD_TEMPLATE_ID = '382e4302-551d-4880-bf29-a30acfab2e71.schema';

/** The AI card's streaming variable, its title and its state variable. */
export const AI_CARD_CONTENT_KEY = 'msgContent';
export const AI_CARD_TITLE_KEY = 'msgTitle';
export const AI_CARD_STATE_KEY = 'flowStatus';

/** The AI card's states as DingTalk numbers them (flowStatus: the SDK's AICardStatus; 4 executing is not used here). */
export const AI_CARD_STATES = { processing: '1', inputting: '2', finished: '3', failed: '5' } as const;
export type AiCardState = keyof typeof AI_CARD_STATES;

/** One value of cardParamMap: a string as given; numbers and booleans written out; lists and objects as JSON. */
function cardValue(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value === undefined || value === null) return '';
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return JSON.stringify(value);
}

/** `cardParamMap` from an object of variables (or a JSON object as text); `field` names it in errors. */
export function toCardParamMap(data: unknown, field: string): Record<string, string> {
	let value = data;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		value = parseJsonField(value, field);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new MessageInputError(field, `must be an object of the card's variables, got ${describeValue(data)}`);
	}
	const map: Record<string, string> = {};
	for (const [key, entry] of Object.entries(value)) {
		if (!/^[A-Za-z_][\w.-]{0,63}$/.test(key)) throw new MessageInputError(field, `has the variable name ${describeValue(key)}: a card variable is a name (letters, digits, _ . -)`);
		map[key] = cardValue(entry);
	}
	return map;
}

/** The open space of a conversation: a group by its openConversationId, or the robot's one-to-one chat with a user. */
export function openSpaceId(destination: { kind: 'group'; openConversationId: string } | { kind: 'user'; userId: string }): string {
	return destination.kind === 'group' ? `dtv1.card//IM_GROUP.${destination.openConversationId}` : `dtv1.card//IM_ROBOT.${destination.userId}`;
}

/** An outTrackId of the node's choosing: unique, and safe in a URL and an expression. */
export function newOutTrackId(): string {
	return `n8n-${randomBytes(12).toString('hex')}`;
}

/** An outTrackId given by the user, checked: DingTalk takes letters, digits, _ and - (up to 64). */
export function readOutTrackId(value: unknown, field: string): string {
	const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
	if (text === undefined) throw new MessageInputError(field, `must be text, got ${describeValue(value)}`);
	if (!/^[\w-]{1,64}$/.test(text)) throw new MessageInputError(field, `is ${describeValue(text)}: an outTrackId is 1 to 64 letters, digits, _ or -`);
	return text;
}
