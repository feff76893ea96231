// What people send a robot, message by message: every msgtype's body, the same over an HTTP
// callback and a Stream push, the files it refers to stored under fresh downloadCodes, replies
// quoting an earlier message, and what DingTalk never delivers refused.
import { DingTalkSimulator, INCOMING_MSGTYPES } from '../../simulator';
import type { RobotMessageOptions } from '../../simulator';
import { APP, getToken, groupSend, simulatorPool } from './openApiHelpers';
import { connectStream, download, sha256, startReceiver } from './incomingHelpers';
import type { Receiver, StreamClient } from './incomingHelpers';

const startSim = simulatorPool();
const receivers: Receiver[] = [];
const clients: StreamClient[] = [];
afterEach(async () => {
	for (const c of clients.splice(0)) c.close();
	await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000002', 'hex');
const JPG = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
const AMR = Buffer.concat([Buffer.from('#!AMR\n'), Buffer.alloc(40, 7)]);
const MP4 = Buffer.from('00000018667479706d703432000000006d703432', 'hex');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< >>\nendobj\n%%EOF\n');
/** 128 characters of base64, as long and opaque as DingTalk's. */
const CODE = expect.stringMatching(/^[A-Za-z0-9+/]{128}$/);
const ONE_TO_ONE = { conversation: { type: 'oneToOne' as const } };

/** Someone writes the same message twice: once as an HTTP callback, once over Stream; both bodies. */
async function bothWays(sim: DingTalkSimulator, options: RobotMessageOptions) {
	const receiver = await startReceiver();
	receivers.push(receiver);
	const client = await connectStream(sim);
	clients.push(client);
	await sim.deliverCallback(receiver.url, { ...options, robotCode: APP.clientId });
	sim.pushRobotMessage(APP.clientId, options);
	await client.until(1);
	const [viaCallback] = receiver.bodies;
	const [viaStream] = client.messages;
	// one builder: the same fields in the same order, whichever way it came
	expect(Object.keys(viaStream)).toEqual(Object.keys(viaCallback));
	return [viaCallback, viaStream];
}

describe('messages of every msgtype, over HTTP callbacks and Stream alike', () => {
	it('a text stays exactly as before: text.content with the blank of the cut mention, no content, no files', async () => {
		const sim = await startSim();
		for (const body of await bothWays(sim, { text: 'status?' })) {
			expect(Object.keys(body)).toEqual([
				'conversationId', 'atUsers', 'chatbotCorpId', 'chatbotUserId', 'msgId', 'senderNick', 'isAdmin', 'senderStaffId',
				'sessionWebhookExpiredTime', 'createAt', 'senderCorpId', 'conversationType', 'senderId', 'conversationTitle',
				'isInAtList', 'sessionWebhook', 'text', 'robotCode', 'msgtype',
			]);
			expect(body).toMatchObject({ msgtype: 'text', text: { content: ' status?' }, robotCode: APP.clientId });
		}
		expect(sim.files()).toEqual([]);
		expect(INCOMING_MSGTYPES).toEqual(['text', 'picture', 'richText', 'audio', 'video', 'file']);
	});

	it('picture: content {downloadCode, pictureDownloadCode}, two different opaque codes, where text was; no text', async () => {
		const sim = await startSim();
		for (const body of await bothWays(sim, { msgtype: 'picture', file: { bytes: PNG, name: 'chart.png' } })) {
			expect(body.msgtype).toBe('picture');
			expect(body.content).toEqual({ downloadCode: CODE, pictureDownloadCode: CODE });
			expect('text' in body).toBe(false);
			const { downloadCode, pictureDownloadCode } = body.content as Record<string, string>;
			expect(downloadCode).not.toBe(pictureDownloadCode);
			const keys = Object.keys(body);
			expect(keys.indexOf('content')).toBe(keys.indexOf('sessionWebhook') + 1);
		}
	});

	it('richText: the parts in order, text as {text}, pictures as {type: picture, downloadCode, pictureDownloadCode}', async () => {
		const sim = await startSim();
		const parts = [{ text: 'Look at ' }, { picture: { bytes: PNG, name: 'a.png' } }, { text: ' and ' }, { picture: { bytes: JPG, name: 'b.jpg' } }];
		const picture = { type: 'picture', downloadCode: CODE, pictureDownloadCode: CODE };
		for (const body of await bothWays(sim, { msgtype: 'richText', parts })) {
			expect(body).toMatchObject({ msgtype: 'richText', conversationType: '2' });
			expect(body.content).toEqual({ richText: [{ text: 'Look at ' }, picture, { text: ' and ' }, picture] });
		}
		// each picture is a file of its own, for the robot the message went to
		expect(sim.files().map((f) => [f.kind, f.name, f.sha256, f.robotCode])).toEqual(
			[PNG, JPG, PNG, JPG].map((b, i) => ['picture', i % 2 ? 'b.jpg' : 'a.png', sha256(b), APP.clientId]),
		);
	});

	it('audio (one-to-one): content {downloadCode, recognition, duration}; recognition and duration only when given', async () => {
		const sim = await startSim();
		const [a, b] = await bothWays(sim, { ...ONE_TO_ONE, msgtype: 'audio', file: { bytes: AMR, name: 'v.amr' }, recognition: '明天开会吗', duration: 3000 });
		for (const body of [a, b]) {
			expect(body).toMatchObject({ msgtype: 'audio', conversationType: '1' });
			expect(body.content).toEqual({ downloadCode: CODE, recognition: '明天开会吗', duration: 3000 });
			expect(Object.keys(body.content as object)).toEqual(['downloadCode', 'recognition', 'duration']);
		}
		const bare = sim.pushRobotMessage(APP.clientId, { ...ONE_TO_ONE, msgtype: 'audio' });
		expect(bare.body.content).toEqual({ downloadCode: CODE });
		const asString = sim.pushRobotMessage(APP.clientId, { ...ONE_TO_ONE, msgtype: 'audio', duration: '3000' });
		expect(asString.body.content).toEqual({ downloadCode: CODE, duration: '3000' });
		expect(sim.files().at(-1)).toMatchObject({ kind: 'audio', name: 'voice.amr' });
	});

	it('video (one-to-one): content {downloadCode, duration, videoType}; videoType from the name, else mp4; duration 5000 by default', async () => {
		const sim = await startSim();
		for (const body of await bothWays(sim, { ...ONE_TO_ONE, msgtype: 'video', file: { bytes: MP4, name: 'Clip.MOV' }, duration: 12_000 })) {
			expect(body.content).toEqual({ downloadCode: CODE, duration: 12_000, videoType: 'mov' });
		}
		expect(sim.pushRobotMessage(APP.clientId, { ...ONE_TO_ONE, msgtype: 'video' }).body.content).toEqual({ downloadCode: CODE, duration: 5000, videoType: 'mp4' });
		expect(sim.pushRobotMessage(APP.clientId, { ...ONE_TO_ONE, msgtype: 'video', videoType: 'webm' }).body.content).toMatchObject({ videoType: 'webm' });
	});

	it('file (one-to-one): content {downloadCode, fileName}', async () => {
		const sim = await startSim();
		for (const body of await bothWays(sim, { ...ONE_TO_ONE, msgtype: 'file', file: { bytes: PDF, name: '季度报告 Q3.pdf' } })) {
			expect(body).toMatchObject({ msgtype: 'file', content: { downloadCode: CODE, fileName: '季度报告 Q3.pdf' } });
			expect(Object.keys(body.content as object)).toEqual(['downloadCode', 'fileName']);
		}
	});

	it('other msgtypes (interactiveCard, unknownMsgType) carry their content as given, in a group too', async () => {
		const sim = await startSim();
		const card = { cardTemplateId: 'StandardCard', cardData: { title: 'Approve?' } };
		for (const body of await bothWays(sim, { msgtype: 'interactiveCard', content: card })) {
			expect(body).toMatchObject({ msgtype: 'interactiveCard', content: card, conversationType: '2' });
		}
		expect(sim.pushRobotMessage(APP.clientId, { msgtype: 'unknownMsgType' }).body).toMatchObject({ msgtype: 'unknownMsgType', content: {} });
		expect(sim.files()).toEqual([]);
	});

	it('contentAsString: content is its JSON text, for any msgtype with a content object', async () => {
		const sim = await startSim();
		for (const body of await bothWays(sim, { msgtype: 'picture', contentAsString: true })) {
			expect(typeof body.content).toBe('string');
			expect(JSON.parse(body.content as string)).toEqual({ downloadCode: CODE, pictureDownloadCode: CODE });
		}
		const rich = sim.pushRobotMessage(APP.clientId, { msgtype: 'richText', parts: [{ text: 'x' }], contentAsString: true });
		expect(rich.body.content).toBe('{"richText":[{"text":"x"}]}');
	});

	it('every file is stored under its code, for the robotCode of the body, with its message, bytes and sha256, and downloads byte for byte', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const [viaCallback, viaStream] = await bothWays(sim, { ...ONE_TO_ONE, msgtype: 'file', file: { bytes: PDF, name: 'r.pdf', mimeType: 'application/pdf' } });
		const files = sim.files();
		expect(files.map((f) => [f.downloadCode, f.msgId, f.robotCode, f.size, f.sha256, f.mimeType])).toEqual(
			[viaCallback, viaStream].map((b) => [(b.content as { downloadCode: string }).downloadCode, b.msgId, APP.clientId, PDF.length, sha256(PDF), 'application/pdf']),
		);
		for (const f of files) {
			const got = await download(sim, token, f.downloadCode);
			expect([got.status, got.contentType, sha256(got.bytes)]).toEqual([200, 'application/pdf', sha256(PDF)]);
		}
		// a callback's default robotCode belongs to no app: a file for it is stored under that robotCode
		const receiver = await startReceiver();
		receivers.push(receiver);
		await sim.deliverCallback(receiver.url, { msgtype: 'picture' });
		expect(sim.files().at(-1)).toMatchObject({ robotCode: 'dingrobotsimulator', kind: 'picture', name: 'picture.png' });
	});
});

describe('replies quoting an earlier message', () => {
	it('a quoted text: text {content, isReplyMsg, repliedMsg {msgType, msgId, senderId, createdAt, content {text}}}, no original* fields', async () => {
		const sim = await startSim({ now: () => 1_700_000_000_000 });
		const quote = { text: 'the build is red', msgId: 'msgQuoted01', senderId: '$:LWCP_v1:$liSi' };
		for (const body of await bothWays(sim, { text: 'why?', quote })) {
			expect(body.text).toEqual({
				content: ' why?',
				isReplyMsg: true,
				repliedMsg: { msgType: 'text', msgId: 'msgQuoted01', senderId: '$:LWCP_v1:$liSi', createdAt: 1_700_000_000_000 - 60_000, content: { text: 'the build is red' } },
			});
			expect('originalMsgId' in body || 'originalProcessQueryKey' in body).toBe(false);
		}
	});

	it("the robot's own message: senderId the robot's, originalMsgId and originalProcessQueryKey (of a real send) in the body", async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const sent = await groupSend(sim, token, 'sampleText', { content: 'Deploy done' });
		const processQueryKey = sent.json.processQueryKey as string;
		const [a, b] = await bothWays(sim, { text: 'thanks', quote: { fromRobot: { processQueryKey }, text: 'Deploy done', createdAt: 7 } });
		for (const body of [a, b]) {
			const { repliedMsg } = body.text as { repliedMsg: Record<string, unknown> };
			expect(repliedMsg).toEqual({ msgType: 'text', msgId: expect.stringMatching(/^msg[0-9a-f]{24}$/), senderId: body.chatbotUserId, createdAt: 7, content: { text: 'Deploy done' } });
			expect(body).toMatchObject({ originalMsgId: repliedMsg.msgId, originalProcessQueryKey: processQueryKey });
			const keys = Object.keys(body);
			expect(keys.slice(keys.indexOf('text'))).toEqual(['text', 'originalMsgId', 'originalProcessQueryKey', 'robotCode', 'msgtype']);
		}
		const plain = sim.pushRobotMessage(APP.clientId, { quote: { fromRobot: true } });
		expect(plain.body.originalProcessQueryKey).toMatch(/^[A-Za-z0-9+/]{32}$/);
		expect((plain.body.text as { repliedMsg: { content: unknown } }).repliedMsg.content).toEqual({ text: 'an earlier message' });
	});

	it('a quoted file or picture: its content object with a downloadCode, stored for the quoted message and downloadable', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const fileQuote = sim.pushRobotMessage(APP.clientId, { text: 'summarise it', quote: { msgtype: 'file', file: { bytes: PDF, name: 'old.pdf' }, msgId: 'msgOldFile' } });
		const replied = (fileQuote.body.text as { repliedMsg: Record<string, unknown> }).repliedMsg;
		expect(replied).toMatchObject({ msgType: 'file', msgId: 'msgOldFile', content: { downloadCode: CODE, fileName: 'old.pdf' } });
		expect(fileQuote.body.conversationType).toBe('2'); // a file someone posted in the group can be quoted there
		const stored = sim.files();
		expect(stored).toEqual([expect.objectContaining({ msgId: 'msgOldFile', kind: 'file', robotCode: APP.clientId })]);
		expect(sha256((await download(sim, token, (replied.content as { downloadCode: string }).downloadCode)).bytes)).toBe(sha256(PDF));
		const pictureQuote = sim.pushRobotMessage(APP.clientId, { text: 'what is this?', quote: { file: { bytes: PNG } } });
		expect((pictureQuote.body.text as { repliedMsg: Record<string, unknown> }).repliedMsg).toMatchObject({
			msgType: 'picture',
			content: { downloadCode: CODE, pictureDownloadCode: CODE },
		});
		const richQuote = sim.pushRobotMessage(APP.clientId, { text: 'and?', quote: { parts: [{ text: 'see' }] } });
		expect((richQuote.body.text as { repliedMsg: Record<string, unknown> }).repliedMsg).toMatchObject({ msgType: 'richText', content: { richText: [{ text: 'see' }] } });
	});
});

