// The app robot's sends through the simulated OpenAPI: groupMessages/send and oToMessages/batchSend.
import { MSG_KEYS } from '../../simulator';
import { APP, CID, OTHER, OTHER_CID, PATHS, REQUEST_ID, USERS, call, getToken, groupSend, simulatorPool, upload } from './openApiHelpers';

const startSim = simulatorPool();

/** One valid msgParam per template. */
const VALID: Record<string, Record<string, unknown>> = {
	sampleText: { content: '钉钉，让进步发生' },
	sampleMarkdown: { title: 'Build', text: '### Build\n- **passed**' },
	sampleImageMsg: { photoURL: 'https://example.com/chart.png' },
	sampleLink: { text: 'Deploy done', title: 'Deploy', picUrl: '@lADOADmaWMzazQKA', messageUrl: 'https://example.com/deploy' },
	sampleActionCard: { title: 'Review', text: 'Please review', singleTitle: 'Open', singleURL: 'https://example.com/pr/1' },
	sampleActionCard2: { title: 'T', text: 'x', actionTitle1: 'A', actionURL1: 'https://a', actionTitle2: 'B', actionURL2: 'https://b' },
	sampleActionCard3: { title: 'T', text: 'x', actionTitle1: 'A', actionURL1: 'u1', actionTitle2: 'B', actionURL2: 'u2', actionTitle3: 'C', actionURL3: 'u3' },
	sampleActionCard4: Object.fromEntries([['title', 'T'], ['text', 'x'], ...[1, 2, 3, 4].flatMap((n) => [[`actionTitle${n}`, `B${n}`], [`actionURL${n}`, `u${n}`]])]),
	sampleActionCard5: Object.fromEntries([['title', 'T'], ['text', 'x'], ...[1, 2, 3, 4, 5].flatMap((n) => [[`actionTitle${n}`, `B${n}`], [`actionURL${n}`, `u${n}`]])]),
	sampleActionCard6: { title: 'T', text: 'x', buttonTitle1: 'Yes', buttonUrl1: 'https://y', buttonTitle2: 'No', buttonUrl2: 'https://n' },
};

const errorOf = (code: string, message?: string) => ({ requestid: REQUEST_ID, code, message: message ?? expect.any(String) });

