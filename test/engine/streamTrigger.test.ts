/**
 * The DingTalk Stream Trigger in n8n-core's engine against the simulator's Stream gateway (a real
 * WebSocket server on 127.0.0.1): connect, answer frames, share one connection per app, hand
 * over on disconnect, reconnect after a drop, close cleanly, report refused credentials once.
 */
import { sleepWithAbort } from 'n8n-workflow';

import { normalizeIncomingMessage } from '../../nodes/shared/incoming/incomingMessage';
import { WEBSOCKET_MISSING } from '../../nodes/DingTalkStreamTrigger/startStreamTrigger';
import { openConnectionCount, type StreamRuntime } from '../../nodes/DingTalkStreamTrigger/stream/registry';
import { useSimulator } from './simulatorFixture';
import { APP, activate, appCredential, eventually, listenForTestEvent, openConnections, type ActiveTrigger } from './streamTrigger';

const sim = useSimulator({}, []);
sim.addApp(APP);

const active: ActiveTrigger[] = [];
async function start(...args: Parameters<typeof activate>) {
	const trigger = await activate(...args);
	active.push(trigger);
	return trigger;
}

beforeEach(() => {
	sim.setGatewayDown(false);
	sim.addApp(APP);
});

afterEach(async () => {
	const triggers = active.splice(0);
	for (const trigger of triggers) await trigger.close();
	expect(openConnectionCount()).toBe(0);
	// canary: no secret, ticket or session token in what the trigger logged or reported
	const said = triggers.flatMap((t) => [...t.logs, ...t.errors.map((e) => `${e.message} ${(e as { description?: string }).description}`)]).join('\n');
	const secrets = [APP.clientSecret, ...sim.streamOpenRequests().map((r) => r.ticket)].filter(Boolean);
	for (const secret of secrets) expect(said).not.toContain(secret);
});

test('activation opens one connection subscribed to robot messages; a push becomes the HTTP trigger\'s item, ACKed', async () => {
	const trigger = await start(appCredential(sim));
	const [connection] = openConnections(sim);
	expect(openConnections(sim)).toHaveLength(1);
	expect(connection.subscriptions).toEqual([{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }]);
	expect(sim.streamOpenRequests()).toEqual([expect.objectContaining({ outcome: 'ticketIssued', xml: false, ua: 'n8n-nodes-dingtalk-robot' })]);

	const pushed = sim.pushRobotMessage(APP.clientId, { text: 'deploy web', sender: { nick: 'Li Si', staffId: 'staff42' } });
	expect(pushed.delivered).toBe(true);
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
	expect(trigger.emitted).toEqual([normalizeIncomingMessage(pushed.body as never)]);
	expect(trigger.emitted[0]).toMatchObject({ text: 'deploy web', sender: { nick: 'Li Si', staffId: 'staff42' }, sessionWebhook: pushed.session.sessionWebhook });
	const ack = await eventually(() => sim.streamAcks().find((a) => a.messageId === pushed.messageId), 'the ACK');
	expect(ack).toMatchObject({ valid: true, kind: 'robotMessage', code: 200, duplicate: false });
	expect(JSON.parse(String(ack.data))).toEqual({ response: null });
	expect(trigger.errors).toEqual([]);
	// the logger is captured (else afterEach's canary would read nothing)
	expect(trigger.logs.join('\n')).toMatch(new RegExp(`^info DingTalk Stream connected \\(app ${APP.clientId}\\)$`, 'm'));
});

test('a SYSTEM ping is answered with its opaque echoed', async () => {
	await start(appCredential(sim));
	const [ping] = await sim.streamPing(APP.clientId);
	expect(ping).toMatchObject({ answered: true, pong: true });
});

test('deactivation closes the connection at the gateway and leaves no timer running', async () => {
	const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
	// the trigger's default runtime (real clock, n8n's sleepWithAbort, the global WebSocket), its
	// waits (every timer the connection sets) tracked while they run
	const waiting = new Map<symbol, number>();
	const runtime: StreamRuntime = {
		createSocket: (url) => new WebSocket(url) as never,
		now: () => Date.now(),
		random: () => Math.random(),
		sleep: async (ms, signal) => {
			const wait = Symbol(`${ms} ms`);
			waiting.set(wait, ms);
			try {
				await sleepWithAbort(ms, signal);
			} finally {
				waiting.delete(wait);
			}
		},
	};
	const before = timers();
	const trigger = await start(appCredential(sim), { runtime });
	expect(openConnections(sim)).toHaveLength(1);
	// connected, the idle watchdog waits (180 s by default)
	await eventually(() => ([...waiting.values()].includes(180_000) ? true : undefined), 'the watchdog\'s wait');
	await trigger.close();
	expect([...waiting.values()]).toEqual([]);
	active.splice(active.indexOf(trigger), 1);
	// the gateway notes the close once the TCP connection ends, just after the WebSocket's closing handshake
	await eventually(() => (sim.streamConnections(APP.clientId).length === 0 ? true : undefined), 'the gateway to see the close', 2000);
	expect(openConnectionCount()).toBe(0);
	// nothing reconnects afterwards
	await new Promise((resolve) => setTimeout(resolve, 1500));
	expect(sim.streamOpenRequests()).toHaveLength(1);
	expect([...waiting.values()]).toEqual([]);
	expect(timers()).toBeLessThanOrEqual(before);
});

