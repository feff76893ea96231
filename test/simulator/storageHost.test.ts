// DingTalk's storage as the simulator plays it: another host:port, signed expiring URLs fetched
// without a token, large files byte for byte, every request recorded with all its headers, and
// the faults a download must survive.
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { DingTalkSimulator, STORAGE_FAULT_KINDS } from '../../simulator';
import type { SimulatorOptions } from '../../simulator';
import { APP, getToken, simulatorPool } from './openApiHelpers';
import { askDownload, download, rawGet, sha256, startReceiver } from './incomingHelpers';
import type { Receiver } from './incomingHelpers';

const startSim = simulatorPool();
const receivers: Receiver[] = [];
afterEach(async () => {
	await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const BYTES = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

/** A started simulator, a file of APP's robot and a downloadUrl for it. */
async function withUrl(options: SimulatorOptions = {}, bytes: Buffer = BYTES) {
	const sim = await startSim(options);
	const token = await getToken(sim);
	const file = sim.addDownloadableFile({ bytes, robotCode: APP.clientId });
	const answer = await askDownload(sim, token, { downloadCode: file.downloadCode });
	return { sim, token, file, url: answer.json.downloadUrl as string };
}

describe('the storage host', () => {
	it('serves a 10 MB file someone sent, byte for byte (sha256), as application/octet-stream, to a GET without a token', async () => {
		const sim = await startSim();
		const big = randomBytes(10 * 1024 * 1024);
		const receiver = await startReceiver();
		receivers.push(receiver);
		await sim.deliverCallback(receiver.url, { conversation: { type: 'oneToOne' }, robotCode: APP.clientId, msgtype: 'file', file: { bytes: big, name: 'dump.bin' } });
		const { downloadCode } = receiver.bodies[0].content as { downloadCode: string };
		const token = await getToken(sim);
		const got = await download(sim, token, downloadCode);
		expect(got.status).toBe(200);
		expect(got.contentType).toBe('application/octet-stream');
		expect(got.bytes.length).toBe(big.length);
		expect(sha256(got.bytes)).toBe(sha256(big));
		expect(sim.files()[0]).toMatchObject({ sha256: sha256(big), size: big.length, downloads: 1 });
		expect(sim.storageRequests()).toEqual([
			expect.objectContaining({ method: 'GET', downloadCode, outcome: 'served', status: 200, bytesSent: big.length, complete: true, fault: undefined }),
		]);
		expect(sim.fileDownloads()[0]).toMatchObject({ requests: 1, completed: 1 });
	});

	it('records every request with all its headers: a token sent there by mistake shows, none otherwise', async () => {
		const { sim, token, url } = await withUrl();
		expect((await fetch(url)).status).toBe(200);
		expect((await fetch(url, { headers: { 'x-acs-dingtalk-access-token': token, 'X-Trace': 'a' } })).status).toBe(200);
		const [clean, leaky] = sim.storageRequests();
		expect(clean.headers).toMatchObject({ host: sim.storageHost });
		expect(Object.keys(clean.headers)).not.toContain('x-acs-dingtalk-access-token');
		expect(JSON.stringify(clean.headers)).not.toContain(token);
		expect(leaky.headers).toMatchObject({ host: sim.storageHost, 'x-acs-dingtalk-access-token': token, 'x-trace': 'a' });
		expect(clean.url).toBe(new URL(url).pathname + new URL(url).search);
		// the API host never saw a storage request, the storage host never an API call
		expect(sim.openApiRequests().map((r) => r.path)).toEqual(['/v1.0/robot/messageFiles/download']);
	});

	it('answers HEAD with the head only and other methods 405 MethodNotAllowed (XML)', async () => {
		const { sim, url } = await withUrl();
		const head = await fetch(url, { method: 'HEAD' });
		expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, String(BYTES.length), 0]);
		const post = await fetch(url, { method: 'POST', body: 'x' });
		expect(post.status).toBe(405);
		expect(await post.text()).toContain('<Code>MethodNotAllowed</Code>');
		expect(sim.files()[0].downloads).toBe(0); // neither got the file
	});

	it('serves a URL until its Expires second, then 403 AccessDenied "Request has expired." (XML); files.downloadUrlTtlMs sets the life', async () => {
		let clock = 1_700_000_000_000;
		const { sim, url } = await withUrl({ now: () => clock, files: { downloadUrlTtlMs: 60_000 } });
		expect(new URL(url).searchParams.get('Expires')).toBe('1700000060');
		clock += 60_000;
		expect((await fetch(url)).status).toBe(200);
		clock += 1;
		const late = await fetch(url);
		expect(late.status).toBe(403);
		expect(late.headers.get('content-type')).toBe('application/xml');
		const xml = await late.text();
		expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error>\n {2}<Code>AccessDenied<\/Code>\n {2}<Message>Request has expired\.<\/Message>/);
		expect(sim.storageRequests().map((r) => r.outcome)).toEqual(['served', 'expired']);
		expect(sim.fileDownloads()[0]).toMatchObject({ requests: 2, completed: 1 });
	});

	it('refuses a URL whose path, Expires or Signature was changed (403 SignatureDoesNotMatch) or left without its signature (403 AccessDenied)', async () => {
		const { sim, url } = await withUrl();
		const changed = (f: (u: URL) => void) => {
			const u = new URL(url);
			f(u);
			return u.toString();
		};
		const cases: [string, number, string][] = [
			[changed((u) => u.searchParams.set('Expires', String(Number(u.searchParams.get('Expires')) + 3600))), 403, 'SignatureDoesNotMatch'],
			[changed((u) => u.searchParams.set('Signature', `x${u.searchParams.get('Signature')}`)), 403, 'SignatureDoesNotMatch'],
			[changed((u) => (u.pathname = u.pathname.replace('.file', '.pdf'))), 403, 'SignatureDoesNotMatch'],
			[changed((u) => u.searchParams.delete('Signature')), 403, 'AccessDenied'],
			[changed((u) => (u.search = '')), 403, 'AccessDenied'],
		];
		for (const [target, status, code] of cases) {
			const res = await fetch(target);
			expect([status, code, res.status, (await res.text()).includes(`<Code>${code}</Code>`)]).toEqual([status, code, status, true]);
		}
		expect(sim.storageRequests().map((r) => r.outcome)).toEqual(['badSignature', 'badSignature', 'badSignature', 'unsigned', 'unsigned']);
		expect(sim.files()[0].downloads).toBe(0);
	});

	it('starts and stops with the simulator, on a port of its own', async () => {
		const sim = new DingTalkSimulator();
		expect([sim.storageBaseUrl, sim.storageHost]).toEqual([undefined, undefined]);
		await sim.start({ host: '127.0.0.1', port: 0 });
		const base = sim.storageBaseUrl as string;
		expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(base).not.toBe(sim.baseUrl);
		expect((await fetch(`${base}/yundisk0/nothing.file`)).status).toBe(403); // unsigned
		await sim.stop();
		expect(sim.storageBaseUrl).toBeUndefined();
		await expect(fetch(`${base}/`)).rejects.toThrow();
	});
});