describe('POST /v1.0/robot/groupMessages/send', () => {
	it('answers {processQueryKey} for every template and records each message in its group, in order', async () => {
		let clock = 1_700_000_000_000;
		const sim = await startSim({ now: () => clock, openapi: { qpsLimit: false } });
		const token = await getToken(sim);
		const keys: string[] = [];
		for (const [msgKey, params] of Object.entries(VALID)) {
			clock += 1;
			const res = await groupSend(sim, token, msgKey, params);
			expect([msgKey, res.status]).toEqual([msgKey, 200]);
			expect(res.contentType).toMatch(/^application\/json/);
			expect(res.json).toEqual({ processQueryKey: expect.any(String) });
			keys.push(res.json.processQueryKey as string);
		}
		expect(new Set(keys).size).toBe(keys.length);
		const records = sim.groupMessages(CID);
		expect(records.map((r) => [r.msgKey, r.processQueryKey])).toEqual(Object.keys(VALID).map((k, i) => [k, keys[i]]));
		expect(records[0]).toEqual({
			openConversationId: CID,
			processQueryKey: keys[0],
			robotCode: APP.clientId,
			clientId: APP.clientId,
			msgKey: 'sampleText',
			msgParam: VALID.sampleText,
			mediaIds: [],
			at: 1_700_000_000_001,
			recalled: false,
			recalledAt: undefined,
		});
		expect(sim.groupMessages(OTHER_CID)).toEqual([]);
		// the records are copies
		(records[0].msgParam as Record<string, unknown>).content = 'changed';
		expect(sim.groupMessages(CID)[0].msgParam).toEqual(VALID.sampleText);
		// the group page shows the app robot's messages
		const page = await (await fetch(`${sim.baseUrl}/`)).text();
		expect(page).toContain('钉钉，让进步发生');
		expect(page).toContain('app robot in Ops');
		expect(JSON.stringify(sim.openApiRequests())).not.toContain(APP.clientSecret);
		expect(MSG_KEYS).toEqual(expect.arrayContaining([...Object.keys(VALID), 'sampleFile', 'sampleAudio', 'sampleVideo']));
	});

	it('checks the robotCode: missing, unknown, or another app\'s robot', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const send = (extra: Record<string, unknown>) => groupSend(sim, token, 'sampleText', VALID.sampleText, extra);
		expect((await send({ robotCode: undefined })).json).toEqual(errorOf('invalidParameter.robotCode.missing', '缺少robotCode'));
		expect((await send({ robotCode: 'dingnobody' })).json).toEqual(errorOf('invalidParameter.robotCode.notExsit', '机器人不存在'));
		const other = await send({ robotCode: OTHER.clientId, openConversationId: OTHER_CID });
		expect(other.status).toBe(400);
		expect(other.json).toEqual(errorOf('invalidParameter.robotCode.auth'));
		expect(sim.groupMessages(OTHER_CID)).toEqual([]);
	});

	it('refuses a missing or unknown openConversationId and a group the robot is not in', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const send = (extra: Record<string, unknown>) => groupSend(sim, token, 'sampleText', VALID.sampleText, extra);
		expect((await send({ openConversationId: undefined })).json).toEqual(errorOf('miss.openConversationId', '缺少openConversationId'));
		expect((await send({ openConversationId: 'cidNoSuchGroup==' })).json).toEqual(errorOf('invalid.openConversationId', '无效的openConversationId'));
		const notIn = await send({ openConversationId: OTHER_CID });
		expect(notIn.status).toBe(400);
		expect(notIn.json).toEqual(errorOf('resource.not.found', 'robot 不存在'));
		// once the robot is added to the group it can send there
		sim.addGroup({ openConversationId: OTHER_CID, title: 'Dev', robotCodes: [OTHER.clientId, APP.clientId] });
		expect((await send({ openConversationId: OTHER_CID })).status).toBe(200);
		expect(sim.groupMessages(OTHER_CID)).toHaveLength(1);
	});

	it('checks msgKey and msgParam: missing, unknown, not a string, not JSON, missing fields, too long', async () => {
		const sim = await startSim({ openapi: { qpsLimit: false } });
		const token = await getToken(sim);
		const send = (msgKey: unknown, msgParam: unknown) =>
			call(sim, PATHS.groupSend, { robotCode: APP.clientId, openConversationId: CID, msgKey, msgParam }, token);
		expect((await send(undefined, '{}')).json).toEqual(errorOf('invalidParameter.msgKey.empty', '缺少msgKey'));
		expect((await send('text', '{"content":"x"}')).json).toEqual(errorOf('invalidParameter.msgKey.invalid', 'msgKey无效'));
		expect((await send('sampleFeedCard', '{}')).json).toEqual(errorOf('invalidParameter.msgKey.invalid'));
		expect((await send('sampleText', undefined)).json).toEqual(errorOf('invalidParameter.param.invalid'));
		expect((await send('sampleText', { content: 'an object, not a JSON string' })).json).toEqual(
			errorOf('invalidParameter.msgParam.invalid', 'msgParam必须是json格式'),
		);
		expect((await send('sampleText', '{"content":')).json).toEqual(errorOf('invalidParameter.msgParam.invalid'));
		expect((await send('sampleText', '["x"]')).json).toEqual(errorOf('invalidParameter.msgParam.invalid'));
		const missing: [string, Record<string, unknown>, string][] = [
			['sampleText', { content: '' }, 'miss.param.contentOfText'],
			['sampleText', { text: 'webhook casing' }, 'miss.param.contentOfText'],
			['sampleMarkdown', { text: 'x' }, 'miss.param.markdownTotitle'],
			['sampleMarkdown', { title: 'x' }, 'miss.param.markdownTotext'],
			['sampleImageMsg', { picURL: 'https://x/p.png' }, 'miss.param.photoTophotoUrl'],
			['sampleLink', { ...VALID.sampleLink, messageURL: 'feedCard casing', messageUrl: undefined }, 'miss.param.messageUrlOfLink'],
			['sampleActionCard', { ...VALID.sampleActionCard, singleURL: undefined, singleUrl: 'x' }, 'miss.param.actionCardTosingleUrl'],
			['sampleActionCard3', { ...VALID.sampleActionCard3, actionURL3: undefined }, 'miss.param.actionCardTobtnsToactionUrl'],
			['sampleActionCard5', { ...VALID.sampleActionCard5, actionTitle5: undefined }, 'miss.param.actionCardTobtnsTotitle'],
			['sampleActionCard6', { ...VALID.sampleActionCard6, buttonURL2: 'x', buttonUrl2: undefined }, 'miss.param.actionCardTobtnsToactionUrl'],
			['sampleFile', { mediaId: '@x', fileName: 'a.pdf' }, 'miss.param.file'],
			['sampleAudio', { mediaId: '@x' }, 'miss.param.audio'],
			['sampleVideo', { duration: '9', videoType: 'mp4', picMediaId: '@p' }, 'miss.param.video'],
		];
		for (const [msgKey, params, code] of missing) {
			const res = await send(msgKey, JSON.stringify(params));
			expect([msgKey, res.status, res.json.code]).toEqual([msgKey, 400, code]);
		}
		// msgParam "长度限制 15000 字节以内": 15 000 bytes pass, 15 001 do not (UTF-8 bytes, not characters)
		const padded = (bytes: number) => JSON.stringify({ content: 'x'.repeat(bytes - '{"content":""}'.length) });
		expect((await send('sampleText', padded(15_000))).status).toBe(200);
		expect((await send('sampleText', padded(15_001))).json).toEqual(errorOf('invalidParameter.msgParam.tooLong', '消息内容太长'));
		const chinese = JSON.stringify({ content: '钉'.repeat(5_000) }); // 15 014 bytes in 5 014 characters
		expect((await send('sampleText', chinese)).json.code).toBe('invalidParameter.msgParam.tooLong');
		expect(sim.groupMessages(CID)).toHaveLength(1);
	});

	it('takes a media id the simulator issued (photoURL, sampleFile, sampleAudio, sampleVideo) and refuses one it did not', async () => {
		const sim = await startSim({ openapi: { qpsLimit: false } });
		const token = await getToken(sim);
		const image = (await upload(sim, { token })).json.media_id as string;
		const pdf = (await upload(sim, { token, type: 'file', filename: 'report.pdf', contentType: 'application/pdf' })).json.media_id as string;
		const voice = (await upload(sim, { token, type: 'voice', filename: 'note.amr', contentType: 'audio/amr' })).json.media_id as string;
		const video = (await upload(sim, { token, type: 'video', filename: 'clip.mp4', contentType: 'video/mp4' })).json.media_id as string;
		expect((await groupSend(sim, token, 'sampleImageMsg', { photoURL: image })).status).toBe(200);
		expect((await groupSend(sim, token, 'sampleFile', { mediaId: pdf, fileName: 'report.pdf', fileType: 'pdf' })).status).toBe(200);
		expect((await groupSend(sim, token, 'sampleAudio', { mediaId: voice, duration: 4000 })).status).toBe(200);
		const videoParams = { duration: '9', videoMediaId: video, videoType: 'mp4', picMediaId: image };
		expect((await groupSend(sim, token, 'sampleVideo', videoParams)).status).toBe(200);
		expect(sim.groupMessages(CID).map((m) => m.mediaIds)).toEqual([[image], [pdf], [voice], [video, image]]);
		for (const [msgKey, params] of [
			['sampleImageMsg', { photoURL: '@lAnotIssuedBySimulator' }],
			['sampleFile', { mediaId: 'https://example.com/report.pdf', fileName: 'report.pdf', fileType: 'pdf' }],
			['sampleVideo', { ...videoParams, picMediaId: '$iAEKAqNwbmcDBgTNAk' }],
		] as const) {
			expect((await groupSend(sim, token, msgKey, params)).json).toEqual(errorOf('invalid.media.id', 'media_id非法'));
		}
		expect(sim.groupMessages(CID)).toHaveLength(4);
	});
});

