// @ts-check
'use strict';
/**
 * Messages with pictures, voice notes, videos and files in a running n8n (`n8n start`, the same
 * one as the Stream cases: streamCases.js runs these after its own), through both triggers with
 * Download Attachments on:
 * - two probes (test/e2e/workflows/media-*-probe.json): trigger → n8n's Crypto node hashing the
 *   binary attachment_0 with SHA-256 → a reply "probe {…}" with what the item says (messageType,
 *   text, attachments, quoted, content, its binary properties) and the hash: the item's fields
 *   and the bytes n8n holds, read from the reply;
 * - the example echo bots answering: the HTTP one (examples/echo-bot.json, e2eEchoBot) and a copy
 *   of the Stream one (examples/stream-echo-bot.json) on an app of its own (e2eMediaStreamEcho,
 *   so that the Stream cases' two workflows do not run for these messages): a picture comes back
 *   from the app robot (uploaded from the binary: the same bytes) with its size and type, a voice
 *   note is answered with its recognition.
 * Each msgtype (text, rich text, picture, voice, video, file, a reply quoting a picture, a msgtype
 * nobody models) once per trigger; a 10 MB file through Stream, byte for byte; downloads that
 * fail (the storage refusing, an expired code) with the reason on the attachment and the workflow
 * run all the same; the editor's credential list still loads once the downloads stored tokens. After
 * n8n stopped: the executions it recorded, and nothing of an access token or of a download link's
 * signature in its executions or its log, nor a token at the storage.
 * E2E_CASES=media runs them alone (in an n8n of their own, the Stream cases' workflows not active).
 */
const { createHash, randomBytes } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const { APP, rest } = require('./streamCases');
const { CALLBACK_SECRETS, sleep, waitFor } = require('./triggerCases');

const MEDIA_APP = { clientId: 'dinge2emediaapp01', clientSecret: 'e2eMediaSecret-Pn4Rt8Xw2' };
/** The group pictures come from: both apps' robots are in it (the HTTP example answers as APP, the Stream copy as MEDIA_APP). */
const MEDIA_GROUP = 'cidE2eMediaGroup01==';
const SENDER = { nick: 'Zhang San', staffId: 'manager4521' };
const MEDIA_WEBHOOK = '5b0f4c1e-8f7d-4c55-a6f2-0d1e2c3b4a06/dingtalk';
/** Made active for the media cases (e2eEchoBot, the HTTP example, is active for the Stream cases already). */
const MEDIA_WORKFLOWS = ['e2eMediaStream', 'e2eMediaHttp', 'e2eMediaStreamEcho'];

const sha256 = (/** @type {Buffer} */ data) => createHash('sha256').update(data).digest('hex');
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(12 * 1024)]);
const JPEG = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), randomBytes(30 * 1024)]);
const AMR = Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), randomBytes(6 * 1024)]);
const MP4 = Buffer.concat([Buffer.from('000000186674797069736f6d', 'hex'), randomBytes(64 * 1024)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), randomBytes(20 * 1024), Buffer.from('\n%%EOF\n', 'latin1')]);
const BIG_BYTES = 10 * 1024 * 1024;

/** The media app, its group (with both apps' robots) and the sender as a user of the org (run.js, before the simulator starts). */
function addMediaFixtures(/** @type {any} */ sim) {
	sim.addApp(MEDIA_APP);
	sim.addGroup({ openConversationId: MEDIA_GROUP, title: 'E2E media', robotCodes: [APP.clientId, MEDIA_APP.clientId] });
	sim.addUser({ userId: SENDER.staffId, name: SENDER.nick });
}

/** The media app's credential; like every app credential here it lists the simulator's storage as a plain-http host. */
function mediaCredentials(/** @type {any} */ sim) {
	return [
		{
			id: 'dtMediaApp',
			name: 'DingTalk App (media)',
			type: 'dingTalkAppApi',
			data: { robotCode: '', baseUrl: sim.baseUrl, plainHttpHosts: `${sim.host}, ${sim.storageHost}`, clientId: MEDIA_APP.clientId, clientSecret: MEDIA_APP.clientSecret },
		},
	];
}

