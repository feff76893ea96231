import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { DingTalkSimulator, computeDingTalkSign } from '../../simulator';
import type { SimulatorOptions, RequestRecord } from '../../simulator';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

interface Answer {
	status: number;
	contentType: string | null;
	text: string;
	json: { errcode: number; errmsg: string } | undefined;
}

const JSON_CT = 'application/json; charset=utf-8';

async function send(
	url: string,
	body: unknown,
	init: { method?: string; contentType?: string | null; raw?: string | Uint8Array } = {},
): Promise<Answer> {
	const headers: Record<string, string> = {};
	const contentType = init.contentType === undefined ? JSON_CT : init.contentType;
	if (contentType !== null) headers['content-type'] = contentType;
	const method = init.method ?? 'POST';
	const payload = init.raw !== undefined ? init.raw : body === undefined ? undefined : JSON.stringify(body);
	const res = await fetch(url, { method, headers, body: method === 'GET' ? undefined : payload });
	const text = await res.text();
	let json: Answer['json'];
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

/** node:http request without an agent (no keep-alive pool), for the fault cases. */
function rawPost(url: string, body: string): Promise<{ status: number; text: string }> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{ method: 'POST', agent: false, headers: { 'content-type': JSON_CT, 'content-length': Buffer.byteLength(body) } },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

function signedUrl(sim: DingTalkSimulator, token: string, secret: string, timestamp: number | string): string {
	const sign = encodeURIComponent(computeDingTalkSign(secret, timestamp));
	return `${sim.webhookUrl(token)}&timestamp=${timestamp}&sign=${sign}`;
}

const text = (content: string, extra: Record<string, unknown> = {}) => ({
	msgtype: 'text',
	text: { content },
	...extra,
});

const OK = { errcode: 0, errmsg: 'ok' };

let sims: DingTalkSimulator[] = [];

async function startSim(options?: SimulatorOptions, host = '127.0.0.1'): Promise<DingTalkSimulator> {
	const sim = new DingTalkSimulator(options);
	sims.push(sim);
	await sim.start({ host, port: 0 });
	return sim;
}

afterEach(async () => {
	await Promise.all(sims.map((s) => s.stop()));
	sims = [];
});

function lastRecord(sim: DingTalkSimulator): RequestRecord {
	const r = sim.requests[sim.requests.length - 1];
	expect(r).toBeDefined();
	return r;
}

// ---------------------------------------------------------------------------------------------
// signing
// ---------------------------------------------------------------------------------------------

describe('computeDingTalkSign', () => {
	// Vectors computed with Python: base64.b64encode(hmac.new(secret, f"{ts}\n{secret}", sha256).digest())
	it('matches the vector of an independent implementation (this is secret)', () => {
		expect(computeDingTalkSign('this is secret', 1577808000000)).toBe('ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=');
		expect(computeDingTalkSign('this is secret', '1577808000000')).toBe('ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=');
	});

	it('matches the vector of an independent implementation (SECa1b2c3d4e5f6), not url-encoded', () => {
		const sign = computeDingTalkSign('SECa1b2c3d4e5f6', 1700000000123);
		expect(sign).toBe('8qyxAWyAXc7Bpg17qcXGE4eyXykQN+pvv3WCK8lkKsU=');
		expect(encodeURIComponent(sign)).toBe('8qyxAWyAXc7Bpg17qcXGE4eyXykQN%2Bpvv3WCK8lkKsU%3D');
	});
});

describe('signature check over HTTP', () => {
	const secret = 'SECa1b2c3d4e5f6';
	const ts = 1700000000123;

	it('accepts the once-encoded vector sign at a clock near its timestamp', async () => {
		const sim = await startSim({ now: () => ts + 90_000 });
		sim.addRobot({ accessToken: 'signed', secret });
		const url = `${sim.webhookUrl('signed')}&timestamp=${ts}&sign=8qyxAWyAXc7Bpg17qcXGE4eyXykQN%2Bpvv3WCK8lkKsU%3D`;
		const res = await send(url, text('hello'));
		expect(res.status).toBe(200);
		expect(res.json).toEqual(OK);
		const r = lastRecord(sim);
		expect(r.signatureValid).toBe(true);
		expect(r.sign).toBe('8qyxAWyAXc7Bpg17qcXGE4eyXykQN+pvv3WCK8lkKsU=');
		expect(r.timestamp).toBe(String(ts));
		expect(sim.messages('signed')).toEqual([text('hello')]);
	});

	it('rejects the double-encoded sign (%252B) with sign not match', async () => {
		const sim = await startSim({ now: () => ts + 90_000 });
		sim.addRobot({ accessToken: 'signed', secret });
		const url = `${sim.webhookUrl('signed')}&timestamp=${ts}&sign=8qyxAWyAXc7Bpg17qcXGE4eyXykQN%252Bpvv3WCK8lkKsU%253D`;
		const res = await send(url, text('hello'));
		expect(res.json).toEqual({ errcode: 310000, errmsg: 'sign not match' });
		expect(lastRecord(sim).signatureValid).toBe(false);
		expect(sim.messages('signed')).toEqual([]);
	});

	it('rejects an unencoded sign (the + becomes a space) with sign not match', async () => {
		const sim = await startSim({ now: () => ts });
		sim.addRobot({ accessToken: 'signed', secret });
		const url = `${sim.webhookUrl('signed')}&timestamp=${ts}&sign=8qyxAWyAXc7Bpg17qcXGE4eyXykQN+pvv3WCK8lkKsU=`;
		const res = await send(url, text('hello'));
		expect(res.json).toEqual({ errcode: 310000, errmsg: 'sign not match' });
	});

	it('rejects a wrong sign, and a missing sign', async () => {
		const sim = await startSim({ now: () => ts });
		sim.addRobot({ accessToken: 'signed', secret });
		const wrong = signedUrl(sim, 'signed', 'SECsomething-else', ts);
		expect((await send(wrong, text('hello'))).json).toEqual({ errcode: 310000, errmsg: 'sign not match' });
		const missing = `${sim.webhookUrl('signed')}&timestamp=${ts}`;
		expect((await send(missing, text('hello'))).json).toEqual({ errcode: 310000, errmsg: 'sign not match' });
		// a sign computed for another timestamp does not match either
		const otherTs = `${sim.webhookUrl('signed')}&timestamp=${ts}&sign=${encodeURIComponent(computeDingTalkSign(secret, ts - 1))}`;
		expect((await send(otherTs, text('hello'))).json).toEqual({ errcode: 310000, errmsg: 'sign not match' });
		expect(sim.messages('signed')).toEqual([]);
	});

	it('rejects a missing, non-integer, seconds-based or too old/too new timestamp with invalid timestamp', async () => {
		let now = ts;
		const sim = await startSim({ now: () => now });
		sim.addRobot({ accessToken: 'signed', secret });
		const invalid = { errcode: 310000, errmsg: 'invalid timestamp' };
		const noTimestamp = `${sim.webhookUrl('signed')}&sign=${encodeURIComponent(computeDingTalkSign(secret, ts))}`;
		expect((await send(noTimestamp, text('a'))).json).toEqual(invalid);
		expect((await send(signedUrl(sim, 'signed', secret, `${ts}.5`), text('a'))).json).toEqual(invalid);
		expect((await send(signedUrl(sim, 'signed', secret, Math.floor(ts / 1000)), text('a'))).json).toEqual(invalid);
		// correctly signed, but more than one hour old / ahead
		expect((await send(signedUrl(sim, 'signed', secret, ts - 3_600_001), text('a'))).json).toEqual(invalid);
		expect((await send(signedUrl(sim, 'signed', secret, ts + 3_600_001), text('a'))).json).toEqual(invalid);
		// exactly one hour off, both directions: still accepted
		expect((await send(signedUrl(sim, 'signed', secret, ts - 3_600_000), text('a'))).json).toEqual(OK);
		expect((await send(signedUrl(sim, 'signed', secret, ts + 3_600_000), text('b'))).json).toEqual(OK);
		// the clock moves on: a URL signed once cannot be reused an hour later
		const url = signedUrl(sim, 'signed', secret, ts);
		expect((await send(url, text('c'))).json).toEqual(OK);
		now = ts + 3_600_001;
		expect((await send(url, text('d'))).json).toEqual(invalid);
		expect(sim.messages('signed').map((m) => (m.text as { content: string }).content)).toEqual(['a', 'b', 'c']);
	});

	it('honours timestampToleranceMs', async () => {
		const sim = await startSim({ now: () => ts, timestampToleranceMs: 1000 });
		sim.addRobot({ accessToken: 'signed', secret });
		expect((await send(signedUrl(sim, 'signed', secret, ts - 1000), text('a'))).json).toEqual(OK);
		expect((await send(signedUrl(sim, 'signed', secret, ts - 1001), text('a'))).json).toEqual({
			errcode: 310000,
			errmsg: 'invalid timestamp',
		});
	});

	it('does not require a signature for a robot without secret (signatureValid null)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'plain' });
		expect((await send(sim.webhookUrl('plain'), text('hi'))).json).toEqual(OK);
		expect(lastRecord(sim).signatureValid).toBeNull();
	});
});

