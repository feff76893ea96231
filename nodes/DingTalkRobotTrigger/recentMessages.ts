/**
 * The msgIds the triggers saw in the last ten minutes, per n8n process (a restart forgets them;
 * each webhook process of a queue-mode install has its own): DingTalk calls again when a callback
 * is not answered in time, and a retry must not run the workflow a second time. (Signatures are
 * remembered apart, for their whole validity: signedPairs.ts.)
 */
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** Bounds the memory if a flood of distinct messages arrives within the window. */
const MAX_REMEMBERED = 50_000;

/** Keys with a value, remembered for a window and forgotten oldest first. */
export class RecentMessages<V = true> {
	private readonly seen = new Map<string, { at: number; value: V }>();

	constructor(private readonly windowMs = DUPLICATE_WINDOW_MS) {}

	/** Records `key` (if new) and returns the value it was first seen with inside the window, or undefined. */
	remember(key: string, value: V, nowMs: number): V | undefined {
		this.forgetOlderThan(nowMs - this.windowMs);
		const previous = this.seen.get(key);
		if (previous !== undefined) return previous.value;
		if (this.seen.size >= MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value as string);
		this.seen.set(key, { at: nowMs, value });
		return undefined;
	}

	/** Records `key` and says whether it was already seen within the window. */
	seenBefore(key: string, nowMs: number): boolean {
		return this.remember(key, true as V, nowMs) !== undefined;
	}

	private forgetOlderThan(limitMs: number): void {
		// Map keeps insertion order, which is arrival order: stop at the first recent entry.
		for (const [key, entry] of this.seen) {
			if (entry.at > limitMs) break;
			this.seen.delete(key);
		}
	}
}

/** One memory of msgIds for every DingTalk trigger of this process; keys carry workflow and node. */
export const recentCallbacks = new RecentMessages();
