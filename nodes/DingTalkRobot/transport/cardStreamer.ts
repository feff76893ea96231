/**
 * Streaming text into a card (an AI card's answer appearing as it is written). Every update is an
 * OpenAPI call, counted against the app's calls per second and (since 2026) its quota, while a
 * model produces tokens much faster than that. So updates to one card are coalesced:
 * - at most one update is in flight per card, and updates go out in order;
 * - what is sent is always the whole text so far (`isFull`), so an update that waited simply
 *   carries everything that arrived meanwhile: a fast producer makes one call per round trip,
 *   not one per chunk, and nothing in between is lost;
 * - updates to a card go out at least `minIntervalMs` apart (default 300 ms: about three a second,
 *   smooth to read, and five answers at once stay under DingTalk's default 20 calls per second);
 *   the finalize does not wait for it: the final text is sent as soon as the update before it is done;
 * - the last text always arrives, and a finalize (or an error) is always sent once asked for,
 *   with the whole text, as the last update.
 * One streamer per card for this n8n process (`cardStreamer(outTrackId)`), so that several
 * executions (a producer calling the node chunk by chunk) share it. The sending itself is given
 * with each push (the OpenAPI call with its pacing and retries, in the execution that pushed
 * last); this module only decides what to send next.
 */

import { sleep } from 'n8n-workflow';

/** Updates of one card at least this far apart, unless told otherwise. */
export const DEFAULT_CARD_UPDATE_INTERVAL_MS = 300;

export interface CardStreamerOptions {
	minIntervalMs?: number;
	clock?: { now: () => number; sleep: (ms: number) => Promise<void> };
}

export type SendCardText = (update: CardTextUpdate) => Promise<void>;

export interface CardTextUpdate {
	/** the whole text so far */
	content: string;
	/** the text is complete: DingTalk ends the card's streaming (an AI card shows it finished) */
	isFinalize: boolean;
	/** the answer failed: DingTalk shows the card's failed state */
	isError: boolean;
}

export interface CardTextPush {
	text: string;
	/** `full`: the whole text so far; `append`: a chunk to add to it */
	mode: 'full' | 'append';
	finalize?: boolean;
	error?: boolean;
}

interface Waiter {
	/** the text length (of the target) this waiter needs sent */
	upTo: number;
	/** it needs the finalize (or error) sent */
	final: boolean;
	resolve: () => void;
	reject: (error: unknown) => void;
}

export class CardStreamer {
	/** the whole text the card should show */
	private target = '';

	/** the whole text DingTalk last accepted */
	private sent = '';

	private finalizeAsked = false;

	private errorAsked = false;

	private finalized = false;

	private inFlight = false;

	private waiters: Waiter[] = [];

	/** calls made, for the output and the bench */
	calls = 0;

	/** when the last update went out (its call started) */
	private lastSentAt = -Infinity;

	/** ends a wait between updates early: the finalize is not held back */
	private wake: () => void = () => undefined;

	readonly minIntervalMs: number;

	private readonly clock: NonNullable<CardStreamerOptions['clock']>;

	constructor(options: CardStreamerOptions = {}) {
		const interval = options.minIntervalMs ?? DEFAULT_CARD_UPDATE_INTERVAL_MS;
		this.minIntervalMs = Number.isFinite(interval) && interval >= 0 ? interval : DEFAULT_CARD_UPDATE_INTERVAL_MS;
		this.clock = options.clock ?? { now: () => Date.now(), sleep };
	}

	/** how updates are sent: the latest push's (an execution that ended may not send any more) */
	private send: SendCardText = async () => {
		throw new Error('nothing to send with');
	};

	/** The text the card shows once every update asked for has gone out. */
	get text(): string {
		return this.target;
	}

	get done(): boolean {
		return this.finalized;
	}

	/**
	 * Adds text (or replaces it) and resolves once an update carrying it (and the finalize, when
	 * asked) was accepted; rejects when that update failed. Text pushed after the finalize is refused.
	 */
	async push(update: CardTextPush, send: SendCardText): Promise<void> {
		if (this.finalized || this.finalizeAsked) throw new Error('the card\'s text was already finalized: nothing can be added to it');
		this.send = send;
		this.target = update.mode === 'append' ? this.target + update.text : update.text;
		if (update.finalize || update.error) this.finalizeAsked = true;
		if (update.error) this.errorAsked = true;
		if (this.finalizeAsked) this.wake();
		const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ upTo: this.target.length, final: this.finalizeAsked, resolve, reject }));
		void this.pump();
		return await waiting;
	}

	/** What to send next, or nothing: the whole text when it changed, the finalize once, as the last update. */
	private next(): CardTextUpdate | undefined {
		const changed = this.target !== this.sent;
		if (!changed && (!this.finalizeAsked || this.finalized)) return undefined;
		return { content: this.target, isFinalize: this.finalizeAsked, isError: this.errorAsked };
	}

	private async pump(): Promise<void> {
		if (this.inFlight) return;
		this.inFlight = true;
		try {
			for (let update = this.next(); update; update = this.next()) {
				const wait = this.lastSentAt + this.minIntervalMs - this.clock.now();
				if (wait > 0 && !update.isFinalize) {
					// text that arrives meanwhile joins this update; a finalize ends the wait
					await Promise.race([this.clock.sleep(wait), new Promise<void>((resolve) => (this.wake = resolve))]);
					this.wake = () => undefined;
					update = this.next()!;
				}
				try {
					this.calls++;
					this.lastSentAt = this.clock.now();
					await this.send(update);
				} catch (error) {
					// the update failed: whoever waits for text it carried hears why; later text tries again
					this.settle((waiter) => waiter.upTo <= update!.content.length, error);
					if (update.isFinalize) this.finalizeAsked = false;
					if (this.target === update.content && !this.finalizeAsked) return;
					continue;
				}
				this.sent = update.content;
				if (update.isFinalize) this.finalized = true;
				this.settle((waiter) => waiter.upTo <= this.sent.length && (!waiter.final || this.finalized));
			}
		} finally {
			this.inFlight = false;
		}
	}

	private settle(which: (waiter: Waiter) => boolean, error?: unknown): void {
		const [settled, waiting] = [this.waiters.filter(which), this.waiters.filter((waiter) => !which(waiter))];
		this.waiters = waiting;
		for (const waiter of settled) {
			if (error === undefined) waiter.resolve();
			else waiter.reject(error);
		}
	}
}

/** Cards whose streaming ended are forgotten past this many. */
const MAX_FINISHED = 1000;

const streamers = new Map<string, CardStreamer>();

/** The streamer of a card, for every execution in this n8n (one per process) */
export function cardStreamer(outTrackId: string, options?: CardStreamerOptions): CardStreamer {
	let streamer = streamers.get(outTrackId);
	if (!streamer) {
		streamer = new CardStreamer(options);
		streamers.set(outTrackId, streamer);
		if (streamers.size > MAX_FINISHED) {
			for (const [key, entry] of streamers) {
				if (streamers.size <= MAX_FINISHED) break;
				if (entry.done) streamers.delete(key);
			}
		}
	}
	return streamer;
}