// ---------------------------------------------------------------------------------------------
// request routing and robot checks
// ---------------------------------------------------------------------------------------------

describe('routing, token and robot state', () => {
	it('answers 404 for another path', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const res = await send(`${sim.baseUrl}/robot/sendx?access_token=tok`, text('hi'));
		expect(res.status).toBe(404);
		expect(res.json).toBeUndefined();
		const res2 = await send(`${sim.baseUrl}/?access_token=tok`, text('hi'));
		expect(res2.status).toBe(404);
		expect(sim.messages('tok')).toEqual([]);
		expect(lastRecord(sim).errcode).toBeUndefined();
	});

	it('answers 43002 to GET on /robot/send', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const res = await send(sim.webhookUrl('tok'), undefined, { method: 'GET' });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ errcode: 43002, errmsg: '需要POST请求' });
		expect(res.contentType).toMatch(/^application\/json/);
		const put = await send(sim.webhookUrl('tok'), text('hi'), { method: 'PUT' });
		expect(put.json).toEqual({ errcode: 43002, errmsg: '需要POST请求' });
		expect(sim.messages('tok')).toEqual([]);
	});

	it('answers 40035 when access_token is missing or empty', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const missing = { errcode: 40035, errmsg: '缺少参数 access_token' };
		expect((await send(`${sim.baseUrl}/robot/send`, text('hi'))).json).toEqual(missing);
		expect((await send(`${sim.baseUrl}/robot/send?access_token=`, text('hi'))).json).toEqual(missing);
		expect(lastRecord(sim).accessToken).toBe('');
	});

	it('answers 300005 for an unknown token (even with a bad content type: token is checked first)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const res = await send(sim.webhookUrl('nope'), text('hi'));
		expect(res.json).toEqual({ errcode: 300005, errmsg: 'token is not exist' });
		const res2 = await send(sim.webhookUrl('nope'), text('hi'), { contentType: 'text/plain' });
		expect(res2.json).toEqual({ errcode: 300005, errmsg: 'token is not exist' });
		expect(lastRecord(sim).signatureValid).toBeNull();
		expect(lastRecord(sim).accessToken).toBe('nope');
	});

	it('answers 400102 for a disabled robot and 400013 for a dissolved group', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'off', disabled: true });
		sim.addRobot({ accessToken: 'gone', dissolved: true });
		expect((await send(sim.webhookUrl('off'), text('hi'))).json).toEqual({ errcode: 400102, errmsg: '机器人已停用' });
		expect((await send(sim.webhookUrl('gone'), text('hi'))).json).toEqual({ errcode: 400013, errmsg: '群已被解散' });
		// re-adding replaces the configuration
		sim.addRobot({ accessToken: 'off' });
		expect((await send(sim.webhookUrl('off'), text('hi'))).json).toEqual(OK);
		expect(sim.messages('off')).toHaveLength(1);
		expect(sim.messages('gone')).toHaveLength(0);
	});

	it('answers 43004 unless Content-Type is application/json (charset optional, case-insensitive)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const bad = { errcode: 43004, errmsg: '无效的HTTP HEADER Content-Type' };
		expect((await send(sim.webhookUrl('tok'), text('a'), { contentType: 'text/plain;charset=UTF-8' })).json).toEqual(bad);
		expect((await send(sim.webhookUrl('tok'), text('a'), { contentType: 'application/x-www-form-urlencoded' })).json).toEqual(bad);
		expect((await send(sim.webhookUrl('tok'), text('a'), { contentType: 'application/jsonp' })).json).toEqual(bad);
		expect((await send(sim.webhookUrl('tok'), text('a'), { contentType: null, raw: new TextEncoder().encode(JSON.stringify(text('a'))) })).json).toEqual(bad);
		expect(sim.messages('tok')).toEqual([]);
		expect((await send(sim.webhookUrl('tok'), text('b'), { contentType: 'application/json' })).json).toEqual(OK);
		expect((await send(sim.webhookUrl('tok'), text('c'), { contentType: 'Application/JSON; Charset=UTF-8' })).json).toEqual(OK);
		expect(sim.messages('tok')).toHaveLength(2);
	});
});