describe('storage faults, one per request', () => {
	it('forbidden: 403 AccessDenied; notFound: 404 NoSuchKey; then the next request is served', async () => {
		const { sim, url } = await withUrl();
		sim.injectStorageFaults([{ kind: 'forbidden' }, { kind: 'notFound' }]);
		const forbidden = await fetch(url);
		expect([forbidden.status, (await forbidden.text()).includes('<Code>AccessDenied</Code>')]).toEqual([403, true]);
		const missing = await fetch(url);
		expect([missing.status, (await missing.text()).includes('<Code>NoSuchKey</Code>')]).toEqual([404, true]);
		expect((await fetch(url)).status).toBe(200);
		expect(sim.storageRequests().map((r) => [r.fault, r.outcome, r.status])).toEqual([
			['forbidden', 'fault', 403],
			['notFound', 'fault', 404],
			[undefined, 'served', 200],
		]);
		expect(STORAGE_FAULT_KINDS).toEqual(['forbidden', 'notFound', 'slow', 'trickle', 'drop', 'redirect', 'wrongLength']);
	});

	it('slow: nothing, not even the head, before delayMs', async () => {
		const { sim, url } = await withUrl();
		sim.injectStorageFaults([{ kind: 'slow', delayMs: 600 }]);
		const started = Date.now();
		const pending = fetch(url);
		await new Promise((r) => setTimeout(r, 50));
		expect(sim.storageRequests()[0].status).toBeNull(); // no head yet
		const res = await pending;
		expect(Date.now() - started).toBeGreaterThanOrEqual(595);
		expect(Buffer.from(await res.arrayBuffer()).equals(BYTES)).toBe(true);
	});

	it('trickle: the body in small pieces with pauses, whole in the end', async () => {
		const { sim, url } = await withUrl();
		sim.injectStorageFaults([{ kind: 'trickle', chunkBytes: 8, intervalMs: 40 }]);
		const started = Date.now();
		const got = await rawGet(url);
		expect(got.complete).toBe(true);
		expect(got.body.equals(BYTES)).toBe(true);
		expect(got.chunks.length).toBeGreaterThanOrEqual(3); // 36 bytes in 5 pieces, 40 ms apart
		expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 40 - 5);
		expect(sim.storageRequests()[0]).toMatchObject({ fault: 'trickle', bytesSent: BYTES.length, complete: true });
	});

	it('drop: the connection reset after afterBytes of the body (default half)', async () => {
		const { sim, url } = await withUrl();
		sim.injectStorageFaults([{ kind: 'drop', afterBytes: 10 }, { kind: 'drop' }]);
		const first = await rawGet(url);
		expect(first.complete).toBe(false);
		expect(first.error).toBeDefined();
		expect(first.body.length).toBeLessThanOrEqual(10);
		await expect(fetch(url).then((r) => r.arrayBuffer())).rejects.toThrow();
		expect(sim.storageRequests().map((r) => [r.fault, r.bytesSent, r.complete])).toEqual([
			['drop', 10, false],
			['drop', BYTES.length / 2, false],
		]);
		expect(sim.files()[0].downloads).toBe(0);
		expect(sim.fileDownloads()[0]).toMatchObject({ requests: 2, completed: 0 });
	});

	it('redirect: 302 (or the status given) to the location given, e.g. plain http on another port', async () => {
		const { sim, url } = await withUrl();
		const elsewhere = http.createServer((_req, res) => res.end('elsewhere'));
		await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
		const location = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/x.file`;
		try {
			sim.injectStorageFaults([{ kind: 'redirect', location }, { kind: 'redirect', location, status: 307 }, { kind: 'redirect', location }]);
			const a = await rawGet(url);
			expect([a.status, a.headers.location, a.body.length]).toEqual([302, location, 0]);
			expect((await rawGet(url)).status).toBe(307);
			const followed = await fetch(url); // a client that follows it gets another host's bytes
			expect([followed.url, await followed.text()]).toEqual([location, 'elsewhere']);
		} finally {
			await new Promise((resolve) => elsewhere.close(resolve));
		}
		expect(sim.storageRequests().map((r) => [r.fault, r.status])).toEqual([
			['redirect', 302],
			['redirect', 307],
			['redirect', 302],
		]);
	});

	it('wrongLength: a Content-Length that promises more (the body ends early) or less (the rest is lost) than follows', async () => {
		const { sim, url } = await withUrl();
		sim.injectStorageFaults([{ kind: 'wrongLength' }, { kind: 'wrongLength', contentLength: 5 }]);
		const more = await rawGet(url);
		expect(more.headers['content-length']).toBe(String(BYTES.length + 1024));
		expect(more.complete).toBe(false);
		expect(more.body.equals(BYTES)).toBe(true);
		const less = await rawGet(url);
		expect(less.headers['content-length']).toBe('5');
		expect(less.body.equals(BYTES.subarray(0, 5))).toBe(true);
		expect(sim.storageRequests().map((r) => [r.fault, r.complete])).toEqual([
			['wrongLength', false],
			['wrongLength', false],
		]);
		expect(sim.files()[0].downloads).toBe(0);
	});

	it('a policy decides for the requests the queue leaves; bad faults are refused; reset() clears both', async () => {
		const { sim, url } = await withUrl();
		sim.setStorageFaultPolicy((i) => (i % 2 === 0 ? { kind: 'forbidden' } : undefined));
		sim.injectStorageFaults([{ kind: 'notFound' }]);
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await fetch(url)).status);
		expect(statuses).toEqual([404, 200, 403, 200]);
		expect(() => sim.injectStorageFaults([{ kind: 'explode' } as never])).toThrow(/unknown fault/);
		expect(() => sim.injectStorageFaults([{ kind: 'redirect' } as never])).toThrow(/location/);
		expect(() => sim.injectStorageFaults([{ kind: 'trickle', intervalMs: -1 }])).toThrow(/intervalMs/);
		expect(() => sim.injectStorageFaults([{ kind: 'redirect', location: '/', status: 200 as never }])).toThrow(/status/);
		sim.injectStorageFaults([{ kind: 'forbidden' }]);
		sim.reset();
		expect(sim.storageRequests()).toEqual([]);
		const token = await getToken(sim);
		const again = sim.addDownloadableFile({ bytes: BYTES, robotCode: APP.clientId });
		const fresh = (await askDownload(sim, token, { downloadCode: again.downloadCode })).json.downloadUrl as string;
		expect((await fetch(fresh)).status).toBe(200);
	});

	it('stop() cuts a slow or trickling answer instead of waiting for it', async () => {
		const { sim, url } = await withUrl();
		sim.injectStorageFaults([{ kind: 'slow', delayMs: 60_000 }]);
		const pending = rawGet(url);
		await new Promise((r) => setTimeout(r, 50));
		await sim.stop();
		expect((await pending).complete).toBe(false);
	});
});
