/**
 * Delivering a message: wait for the robot's next slot under DingTalk's rate limit, post it,
 * and retry what may succeed later (throttled, busy, HTTP 5xx, timeouts, dropped connections)
 * with a fresh signature and the same msgUuid, so DingTalk posts it once whatever happens.
 * Everything that waits draws on the execution's wait budget; past it the item fails clearly.
 */
import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { RobotMessageBody } from '../messages/types';
import { afterAttempts } from './errors';
import { postRobotMessage, type DingTalkAnswer, type Destination, type ItemRef } from './post';
import { RateLimitWaitError, robotRateLimiter } from './rateLimiter';
import type { Redactor } from '../../shared/redact';

export { CREDENTIAL_TYPE, type DingTalkAnswer, type Destination, type ItemRef } from './post';

/** What an execution may still wait, shared by all its items. */
export class WaitBudget {
	constructor(public remainingMs: number) {}

	spend(ms: number): void {
		this.remainingMs = Math.max(0, this.remainingMs - ms);
	}
}

export interface DeliverySettings {
	/** keep to `perMinute` messages per minute to this robot */
	pacing: boolean;
	perMinute: number;
	maxAttempts: number;
	timeoutMs: number;
	budget: WaitBudget;
	/** removes the credential's secrets and session tokens from text that came from the HTTP layer */
	redact: Redactor;
	/** the app robot's calls: at most `perSecond` a second per app, across executions (DingTalk's QPS) */
	appPacing?: { key: string; perSecond: number };
}

export interface Delivered {
	answer: DingTalkAnswer;
	attempts: number;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

function waitTooLong(ctx: IExecuteFunctions, item: ItemRef, settings: DeliverySettings, error: RateLimitWaitError) {
	const why = error.throttled
		? 'for DingTalk\'s throttle of this robot (errcode 410100) to pass'
		: `for a free slot under ${settings.perMinute} messages per minute`;
	return new NodeOperationError(
		ctx.getNode(),
		`${item.label}: rate limit: would wait ${seconds(error.waitMs)} s ${why}, more than the ${seconds(error.budgetMs)} s this execution may still wait`,
		{
			itemIndex: item.index,
			description: error.throttled
				? 'DingTalk throttled this robot after it was sent more than 20 messages in a minute, and refuses everything it is sent for about 10 minutes. ' +
					'Nothing was sent for this item. Raise Options › Max Wait to wait the throttle out, or run again later.'
				: `DingTalk accepts ${settings.perMinute} messages per minute from this robot and throttles it for 10 minutes past that. ` +
					'Nothing was sent for this item. Raise Options › Max Wait, combine items into fewer messages (Options › Combine Items), or send fewer items per execution.',
		},
	);
}

/** The webhook posts a message once per msgUuid: sending it again with the same one is safe. */
function webhookResendAdvice(body: RobotMessageBody): string {
	return `It carries msgUuid ${body.msgUuid}: DingTalk posts a message once per msgUuid, so running again with the same Options › Message ID cannot post it twice.`;
}

/** Waits until the robot may be sent to: a free slot (when pacing) and no throttle of DingTalk's. */
async function waitForTurn(ctx: IExecuteFunctions, item: ItemRef, settings: DeliverySettings, destination: Destination): Promise<void> {
	// a throttle set while this message waited (another execution got 410100) holds it again
	while (settings.pacing || robotRateLimiter.blockedUntil(destination.key) !== undefined) {
		let wait: number;
		try {
			wait = robotRateLimiter.reserve(destination.key, settings.perMinute, settings.budget.remainingMs);
		} catch (error) {
			throw waitTooLong(ctx, item, settings, error as RateLimitWaitError);
		}
		settings.budget.spend(wait);
		await robotRateLimiter.pause(wait);
		if (robotRateLimiter.blockedUntil(destination.key) === undefined) return;
	}
}

/** Sends one message: paced, retried where a retry can help, never posted twice (msgUuid). */
export async function sendRobotMessage(
	ctx: IExecuteFunctions,
	body: RobotMessageBody,
	item: ItemRef,
	settings: DeliverySettings,
	destination: Destination,
): Promise<Delivered> {
	/** what an attempt got when DingTalk may have posted the message (its answer unreadable) */
	let ambiguous: string | undefined;
	for (let attempt = 1; ; attempt++) {
		await waitForTurn(ctx, item, settings, destination);
		const sentAt = robotRateLimiter.now();
		const outcome = await postRobotMessage(ctx, body, item, settings.redact, settings.timeoutMs, destination);
		if (outcome.ok) return { answer: outcome.answer, attempts: attempt };
		if (outcome.maybePosted) ambiguous = outcome.summary;
		// Nothing reaches this robot until the throttle has passed: hold every message to it, this
		// execution's and every other's, also when this message is not tried again.
		if (outcome.retry === 'throttled') robotRateLimiter.block(destination.key, sentAt);
		if (outcome.retry === 'never' || attempt >= settings.maxAttempts) throw afterAttempts(outcome.error, attempt, ambiguous, webhookResendAdvice(body));

		if (outcome.retry !== 'throttled') {
			const pause = robotRateLimiter.retryPause(attempt);
			if (pause > settings.budget.remainingMs) throw afterAttempts(outcome.error, attempt, ambiguous, webhookResendAdvice(body));
			settings.budget.spend(pause);
			await robotRateLimiter.pause(pause);
		}
	}
}