describe('IP whitelist', () => {
	it('answers 310000 when the client IP is not whitelisted', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok', ipWhitelist: ['10.0.0.0/8', '192.168.1.7'] });
		const res = await send(sim.webhookUrl('tok'), text('hi'));
		expect(res.json).toEqual({ errcode: 310000, errmsg: 'ip 127.0.0.1 not in whitelist' });
		expect(sim.messages('tok')).toEqual([]);
	});

	it('accepts a whitelisted address or CIDR', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'cidr', ipWhitelist: ['10.0.0.0/8', '127.0.0.0/8'] });
		sim.addRobot({ accessToken: 'exact', ipWhitelist: ['127.0.0.1'] });
		sim.addRobot({ accessToken: 'near', ipWhitelist: ['127.0.0.2', '127.0.0.0/32'] });
		expect((await send(sim.webhookUrl('cidr'), text('hi'))).json).toEqual(OK);
		expect((await send(sim.webhookUrl('exact'), text('hi'))).json).toEqual(OK);
		expect((await send(sim.webhookUrl('near'), text('hi'))).json).toEqual({
			errcode: 310000,
			errmsg: 'ip 127.0.0.1 not in whitelist',
		});
		expect(lastRecord(sim).clientIp).toBe('127.0.0.1');
	});

	it('normalizes an IPv4-mapped IPv6 client address (::ffff:127.0.0.1)', async () => {
		const sim = await startSim(undefined, '::');
		sim.addRobot({ accessToken: 'tok', ipWhitelist: ['127.0.0.1'] });
		const port = new URL(sim.baseUrl as string).port;
		const res = await send(`http://127.0.0.1:${port}/robot/send?access_token=tok`, text('hi'));
		expect(res.json).toEqual(OK);
		expect(lastRecord(sim).clientIp).toBe('127.0.0.1');
	});

	it('rejects invalid whitelist entries when the robot is added', () => {
		const sim = new DingTalkSimulator();
		expect(() => sim.addRobot({ accessToken: 't', ipWhitelist: ['10.0.0.0/33'] })).toThrow(/ipWhitelist/);
		expect(() => sim.addRobot({ accessToken: 't', ipWhitelist: ['::1'] })).toThrow(/ipWhitelist/);
		expect(() => sim.addRobot({ accessToken: 't', ipWhitelist: ['300.1.1.1'] })).toThrow(/ipWhitelist/);
	});
});

// ---------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------

describe('body checks', () => {
	it('answers 40035 缺少参数 json for empty, non-JSON, non-object and invalid UTF-8 bodies', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const url = sim.webhookUrl('tok');
		const missing = { errcode: 40035, errmsg: '缺少参数 json' };
		expect((await send(url, undefined, { raw: '' })).json).toEqual(missing);
		expect((await send(url, undefined, { raw: 'msgtype=text' })).json).toEqual(missing);
		expect((await send(url, undefined, { raw: '{"msgtype":"text",' })).json).toEqual(missing);
		expect((await send(url, undefined, { raw: '[{"msgtype":"text"}]' })).json).toEqual(missing);
		expect((await send(url, undefined, { raw: 'null' })).json).toEqual(missing);
		const badUtf8 = Buffer.concat([
			Buffer.from('{"msgtype":"text","text":{"content":"'),
			Buffer.from([0xff, 0xfe]),
			Buffer.from('"}}'),
		]);
		expect((await send(url, undefined, { raw: new Uint8Array(badUtf8) })).json).toEqual(missing);
		expect(sim.messages('tok')).toEqual([]);
		expect(sim.stats().rejected).toEqual({ '40035': 6 });
	});

	it('answers 460101 for a body over maxBodyBytes (bytes, not characters)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const url = sim.webhookUrl('tok');
		const envelope = JSON.stringify(text('')).length; // {"msgtype":"text","text":{"content":""}}
		// exactly 20000 bytes is accepted
		expect((await send(url, text('a'.repeat(20_000 - envelope)))).json).toEqual(OK);
		// 20001 bytes is not
		expect((await send(url, text('a'.repeat(20_001 - envelope)))).json).toEqual({
			errcode: 460101,
			errmsg: 'message too long, exceed 20000 bytes',
		});
		// 7000 Chinese characters are 21000 UTF-8 bytes
		expect((await send(url, text('告'.repeat(7000)))).json).toEqual({
			errcode: 460101,
			errmsg: 'message too long, exceed 20000 bytes',
		});
		expect(sim.messages('tok')).toHaveLength(1);
	});

	it('uses the configured maxBodyBytes in check and text, and survives a huge body', async () => {
		const sim = await startSim({ maxBodyBytes: 100 });
		sim.addRobot({ accessToken: 'tok' });
		const res = await send(sim.webhookUrl('tok'), text('x'.repeat(100)));
		expect(res.json).toEqual({ errcode: 460101, errmsg: 'message too long, exceed 100 bytes' });
		const huge = await send(sim.webhookUrl('tok'), text('x'.repeat(3 * 1024 * 1024)));
		expect(huge.json).toEqual({ errcode: 460101, errmsg: 'message too long, exceed 100 bytes' });
		expect((await send(sim.webhookUrl('tok'), text('small'))).json).toEqual(OK);
	});

	it('answers 400105 for image, empty, unknown, wrongly cased or missing msgtype', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const url = sim.webhookUrl('tok');
		const unsupported = { errcode: 400105, errmsg: '不支持的消息类型' };
		expect((await send(url, { msgtype: 'image', image: { picURL: 'https://x/y.png' } })).json).toEqual(unsupported);
		expect((await send(url, { msgtype: 'empty' })).json).toEqual(unsupported);
		expect((await send(url, { msgtype: 'actioncard', actioncard: { title: 't', text: 't' } })).json).toEqual(unsupported);
		expect((await send(url, { msgtype: 'Text', text: { content: 'hi' } })).json).toEqual(unsupported);
		expect((await send(url, { text: { content: 'hi' } })).json).toEqual(unsupported);
		expect((await send(url, { msgtype: 1, text: { content: 'hi' } })).json).toEqual(unsupported);
		expect(sim.messages('tok')).toEqual([]);
	});
});

