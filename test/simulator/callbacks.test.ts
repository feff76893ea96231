import * as http from 'node:http';
import * as path from 'node:path';
import { createHmac } from 'node:crypto';
import { spawn } from 'node:child_process';
import { DingTalkSimulator, TAMPER_KINDS } from '../../simulator';
import type { CallbackOptions, SimulatorOptions } from '../../simulator';

// ---------------------------------------------------------------------------------------------
// helpers: a tiny trigger stand-in that records what arrives and answers as told
// ---------------------------------------------------------------------------------------------

interface Arrival {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	rawHeaders: string[];
	body: Buffer;
}

interface Answer {
	status?: number;
	body?: string | object;
	contentType?: string;
}

interface Receiver {
	url: string;
	arrivals: Arrival[];
	answer: (arrival: Arrival) => Answer | 'hang';
	close: () => Promise<void>;
}

const receivers: Receiver[] = [];
const sims: DingTalkSimulator[] = [];

async function startReceiver(answer: Receiver['answer'] = () => ({ status: 200, body: { msgtype: 'empty' } })): Promise<Receiver> {
	const hanging: http.ServerResponse[] = [];
	const receiver = { arrivals: [] as Arrival[], answer } as Receiver;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const arrival: Arrival = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				rawHeaders: req.rawHeaders,
				body: Buffer.concat(chunks),
			};
			receiver.arrivals.push(arrival);
			const a = receiver.answer(arrival);
			if (a === 'hang') {
				hanging.push(res);
				return;
			}
			const text = typeof a.body === 'string' ? a.body : a.body === undefined ? '' : JSON.stringify(a.body);
			res.writeHead(a.status ?? 200, { 'content-type': a.contentType ?? 'application/json; charset=utf-8' });
			res.end(text);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	receiver.url = `http://127.0.0.1:${port}/webhook/dingtalk`;
	receiver.close = () =>
		new Promise<void>((resolve) => {
			for (const res of hanging) res.destroy();
			server.close(() => resolve());
			server.closeAllConnections();
		});
	receivers.push(receiver);
	return receiver;
}

async function startSim(options?: SimulatorOptions): Promise<DingTalkSimulator> {
	const sim = new DingTalkSimulator(options);
	sims.push(sim);
	await sim.start({ host: '127.0.0.1', port: 0 });
	return sim;
}

afterEach(async () => {
	await Promise.all([...sims.splice(0).map((s) => s.stop()), ...receivers.splice(0).map((r) => r.close())]);
});

/** An HMAC written here, not the simulator's: base64(HmacSHA256(secret, `${ts}\n${secret}`)). */
const hmac = (secret: string, ts: number | string) => createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');

const VECTOR_SECRET = 'this is secret';
const VECTOR_TS = 1577808000000;
// computed with Python: base64.b64encode(hmac.new(b"this is secret", b"1577808000000\nthis is secret", sha256).digest())
const VECTOR_SIGN = 'ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=';
const HOUR = 3_600_000;

function only(receiver: Receiver): Arrival {
	expect(receiver.arrivals).toHaveLength(1);
	return receiver.arrivals[0];
}

function bodyOf(arrival: Arrival): Record<string, unknown> {
	return JSON.parse(arrival.body.toString('utf8'));
}

async function postJson(url: string, body: unknown, init: { method?: string; contentType?: string; raw?: string } = {}) {
	const method = init.method ?? 'POST';
	const res = await fetch(url, {
		method,
		headers: { 'content-type': init.contentType ?? 'application/json; charset=utf-8' },
		body: method === 'GET' ? undefined : init.raw ?? JSON.stringify(body),
	});
	const text = await res.text();
	let json: { errcode: number; errmsg: string } | undefined;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, json };
}

type TextBody = { text: { content: string } };

const textMsg = (content: string, extra: Record<string, unknown> = {}) => ({ msgtype: 'text', text: { content }, ...extra });
const OK = { errcode: 0, errmsg: 'ok' };

// ---------------------------------------------------------------------------------------------
// deliverCallback: headers
// ---------------------------------------------------------------------------------------------

