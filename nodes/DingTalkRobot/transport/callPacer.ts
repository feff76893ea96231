/**
 * DingTalk counts an app's OpenAPI calls per second (20 for a standard organization; past it:
 * HTTP 403 QpsLimit…). What DingTalk counts is when a call arrives, so a slot is granted at the
 * moment the call leaves, not booked in advance: a call booked for a time may leave much later
 * (it waited for a token being renewed, for n8n's pipeline on a busy CPU), and booked calls that
 * leave late bunch up with the ones booked after them (a review measured 38 calls in one second
 * at a quota of 20 that way). Here every call of an app waits in one line, in order, and the line
 * lets a call go only while fewer than `perWindow` calls left in the last window: every sliding
 * window holds at most `perWindow` departures, whatever happened before the call asked.
 *
 * One line per key (an app), for every execution of this n8n process; in queue mode each worker
 * has its own, and DingTalk's throttling answer (retried) is the safety net there.
 */
import { sleep } from 'n8n-workflow';

import { RateLimitWaitError, type LimiterClock } from './rateLimiter';

export interface PacingWindow {
	/** DingTalk's counting window */
	ms: number;
	/**
	 * added to the window: calls that leave a window apart can arrive less than one apart when
	 * the network's delay varies; small, because the slot is taken at departure
	 */
	marginMs: number;
}

interface Waiter {
	/** resolves with the time waited */
	grant: (waitedMs: number) => void;
	since: number;
}

interface Line {
	/** departure times within the last span, ascending */
	departed: number[];
	waiting: Waiter[];
	perWindow: number;
	spanMs: number;
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
	 * ahead served at the full rate) is longer than `maxWaitMs`.
	 */
	async acquire(key: string, perWindow: number, window: PacingWindow, maxWaitMs: number): Promise<number> {
		if (++this.acquisitionsSinceSweep >= SWEEP_EVERY) this.sweep();
		const now = this.clock.now();
		const line = this.line(key, perWindow, window.ms + window.marginMs);
		this.forgetDeparted(line, now);
		if (line.waiting.length === 0 && line.departed.length < line.perWindow) {
			line.departed.push(now);
			return 0;
		}
		const foreseen = this.foreseenWait(line, now);
		if (foreseen > maxWaitMs) throw new RateLimitWaitError(foreseen, maxWaitMs);
		return await new Promise<number>((grant) => {
			line.waiting.push({ grant, since: now });
			void this.pump(line);
		});
	}

	/** The line of `key`, with the latest settings asked for (executions may differ; the last one counts). */
	private line(key: string, perWindow: number, spanMs: number): Line {
		let line = this.lines.get(key);
		if (!line) {
			line = { departed: [], waiting: [], perWindow, spanMs, pumping: false };
			this.lines.set(key, line);
		}
		line.perWindow = perWindow;
		line.spanMs = spanMs;
		return line;
	}

	private forgetDeparted(line: Line, now: number): void {
		const from = line.departed.findIndex((at) => at > now - line.spanMs);
		line.departed.splice(0, from < 0 ? line.departed.length : from);
	}

	/** When the next one in line would leave if everyone ahead left at the full rate. */
	private foreseenWait(line: Line, now: number): number {
		const departures = [...line.departed];
		let at = now;
		for (let position = 0; position <= line.waiting.length; position++) {
			at = departures.length >= line.perWindow ? Math.max(now, departures[departures.length - line.perWindow] + line.spanMs) : now;
			departures.push(at);
		}
		return at - now;
	}

	/** Lets the first in line go whenever a slot frees, until the line is empty; one pump per line. */
	private async pump(line: Line): Promise<void> {
		if (line.pumping) return;
		line.pumping = true;
		try {
			for (;;) {
				const now = this.clock.now();
				this.forgetDeparted(line, now);
				while (line.waiting.length > 0 && line.departed.length < line.perWindow) {
					line.departed.push(now);
					const waiter = line.waiting.shift() as Waiter;
					waiter.grant(now - waiter.since);
				}
				if (line.waiting.length === 0) return;
				await this.clock.sleep(Math.max(1, line.departed[line.departed.length - line.perWindow] + line.spanMs - now));
			}
		} finally {
			line.pumping = false;
		}
	}

	/** Forgets lines with nobody waiting and no departure within their span. */
	private sweep(): void {
		const now = this.clock.now();
		for (const [key, line] of this.lines) {
			this.forgetDeparted(line, now);
			if (!line.pumping && line.waiting.length === 0 && line.departed.length === 0) this.lines.delete(key);
		}
		this.acquisitionsSinceSweep = 0;
	}
}

/** The line of every app's OpenAPI calls in this n8n process. */
export const appCallPacer = new CallPacer({ now: () => Date.now(), sleep });