describe('required fields (400402, exact casing)', () => {
	const cases: Array<[string, Record<string, unknown>, string]> = [
		['text without content', { msgtype: 'text', text: {} }, '参数 text --》 content 缺失'],
		['text with empty content', { msgtype: 'text', text: { content: '' } }, '参数 text --》 content 缺失'],
		['text without the text object', { msgtype: 'text' }, '参数 text --》 content 缺失'],
		['text with a non-string content', { msgtype: 'text', text: { content: 42 } }, '参数 text --》 content 缺失'],
		['link without title', { msgtype: 'link', link: { text: 't', messageUrl: 'https://a' } }, '参数 link --》 title 缺失'],
		['link without text', { msgtype: 'link', link: { title: 't', messageUrl: 'https://a' } }, '参数 link --》 text 缺失'],
		[
			'link with messageURL (wrong casing)',
			{ msgtype: 'link', link: { title: 't', text: 't', messageURL: 'https://a' } },
			'参数 link --》 messageUrl 缺失',
		],
		['markdown without title', { msgtype: 'markdown', markdown: { text: '# hi' } }, '参数 markdown --》 title 缺失'],
		['markdown with empty text', { msgtype: 'markdown', markdown: { title: 't', text: '' } }, '参数 markdown --》 text 缺失'],
		[
			'actionCard without title',
			{ msgtype: 'actionCard', actionCard: { text: 't', singleTitle: 'go', singleURL: 'https://a' } },
			'参数 actionCard --》 title 缺失',
		],
		[
			'actionCard with singleUrl (wrong casing)',
			{ msgtype: 'actionCard', actionCard: { title: 't', text: 't', singleTitle: 'go', singleUrl: 'https://a' } },
			'参数 actionCard --》 singleURL 缺失',
		],
		[
			'actionCard with singleURL but no singleTitle',
			{ msgtype: 'actionCard', actionCard: { title: 't', text: 't', singleURL: 'https://a' } },
			'参数 actionCard --》 singleTitle 缺失',
		],
		[
			'actionCard with neither single nor btns',
			{ msgtype: 'actionCard', actionCard: { title: 't', text: 't' } },
			'参数 actionCard --》 btns 缺失',
		],
		[
			'actionCard with empty btns',
			{ msgtype: 'actionCard', actionCard: { title: 't', text: 't', btns: [] } },
			'参数 actionCard --》 btns 缺失',
		],
		[
			'actionCard with btns[1].actionUrl (wrong casing)',
			{
				msgtype: 'actionCard',
				actionCard: {
					title: 't',
					text: 't',
					btns: [
						{ title: 'a', actionURL: 'https://a' },
						{ title: 'b', actionUrl: 'https://b' },
					],
				},
			},
			'参数 actionCard --》 btns[1].actionURL 缺失',
		],
		[
			'actionCard with a button without title',
			{ msgtype: 'actionCard', actionCard: { title: 't', text: 't', btns: [{ actionURL: 'https://a' }] } },
			'参数 actionCard --》 btns[0].title 缺失',
		],
		['feedCard without links', { msgtype: 'feedCard', feedCard: {} }, '参数 feedCard --》 links 缺失'],
		['feedCard with empty links', { msgtype: 'feedCard', feedCard: { links: [] } }, '参数 feedCard --》 links 缺失'],
		[
			'feedCard with messageUrl (wrong casing)',
			{ msgtype: 'feedCard', feedCard: { links: [{ title: 't', messageUrl: 'https://a', picURL: 'https://p' }] } },
			'参数 feedCard --》 links[0].messageURL 缺失',
		],
		[
			'feedCard with picUrl (wrong casing) in the second link',
			{
				msgtype: 'feedCard',
				feedCard: {
					links: [
						{ title: 't', messageURL: 'https://a', picURL: 'https://p' },
						{ title: 't', messageURL: 'https://a', picUrl: 'https://p' },
					],
				},
			},
			'参数 feedCard --》 links[1].picURL 缺失',
		],
		[
			'feedCard link without title',
			{ msgtype: 'feedCard', feedCard: { links: [{ messageURL: 'https://a', picURL: 'https://p' }] } },
			'参数 feedCard --》 links[0].title 缺失',
		],
	];

	it.each(cases)('rejects %s', async (_name, body, errmsg) => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const res = await send(sim.webhookUrl('tok'), body);
		expect(res.json).toEqual({ errcode: 400402, errmsg });
		expect(sim.messages('tok')).toEqual([]);
		expect(lastRecord(sim).delivered).toBe(false);
	});
});