test('the same frame pushed twice, and the same msgId in a new frame, run once', async () => {
	const trigger = await start(appCredential(sim));
	const first = sim.pushRobotMessage(APP.clientId, { text: 'once' });
	sim.replayRobotMessage(first);
	sim.pushRobotMessage(APP.clientId, { text: 'once', msgId: first.msgId });
	const last = sim.pushRobotMessage(APP.clientId, { text: 'next' });
	await eventually(() => sim.streamAcks().find((a) => a.messageId === last.messageId), 'the last ACK');
	await eventually(() => (trigger.emitted.length === 2 ? true : undefined), 'two items');
	expect(trigger.emitted.map((item) => item.text)).toEqual(['once', 'next']);
	// every frame is ACKed, duplicates too
	expect(sim.streamAcks().filter((a) => a.valid)).toHaveLength(4);
});

test('two active workflows with the same app share one connection and both get every message', async () => {
	const one = await start(appCredential(sim), { workflowId: 'wf-one' });
	const two = await start(appCredential(sim), { workflowId: 'wf-two' });
	expect(openConnections(sim)).toHaveLength(1);
	expect(sim.streamOpenRequests()).toHaveLength(1);
	for (const text of ['a', 'b', 'c']) sim.pushRobotMessage(APP.clientId, { text });
	await eventually(() => (one.emitted.length === 3 && two.emitted.length === 3 ? true : undefined), 'three items each');
	expect(one.emitted.map((i) => i.text)).toEqual(['a', 'b', 'c']);
	expect(two.emitted.map((i) => i.text)).toEqual(['a', 'b', 'c']);

	await one.close();
	active.splice(active.indexOf(one), 1);
	expect(openConnections(sim)).toHaveLength(1);
	sim.pushRobotMessage(APP.clientId, { text: 'd' });
	await eventually(() => (two.emitted.length === 4 ? true : undefined), 'the fourth item');
	expect(one.emitted).toHaveLength(3);
});

test('filters: the options drop what the HTTP trigger drops', async () => {
	const trigger = await start(appCredential(sim), { options: { onlyWhenMentioned: true, conversationTypes: ['group'], robotName: 'n8n bot' } });
	sim.pushRobotMessage(APP.clientId, { text: 'not for me', robotMentioned: false });
	sim.pushRobotMessage(APP.clientId, { text: 'private', conversation: { type: 'oneToOne' } });
	const last = sim.pushRobotMessage(APP.clientId, { text: '@n8n bot status' });
	await eventually(() => sim.streamAcks().find((a) => a.messageId === last.messageId), 'the last ACK');
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
	expect(trigger.emitted.map((i) => i.text)).toEqual(['status']);
});

test('disconnect: the new connection opens before the old one closes, and nothing pushed meanwhile is lost', async () => {
	const trigger = await start(appCredential(sim));
	const [old] = openConnections(sim);
	sim.pushRobotMessage(APP.clientId, { text: 'before' });
	// a connection that carried a message for a second has proved itself: its handover is made at once
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the first item');
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const { closed } = sim.streamDisconnect(old.id, { closeAfterMs: 2000 });
	const fresh = await eventually(() => openConnections(sim).find((c) => c.id !== old.id), 'the new connection');
	// the old one is still there, told to go: the new one came first
	expect(sim.streamConnections(APP.clientId).find((c) => c.id === old.id)?.state).toBe('closing');
	expect(sim.pushRobotMessage(APP.clientId, { text: 'during' }).connectionId).toBe(fresh.id);
	await closed;
	sim.pushRobotMessage(APP.clientId, { text: 'after' });
	await eventually(() => (trigger.emitted.length === 3 ? true : undefined), 'three items');
	expect(trigger.emitted.map((i) => i.text)).toEqual(['before', 'during', 'after']);
	expect(openConnections(sim)).toHaveLength(1);
	expect(sim.streamOpenRequests()).toHaveLength(2);
	expect(trigger.logs).toContain('info DingTalk asked to reconnect (persistent connection is timeout): opening the new connection first');
});

