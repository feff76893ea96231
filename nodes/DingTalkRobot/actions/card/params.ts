/**
 * An item's card fields, read and checked before DingTalk is asked: the variables (fields or
 * JSON, every value a string), the AI card's state, the conversation, the outTrackId.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { AI_CARD_STATE_KEY, AI_CARD_STATES, readOutTrackId, toCardParamMap, type AiCardState } from '../../messages/cardData';
import { MessageInputError, requireText } from '../../messages/fields';
import type { CardDestination } from '../../transport/cards';

/** The variables of Create Card or Update Card, with the AI card's state when one is chosen. */
export function readCardParamMap(ctx: IExecuteFunctions, itemIndex: number): Record<string, string> {
	const mode = ctx.getNodeParameter('cardDataMode', itemIndex, 'fields');
	let map: Record<string, string>;
	if (mode === 'json') {
		map = toCardParamMap(ctx.getNodeParameter('cardDataJson', itemIndex, '{}'), 'JSON');
	} else {
		const rows = (ctx.getNodeParameter('cardVariables', itemIndex, {}) as { values?: Array<{ name?: unknown; value?: unknown }> }).values ?? [];
		const entries: IDataObject = {};
		for (const row of rows) {
			const name = requireText(row.name, 'Variables › Name').trim();
			entries[name] = row.value as IDataObject[keyof IDataObject];
		}
		map = toCardParamMap(entries, 'Variables');
	}
	const state = ctx.getNodeParameter('aiCardState', itemIndex, 'none') as string;
	if (state !== 'none') {
		if (!(state in AI_CARD_STATES)) throw new MessageInputError('AI Card State', `is "${state}": choose one of ${Object.keys(AI_CARD_STATES).join(', ')}`);
		map[AI_CARD_STATE_KEY] = AI_CARD_STATES[state as AiCardState];
	}
	return map;
}

/** Where a card goes (destination.ts): a group, a user, or where the answered message came from. */
export function readCardDestination(ctx: IExecuteFunctions, itemIndex: number): CardDestination {
	let kind = ctx.getNodeParameter('cardDestination', itemIndex, 'message') as string;
	if (kind === 'message') {
		const type = requireText(ctx.getNodeParameter('messageConversationType', itemIndex, ''), 'Message Conversation Type').trim();
		if (type !== 'group' && type !== 'oneToOne') {
			throw new MessageInputError('Message Conversation Type', `is "${type.slice(0, 40)}": it must be "group" or "oneToOne"`, 'A DingTalk trigger item\'s conversation.type; or choose Group or User as the Conversation Type.');
		}
		kind = type === 'group' ? 'group' : 'user';
	}
	return kind === 'user'
		? { kind: 'user', userId: requireText(ctx.getNodeParameter('cardUserId', itemIndex, ''), 'User ID').trim() }
		: { kind: 'group', openConversationId: requireText(ctx.getNodeParameter('cardOpenConversationId', itemIndex, ''), 'Conversation ID').trim() };
}

/** The card an Update Card or Stream Card Text item is about. */
export function readCardOutTrackId(ctx: IExecuteFunctions, itemIndex: number): string {
	return readOutTrackId(ctx.getNodeParameter('outTrackId', itemIndex, ''), 'Out Track ID');
}
