/**
 * Sending as the app robot (DingTalk's OpenAPI), with the retries that can help: DingTalk's QPS
 * throttling (403 QpsLimit…, a bare 429), its server errors, and a request that provably never
 * left (connection refused or reset while connecting, DNS), after a pause that doubles, within Max
 * Attempts and the destination's wait budget. The OpenAPI has no idempotency key like the
 * webhook's msgUuid, so an answer that was lost (a reset or a timeout after the request left, an
 * unreadable answer) is not tried again: the item says DingTalk may have posted the message. A
 * message tried again after a server error (DingTalk's advice) says it may have been posted twice.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { AppRobotMessage } from '../messages/appTemplates';
import { afterAttempts } from './errors';
import type { DeliverySettings } from './index';
import { appCallPacer, type PacingWindow } from './callPacer';
import { NO_PACE, callOpenApi, type AppSession, type OpenApiOutcome, type Pace } from './openapi';
import type { ItemRef, NetworkPolicy, NodeContext } from './post';
import { robotRateLimiter, type RateLimitWaitError } from './rateLimiter';

export const GROUP_SEND_PATH = '/v1.0/robot/groupMessages/send';
export const USERS_SEND_PATH = '/v1.0/robot/oToMessages/batchSend';
export const GROUP_RECALL_PATH = '/v1.0/robot/groupMessages/recall';
export const USERS_RECALL_PATH = '/v1.0/robot/otoMessages/batchRecall';

/** DingTalk takes at most 20 users per one-to-one call (invalidParameter.userIds.overMax). */
export const MAX_USERS_PER_CALL = 20;

export type AppDestination = { kind: 'group'; openConversationId: string } | { kind: 'users'; userIds: string[] };

export interface AppDelivered {
	body: Record<string, unknown>;
	attempts: number;
	/** an earlier attempt failed in a way that may have posted the message (then it may be there twice) */
	possibleDuplicate: boolean;
}

/** The OpenAPI has no msgUuid: a message whose answer was lost cannot be sent again safely. */
const OPENAPI_RESEND_ADVICE = 'The OpenAPI has no message ID to recognise a message sent again: look in the conversation before sending it again.';

/**
 * DingTalk allows an app's calls per second (20 for a standard organization): each call waits
 * its turn right before it leaves (callPacer.ts). The margin covers only the network's varying
 * delay between two calls' departures and their arrivals.
 */
const QPS_WINDOW: PacingWindow = { ms: 1000, marginMs: 50 };

/** The turn of every call an item makes, drawing on its destination's wait budget. */
function itemPace(ctx: NodeContext, item: ItemRef, settings: DeliverySettings): Pace {
	const pacing = settings.appPacing;
	if (!pacing) return NO_PACE;
	return async () => {
		let waited: number;
		try {
			waited = await appCallPacer.acquire(pacing.key, pacing.perSecond, QPS_WINDOW, settings.budget.remainingMs);
		} catch (error) {
			// acquire refuses only a wait past the budget
			throw new NodeOperationError(ctx.getNode(), `${item.label}: would wait ${Math.ceil((error as RateLimitWaitError).waitMs / 1000)} s for the app's next call (${pacing.perSecond} calls per second), more than this execution may still wait`, {
				itemIndex: item.index,
				description: 'Nothing was sent for this item. Raise Options › Max Wait, or Options › Calls per Second if DingTalk granted the app more.',
			});
		}
		settings.budget.spend(waited);
	};
}

/**
 * Tries `attempt` again while it fails in a way a later attempt may not (throttled, a server
 * error, a request that never left), after a pause that doubles (or as long as DingTalk asked).
 */
export async function withRetries(ctx: NodeContext, item: ItemRef, settings: DeliverySettings, attempt: (pace: Pace) => Promise<OpenApiOutcome>): Promise<AppDelivered> {
	const pace = itemPace(ctx, item, settings);
	let ambiguous: string | undefined;
	for (let count = 1; ; count++) {
		const outcome = await attempt(pace);
		if (outcome.ok) return { body: outcome.body, attempts: count, possibleDuplicate: ambiguous !== undefined };
		if (outcome.maybePosted) ambiguous = outcome.summary;
		if (outcome.retry === 'never' || count >= settings.maxAttempts) throw afterAttempts(outcome.error, count, ambiguous, OPENAPI_RESEND_ADVICE);
		const pause = Math.max(robotRateLimiter.retryPause(count), outcome.retryAfterMs ?? 0);
		if (pause > settings.budget.remainingMs) throw afterAttempts(outcome.error, count, ambiguous, OPENAPI_RESEND_ADVICE);
		settings.budget.spend(pause);
		await robotRateLimiter.pause(pause);
	}
}

/** Any OpenAPI call with retries; `answered` says whether a 2xx body is the API's answer. */
export async function callWithRetries(
	ctx: NodeContext,
	session: AppSession,
	endpoint: string,
	body: object,
	item: ItemRef,
	settings: DeliverySettings,
	answered: (body: Record<string, unknown>) => boolean,
	resend: NetworkPolicy['resend'] = 'ifNeverSent',
): Promise<AppDelivered> {
	return await withRetries(ctx, item, settings, async (pace) => await callOpenApi(ctx, session, endpoint, body, item, settings.timeoutMs, answered, pace, resend));
}

/** Sends one template to a group, or to up to 20 users; the answer has the processQueryKey to recall it with. */
export async function sendAppMessage(
	ctx: NodeContext,
	session: AppSession,
	message: AppRobotMessage,
	robotCode: string,
	destination: AppDestination,
	item: ItemRef,
	settings: DeliverySettings,
): Promise<AppDelivered> {
	const common = { robotCode, msgKey: message.msgKey, msgParam: JSON.stringify(message.msgParam) };
	const [path, body] =
		destination.kind === 'group'
			? [GROUP_SEND_PATH, { ...common, openConversationId: destination.openConversationId }]
			: [USERS_SEND_PATH, { ...common, userIds: destination.userIds }];
	return await callWithRetries(ctx, session, path, body, item, settings, (answer) => typeof answer.processQueryKey === 'string' && answer.processQueryKey !== '');
}
