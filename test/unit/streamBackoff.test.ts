/** The reconnect schedule (backoff.ts): 1 s doubling to 60 s, jittered within [ceiling/2, ceiling]. */
import {
	BACKOFF_MAX_MS,
	HANDOVER_PROVEN_MS,
	PROVEN_CONNECTION_MS,
	STABLE_CONNECTION_MS,
	afterFailedConnect,
	afterHandover,
	afterLostConnection,
	backoffCeiling,
	reconnectDelay,
} from '../../nodes/DingTalkStreamTrigger/stream/backoff';

test('the ceilings double from 1 s and stop at 60 s', () => {
	expect(Array.from({ length: 9 }, (_, n) => backoffCeiling(n))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
	expect(backoffCeiling(1000)).toBe(BACKOFF_MAX_MS);
	expect(backoffCeiling(-3)).toBe(1000);
});

test('jitter stays between half the ceiling and the ceiling', () => {
	expect(reconnectDelay(0, 0)).toBe(500);
	expect(reconnectDelay(0, 0.999999)).toBe(1000);
	expect(reconnectDelay(3, 0.5)).toBe(6000);
	expect(reconnectDelay(20, 0)).toBe(30000);
	expect(reconnectDelay(20, 1)).toBe(60000);
	// a broken random number never makes a tight loop
	expect(reconnectDelay(0, Number.NaN)).toBe(500);
	expect(reconnectDelay(0, -5)).toBe(500);
});

test('failures in a row climb; a lost connection that lived long starts over at once', () => {
	let attempt = 0;
	const waits: number[] = [];
	for (let i = 0; i < 8; i++) {
		const step = afterFailedConnect(attempt, 0.5);
		waits.push(step.waitMs);
		attempt = step.attempt;
	}
	expect(waits).toEqual([750, 1500, 3000, 6000, 12000, 24000, 45000, 45000]);
	expect(afterLostConnection(attempt, STABLE_CONNECTION_MS, 0, 0.5)).toEqual({ waitMs: 0, attempt: 0 });
	// DingTalk sent frames on it and it lived a second: it was working
	expect(afterLostConnection(attempt, PROVEN_CONNECTION_MS, 3, 0.5)).toEqual({ waitMs: 0, attempt: 0 });
	// one that died young or silent keeps the count: a gateway that drops every connection is not hammered
	expect(afterLostConnection(5, 2000, 0, 0.5)).toEqual({ waitMs: 24000, attempt: 6 });
	expect(afterLostConnection(5, PROVEN_CONNECTION_MS - 1, 10, 0.5)).toEqual({ waitMs: 24000, attempt: 6 });
});

test('at most a handful of registrations in the first minute of failures', () => {
	let attempt = 0;
	let elapsed = 0;
	let tries = 1;
	for (;;) {
		const step = afterFailedConnect(attempt, 0);
		attempt = step.attempt;
		elapsed += step.waitMs;
		if (elapsed > 60_000) break;
		tries++;
	}
	expect(tries).toBeLessThanOrEqual(8);
});

test('a handover is made at once after a connection that proved itself, else it waits its turn', () => {
	// DingTalk renews a connection that served for hours (or a quiet one after 10 s): at once, the count starts over
	expect(afterHandover(4, 3 * 3600_000, 0, 0.5)).toEqual({ waitMs: 0, attempt: 0 });
	expect(afterHandover(4, HANDOVER_PROVEN_MS, 0, 0.5)).toEqual({ waitMs: 0, attempt: 0 });
	// one that carried messages for a second was working too
	expect(afterHandover(4, PROVEN_CONNECTION_MS, 1, 0.5)).toEqual({ waitMs: 0, attempt: 0 });
	// told to go as soon as it opened, or silent and young: a failed connect
	expect(afterHandover(0, 0, 0, 0.5)).toEqual({ waitMs: 750, attempt: 1 });
	expect(afterHandover(3, HANDOVER_PROVEN_MS - 1, 0, 0.5)).toEqual({ waitMs: 6000, attempt: 4 });
	expect(afterHandover(3, PROVEN_CONNECTION_MS - 1, 50, 0.5)).toEqual({ waitMs: 6000, attempt: 4 });
});

test('a gateway that tells every new connection to go at once gets at most 7 registrations in a minute', () => {
	for (const random of [0, 0.5, 0.999]) {
		const registrations = [0];
		let attempt = 0;
		for (;;) {
			// each connection is told to go as soon as it opens
			const step = afterHandover(attempt, 0, 0, random);
			attempt = step.attempt;
			const at = registrations[registrations.length - 1] + step.waitMs;
			if (at > 60_000) break;
			registrations.push(at);
		}
		expect(registrations.length).toBeLessThanOrEqual(7);
		expect(registrations.length).toBeGreaterThanOrEqual(6);
	}
});