describe('POST /v1.0/robot/oToMessages/batchSend', () => {
	const batch = (sim: Parameters<typeof call>[0], token: string, userIds: unknown, extra: Record<string, unknown> = {}) =>
		call(sim, PATHS.otoSend, { robotCode: APP.clientId, userIds, msgKey: 'sampleMarkdown', msgParam: JSON.stringify(VALID.sampleMarkdown), ...extra }, token);

	it('answers {processQueryKey, invalidStaffIdList, flowControlledStaffIdList} and records the message for each user', async () => {
		const sim = await startSim({ now: () => 5_000 });
		sim.addUser({ userId: 'busy0001', flowControlled: true });
		const token = await getToken(sim);
		const res = await batch(sim, token, [USERS[0], 'nobody01', USERS[1], 'busy0001', USERS[0]]);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ processQueryKey: expect.any(String), invalidStaffIdList: ['nobody01'], flowControlledStaffIdList: ['busy0001'] });
		const record = {
			processQueryKey: res.json.processQueryKey,
			robotCode: APP.clientId,
			clientId: APP.clientId,
			msgKey: 'sampleMarkdown',
			msgParam: VALID.sampleMarkdown,
			mediaIds: [],
			at: 5_000,
			recalled: false,
			recalledAt: undefined,
		};
		expect(sim.userMessages(USERS[0])).toEqual([{ userId: USERS[0], ...record }]);
		expect(sim.userMessages(USERS[1])).toEqual([{ userId: USERS[1], ...record }]);
		expect(sim.userMessages('busy0001')).toEqual([]);
		expect(sim.userMessages('nobody01')).toEqual([]);
		expect(sim.groupMessages(CID)).toEqual([]);
		const all = await batch(sim, token, USERS);
		expect(all.json).toEqual({ processQueryKey: expect.any(String), invalidStaffIdList: [], flowControlledStaffIdList: [] });
	});

	it('takes 20 users, refuses 21 (invalidParameter.userIds.overMax), an empty list, and a list of unknown users only', async () => {
		const sim = await startSim();
		const twenty = Array.from({ length: 20 }, (_, i) => `user${String(i).padStart(4, '0')}`);
		for (const userId of twenty) sim.addUser({ userId });
		const token = await getToken(sim);
		expect((await batch(sim, token, twenty)).status).toBe(200);
		const over = await batch(sim, token, [...twenty, USERS[0]]);
		expect(over.status).toBe(400);
		expect(over.json).toEqual(errorOf('invalidParameter.userIds.overMax', '用户userId列表超过最大限制'));
		expect((await batch(sim, token, [])).json).toEqual(errorOf('invalidParameter.userIds.empty', '用户userId列表为空'));
		expect((await batch(sim, token, undefined)).json).toEqual(errorOf('invalidParameter.userIds.empty'));
		expect((await batch(sim, token, USERS[0])).json).toEqual(errorOf('invalidParameter.userIds.empty'));
		expect((await batch(sim, token, [USERS[0], 42])).json).toEqual(errorOf('invalidParameter.param.invalid'));
		const unknown = await batch(sim, token, ['张三', 'nobody01']);
		expect(unknown.status).toBe(400);
		expect(unknown.json).toEqual(errorOf('staffId.notExisted', 'staffId不存在'));
		expect(sim.userMessages(twenty[0])).toHaveLength(1);
		expect(sim.userMessages(USERS[0])).toEqual([]);
	});

	it('checks the robotCode and the template as the group send does', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		expect((await batch(sim, token, USERS, { robotCode: '' })).json).toEqual(errorOf('invalidParameter.robotCode.empty'));
		expect((await batch(sim, token, USERS, { robotCode: 'dingnobody' })).json).toEqual(errorOf('invalidParameter.robotCode.notExsit'));
		expect((await batch(sim, token, USERS, { robotCode: OTHER.clientId })).json).toEqual(errorOf('invalidParameter.robotCode.auth'));
		expect((await batch(sim, token, USERS, { msgKey: 'markdown' })).json).toEqual(errorOf('invalidParameter.msgKey.invalid'));
		expect((await batch(sim, token, USERS, { msgParam: '{"title":"only"}' })).json).toEqual(errorOf('miss.param.markdownTotext'));
		for (const userId of USERS) expect(sim.userMessages(userId)).toEqual([]);
	});

	it('reset() forgets messages and calls but keeps apps, groups and users', async () => {
		const sim = await startSim();
		let token = await getToken(sim);
		expect((await batch(sim, token, [USERS[2]])).status).toBe(200);
		expect((await groupSend(sim, token, 'sampleText', VALID.sampleText)).status).toBe(200);
		sim.reset();
		expect(sim.userMessages(USERS[2])).toEqual([]);
		expect(sim.groupMessages(CID)).toEqual([]);
		expect(sim.openApiRequests()).toEqual([]);
		token = await getToken(sim);
		expect((await batch(sim, token, [USERS[2]])).status).toBe(200);
		expect((await groupSend(sim, token, 'sampleText', VALID.sampleText)).status).toBe(200);
		expect(sim.openApiRequests().map((r) => [r.path, r.status, r.clientId])).toEqual([
			[PATHS.otoSend, 200, APP.clientId],
			[PATHS.groupSend, 200, APP.clientId],
		]);
	});
});
