/**
 * DingTalk calls again when a callback is not answered in time. The msgIds seen in the last ten
 * minutes are remembered per trigger node, so a retry does not run the workflow a second time.
 * The memory is this n8n process's (a restart forgets it; each webhook process of a queue-mode
 * install has its own).
 */
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** Bounds the memory if a flood of distinct messages arrives within the window. */
const MAX_REMEMBERED = 50_000;

export class RecentMessages {
	private readonly seenAt = new Map<string, number>();

	constructor(private readonly windowMs = DUPLICATE_WINDOW_MS) {}

	/** Records `key` and says whether it was already seen within the window. */
	seenBefore(key: string, nowMs: number): boolean {
		this.forgetOlderThan(nowMs - this.windowMs);
		const previous = this.seenAt.get(key);
		if (previous !== undefined) return true;
		if (this.seenAt.size >= MAX_REMEMBERED) this.seenAt.delete(this.seenAt.keys().next().value as string);
		this.seenAt.set(key, nowMs);
		return false;
	}

	private forgetOlderThan(limitMs: number): void {
		// Map keeps insertion order, which is arrival order: stop at the first recent entry.
		for (const [key, at] of this.seenAt) {
			if (at > limitMs) break;
			this.seenAt.delete(key);
		}
	}
}

/** One memory for every DingTalk trigger of this process; keys carry workflow and node. */
export const recentCallbacks = new RecentMessages();