describe('deliverCallback headers', () => {
	it('signs with the known vector (timestamp pinned by now), token header, JSON content type', async () => {
		const sim = await startSim({ now: () => VECTOR_TS });
		const receiver = await startReceiver();
		const result = await sim.deliverCallback(receiver.url, { appSecret: VECTOR_SECRET, outgoingToken: 'out-token' });
		const a = only(receiver);
		expect(a.method).toBe('POST');
		expect(a.url).toBe('/webhook/dingtalk');
		expect(a.headers.timestamp).toBe('1577808000000');
		expect(a.headers.sign).toBe(VECTOR_SIGN); // raw base64, not URL-encoded
		expect(a.headers.token).toBe('out-token');
		expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(Number(a.headers['content-length'])).toBe(a.body.length);
		expect(result.request.headers).toMatchObject({ timestamp: '1577808000000', sign: VECTOR_SIGN, token: 'out-token' });
	});

	it('sends no timestamp, sign or token headers when neither appSecret nor outgoingToken is given', async () => {
		const sim = await startSim();
		const receiver = await startReceiver();
		await sim.deliverCallback(receiver.url);
		const a = only(receiver);
		expect(a.headers.timestamp).toBeUndefined();
		expect(a.headers.sign).toBeUndefined();
		expect(a.headers.token).toBeUndefined();
	});
});

// ---------------------------------------------------------------------------------------------
// deliverCallback: body
// ---------------------------------------------------------------------------------------------

describe('deliverCallback body', () => {
	it('has DingTalk fields and types by default: group, leading space, session expiring in 90 minutes', async () => {
		const now = 1_700_000_000_000;
		const sim = await startSim({ now: () => now });
		const receiver = await startReceiver();
		const result = await sim.deliverCallback(receiver.url, { appSecret: 'SECx' });
		const body = bodyOf(only(receiver));
		expect(body.msgtype).toBe('text');
		expect(body.text).toEqual({ content: ' ping' });
		expect(body.conversationType).toBe('2');
		expect(typeof body.conversationId).toBe('string');
		expect(body.conversationTitle).toBe('n8n test group');
		expect(body.senderNick).toBe('Zhang San');
		expect(body.senderStaffId).toBe('manager4521');
		expect(body.senderId).toMatch(/^\$:LWCP_v1:\$sender/);
		expect(body.senderCorpId).toMatch(/^ding/);
		expect(body.isAdmin).toBe(false);
		expect(body.isInAtList).toBe(true);
		expect(body.chatbotUserId).toMatch(/^\$:LWCP_v1:\$robot/);
		expect(body.atUsers).toEqual([{ dingtalkId: body.chatbotUserId }]);
		expect(body.robotCode).toBe('dingrobotsimulator');
		expect(body.msgId).toMatch(/^msg[0-9a-f]+$/);
		expect(body.createAt).toBe(now);
		expect(body.sessionWebhookExpiredTime).toBe(now + 90 * 60_000);
		expect(typeof body.sessionWebhookExpiredTime).toBe('number');
		expect(body.sessionWebhook).toMatch(new RegExp(`^${sim.baseUrl}/robot/sendBySession\\?session=[0-9a-f]+$`));
		expect(result.request).toMatchObject({
			body,
			rawBody: only(receiver).body.toString('utf8'),
			msgId: body.msgId,
			sessionWebhook: body.sessionWebhook,
			expiresAt: now + 90 * 60_000,
		});
		expect(body.sessionWebhook).toContain(result.request.sessionId);
	});

	it('follows the options: one-to-one without title, sender, mentions, ttl, msgId, createAt, extraBody', async () => {
		const now = 1_700_000_000_000;
		const sim = await startSim({ now: () => now });
		const receiver = await startReceiver();
		await sim.deliverCallback(receiver.url, {
			text: 'status please',
			sender: { nick: '李四', staffId: 'u2', id: '$:LWCP_v1:$li', corpId: 'dingcorp2', isAdmin: true },
			conversation: { type: 'oneToOne', id: 'cid-1to1', title: 'ignored' },
			mentions: [{ dingtalkId: '$:LWCP_v1:$other', staffId: 'u3' }],
			chatbotUserId: '$:LWCP_v1:$bot',
			robotCode: 'dingcode',
			msgId: 'msgfixed',
			createAt: 42,
			sessionTtlMs: 60_000,
			extraBody: { robotCode: 'overridden', extra: 1 },
		});
		const body = bodyOf(only(receiver));
		expect(body.conversationType).toBe('1');
		expect(body.conversationId).toBe('cid-1to1');
		expect('conversationTitle' in body).toBe(false);
		expect(body).toMatchObject({
			senderNick: '李四',
			senderStaffId: 'u2',
			senderId: '$:LWCP_v1:$li',
			senderCorpId: 'dingcorp2',
			isAdmin: true,
			chatbotUserId: '$:LWCP_v1:$bot',
			msgId: 'msgfixed',
			createAt: 42,
			sessionWebhookExpiredTime: now + 60_000,
			robotCode: 'overridden',
			extra: 1,
			text: { content: ' status please' },
		});
		expect(body.atUsers).toEqual([{ dingtalkId: '$:LWCP_v1:$bot' }, { dingtalkId: '$:LWCP_v1:$other', staffId: 'u3' }]);
	});

	it('robotMentioned false: not in the at list, only the other mentions', async () => {
		const sim = await startSim();
		const receiver = await startReceiver();
		await sim.deliverCallback(receiver.url, { robotMentioned: false, mentions: [{ dingtalkId: 'x' }] });
		const body = bodyOf(only(receiver));
		expect(body.isInAtList).toBe(false);
		expect(body.atUsers).toEqual([{ dingtalkId: 'x' }]);
	});

	it('each callback gets its own msgId and session', async () => {
		const sim = await startSim();
		const receiver = await startReceiver();
		const a = await sim.deliverCallback(receiver.url);
		const b = await sim.deliverCallback(receiver.url);
		expect(a.request.msgId).not.toBe(b.request.msgId);
		expect(a.request.sessionId).not.toBe(b.request.sessionId);
		expect(a.request.sessionWebhook).not.toBe(b.request.sessionWebhook);
	});
});