describe('what DingTalk never delivers is refused before anything happens', () => {
	it('audio, video and file in a group throw (DingTalk delivers them one-to-one only), over both ways', async () => {
		const sim = await startSim();
		const receiver = await startReceiver();
		receivers.push(receiver);
		for (const msgtype of ['audio', 'video', 'file']) {
			await expect(sim.deliverCallback(receiver.url, { msgtype })).rejects.toThrow(new RegExp(`delivers ${msgtype} only in a one-to-one chat`));
			expect(() => sim.pushRobotMessage(APP.clientId, { msgtype, conversation: { type: 'group' } })).toThrow(/one-to-one/);
		}
		expect(receiver.bodies).toEqual([]);
		expect(sim.streamPushes()).toEqual([]);
		expect(sim.callbacks).toEqual([]);
		expect(sim.files()).toEqual([]);
	});

	it('options that do not go with the msgtype, and malformed ones, throw', () => {
		const sim = new DingTalkSimulator();
		sim.addApp(APP);
		const bad: [RobotMessageOptions, RegExp][] = [
			[{ msgtype: 'picture', text: 'hi' }, /text does not go with msgtype picture/],
			[{ file: { bytes: PNG } }, /file does not go with msgtype text/],
			[{ msgtype: 'picture', quote: { text: 'x' } }, /quote does not go with msgtype picture/],
			[{ msgtype: 'file', ...ONE_TO_ONE, recognition: 'x' }, /recognition does not go with msgtype file/],
			[{ msgtype: 'picture', parts: [{ text: 'x' }] }, /parts does not go/],
			[{ msgtype: 'interactiveCard', file: { bytes: PNG } }, /file does not go with msgtype interactiveCard/],
			[{ contentAsString: true }, /contentAsString/],
			[{ msgtype: 'richText', parts: [] }, /non-empty array/],
			[{ msgtype: 'richText', parts: [{ text: 'x', picture: { bytes: PNG } } as never] }, /parts must hold/],
			[{ msgtype: 'picture', file: { bytes: 'not bytes' } as never }, /bytes: Buffer/],
			[{ msgtype: 'audio', ...ONE_TO_ONE, duration: -1 }, /duration/],
			[{ msgtype: '' }, /msgtype must be a non-empty string/],
			[{ quote: { fromRobot: true, senderId: 'x' } }, /senderId does not go with fromRobot/],
			[{ quote: { msgtype: 'picture', text: 'x' } }, /quote.text does not go/],
		];
		for (const [options, error] of bad) expect(() => sim.pushRobotMessage(APP.clientId, options)).toThrow(error);
	});
});

