/**
 * The reconnect schedule with a fake clock: the trigger in n8n-core's TriggerContext, the
 * simulator's gateway down (503), and every wait the connection asks for recorded and released
 * by the test instead of n8n-workflow's sleep (streamClock.ts). Real HTTP and WebSocket; only
 * time is fake.
 */
import { CONNECT_TIMEOUT_MS } from '../../nodes/DingTalkStreamTrigger/stream/connection';
import { START, fakeClock, refusedUpgradeAs } from './streamClock';
import { useSimulator } from './simulatorFixture';
import { APP, activate, appCredential, eventually, openConnections } from './streamTrigger';

/** The triggers a test started: closed after it, also when it failed half-way (another would join their connection). */
const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
	for (const trigger of started.splice(0)) await trigger.close();
});

const sim = useSimulator({}, []);
sim.addApp(APP);
/** A gateway whose every ticket has expired by the time it is used: each upgrade is refused (HTTP 401). */
const refusing = useSimulator({ stream: { ticketTtlMs: 0 } }, []);
refusing.addApp(APP);

describe.each([20, 22] as const)('a refused WebSocket upgrade (HTTP 401), with the WebSocket of Node %i', (node) => {
	test('ends that attempt at once: no 30 s open timeout is waited out, one failure counted per refusal', async () => {
		const clock = fakeClock(0.5, refusedUpgradeAs(node));
		const activation = activate(appCredential(refusing), { runtime: clock.runtime });
		void activation.then((trigger) => started.push(trigger));
		// the attempt is over: the loop waits its backoff, not the open timeout
		const retry = await eventually(() => clock.held.find((w) => w.ms !== CONNECT_TIMEOUT_MS), 'the backoff after the refused upgrade', 5000);
		expect(retry).toMatchObject({ ms: 750, purpose: 'retry' });
		// the activation ends with the first failure that may recover (the loop goes on behind it)
		const trigger = await activation;
		expect(clock.held.map((w) => w.purpose)).toEqual(['retry']);
		expect(clock.now()).toBe(START);
		// the upgrade was refused (Node 24's WebSocket sends its upgrade request twice when refused, so at least once)
		const refusals = () => refusing.streamConnectAttempts().map((a) => a.outcome);
		expect(refusals()).toEqual(expect.arrayContaining(['ticketExpired']));
		expect(new Set(refusals())).toEqual(new Set(['ticketExpired']));
		const firstRefusals = refusals().length;

		// the next try: one registration and one upgrade more, refused and counted once again
		expect(await clock.releaseNext()).toBe(750);
		await eventually(() => clock.held.find((w) => w.ms === 1500), 'the second backoff');
		expect(clock.held.map((w) => [w.purpose, w.ms])).toEqual([['retry', 1500]]);
		expect(refusing.streamOpenRequests().map((r) => r.outcome)).toEqual(['ticketIssued', 'ticketIssued']);
		expect(refusals()).toHaveLength(2 * firstRefusals);
		expect(trigger.logs.filter((line) => line.includes('did not accept the WebSocket'))).toHaveLength(2);
		expect(clock.now()).toBe(START + 750);
		expect(trigger.errors).toEqual([]);
		await trigger.close();
		expect(clock.held).toEqual([]);
	});
});

test('gateway down: 1 s doubling to 60 s with jitter, one registration per wait, then it connects', async () => {
	sim.setGatewayDown(true);
	const clock = fakeClock(0.5);
	// a gateway that is down does not fail the activation: the loop goes on behind it
	const trigger = await activate(appCredential(sim), { runtime: clock.runtime });
	started.push(trigger);
	const waits: number[] = [];
	for (let i = 0; i < 8; i++) waits.push(await clock.releaseNext());
	expect(waits).toEqual([750, 1500, 3000, 6000, 12000, 24000, 45000, 45000]);
	await eventually(() => (sim.streamOpenRequests().length === 9 ? true : undefined), 'the ninth registration');
	expect(sim.streamOpenRequests().every((r) => r.outcome === 'gatewayDown' && r.status === 503)).toBe(true);

	sim.setGatewayDown(false);
	await clock.releaseNext();
	await eventually(() => openConnections(sim)[0], 'the connection');
	expect(sim.streamOpenRequests()).toHaveLength(10);
	expect(trigger.errors).toEqual([]);
	await trigger.close();
	expect(clock.held).toEqual([]);
	await eventually(() => (sim.streamConnections(APP.clientId).length ? undefined : true), 'the close');
});

test('the watchdog renews a silent connection; a connection dropped young waits its turn (0.5 s with random 0)', async () => {
	const clock = fakeClock(0);
	const trigger = await activate(appCredential(sim), { runtime: clock.runtime });
	started.push(trigger);
	const first = await eventually(() => openConnections(sim)[0], 'the connection');
	// the watchdog's wait is the idle timeout (180 s by default): release it past the stable minute
	const watchdog = await eventually(() => clock.held.find((w) => w.ms === 180_000), 'the watchdog wait');
	clock.held.splice(clock.held.indexOf(watchdog), 1);
	watchdog.release();
	// the watchdog renewed the silent connection (new first), and the renewed one is dropped young
	const second = await eventually(() => openConnections(sim).find((c) => c.id !== first.id), 'the renewed connection');
	await eventually(() => (openConnections(sim).length === 1 ? true : undefined), 'the silent one closed');
	sim.streamDrop(second.id);
	expect(await clock.releaseNext()).toBe(500);
	await eventually(() => openConnections(sim).find((c) => c.id !== second.id), 'the third connection');
	expect(sim.streamOpenRequests().map((r) => r.outcome)).toEqual(['ticketIssued', 'ticketIssued', 'ticketIssued']);
	await trigger.close();
	expect(clock.held).toEqual([]);
	await eventually(() => (sim.streamConnections(APP.clientId).length ? undefined : true), 'the close');
});

test('the watchdog follows the triggers still on the connection: a short idle timeout leaves with its trigger', async () => {
	const clock = fakeClock(0);
	// the test listening (30 s) opens the connection, the active workflow (180 s, the default) joins it
	const listening = await activate(appCredential(sim), { runtime: clock.runtime, workflowId: 'wf-short', nodeId: 'short', options: { idleTimeoutSeconds: 30 } });
	const active = await activate(appCredential(sim), { runtime: clock.runtime, workflowId: 'wf-long', nodeId: 'long' });
	started.push(listening, active);
	const connection = await eventually(() => openConnections(sim)[0], 'the connection');
	const watchdog = await eventually(() => clock.held.find((w) => w.ms === 30_000), 'the 30 s watchdog wait');
	await listening.close();
	clock.held.splice(clock.held.indexOf(watchdog), 1);
	watchdog.release();
	// 30 s of silence is nothing to the trigger left: the watchdog waits out its 180 s, the connection stays
	await eventually(() => clock.held.find((w) => w.ms === 150_000), 'the rest of the 180 s');
	expect(openConnections(sim).map((c) => c.id)).toEqual([connection.id]);
	expect(sim.streamOpenRequests()).toHaveLength(1);
	await active.close();
	expect(clock.held).toEqual([]);
	await eventually(() => (sim.streamConnections(APP.clientId).length ? undefined : true), 'the close');
});
