// Uploading media through the simulated oapi.dingtalk.com/media/upload, and the multipart reader behind it.
import { createHash } from 'node:crypto';
import { boundaryOf, parseMultipart } from '../../simulator/multipart';
import { APP, CID, getToken, groupSend, simulatorPool, upload } from './openApiHelpers';

const startSim = simulatorPool();
const MB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('POST /media/upload', () => {
	it('answers {errcode 0, media_id, created_at, type} and records the bytes\' sha256, filename, content type and size', async () => {
		const sim = await startSim({ now: () => 1_605_863_153_573 });
		const token = await getToken(sim);
		// binary content with CR, LF, dashes and a fake boundary inside
		const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x2d, 0x2d, 0x0d, 0x0a, 0x2d, 0x2d, 0x66, 0, 255, 0x0d, 0x0a]);
		const res = await upload(sim, { token, bytes, filename: '图表 1.png' });
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ errcode: 0, errmsg: 'ok', media_id: expect.stringMatching(/^@lA[\w-]+$/), created_at: 1_605_863_153_573, type: 'image' });
		expect(sim.mediaUploads()).toEqual([
			{
				at: 1_605_863_153_573,
				accessToken: token,
				clientId: APP.clientId,
				type: 'image',
				errcode: 0,
				errmsg: 'ok',
				mediaId: res.json.media_id,
				filename: '图表 1.png',
				contentType: 'image/png',
				partHeaders: ['content-disposition', 'content-type'],
				size: bytes.length,
				sha256: sha256(bytes),
			},
		]);
		// on the oapi host: in `requests`, without the bytes
		expect(sim.requests.map((r) => [r.path, r.errcode, r.rawBody])).toEqual([['/media/upload', 0, '']]);
		expect(JSON.stringify([sim.mediaUploads(), sim.requests])).not.toContain(APP.clientSecret);
	});

	it('takes each type with its extensions, type as a form field too; refuses a wrong type or extension', async () => {
		const sim = await startSim({ openapi: { qpsLimit: false } });
		const token = await getToken(sim);
		const ok = [
			['image', 'a.JPG'],
			['image', 'a.gif'],
			['image', 'a.bmp'],
			['voice', 'a.amr'],
			['voice', 'a.mp3'],
			['voice', 'a.wav'],
			['video', 'a.mp4'],
			['file', 'a.docx'],
			['file', 'a.xlsx'],
			['file', 'a.pptx'],
			['file', 'a.pdf'],
			['file', 'a.zip'],
			['file', 'a.rar'],
		];
		for (const [type, filename] of ok) {
			const res = await upload(sim, { token, type, filename, typeInForm: filename === 'a.pdf' });
			expect([type, filename, res.json.errcode, res.json.type]).toEqual([type, filename, 0, type]);
		}
		expect((await upload(sim, { token, type: 'picture' })).json).toEqual({ errcode: 40004, errmsg: '不合法的媒体文件类型' });
		expect((await upload(sim, { token, type: '' })).json.errcode).toBe(40004);
		const wrong = [
			['image', 'photo.jpeg'],
			['image', 'photo.webp'],
			['voice', 'a.ogg'],
			['video', 'a.mov'],
			['file', 'a.txt'],
			['file', 'no-extension'],
		];
		for (const [type, filename] of wrong) {
			expect([type, filename, (await upload(sim, { token, type, filename })).json]).toEqual([type, filename, { errcode: 40005, errmsg: '不合法的文件类型' }]);
		}
		expect(sim.mediaUploads().filter((u) => u.errcode === 0)).toHaveLength(ok.length);
	});

	it('refuses a file over its type\'s limit (image 20 MB, voice 2 MB), an empty file and a form without media', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const voiceOk = await upload(sim, { token, type: 'voice', filename: 'v.mp3', bytes: new Uint8Array(2 * MB) });
		expect(voiceOk.json.errcode).toBe(0);
		const tooBig = { errcode: 40006, errmsg: '不合法的文件大小' };
		expect((await upload(sim, { token, type: 'voice', filename: 'v.mp3', bytes: new Uint8Array(2 * MB + 1) })).json).toEqual(tooBig);
		expect((await upload(sim, { token, bytes: new Uint8Array(20 * MB + 1) })).json).toEqual(tooBig);
		expect((await upload(sim, { token, type: 'file', filename: 'big.zip', bytes: new Uint8Array(25 * MB) })).json).toEqual(tooBig);
		expect((await upload(sim, { token, bytes: new Uint8Array(0) })).json).toEqual({ errcode: 44001, errmsg: '多媒体文件为空' });
		expect((await upload(sim, { token, field: 'file' })).json).toEqual({ errcode: 40035, errmsg: '缺少参数 media' });
		const json = await fetch(`${sim.baseUrl}/media/upload?access_token=${token}&type=image`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{"media":"not a file"}',
		});
		expect(await json.json()).toEqual({ errcode: 40035, errmsg: '缺少参数 media' });
		expect(sim.mediaUploads().map((u) => [u.errcode, u.size])).toEqual([
			[0, 2 * MB],
			[40006, 2 * MB + 1],
			[40006, 20 * MB + 1],
			[40006, undefined], // longer than the simulator reads: not parsed
			[44001, 0],
			[40035, undefined],
			[40035, undefined],
		]);
	});

	it('checks POST, the access_token query parameter (missing, unknown, expired), the permission qyapi_base and the QPS limit', async () => {
		const sim = await startSim({ now: () => 10_000 });
		const token = await getToken(sim);
		expect((await upload(sim, { token, method: 'GET' })).json).toEqual({ errcode: 43002, errmsg: '需要POST请求' });
		expect((await upload(sim, {})).json).toEqual({ errcode: 41001, errmsg: '缺少access_token参数' });
		expect((await upload(sim, { token: 'bad' })).json).toEqual({ errcode: 40014, errmsg: '不合法的access_token' });
		sim.setAppPermissions(APP.clientId, ['qyapi_robot_sendmsg']);
		expect((await upload(sim, { token })).json).toEqual({ errcode: 60011, errmsg: '应用尚未开通所需的权限：[qyapi_base]' });
		sim.setAppPermissions(APP.clientId, 'all');
		sim.setOpenApiQpsLimit(3);
		const codes: number[] = [];
		for (let i = 0; i < 4; i++) codes.push((await upload(sim, { token })).json.errcode as number);
		expect(codes).toEqual([0, 0, 0, 90018]); // the clock stands still: one second
		sim.expireAccessTokens();
		expect((await upload(sim, { token })).json).toEqual({ errcode: 40014, errmsg: '不合法的access_token' });
		expect(sim.mediaUploads().map((u) => [u.errcode, u.clientId])).toEqual([
			[43002, undefined],
			[41001, undefined],
			[40014, undefined],
			[60011, APP.clientId],
			...[0, 0, 0, 90018].map((errcode) => [errcode, APP.clientId]),
			[40014, undefined],
		]);
	});

	it('takes the oapi host\'s faults (injectFaults) and the OpenAPI latency', async () => {
		const sim = await startSim({ openapi: { latencyMs: 120 } });
		const token = await getToken(sim);
		sim.injectFaults([{ kind: 'http500', afterDelivery: true }, { kind: 'busy' }]);
		const a = await upload(sim, { token });
		expect(a.status).toBe(500);
		expect(sim.mediaUploads()[0].errcode).toBe(0); // uploaded, but answered badly
		expect((await upload(sim, { token })).json).toEqual({ errcode: -1, errmsg: '系统繁忙' });
		const started = Date.now();
		const c = await upload(sim, { token });
		expect(Date.now() - started).toBeGreaterThanOrEqual(110);
		expect(c.json.errcode).toBe(0);
		// a media id issued before a reset() is gone after it
		sim.reset();
		const fresh = await getToken(sim);
		expect((await groupSend(sim, fresh, 'sampleImageMsg', { photoURL: c.json.media_id })).json.code).toBe('invalid.media.id');
		expect(sim.groupMessages(CID)).toEqual([]);
	});
});

