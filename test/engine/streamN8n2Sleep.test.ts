/**
 * The Stream trigger's waits with n8n 2.x's n8n-workflow, which no longer exports sleepWithAbort
 * (n8n 2.40's has `sleep(ms, abortSignal?)` instead, from @n8n/utils). The trigger's own runtime
 * (no test clock): a registration refused once (gateway down) must be retried after its backoff.
 * With sleepWithAbort missing, every wait used to throw, which the connection took for its
 * close(): the loop, and the watchdog, stopped for good without a word.
 */
/** Whether the mocked sleep honours its AbortSignal (n8n 2.40's does; one that did not must not matter). */
const mockSleep = { honoursSignal: true };

jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual('n8n-workflow');
	// n8n 2.x: no sleepWithAbort; sleep takes an optional AbortSignal
	const sleep = async (ms: number, abortSignal?: AbortSignal) =>
		abortSignal && mockSleep.honoursSignal ? await actual.sleepWithAbort(ms, abortSignal) : await actual.sleep(ms);
	return { ...actual, sleepWithAbort: undefined, sleep };
});

import * as workflow from 'n8n-workflow';

import { abortableSleep } from '../../nodes/shared/abortableSleep';

import { useSimulator } from './simulatorFixture';
import { APP, activate, appCredential, eventually, openConnections } from './streamTrigger';

const sim = useSimulator({}, []);
sim.addApp(APP);

test('n8n 2.x\'s n8n-workflow (no sleepWithAbort): a refused registration is retried after its backoff, then it connects', async () => {
	expect((workflow as { sleepWithAbort?: unknown }).sleepWithAbort).toBeUndefined();
	sim.setGatewayDown(true);
	const trigger = await activate(appCredential(sim));
	try {
		// refused once: the loop waits 0.5 to 1 s and asks again
		await eventually(() => (sim.streamOpenRequests().length === 1 ? true : undefined), 'the first registration');
		sim.setGatewayDown(false);
		await eventually(() => openConnections(sim)[0], 'the connection after the backoff', 10_000);
		expect(sim.streamOpenRequests().map((r) => r.outcome)).toEqual(['gatewayDown', 'ticketIssued']);
		expect(trigger.logs.join('\n')).toMatch(/unavailable \(HTTP 503\)\. The trigger keeps trying\. Next try in (0\.[5-9]|1\.0) s\./);
	} finally {
		await trigger.close();
	}
	await eventually(() => (sim.streamConnections(APP.clientId).length ? undefined : true), 'the close');
});

test('an abort ends the wait at once, even with a sleep that ignores the signal', async () => {
	jest.useFakeTimers();
	try {
		for (const honoursSignal of [true, false]) {
			mockSleep.honoursSignal = honoursSignal;
			const controller = new AbortController();
			const waiting = abortableSleep(60_000, controller.signal);
			let settled = false;
			waiting.catch(() => undefined).finally(() => (settled = true));
			jest.advanceTimersByTime(1000);
			await Promise.resolve();
			expect(settled).toBe(false);
			controller.abort();
			await expect(waiting).rejects.toThrow();
			// not aborted: it runs its course
			const ran = abortableSleep(500, new AbortController().signal);
			jest.advanceTimersByTime(500);
			await expect(ran).resolves.toBeUndefined();
			jest.clearAllTimers();
		}
	} finally {
		mockSleep.honoursSignal = true;
		jest.useRealTimers();
	}
});