test('a dropped connection (no close frame) is replaced with a fresh ticket; the next message runs', async () => {
	const trigger = await start(appCredential(sim));
	const [old] = openConnections(sim);
	sim.streamDrop(old.id);
	const fresh = await eventually(() => openConnections(sim).find((c) => c.id !== old.id), 'the new connection');
	expect(sim.pushRobotMessage(APP.clientId, { text: 'back' }).connectionId).toBe(fresh.id);
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
	expect(trigger.emitted.map((i) => i.text)).toEqual(['back']);
	const tickets = sim.streamOpenRequests().map((r) => r.ticket);
	expect(new Set(tickets).size).toBe(2);
});

test('the idle watchdog renews a silent connection, new one first', async () => {
	const trigger = await start(appCredential(sim), { options: { idleTimeoutSeconds: 1 } });
	const [old] = openConnections(sim);
	await eventually(() => (sim.streamConnections(APP.clientId).some((c) => c.id === old.id) ? undefined : true), 'the old connection to close', 5000);
	expect(openConnections(sim)).toHaveLength(1);
	// new one first: the gateway accepted the new connection before the trigger closed the old one
	const [fresh] = openConnections(sim);
	const closed = sim.streamClosedConnections(APP.clientId).find((c) => c.id === old.id);
	expect(closed).toMatchObject({ closeReason: 'client', closeCode: 1000 });
	expect(fresh.openedAt).toBeLessThanOrEqual(closed!.closedAt);
	const accepted = sim.streamConnectAttempts().find((a) => a.connectionId === fresh.id);
	expect(accepted?.at).toBeLessThanOrEqual(closed!.closedAt);
	sim.pushRobotMessage(APP.clientId, { text: 'still here' });
	await eventually(() => (trigger.emitted.length ? true : undefined), 'the item');
});

test('wrong credentials fail the activation with a readable error (and no emitError besides), after one request, without the secret', async () => {
	const secret = 'theWrongSecret-Zx81';
	const errors: Error[] = [];
	const error = await activate({ ...appCredential(sim), clientSecret: secret }, { errors, credentialName: 'Ops bot' }).then(
		() => undefined,
		(e: Error & { description?: string }) => e,
	);
	// the credential as the user named it: someone with several apps sees which one was refused
	expect(error?.message).toBe("DingTalk refused the Client ID or Client Secret of the DingTalk App credential 'Ops bot' (HTTP 401, authFailed)");
	expect(error?.description).toContain('developer console');
	expect(`${error?.message} ${error?.description}`).not.toContain(secret);
	expect(sim.streamOpenRequests()).toEqual([expect.objectContaining({ outcome: 'authFailed' })]);
	expect(sim.streamConnections(APP.clientId)).toEqual([]);
	expect(openConnectionCount()).toBe(0);
	// n8n would queue a second reactivation for an emitError during the activation
	expect(errors).toEqual([]);
});

test('a secret reset while running: one emitError, no retry loop, the connection closed', async () => {
	const trigger = await start(appCredential(sim));
	sim.addApp({ ...APP, clientSecret: 'resetInTheConsole-1' });
	sim.streamDisconnect(APP.clientId, { closeAfterMs: 10_000 });
	await eventually(() => (trigger.errors.length ? true : undefined), 'the error');
	await new Promise((resolve) => setTimeout(resolve, 1500));
	const logged = trigger.logs.join('\n');
	// the logger is captured: the gateway's disconnect was logged
	expect(logged).toMatch(/DingTalk asked to reconnect/);
	expect(logged).not.toContain('resetInTheConsole-1');
	expect(logged).not.toContain(APP.clientSecret);
	expect(trigger.errors.map((e) => e.message)).toEqual(["DingTalk refused the Client ID or Client Secret of the DingTalk App credential 'DingTalk App' (HTTP 401, authFailed)"]);
	expect(sim.streamOpenRequests().map((r) => r.outcome)).toEqual(['ticketIssued', 'authFailed']);
	expect(sim.streamConnections(APP.clientId)).toEqual([]);
});