describe('valid messages of every type are delivered', () => {
	const valid: Array<[string, Record<string, unknown>]> = [
		['text', { msgtype: 'text', text: { content: '服务告警 @13800000000' }, at: { atMobiles: ['13800000000'], isAtAll: false } }],
		['link', { msgtype: 'link', link: { title: 'Release', text: 'v1 is out', messageUrl: 'https://example.com', picUrl: '' } }],
		['markdown', { msgtype: 'markdown', markdown: { title: 'Report', text: '# Title\n> quote' }, at: { atUserIds: ['u1'] } }],
		[
			'actionCard (single)',
			{
				msgtype: 'actionCard',
				actionCard: { title: 'Card', text: '![](https://p)\n### hi', singleTitle: 'Read', singleURL: 'https://a', btnOrientation: '0' },
			},
		],
		[
			'actionCard (btns, numeric btnOrientation)',
			{
				msgtype: 'actionCard',
				actionCard: {
					title: 'Card',
					text: 'choose',
					btnOrientation: 1,
					hideAvatar: '1',
					btns: [
						{ title: 'Yes', actionURL: 'https://y' },
						{ title: 'No', actionURL: 'https://n' },
					],
				},
			},
		],
		[
			'feedCard',
			{
				msgtype: 'feedCard',
				feedCard: {
					links: [
						{ title: 'one', messageURL: 'https://1', picURL: 'https://p1' },
						{ title: 'two', messageURL: 'https://2', picURL: 'https://p2' },
					],
				},
			},
		],
	];

	it.each(valid)('delivers %s', async (_name, body) => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		const res = await send(sim.webhookUrl('tok'), body);
		expect(res.status).toBe(200);
		expect(res.contentType).toMatch(/^application\/json/);
		expect(res.json).toEqual(OK);
		expect(sim.messages('tok')).toEqual([body]);
		const r = lastRecord(sim);
		expect(r).toMatchObject({
			method: 'POST',
			path: '/robot/send',
			accessToken: 'tok',
			msgtype: body.msgtype,
			status: 200,
			errcode: 0,
			errmsg: 'ok',
			delivered: true,
			duplicate: false,
			body,
		});
		expect(r.rawBody).toBe(JSON.stringify(body));
	});
});

// ---------------------------------------------------------------------------------------------
// keywords, msgUuid, rate limit
// ---------------------------------------------------------------------------------------------

describe('keywords', () => {
	it('answers 310000 keywords not in content unless one keyword occurs in the text DingTalk reads (titles and texts, feedCard link titles)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok', keywords: ['alert', '告警'] });
		const url = sim.webhookUrl('tok');
		const notIn = { errcode: 310000, errmsg: 'keywords not in content' };
		expect((await send(url, text('all good'))).json).toEqual(notIn);
		// msgtype and msgUuid do not count, object keys do not count
		expect((await send(url, { ...text('nothing'), msgUuid: 'alert-1' })).json).toEqual(notIn);
		expect((await send(url, { msgtype: 'text', text: { content: 'x', alert: 1 } })).json).toEqual(notIn);
		expect(sim.messages('tok')).toEqual([]);
		expect((await send(url, text('disk alert on db1'))).json).toEqual(OK);
		expect((await send(url, { msgtype: 'markdown', markdown: { title: '服务告警', text: 'cpu 99%' } })).json).toEqual(OK);
		expect(
			(
				await send(url, {
					msgtype: 'feedCard',
					feedCard: { links: [{ title: 'x alert', messageURL: 'https://a/b', picURL: 'https://p' }] },
				})
			).json,
		).toEqual(OK);
		// a keyword only in a URL, a button title or the @-list is not read
		expect((await send(url, { msgtype: 'feedCard', feedCard: { links: [{ title: 'x', messageURL: 'https://a/alert', picURL: 'https://p' }] } })).json).toEqual(notIn);
		expect((await send(url, { msgtype: 'actionCard', actionCard: { title: 't', text: 'x', btns: [{ title: 'alert', actionURL: 'https://a' }] } })).json).toEqual(notIn);
		expect((await send(url, { ...text('x'), at: { atUserIds: ['alert'] } })).json).toEqual(notIn);
		expect(sim.messages('tok')).toHaveLength(3);
	});

	it('checks the keyword after the required fields and before delivery', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok', keywords: ['alert'] });
		const res = await send(sim.webhookUrl('tok'), { msgtype: 'markdown', markdown: { text: 'no title' } });
		expect(res.json).toEqual({ errcode: 400402, errmsg: '参数 markdown --》 title 缺失' });
	});
});

describe('msgUuid', () => {
	it('a replay answers ok but is delivered once and recorded as duplicate', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.addRobot({ accessToken: 'other' });
		const body = { ...text('once'), msgUuid: 'uuid-1' };
		expect((await send(sim.webhookUrl('tok'), body)).json).toEqual(OK);
		expect((await send(sim.webhookUrl('tok'), body)).json).toEqual(OK);
		expect(sim.messages('tok')).toEqual([body]);
		expect(sim.requests.map((r) => [r.delivered, r.duplicate, r.msgUuid])).toEqual([
			[true, false, 'uuid-1'],
			[false, true, 'uuid-1'],
		]);
		// another uuid is delivered, and the uuid memory is per robot
		expect((await send(sim.webhookUrl('tok'), { ...text('twice'), msgUuid: 'uuid-2' })).json).toEqual(OK);
		expect((await send(sim.webhookUrl('other'), body)).json).toEqual(OK);
		expect(sim.messages('tok')).toHaveLength(2);
		expect(sim.messages('other')).toHaveLength(1);
		expect(sim.stats()).toMatchObject({ requests: 4, delivered: 3, duplicates: 1 });
	});

	it('a rejected message does not consume its msgUuid', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok', keywords: ['alert'] });
		expect((await send(sim.webhookUrl('tok'), { ...text('no keyword'), msgUuid: 'u' })).json).toMatchObject({ errcode: 310000 });
		expect((await send(sim.webhookUrl('tok'), { ...text('alert'), msgUuid: 'u' })).json).toEqual(OK);
		expect(sim.messages('tok')).toHaveLength(1);
		expect(lastRecord(sim).duplicate).toBe(false);
	});

	it('duplicates do not count toward the rate limit', async () => {
		let now = 0;
		const sim = await startSim({ now: () => now, rateLimit: { perWindow: 2, windowMs: 1000, throttleMs: 5000 } });
		sim.addRobot({ accessToken: 'tok' });
		const url = sim.webhookUrl('tok');
		expect((await send(url, { ...text('a'), msgUuid: 'a' })).json).toEqual(OK);
		for (let i = 0; i < 3; i++) expect((await send(url, { ...text('a'), msgUuid: 'a' })).json).toEqual(OK);
		expect((await send(url, { ...text('b'), msgUuid: 'b' })).json).toEqual(OK);
		now = 10;
		expect((await send(url, { ...text('c'), msgUuid: 'c' })).json).toMatchObject({ errcode: 410100 });
		expect(sim.messages('tok')).toHaveLength(2);
	});
});