/**
 * What the cases leave to check once n8n stopped: the access tokens and download-link signatures
 * the simulator handed out (its records end at each reset), the storage requests that carried a
 * token, the executions each workflow should have recorded, and the msgIds sent to the probes (which
 * their executions must hold: the search reads what n8n recorded).
 * @typedef {{ tokens: Set<string>, signatures: Set<string>, tokenAtStorage: number, runs: Record<string, number>, msgIds: string[] }} MediaLedger
 */

/** @returns {MediaLedger} */
const newLedger = () => ({ tokens: new Set(), signatures: new Set(), tokenAtStorage: 0, runs: Object.fromEntries([...MEDIA_WORKFLOWS, 'e2eEchoBot'].map((id) => [id, 0])), msgIds: [] });

/** Takes the simulator's records into the ledger (before a reset clears them). */
function record(/** @type {any} */ sim, /** @type {MediaLedger} */ ledger) {
	const tokens = sim.accessTokens().map((/** @type {any} */ t) => t.accessToken);
	tokens.forEach((/** @type {string} */ token) => ledger.tokens.add(token));
	for (const download of sim.fileDownloads()) {
		const signature = new URL(download.downloadUrl).searchParams.get('Signature');
		if (signature) ledger.signatures.add(signature);
	}
	for (const request of sim.storageRequests()) {
		const seen = `${request.url} ${JSON.stringify(request.headers)}`;
		if (tokens.some((/** @type {string} */ token) => seen.includes(token))) ledger.tokenAtStorage++;
	}
}

/**
 * @typedef {'stream' | 'http'} Via
 * @typedef {{ sessionId: string, msgId: string }} Sent
 * @typedef {{ sim: any, via: Via, url: (webhook: string) => string, base: string, ledger: MediaLedger, log: (text: string) => void, examplesToAnswer: string[] }} MediaContext
 * examplesToAnswer: the sessions the Stream example copy answers in (the case waits for it before the next reset)
 */

/**
 * Sends a message to the probe of `via` (Stream: to the media app, whose example copy gets it
 * too; HTTP: a signed callback to the HTTP probe, the robot being APP's). Counts the runs.
 */
async function toProbe(/** @type {MediaContext} */ ctx, /** @type {Record<string, unknown>} */ options) {
	const { sim, via, ledger } = ctx;
	if (via === 'stream') {
		const pushed = sim.pushRobotMessage(MEDIA_APP.clientId, { sender: SENDER, ...options });
		if (!pushed.delivered) throw new Error('the gateway found no open connection of the media app');
		ledger.runs.e2eMediaStream++;
		ledger.runs.e2eMediaStreamEcho++;
		ledger.msgIds.push(pushed.msgId);
		ctx.examplesToAnswer.push(pushed.session.sessionId);
		return /** @type {Sent} */ ({ sessionId: pushed.session.sessionId, msgId: pushed.msgId });
	}
	const result = await sim.deliverCallback(ctx.url(MEDIA_WEBHOOK), { appSecret: CALLBACK_SECRETS.appSecret, sender: SENDER, robotCode: APP.clientId, ...options });
	if (result.status !== 200) throw new Error(`the HTTP probe answered ${result.status} ${result.bodyText.slice(0, 200)}`);
	ledger.runs.e2eMediaHttp++;
	ledger.msgIds.push(result.request.msgId);
	return /** @type {Sent} */ ({ sessionId: result.request.sessionId, msgId: result.request.msgId });
}

/**
 * The example echo bot of `via` gets the message: over Stream it had it with the probe's push; over
 * HTTP it is a callback of its own to the example (e2eEchoBot).
 */
