/**
 * A reconnect storm: the simulator's gateway tells every new connection to go (SYSTEM disconnect)
 * as soon as it opens. A trigger that obeys at once registered hundreds of times in 10 s, with
 * hundreds of sockets open. The trigger in n8n-core's TriggerContext, against the simulator:
 * - with the fake clock (streamClock.ts): 60 s of storm, exact and deterministic;
 * - on the real clock: a few seconds of storm, then calm, then a message that gets through.
 */
import { sleepWithAbort } from 'n8n-workflow';

import type { StreamRuntime } from '../../nodes/DingTalkStreamTrigger/stream/registry';
import { START, countedSockets, fakeClock, openWithFirstFrame, type HeldWait } from './streamClock';
import { useSimulator } from './simulatorFixture';
import { APP, activate, appCredential, eventually, openConnections } from './streamTrigger';

const sim = useSimulator({}, []);
sim.addApp(APP);

/** The triggers a test started: closed after it, also when it failed half-way. */
const started: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
	sim.setStreamStorm(false);
	for (const trigger of started.splice(0)) await trigger.close();
});

/** More registrations than this in the storm and the driver stops at once: the storm is not held. */
const REGISTRATIONS_BOUND = 7;

describe.each([0.5, 0])('60 s of reconnect storm on the fake clock (jitter random %d)', (random) => {
	test('at most 7 registrations and 2 open sockets at any moment; when it ends, the trigger recovers', async () => {
		// DingTalk closes a connection it asked to go about 10 s later; here it never does, so every socket that goes, the trigger closed
		sim.setStreamStorm({ closeAfterMs: 600_000, reason: 'storm' });
		// the sockets' creation times are read on the fake clock, created just below
		const counted = countedSockets(() => clock.now());
		const clock = fakeClock(random, counted.createSocket);
		const trigger = await activate(appCredential(sim), { runtime: clock.runtime });
		started.push(trigger);
		const registrations = () => sim.streamOpenRequests().length;

		// the clock runs from wait to wait in order, each time the loop is back to waiting for its next try
		const end = START + 60_000;
		for (;;) {
			const retry = await eventually(
				() => clock.held.find((w) => w.purpose === 'retry') ?? (registrations() > REGISTRATIONS_BOUND ? ('storm' as const) : undefined),
				'the next try (or a storm)',
			);
			if (retry === 'storm') {
				// a trigger that does not wait: one more second of it (real time), to show its size
				await new Promise((resolve) => setTimeout(resolve, 1000));
				break;
			}
			if (retry.dueAt > end) break;
			const dueFirst = (w: HeldWait) => w.purpose === 'retiredGrace' && w.dueAt <= retry.dueAt;
			for (const grace of clock.held.filter(dueFirst).sort((a, b) => a.dueAt - b.dueAt)) clock.release(grace);
			clock.release(retry);
		}
		expect({ registrations: registrations(), peakAtGateway: sim.streamPeakConnections(APP.clientId), peakInTrigger: counted.peak() }).toEqual({
			registrations: 7,
			peakAtGateway: 2,
			peakInTrigger: 2,
		});
		// the times (seconds) of the registrations: 1 s doubling, with the jitter's `random`
		const at = random === 0.5 ? [0, 0.75, 2.25, 5.25, 11.25, 23.25, 47.25] : [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5];
		expect(counted.createdAt.map((t) => (t - START) / 1000)).toEqual(at);
		expect(sim.streamConnections(APP.clientId).length).toBeLessThanOrEqual(2);
		expect(trigger.logs.filter((line) => /DingTalk asked to reconnect \(storm\): the connection lasted only 0\.0 s, so the new one waits its turn/.test(line))).toHaveLength(7);

		// the storm ends: the next try stays, the one told to go leaves after its grace, and a message gets through
		sim.setStreamStorm(false);
		const last = await eventually(() => clock.held.find((w) => w.purpose === 'retry'), 'the next try');
		clock.release(last);
		const calm = await eventually(() => openConnections(sim)[0], 'a connection not told to go');
		const grace = await eventually(() => clock.held.find((w) => w.purpose === 'retiredGrace'), 'the grace of the last one told to go');
		clock.release(grace);
		await eventually(() => (sim.streamConnections(APP.clientId).length === 1 ? true : undefined), 'the retired one to close');
		sim.pushRobotMessage(APP.clientId, { text: 'after the storm' });
		await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
		expect(trigger.emitted.map((item) => item.text)).toEqual(['after the storm']);
		expect(openConnections(sim).map((c) => c.id)).toEqual([calm.id]);
		expect(registrations()).toBe(8);
		expect(sim.streamPeakConnections(APP.clientId)).toBe(2);
		await trigger.close();
		expect(clock.held).toEqual([]);
		await eventually(() => (sim.streamConnections(APP.clientId).length ? undefined : true), 'the close');
	});
});

