import * as http from 'node:http';
import * as path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import WebSocket from 'ws';
import { DingTalkSimulator } from '../../simulator';
import type { SimulatorOptions, StreamFrame } from '../../simulator';
import { streamClient, type StreamClient } from './streamClient';

// ---------------------------------------------------------------------------------------------
// helpers: a small Stream client written here from the protocol, not the simulator's code
// ---------------------------------------------------------------------------------------------

const APP = { clientId: 'dingstreamapp0001', clientSecret: 'streamSecret-0123456789' };
const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
const SUBSCRIPTIONS = [
	{ type: 'CALLBACK', topic: ROBOT_TOPIC },
	{ type: 'EVENT', topic: '*' },
];

const sims: DingTalkSimulator[] = [];
const sockets: WebSocket[] = [];

async function startSim(options: SimulatorOptions = {}): Promise<DingTalkSimulator> {
	const sim = new DingTalkSimulator(options);
	sims.push(sim);
	sim.addApp(APP);
	await sim.start({ host: '127.0.0.1', port: 0 });
	return sim;
}

afterEach(async () => {
	for (const ws of sockets.splice(0)) ws.terminate();
	await Promise.all(sims.splice(0).map((s) => s.stop()));
});

interface OpenAnswer {
	status: number;
	contentType: string | null;
	text: string;
	json: Record<string, string> | undefined;
}

async function openConnection(
	sim: DingTalkSimulator,
	body: Record<string, unknown> = { ...APP, subscriptions: SUBSCRIPTIONS, ua: 'stream-test/1.0', localIp: '10.0.0.8' },
	headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' },
): Promise<OpenAnswer> {
	const res = await fetch(`${sim.baseUrl}/v1.0/gateway/connections/open`, { method: 'POST', headers, body: JSON.stringify(body) });
	const text = await res.text();
	let json: OpenAnswer['json'];
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

function wsUrl(endpoint: string, ticket: string) {
	return `${endpoint}?ticket=${encodeURIComponent(ticket)}`;
}

async function connect(sim: DingTalkSimulator, subscriptions: unknown[] = SUBSCRIPTIONS): Promise<StreamClient> {
	const opened = await openConnection(sim, { ...APP, subscriptions });
	expect(opened.status).toBe(200);
	const ws = new WebSocket(wsUrl(opened.json!.endpoint, opened.json!.ticket));
	sockets.push(ws);
	return await streamClient(ws);
}

/** The status of a refused WebSocket upgrade. */
function upgradeStatus(url: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url);
		sockets.push(ws);
		ws.on('unexpected-response', (_req: http.ClientRequest, res: http.IncomingMessage) => {
			resolve(res.statusCode ?? 0);
			res.resume();
		});
		ws.on('open', () => reject(new Error('the upgrade was accepted')));
		ws.on('error', () => undefined);
	});
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs = 2000) {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not met in time');
		await sleep(10);
	}
}

/** Picks connections in a fixed order: each call returns the next value. */
const sequence = (...values: number[]) => {
	let i = 0;
	return () => values[i++ % values.length];
};

// ---------------------------------------------------------------------------------------------
// connections/open
// ---------------------------------------------------------------------------------------------