async function toExample(/** @type {MediaContext} */ ctx, /** @type {Sent} */ sent, /** @type {Record<string, unknown>} */ options) {
	if (ctx.via === 'stream') return sent;
	const { WEBHOOKS } = require('./triggerCases');
	const result = await ctx.sim.deliverCallback(ctx.url(WEBHOOKS.e2eEchoBot), { appSecret: CALLBACK_SECRETS.appSecret, sender: SENDER, robotCode: APP.clientId, ...options });
	if (result.status !== 200) throw new Error(`the HTTP echo bot answered ${result.status} ${result.bodyText.slice(0, 200)}`);
	ctx.ledger.runs.e2eEchoBot++;
	return /** @type {Sent} */ ({ sessionId: result.request.sessionId, msgId: result.request.msgId });
}

/** @returns {string[]} */
const texts = (/** @type {any} */ sim, /** @type {string} */ sessionId) => sim.sessionReplies(sessionId).map((/** @type {any} */ r) => String(r.text?.content ?? ''));

/** The probe's report of the item (its reply "probe {…}"), or undefined when none came in time. */
async function report(/** @type {any} */ sim, /** @type {string} */ sessionId, timeoutMs = 60_000) {
	const line = await waitFor(() => texts(sim, sessionId).find((t) => t.startsWith('probe ')), timeoutMs);
	return line === undefined ? undefined : JSON.parse(line.slice('probe '.length));
}

/** The example's text replies other than the probe's, once there are `count`. */
async function exampleTexts(/** @type {any} */ sim, /** @type {string} */ sessionId, count = 1, timeoutMs = 60_000) {
	const others = () => texts(sim, sessionId).filter((t) => !t.startsWith('probe '));
	return (await waitFor(() => (others().length >= count ? others() : undefined), timeoutMs)) ?? others();
}

/** Compares the fields `want` names with the attachment's; the differences, in words. */
function attachmentProblems(/** @type {any} */ got, /** @type {Record<string, unknown>} */ want, /** @type {string} */ label) {
	if (!got) return [`${label}: no attachment`];
	return Object.entries(want).flatMap(([key, value]) => (JSON.stringify(got[key]) === JSON.stringify(value) ? [] : [`${label}.${key} ${JSON.stringify(got[key])}, expected ${JSON.stringify(value)}`]));
}

/** The item of a message whose one file arrived: its attachment, binary attachment_0 and SHA-256. */
function downloadedProblems(/** @type {any} */ item, /** @type {Buffer} */ bytes, /** @type {Record<string, unknown>} */ want) {
	if (!item) return ['no probe reply within 60 s: the workflow did not run'];
	const problems = [];
	if (item.attachments?.length !== 1) problems.push(`${item.attachments?.length} attachments`);
	problems.push(...attachmentProblems(item.attachments?.[0], { ...want, size: bytes.length, downloaded: true, binaryProperty: 'attachment_0' }, 'attachments[0]'));
	if (JSON.stringify(item.binary) !== '["attachment_0"]') problems.push(`binary properties ${JSON.stringify(item.binary)}`);
	if (item.sha256 !== sha256(bytes)) problems.push(`n8n's SHA-256 of attachment_0 ${item.sha256}, expected ${sha256(bytes)}`);
	return problems;
}

/**
 * The example answered a picture: the app robot sent it back (uploaded: the same bytes) into the
 * group, or one-to-one to the sender, and the session got its size and type.
 */
async function pictureBackProblems(/** @type {any} */ sim, /** @type {Sent} */ sent, /** @type {Buffer} */ bytes, /** @type {string} */ mimeType, /** @type {'group' | 'user'} */ where) {
	const problems = [];
	const sentBack = () => (where === 'group' ? sim.groupMessages(MEDIA_GROUP) : sim.userMessages(SENDER.staffId));
	const messages = await waitFor(() => (sentBack().length ? sentBack() : undefined), 60_000);
	if (!messages) return [`no picture came back ${where === 'group' ? 'to the group' : 'to the sender'} within 60 s`];
	if (messages.length !== 1 || messages[0].msgKey !== 'sampleImageMsg') problems.push(`sent back ${JSON.stringify(messages.map((/** @type {any} */ m) => m.msgKey))}`);
	const upload = sim.mediaUploads().find((/** @type {any} */ u) => u.mediaId && u.mediaId === messages[0].msgParam?.photoURL);
	if (upload?.sha256 !== sha256(bytes)) problems.push(`the picture sent back is not the one received (upload ${upload ? upload.sha256 : 'not found'})`);
	const size = `${(bytes.length / 1024).toFixed(1)} KB`;
	const [said] = await exampleTexts(sim, sent.sessionId);
	if (said !== `a picture of ${size}, ${mimeType}`) problems.push(`the example said ${JSON.stringify(said)}, expected "a picture of ${size}, ${mimeType}"`);
	return problems;
}

