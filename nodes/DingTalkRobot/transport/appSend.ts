/**
 * Sending as the app robot (DingTalk's OpenAPI), with the retries that can help: DingTalk's QPS
 * throttling and its server errors, after a pause that doubles, within Max Attempts and the
 * destination's wait budget. The OpenAPI has no idempotency key like the webhook's msgUuid, so
 * an answer that cannot be read is not tried again (it may have been posted), and a message that
 * was tried again after a server error says it may have been posted twice.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { AppRobotMessage } from '../messages/appTemplates';
import { afterAttempts } from './errors';
import type { DeliverySettings } from './index';
import { callOpenApi, type AppSession, type OpenApiOutcome } from './openapi';
import type { ItemRef } from './post';
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
 * DingTalk allows an app's calls per second (20 for a standard organization): the next call
 * waits its turn. The margin covers the time between a call's turn and its arrival at DingTalk
 * (n8n's request pipeline, the network), which would otherwise put more than the quota into one
 * of DingTalk's seconds (the bench saw 20 of 500 throttled with a 50 ms margin).
 */
const QPS_WINDOW = { ms: 1000, marginMs: 300 };

async function waitForCallSlot(ctx: IExecuteFunctions, item: ItemRef, settings: DeliverySettings): Promise<void> {
	if (!settings.appPacing) return;
	let wait: number;
	try {
		wait = robotRateLimiter.reserve(settings.appPacing.key, settings.appPacing.perSecond, settings.budget.remainingMs, QPS_WINDOW);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `${item.label}: would wait ${Math.ceil((error as RateLimitWaitError).waitMs / 1000)} s for the app's next call (${settings.appPacing.perSecond} calls per second), more than this execution may still wait`, {
			itemIndex: item.index,
			description: 'Nothing was sent for this item. Raise Options › Max Wait, or Options › Calls per Second if DingTalk granted the app more.',
		});
	}
	settings.budget.spend(wait);
	await robotRateLimiter.pause(wait);
}

/** Tries `attempt` again while it fails in a way a later attempt may not (throttled, server error). */
export async function withRetries(ctx: IExecuteFunctions, item: ItemRef, settings: DeliverySettings, attempt: () => Promise<OpenApiOutcome>): Promise<AppDelivered> {
	let ambiguous: string | undefined;
	for (let count = 1; ; count++) {
		await waitForCallSlot(ctx, item, settings);
		const outcome = await attempt();
		if (outcome.ok) return { body: outcome.body, attempts: count, possibleDuplicate: ambiguous !== undefined };
		if (outcome.maybePosted) ambiguous = outcome.summary;
		if (outcome.retry === 'never' || count >= settings.maxAttempts) throw afterAttempts(outcome.error, count, ambiguous, OPENAPI_RESEND_ADVICE);
		const pause = robotRateLimiter.retryPause(count);
		if (pause > settings.budget.remainingMs) throw afterAttempts(outcome.error, count, ambiguous, OPENAPI_RESEND_ADVICE);
		settings.budget.spend(pause);
		await robotRateLimiter.pause(pause);
	}
}

/** Any OpenAPI call with retries; `answered` says whether a 2xx body is the API's answer. */
export async function callWithRetries(
	ctx: IExecuteFunctions,
	session: AppSession,
	path: string,
	body: object,
	item: ItemRef,
	settings: DeliverySettings,
	answered: (body: Record<string, unknown>) => boolean,
): Promise<AppDelivered> {
	return await withRetries(ctx, item, settings, async () => await callOpenApi(ctx, session, path, body, item, settings.redact, settings.timeoutMs, answered));
}

/** Sends one template to a group, or to up to 20 users; the answer has the processQueryKey to recall it with. */
export async function sendAppMessage(
	ctx: IExecuteFunctions,
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