describe('POST /v1.0/gateway/connections/open', () => {
	it('answers the endpoint of the simulator and a ticket for the right Client ID and Secret, and records it', async () => {
		const sim = await startSim();
		const res = await openConnection(sim);
		expect(res.status).toBe(200);
		expect(res.contentType).toMatch(/^application\/json/);
		expect(res.json).toEqual({ endpoint: `${sim.baseUrl!.replace('http:', 'ws:')}/connect`, ticket: expect.stringMatching(/^[0-9a-f-]{36}$/) });
		const [record] = sim.streamOpenRequests();
		expect(record).toMatchObject({
			clientId: APP.clientId,
			outcome: 'ticketIssued',
			status: 200,
			xml: false,
			subscriptions: SUBSCRIPTIONS,
			ua: 'stream-test/1.0',
			localIp: '10.0.0.8',
			ticket: res.json!.ticket,
		});
		expect(JSON.stringify(sim.streamOpenRequests())).not.toContain(APP.clientSecret);
	});

	it('refuses a wrong secret and an unknown client with 401 authFailed, issuing no ticket', async () => {
		const sim = await startSim();
		for (const body of [
			{ ...APP, clientSecret: 'wrong', subscriptions: SUBSCRIPTIONS },
			{ clientId: 'dingunknown', clientSecret: APP.clientSecret, subscriptions: SUBSCRIPTIONS },
			{ clientId: APP.clientId, subscriptions: SUBSCRIPTIONS },
		]) {
			const res = await openConnection(sim, body);
			expect(res.status).toBe(401);
			expect(res.json).toEqual({ requestid: expect.stringMatching(/^[0-9A-F-]{36}$/), code: 'authFailed', message: '鉴权失败' });
		}
		expect(sim.streamOpenRequests().map((r) => [r.outcome, r.ticket])).toEqual([
			['authFailed', undefined],
			['authFailed', undefined],
			['authFailed', undefined],
		]);
		expect(JSON.stringify(sim.streamOpenRequests())).not.toContain('wrong');
	});

	it('answers XML without Accept: application/json, 400 Missingbody without a JSON body, 405 to GET', async () => {
		const sim = await startSim();
		const xml = await openConnection(sim, undefined, { 'content-type': 'application/json' });
		expect(xml.status).toBe(200);
		expect(xml.contentType).toMatch(/^application\/xml/);
		expect(xml.json).toBeUndefined();
		expect(xml.text).toMatch(/<ticket>[0-9a-f-]{36}<\/ticket>/);
		const form = await fetch(`${sim.baseUrl}/v1.0/gateway/connections/open`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
			body: `clientId=${APP.clientId}&clientSecret=${APP.clientSecret}`,
		});
		expect(form.status).toBe(400);
		expect(await form.json()).toMatchObject({ code: 'Missingbody', message: 'body is mandatory for this action.' });
		const get = await fetch(`${sim.baseUrl}/v1.0/gateway/connections/open`, { headers: { accept: 'application/json' } });
		expect(get.status).toBe(405);
		expect(sim.streamOpenRequests().map((r) => r.outcome)).toEqual(['ticketIssued', 'missingBody', 'methodNotAllowed']);
		expect(sim.streamOpenRequests()[0].xml).toBe(true);
	});

	it('refuses missing or invalid subscriptions (EVENT only takes *) with 400 invalidParameter', async () => {
		const sim = await startSim();
		for (const subscriptions of [undefined, [], [{ type: 'EVENT', topic: 'user_add_org' }], [{ type: 'callback', topic: ROBOT_TOPIC }], [{ type: 'CALLBACK' }]]) {
			const res = await openConnection(sim, { ...APP, subscriptions });
			expect(res.status).toBe(400);
			expect(res.json).toMatchObject({ code: 'invalidParameter' });
		}
		expect(sim.streamOpenRequests().every((r) => r.outcome === 'invalidSubscriptions')).toBe(true);
	});
});

// ---------------------------------------------------------------------------------------------
// tickets
// ---------------------------------------------------------------------------------------------

describe('tickets', () => {
	it('open one connection only: a second upgrade with the same ticket, an unknown or no ticket get 401', async () => {
		const sim = await startSim();
		const { json } = await openConnection(sim);
		const url = wsUrl(json!.endpoint, json!.ticket);
		const first = new WebSocket(url);
		sockets.push(first);
		await new Promise((resolve) => first.once('open', resolve));
		expect(await upgradeStatus(url)).toBe(401);
		expect(await upgradeStatus(wsUrl(json!.endpoint, 'not-a-ticket'))).toBe(401);
		expect(await upgradeStatus(json!.endpoint)).toBe(401);
		expect(sim.streamConnectAttempts().map((a) => a.outcome)).toEqual(['connected', 'ticketUsed', 'unknownTicket', 'noTicket']);
		expect(sim.streamConnections(APP.clientId)).toHaveLength(1);
		// the client's port, by which the queue-mode e2e finds the process that holds the connection
		expect(sim.streamConnections(APP.clientId)[0].remotePort).toBe((first as unknown as { _socket: { localPort: number } })._socket.localPort);
	});

	it('expire 90 s after they were issued (injectable clock), or after stream.ticketTtlMs', async () => {
		let clock = 1_700_000_000_000;
		const sim = await startSim({ now: () => clock });
		const a = (await openConnection(sim)).json!;
		const b = (await openConnection(sim)).json!;
		clock += 89_999;
		const ok = new WebSocket(wsUrl(a.endpoint, a.ticket));
		sockets.push(ok);
		await new Promise((resolve) => ok.once('open', resolve));
		clock += 1;
		expect(await upgradeStatus(wsUrl(b.endpoint, b.ticket))).toBe(401);
		expect(sim.streamConnectAttempts().map((x) => x.outcome)).toEqual(['connected', 'ticketExpired']);

		const short = await startSim({ now: () => clock, stream: { ticketTtlMs: 10 } });
		const c = (await openConnection(short)).json!;
		clock += 10;
		expect(await upgradeStatus(wsUrl(c.endpoint, c.ticket))).toBe(401);
	});
});

