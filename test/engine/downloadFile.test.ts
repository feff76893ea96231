/**
 * Download File (the DingTalk Robot node) in n8n's WorkflowExecute against the simulator: the
 * downloadCode → DingTalk's link → the file on DingTalk's storage (another host), byte for byte,
 * its type read from its bytes; no token at the storage; refusals, caps, timeouts and redirects
 * each a clear error that names the item; the link never in an output.
 */
import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import { runRobotWorkflow } from './n8nEngine';
import { useSimulator } from './simulatorFixture';
import { appCredential as simulatorAppCredential } from './streamTrigger';

const sim = useSimulator({ openapi: { qpsLimit: false } }, []);
const APP = { clientId: 'dingdownload0001', clientSecret: 'downloadSecret-4Kq9', robotCode: 'dingdownload0001' };
sim.addApp(APP);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** The app's credential; the storage host listed as plain http too (the simulator has no TLS). */
const credential = (extra: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => ({
	...simulatorAppCredential(sim, APP),
	plainHttpHosts: `${sim.host}, ${sim.storageHost}`,
	...extra,
});
const download = (extra: Record<string, unknown> = {}): INodeParameters => ({ operation: 'downloadFile', ...extra }) as INodeParameters;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(3 * 1024 * 1024, 7)]);

test('a picture from a trigger item: byte for byte, named and typed from its bytes, the item kept; no token at the storage', async () => {
	const file = sim.addDownloadableFile({ bytes: PNG, robotCode: APP.robotCode, kind: 'picture' });
	const item = { text: '', attachments: [{ type: 'picture', fileName: 'picture', extension: '', downloadCode: file.downloadCode }], robotCode: APP.robotCode };
	const { output, error, run } = await runRobotWorkflow({ items: [item], parameters: download(), credential: {}, appCredential: credential() });
	expect(error).toBeUndefined();
	expect(output[0].json).toEqual(item);
	const binary = output[0].binary?.data;
	expect(binary).toMatchObject({ fileName: 'picture.png', mimeType: 'image/png', fileExtension: 'png' });
	expect(sha256(Buffer.from(binary?.data ?? '', 'base64'))).toBe(sha256(PNG));
	const [request] = sim.storageRequests();
	expect(request.outcome).toBe('served');
	const token = sim.accessTokens()[0].accessToken;
	expect(JSON.stringify(request.headers)).not.toContain(token);
	expect(Object.keys(request.headers).some((name) => /token|authorization/i.test(name))).toBe(false);
	// the link (a key to the file while it lives) is in no output
	expect(JSON.stringify(run.data.resultData.runData)).not.toContain(sim.fileDownloads()[0].downloadUrl.split('?')[1]);
});

test('refusals name the item and say why: an expired code, a file over Max File Size (refused on its announced length), the storage refusing, a redirect not followed', async () => {
	const big = sim.addDownloadableFile({ bytes: Buffer.alloc(2 * 1024 * 1024, 1), robotCode: APP.robotCode, name: 'big.bin' });
	const expired = sim.addDownloadableFile({ bytes: Buffer.from('old'), robotCode: APP.robotCode });
	sim.expireDownloadCodes(expired.downloadCode);
	const refused = sim.addDownloadableFile({ bytes: Buffer.from('%PDF-1.4'), robotCode: APP.robotCode });
	const moved = sim.addDownloadableFile({ bytes: Buffer.from('%PDF-1.4'), robotCode: APP.robotCode });
	sim.setStorageFaultPolicy((index) => (index === 1 ? { kind: 'forbidden' } : index === 2 ? { kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere' } : undefined));
	const { output } = await runRobotWorkflow({
		items: [big, expired, refused, moved].map((f) => ({ code: f.downloadCode })),
		parameters: download({ downloadCode: '={{ $json.code }}', downloadOptions: { maxFileSizeMb: 1 } }),
		credential: {},
		appCredential: credential(),
		continueOnFail: true,
	});
	expect(output.map((o) => o.json.error)).toEqual([
		'Item 0: the file was not downloaded: the file is 2.0 MB, more than 1.0 MB, the most this downloads (Max File Size)',
		expect.stringMatching(/^Item 1: the file was not downloaded: .*invalidParameter\.downloadCode\.expired/),
		'Item 2: the file was not downloaded: the storage refused the file (HTTP 403); the download link may have expired',
		'Item 3: the file was not downloaded: the storage answered with a redirect (HTTP 302), which is not followed',
	]);
	expect(output.map((o) => o.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }], [{ item: 3 }]]);
});

test('a storage that trickles past the timeout is cut; a link to an unlisted plain-http host is never fetched', async () => {
	const slow = sim.addDownloadableFile({ bytes: Buffer.alloc(64 * 1024, 2), robotCode: APP.robotCode });
	sim.injectStorageFaults([{ kind: 'trickle', chunkBytes: 1024, intervalMs: 100 }]);
	const cut = await runRobotWorkflow({ items: [{ code: slow.downloadCode }], parameters: download({ downloadCode: '={{ $json.code }}', downloadOptions: { timeoutSeconds: 1 } }), credential: {}, appCredential: credential(), continueOnFail: true });
	expect(cut.output[0].json.error).toBe('Item 0: the file was not downloaded: the file did not arrive within 1 s');

	sim.reset();
	const file = sim.addDownloadableFile({ bytes: Buffer.from('x'), robotCode: APP.robotCode });
	const unlisted = await runRobotWorkflow({ items: [{ code: file.downloadCode }], parameters: download({ downloadCode: '={{ $json.code }}' }), credential: {}, appCredential: credential({ plainHttpHosts: sim.host ?? '' }), continueOnFail: true });
	expect(unlisted.output[0].json.error).toBe(
		`Item 0: the file was not downloaded: DingTalk's download link uses plain http:// to ${sim.storageHost}, which is not listed as a plain-HTTP host; the download link would travel unencrypted`,
	);
	expect(sim.storageRequests()).toEqual([]);
});

test('fields are checked before DingTalk is asked', async () => {
	const { error } = await runRobotWorkflow({ items: [{}], parameters: download({ downloadCode: '={{ "" }}' }), credential: {}, appCredential: credential() });
	expect(error?.message).toBe('Item 0: "Download Code" is required');
	expect(sim.openApiRequests()).toEqual([]);
});
