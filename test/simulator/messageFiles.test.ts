// POST /v1.0/robot/messageFiles/download: the registry of files people sent, the gate every
// OpenAPI call goes through, and the refusals of a code that cannot be had.
import { APP, OTHER, REQUEST_ID, call, getToken, simulatorPool } from './openApiHelpers';
import { DOWNLOAD_PATH, askDownload, download, sha256 } from './incomingHelpers';

const startSim = simulatorPool();
const BYTES = Buffer.from('%PDF-1.4\nsomething people sent\n');
const errorOf = (code: string, message?: string) => ({ requestid: REQUEST_ID, code, message: message ?? expect.any(String) });

describe('POST /v1.0/robot/messageFiles/download', () => {
	it('answers {downloadUrl} on the storage host (another port, plain http, .file, Expires/OSSAccessKeyId/Signature) and records the call', async () => {
		const sim = await startSim({ now: () => 1_700_000_000_000 });
		const token = await getToken(sim);
		const file = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId, name: 'r.pdf' });
		const answer = await askDownload(sim, token, { downloadCode: file.downloadCode });
		expect(answer.status).toBe(200);
		expect(answer.contentType).toMatch(/^application\/json/);
		expect(Object.keys(answer.json)).toEqual(['downloadUrl']);
		const url = new URL(answer.json.downloadUrl as string);
		expect(url.protocol).toBe('http:');
		expect(url.host).toBe(sim.storageHost);
		expect(url.host).not.toBe(sim.host);
		expect(`${url.protocol}//${url.host}`).toBe(sim.storageBaseUrl);
		expect(url.pathname).toMatch(/^\/yundisk0\/[\w-]+\.file$/);
		expect([...url.searchParams.keys()]).toEqual(['Expires', 'OSSAccessKeyId', 'Signature']);
		expect(url.searchParams.get('Expires')).toBe('1700000300'); // 5 minutes, in seconds
		expect(url.pathname).not.toContain('r.pdf'); // the storage knows no name
		expect(sim.openApiRequests()).toEqual([
			expect.objectContaining({ path: DOWNLOAD_PATH, accessToken: token, clientId: APP.clientId, status: 200, response: answer.json, answered: true }),
		]);
		expect(sim.fileDownloads()).toEqual([
			{
				at: 1_700_000_000_000,
				downloadCode: file.downloadCode,
				robotCode: APP.clientId,
				clientId: APP.clientId,
				downloadUrl: answer.json.downloadUrl,
				expiresAt: 1_700_000_300_000,
				requests: 0,
				completed: 0,
			},
		]);
		// every call is recorded; within the same second the signed URL is the same
		const again = await askDownload(sim, token, { downloadCode: file.downloadCode });
		expect(again.json.downloadUrl).toBe(answer.json.downloadUrl); // same second, same object: the same signed URL
		expect(sim.fileDownloads()).toHaveLength(2);
	});

	it('goes through the gate: token, permission qyapi_robot_sendmsg, QPS, method and body', async () => {
		const sim = await startSim({ now: () => 5_000 });
		const token = await getToken(sim);
		const { downloadCode } = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		const missing = await askDownload(sim, undefined, { downloadCode });
		expect([missing.status, missing.json]).toEqual([400, errorOf('AuthenticationFailed.MissingParameter')]);
		expect((await askDownload(sim, 'nope', { downloadCode })).json).toEqual(errorOf('InvalidAuthentication', '不合法的access_token'));
		sim.setAppPermissions(APP.clientId, ['qyapi_base']);
		const denied = await askDownload(sim, token, { downloadCode });
		expect(denied.status).toBe(403);
		expect(denied.json).toMatchObject({ code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied', accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] } });
		sim.setAppPermissions(APP.clientId, 'all');
		expect((await call(sim, DOWNLOAD_PATH, undefined, token, 'GET')).status).toBe(405);
		const form = await fetch(`${sim.baseUrl}${DOWNLOAD_PATH}`, { method: 'POST', headers: { 'x-acs-dingtalk-access-token': token }, body: `downloadCode=x` });
		expect([form.status, ((await form.json()) as { code: string }).code]).toEqual([400, 'Missingbody']);
		sim.setOpenApiQpsLimit(2);
		const statuses = [];
		for (let i = 0; i < 3; i++) statuses.push((await askDownload(sim, token, { downloadCode })).status);
		expect(statuses).toEqual([200, 403, 403]); // the clock stands still: one second, and two calls of it were above
		expect(sim.openApiRequests().at(-1)?.code).toBe('Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
	});

	it("takes the gate's faults and latency", async () => {
		const sim = await startSim({ openapi: { latencyMs: 80 } });
		const token = await getToken(sim);
		const { downloadCode } = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		sim.injectOpenApiFaults([{ kind: 'http500' }, { kind: 'drop' }, { kind: 'throttled' }]);
		expect((await askDownload(sim, token, { downloadCode })).json).toEqual(errorOf('system.error'));
		await expect(askDownload(sim, token, { downloadCode })).rejects.toThrow();
		expect((await askDownload(sim, token, { downloadCode })).status).toBe(403);
		const started = Date.now();
		expect((await askDownload(sim, token, { downloadCode })).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(75);
		expect(sim.openApiRequests().map((r) => r.fault)).toEqual(['http500', 'drop', 'throttled', undefined]);
		expect(sim.fileDownloads()).toHaveLength(1);
	});

	it('refuses a robotCode that is missing, unknown or of another app (assumed codes, batchSend\'s)', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const { downloadCode } = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		const cases: [Record<string, unknown>, string][] = [
			[{ robotCode: undefined }, 'invalidParameter.robotCode.empty'],
			[{ robotCode: '' }, 'invalidParameter.robotCode.empty'],
			[{ robotCode: 'dingnobody' }, 'invalidParameter.robotCode.notExsit'],
			[{ robotCode: OTHER.clientId }, 'invalidParameter.robotCode.auth'],
		];
		for (const [body, code] of cases) {
			const answer = await askDownload(sim, token, { downloadCode, ...body });
			expect([answer.status, answer.json]).toEqual([400, errorOf(code)]);
		}
		expect(sim.fileDownloads()).toEqual([]);
	});

	it('refuses a downloadCode that is missing, unknown, a picture\'s pictureDownloadCode, expired, or of a file sent to another robot', async () => {
		let clock = 1_000_000;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		const otherToken = await getToken(sim, OTHER);
		const mine = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		const picture = sim.pushRobotMessage(APP.clientId, { msgtype: 'picture' }).body.content as { pictureDownloadCode: string };
		expect((await askDownload(sim, token, {})).json).toEqual(errorOf('invalidParameter.downloadCode.empty'));
		expect((await askDownload(sim, token, { downloadCode: 42 })).json).toEqual(errorOf('invalidParameter.downloadCode.empty'));
		expect((await askDownload(sim, token, { downloadCode: 'not-a-code' })).json).toEqual(errorOf('invalidParameter.downloadCode.invalid'));
		expect((await askDownload(sim, token, { downloadCode: picture.pictureDownloadCode })).json).toEqual(errorOf('invalidParameter.downloadCode.invalid'));
		// the other app with its own robot asks for a file sent to APP's robot
		const notTheirs = await call(sim, DOWNLOAD_PATH, { downloadCode: mine.downloadCode, robotCode: OTHER.clientId }, otherToken);
		expect([notTheirs.status, notTheirs.json]).toEqual([400, errorOf('invalidParameter.downloadCode.robotCode')]);
		// 24 hours by default (the access token lives 2 hours: a new one)
		clock += 24 * 3_600_000 - 1;
		const later = await getToken(sim);
		expect((await askDownload(sim, later, { downloadCode: mine.downloadCode })).status).toBe(200);
		clock += 1;
		expect((await askDownload(sim, later, { downloadCode: mine.downloadCode })).json).toEqual(errorOf('invalidParameter.downloadCode.expired'));
		expect(sim.files()[0]).toMatchObject({ downloadCode: mine.downloadCode, expired: true, expiresAt: 1_000_000 + 24 * 3_600_000 });
	});

	it('expireDownloadCodes() expires one code or all, at once; files.downloadCodeTtlMs sets their life', async () => {
		let clock = 0;
		const sim = await startSim({ now: () => clock, files: { downloadCodeTtlMs: 1000 } });
		const token = await getToken(sim);
		const a = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		const b = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		const c = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		expect(sim.expireDownloadCodes(a.downloadCode)).toBe(1);
		expect(sim.expireDownloadCodes(a.downloadCode)).toBe(0);
		expect((await askDownload(sim, token, { downloadCode: a.downloadCode })).json.code).toBe('invalidParameter.downloadCode.expired');
		expect((await askDownload(sim, token, { downloadCode: b.downloadCode })).status).toBe(200);
		clock = 999;
		expect(sim.expireDownloadCodes()).toBe(2);
		expect(sim.files().map((f) => f.expired)).toEqual([true, true, true]);
		expect((await askDownload(sim, token, { downloadCode: c.downloadCode })).json.code).toBe('invalidParameter.downloadCode.expired');
		// a URL handed out before the code expired still works until its own expiry
		const url = sim.fileDownloads()[0].downloadUrl;
		expect((await fetch(url)).status).toBe(200);
	});

	it('addDownloadableFile takes a given code, name, type and kind; checks its options; reset() forgets files and URLs', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const file = sim.addDownloadableFile({ bytes: new Uint8Array(BYTES), robotCode: APP.clientId, downloadCode: 'found+later/==', name: 'x.pdf', mimeType: 'application/pdf', kind: 'file', msgId: 'msgOld' });
		expect(file).toEqual({
			downloadCode: 'found+later/==',
			pictureDownloadCode: undefined,
			robotCode: APP.clientId,
			kind: 'file',
			name: 'x.pdf',
			mimeType: 'application/pdf',
			size: BYTES.length,
			sha256: sha256(BYTES),
			msgId: 'msgOld',
			storedAt: expect.any(Number),
			expiresAt: expect.any(Number),
			expired: false,
			downloads: 0,
		});
		const got = await download(sim, token, 'found+later/==');
		expect([got.contentType, got.bytes.equals(BYTES)]).toEqual(['application/pdf', true]);
		expect(sim.files()[0].downloads).toBe(1);
		expect(() => sim.addDownloadableFile({ bytes: BYTES } as never)).toThrow(/robotCode/);
		expect(() => sim.addDownloadableFile({ bytes: 'x', robotCode: APP.clientId } as never)).toThrow(/bytes/);
		expect(() => sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId, kind: 'sticker' } as never)).toThrow(/kind/);
		sim.reset();
		expect([sim.files(), sim.fileDownloads(), sim.storageRequests()]).toEqual([[], [], []]);
		const fresh = await getToken(sim);
		expect((await askDownload(sim, fresh, { downloadCode: 'found+later/==' })).json.code).toBe('invalidParameter.downloadCode.invalid');
		expect((await fetch(got.url)).status).toBe(404); // the object is gone too
	});
});