// ---------------------------------------------------------------------------------------------
// robot messages
// ---------------------------------------------------------------------------------------------

describe('pushRobotMessage', () => {
	it('sends a CALLBACK frame with the body of the HTTP callback and a working session webhook', async () => {
		const sim = await startSim();
		const client = await connect(sim);
		const [connection] = sim.streamConnections(APP.clientId);
		const result = sim.pushRobotMessage(APP.clientId, { text: 'status?', sender: { nick: 'Li Si' }, msgId: 'msgFixed01', createAt: 1 });
		const frame = await client.next();
		expect(frame).toEqual({
			specVersion: '1.0',
			type: 'CALLBACK',
			headers: {
				appId: expect.any(String),
				connectionId: connection.id,
				contentType: 'application/json',
				messageId: result.messageId,
				time: expect.stringMatching(/^\d+$/),
				topic: ROBOT_TOPIC,
			},
			data: expect.any(String),
		});
		const body = JSON.parse(frame.data);
		expect(body).toEqual(result.body);
		expect(body).toMatchObject({
			msgtype: 'text',
			text: { content: ' status?' },
			msgId: 'msgFixed01',
			senderNick: 'Li Si',
			conversationType: '2',
			isInAtList: true,
			robotCode: APP.clientId,
			sessionWebhook: result.session.sessionWebhook,
			sessionWebhookExpiredTime: result.session.expiresAt,
		});
		expect(result).toMatchObject({ msgId: 'msgFixed01', delivered: true, connectionId: connection.id });

		// the same fields, in the same order, as DingTalk's HTTP callback of the simulator
		const receiver = http.createServer((req, res) => {
			req.resume();
			req.on('end', () => res.end('{"msgtype":"empty"}'));
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		try {
			const { request } = await sim.deliverCallback(`http://127.0.0.1:${(receiver.address() as { port: number }).port}/`, { text: 'status?' });
			expect(Object.keys(body)).toEqual(Object.keys(request.body as object));
		} finally {
			await new Promise((resolve) => receiver.close(resolve));
		}

		const reply = await fetch(result.session.sessionWebhook, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ msgtype: 'text', text: { content: 'all good' } }),
		});
		expect(await reply.json()).toEqual({ errcode: 0, errmsg: 'ok' });
		expect(sim.sessionReplies(result.session.sessionId)).toEqual([{ msgtype: 'text', text: { content: 'all good' } }]);
		const page = await (await fetch(`${sim.baseUrl}/`)).text();
		expect(page.indexOf('Li Si')).toBeGreaterThan(-1);
		expect(page.indexOf('all good')).toBeGreaterThan(page.indexOf('Li Si'));
	});

	it('goes to exactly one of two connections, chosen by the (injected) random', async () => {
		const sim = await startSim({ random: sequence(0.1, 0.9, 0.6, 0.2) });
		const a = await connect(sim);
		const b = await connect(sim);
		const [ca, cb] = sim.streamConnections(APP.clientId).map((c) => c.id);
		const results = [1, 2, 3, 4].map((i) => sim.pushRobotMessage(APP.clientId, { text: `m${i}` }));
		expect(results.map((r) => r.connectionId)).toEqual([ca, cb, cb, ca]);
		await until(() => a.frames.length + b.frames.length === 4);
		await sleep(50);
		expect(a.frames.map((f) => JSON.parse(f.data).text.content)).toEqual([' m1', ' m4']);
		expect(b.frames.map((f) => JSON.parse(f.data).text.content)).toEqual([' m2', ' m3']);
		expect(sim.streamConnections(APP.clientId).map((c) => c.framesReceived)).toEqual([2, 2]);
	});

	it('is lost when no connection is subscribed to the robot topic: recorded undelivered, never queued', async () => {
		const sim = await startSim();
		const result = sim.pushRobotMessage(APP.clientId, { text: 'anyone?' });
		expect(result).toMatchObject({ delivered: false, connectionId: null });
		const eventsOnly = await connect(sim, [{ type: 'EVENT', topic: '*' }]);
		expect(sim.pushRobotMessage(APP.clientId).delivered).toBe(false);
		await sleep(50);
		expect(eventsOnly.frames).toEqual([]);
		expect(sim.streamPushes().map((p) => [p.kind, p.delivered, p.connectionId])).toEqual([
			['robotMessage', false, null],
			['robotMessage', false, null],
		]);
		expect(() => sim.pushRobotMessage('dingnobody')).toThrow(/unknown app/);
	});

	it('replays the same frame (same messageId and data) and takes a given msgId and messageId', async () => {
		const sim = await startSim();
		const client = await connect(sim);
		const first = sim.pushRobotMessage(APP.clientId, { msgId: 'msgDup', messageId: 'mid_dup_1' });
		const again = sim.replayRobotMessage(first);
		const [f1, f2] = [await client.next(), await client.next()];
		expect(f1.headers.messageId).toBe('mid_dup_1');
		expect(f2.headers.messageId).toBe('mid_dup_1');
		expect(f2.data).toBe(f1.data);
		expect(again).toMatchObject({ msgId: 'msgDup', delivered: true });
		expect(sim.streamPushes().map((p) => p.attempt)).toEqual([1, 2]);
	});
});