test('a hostile gateway echoing the secret and the ticket, in a frame\'s reason and in its error answer: neither reaches the log or the error', async () => {
	const trigger = await start(appCredential(sim));
	const ticket = sim.streamOpenRequests()[0].ticket!;
	// the next registration is refused with the request echoed, and the ticket in use as its code
	sim.injectStreamOpenFaults([{ status: 401, body: (request) => ({ code: ticket, message: JSON.stringify(request) }) }]);
	sim.streamDisconnect(APP.clientId, { reason: `bye ${APP.clientSecret} ${ticket}`, closeAfterMs: 10_000 });
	await eventually(() => (trigger.errors.length ? true : undefined), 'the error', 10_000);
	const said = [...trigger.logs, ...trigger.errors.map((e) => `${e.message} ${(e as { description?: string }).description}`)].join('\n');
	expect(said).not.toContain(APP.clientSecret);
	expect(said).not.toContain(ticket);
	// both were there, and were redacted (not dropped)
	expect(trigger.logs).toContainEqual(expect.stringMatching(/^(info|warn) DingTalk asked to reconnect \(bye \*\*\* \*\*\*\)/));
	expect(trigger.errors.map((e) => e.message)).toEqual(["DingTalk refused the Client ID or Client Secret of the DingTalk App credential 'DingTalk App' (HTTP 401, ***)"]);
	expect(sim.streamOpenRequests().map((r) => r.outcome)).toEqual(['ticketIssued', 'fault']);
});

test('an API Base URL over plain http to a host not listed is refused before any request', async () => {
	const error = await activate({ ...appCredential(sim), plainHttpHosts: '' }, { credentialName: 'Ops bot' }).then(
		() => undefined,
		(e: Error) => e,
	);
	expect(error?.message).toMatch(/^The API Base URL in the DingTalk App credential 'Ops bot' uses plain http:\/\/ to 127\.0\.0\.1:\d+, which is not listed/);
	expect(sim.streamOpenRequests()).toEqual([]);
});

test('an endpoint that is neither DingTalk\'s nor listed fails the activation for good, and its ticket is never sent there', async () => {
	sim.setStreamEndpoint('wss://stream-gateway.example.com/connect');
	const urls: string[] = [];
	// records where the trigger would connect; a socket that fails at once, should it be asked for one
	const runtime: StreamRuntime = {
		createSocket: (url) => {
			urls.push(url);
			const listeners: Array<[string, (event: { code?: number }) => void]> = [];
			queueMicrotask(() => listeners.forEach(([type, listener]) => type === 'close' && listener({ code: 1006 })));
			return { readyState: 0, send: () => undefined, close: () => undefined, addEventListener: (type, listener) => listeners.push([type, listener]) };
		},
		sleep: async (ms, signal) => await sleepWithAbort(ms, signal),
		now: () => Date.now(),
		random: () => 0,
	};
	try {
		const outcome = await activate(appCredential(sim), { runtime }).then(
			async (trigger) => (await trigger.close(), undefined),
			(e: Error & { description?: string }) => e,
		);
		expect(outcome?.message).toBe(
			"The Stream endpoint the gateway gave (stream-gateway.example.com:443) is not on DingTalk's domain (dingtalk.com) and its host:port is not listed under Plain HTTP Hosts",
		);
		expect(outcome?.description).toMatch(
			/^The trigger does not send the ticket there\. If n8n reaches DingTalk through a trusted proxy, list its host:port under Plain HTTP Hosts in the DingTalk App credential 'DingTalk App'/,
		);
		expect(urls).toEqual([]);
		// a permanent failure: one registration, no retry loop
		await new Promise((resolve) => setTimeout(resolve, 700));
		expect(sim.streamOpenRequests().map((r) => r.outcome)).toEqual(['ticketIssued']);
		expect(sim.streamConnectAttempts()).toEqual([]);
	} finally {
		sim.setStreamEndpoint(undefined);
	}
});

test('without a global WebSocket the activation says which Node.js and which flag', async () => {
	const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
	delete (globalThis as { WebSocket?: unknown }).WebSocket;
	try {
		await expect(activate(appCredential(sim))).rejects.toThrow(WEBSOCKET_MISSING);
	} finally {
		(globalThis as { WebSocket?: unknown }).WebSocket = saved;
	}
	expect(sim.streamOpenRequests()).toEqual([]);
});

test('Listen for test event: the first robot message runs the workflow, which replies in the conversation', async () => {
	let pushed: ReturnType<typeof sim.pushRobotMessage> | undefined;
	const run = await listenForTestEvent(appCredential(sim), sim, async () => {
		await eventually(() => openConnections(sim)[0], 'the connection');
		pushed = sim.pushRobotMessage(APP.clientId, { text: 'hello test' });
	});
	expect(run.data.resultData.error).toBeUndefined();
	expect(sim.sessionReplies(pushed!.session.sessionId).map((r) => (r as { text?: { content?: string } }).text?.content)).toEqual(['test event: hello test']);
	// the execution's end closed the connection
	await eventually(() => (sim.streamConnections(APP.clientId).length === 0 ? true : undefined), 'the connection to close');
});
