/**
 * An app robot's cards through DingTalk's OpenAPI: create and deliver one into a conversation,
 * update its data, stream text into one of its variables. The answers are read, not trusted: a
 * card created but not delivered (the robot not in the group, a user who is not the robot's) is
 * an error, though DingTalk answers 200 with `success: true` and says so only in
 * `deliverResults`. Updates and streamed text may be sent again (an update sets the same data; a
 * stream's `guid` makes DingTalk apply it once); a create is sent again only if it provably never
 * left, as a message is.
 */
import { NodeApiError } from 'n8n-workflow';

import { openSpaceId } from '../messages/cardData';
import { callWithRetries } from './appSend';
import type { DeliverySettings } from './index';
import type { AppSession } from './openapi';
import type { ItemRef, NodeContext } from './post';

export const CARD_CREATE_ENDPOINT = 'POST /v1.0/card/instances/createAndDeliver';
export const CARD_UPDATE_ENDPOINT = 'PUT /v1.0/card/instances';
export const CARD_STREAM_ENDPOINT = 'PUT /v1.0/card/streaming';

export type CardDestination = { kind: 'group'; openConversationId: string } | { kind: 'user'; userId: string };

export interface NewCard {
	cardTemplateId: string;
	outTrackId: string;
	cardParamMap: Record<string, string>;
	destination: CardDestination;
	robotCode: string;
	/** how button clicks come back: over the app's Stream connection, or to an HTTP route registered with DingTalk */
	callback: { type: 'STREAM' } | { type: 'HTTP'; routeKey: string };
}

export interface DeliverResult {
	spaceType?: string;
	spaceId?: string;
	success?: boolean;
	errorMsg?: string;
	carrierId?: string;
}

/** The request body of a createAndDeliver. */
export function createCardBody(card: NewCard): Record<string, unknown> {
	const space = openSpaceId(card.destination);
	return {
		cardTemplateId: card.cardTemplateId,
		outTrackId: card.outTrackId,
		callbackType: card.callback.type,
		...(card.callback.type === 'HTTP' && { callbackRouteKey: card.callback.routeKey }),
		cardData: { cardParamMap: card.cardParamMap },
		openSpaceId: space,
		...(card.destination.kind === 'group'
			? { imGroupOpenSpaceModel: { supportForward: true }, imGroupOpenDeliverModel: { robotCode: card.robotCode } }
			: { imRobotOpenSpaceModel: { supportForward: true }, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: card.robotCode } }),
		userIdType: 1,
	};
}

const resultOf = (body: Record<string, unknown>) => (typeof body.result === 'object' && body.result !== null ? (body.result as Record<string, unknown>) : {});

/** Creates the card and delivers it; throws when DingTalk did not deliver it (deliverResults). */
export async function createAndDeliverCard(ctx: NodeContext, session: AppSession, card: NewCard, item: ItemRef, settings: DeliverySettings): Promise<{ deliverResults: DeliverResult[]; attempts: number; possibleDuplicate: boolean }> {
	const sent = await callWithRetries(ctx, session, CARD_CREATE_ENDPOINT, createCardBody(card), item, settings, (body) => body.success === true && Array.isArray(resultOf(body).deliverResults));
	const deliverResults = resultOf(sent.body).deliverResults as DeliverResult[];
	const failed = deliverResults.filter((result) => result.success !== true);
	if (failed.length > 0 || deliverResults.length === 0) {
		const why = failed.map((result) => session.redact(String(result.errorMsg ?? 'no reason given'))).join('; ') || 'DingTalk named no conversation it delivered to';
		throw new NodeApiError(ctx.getNode(), { deliverResults: failed as never }, {
			itemIndex: item.index,
			message: `${item.label}: DingTalk created the card but did not deliver it: ${why}`,
			description:
				card.destination.kind === 'group'
					? 'Add the app\'s robot to the group (group settings › Bots), and check Conversation ID: the openConversationId of a group the robot is in.'
					: 'Check User ID: a member of the app\'s organization who can chat with the robot (the trigger item\'s sender.staffId).',
		});
	}
	return { deliverResults, attempts: sent.attempts, possibleDuplicate: sent.possibleDuplicate };
}

/** Sets the card's data: only the variables given (`merge`), or all of them. */
export async function updateCard(ctx: NodeContext, session: AppSession, update: { outTrackId: string; cardParamMap: Record<string, string>; merge: boolean }, item: ItemRef, settings: DeliverySettings): Promise<number> {
	const body = { outTrackId: update.outTrackId, cardData: { cardParamMap: update.cardParamMap }, cardUpdateOptions: { updateCardDataByKey: update.merge } };
	// the same data set twice is the same card: an update may be sent again whatever happened to it
	const sent = await callWithRetries(ctx, session, CARD_UPDATE_ENDPOINT, body, item, settings, (answer) => answer.success === true, 'always');
	return sent.attempts;
}

/** Streams the whole text so far into a card's variable (DingTalk applies a `guid` once). */
export async function streamCardText(
	ctx: NodeContext,
	session: AppSession,
	stream: { outTrackId: string; key: string; guid: string; content: string; isFinalize: boolean; isError: boolean },
	item: ItemRef,
	settings: DeliverySettings,
): Promise<void> {
	const body = { outTrackId: stream.outTrackId, guid: stream.guid, key: stream.key, content: stream.content, isFull: true, isFinalize: stream.isFinalize, isError: stream.isError };
	await callWithRetries(ctx, session, CARD_STREAM_ENDPOINT, body, item, settings, (answer) => answer.success === true, 'always');
}