// ---------------------------------------------------------------------------------------------
// answers (ACKs)
// ---------------------------------------------------------------------------------------------

describe('ACKs', () => {
	it('records valid answers and invalid ones (bad JSON, unknown messageId, data not a string, no contentType) without breaking', async () => {
		const sim = await startSim();
		const client = await connect(sim);
		sim.pushRobotMessage(APP.clientId);
		const frame = await client.next();
		client.answer(frame, { response: null });
		client.ws.send('{not json');
		client.ws.send(JSON.stringify({ code: 200, headers: { messageId: 'nope', contentType: 'application/json' }, message: 'OK', data: '{}' }));
		client.ws.send(JSON.stringify({ code: 200, headers: { messageId: frame.headers.messageId, contentType: 'application/json' }, message: 'OK', data: { response: null } }));
		client.ws.send(JSON.stringify({ code: 200, headers: { messageId: frame.headers.messageId }, message: 'OK', data: '{}' }));
		client.answer(frame, { response: null });
		await until(() => sim.streamAcks().length === 6);
		const acks = sim.streamAcks();
		expect(acks.map((a) => [a.valid, a.kind, a.duplicate])).toEqual([
			[true, 'robotMessage', false],
			[false, undefined, false],
			[false, undefined, false],
			[false, undefined, false],
			[false, undefined, false],
			[true, 'robotMessage', true],
		]);
		expect(acks.map((a) => a.error)).toEqual([
			undefined,
			'not JSON',
			'messageId of no frame sent on this connection',
			'data must be a JSON string',
			'headers.contentType must be application/json',
			undefined,
		]);
		expect(acks[0]).toMatchObject({ code: 200, messageId: frame.headers.messageId, message: 'OK', data: '{"response":null}', clientId: APP.clientId });
		expect(sim.streamConnections(APP.clientId)[0]).toMatchObject({ framesReceived: 1, framesAcked: 1 });
		// the connection still works
		sim.pushRobotMessage(APP.clientId, { text: 'still here' });
		expect(JSON.parse((await client.next()).data).text.content).toBe(' still here');
	});
});

// ---------------------------------------------------------------------------------------------
// events
// ---------------------------------------------------------------------------------------------

