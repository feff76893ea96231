/**
 * Download Attachments on the Stream trigger, in n8n-core's TriggerContext over a real WebSocket
 * to the simulator: a picture, a voice note and a file arrive as binary data byte for byte, typed
 * from their bytes; a rich text's pictures each get their own; a file that fails (expired, refused,
 * too large) is marked with the reason and the message still runs; nothing of the token in the item.
 */
import { createHash } from 'crypto';

import { closeTriggers, startTrigger } from './httpTrigger';
import { useSimulator } from './simulatorFixture';
import { APP, activate, appCredential, eventually, openConnections } from './streamTrigger';

const sim = useSimulator({}, []);
sim.addApp(APP);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200 * 1024, 5)]);
const AMR = Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), Buffer.alloc(4096, 9)]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const oneToOne = { type: 'oneToOne' as const };
/** The app's credential with the storage host listed as plain http too (the simulator has no TLS). */
const credential = () => ({ ...appCredential(sim), plainHttpHosts: `${sim.host}, ${sim.storageHost}` });

async function listening(options = {}) {
	const trigger = await activate(credential(), { parameters: { downloadAttachments: true }, options });
	await eventually(() => openConnections(sim)[0], 'the connection');
	return trigger;
}

test('a picture, a voice note and a file, one-to-one: binary data byte for byte, typed from their bytes; the voice note\'s recognition as the text', async () => {
	const trigger = await listening();
	sim.pushRobotMessage(APP.clientId, { msgtype: 'picture', file: { bytes: PNG }, conversation: oneToOne });
	sim.pushRobotMessage(APP.clientId, { msgtype: 'audio', file: { bytes: AMR }, recognition: '明天上午十点开会', duration: 3000, conversation: oneToOne });
	sim.pushRobotMessage(APP.clientId, { msgtype: 'file', file: { bytes: PDF, name: 'Q3 report.pdf' }, conversation: oneToOne });
	await eventually(() => (trigger.emittedItems.length === 3 ? true : undefined), 'three items');
	const byType = Object.fromEntries(trigger.emittedItems.map((item) => [item.json.messageType, item]));
	expect(byType.picture.json.attachments).toEqual([
		expect.objectContaining({ type: 'picture', fileName: 'picture.png', extension: 'png', mimeType: 'image/png', size: PNG.length, downloaded: true, binaryProperty: 'attachment_0' }),
	]);
	expect(sha256(Buffer.from(byType.picture.binary?.attachment_0.data ?? '', 'base64'))).toBe(sha256(PNG));
	expect(byType.audio.json).toMatchObject({ text: '明天上午十点开会', attachments: [expect.objectContaining({ type: 'audio', fileName: 'voice.amr', mimeType: 'audio/amr', duration: 3000, downloaded: true })] });
	expect(byType.file.binary?.attachment_0).toMatchObject({ fileName: 'Q3 report.pdf', mimeType: 'application/pdf' });
	expect(sha256(Buffer.from(byType.file.binary?.attachment_0.data ?? '', 'base64'))).toBe(sha256(PDF));
	// the storage never saw the token, and the items hold neither it nor the links
	const token = sim.accessTokens()[0].accessToken;
	expect(JSON.stringify(sim.storageRequests().map((r) => r.headers))).not.toContain(token);
	const items = JSON.stringify(trigger.emittedItems.map((item) => item.json));
	expect(items).not.toContain(token);
	for (const download of sim.fileDownloads()) expect(items).not.toContain(download.downloadUrl.split('?')[1]);
	await trigger.close();
});

test('a rich text from a group: its text in order, each picture its own binary property', async () => {
	const trigger = await listening();
	const other = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(1024, 3)]);
	sim.pushRobotMessage(APP.clientId, { msgtype: 'richText', parts: [{ text: 'before ' }, { picture: { bytes: PNG } }, { text: 'after' }, { picture: { bytes: other } }] });
	await eventually(() => trigger.emittedItems[0], 'the item');
	const [item] = trigger.emittedItems;
	expect(item.json.text).toBe('before after');
	expect(Object.keys(item.binary ?? {})).toEqual(['attachment_0', 'attachment_1']);
	expect([item.binary?.attachment_0.mimeType, item.binary?.attachment_1.mimeType]).toEqual(['image/png', 'image/jpeg']);
	await trigger.close();
});

