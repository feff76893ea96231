/**
 * The Stream trigger's side of the app's card connection (Events: Card Button Clicks, or Both):
 * each click that passes the trigger's card filters becomes an item (nodes/shared/incoming/
 * cardAction.ts) and is answered at once with the trigger's card update, or none
 * (cardActionAnswer.ts). The answer goes back in the frame's ACK, which the connection sends as
 * soon as this returns; the item is emitted after it. A frame pushed again (its ACK never reached
 * DingTalk) carries the same messageId: answered the same, run once.
 */
import type { IDataObject, ITriggerFunctions } from 'n8n-workflow';

import { CARD_CALLBACK_TOPIC, normalizeCardAction, passesCardFilters } from '../shared/incoming/cardAction';
import { clickResponse } from '../shared/incoming/cardActionAnswer';
import { readCardActionSettings } from '../shared/incoming/cardActionSettings';
import { recentCallbacks } from '../DingTalkRobotTrigger/recentMessages';
import type { StreamSubscriber } from './stream/registry';

export interface CardSubscriberContext {
	/** workflow, node and mode: what a click's messageId is remembered under */
	scope: string;
	options: IDataObject;
	/** the editor's test listening takes one event, whichever trigger side it comes to */
	testEvent: { taken: boolean };
}

export function cardSubscriber(ctx: ITriggerFunctions, { scope, options, testEvent }: CardSubscriberContext): Pick<StreamSubscriber, 'topic' | 'onCardAction'> {
	// checked now: a mistake fails the activation instead of every click
	const settings = readCardActionSettings(ctx, options);
	const manual = ctx.getMode() === 'manual';
	return {
		topic: CARD_CALLBACK_TOPIC,
		onCardAction: (reading, messageId) => {
			if (testEvent.taken) return undefined;
			const item = normalizeCardAction(reading.body, reading.action, 'stream', Date.now());
			if (!passesCardFilters(item, settings.filters)) return undefined;
			const response = clickResponse(settings.answer, item);
			if (recentCallbacks.seenBefore(`${scope}:card:${messageId}`, Date.now())) return response;
			if (manual) testEvent.taken = true;
			// `ctx.emit` is looked up when it runs (n8n replaces it in manual mode), after the ACK went
			void Promise.resolve().then(() => ctx.emit([[{ json: item }]]));
			return response;
		},
	};
}