describe('pushEvent', () => {
	it('sends an EVENT frame and pushes it again while it is not ACKed SUCCESS (LATER counts as not)', async () => {
		const sim = await startSim({ stream: { eventAckTimeoutMs: 80, eventRedeliveries: 2 } });
		const client = await connect(sim);
		const pushed = sim.pushEvent(APP.clientId, { eventType: 'user_add_org', data: { userId: ['015xxxx227'] }, eventCorpId: 'dingcorp1' });
		const first = await client.next();
		expect(first.type).toBe('EVENT');
		expect(first.headers).toMatchObject({
			messageId: pushed.messageId,
			eventType: 'user_add_org',
			eventId: pushed.eventId,
			eventCorpId: 'dingcorp1',
			eventBornTime: expect.stringMatching(/^\d+$/),
			contentType: 'application/json',
			topic: '*',
		});
		expect(JSON.parse(first.data)).toEqual({ userId: ['015xxxx227'] });
		client.answer(first, { status: 'LATER', message: 'busy' });
		const second = await client.next();
		expect(second.headers.eventId).toBe(pushed.eventId);
		// no answer to the second: a third push, then no more (2 redeliveries)
		const third = await client.next();
		expect(third.headers.eventId).toBe(pushed.eventId);
		await sleep(200);
		expect(client.frames).toHaveLength(3);
		expect(sim.streamPushes().map((p) => [p.kind, p.attempt, p.eventId])).toEqual([
			['event', 1, pushed.eventId],
			['event', 2, pushed.eventId],
			['event', 3, pushed.eventId],
		]);
		expect(sim.streamAcks()[0]).toMatchObject({ kind: 'event', status: 'LATER', valid: true });
	});

	it('is not pushed again once ACKed SUCCESS; an event ACK without a status is invalid', async () => {
		const sim = await startSim({ stream: { eventAckTimeoutMs: 60, eventRedeliveries: 5 } });
		const client = await connect(sim);
		sim.pushEvent(APP.clientId, { eventType: 'chat_update_title' });
		const frame = await client.next();
		client.answer(frame, { response: null });
		const again = await client.next();
		client.answer(again, { status: 'SUCCESS', message: 'done' });
		await sleep(200);
		expect(client.frames).toHaveLength(2);
		expect(sim.streamAcks().map((a) => [a.valid, a.status, a.error])).toEqual([
			[false, undefined, 'data.status must be SUCCESS or LATER'],
			[true, 'SUCCESS', undefined],
		]);
	});
});

// ---------------------------------------------------------------------------------------------
// SYSTEM frames, drop, gateway down
// ---------------------------------------------------------------------------------------------

describe('SYSTEM ping', () => {
	it('records a pong that echoes the data, and no pong when the client is silent or answers wrongly', async () => {
		const sim = await startSim();
		const echo = await connect(sim);
		echo.ws.on('message', (raw) => {
			const frame = JSON.parse(raw.toString()) as StreamFrame;
			if (frame.type === 'SYSTEM' && frame.headers.topic === 'ping') echo.answer(frame, frame.data);
		});
		const [pong] = await sim.streamPing(sim.streamConnections()[0].id);
		expect(pong).toMatchObject({ answered: true, pong: true });
		const ping = echo.frames[0];
		expect(ping).toMatchObject({ specVersion: '1.0', type: 'SYSTEM', headers: { topic: 'ping', contentType: 'application/json' } });
		expect(JSON.parse(ping.data)).toEqual({ opaque: pong.opaque });

		const silent = await connect(sim);
		const silentId = sim.streamConnections().find((c) => c.id !== pong.connectionId)!.id;
		expect(await sim.streamPing(silentId, { timeoutMs: 50 })).toEqual([expect.objectContaining({ answered: false, pong: false })]);
		const wrong = sim.streamPing(silentId, { timeoutMs: 1000 });
		const second = sim.streamPings()[2].messageId;
		silent.answer(await silent.next((f) => f.headers.messageId === second), { opaque: 'something else' });
		expect(await wrong).toEqual([expect.objectContaining({ answered: true, pong: false })]);
		expect(sim.streamPings()).toHaveLength(3);
		expect(sim.streamAcks().map((a) => a.valid)).toEqual([true, false]);
	});
});