const group = { conversation: { id: MEDIA_GROUP, title: 'E2E media' } };
const oneToOne = { conversation: { type: 'oneToOne' } };

/**
 * @typedef {{ name: string, expected: string, only?: Via, run: (ctx: MediaContext) => Promise<string[]> }} MediaCase
 */

/** @type {MediaCase[]} */
const MEDIA_CASES = [
	{
		name: 'text',
		expected: 'messageType text, its text, no attachments, no binary',
		run: async (ctx) => {
			const item = await report(ctx.sim, (await toProbe(ctx, { text: 'hello there', ...group })).sessionId);
			if (!item) return ['no probe reply within 60 s'];
			const problems = [];
			if (item.messageType !== 'text' || item.text !== 'hello there') problems.push(`messageType ${item.messageType}, text ${JSON.stringify(item.text)}`);
			if (JSON.stringify(item.attachments) !== '[]' || JSON.stringify(item.binary) !== '[]' || item.quoted !== undefined || item.content !== undefined) problems.push(`item ${JSON.stringify(item)}`);
			return problems;
		},
	},
	{
		name: 'rich text with a picture, in a group',
		expected: 'the text parts joined; the picture as attachment_0 (image/png, the same SHA-256); the example sends it back to the group with "a picture of 12.0 KB, image/png"',
		run: async (ctx) => {
			const options = { msgtype: 'richText', parts: [{ text: 'look ' }, { picture: { bytes: PNG } }, { text: 'at this' }], ...group };
			const sent = await toProbe(ctx, options);
			const item = await report(ctx.sim, sent.sessionId);
			const problems = downloadedProblems(item, PNG, { type: 'picture', fileName: 'picture.png', extension: 'png', mimeType: 'image/png' });
			if (item && (item.messageType !== 'richText' || item.text !== 'look at this')) problems.push(`messageType ${item.messageType}, text ${JSON.stringify(item.text)}`);
			problems.push(...(await pictureBackProblems(ctx.sim, await toExample(ctx, sent, options), PNG, 'image/png', 'group')));
			return problems;
		},
	},
	{
		name: 'picture in a group',
		expected: 'attachment_0 image/jpeg, picture.jpg, the same SHA-256; the example sends it back to the group with its size and type',
		run: async (ctx) => {
			const options = { msgtype: 'picture', file: { bytes: JPEG }, ...group };
			const sent = await toProbe(ctx, options);
			const item = await report(ctx.sim, sent.sessionId);
			const problems = downloadedProblems(item, JPEG, { type: 'picture', fileName: 'picture.jpg', extension: 'jpg', mimeType: 'image/jpeg' });
			if (item && (item.messageType !== 'picture' || item.text !== '')) problems.push(`messageType ${item.messageType}, text ${JSON.stringify(item.text)}`);
			problems.push(...(await pictureBackProblems(ctx.sim, await toExample(ctx, sent, options), JPEG, 'image/jpeg', 'group')));
			return problems;
		},
	},
	{
		name: 'picture one-to-one',
		expected: 'the example sends it back one-to-one to the sender (the app robot, by staffId) with its size and type',
		run: async (ctx) => {
			const options = { msgtype: 'picture', file: { bytes: PNG }, ...oneToOne };
			const sent = await toProbe(ctx, options);
			const item = await report(ctx.sim, sent.sessionId);
			const problems = downloadedProblems(item, PNG, { type: 'picture', mimeType: 'image/png' });
			if (item && item.conversation !== 'oneToOne') problems.push(`conversation ${item.conversation}`);
			problems.push(...(await pictureBackProblems(ctx.sim, await toExample(ctx, sent, options), PNG, 'image/png', 'user')));
			return problems;
		},
	},
	{
		name: 'voice note',
		expected: 'text = DingTalk\'s recognition; attachment_0 audio/amr with its duration, the same SHA-256; the example answers "I heard: …"',
		run: async (ctx) => {
			const options = { msgtype: 'audio', file: { bytes: AMR }, recognition: '明天上午十点开会', duration: 3000, ...oneToOne };
			const sent = await toProbe(ctx, options);
			const item = await report(ctx.sim, sent.sessionId);
			const problems = downloadedProblems(item, AMR, { type: 'audio', fileName: 'voice.amr', extension: 'amr', mimeType: 'audio/amr', duration: 3000 });
			if (item && (item.messageType !== 'audio' || item.text !== '明天上午十点开会')) problems.push(`messageType ${item.messageType}, text ${JSON.stringify(item.text)}`);
			const [said] = await exampleTexts(ctx.sim, (await toExample(ctx, sent, options)).sessionId);
			if (said !== 'I heard: 明天上午十点开会') problems.push(`the example said ${JSON.stringify(said)}`);
			return problems;
		},
	},
	{
		name: 'video',
		expected: 'attachment_0 video/mp4, video.mp4, its duration, the same SHA-256',
		run: async (ctx) => {
			const item = await report(ctx.sim, (await toProbe(ctx, { msgtype: 'video', file: { bytes: MP4, name: 'clip.mp4' }, duration: 8000, ...oneToOne })).sessionId);
			const problems = downloadedProblems(item, MP4, { type: 'video', fileName: 'video.mp4', extension: 'mp4', mimeType: 'video/mp4', duration: 8000 });
			if (item && item.messageType !== 'video') problems.push(`messageType ${item.messageType}`);
			return problems;
		},
	},
	{
		name: 'file',
		expected: 'attachment_0 named as the sender named it, application/pdf, the same SHA-256',
		run: async (ctx) => {
			const item = await report(ctx.sim, (await toProbe(ctx, { msgtype: 'file', file: { bytes: PDF, name: 'Q3 report.pdf' }, ...oneToOne })).sessionId);
			const problems = downloadedProblems(item, PDF, { type: 'file', fileName: 'Q3 report.pdf', extension: 'pdf', mimeType: 'application/pdf' });
			if (item && item.messageType !== 'file') problems.push(`messageType ${item.messageType}`);
			return problems;
		},
	},
	{
		name: 'a reply quoting a picture',
		expected: 'its text; quoted: messageType picture with the picture\'s downloadCode (not downloaded: only the message\'s own files are)',
		run: async (ctx) => {
			const sent = await toProbe(ctx, { text: 'what is this?', quote: { msgtype: 'picture', file: { bytes: PNG } }, ...group });
			const item = await report(ctx.sim, sent.sessionId);
			if (!item) return ['no probe reply within 60 s'];
			const problems = [];
			if (item.messageType !== 'text' || item.text !== 'what is this?') problems.push(`messageType ${item.messageType}, text ${JSON.stringify(item.text)}`);
			if (JSON.stringify(item.attachments) !== '[]' || JSON.stringify(item.binary) !== '[]') problems.push(`attachments ${JSON.stringify(item.attachments)}, binary ${JSON.stringify(item.binary)}`);
			const quotedFile = ctx.sim.files().find((/** @type {any} */ f) => f.msgId !== sent.msgId);
			if (item.quoted?.messageType !== 'picture') problems.push(`quoted ${JSON.stringify(item.quoted)}`);
			problems.push(...attachmentProblems(item.quoted?.attachments?.[0], { type: 'picture', downloadCode: quotedFile?.downloadCode }, 'quoted.attachments[0]'));
			return problems;
		},
	},
	{
		name: 'a msgtype nobody models',
		expected: 'messageType and content passed on as DingTalk sent them; the example answers with its help',
		run: async (ctx) => {
			const content = { cardTemplateId: 'StandardCard', title: 'Leave request', fields: [{ name: 'days', value: 2 }] };
			const sent = await toProbe(ctx, { msgtype: 'interactiveCard', content, ...group });
			const item = await report(ctx.sim, sent.sessionId);
			if (!item) return ['no probe reply within 60 s'];
			const problems = [];
			if (item.messageType !== 'interactiveCard' || JSON.stringify(item.content) !== JSON.stringify(content)) problems.push(`messageType ${item.messageType}, content ${JSON.stringify(item.content)}`);
			if (JSON.stringify(item.attachments) !== '[]') problems.push(`attachments ${JSON.stringify(item.attachments)}`);
			if (ctx.via === 'stream') {
				const [said] = await exampleTexts(ctx.sim, sent.sessionId);
				if (said !== 'Hi Zhang San, I only know "ping" (you said: )') problems.push(`the example said ${JSON.stringify(said)}`);
			}
			return problems;
		},
	},
	{
		name: 'a 10 MB file',
		only: 'stream',
		expected: '10 MB byte for byte (n8n\'s SHA-256 of attachment_0), its size on the attachment',
		run: async (ctx) => {
			const big = randomBytes(BIG_BYTES);
			const started = Date.now();
			const sent = await toProbe(ctx, { msgtype: 'file', file: { bytes: big, name: 'logs.zip' }, ...oneToOne });
			const item = await report(ctx.sim, sent.sessionId, 180_000);
			ctx.log(`        10 MB: push to the probe's reply (downloaded, hashed by n8n's Crypto node) ${((Date.now() - started) / 1000).toFixed(1)} s`);
			return downloadedProblems(item, big, { type: 'file', fileName: 'logs.zip', extension: 'zip', mimeType: 'application/zip' });
		},
	},
	{
		name: 'the storage refuses the file',
		expected: 'the workflow runs; the attachment downloaded: false with the reason (HTTP 403), no binary',
		run: async (ctx) => {
			ctx.sim.setStorageFaultPolicy(() => ({ kind: 'forbidden' }));
			try {
				const item = await report(ctx.sim, (await toProbe(ctx, { msgtype: 'file', file: { bytes: PDF, name: 'refused.pdf' }, ...oneToOne })).sessionId);
				if (!item) return ['no probe reply within 60 s: the workflow did not run'];
				const problems = attachmentProblems(item.attachments?.[0], { type: 'file', fileName: 'refused.pdf', downloaded: false }, 'attachments[0]');
				if (!/^the storage refused the file \(HTTP 403\)/.test(String(item.attachments?.[0]?.reason))) problems.push(`reason ${JSON.stringify(item.attachments?.[0]?.reason)}`);
				if (JSON.stringify(item.binary) !== '[]' || item.sha256 !== null) problems.push(`binary ${JSON.stringify(item.binary)}`);
				return problems;
			} finally {
				ctx.sim.setStorageFaultPolicy(undefined);
			}
		},
	},
	{
		name: 'an expired downloadCode',
		expected: 'the workflow runs; the attachment downloaded: false with DingTalk\'s reason (downloadCode expired), no binary',
		run: async (ctx) => {
			// a file the robot may download, its code expired before the message arrives
			const robotCode = ctx.via === 'stream' ? MEDIA_APP.clientId : APP.clientId;
			const stored = ctx.sim.addDownloadableFile({ bytes: PDF, robotCode, name: 'old.pdf' });
			ctx.sim.expireDownloadCodes(stored.downloadCode);
			const sent = await toProbe(ctx, { msgtype: 'file', ...oneToOne, extraBody: { content: { downloadCode: stored.downloadCode, fileName: 'old.pdf' } } });
			const item = await report(ctx.sim, sent.sessionId);
			if (!item) return ['no probe reply within 60 s: the workflow did not run'];
			const problems = attachmentProblems(item.attachments?.[0], { type: 'file', fileName: 'old.pdf', downloadCode: stored.downloadCode, downloaded: false }, 'attachments[0]');
			if (!/expired/i.test(String(item.attachments?.[0]?.reason))) problems.push(`reason ${JSON.stringify(item.attachments?.[0]?.reason)}`);
			if (JSON.stringify(item.binary) !== '[]') problems.push(`binary ${JSON.stringify(item.binary)}`);
			if (ctx.sim.storageRequests().length) problems.push(`${ctx.sim.storageRequests().length} requests reached the storage`);
			return problems;
		},
	},
	{
		name: 'the editor lists the credentials, their tokens stored',
		only: 'stream',
		expected: 'GET /rest/credentials with their data (the editor\'s first request) answers 200: the App credentials hold the tokens the downloads took, as text',
		run: async (ctx) => {
			// n8n 1 reads every password field as a string: a token time stored as a number failed this request, and the editor with it
			const credentials = await rest(ctx.base, 'GET', '/credentials?includeScopes=true&includeData=true');
			const apps = (Array.isArray(credentials) ? credentials : []).filter((/** @type {any} */ c) => c.type === 'dingTalkAppApi');
			return apps.length >= 2 ? [] : [`${apps.length} DingTalk App credentials listed`];
		},
	},
];