describe('rate limit', () => {
	it('perWindow 3 / windowMs 1000 / throttleMs 5000: the 4th is 410100, the throttle holds, then sends succeed', async () => {
		let now = 1_000_000;
		const start = now;
		const sim = await startSim({ now: () => now, rateLimit: { perWindow: 3, windowMs: 1000, throttleMs: 5000 } });
		sim.addRobot({ accessToken: 'tok' });
		sim.addRobot({ accessToken: 'other' });
		const url = sim.webhookUrl('tok');
		const tooFast = { errcode: 410100, errmsg: 'send too fast, exceed 3 times per minute' };
		for (let i = 1; i <= 3; i++) {
			now = start + i * 100;
			expect((await send(url, text(`m${i}`))).json).toEqual(OK);
		}
		now = start + 400;
		expect((await send(url, text('m4'))).json).toEqual(tooFast); // throttle until start + 5400
		// the window has passed, but the robot is still throttled
		now = start + 2000;
		expect((await send(url, text('m5'))).json).toEqual(tooFast);
		now = start + 5399;
		expect((await send(url, text('m6'))).json).toEqual(tooFast);
		// even an invalid body is answered 410100 while throttled (step 7 comes before the body)
		expect((await send(url, { msgtype: 'image' })).json).toEqual(tooFast);
		// another robot is not affected
		expect((await send(sim.webhookUrl('other'), text('o'))).json).toEqual(OK);
		now = start + 5400;
		expect((await send(url, text('m7'))).json).toEqual(OK);
		expect((await send(url, text('m8'))).json).toEqual(OK);
		expect(sim.messages('tok').map((m) => (m.text as { content: string }).content)).toEqual(['m1', 'm2', 'm3', 'm7', 'm8']);
		expect(sim.stats().rejected).toEqual({ '410100': 4 });
	});

	it('the window slides: sends spaced over the window are all delivered', async () => {
		let now = 0;
		const sim = await startSim({ now: () => now, rateLimit: { perWindow: 3, windowMs: 1000, throttleMs: 5000 } });
		sim.addRobot({ accessToken: 'tok' });
		for (let i = 0; i < 9; i++) {
			now = i * 400; // at most 3 deliveries within any 1000 ms
			expect((await send(sim.webhookUrl('tok'), text(`m${i}`))).json).toEqual(OK);
		}
		expect(sim.messages('tok')).toHaveLength(9);
	});

	it('uses DingTalk defaults (20 per minute) and can be disabled', async () => {
		const now = 5_000;
		const sim = await startSim({ now: () => now });
		sim.addRobot({ accessToken: 'tok' });
		for (let i = 0; i < 20; i++) expect((await send(sim.webhookUrl('tok'), text(`m${i}`))).json).toEqual(OK);
		expect((await send(sim.webhookUrl('tok'), text('m21'))).json).toEqual({
			errcode: 410100,
			errmsg: 'send too fast, exceed 20 times per minute',
		});

		const free = await startSim({ now: () => now, rateLimit: false });
		free.addRobot({ accessToken: 'tok' });
		for (let i = 0; i < 30; i++) expect((await send(free.webhookUrl('tok'), text(`m${i}`))).json).toEqual(OK);
		expect(free.messages('tok')).toHaveLength(30);
	});
});

describe('check order', () => {
	it('follows DingTalk order: content type, IP, signature, throttle, body, msgtype, fields, keywords', async () => {
		const ts = 1_700_000_000_000;
		const sim = await startSim({ now: () => ts });
		const secret = 'SECorder';
		sim.addRobot({ accessToken: 'tok', secret, keywords: ['alert'], ipWhitelist: ['127.0.0.1'] });
		const good = signedUrl(sim, 'tok', secret, ts);
		// bad content type wins over a bad signature
		expect((await send(sim.webhookUrl('tok'), undefined, { raw: 'x', contentType: 'text/plain' })).json).toMatchObject({
			errcode: 43004,
		});
		// bad signature wins over a bad body
		expect((await send(sim.webhookUrl('tok'), undefined, { raw: 'x' })).json).toEqual({
			errcode: 310000,
			errmsg: 'invalid timestamp',
		});
		// bad body wins over msgtype; unsupported msgtype wins over keywords
		expect((await send(good, undefined, { raw: 'x' })).json).toMatchObject({ errcode: 40035 });
		expect((await send(good, { msgtype: 'image' })).json).toMatchObject({ errcode: 400105 });
		expect((await send(good, text('no keyword'))).json).toEqual({ errcode: 310000, errmsg: 'keywords not in content' });
		expect((await send(good, text('alert'))).json).toEqual(OK);
		sim.addRobot({ accessToken: 'tok', secret, ipWhitelist: ['10.1.2.3'] });
		// IP check comes before the signature
		expect((await send(sim.webhookUrl('tok'), text('alert'))).json).toEqual({
			errcode: 310000,
			errmsg: 'ip 127.0.0.1 not in whitelist',
		});
	});
});

// ---------------------------------------------------------------------------------------------
// faults, stats, reset
// ---------------------------------------------------------------------------------------------