describe('the group page', () => {
	it('shows what arrived in words: pictures, voice, video, files, rich text, other types and the quoted message', async () => {
		const sim = await startSim();
		const push = (options: RobotMessageOptions) => sim.pushRobotMessage(APP.clientId, { sender: { nick: 'Li <Si>' }, ...options });
		push({ msgtype: 'picture', file: { bytes: PNG, name: 'chart <1>.png' } });
		push({ ...ONE_TO_ONE, msgtype: 'audio', recognition: 'recognised text', duration: 3000 });
		push({ ...ONE_TO_ONE, msgtype: 'audio' });
		push({ ...ONE_TO_ONE, msgtype: 'video', file: { bytes: MP4, name: 'clip.mp4' }, duration: 12_000 });
		push({ ...ONE_TO_ONE, msgtype: 'file', file: { bytes: PDF, name: 'report.pdf' } });
		push({ msgtype: 'richText', parts: [{ text: 'before' }, { picture: { bytes: PNG, name: 'x.png' } }, { text: 'after' }] });
		push({ msgtype: 'interactiveCard' });
		push({ text: 'why?', quote: { fromRobot: true, text: 'Deploy done' } });
		push({ text: 'this one', quote: { msgtype: 'file', file: { bytes: PDF, name: 'old.pdf' } } });
		const page = await (await fetch(`${sim.baseUrl}/`)).text();
		const rows = [
			'<span class="at">@n8n robot</span> [picture chart &lt;1&gt;.png]',
			'[voice 3 s: &#39;recognised text&#39;]',
			'· one-to-one</div><div class="bubble">[voice]',
			'[video clip.mp4, 12 s]',
			'[file report.pdf]',
			'before [picture x.png] after',
			'[interactiveCard]',
			'<div class="quote">Reply to n8n robot: Deploy done</div><span class="at">@n8n robot</span> why?',
			'<div class="quote">Reply to an earlier message: [file old.pdf]</div>',
		];
		const at = rows.map((row) => page.indexOf(row));
		expect(at.every((i) => i >= 0)).toBe(true);
		expect([...at].sort((x, y) => x - y)).toEqual(at);
		expect(page).toContain('Li &lt;Si&gt;');
		expect(page).toContain('9 messages received');
		expect(page).not.toContain(sim.files()[0].downloadCode);
	});
});