describe('the multipart reader', () => {
	const body = (...lines: (string | Buffer)[]) => Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(l, 'utf8') : l)));

	it('finds the boundary of multipart/form-data only, quoted or not', () => {
		expect(boundaryOf('multipart/form-data; boundary=----abc')).toBe('----abc');
		expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b;c"')).toBe('a b;c');
		expect(boundaryOf('multipart/mixed; boundary=x')).toBeUndefined();
		expect(boundaryOf('multipart/form-data')).toBeUndefined();
		expect(boundaryOf(`multipart/form-data; boundary=${'x'.repeat(71)}`)).toBeUndefined();
		expect(boundaryOf(undefined)).toBeUndefined();
	});

	it('reads parts byte for byte, after a preamble, with filename* and quoted names', () => {
		const binary = Buffer.from([0, 13, 10, 45, 45, 88, 13, 10, 255]);
		const parts = parseMultipart(
			body(
				'preamble\r\n--XB\r\n',
				'Content-Disposition: form-data; name="type"\r\n\r\nfile\r\n--XB\r\n',
				`Content-Disposition: form-data; name="media"; filename="a.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\r\n`,
				'Content-Type: application/pdf\r\n\r\n',
				binary,
				'\r\n--XB\r\n',
				'content-disposition: form-data; name="note"; filename="say \\"hi\\".txt"\r\n\r\n\r\n--XB--\r\nepilogue',
			),
			'XB',
		);
		expect(parts).toEqual([
			{ name: 'type', filename: undefined, contentType: undefined, headerNames: ['content-disposition'], data: Buffer.from('file') },
			{ name: 'media', filename: '报告.pdf', contentType: 'application/pdf', headerNames: ['content-disposition', 'content-type'], data: binary },
			{ name: 'note', filename: 'say "hi".txt', contentType: undefined, headerNames: ['content-disposition'], data: Buffer.alloc(0) },
		]);
	});

	it('refuses a body that breaks the grammar rather than guessing', () => {
		const part = 'Content-Disposition: form-data; name="media"; filename="a.png"\r\n\r\nx';
		expect(parseMultipart(body('--XB\r\n', part, '\r\n--XB--'), 'XB')).toHaveLength(1);
		expect(parseMultipart(body('--XB\r\n', part), 'XB')).toBeUndefined(); // no closing delimiter
		expect(parseMultipart(body('--XB\r\n', part, '\r\n--XB--'), 'OTHER')).toBeUndefined();
		expect(parseMultipart(body('--XB\r\nContent-Disposition: form-data; name="media"\r\nx\r\n--XB--'), 'XB')).toBeUndefined();
		expect(parseMultipart(body('--XB\r\nContent-Type: image/png\r\n\r\nx\r\n--XB--'), 'XB')).toBeUndefined(); // no disposition
		expect(parseMultipart(body('--XBjunk\r\n', part, '\r\n--XB--'), 'XB')).toBeUndefined();
	});
});