test('a file that fails is marked with the reason, and the message still runs: an expired code, the storage refusing, one over Max File Size', async () => {
	const trigger = await listening({ maxFileSizeMb: 0.1 });
	const expired = sim.pushRobotMessage(APP.clientId, { msgtype: 'file', file: { bytes: PDF, name: 'old.pdf' }, conversation: oneToOne });
	sim.expireDownloadCodes(sim.files().find((file) => file.msgId === expired.msgId)?.downloadCode);
	await eventually(() => trigger.emittedItems[0], 'the first item');
	sim.injectStorageFaults([{ kind: 'forbidden' }]);
	sim.pushRobotMessage(APP.clientId, { msgtype: 'file', file: { bytes: PDF, name: 'refused.pdf' }, conversation: oneToOne });
	await eventually(() => trigger.emittedItems[1], 'the second item');
	sim.pushRobotMessage(APP.clientId, { msgtype: 'picture', file: { bytes: PNG }, conversation: oneToOne });
	await eventually(() => trigger.emittedItems[2], 'the third item');
	expect(trigger.emittedItems.map((item) => [item.binary, (item.json.attachments as Array<{ downloaded: boolean; reason: string }>)[0]])).toEqual([
		[undefined, expect.objectContaining({ downloaded: false, reason: expect.stringMatching(/invalidParameter\.downloadCode\.expired/) })],
		[undefined, expect.objectContaining({ downloaded: false, reason: 'the storage refused the file (HTTP 403); the download link may have expired' })],
		[undefined, expect.objectContaining({ downloaded: false, reason: expect.stringMatching(/^the file is 0\.20 MB, more than 0\.10 MB/) })],
	]);
	await trigger.close();
});

test('without Download Attachments: the attachments with their downloadCodes, nothing downloaded', async () => {
	const trigger = await activate(credential());
	await eventually(() => openConnections(sim)[0], 'the connection');
	sim.pushRobotMessage(APP.clientId, { msgtype: 'picture', file: { bytes: PNG }, conversation: oneToOne });
	await eventually(() => trigger.emittedItems[0], 'the item');
	expect(trigger.emittedItems[0].binary).toBeUndefined();
	expect(trigger.emittedItems[0].json.attachments).toEqual([{ type: 'picture', fileName: 'picture', extension: '', downloadCode: sim.files()[0].downloadCode }]);
	expect(sim.fileDownloads()).toEqual([]);
	await trigger.close();
});

describe('the HTTP trigger, with its optional DingTalk App credential', () => {
	afterEach(async () => await closeTriggers());

	test('a file one-to-one arrives as binary data on the execution\'s item', async () => {
		const trigger = await startTrigger({ appSecret: APP.clientSecret }, { parameters: { downloadAttachments: true }, appCredential: credential() });
		const answer = await sim.deliverCallback(trigger.url, { appSecret: APP.clientSecret, msgtype: 'file', file: { bytes: PDF, name: 'Q3 report.pdf' }, conversation: oneToOne, robotCode: APP.clientId });
		expect(answer.status).toBe(200);
		await trigger.until(() => trigger.runItems.length === 1);
		const [item] = trigger.runItems;
		expect(item.json.attachments).toEqual([expect.objectContaining({ fileName: 'Q3 report.pdf', downloaded: true, binaryProperty: 'attachment_0', size: PDF.length })]);
		expect(sha256(Buffer.from(item.binary?.attachment_0.data ?? '', 'base64'))).toBe(sha256(PDF));
	});

	test('an unusable App credential marks the files, and the message still runs', async () => {
		const trigger = await startTrigger({ appSecret: APP.clientSecret }, { parameters: { downloadAttachments: true }, appCredential: { ...credential(), clientSecret: 'not-the-secret' } });
		await sim.deliverCallback(trigger.url, { appSecret: APP.clientSecret, msgtype: 'picture', file: { bytes: PNG }, robotCode: APP.clientId });
		await trigger.until(() => trigger.runItems.length === 1);
		expect(trigger.runItems[0].binary).toBeUndefined();
		expect(trigger.runItems[0].json.attachments).toEqual([
			expect.objectContaining({ downloaded: false, reason: expect.stringMatching(/^No access token for the app of the DingTalk App credential 'DingTalk App': DingTalk does not accept this Client ID and Client Secret/) }),
		]);
		expect(JSON.stringify(trigger.runItems)).not.toContain('not-the-secret');
	});
});