describe('SYSTEM disconnect and drop', () => {
	it('sends disconnect with the reason, pushes nothing more there, and closes the connection closeAfterMs later', async () => {
		const sim = await startSim();
		const client = await connect(sim);
		const started = Date.now();
		const { connectionIds, closed } = sim.streamDisconnect(APP.clientId, { closeAfterMs: 150, reason: 'connection is expired' });
		expect(connectionIds).toHaveLength(1);
		const frame = await client.next();
		expect(frame).toMatchObject({ type: 'SYSTEM', headers: { topic: 'disconnect' } });
		expect(JSON.parse(frame.data)).toEqual({ reason: 'connection is expired' });
		expect(sim.streamConnections(APP.clientId)[0].state).toBe('closing');
		expect(sim.pushRobotMessage(APP.clientId).delivered).toBe(false);
		const { code } = await client.closed;
		await closed;
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		expect(code).toBe(1000);
		expect(sim.streamConnections(APP.clientId)).toEqual([]);
	});

	it('drop cuts the socket without a close frame (1006 on the client side)', async () => {
		const sim = await startSim();
		const client = await connect(sim);
		expect(sim.streamDrop(APP.clientId)).toHaveLength(1);
		expect((await client.closed).code).toBe(1006);
		await until(() => sim.streamConnections().length === 0);
		expect(() => sim.streamDrop('nothing-by-this-name')).toThrow(/unknown connection or app/);
	});
});

describe('closed connections', () => {
	it('lists who closed each connection and its close code: 1000 from a client that closes, 1006 without a close frame', async () => {
		const sim = await startSim();
		const polite = await connect(sim);
		const rude = await connect(sim);
		const [politeId, rudeId] = sim.streamConnections(APP.clientId).map((c) => c.id);
		polite.ws.close(1000, 'bye');
		rude.ws.terminate();
		await until(() => sim.streamClosedConnections(APP.clientId).length === 2);
		const closed = Object.fromEntries(sim.streamClosedConnections(APP.clientId).map((c) => [c.id, c]));
		expect(closed[politeId]).toMatchObject({ clientId: APP.clientId, closeReason: 'client', closeCode: 1000 });
		expect(closed[rudeId]).toMatchObject({ clientId: APP.clientId, closeReason: 'client', closeCode: 1006 });
		expect(closed[politeId].closedAt).toBeGreaterThanOrEqual(closed[politeId].openedAt);
		expect(sim.streamClosedConnections('another-app')).toEqual([]);
		sim.reset();
		expect(sim.streamClosedConnections()).toEqual([]);
	});

	it('records a disconnect and a drop as the gateway\'s doing', async () => {
		const sim = await startSim();
		await connect(sim);
		await sim.streamDisconnect(APP.clientId, { closeAfterMs: 0 }).closed;
		const dropped = await connect(sim);
		sim.streamDrop(APP.clientId);
		await dropped.closed;
		await until(() => sim.streamClosedConnections().length === 2);
		expect(sim.streamClosedConnections().map((c) => c.closeReason)).toEqual(['disconnect', 'drop']);
	});
});

describe('gateway down', () => {
	it('answers 503 to connections/open and to upgrades, or cuts the request, until it is up again', async () => {
		const sim = await startSim();
		const { json } = await openConnection(sim);
		sim.setGatewayDown(true);
		const down = await openConnection(sim);
		expect(down.status).toBe(503);
		expect(down.contentType).toMatch(/^text\/html/);
		expect(await upgradeStatus(wsUrl(json!.endpoint, json!.ticket))).toBe(503);
		sim.setGatewayDown('reset');
		await expect(openConnection(sim)).rejects.toThrow();
		sim.setGatewayDown(false);
		const ws = new WebSocket(wsUrl(json!.endpoint, json!.ticket)); // the ticket was not used up while down
		sockets.push(ws);
		await new Promise((resolve) => ws.once('open', resolve));
		expect(sim.streamOpenRequests().map((r) => [r.outcome, r.status])).toEqual([
			['ticketIssued', 200],
			['gatewayDown', 503],
			['gatewayDown', null],
		]);
		expect(() => sim.setGatewayDown('maybe' as never)).toThrow(/true, false or 'reset'/);
	});
});

