import { DingTalkSimulator } from '../../simulator';
import type { SimulatorOptions } from '../../simulator';

const APP = { clientId: 'dingopenapiapp01', clientSecret: 'openapiSecret-0123456789' };
const OTHER = { clientId: 'dingopenapiapp02', clientSecret: 'otherSecret-9876543210' };
const HOUR = 3_600_000;
const INVALID = { requestid: expect.stringMatching(/^[0-9A-F-]{36}$/), code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' };

const sims: DingTalkSimulator[] = [];

async function startSim(options: SimulatorOptions = {}): Promise<DingTalkSimulator> {
	const sim = new DingTalkSimulator(options);
	sims.push(sim);
	sim.addApp(APP);
	sim.addApp(OTHER);
	await sim.start({ host: '127.0.0.1', port: 0 });
	return sim;
}

afterEach(async () => {
	await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function getToken(sim: DingTalkSimulator, body: unknown, init: { contentType?: string; method?: string; raw?: string } = {}) {
	const method = init.method ?? 'POST';
	const res = await fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, {
		method,
		headers: { 'content-type': init.contentType ?? 'application/json', accept: 'application/json' },
		body: method === 'GET' ? undefined : init.raw ?? JSON.stringify(body),
	});
	return { status: res.status, contentType: res.headers.get('content-type'), json: (await res.json()) as Record<string, unknown> };
}

describe('POST /v1.0/oauth2/accessToken', () => {
	it('answers {accessToken, expireIn: 7200} for the app key and secret, and records it without the secret', async () => {
		const sim = await startSim({ now: () => 1_000 });
		const res = await getToken(sim, { appKey: APP.clientId, appSecret: APP.clientSecret });
		expect(res.status).toBe(200);
		expect(res.contentType).toMatch(/^application\/json/);
		expect(res.json).toEqual({ accessToken: expect.stringMatching(/^[0-9a-f]{32}$/), expireIn: 7200 });
		expect(sim.accessTokenRequests()).toEqual([
			{ at: 1_000, appKey: APP.clientId, outcome: 'issued', status: 200, accessToken: res.json.accessToken, expiresAt: 1_000 + 2 * HOUR },
		]);
		expect(sim.accessTokens()).toEqual([
			{ accessToken: res.json.accessToken, clientId: APP.clientId, issuedAt: 1_000, expiresAt: 1_000 + 2 * HOUR, expired: false },
		]);
		expect(JSON.stringify([sim.accessTokenRequests(), sim.accessTokens()])).not.toContain(APP.clientSecret);
	});

	it('refuses a wrong secret, an unknown key and a missing secret with 400 invalidClientIdOrSecret', async () => {
		const sim = await startSim();
		for (const body of [
			{ appKey: APP.clientId, appSecret: OTHER.clientSecret },
			{ appKey: 'dingnobody', appSecret: APP.clientSecret },
			{ appKey: APP.clientId },
			{ clientId: APP.clientId, clientSecret: APP.clientSecret },
		]) {
			const res = await getToken(sim, body);
			expect(res.status).toBe(400);
			expect(res.json).toEqual(INVALID);
		}
		expect(sim.accessTokenRequests().map((r) => [r.appKey, r.outcome, r.accessToken])).toEqual([
			[APP.clientId, 'invalidClientIdOrSecret', undefined],
			['dingnobody', 'invalidClientIdOrSecret', undefined],
			[APP.clientId, 'invalidClientIdOrSecret', undefined],
			[null, 'invalidClientIdOrSecret', undefined],
		]);
		expect(sim.accessTokens()).toEqual([]);
	});

	it('answers 400 Missingbody to a form-encoded or non-JSON body and 405 to GET', async () => {
		const sim = await startSim();
		const form = await getToken(sim, undefined, {
			contentType: 'application/x-www-form-urlencoded',
			raw: `appKey=${APP.clientId}&appSecret=${APP.clientSecret}`,
		});
		expect(form.status).toBe(400);
		expect(form.json).toMatchObject({ code: 'Missingbody', message: 'body is mandatory for this action.' });
		expect((await getToken(sim, undefined, { raw: '{"appKey":' })).json).toMatchObject({ code: 'Missingbody' });
		expect((await getToken(sim, undefined, { method: 'GET' })).status).toBe(405);
		expect(sim.accessTokenRequests().map((r) => r.outcome)).toEqual(['missingBody', 'missingBody', 'methodNotAllowed']);
	});

	it('answers the same token while it is valid and renews it; a new one once it expired', async () => {
		let clock = 1_700_000_000_000;
		const sim = await startSim({ now: () => clock });
		const ask = async () => (await getToken(sim, { appKey: APP.clientId, appSecret: APP.clientSecret })).json.accessToken as string;
		const first = await ask();
		clock += HOUR;
		expect(await ask()).toBe(first);
		clock += 2 * HOUR - 1; // still valid: the second answer renewed it
		expect(await ask()).toBe(first);
		clock += 2 * HOUR;
		const second = await ask();
		expect(second).not.toBe(first);
		expect(sim.accessTokenRequests().map((r) => r.outcome)).toEqual(['issued', 'renewed', 'renewed', 'issued']);
		expect(sim.accessTokens().map((t) => [t.accessToken, t.expired])).toEqual([
			[first, true],
			[second, false],
		]);
		// each app has its own token
		const other = (await getToken(sim, { appKey: OTHER.clientId, appSecret: OTHER.clientSecret })).json.accessToken;
		expect(other).not.toBe(second);
	});

	it('follows openapi.accessTokenTtlMs; expireAccessTokens expires all tokens or one app\'s', async () => {
		let clock = 0;
		const sim = await startSim({ now: () => clock, openapi: { accessTokenTtlMs: 60_000 } });
		const a = await getToken(sim, { appKey: APP.clientId, appSecret: APP.clientSecret });
		expect(a.json.expireIn).toBe(60);
		const b = await getToken(sim, { appKey: OTHER.clientId, appSecret: OTHER.clientSecret });
		clock = 10;
		expect(sim.expireAccessTokens(APP.clientId)).toBe(1);
		expect(sim.accessTokens().map((t) => [t.clientId, t.expired])).toEqual([
			[APP.clientId, true],
			[OTHER.clientId, false],
		]);
		const a2 = await getToken(sim, { appKey: APP.clientId, appSecret: APP.clientSecret });
		expect(a2.json.accessToken).not.toBe(a.json.accessToken);
		expect(sim.expireAccessTokens()).toBe(2);
		expect(sim.accessTokens().every((t) => t.expired)).toBe(true);
		expect(sim.expireAccessTokens()).toBe(0);
		expect(b.json.accessToken).toBeDefined();
		expect(() => new DingTalkSimulator({ openapi: { accessTokenTtlMs: 999 } })).toThrow(/accessTokenTtlMs/);
	});

	it('reset forgets tokens and records; the apps stay', async () => {
		const sim = await startSim();
		const first = await getToken(sim, { appKey: APP.clientId, appSecret: APP.clientSecret });
		sim.reset();
		expect(sim.accessTokenRequests()).toEqual([]);
		expect(sim.accessTokens()).toEqual([]);
		const again = await getToken(sim, { appKey: APP.clientId, appSecret: APP.clientSecret });
		expect(again.status).toBe(200);
		expect(again.json.accessToken).not.toBe(first.json.accessToken);
		expect(sim.requests).toEqual([]); // api.dingtalk.com requests are not in the webhook's request log
	});
});
