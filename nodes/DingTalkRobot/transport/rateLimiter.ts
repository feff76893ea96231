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
		/** the wait is for DingTalk's throttle of the robot to end, not for a free slot */
		readonly throttled = false,
	) {
		super(`would wait ${Math.ceil(waitMs / 1000)} s`);
		this.name = 'RateLimitWaitError';
	}
}

/** How many reservations pass between two sweeps of robots whose windows and blocks are over. */
const SWEEP_EVERY = 256;

export class RobotRateLimiter {
	/** send times reserved per robot, ascending; may lie in the future */
	private readonly reserved = new Map<string, number[]>();

	/** robots DingTalk throttled: nothing is sent to them before `until`; `since` is when we learnt it */
	private readonly blocks = new Map<string, { since: number; until: number }>();

	private reservationsSinceSweep = 0;

	constructor(
		private clock: LimiterClock,
		private timing: LimiterTiming = DINGTALK_TIMING,
	) {}

	/** For tests and the benchmark: one time scale for the limiter and a simulator (or a fake clock). */
	configure(timing: Partial<LimiterTiming>, clock?: LimiterClock): void {
		this.timing = { ...this.timing, ...timing };
		if (clock) this.clock = clock;
		this.reserved.clear();
		this.blocks.clear();
	}

	/** How many robots the limiter holds state for (every session webhook is one). */
	get size(): number {
		return new Set([...this.reserved.keys(), ...this.blocks.keys()]).size;
	}

	/** Forgets robots whose last window and block are over: their state no longer changes any wait. */
	sweep(): void {
		const now = this.clock.now();
		const span = this.timing.windowMs + this.timing.marginMs;
		for (const [robot, times] of this.reserved) {
			if ((times[times.length - 1] ?? -Infinity) <= now - span) this.reserved.delete(robot);
		}
		for (const [robot, block] of this.blocks) {
			if (block.until <= now) this.blocks.delete(robot);
		}
		this.reservationsSinceSweep = 0;
	}

	/** Until when DingTalk's throttle holds the robot, or undefined when it does not. */
	blockedUntil(robot: string): number | undefined {
		const until = this.blocks.get(robot)?.until;
		return until !== undefined && until > this.clock.now() ? until : undefined;
	}

	/** The pause before attempt `attempt + 1` of a transient failure: 1 s, 2 s, 4 s, … */
	retryPause(attempt: number): number {
		return Math.min(this.timing.retryBaseMs * 2 ** (attempt - 1), this.timing.retryMaxMs);
	}

	now(): number {
		return this.clock.now();
	}

	async pause(ms: number): Promise<void> {
		if (ms > 0) await this.clock.sleep(ms);
	}

	/**
	 * Reserves the earliest send time at which `robot` has sent fewer than `perWindow` messages
	 * in the last window, and returns how long to wait for it. Throws RateLimitWaitError, and
	 * reserves nothing, when that wait is longer than `maxWaitMs`. (The app robot's calls per
	 * second are paced at departure instead: callPacer.ts.)
	 */
	reserve(robot: string, perWindow: number, maxWaitMs: number): number {
		if (++this.reservationsSinceSweep >= SWEEP_EVERY) this.sweep();
		const now = this.clock.now();
		const span = this.timing.windowMs + this.timing.marginMs;
		const times = (this.reserved.get(robot) ?? []).filter((time) => time > now - span);
		const blockedUntil = this.blockedUntil(robot) ?? now;
		let at = Math.max(now, blockedUntil, times[times.length - 1] ?? now);
		if (times.length >= perWindow) at = Math.max(at, times[times.length - perWindow] + span);
		const wait = at - now;
		if (wait > maxWaitMs) throw new RateLimitWaitError(wait, maxWaitMs, blockedUntil > now);
		times.push(at);
		this.reserved.set(robot, times);
		return wait;
	}

	/**
	 * DingTalk throttled the robot (answering a request that left at `sentAt`): hold every
	 * message to it until the throttle has passed. Answers to requests that were already on their
	 * way when the block was set come from the same throttle and do not extend it; only a
	 * request sent after it (by another n8n process, say) shows a throttle that lasts longer.
	 */
	block(robot: string, sentAt = this.clock.now()): number {
		const now = this.clock.now();
		const current = this.blocks.get(robot);
		if (current && current.until > now && sentAt <= current.since) return current.until;
		const until = Math.max(now + this.timing.throttleMs, current?.until ?? 0);
		this.blocks.set(robot, { since: now, until });
		return until;
	}
}

/** The limiter shared by every DingTalk Robot node running in this n8n instance (one per process). */
export const robotRateLimiter = new RobotRateLimiter({ now: () => Date.now(), sleep });

/** Identifies a robot without keeping its token. */
export function robotKey(endpoint: string, accessToken: string): string {
	return createHash('sha256').update(`${endpoint}\n${accessToken}`).digest('hex').slice(0, 16);
}