describe('a broken or hostile gateway', () => {
	it('storm: every new connection is told to go as soon as it opens; the peak of open connections is recorded', async () => {
		const sim = await startSim();
		const before = await connect(sim);
		sim.setStreamStorm({ closeAfterMs: 300, reason: 'storm' });
		// the connection open when the storm starts is left alone
		expect(sim.streamConnections(APP.clientId).map((c) => c.state)).toEqual(['open']);
		const first = await connect(sim);
		const frame = await first.next();
		expect(frame).toMatchObject({ type: 'SYSTEM', headers: { topic: 'disconnect' } });
		expect(JSON.parse(frame.data)).toEqual({ reason: 'storm' });
		const second = await connect(sim);
		await second.next((f) => f.headers.topic === 'disconnect');
		expect(sim.streamPeakConnections(APP.clientId)).toBe(3);
		expect((await first.closed).code).toBe(1000);
		await second.closed;
		await until(() => sim.streamConnections(APP.clientId).length === 1);
		expect(sim.streamClosedConnections(APP.clientId).map((c) => c.closeReason)).toEqual(['disconnect', 'disconnect']);
		// the peak stays until a reset, which starts it from the connections open then
		expect(sim.streamPeakConnections(APP.clientId)).toBe(3);
		sim.reset();
		expect(sim.streamPeakConnections(APP.clientId)).toBe(1);
		expect(sim.streamPeakConnections('another-app')).toBe(0);

		sim.setStreamStorm(false);
		const calm = await connect(sim);
		sim.pushRobotMessage(APP.clientId, { connectionId: sim.streamConnections(APP.clientId)[1].id });
		expect((await calm.next()).type).toBe('CALLBACK');
		expect(before.frames).toEqual([]);
		expect(sim.streamPeakConnections(APP.clientId)).toBe(2);
		expect(() => sim.setStreamStorm('on' as never)).toThrow(/setStreamStorm/);
		expect(() => sim.setStreamStorm({ closeAfterMs: -1 })).toThrow(/closeAfterMs/);
	});

	it('registration faults answer the next registrations in order, also with the request echoed; no ticket is issued', async () => {
		const sim = await startSim();
		sim.injectStreamOpenFaults([
			{ status: 400, body: (request) => ({ code: 'echo', message: JSON.stringify(request) }) },
			{ status: 502, body: 'bad gateway' },
		]);
		const echoed = await openConnection(sim);
		expect(echoed.status).toBe(400);
		expect(JSON.parse(echoed.json!.message)).toMatchObject({ clientId: APP.clientId, clientSecret: APP.clientSecret });
		const second = await openConnection(sim);
		expect([second.status, second.text]).toEqual([502, '"bad gateway"']);
		expect((await openConnection(sim)).status).toBe(200);
		expect(sim.streamOpenRequests().map((r) => [r.outcome, r.status, r.ticket === undefined])).toEqual([
			['fault', 400, true],
			['fault', 502, true],
			['ticketIssued', 200, false],
		]);
		// the secret is not recorded, even when a fault echoed it
		expect(JSON.stringify(sim.streamOpenRequests())).not.toContain(APP.clientSecret);
		sim.injectStreamOpenFaults([{ status: 500, body: {} }]);
		sim.reset();
		expect((await openConnection(sim)).status).toBe(200);
		expect(() => sim.injectStreamOpenFaults([{ status: 'x' } as never])).toThrow(/fault.status/);
	});

	it('hands out another endpoint with real tickets while told to', async () => {
		const sim = await startSim();
		sim.setStreamEndpoint('wss://stream.example.com/connect');
		const elsewhere = await openConnection(sim);
		expect(elsewhere.json).toEqual({ endpoint: 'wss://stream.example.com/connect', ticket: expect.any(String) });
		// the ticket is real: it opens a connection at the simulator
		const ws = new WebSocket(wsUrl(`${sim.baseUrl!.replace(/^http/, 'ws')}/connect`, elsewhere.json!.ticket));
		sockets.push(ws);
		await new Promise((resolve) => ws.once('open', resolve));
		sim.reset();
		expect((await openConnection(sim)).json!.endpoint).toBe('wss://stream.example.com/connect');
		sim.setStreamEndpoint(undefined);
		expect((await openConnection(sim)).json!.endpoint).toBe(`${sim.baseUrl!.replace(/^http/, 'ws')}/connect`);
	});
});

// ---------------------------------------------------------------------------------------------
// reset and stop
// ---------------------------------------------------------------------------------------------