// ---------------------------------------------------------------------------------------------
// tampering
// ---------------------------------------------------------------------------------------------

describe('tamper', () => {
	const secret = 'SECtamper';
	const now = 1_700_000_000_000;

	async function tampered(tamper: CallbackOptions['tamper']) {
		const sim = await startSim({ now: () => now });
		const receiver = await startReceiver();
		const result = await sim.deliverCallback(receiver.url, { appSecret: secret, outgoingToken: 'tok', tamper });
		return { a: only(receiver), result, sim };
	}

	it('untampered: signed correctly for now, token as given (the baseline the tampers differ from)', async () => {
		const { a } = await tampered(undefined);
		expect(a.headers.timestamp).toBe(String(now));
		expect(a.headers.sign).toBe(hmac(secret, now));
		expect(a.headers.token).toBe('tok');
		expect(() => JSON.parse(a.body.toString('utf8'))).not.toThrow();
	});

	it('wrongSign: timestamp now, a valid-looking sign of another secret', async () => {
		const { a } = await tampered('wrongSign');
		expect(a.headers.timestamp).toBe(String(now));
		expect(a.headers.sign).not.toBe(hmac(secret, now));
		expect(a.headers.sign).toMatch(/^[A-Za-z0-9+/]{43}=$/);
		expect(a.headers.token).toBe('tok');
	});

	it('noSign: no timestamp and no sign header, the token stays', async () => {
		const { a } = await tampered('noSign');
		expect('timestamp' in a.headers).toBe(false);
		expect('sign' in a.headers).toBe(false);
		expect(a.headers.token).toBe('tok');
	});

	it('oldTimestamp / futureTimestamp: two hours off, signed correctly for that timestamp', async () => {
		const old = (await tampered('oldTimestamp')).a;
		expect(old.headers.timestamp).toBe(String(now - 2 * HOUR));
		expect(old.headers.sign).toBe(hmac(secret, now - 2 * HOUR));
		const future = (await tampered('futureTimestamp')).a;
		expect(future.headers.timestamp).toBe(String(now + 2 * HOUR));
		expect(future.headers.sign).toBe(hmac(secret, now + 2 * HOUR));
	});

	it('wrongToken: a token header that differs from the outgoing token; signature intact', async () => {
		const { a } = await tampered('wrongToken');
		expect(typeof a.headers.token).toBe('string');
		expect(a.headers.token).not.toBe('tok');
		expect(a.headers.sign).toBe(hmac(secret, now));
	});

	it('malformedBody: invalid JSON with correctly signed headers', async () => {
		const { a, result } = await tampered('malformedBody');
		expect(a.body.toString('utf8')).toBe('{"msgtype": "text", "text": ');
		expect(() => JSON.parse(a.body.toString('utf8'))).toThrow(SyntaxError);
		expect(a.headers.sign).toBe(hmac(secret, now));
		expect(result.request.body).toBe('{"msgtype": "text", "text": ');
	});

	it('notAMessage: valid JSON without msgtype, signed', async () => {
		const { a } = await tampered('notAMessage');
		expect(bodyOf(a)).toEqual({ hello: 'world' });
		expect(a.headers.sign).toBe(hmac(secret, now));
	});

	it('badSignEncoding: a sign that is not base64', async () => {
		const { a } = await tampered('badSignEncoding');
		expect(a.headers.timestamp).toBe(String(now));
		expect(a.headers.sign).toBe('%%%');
		expect(Buffer.from(a.headers.sign as string, 'base64').toString('base64')).not.toBe(a.headers.sign);
	});

	it('refuses an unknown tamper, a sign tamper without appSecret and wrongToken without outgoingToken', async () => {
		const sim = await startSim();
		const receiver = await startReceiver();
		await expect(sim.deliverCallback(receiver.url, { tamper: 'nope' as never })).rejects.toThrow(/unknown tamper/);
		for (const tamper of ['wrongSign', 'noSign', 'oldTimestamp', 'futureTimestamp', 'badSignEncoding'] as const) {
			await expect(sim.deliverCallback(receiver.url, { tamper })).rejects.toThrow(/needs an appSecret/);
		}
		await expect(sim.deliverCallback(receiver.url, { appSecret: 's', tamper: 'wrongToken' })).rejects.toThrow(/outgoingToken/);
		await expect(sim.deliverCallback('https://127.0.0.1/x')).rejects.toThrow(/http:\/\//);
		expect(receiver.arrivals).toHaveLength(0);
		expect(TAMPER_KINDS).toHaveLength(8);
	});
});

// ---------------------------------------------------------------------------------------------
// replay, results, records
// ---------------------------------------------------------------------------------------------

describe('replayCallback and the callbacks list', () => {
	it('sends byte-identical body and identical headers (same timestamp and sign) even after the clock moved', async () => {
		let clock = VECTOR_TS;
		const sim = await startSim({ now: () => clock });
		const receiver = await startReceiver(() => ({ status: 500, body: 'oops', contentType: 'text/plain' }));
		const first = await sim.deliverCallback(receiver.url, { appSecret: VECTOR_SECRET, outgoingToken: 't', text: '你好 ping' });
		clock += 10 * 60_000;
		const again = await sim.replayCallback(first);
		expect(receiver.arrivals).toHaveLength(2);
		const [a, b] = receiver.arrivals;
		expect(b.body.equals(a.body)).toBe(true);
		expect(b.rawHeaders).toEqual(a.rawHeaders);
		expect(b.headers.sign).toBe(VECTOR_SIGN);
		expect(again.status).toBe(500);
		expect(again.request.sessionId).toBe(first.request.sessionId);
		expect(sim.callbacks.map((c) => [c.replay, c.status, c.msgId])).toEqual([
			[false, 500, first.request.msgId],
			[true, 500, first.request.msgId],
		]);
		expect(sim.callbacks[1].rawBody).toBe(a.body.toString('utf8'));
		expect(sim.callbacks[1].at).toBe(VECTOR_TS + 10 * 60_000);
	});

	it('changeBody: the same timestamp and sign on another body (a captured call, forged), recorded as a replay', async () => {
		const sim = await startSim({ now: () => VECTOR_TS });
		const receiver = await startReceiver();
		const first = await sim.deliverCallback(receiver.url, { appSecret: VECTOR_SECRET, text: 'ping', robotMentioned: false });
		const forged = await sim.replayCallback(first, { changeBody: { isInAtList: true, text: { content: ' rm -rf' } } });
		const [a, b] = receiver.arrivals.map((arrival) => ({ headers: arrival.headers, body: JSON.parse(arrival.body.toString('utf8')) }));
		expect([b.headers.timestamp, b.headers.sign]).toEqual([a.headers.timestamp, VECTOR_SIGN]);
		expect(b.body).toEqual({ ...a.body, isInAtList: true, text: { content: ' rm -rf' } });
		expect(a.body.isInAtList).toBe(false);
		expect(Number(b.headers['content-length'])).toBe(receiver.arrivals[1].body.length);
		expect(forged.request.msgId).toBe(first.request.msgId);
		expect(sim.callbacks.map((c) => c.replay)).toEqual([false, true]);
		await expect(sim.replayCallback(first, { changeBody: 'x' as never })).rejects.toThrow('changeBody must be an object');
		const notAMessage = await sim.deliverCallback(receiver.url, { appSecret: VECTOR_SECRET, tamper: 'notAMessage' });
		await expect(sim.replayCallback(notAMessage, { changeBody: { a: 1 } })).rejects.toThrow('whose body is a message');
	});

	it('returns status, headers, body text and parsed json', async () => {
		const sim = await startSim();
		const receiver = await startReceiver(() => ({ status: 401, body: { message: 'bad sign' } }));
		const result = await sim.deliverCallback(receiver.url);
		expect(result.status).toBe(401);
		expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(result.bodyText).toBe('{"message":"bad sign"}');
		expect(result.json).toEqual({ message: 'bad sign' });
		expect(result.syncReply).toBeUndefined();
		const plain = await startReceiver(() => ({ status: 200, body: 'Workflow started', contentType: 'text/plain' }));
		const r2 = await sim.deliverCallback(plain.url);
		expect(r2.json).toBeUndefined();
		expect(r2.bodyText).toBe('Workflow started');
	});

	it('rejects after timeoutMs when nothing answers, and records status null with the error', async () => {
		const sim = await startSim();
		const receiver = await startReceiver(() => 'hang');
		const started = Date.now();
		await expect(sim.deliverCallback(receiver.url, { timeoutMs: 200 })).rejects.toThrow(/no answer within 200 ms/);
		expect(Date.now() - started).toBeLessThan(5000);
		expect(sim.callbacks).toHaveLength(1);
		expect(sim.callbacks[0].status).toBeNull();
		expect(sim.callbacks[0].error).toMatch(/200 ms/);
	});

	it('rejects on a refused connection', async () => {
		const sim = await startSim();
		const receiver = await startReceiver();
		const url = receiver.url;
		await receiver.close();
		await expect(sim.deliverCallback(url, { timeoutMs: 2000 })).rejects.toThrow(/ECONNREFUSED/);
		expect(sim.callbacks[0].status).toBeNull();
	});
});

describe('synchronous replies (the answer to the callback)', () => {
	it('records a valid message answer as a reply of the callback session', async () => {
		const sim = await startSim();
		const receiver = await startReceiver(() => ({ body: { msgtype: 'text', text: { content: 'pong' } } }));
		const result = await sim.deliverCallback(receiver.url);
		expect(result.syncReply).toEqual({ recorded: true, errcode: 0, errmsg: 'ok' });
		expect(sim.sessionReplies(result.request.sessionId)).toEqual([{ msgtype: 'text', text: { content: 'pong' } }]);
		expect(sim.sessionReplies(result.request.sessionWebhook)).toHaveLength(1);
		expect(sim.replies(result.request.sessionId).map((r) => r.via)).toEqual(['response']);
	});

	it('ignores msgtype empty, non-2xx and non-message answers; rejects an invalid message with the /robot/send errcode', async () => {
		const sim = await startSim();
		const answers: Answer[] = [
			{ body: { msgtype: 'empty' } },
			{ status: 500, body: { msgtype: 'text', text: { content: 'x' } } },
			{ body: { message: 'Workflow was started' } },
			{ body: { msgtype: 'markdown', markdown: { title: 'only a title' } } },
			{ body: { msgtype: 'image', image: { picURL: 'https://x' } } },
		];
		const receiver = await startReceiver(() => answers.shift() as Answer);
		const results = [];
		for (let i = 0; i < 5; i++) results.push(await sim.deliverCallback(receiver.url));
		expect(results.map((r) => r.syncReply)).toEqual([
			undefined,
			undefined,
			undefined,
			{ recorded: false, errcode: 400402, errmsg: '参数 markdown --》 text 缺失' },
			{ recorded: false, errcode: 400105, errmsg: '不支持的消息类型' },
		]);
		for (const r of results) expect(sim.sessionReplies(r.request.sessionId)).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------
// the session webhook
// ---------------------------------------------------------------------------------------------

describe('POST /robot/sendBySession', () => {
	it('delivers a reply, records the request and keeps replies in order with the synchronous one', async () => {
		const sim = await startSim({ now: () => 1_700_000_000_000 });
		const receiver = await startReceiver(() => ({ body: { msgtype: 'text', text: { content: 'pong' } } }));
		const { request } = await sim.deliverCallback(receiver.url);
		const later = { msgtype: 'markdown', markdown: { title: 'done', text: '**done**' } };
		const res = await postJson(request.sessionWebhook, later);
		expect(res).toEqual({ status: 200, json: OK });
		expect(sim.sessionReplies(request.sessionWebhook)).toEqual([{ msgtype: 'text', text: { content: 'pong' } }, later]);
		expect(sim.replies(request.sessionId).map((r) => [r.via, r.at])).toEqual([
			['response', 1_700_000_000_000],
			['sessionWebhook', 1_700_000_000_000],
		]);
		const record = sim.requests[sim.requests.length - 1];
		expect(record).toMatchObject({
			path: '/robot/sendBySession',
			session: request.sessionId,
			accessToken: null,
			signatureValid: null,
			delivered: true,
			errcode: 0,
		});
		// copies: changing what we got back changes nothing inside
		(sim.sessionReplies(request.sessionId)[0] as TextBody).text.content = 'changed';
		expect((sim.sessionReplies(request.sessionId)[0] as TextBody).text.content).toBe('pong');
		// not a robot message
		expect(sim.stats().delivered).toBe(1);
	});

	it('answers 300001 session expired from expiresAt on (clock or expireSession), 300001 session not found for unknown', async () => {
		let clock = 1_000_000;
		const sim = await startSim({ now: () => clock });
		const s = sim.createSession({ ttlMs: 1000 });
		expect(s.expiresAt).toBe(1_001_000);
		expect(s.sessionWebhook).toBe(`${sim.baseUrl}/robot/sendBySession?session=${s.sessionId}`);
		clock = 1_000_999;
		expect((await postJson(s.sessionWebhook, textMsg('just in time'))).json).toEqual(OK);
		clock = 1_001_000;
		expect(await postJson(s.sessionWebhook, textMsg('too late'))).toEqual({
			status: 200,
			json: { errcode: 300001, errmsg: 'session expired' },
		});
		expect(sim.sessionReplies(s.sessionId)).toEqual([textMsg('just in time')]);

		const t = sim.createSession();
		expect(t.expiresAt).toBe(clock + 90 * 60_000);
		expect((await postJson(t.sessionWebhook, textMsg('a'))).json).toEqual(OK);
		sim.expireSession(t.sessionWebhook);
		expect((await postJson(t.sessionWebhook, textMsg('b'))).json).toEqual({ errcode: 300001, errmsg: 'session expired' });
		expect(() => sim.expireSession('0123')).toThrow(/unknown session/);

		const notFound = { status: 200, json: { errcode: 300001, errmsg: 'session not found' } };
		expect(await postJson(`${sim.baseUrl}/robot/sendBySession?session=deadbeef`, textMsg('x'))).toEqual(notFound);
		expect(await postJson(`${sim.baseUrl}/robot/sendBySession`, textMsg('x'))).toEqual(notFound);
		expect(sim.requests.slice(-2).map((r) => r.delivered)).toEqual([false, false]);
	});

	it('rejects a bad body with the same errcode and errmsg as /robot/send', async () => {
		const sim = await startSim({ maxBodyBytes: 300 });
		sim.addRobot({ accessToken: 'plain' });
		const session = sim.createSession();
		const cases: { body?: unknown; init?: { method?: string; contentType?: string; raw?: string }; errcode: number }[] = [
			{ init: { method: 'GET' }, errcode: 43002 },
			{ body: textMsg('x'), init: { contentType: 'text/plain' }, errcode: 43004 },
			{ init: { raw: '' }, errcode: 40035 },
			{ init: { raw: '{"msgtype":' }, errcode: 40035 },
			{ init: { raw: '[1,2]' }, errcode: 40035 },
			{ body: textMsg('x'.repeat(400)), errcode: 460101 },
			{ body: { msgtype: 'image', image: { picURL: 'https://x' } }, errcode: 400105 },
			{ body: { text: { content: 'no msgtype' } }, errcode: 400105 },
			{ body: { msgtype: 'link', link: { title: 't', text: 'x' } }, errcode: 400402 },
			{ body: { msgtype: 'text', text: { content: '' } }, errcode: 400402 },
		];
		for (const c of cases) {
			const viaRobot = await postJson(sim.webhookUrl('plain'), c.body, c.init);
			const viaSession = await postJson(session.sessionWebhook, c.body, c.init);
			expect(viaRobot.json?.errcode).toBe(c.errcode);
			expect(viaSession).toEqual(viaRobot);
		}
		expect(sim.sessionReplies(session.sessionId)).toEqual([]);
		expect(sim.messages('plain')).toEqual([]);
	});

	it('needs no signature and checks no keywords (an access_token on it is ignored)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'guarded', secret: 'SECs', keywords: ['alert'] });
		const session = sim.createSession();
		const res = await postJson(`${session.sessionWebhook}&access_token=guarded`, textMsg('no keyword here'));
		expect(res.json).toEqual(OK);
		expect(sim.requests[0].signatureValid).toBeNull();
		expect(sim.messages('guarded')).toEqual([]);
	});

	it('dedupes msgUuid per session: a replay answers ok and is not delivered twice; another session is separate', async () => {
		const sim = await startSim();
		const s1 = sim.createSession();
		const s2 = sim.createSession();
		const body = textMsg('once', { msgUuid: 'u-1' });
		expect((await postJson(s1.sessionWebhook, body)).json).toEqual(OK);
		expect((await postJson(s1.sessionWebhook, body)).json).toEqual(OK);
		expect(sim.sessionReplies(s1.sessionId)).toHaveLength(1);
		expect(sim.requests.map((r) => r.duplicate)).toEqual([false, true]);
		expect((await postJson(s2.sessionWebhook, body)).json).toEqual(OK);
		expect(sim.sessionReplies(s2.sessionId)).toHaveLength(1);
	});

	it('rate-limits per session like a robot (perWindow, then throttled)', async () => {
		let clock = 0;
		const sim = await startSim({ now: () => clock, rateLimit: { perWindow: 2, windowMs: 1000, throttleMs: 5000 } });
		const s1 = sim.createSession();
		const s2 = sim.createSession();
		const codes = [];
		for (let i = 0; i < 3; i++) codes.push((await postJson(s1.sessionWebhook, textMsg(`m${i}`))).json?.errcode);
		expect(codes).toEqual([0, 0, 410100]);
		expect((await postJson(s2.sessionWebhook, textMsg('other session'))).json).toEqual(OK);
		clock = 2000; // the window is over, the throttle is not
		expect((await postJson(s1.sessionWebhook, textMsg('still throttled'))).json?.errcode).toBe(410100);
		clock = 6000;
		expect((await postJson(s1.sessionWebhook, textMsg('free again'))).json).toEqual(OK);
		expect(sim.sessionReplies(s1.sessionId).map((m) => (m as TextBody).text.content)).toEqual(['m0', 'm1', 'free again']);
	});

	it('injected faults apply to session requests too', async () => {
		const sim = await startSim();
		const s = sim.createSession();
		sim.injectFaults([{ kind: 'busy' }, { kind: 'http502' }]);
		expect((await postJson(s.sessionWebhook, textMsg('a'))).json).toEqual({ errcode: -1, errmsg: '系统繁忙' });
		expect((await postJson(s.sessionWebhook, textMsg('b'))).status).toBe(502);
		expect((await postJson(s.sessionWebhook, textMsg('c'))).json).toEqual(OK);
		expect(sim.sessionReplies(s.sessionId)).toEqual([textMsg('c')]);
		expect(sim.requests.map((r) => r.fault)).toEqual(['busy', 'http502', undefined]);
	});

	it('createSession needs a started simulator; reset clears sessions, replies and callbacks', async () => {
		expect(() => new DingTalkSimulator().createSession()).toThrow(/not started/);
		const sim = await startSim();
		const receiver = await startReceiver(() => ({ body: { msgtype: 'text', text: { content: 'pong' } } }));
		const { request } = await sim.deliverCallback(receiver.url);
		expect(sim.callbacks).toHaveLength(1);
		expect(sim.sessionReplies(request.sessionId)).toHaveLength(1);
		sim.reset();
		expect(sim.callbacks).toEqual([]);
		expect(sim.sessionReplies(request.sessionId)).toEqual([]);
		expect((await postJson(request.sessionWebhook, textMsg('late'))).json).toEqual({ errcode: 300001, errmsg: 'session not found' });
	});
});

// ---------------------------------------------------------------------------------------------
// group view and CLI
// ---------------------------------------------------------------------------------------------

describe('group view with callbacks', () => {
	it('shows the sender and text of a callback, then the replies, in order', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		await postJson(sim.webhookUrl('tok'), textMsg('before the chat'));
		const receiver = await startReceiver(() => ({ body: { msgtype: 'text', text: { content: 'pong <b>' } } }));
		const { request } = await sim.deliverCallback(receiver.url, { sender: { nick: 'Wang <Wu>' }, text: 'ping' });
		await postJson(request.sessionWebhook, { msgtype: 'markdown', markdown: { title: 't', text: '**later**' } });
		await sim.deliverCallback(receiver.url, { tamper: 'malformedBody' }); // no message anybody wrote
		const page = await (await fetch(`${sim.baseUrl}/`)).text();
		const order = ['before the chat', 'Wang &lt;Wu&gt;', '<span class="at">@n8n robot</span> ping', 'pong &lt;b&gt;', '<b>later</b>'].map((s) =>
			page.indexOf(s),
		);
		expect(order.every((i) => i >= 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		// 1 robot message + 1 person + 1 sync reply + 1 session reply + the malformed callback's sync reply
		expect(page).toContain('5 messages received');
		expect(page).not.toContain('{"msgtype": "text", "text": ');
	});
});

describe('cli callback (one-shot)', () => {
	it('fires one signed callback, prints the status, body and session webhook, and exits 0', async () => {
		const receiver = await startReceiver(() => ({ body: { msgtype: 'text', text: { content: 'pong' } } }));
		const cli = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
		const child = spawn(
			process.execPath,
			[cli, 'callback', '--url', receiver.url, '--app-secret', 'SECcli', '--token', 'tk', '--text', 'hello', '--tamper', 'oldTimestamp'],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let out = '';
		let err = '';
		child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
		child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
		const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
		expect(err).toBe('');
		expect(code).toBe(0);
		const a = only(receiver);
		const ts = Number(a.headers.timestamp);
		expect(Math.abs(Date.now() - 2 * HOUR - ts)).toBeLessThan(60_000);
		expect(a.headers.sign).toBe(hmac('SECcli', ts));
		expect(a.headers.token).toBe('tk');
		expect(bodyOf(a).text).toEqual({ content: ' hello' });
		expect(out).toMatch(/session webhook: http:\/\/127\.0\.0\.1:\d+\/robot\/sendBySession\?session=[0-9a-f]+/);
		expect(out).toContain('HTTP 200');
		expect(out).toContain('{"msgtype":"text","text":{"content":"pong"}}');
		expect(out).toContain('synchronous reply: accepted');
		expect(out).not.toContain('SECcli');
	});

	it('exits 2 with the usage on bad arguments, 1 when nothing answers', async () => {
		const cli = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
		const run = (args: string[]) =>
			new Promise<{ code: number | null; err: string }>((resolve) => {
				const child = spawn(process.execPath, [cli, 'callback', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
				let err = '';
				child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
				child.on('exit', (code) => resolve({ code, err }));
			});
		const noUrl = await run([]);
		expect(noUrl.code).toBe(2);
		expect(noUrl.err).toMatch(/--url is needed[\s\S]*only lives while this command/);
		expect((await run(['--url', 'http://127.0.0.1:1/x', '--tamper', 'bogus'])).code).toBe(2);
		const receiver = await startReceiver();
		const url = receiver.url;
		await receiver.close();
		const refused = await run(['--url', url]);
		expect(refused.code).toBe(1);
		expect(refused.err).toMatch(/no answer/);
	});
});
