/**
 * Replays. DingTalk's callback sign is base64(HmacSHA256(appSecret, timestamp + "\n" + appSecret)):
 * it covers the timestamp only, never the body, and is accepted for an hour either side of it. So
 * whoever sees one signed call (a proxy log, a mirrored request) holds a (timestamp, sign) pair
 * that would carry any message for up to two hours. The trigger therefore remembers every pair
 * it accepted, with digests of the bodies it came with, for its whole validity, across all
 * workflows of the n8n process (one pair is good for every trigger using the same secret).
 *
 * The same pair with another body is not always an attack: two people writing to the robot in
 * the same millisecond get two genuine calls with the same pair (reproduced against a real n8n:
 * refusing the second lost it). judgeSignedPair tells the two apart:
 * - the identical body again: DingTalk retrying a call it got no answer to (answered, runs nothing);
 * - another body with another msgId within COLLISION_WINDOW_MS of the pair's first arrival, at
 *   most MAX_BODIES_PER_PAIR bodies in all: a collision, a genuine message (runs);
 * - anything else: a replay (403, runs nothing): the pair later with another body, or with the
 *   msgId of a body it already carried (a message edited, e.g. to mention the robot).
 * The trade-off: someone who can replay a pair within seconds of DingTalk's call can inject up
 * to MAX_BODIES_PER_PAIR - 1 messages. That means capturing DingTalk's TLS-protected call while
 * it is in flight and sending within seconds; whoever can do that can also hold the call back and
 * send their own body first, which no memory of pairs could stop. Refusing every second body
 * instead would lose a genuine message whenever two arrive in the same millisecond.
 */
import { createHash } from 'crypto';

import { CALLBACK_TIMESTAMP_TOLERANCE_MS } from './callback';

/** A pair is accepted while its timestamp is within an hour of now: two hours cover its whole life. */
export const PAIR_MEMORY_MS = 2 * CALLBACK_TIMESTAMP_TOLERANCE_MS;

/** Messages sent in the same millisecond reach n8n within moments of each other; a replay is later. */
export const COLLISION_WINDOW_MS = 5_000;

/** More distinct messages than this in one millisecond is not a coincidence. */
export const MAX_BODIES_PER_PAIR = 5;

/** Bounds the memory (a few hundred bytes a pair) when a flood of signed calls arrives. */
export const MAX_REMEMBERED_PAIRS = 50_000;

/** One body a pair came with. */
export interface PairBody {
	/** bodyDigest of the body as received */
	digest: string;
	msgId: string;
}

/** What is remembered of one pair. */
export interface PairRecord {
	/** when the pair first arrived (the receiving clock, not the sender's timestamp) */
	firstAt: number;
	bodies: PairBody[];
}

export type PairVerdict =
	| { kind: 'first' }
	| { kind: 'retry' }
	| { kind: 'collision' }
	| { kind: 'replay'; reason: string };

const REPLAY: PairVerdict = { kind: 'replay', reason: 'sign was already used for another message' };

/** Whether a signed call is the pair's first, a retry, a same-millisecond collision or a replay. */
export function judgeSignedPair(record: PairRecord | undefined, arrival: PairBody, nowMs: number): PairVerdict {
	if (record === undefined) return { kind: 'first' };
	if (record.bodies.some((body) => body.digest === arrival.digest)) return { kind: 'retry' };
	// the msgId of a message already carried, with another body: that message, altered
	if (record.bodies.some((body) => body.msgId === arrival.msgId)) return REPLAY;
	if (nowMs - record.firstAt > COLLISION_WINDOW_MS) return REPLAY;
	if (record.bodies.length >= MAX_BODIES_PER_PAIR) return REPLAY;
	return { kind: 'collision' };
}

/** The digest a body is remembered by: of its bytes as received, so a retry matches exactly. */
export function bodyDigest(bytes: Buffer | string): string {
	return createHash('sha256').update(bytes).digest('base64');
}

/** The pairs seen during their validity, forgotten oldest first (by first arrival). */
export class SignedPairMemory {
	private readonly pairs = new Map<string, PairRecord>();

	constructor(
		private readonly windowMs = PAIR_MEMORY_MS,
		private readonly maxPairs = MAX_REMEMBERED_PAIRS,
	) {}

	/** Judges a signed call and remembers it when it is accepted (a first arrival or a collision). */
	check(timestamp: string, sign: string, arrival: PairBody, nowMs: number): PairVerdict {
		this.forgetOlderThan(nowMs - this.windowMs);
		const key = `${timestamp}\n${sign}`;
		const record = this.pairs.get(key);
		const verdict = judgeSignedPair(record, arrival, nowMs);
		if (verdict.kind === 'collision') record?.bodies.push(arrival);
		if (verdict.kind === 'first') {
			if (this.pairs.size >= this.maxPairs) this.pairs.delete(this.pairs.keys().next().value as string);
			this.pairs.set(key, { firstAt: nowMs, bodies: [arrival] });
		}
		return verdict;
	}

	get size(): number {
		return this.pairs.size;
	}

	private forgetOlderThan(limitMs: number): void {
		// Map keeps insertion order, which is first-arrival order: stop at the first recent entry
		for (const [key, record] of this.pairs) {
			if (record.firstAt >= limitMs) break;
			this.pairs.delete(key);
		}
	}
}

/** One memory of pairs for every DingTalk Robot Trigger of this process, whatever its workflow. */
export const signedPairs = new SignedPairMemory();
