/**
 * DingTalk lets a robot post 20 messages per minute; the 21st throttles it for 10 minutes and
 * everything sent meanwhile is lost. This limiter keeps every robot under its budget across all
 * items and all executions of this n8n process: a message past the budget waits for its slot
 * instead of being sent into the throttle.
 *
 * Slots are reserved synchronously (JavaScript runs one thing at a time), so concurrent
 * executions never both take the same slot. Robots are keyed by a hash of their webhook, never
 * the token itself. In queue mode each worker process has its own limiter: the retry of a
 * throttled message is the safety net there.
 */
import { createHash } from 'crypto';
import { sleep } from 'n8n-workflow';

export interface LimiterClock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface LimiterTiming {
	/** DingTalk's counting window */
	windowMs: number;
	/** added to the window: requests sent exactly a window apart can arrive less than one apart */
	marginMs: number;
	/** how long DingTalk throttles a robot that sent too many */
	throttleMs: number;
	/** the first pause before retrying a transient failure; it doubles with every attempt */
	retryBaseMs: number;
	/** the longest pause between two attempts */
	retryMaxMs: number;
}

export const DINGTALK_TIMING: LimiterTiming = {
	windowMs: 60_000,
	marginMs: 1_000,
	throttleMs: 600_000,
	retryBaseMs: 1_000,
	retryMaxMs: 30_000,
};

/** The wait a message would need is longer than what the execution may still wait. */
export class RateLimitWaitError extends Error {
	constructor(
		readonly waitMs: number,
		readonly budgetMs: number,
	) {
		super(`would wait ${Math.ceil(waitMs / 1000)} s`);
		this.name = 'RateLimitWaitError';
	}
}

export class RobotRateLimiter {
	/** send times reserved per robot, ascending; may lie in the future */
	private readonly reserved = new Map<string, number[]>();

	/** robots DingTalk throttled: nothing is sent to them before this time */
	private readonly blockedUntil = new Map<string, number>();

	constructor(
		private clock: LimiterClock,
		private timing: LimiterTiming = DINGTALK_TIMING,
	) {}

	/** For tests and the benchmark: one time scale for the limiter and a simulator (or a fake clock). */
	configure(timing: Partial<LimiterTiming>, clock?: LimiterClock): void {
		this.timing = { ...this.timing, ...timing };
		if (clock) this.clock = clock;
		this.reserved.clear();
		this.blockedUntil.clear();
	}

	/** The pause before attempt `attempt + 1` of a transient failure: 1 s, 2 s, 4 s, … */
	retryPause(attempt: number): number {
		return Math.min(this.timing.retryBaseMs * 2 ** (attempt - 1), this.timing.retryMaxMs);
	}

	async pause(ms: number): Promise<void> {
		if (ms > 0) await this.clock.sleep(ms);
	}

	/**
	 * Reserves the earliest send time at which `robot` has sent fewer than `perWindow` messages
	 * in the last window, and returns how long to wait for it. Throws RateLimitWaitError, and
	 * reserves nothing, when that wait is longer than `maxWaitMs`.
	 */
	reserve(robot: string, perWindow: number, maxWaitMs: number): number {
		const now = this.clock.now();
		const span = this.timing.windowMs + this.timing.marginMs;
		const times = (this.reserved.get(robot) ?? []).filter((time) => time > now - span);
		let at = Math.max(now, this.blockedUntil.get(robot) ?? now, times[times.length - 1] ?? now);
		if (times.length >= perWindow) at = Math.max(at, times[times.length - perWindow] + span);
		const wait = at - now;
		if (wait > maxWaitMs) throw new RateLimitWaitError(wait, maxWaitMs);
		times.push(at);
		this.reserved.set(robot, times);
		return wait;
	}

	/** DingTalk throttled the robot: hold every message to it until the throttle has passed. */
	block(robot: string): number {
		const until = Math.max(this.clock.now() + this.timing.throttleMs, this.blockedUntil.get(robot) ?? 0);
		this.blockedUntil.set(robot, until);
		return until;
	}
}

/** The limiter shared by every DingTalk Robot node running in this n8n instance (one per process). */
export const robotRateLimiter = new RobotRateLimiter({ now: () => Date.now(), sleep });

/** Identifies a robot without keeping its token. */
export function robotKey(endpoint: string, accessToken: string): string {
	return createHash('sha256').update(`${endpoint}\n${accessToken}`).digest('hex').slice(0, 16);
}