describe('fault injection', () => {
	it('busy answers errcode -1 without delivering, then the next request is normal (FIFO)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'busy' }]);
		const res = await send(sim.webhookUrl('tok'), text('a'));
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ errcode: -1, errmsg: '系统繁忙' });
		expect(sim.messages('tok')).toEqual([]);
		expect(lastRecord(sim)).toMatchObject({ fault: 'busy', delivered: false, errcode: -1 });
		expect((await send(sim.webhookUrl('tok'), text('b'))).json).toEqual(OK);
		expect(lastRecord(sim).fault).toBeUndefined();
		expect(sim.messages('tok')).toHaveLength(1);
	});

	it.each([
		['http502', 502],
		['http500', 500],
	] as const)('%s answers HTTP %d with an HTML body and delivers nothing', async (kind, status) => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind }]);
		const res = await send(sim.webhookUrl('tok'), text('a'));
		expect(res.status).toBe(status);
		expect(res.contentType).toMatch(/^text\/html/);
		expect(res.text).toContain(`<title>${status}`);
		expect(res.json).toBeUndefined();
		expect(sim.messages('tok')).toEqual([]);
		expect(lastRecord(sim)).toMatchObject({ fault: kind, status, delivered: false, errcode: undefined });
	});

	it('nonJson answers HTTP 200 with an HTML body and delivers nothing', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'nonJson' }]);
		const res = await send(sim.webhookUrl('tok'), text('a'));
		expect(res.status).toBe(200);
		expect(res.contentType).toMatch(/^text\/html/);
		expect(() => JSON.parse(res.text)).toThrow();
		expect(sim.messages('tok')).toEqual([]);
	});

	it('slow delivers at once but answers only after delayMs', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'slow', delayMs: 400 }]);
		const started = Date.now();
		const pending = send(sim.webhookUrl('tok'), text('slow one'));
		await new Promise((r) => setTimeout(r, 150));
		expect(sim.messages('tok')).toHaveLength(1); // delivered before the answer
		const res = await pending;
		expect(Date.now() - started).toBeGreaterThanOrEqual(390);
		expect(res.json).toEqual(OK);
		expect(lastRecord(sim)).toMatchObject({ fault: 'slow', delivered: true });
	});

	it('slow still applies every check (a rejected message stays rejected)', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'slow', delayMs: 50 }]);
		expect((await send(sim.webhookUrl('tok'), { msgtype: 'image' })).json).toMatchObject({ errcode: 400105 });
		expect(sim.messages('tok')).toEqual([]);
	});

	it('drop destroys the connection without answering and delivers nothing', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'drop' }]);
		await expect(rawPost(sim.webhookUrl('tok'), JSON.stringify(text('a')))).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect(sim.messages('tok')).toEqual([]);
		expect(lastRecord(sim)).toMatchObject({ fault: 'drop', status: null, delivered: false, errcode: undefined });
		// fetch sees a network error as well
		sim.injectFaults([{ kind: 'drop' }]);
		await expect(send(sim.webhookUrl('tok'), text('b'))).rejects.toThrow();
		expect(sim.messages('tok')).toEqual([]);
	});

	it('drop afterDelivery delivers, then destroys the connection; a msgUuid retry is not delivered twice', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'drop', afterDelivery: true }]);
		const body = { ...text('important'), msgUuid: 'retry-1' };
		await expect(rawPost(sim.webhookUrl('tok'), JSON.stringify(body))).rejects.toThrow(/socket hang up|ECONNRESET/);
		expect(sim.messages('tok')).toEqual([body]);
		expect(lastRecord(sim)).toMatchObject({ fault: 'drop', status: null, delivered: true });
		const retry = await rawPost(sim.webhookUrl('tok'), JSON.stringify(body));
		expect(retry.status).toBe(200);
		expect(JSON.parse(retry.text)).toEqual(OK);
		expect(sim.messages('tok')).toEqual([body]);
		expect(lastRecord(sim).duplicate).toBe(true);
	});

	it('faults are consumed in order, one per request, before any other check', async () => {
		const sim = await startSim();
		sim.addRobot({ accessToken: 'tok' });
		sim.injectFaults([{ kind: 'busy' }, { kind: 'http502' }, { kind: 'nonJson' }]);
		// even a request to an unknown path consumes a fault
		expect((await send(`${sim.baseUrl}/nowhere`, text('a'))).json).toEqual({ errcode: -1, errmsg: '系统繁忙' });
		expect((await send(sim.webhookUrl('unknown'), text('a'))).status).toBe(502);
		const third = await send(sim.webhookUrl('tok'), text('a'));
		expect(third.status).toBe(200);
		expect(third.json).toBeUndefined();
		expect((await send(sim.webhookUrl('tok'), text('a'))).json).toEqual(OK);
		expect(sim.requests.map((r) => r.fault)).toEqual(['busy', 'http502', 'nonJson', undefined]);
	});

	it('rejects unknown fault kinds', () => {
		const sim = new DingTalkSimulator();
		expect(() => sim.injectFaults([{ kind: 'explode' } as never])).toThrow(/unknown fault/);
		expect(() => sim.injectFaults([{ kind: 'slow' } as never])).toThrow(/delayMs/);
	});
});