/**
 * Runs every media case through the Stream trigger, then through the HTTP trigger, in the n8n
 * the Stream cases started. The simulator is reset before each case (its records taken into the
 * ledger first).
 * @param {{ sim: any, url: (webhook: string) => string, base: string, ledger: MediaLedger, log: (text: string) => void }} options
 */
async function runMediaCases({ sim, url, base, ledger, log }) {
	/** @type {Array<{ workflow: string, expected: string, delivered: number, problems: string[] }>} */
	const rows = [];
	const connected = await waitFor(() => (sim.streamConnections(MEDIA_APP.clientId).some((/** @type {any} */ c) => c.state === 'open') ? true : undefined), 60_000);
	if (!connected) log('  media: the media app has no open Stream connection after 60 s');
	for (const via of /** @type {Via[]} */ (['stream', 'http'])) {
		for (const testCase of MEDIA_CASES.filter((c) => !c.only || c.only === via)) {
			record(sim, ledger);
			sim.reset();
			const started = Date.now();
			/** @type {string[]} */
			const examplesToAnswer = [];
			let problems;
			try {
				problems = await testCase.run({ sim, via, url, base, ledger, log, examplesToAnswer });
				// the example copy answers every message: its reply must reach the session before the reset ends it
				const answered = await waitFor(() => (examplesToAnswer.every((sessionId) => texts(sim, sessionId).some((t) => !t.startsWith('probe '))) ? true : undefined), 60_000);
				if (!answered) problems.push('the Stream example did not answer within 60 s');
			} catch (error) {
				problems = [`threw: ${/** @type {Error} */ (error).message}`];
			}
			await sleep(200);
			const delivered = sim.requests.filter((/** @type {any} */ r) => r.path === '/robot/sendBySession' && r.delivered).length;
			const label = `media (${via === 'stream' ? 'Stream' : 'HTTP'}): ${testCase.name}`;
			log(`  ${problems.length ? 'FAIL' : 'pass'}  ${label} (${((Date.now() - started) / 1000).toFixed(0)} s)${problems.map((p) => `\n        - ${p}`).join('')}`);
			rows.push({ workflow: label, expected: testCase.expected, delivered, problems });
		}
	}
	record(sim, ledger);
	return rows;
}

