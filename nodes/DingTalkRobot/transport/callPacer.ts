/**
 * DingTalk counts an app's OpenAPI calls per second (20 for a standard organization; past it:
 * HTTP 403 QpsLimit…), by when they arrive. Two things make calls arrive closer together than
 * they were allowed to leave, and both are met here:
 * - a turn booked in advance: a call booked for a time may leave much later (it waited for a
 *   token being renewed), and then bunches up with the calls booked after it (a review measured
 *   38 calls in one second at a quota of 20). So a turn is given at the moment the call leaves;
 * - a burst: twenty calls let go at once leave one after the other as n8n prepares each request
 *   (under load the last left 150 ms after the first, measured), while the next twenty leave on
 *   time. So calls leave evenly spaced, one every (window + margin) ÷ perWindow: any
 *   `perWindow + 1` consecutive calls leave at least a window and its margin apart, whatever
 *   burst asked for them, and a lone call leaves at once.
 * Every call of an app waits in one line, in the order it asked, across all executions of this
 * n8n process; in queue mode each worker has its own, and DingTalk's throttling answer
 * (retried) is the safety net there.
 */
import { sleep } from 'n8n-workflow';

import { RateLimitWaitError, type LimiterClock } from './rateLimiter';

export interface PacingWindow {
	/** DingTalk's counting window */
	ms: number;
	/**
	 * added to the window: calls that leave a window apart can arrive less than one apart when
	 * the time from leaving to arriving varies by more than this
	 */
	marginMs: number;
}

interface Waiter {
	/** resolves with the time waited */
	grant: (waitedMs: number) => void;
	since: number;
}

interface Line {
	/** when the last call left (or -Infinity) */
	lastDeparture: number;
	/** the time between two departures */
	spacingMs: number;
	waiting: Waiter[];
	/** a wake-up is pending for the first in line */
	pumping: boolean;
}

/** How many acquisitions pass between two sweeps of lines that hold nothing any more. */
const SWEEP_EVERY = 256;

export class CallPacer {
	private readonly lines = new Map<string, Line>();

	private acquisitionsSinceSweep = 0;

	constructor(private clock: LimiterClock) {}

	/** For tests: another clock, and every line forgotten. */
	configure(clock?: LimiterClock): void {
		if (clock) this.clock = clock;
		this.lines.clear();
	}

	/**
	 * Resolves, with the milliseconds it waited, at the moment the call may leave: the caller
	 * sends it at once (in the same turn of the event loop). Rejects at once with
	 * RateLimitWaitError, and takes no place in line, when the wait it can foresee (everyone
	 * ahead leaving in turn) is longer than `maxWaitMs`.
	 */
	async acquire(key: string, perWindow: number, window: PacingWindow, maxWaitMs: number): Promise<number> {
		if (++this.acquisitionsSinceSweep >= SWEEP_EVERY) this.sweep();
		const now = this.clock.now();
		const line = this.line(key, (window.ms + window.marginMs) / perWindow);
		if (line.waiting.length === 0 && now >= line.lastDeparture + line.spacingMs) {
			line.lastDeparture = now;
			return 0;
		}
		const foreseen = Math.max(now, line.lastDeparture + line.spacingMs * (line.waiting.length + 1)) - now;
		if (foreseen > maxWaitMs) throw new RateLimitWaitError(foreseen, maxWaitMs);
		return await new Promise<number>((grant) => {
			line.waiting.push({ grant, since: now });
			void this.pump(line);
		});
	}

	/** The line of `key`, with the latest spacing asked for (executions may differ; the last one counts). */
	private line(key: string, spacingMs: number): Line {
		let line = this.lines.get(key);
		if (!line) {
			line = { lastDeparture: -Infinity, spacingMs, waiting: [], pumping: false };
			this.lines.set(key, line);
		}
		line.spacingMs = spacingMs;
		return line;
	}

	/** Lets the first in line go whenever its turn comes, until the line is empty; one pump per line. */
	private async pump(line: Line): Promise<void> {
		if (line.pumping) return;
		line.pumping = true;
		try {
			while (line.waiting.length > 0) {
				const now = this.clock.now();
				const turn = line.lastDeparture + line.spacingMs;
				if (now < turn) {
					await this.clock.sleep(turn - now);
					continue;
				}
				line.lastDeparture = now;
				const waiter = line.waiting.shift() as Waiter;
				waiter.grant(now - waiter.since);
			}
		} finally {
			line.pumping = false;
		}
	}

	/** Forgets lines with nobody waiting whose last call left long enough ago to change nothing. */
	private sweep(): void {
		const now = this.clock.now();
		for (const [key, line] of this.lines) {
			if (!line.pumping && line.waiting.length === 0 && now >= line.lastDeparture + line.spacingMs) this.lines.delete(key);
		}
		this.acquisitionsSinceSweep = 0;
	}
}

/** The line of every app's OpenAPI calls in this n8n (one line per process) */
export const appCallPacer = new CallPacer({ now: () => Date.now(), sleep });