describe('stats, reset, records', () => {
	it('counts requests, deliveries, duplicates and rejections per errcode; reset clears state but keeps robots', async () => {
		const now = 0;
		const sim = await startSim({ now: () => now, rateLimit: { perWindow: 2, windowMs: 1000, throttleMs: 60_000 } });
		sim.addRobot({ accessToken: 'tok' });
		const url = sim.webhookUrl('tok');
		await send(url, { ...text('a'), msgUuid: 'a' });
		await send(url, { ...text('a'), msgUuid: 'a' }); // duplicate
		await send(sim.webhookUrl('nope'), text('x')); // 300005
		await send(url, { msgtype: 'image' }); // 400105
		await send(url, { msgtype: 'text', text: {} }); // 400402
		await send(url, text('b'));
		await send(url, text('c')); // 410100 (starts throttle)
		sim.injectFaults([{ kind: 'busy' }, { kind: 'http502' }]);
		await send(url, text('d')); // -1
		await send(url, text('e')); // 502
		sim.injectFaults([{ kind: 'busy' }]);
		expect(sim.stats()).toEqual({
			requests: 9,
			delivered: 2,
			duplicates: 1,
			rejected: { '300005': 1, '400105': 1, '400402': 1, '410100': 1, '-1': 1 },
		});
		expect(sim.messages('tok')).toHaveLength(2);

		sim.reset();
		expect(sim.stats()).toEqual({ requests: 0, delivered: 0, duplicates: 0, rejected: {} });
		expect(sim.requests).toEqual([]);
		expect(sim.messages('tok')).toEqual([]);
		// robots stay, throttle, msgUuid memory and the pending busy fault are gone
		expect((await send(url, { ...text('a'), msgUuid: 'a' })).json).toEqual(OK);
		expect(sim.messages('tok')).toHaveLength(1);
		expect(lastRecord(sim).fault).toBeUndefined();
	});

	it('records every field of a request', async () => {
		const ts = 1_700_000_000_000;
		const sim = await startSim({ now: () => ts + 5 });
		sim.addRobot({ accessToken: 'tok', secret: 'SECrec' });
		const body = { ...text('hello'), msgUuid: 'm-1' };
		await send(signedUrl(sim, 'tok', 'SECrec', ts), body);
		const r = lastRecord(sim);
		expect(r).toEqual({
			at: ts + 5,
			method: 'POST',
			path: '/robot/send',
			accessToken: 'tok',
			session: null,
			clientIp: '127.0.0.1',
			contentType: JSON_CT,
			timestamp: String(ts),
			sign: computeDingTalkSign('SECrec', ts),
			signatureValid: true,
			rawBody: JSON.stringify(body),
			body,
			msgtype: 'text',
			msgUuid: 'm-1',
			fault: undefined,
			status: 200,
			errcode: 0,
			errmsg: 'ok',
			delivered: true,
			duplicate: false,
		});
	});

	it('keeps requests in arrival order over keep-alive and parallel connections, and calls onRequest once each', async () => {
		const seen: RequestRecord[] = [];
		const sim = await startSim({ onRequest: (r) => seen.push(r) });
		sim.addRobot({ accessToken: 'tok' });
		for (let i = 0; i < 5; i++) await send(sim.webhookUrl('tok'), text(`seq${i}`));
		await Promise.all(Array.from({ length: 5 }, (_, i) => send(sim.webhookUrl('tok'), text(`par${i}`))));
		expect(sim.requests).toHaveLength(10);
		expect(seen).toHaveLength(10);
		expect(sim.messages('tok').slice(0, 5).map((m) => (m.text as { content: string }).content)).toEqual([
			'seq0',
			'seq1',
			'seq2',
			'seq3',
			'seq4',
		]);
		expect(sim.messages('tok')).toHaveLength(10);
	});

	it('webhookUrl needs a started simulator and stop is idempotent', async () => {
		const sim = new DingTalkSimulator();
		expect(() => sim.webhookUrl('tok')).toThrow(/not started/);
		const base = await sim.start();
		expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sim.webhookUrl('a b')).toBe(`${base}/robot/send?access_token=a%20b`);
		await sim.stop();
		await sim.stop();
		await expect(fetch(`${base}/robot/send`)).rejects.toThrow();
	});
});

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

describe('cli', () => {
	it('prints the webhook and secret once, one line per request without secrets, and stops on SIGTERM', async () => {
		const cli = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
		const token = 'cli-token-xyz';
		const secret = 'SECcli-secret-xyz';
		const child = spawn(process.execPath, [cli, '--port', '0', '--token', token, '--secret', secret, '--keywords', 'alert,告警'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let out = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (d: string) => (out += d));
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		try {
			const waitFor = async (re: RegExp) => {
				for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 25));
				expect(out).toMatch(re);
			};
			await waitFor(/Ready\./);
			const url = /webhook URL: (\S+)/.exec(out)?.[1] as string;
			expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/robot/send\\?access_token=${token}$`));
			expect(out).toContain(secret);
			const bannerLength = out.length;

			const now = Date.now();
			const good = `${url}&timestamp=${now}&sign=${encodeURIComponent(computeDingTalkSign(secret, now))}`;
			expect((await send(good, text('disk alert'))).json).toEqual(OK);
			expect((await send(`${url}&timestamp=${now}&sign=bad`, text('alert'))).json).toEqual({
				errcode: 310000,
				errmsg: 'sign not match',
			});
			await waitFor(/sign not match/);
			const log = out.slice(bannerLength);
			const lines = log.trim().split('\n');
			expect(lines).toHaveLength(2);
			expect(lines[0]).toMatch(/msgtype=text.*errcode=0 ok.*signature=valid/);
			expect(lines[1]).toMatch(/msgtype=text.*errcode=310000 sign not match.*signature=INVALID/);
			expect(log).not.toContain(token);
			expect(log).not.toContain(secret);
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
		expect(out).toMatch(/simulator stopped/);
	});
});

describe('group view (GET /)', () => {
	test('shows the delivered messages, escaped, with mentions highlighted, and never the token', async () => {
		const sim = new DingTalkSimulator();
		sim.addRobot({ accessToken: 'viewToken123', secret: 'SECviewSecret' });
		await sim.start({ host: '127.0.0.1', port: 0 });
		try {
			sim.addRobot({ accessToken: 'viewToken123' }); // unsigned, to post directly
			const post = (body: object) =>
				fetch(sim.webhookUrl('viewToken123'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
			await post({ msgtype: 'text', text: { content: 'Disk <b>full</b> @13800000000' } });
			await post({ msgtype: 'markdown', markdown: { title: 't', text: '#### Heading\n**bold** [link](https://example.com)' } });
			const page = await (await fetch(`${sim.baseUrl}/`)).text();
			expect(page).toContain('Disk &lt;b&gt;full&lt;/b&gt; <span class="at">@13800000000</span>');
			expect(page).toContain('<div class="h h4">Heading</div>');
			expect(page).toContain('<b>bold</b> <a>link</a>');
			expect(page).toContain('2 messages received');
			expect(page).not.toContain('viewToken123');
			expect(sim.requests).toHaveLength(2); // viewing the page is not a webhook request
		} finally {
			await sim.stop();
		}
	});
});

describe('fault policy', () => {
	test('decides a fault for each request the queue leaves open, and reset turns it off', async () => {
		const sim = new DingTalkSimulator({ rateLimit: false });
		sim.addRobot({ accessToken: 'policyToken' });
		await sim.start({ host: '127.0.0.1', port: 0 });
		try {
			const post = async (content: string) =>
				(await (await fetch(sim.webhookUrl('policyToken'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', text: { content } }) })).json()) as { errcode: number };
			sim.setFaultPolicy((index) => (index % 2 === 1 ? { kind: 'busy' } : undefined));
			sim.injectFaults([{ kind: 'busy' }]); // the queue goes first
			const answers = [await post('a'), await post('b'), await post('c'), await post('d')];
			expect(answers.map((a) => a.errcode)).toEqual([-1, -1, 0, -1]);
			sim.reset();
			expect((await post('e')).errcode).toBe(0);
		} finally {
			await sim.stop();
		}
	});
});