test('a disconnect that arrives together with the open (before the trigger took the socket) is obeyed, not lost', async () => {
	sim.setStreamStorm({ closeAfterMs: 600_000, reason: 'at once' });
	const clock = fakeClock(0.5, openWithFirstFrame);
	const trigger = await activate(appCredential(sim), { runtime: clock.runtime });
	started.push(trigger);
	// the first connection was told to go with its first frame: the handover waits its turn
	const retry = await eventually(() => clock.held.find((w) => w.purpose === 'retry'), 'the handover\'s wait', 5000);
	expect(retry.ms).toBe(750);
	expect(trigger.logs).toContainEqual(expect.stringMatching(/^warn DingTalk asked to reconnect \(at once\): the connection lasted only 0\.0 s/));
	sim.setStreamStorm(false);
	clock.release(retry);
	await eventually(() => openConnections(sim)[0], 'the next connection');
	expect(sim.streamOpenRequests()).toHaveLength(2);
});

test('a storm on the real clock: registrations follow the backoff, never more than 2 sockets; calm again, a message gets through', async () => {
	sim.setStreamStorm({ closeAfterMs: 10_000, reason: 'storm' });
	const runtime: StreamRuntime = {
		createSocket: (url) => new WebSocket(url) as never,
		sleep: async (ms, signal) => await sleepWithAbort(ms, signal),
		now: () => Date.now(),
		// the shortest waits of the schedule: 0.5 s, 1 s, 2 s, 4 s…
		random: () => 0,
	};
	const trigger = await activate(appCredential(sim), { runtime });
	started.push(trigger);
	// at 0, 0.5, 1.5 and 3.5 s: the fourth connection (told to go as it opened) after 3.5 s of storm at the earliest
	const accepted = () => sim.streamConnectAttempts().filter((a) => a.connectionId !== undefined);
	await eventually(() => (accepted().length >= 4 ? true : undefined), 'the fourth connection', 10_000);
	const [first, fourth] = [sim.streamOpenRequests()[0].at, sim.streamOpenRequests()[3].at];
	expect(fourth - first).toBeGreaterThanOrEqual(3500);
	expect(sim.streamPeakConnections(APP.clientId)).toBeLessThanOrEqual(2);

	// calm: the next try (at 7.5 s) opens a connection that stays
	sim.setStreamStorm(false);
	await eventually(() => (sim.streamOpenRequests().length === 5 ? true : undefined), 'the fifth registration', 10_000);
	const calm = await eventually(() => openConnections(sim)[0], 'a connection not told to go');
	sim.pushRobotMessage(APP.clientId, { text: 'calm again', connectionId: calm.id });
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
	expect(trigger.emitted.map((item) => item.text)).toEqual(['calm again']);
	expect(sim.streamOpenRequests()).toHaveLength(5);
	expect(sim.streamPeakConnections(APP.clientId)).toBeLessThanOrEqual(2);
	await trigger.close();
	await eventually(() => (sim.streamConnections(APP.clientId).length ? undefined : true), 'the close');
});