/**
 * Which of `needles` occur in the data of any execution n8n recorded (read with the install's
 * sqlite3, the search done in that process: executions with files can be large).
 */
function foundInExecutions(/** @type {any} */ installed, /** @type {string} */ userFolder, /** @type {string[]} */ needles) {
	const sqlite3 = path.join(path.dirname(path.dirname(path.dirname(installed.n8nBin))), 'sqlite3');
	const script = `
		const sqlite3 = require(process.argv[1]);
		const needles = JSON.parse(process.argv[3]);
		const db = new sqlite3.Database(process.argv[2], sqlite3.OPEN_READONLY);
		const found = new Set();
		let rows = 0;
		db.each('SELECT data FROM execution_data', (error, row) => {
			if (error) { console.error(error.message); process.exit(1); }
			rows++;
			for (const needle of needles) if (String(row.data).includes(needle)) found.add(needle);
		}, (error) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(JSON.stringify({ rows, found: [...found] }));
		});`;
	const output = execFileSync(installed.node, ['-e', script, sqlite3, path.join(userFolder, '.n8n', 'database.sqlite'), JSON.stringify(needles)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
	return /** @type {{ rows: number, found: string[] }} */ (JSON.parse(output));
}

/**
 * After n8n stopped: the executions the media workflows recorded, and no secret of the downloads
 * anywhere it keeps or prints things.
 * @param {{ installed: any, userFolder: string, output: string, ledger: MediaLedger, counts: Record<string, number>, log: (text: string) => void }} options
 */
function mediaChecksAfterStop({ installed, userFolder, output, ledger, counts, log }) {
	const rows = [];
	const want = Object.fromEntries(MEDIA_WORKFLOWS.map((id) => [`${id}:success`, ledger.runs[id]]));
	const mine = Object.fromEntries(Object.entries(counts).filter(([key]) => MEDIA_WORKFLOWS.some((id) => key.startsWith(`${id}:`))));
	const sorted = (/** @type {Record<string, number>} */ o) => JSON.stringify(o, Object.keys(o).sort());
	const executionProblems = sorted(mine) === sorted(want) ? [] : [`n8n recorded ${JSON.stringify(mine)}, expected ${JSON.stringify(want)}`];
	log(`  ${executionProblems.length ? 'FAIL' : 'pass'}  media: executions recorded ${JSON.stringify(mine)}${executionProblems.map((p) => `\n        - ${p}`).join('')}`);
	rows.push({ workflow: 'media: executions n8n recorded', expected: 'every message ran its workflows once, successfully (a file that failed too)', delivered: 0, problems: executionProblems });

	const problems = [];
	const tokens = [...ledger.tokens];
	const signatures = [...ledger.signatures];
	if (!tokens.length || !signatures.length) problems.push(`nothing to look for: ${tokens.length} tokens, ${signatures.length} download links recorded`);
	const needles = [...tokens, ...signatures, ...signatures.map((s) => encodeURIComponent(s))];
	const { rows: executions, found } = foundInExecutions(installed, userFolder, [...needles, ...ledger.msgIds]);
	const leaked = found.filter((needle) => needles.includes(needle));
	if (leaked.length) problems.push(`in n8n's execution data: ${leaked.length} of the tokens or link signatures`);
	const missing = ledger.msgIds.filter((msgId) => !found.includes(msgId)).length;
	if (missing) problems.push(`${missing} of the ${ledger.msgIds.length} messages are in no recorded execution: the search did not read them`);
	const inLog = needles.filter((needle) => output.includes(needle));
	if (inLog.length) problems.push(`in n8n's log: ${inLog.length} of the tokens or link signatures`);
	if (ledger.tokenAtStorage) problems.push(`${ledger.tokenAtStorage} requests to the storage carried an access token`);
	log(
		`  ${problems.length ? 'FAIL' : 'pass'}  media: ${tokens.length} access tokens and ${signatures.length} download-link signatures looked for in ${executions} executions and n8n's log${problems.map((p) => `\n        - ${p}`).join('')}`,
	);
	rows.push({ workflow: 'media: no token or link in executions, log or storage', expected: 'none of the access tokens or link signatures in the execution data or n8n\'s log; no token at the storage', delivered: 0, problems });
	return rows;
}

module.exports = { MEDIA_APP, MEDIA_GROUP, MEDIA_WEBHOOK, MEDIA_WORKFLOWS, MEDIA_CASES, addMediaFixtures, mediaChecksAfterStop, mediaCredentials, newLedger, runMediaCases };