describe('reset and stop', () => {
	it('reset clears the records and tickets; apps and open connections stay', async () => {
		const sim = await startSim();
		const client = await connect(sim);
		const { json } = await openConnection(sim);
		sim.pushRobotMessage(APP.clientId);
		await client.next();
		sim.reset();
		expect([sim.streamOpenRequests(), sim.streamConnectAttempts(), sim.streamPushes(), sim.streamAcks(), sim.streamPings()]).toEqual([[], [], [], [], []]);
		expect(await upgradeStatus(wsUrl(json!.endpoint, json!.ticket))).toBe(401);
		expect(sim.pushRobotMessage(APP.clientId).delivered).toBe(true);
	});

	it('stop closes every connection, ends waiting pings and pending redeliveries, and leaves no timer', async () => {
		// every timer set while the simulator runs, until it fires or is cleared (counting the
		// process's timers instead would count those of other tests' sockets in this worker too)
		const live = new Set<NodeJS.Timeout>();
		const delays: Array<number | undefined> = [];
		const realSetTimeout = global.setTimeout;
		const realClearTimeout = global.clearTimeout;
		const tracked = jest.spyOn(global, 'setTimeout').mockImplementation(((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
			const timer: NodeJS.Timeout = realSetTimeout(() => {
				live.delete(timer);
				callback(...args);
			}, ms);
			live.add(timer);
			delays.push(ms);
			return timer;
		}) as typeof setTimeout);
		const cleared = jest.spyOn(global, 'clearTimeout').mockImplementation(((timer?: NodeJS.Timeout) => {
			if (timer) live.delete(timer);
			realClearTimeout(timer);
		}) as typeof clearTimeout);
		const sim = new DingTalkSimulator({ stream: { eventAckTimeoutMs: 60_000 } });
		sim.addApp(APP);
		await sim.start();
		sims.push(sim);
		const client = await connect(sim);
		sim.pushEvent(APP.clientId, { eventType: 'user_add_org' });
		const ping = sim.streamPing(APP.clientId, { timeoutMs: 60_000 });
		sim.streamDisconnect(APP.clientId, { closeAfterMs: 60_000 });
		await sim.stop();
		expect(await ping).toEqual([expect.objectContaining({ answered: false })]);
		expect((await client.closed).code).toBe(1006);
		await sleep(20);
		tracked.mockRestore();
		cleared.mockRestore();
		// the 60 s redelivery, ping and disconnect timers were set, and none is left
		expect(delays.filter((ms) => ms === 60_000).length).toBeGreaterThanOrEqual(2);
		expect([...live]).toEqual([]);
		await expect(fetch(`${sim.baseUrl ?? 'http://127.0.0.1:1'}/v1.0/gateway/connections/open`)).rejects.toThrow();
	});
});

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

describe('cli stream-push', () => {
	it('pushes a robot message to an app of a running simulator; exit 1 when no connection took it', async () => {
		const cli = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
		const child = spawn(process.execPath, [cli, '--port', '0', '--client-id', APP.clientId, '--client-secret', APP.clientSecret], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (d: string) => (out += d));
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		const push = (base: string, ...args: string[]) =>
			new Promise<{ code: number; stdout: string }>((resolve) => {
				execFile(process.execPath, [cli, 'stream-push', '--simulator', base, '--client-id', APP.clientId, ...args], (err, stdout) =>
					resolve({ code: err ? Number(err.code) : 0, stdout }),
				);
			});
		try {
			await until(() => /Ready\./.test(out), 5000);
			const base = /the group: +(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1];
			const lost = await push(base);
			expect(lost.code).toBe(1);
			expect(lost.stdout).toMatch(/NOT delivered/);

			const opened = (await (
				await fetch(`${base}/v1.0/gateway/connections/open`, {
					method: 'POST',
					headers: { 'content-type': 'application/json', accept: 'application/json' },
					body: JSON.stringify({ ...APP, subscriptions: SUBSCRIPTIONS }),
				})
			).json()) as { endpoint: string; ticket: string };
			const ws = new WebSocket(wsUrl(opened.endpoint, opened.ticket));
			sockets.push(ws);
			const frame = new Promise<StreamFrame>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
			await new Promise((resolve) => ws.once('open', resolve));
			const pushed = await push(base, '--text', 'deploy status', '--nick', 'Wang Wu');
			expect(pushed.code).toBe(0);
			expect(pushed.stdout).toMatch(/pushed to connection [0-9a-f-]{36}/);
			expect(JSON.parse((await frame).data)).toMatchObject({ text: { content: ' deploy status' }, senderNick: 'Wang Wu' });
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
	});
});
