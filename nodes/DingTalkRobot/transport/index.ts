/**
 * Delivering a message: wait for the robot's next slot under DingTalk's rate limit, post it,
 * and retry what may succeed later (throttled, busy, HTTP 5xx, timeouts, dropped connections)
 * with a fresh signature and the same msgUuid, so DingTalk posts it once whatever happens.
 * Everything that waits draws on the execution's wait budget; past it the item fails clearly.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { RobotMessageBody } from '../messages/types';
import { postRobotMessage, type DingTalkAnswer, type Destination, type ItemRef } from './post';
import { RateLimitWaitError, robotRateLimiter } from './rateLimiter';

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
	redact: (text: string) => string;
}

export interface Delivered {
	answer: DingTalkAnswer;
	attempts: number;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

function waitTooLong(ctx: IExecuteFunctions, item: ItemRef, settings: DeliverySettings, error: RateLimitWaitError, why: string) {
	return new NodeOperationError(
		ctx.getNode(),
		`${item.label}: rate limit: would wait ${seconds(error.waitMs)} s ${why}, more than the ${seconds(error.budgetMs)} s this execution may still wait`,
		{
			itemIndex: item.index,
			description:
				`DingTalk accepts ${settings.perMinute} messages per minute from this robot and throttles it for 10 minutes past that. ` +
				'Nothing was sent for this item. Raise Options › Max Wait, combine items into fewer messages (Options › Combine Items), or send fewer items per execution.',
		},
	);
}

/** Says on the error how many attempts were made, for the message and the error item. */
function afterAttempts(error: NodeApiError, attempts: number): NodeApiError {
	error.context.attempts = attempts;
	if (attempts > 1) error.message = `${error.message} (after ${attempts} attempts)`;
	return error;
}

/** Sends one message: paced, retried where a retry can help, never posted twice (msgUuid). */
export async function sendRobotMessage(
	ctx: IExecuteFunctions,
	body: RobotMessageBody,
	item: ItemRef,
	settings: DeliverySettings,
	destination: Destination,
): Promise<Delivered> {
	let throttledBefore = false;
	for (let attempt = 1; ; attempt++) {
		if (settings.pacing || throttledBefore) {
			const why = throttledBefore ? 'for DingTalk\'s throttle of this robot (errcode 410100) to pass' : 'for a free slot';
			let wait: number;
			try {
				wait = robotRateLimiter.reserve(destination.key, settings.perMinute, settings.budget.remainingMs);
			} catch (error) {
				throw waitTooLong(ctx, item, settings, error as RateLimitWaitError, why);
			}
			settings.budget.spend(wait);
			await robotRateLimiter.pause(wait);
		}

		const outcome = await postRobotMessage(ctx, body, item, settings.redact, settings.timeoutMs, destination);
		if (outcome.ok) return { answer: outcome.answer, attempts: attempt };
		if (outcome.retry === 'never' || attempt >= settings.maxAttempts) throw afterAttempts(outcome.error, attempt);

		if (outcome.retry === 'throttled') {
			// Nothing reaches this robot until the throttle has passed: hold every message to it.
			robotRateLimiter.block(destination.key);
			throttledBefore = true;
		} else {
			const pause = robotRateLimiter.retryPause(attempt);
			if (pause > settings.budget.remainingMs) throw afterAttempts(outcome.error, attempt);
			settings.budget.spend(pause);
			await robotRateLimiter.pause(pause);
		}
	}
}
