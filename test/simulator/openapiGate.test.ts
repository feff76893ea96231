// What every call to the simulated OpenAPI goes through: the access token, the permission, the QPS
// limit, the injected latency and faults, and stop() leaving nothing behind.
import { DingTalkSimulator, OPENAPI_FAULT_KINDS } from '../../simulator';
import { APP, CID, OTHER, PATHS, REQUEST_ID, USERS, call, getToken, groupSend, simulatorPool } from './openApiHelpers';

const startSim = simulatorPool();
const TEXT = { content: 'hello' };
const send = (sim: DingTalkSimulator, token: string | undefined) =>
	call(sim, PATHS.groupSend, { robotCode: APP.clientId, openConversationId: CID, msgKey: 'sampleText', msgParam: JSON.stringify(TEXT) }, token);

describe('the access token of an OpenAPI call', () => {
	it('refuses a missing, an unknown and an expired x-acs-dingtalk-access-token with HTTP 400, as api.dingtalk.com does', async () => {
		let clock = 1_000_000;
		const sim = await startSim({ now: () => clock });
		const missing = await send(sim, undefined);
		expect(missing.status).toBe(400);
		expect(missing.json).toEqual({ requestid: REQUEST_ID, code: 'AuthenticationFailed.MissingParameter', message: '缺少参数：x-acs-dingtalk-access-token' });
		const invalid = { requestid: REQUEST_ID, code: 'InvalidAuthentication', message: '不合法的access_token' };
		expect((await send(sim, 'not-a-token')).json).toEqual(invalid);
		const token = await getToken(sim);
		expect((await send(sim, token)).status).toBe(200);
		sim.expireAccessTokens();
		expect((await send(sim, token)).json).toEqual(invalid);
		const next = await getToken(sim);
		clock += 7_200_000; // the token's life
		expect((await send(sim, next)).json).toEqual(invalid);
		expect(sim.openApiRequests().map((r) => [r.accessToken, r.clientId, r.status, r.code])).toEqual([
			[null, undefined, 400, 'AuthenticationFailed.MissingParameter'],
			['not-a-token', undefined, 400, 'InvalidAuthentication'],
			[token, APP.clientId, 200, undefined],
			[token, undefined, 400, 'InvalidAuthentication'],
			[next, undefined, 400, 'InvalidAuthentication'],
		]);
		expect(sim.groupMessages(CID)).toHaveLength(1);
	});

	it('answers 405 to another method and 400 Missingbody to a body that is not JSON', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		expect((await call(sim, PATHS.groupSend, undefined, token, 'GET')).status).toBe(405);
		const form = await fetch(`${sim.baseUrl}${PATHS.groupSend}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-acs-dingtalk-access-token': token },
			body: `robotCode=${APP.clientId}`,
		});
		expect(form.status).toBe(400);
		expect(await form.json()).toMatchObject({ code: 'Missingbody', message: 'body is mandatory for this action.' });
	});
});

describe('permissions', () => {
	it('refuses an app without qyapi_robot_sendmsg with 403 AccessTokenPermissionDenied naming the scope, until it is granted', async () => {
		const sim = await startSim();
		sim.addApp({ ...APP, permissions: ['qyapi_base', 'Contact.User.Read'] });
		expect(sim.addApp(OTHER).permissions).toBe('all');
		const token = await getToken(sim);
		const denied = await send(sim, token);
		expect(denied.status).toBe(403);
		expect(denied.json).toEqual({
			requestid: REQUEST_ID,
			code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
			message: '应用尚未开通所需的权限：[qyapi_robot_sendmsg]',
			accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] },
		});
		for (const path of Object.values(PATHS)) expect((await call(sim, path, {}, token)).status).toBe(403);
		expect(sim.setAppPermissions(APP.clientId, ['qyapi_robot_sendmsg']).permissions).toEqual(['qyapi_robot_sendmsg']);
		expect((await send(sim, token)).status).toBe(200);
		sim.setAppPermissions(APP.clientId, []);
		expect((await send(sim, token)).status).toBe(403);
		sim.setAppPermissions(APP.clientId, 'all');
		expect((await send(sim, token)).status).toBe(200);
		expect(() => sim.setAppPermissions('dingnobody', 'all')).toThrow(/unknown app/);
		expect(() => sim.setAppPermissions(APP.clientId, [''])).toThrow(/scopes/);
	});
});

describe('the QPS limit', () => {
	it('allows 20 calls per second per app and API (DingTalk\'s default), then 403 QpsLimitForAppkeyAndApi until the next second', async () => {
		let clock = 1_700_000_000_500;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		const statuses: number[] = [];
		for (let i = 0; i < 21; i++) statuses.push((await send(sim, token)).status);
		expect(statuses).toEqual([...Array(20).fill(200), 403]);
		const limited = await send(sim, token);
		expect(limited.json).toEqual({
			requestid: REQUEST_ID,
			code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
			message: '您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了',
		});
		// another API of the same app, and the same API for another app, have their own counts
		const oto = await call(sim, PATHS.otoSend, { robotCode: APP.clientId, userIds: [USERS[0]], msgKey: 'sampleText', msgParam: '{"content":"x"}' }, token);
		expect(oto.status).toBe(200);
		sim.addGroup({ openConversationId: 'cidOtherOps==', robotCodes: [OTHER.clientId] });
		const other = await call(sim, PATHS.groupSend, { robotCode: OTHER.clientId, openConversationId: 'cidOtherOps==', msgKey: 'sampleText', msgParam: '{"content":"x"}' }, await getToken(sim, OTHER));
		expect(other.status).toBe(200);
		clock += 500; // the next whole second
		expect((await send(sim, token)).status).toBe(200);
		expect(sim.groupMessages(CID)).toHaveLength(21);
	});

	it('follows openapi.qpsLimit and setOpenApiQpsLimit (false: none)', async () => {
		const sim = await startSim({ now: () => 0, openapi: { qpsLimit: 2 } });
		const token = await getToken(sim);
		expect([(await send(sim, token)).status, (await send(sim, token)).status, (await send(sim, token)).status]).toEqual([200, 200, 403]);
		sim.setOpenApiQpsLimit(false);
		for (let i = 0; i < 30; i++) expect((await send(sim, token)).status).toBe(200);
		expect(() => sim.setOpenApiQpsLimit(0)).toThrow(/qpsLimit/);
		expect(() => new DingTalkSimulator({ openapi: { latencyMs: -1 } })).toThrow(/latencyMs/);
	});
});

describe('latency', () => {
	it('delays every OpenAPI answer without blocking the event loop; concurrent calls wait side by side', async () => {
		const sim = await startSim({ openapi: { latencyMs: 150, qpsLimit: false } });
		let started = Date.now();
		const token = await getToken(sim);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		started = Date.now();
		let timerFiredAfter = -1;
		setTimeout(() => (timerFiredAfter = Date.now() - started), 10);
		// timers run while the answers are held: a poll counts the requests recorded and not yet answered
		let mostHeld = 0;
		const poll = setInterval(() => (mostHeld = Math.max(mostHeld, sim.openApiRequests().filter((r) => !r.answered).length)), 5);
		const answers = await Promise.all(Array.from({ length: 10 }, () => send(sim, token))).finally(() => clearInterval(poll));
		const elapsed = Date.now() - started;
		expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
		expect(elapsed).toBeGreaterThanOrEqual(140);
		expect(timerFiredAfter).toBeGreaterThanOrEqual(0);
		// side by side: answers held one at a time (or by a blocked event loop) would never show two waiting at once
		expect(mostHeld).toBeGreaterThanOrEqual(2);
		expect(sim.openApiRequests().filter((r) => r.path === PATHS.groupSend)).toHaveLength(10);
		expect(sim.openApiRequests().every((r) => r.delayMs === 150 && r.answered)).toBe(true);
		sim.setOpenApiLatency(0);
		started = Date.now();
		await send(sim, token);
		// no latency: the record says the answer was not held
		expect(sim.openApiRequests().at(-1)).toMatchObject({ path: PATHS.groupSend, delayMs: 0, answered: true });
	});
});

describe('faults', () => {
	it('answers 500, 502, a page, 403 throttling or drops the connection instead of DingTalk, before or after the message is recorded', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		expect(OPENAPI_FAULT_KINDS).toEqual(['http500', 'http502', 'http429', 'nonJson', 'throttled', 'platformLimit', 'monthlyLimit', 'echoHeaders', 'slow', 'drop']);
		sim.injectOpenApiFaults([
			{ kind: 'http500' },
			{ kind: 'http500', afterDelivery: true },
			{ kind: 'http502' },
			{ kind: 'nonJson', afterDelivery: true },
			{ kind: 'throttled' },
			{ kind: 'platformLimit', afterDelivery: true },
			{ kind: 'monthlyLimit' },
		]);
		const a = await send(sim, token);
		expect([a.status, a.json]).toEqual([500, { requestid: REQUEST_ID, code: 'system.error', message: '未知的系统错误' }]);
		expect(sim.groupMessages(CID)).toHaveLength(0);
		expect((await send(sim, token)).status).toBe(500);
		expect(sim.groupMessages(CID)).toHaveLength(1); // sent, but answered badly
		const c = await send(sim, token);
		expect([c.status, c.contentType, c.text]).toEqual([502, 'text/html; charset=utf-8', expect.stringContaining('502 Bad Gateway')]);
		const d = await send(sim, token);
		expect([d.status, d.contentType]).toEqual([200, 'text/html; charset=utf-8']);
		expect((await send(sim, token)).json).toMatchObject({ code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi' });
		expect((await send(sim, token)).json).toMatchObject({ code: 'Forbidden.AccessDenied.QpsLimitForApi' });
		const month = await send(sim, token);
		expect([month.status, month.json]).toEqual([403, { requestid: REQUEST_ID, code: 'Forbidden.AccessDenied.ApiCountLimitForOrg', message: expect.stringContaining('本月api调用量已超过限制') }]);
		expect((await send(sim, token)).status).toBe(200); // the queue is empty
		expect(sim.groupMessages(CID)).toHaveLength(4);
		expect(sim.openApiRequests().map((r) => [r.fault, r.status])).toEqual([
			['http500', 500],
			['http500', 500],
			['http502', 502],
			['nonJson', 200],
			['throttled', 403],
			['platformLimit', 403],
			['monthlyLimit', 403],
			[undefined, 200],
		]);
	});

	it('drops the connection before or after recording, holds a slow answer, and follows a fault policy', async () => {
		const sim = await startSim();
		const token = await getToken(sim); // the token endpoint takes no OpenAPI fault
		sim.injectOpenApiFaults([{ kind: 'drop' }, { kind: 'drop', afterDelivery: true }, { kind: 'slow', delayMs: 200 }]);
		await expect(send(sim, token)).rejects.toThrow();
		expect(sim.groupMessages(CID)).toHaveLength(0);
		await expect(send(sim, token)).rejects.toThrow();
		expect(sim.groupMessages(CID)).toHaveLength(1);
		const started = Date.now();
		expect((await send(sim, token)).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
		expect(sim.openApiRequests().map((r) => [r.fault, r.status, r.answered])).toEqual([
			['drop', null, false],
			['drop', null, false],
			['slow', 200, true],
		]);
		sim.setOpenApiFaultPolicy((i) => (i % 2 === 1 ? { kind: 'http500' } : undefined));
		expect([(await send(sim, token)).status, (await send(sim, token)).status, (await send(sim, token)).status]).toEqual([500, 200, 500]);
		sim.reset(); // also clears the policy
		expect((await send(sim, await getToken(sim))).status).toBe(200);
		expect(() => sim.injectOpenApiFaults([{ kind: 'busy' } as never])).toThrow(/unknown fault/);
		expect(() => sim.injectOpenApiFaults([{ kind: 'slow' } as never])).toThrow(/delayMs/);
	});
});

describe('stop()', () => {
	it('cuts answers still held by the latency or a slow fault: no timer or socket stays', async () => {
		const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
		const timers = count('Timeout');
		const sockets = count('TCPSocketWrap') + count('TCPServerWrap');
		const sim = await startSim({ openapi: { latencyMs: 60_000 } });
		const outcome = (p: Promise<unknown>) => p.then(() => 'answered', () => 'cut');
		const tokenAnswer = outcome(
			fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ appKey: APP.clientId, appSecret: APP.clientSecret }),
			}),
		);
		const sendAnswer = outcome(groupSend(sim, 'any-token', 'sampleText', TEXT));
		while (sim.openApiRequests().length === 0 || sim.accessTokenRequests().length === 0) await new Promise((r) => setTimeout(r, 5));
		await sim.stop();
		expect([await tokenAnswer, await sendAnswer]).toEqual(['cut', 'cut']);
		expect(sim.openApiRequests()[0].answered).toBe(false);
		await new Promise((r) => setImmediate(r)); // the client's side of the cut sockets closes
		expect(count('Timeout')).toBeLessThanOrEqual(timers);
		expect(count('TCPSocketWrap') + count('TCPServerWrap')).toBeLessThanOrEqual(sockets);
	});
});
