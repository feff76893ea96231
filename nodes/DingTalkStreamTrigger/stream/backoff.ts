/**
 * When to try again after a failed connect: 1 s doubling up to 60 s, with jitter so that many
 * n8n instances cut off together do not come back in step (DingTalk's Node SDK does the same).
 * Pure: the random number is given.
 */

const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;

/** The ceiling of the n-th retry's wait (n from 0): 1 s × 2ⁿ, at most 60 s. */
export function backoffCeiling(attempt: number): number {
	return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.floor(attempt)));
}

/**
 * The wait before the n-th retry: between half the ceiling and the ceiling ("equal jitter"), so
 * it is never shorter than 0.5 s and never longer than 60 s. `random` is in [0, 1).
 */
export function reconnectDelay(attempt: number, random: number): number {
	const ceiling = backoffCeiling(attempt);
	const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
	return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/**
 * A connection that stayed up a minute, or that carried messages (robot messages or events: what
 * shows DingTalk was really using it; pings and disconnects do not) and lived at least a second,
 * was a good one: when it drops, the next connect is tried at once and the schedule starts again
 * from 1 s. One that dies sooner, or that carried no message, keeps climbing, so a gateway that
 * accepts and at once drops connections is not hammered every second.
 */
export const STABLE_CONNECTION_MS = 60_000;
export const PROVEN_CONNECTION_MS = 1_000;

/**
 * A handover (DingTalk's disconnect, or the watchdog renewing a silent connection) replaces a
 * connection that still works; the connection replaced has proved itself when it lived this long,
 * or carried messages for PROVEN_CONNECTION_MS.
 */
export const HANDOVER_PROVEN_MS = 10_000;

export interface RetryStep {
	/** how long to wait before the next connect */
	waitMs: number;
	/** the failure count to carry on to the step after it */
	attempt: number;
}

/** After a connect failed (the n-th in a row, from 0). */
export function afterFailedConnect(attempt: number, random: number): RetryStep {
	return { waitMs: reconnectDelay(attempt, random), attempt: attempt + 1 };
}

/** After an open connection closed unexpectedly, having lived `lifeMs` and carried `messages` messages. */
export function afterLostConnection(attempt: number, lifeMs: number, messages: number, random: number): RetryStep {
	if (lifeMs >= STABLE_CONNECTION_MS || (messages > 0 && lifeMs >= PROVEN_CONNECTION_MS)) return { waitMs: 0, attempt: 0 };
	return afterFailedConnect(attempt, random);
}

/**
 * Before the connection that replaces one that lived `lifeMs` and carried `messages` messages: at
 * once (and the schedule starts again) when the one replaced had proved itself; otherwise the
 * handover counts as a failed connect. A gateway that tells every new connection to go as soon as
 * it opens (a reconnect storm) so gets one registration per step of the schedule (7 in its first
 * minute), not hundreds a second.
 */
export function afterHandover(attempt: number, lifeMs: number, messages: number, random: number): RetryStep {
	if (lifeMs >= HANDOVER_PROVEN_MS || (messages > 0 && lifeMs >= PROVEN_CONNECTION_MS)) return { waitMs: 0, attempt: 0 };
	return afterFailedConnect(attempt, random);
}
