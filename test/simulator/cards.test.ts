// An app robot's cards through the simulated OpenAPI: createAndDeliver, update, AI card streaming,
// the templates, the gate (permissions, QPS, faults) and the group page.
import { AI_CARD_TEMPLATE_ID } from '../../simulator';
import { APP, CID, OTHER, OTHER_CID, REQUEST_ID, USERS, call, getToken, simulatorPool } from './openApiHelpers';
import { AI_TEMPLATE, APPROVAL, CARD_PATHS, createAndDeliver, groupCard, groupPage, streamCard, updateCard } from './cardHelpers';

const startSim = simulatorPool();
const errorOf = (code: string, message: string = code) => ({ requestid: REQUEST_ID, code, message });

describe('POST /v1.0/card/instances/createAndDeliver', () => {
	it('delivers to a group and to a user, answers {success, result: {outTrackId, deliverResults}} and records the card', async () => {
		let clock = 1_700_000_000_000;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		const res = await createAndDeliver(
			sim,
			token,
			groupCard('track-1', {
				openSpaceId: `dtv1.card//IM_GROUP.${CID};im_robot.${USERS[0]}`,
				imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
				imGroupOpenDeliverModel: { robotCode: APP.clientId, atUserIds: { [USERS[1]]: 'Bob' } },
			}),
		);
		expect(res.status).toBe(200);
		expect(res.contentType).toMatch(/^application\/json/);
		const carrier = expect.stringMatching(/^[A-Za-z0-9+/]{24}$/);
		expect(res.json).toEqual({
			success: true,
			result: {
				outTrackId: 'track-1',
				deliverResults: [
					{ spaceType: 'IM_GROUP', spaceId: CID, success: true, errorMsg: '', carrierId: carrier },
					{ spaceType: 'IM_ROBOT', spaceId: USERS[0], success: true, errorMsg: '', carrierId: carrier },
				],
			},
		});
		clock += 5;
		expect(sim.card('track-1')).toEqual({
			outTrackId: 'track-1',
			cardTemplateId: AI_TEMPLATE,
			clientId: APP.clientId,
			robotCode: APP.clientId,
			callbackType: 'STREAM',
			callbackRouteKey: undefined,
			createdAt: 1_700_000_000_000,
			spaces: (res.json.result as { deliverResults: unknown[] }).deliverResults,
			atUserIds: { [USERS[1]]: 'Bob' },
			cardParamMap: { flowStatus: '1', msgTitle: 'Answer' },
			privateData: {},
			flowStatus: '1',
			state: 'processing',
			streams: {},
			history: [{ at: 1_700_000_000_000, source: 'createAndDeliver', cardParamMap: { flowStatus: '1', msgTitle: 'Answer' }, flowStatus: '1' }],
			clicks: [],
			calls: [expect.objectContaining({ method: 'POST', path: CARD_PATHS.createAndDeliver, clientId: APP.clientId, status: 200 })],
		});
		expect(sim.cards().map((c) => c.outTrackId)).toEqual(['track-1']);
		expect(sim.card('nope')).toBeUndefined();
		expect(sim.cardRequests().map((r) => [r.path, r.status])).toEqual([[CARD_PATHS.createAndDeliver, 200]]);
		expect(AI_CARD_TEMPLATE_ID).toBe(AI_TEMPLATE);
		// copies
		sim.card('track-1')!.cardParamMap.msgTitle = 'changed';
		expect(sim.card('track-1')!.cardParamMap.msgTitle).toBe('Answer');
	});

	it('answers 200 with success false in deliverResults for each space it cannot deliver to, and draws only the delivered ones', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const res = await createAndDeliver(
			sim,
			token,
			groupCard('track-2', {
				openSpaceId: `dtv1.card//IM_GROUP.${OTHER_CID};IM_GROUP.cidNoSuchGroup==;IM_ROBOT.nobody;IM_ROBOT.${USERS[2]};ONE_BOX.${CID}`,
				imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT', robotCode: APP.clientId },
			}),
		);
		expect(res.status).toBe(200);
		const results = (res.json.result as { deliverResults: Record<string, unknown>[] }).deliverResults;
		expect(results.map((r) => [r.spaceType, r.spaceId, r.success, r.errorMsg])).toEqual([
			['IM_GROUP', OTHER_CID, false, 'robot is not in the group'],
			['IM_GROUP', 'cidNoSuchGroup==', false, 'spaceId is illegal'],
			['IM_ROBOT', 'nobody', false, 'spaceId is illegal'],
			['IM_ROBOT', USERS[2], true, ''],
			['ONE_BOX', CID, false, 'spaceType ONE_BOX is not simulated'],
		]);
		expect(results.filter((r) => !r.success).every((r) => r.carrierId === '')).toBe(true);
		const page = await groupPage(sim);
		expect(page.match(/class="bubble card dcard/g)).toHaveLength(1);
		expect(page).toContain(`card to ${USERS[2]} (one-to-one)`);
	});

	it('checks the deliver models: missing, without robotCode, or another app\'s robot', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const results = async (outTrackId: string, extra: Record<string, unknown>) =>
			((await createAndDeliver(sim, token, groupCard(outTrackId, extra))).json.result as { deliverResults: Record<string, unknown>[] }).deliverResults.map((r) => r.errorMsg);
		expect(await results('m1', { imGroupOpenDeliverModel: undefined })).toEqual(['imGroupOpenDeliverModel is required']);
		expect(await results('m2', { imGroupOpenDeliverModel: {} })).toEqual(['robotCode is empty']);
		sim.addGroup({ openConversationId: OTHER_CID, title: 'Dev', robotCodes: [OTHER.clientId, APP.clientId] });
		expect(await results('m3', { openSpaceId: `dtv1.card//IM_GROUP.${OTHER_CID}`, imGroupOpenDeliverModel: { robotCode: OTHER.clientId } })).toEqual([
			'robotCode is illegal',
		]);
		expect(await results('m4', { openSpaceId: `dtv1.card//IM_ROBOT.${USERS[0]}` })).toEqual(['imRobotOpenDeliverModel is required']);
		expect(await results('m5', { openSpaceId: `dtv1.card//IM_GROUP.${OTHER_CID}` })).toEqual(['']);
	});

	it('refuses what DingTalk refuses: missing parameters, an unknown or unpublished template, a value that is not a string, a duplicate outTrackId', async () => {
		const sim = await startSim({ openapi: { qpsLimit: false } });
		const token = await getToken(sim);
		const send = (extra: Record<string, unknown>, outTrackId = 'track-r') => createAndDeliver(sim, token, groupCard(outTrackId, extra));
		for (const missing of ['cardTemplateId', 'outTrackId', 'openSpaceId', 'cardData']) {
			const res = await send({ [missing]: undefined });
			expect([missing, res.status, res.json]).toEqual([missing, 400, errorOf('param.empty')]);
		}
		expect((await send({ cardTemplateId: 'no-such.schema' })).json).toEqual(errorOf('param.templateNotExist'));
		sim.addCardTemplate({ ...APPROVAL, published: false });
		const unpublished = await send({ cardTemplateId: APPROVAL.cardTemplateId, cardData: { cardParamMap: { title: 'Leave' } } });
		expect([unpublished.status, unpublished.json]).toEqual([400, errorOf('param.templateUnpublished')]);
		for (const value of [3, true, null, ['a'], { a: 1 }]) {
			const res = await send({ cardData: { cardParamMap: { msgTitle: 'ok', flowStatus: value } } });
			expect([value, res.status, res.json]).toEqual([value, 400, errorOf('MissingStringValue', 'cardData.cardParamMap.flowStatus must be a string (JSON-encode lists and objects)')]);
		}
		expect((await send({ cardData: { cardParamMap: 'x' } })).json).toEqual(errorOf('param.invalid', 'cardData.cardParamMap must be an object'));
		expect((await send({ cardData: {} })).status).toBe(200); // an empty card is allowed (the SDK's ai_start sends {})
		expect((await send({}, 'track-r')).json).toEqual(errorOf('param.outTrackIdExist'));
		expect(sim.card('track-r')!.cardParamMap).toEqual({});
		expect((await send({ openSpaceId: `IM_GROUP.${CID}` }, 'x1')).json).toEqual(errorOf('param.invalid', 'openSpaceId must be dtv1.card//TYPE.id[;TYPE.id…]'));
		expect((await send({ openSpaceId: 'dtv1.card//IM_GROUP' }, 'x2')).json).toMatchObject({ code: 'param.invalid' });
		expect((await send({ callbackType: 'WEBHOOK' }, 'x3')).json).toEqual(errorOf('param.invalid', 'callbackType must be STREAM or HTTP'));
		expect((await send({ callbackType: 'HTTP' }, 'x4')).json).toEqual(errorOf('param.empty', 'callbackRouteKey is required with callbackType HTTP'));
		expect((await send({ imGroupOpenDeliverModel: { robotCode: APP.clientId, atUserIds: [USERS[0]] } }, 'x5')).json).toMatchObject({ code: 'param.invalid' });
		expect((await send({ privateData: { [USERS[0]]: { cardParamMap: { n: 1 } } } }, 'x6')).json).toMatchObject({ code: 'MissingStringValue' });
		expect(sim.cards().map((c) => c.outTrackId)).toEqual(['track-r']);
		// once published, the template can be used; lists and objects JSON-encoded are fine
		sim.addCardTemplate(APPROVAL);
		const ok = await send({ cardTemplateId: APPROVAL.cardTemplateId, cardData: { cardParamMap: { title: 'Leave', detail: JSON.stringify(['a', 'b']) } } }, 'track-ok');
		expect(ok.json).toMatchObject({ success: true });
	});

	it('needs Card.Instance.Write: 403 naming the scope until it is granted', async () => {
		const sim = await startSim();
		sim.addApp({ ...APP, permissions: ['qyapi_robot_sendmsg'] });
		const token = await getToken(sim);
		const denied = await createAndDeliver(sim, token, groupCard('p1'));
		expect(denied.status).toBe(403);
		expect(denied.json).toEqual({
			...errorOf('Forbidden.AccessDenied.AccessTokenPermissionDenied', '应用尚未开通所需的权限：[Card.Instance.Write]'),
			accessdenieddetail: { requiredScopes: ['Card.Instance.Write'] },
		});
		expect((await updateCard(sim, token, { outTrackId: 'p1', cardData: { cardParamMap: {} } })).status).toBe(403);
		expect(sim.cards()).toEqual([]);
		sim.setAppPermissions(APP.clientId, ['Card.Instance.Write']);
		expect((await createAndDeliver(sim, token, groupCard('p1'))).status).toBe(200);
	});
});

describe('PUT /v1.0/card/instances', () => {
	it('replaces the cardParamMap, or merges it with cardUpdateOptions.updateCardDataByKey, and answers {success, result: true}', async () => {
		let clock = 1_000_000;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('u1', { cardData: { cardParamMap: { flowStatus: '1', msgTitle: 'T', staticMsgContent: 's' } } }));
		clock += 10;
		const merged = await updateCard(sim, token, { outTrackId: 'u1', cardData: { cardParamMap: { flowStatus: '2' } }, cardUpdateOptions: { updateCardDataByKey: true } });
		expect([merged.status, merged.json]).toEqual([200, { success: true, result: true }]);
		expect(sim.card('u1')!.cardParamMap).toEqual({ flowStatus: '2', msgTitle: 'T', staticMsgContent: 's' });
		expect(sim.card('u1')!.state).toBe('inputting');
		clock += 10;
		await updateCard(sim, token, { outTrackId: 'u1', cardData: { cardParamMap: { flowStatus: '3', msgContent: 'done' } } });
		expect(sim.card('u1')!.cardParamMap).toEqual({ flowStatus: '3', msgContent: 'done' });
		await updateCard(sim, token, { outTrackId: 'u1', cardData: { cardParamMap: { msgTitle: 'T2' } }, cardUpdateOptions: { updateCardDataByKey: false } });
		expect(sim.card('u1')!.cardParamMap).toEqual({ msgTitle: 'T2' });
		expect(sim.card('u1')!.history.map((h) => [h.at, h.source, h.flowStatus])).toEqual([
			[1_000_000, 'createAndDeliver', '1'],
			[1_000_010, 'update', '2'],
			[1_000_020, 'update', '3'],
			[1_000_020, 'update', undefined],
		]);
		// private data per user, by key or replaced
		await updateCard(sim, token, { outTrackId: 'u1', privateData: { [USERS[0]]: { cardParamMap: { a: '1', b: '2' } } } });
		await updateCard(sim, token, { outTrackId: 'u1', privateData: { [USERS[0]]: { cardParamMap: { b: '3' } } }, cardUpdateOptions: { updatePrivateDataByKey: true } });
		expect(sim.card('u1')!.privateData).toEqual({ [USERS[0]]: { a: '1', b: '3' } });
		expect(sim.card('u1')!.cardParamMap).toEqual({ msgTitle: 'T2' });
	});

	it('refuses an unknown card, another app\'s card, values that are not strings, a missing outTrackId, and POST', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const other = await getToken(sim, OTHER);
		await createAndDeliver(sim, token, groupCard('u2'));
		expect((await updateCard(sim, token, { outTrackId: 'nope', cardData: { cardParamMap: {} } })).json).toEqual(errorOf('param.cardNotExist'));
		expect((await updateCard(sim, other, { outTrackId: 'u2', cardData: { cardParamMap: { msgTitle: 'hijack' } } })).json).toEqual(errorOf('param.cardNotExist'));
		expect((await updateCard(sim, token, { outTrackId: 'u2', cardData: { cardParamMap: { n: 2 } } })).json).toMatchObject({ code: 'MissingStringValue' });
		expect((await updateCard(sim, token, { cardData: { cardParamMap: {} } })).json).toEqual(errorOf('param.empty'));
		expect((await updateCard(sim, token, { outTrackId: 'u2' })).json).toEqual(errorOf('param.empty'));
		expect((await call(sim, CARD_PATHS.update, { outTrackId: 'u2', cardData: { cardParamMap: {} } }, token, 'POST')).status).toBe(405);
		expect((await call(sim, CARD_PATHS.createAndDeliver, groupCard('u3'), token, 'PUT')).status).toBe(405);
		expect(sim.card('u2')!.cardParamMap).toEqual({ flowStatus: '1', msgTitle: 'Answer' });
		expect(sim.card('u2')!.calls.map((c) => [c.method, c.status])).toEqual([
			['POST', 200],
			['PUT', 400],
			['PUT', 400],
			['PUT', 400],
			['POST', 405],
		]);
	});
});

describe('PUT /v1.0/card/streaming', () => {
	it('streams the text of a variable: full or appended, then finalized (flowStatus 3); later updates are refused', async () => {
		let clock = 2_000_000;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('s1'));
		await updateCard(sim, token, { outTrackId: 's1', cardData: { cardParamMap: { flowStatus: '2' } }, cardUpdateOptions: { updateCardDataByKey: true } });
		const steps: [Record<string, unknown>, string][] = [
			[{ content: 'Hel', isFull: true }, 'Hel'],
			[{ content: 'Hello', isFull: true }, 'Hello'],
			[{ content: ', world', isFull: false }, 'Hello, world'],
			[{ content: '!', isFull: undefined }, 'Hello, world!'], // isFull absent: appended (assumed)
		];
		for (const [body, text] of steps) {
			clock += 100;
			const res = await streamCard(sim, token, { outTrackId: 's1', ...body });
			expect([res.status, res.json]).toEqual([200, { success: true, result: true }]);
			expect(sim.card('s1')!.streams.msgContent.text).toBe(text);
		}
		expect(sim.card('s1')!.state).toBe('inputting');
		clock += 100;
		expect((await streamCard(sim, token, { outTrackId: 's1', content: 'Hello, world!!', isFinalize: true })).status).toBe(200);
		const card = sim.card('s1')!;
		expect(card.flowStatus).toBe('3');
		expect(card.state).toBe('finished');
		expect(card.cardParamMap.msgContent).toBe('Hello, world!!');
		expect(card.streams.msgContent).toMatchObject({ text: 'Hello, world!!', finalized: true, error: false });
		expect(card.streams.msgContent.history.map((h) => [h.at, h.content, h.isFull, h.isFinalize, h.text])).toEqual([
			[2_000_100, 'Hel', true, false, 'Hel'],
			[2_000_200, 'Hello', true, false, 'Hello'],
			[2_000_300, ', world', false, false, 'Hello, world'],
			[2_000_400, '!', false, false, 'Hello, world!'],
			[2_000_500, 'Hello, world!!', true, true, 'Hello, world!!'],
		]);
		const late = await streamCard(sim, token, { outTrackId: 's1', content: 'more', isFull: false });
		expect([late.status, late.json]).toEqual([400, errorOf('param.streamFinalized', 'the stream of msgContent was finalized')]);
		expect(sim.card('s1')!.streams.msgContent.text).toBe('Hello, world!!');
		// the card itself can still be updated (DingTalk's SDKs set flowStatus 3 with PUT /v1.0/card/instances after the stream)
		expect((await updateCard(sim, token, { outTrackId: 's1', cardData: { cardParamMap: { flowStatus: '3', msgContent: 'Final.' } } })).status).toBe(200);
		expect(sim.card('s1')!.streams.msgContent.text).toBe('Final.');
	});

	it('de-duplicates a guid used again: 200, nothing changes, recorded as a duplicate', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('s2'));
		await streamCard(sim, token, { outTrackId: 's2', guid: 'same', content: 'one', isFull: false });
		const again = await streamCard(sim, token, { outTrackId: 's2', guid: 'same', content: 'one', isFull: false });
		expect([again.status, again.json]).toEqual([200, { success: true, result: true }]);
		await streamCard(sim, token, { outTrackId: 's2', guid: 'other', content: ' two', isFull: false });
		const stream = sim.card('s2')!.streams.msgContent;
		expect(stream.text).toBe('one two');
		expect(stream.history.map((h) => [h.guid, h.duplicate, h.text])).toEqual([
			['same', false, 'one'],
			['same', true, 'one'],
			['other', false, 'one two'],
		]);
	});

	it('isError sets the failed state (flowStatus 5); a template without its failed state answers 500 unknownError', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('e1'));
		expect((await streamCard(sim, token, { outTrackId: 'e1', content: 'partial', isError: true })).status).toBe(200);
		expect(sim.card('e1')).toMatchObject({ flowStatus: '5', state: 'failed', streams: { msgContent: { finalized: true, error: true } } });
		sim.addCardTemplate({ cardTemplateId: 'mine.schema', variables: ['content'], streamingKeys: ['content'], failedState: false });
		await createAndDeliver(sim, token, groupCard('e2', { cardTemplateId: 'mine.schema', cardData: { cardParamMap: { flowStatus: '2' } } }));
		const refused = await streamCard(sim, token, { outTrackId: 'e2', key: 'content', content: 'x', isError: true });
		expect([refused.status, refused.json]).toEqual([500, errorOf('unknownError', '未知错误')]);
		expect((await streamCard(sim, token, { outTrackId: 'e2', key: 'content', content: 'fine' })).status).toBe(200);
		expect(sim.card('e2')!.cardParamMap).toEqual({ flowStatus: '2', content: 'fine' });
	});

	it('refuses an unknown card (500 unknownError), a variable that does not stream, missing parameters; needs Card.Streaming.Write', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('k1'));
		expect((await streamCard(sim, token, { outTrackId: 'never-made', content: 'x' })).json).toEqual(errorOf('unknownError', '未知错误'));
		expect((await streamCard(sim, token, { outTrackId: 'k1', key: 'content', content: 'x' })).json).toEqual(
			errorOf('param.invalidKey', `content is not a streaming variable of ${AI_TEMPLATE}`),
		);
		expect((await streamCard(sim, token, { outTrackId: 'k1', key: 'msgTitle', content: 'x' })).json).toMatchObject({ code: 'param.invalidKey' });
		for (const missing of ['outTrackId', 'guid', 'key', 'content']) {
			expect((await streamCard(sim, token, { outTrackId: 'k1', content: 'x', [missing]: undefined })).json).toEqual(errorOf('param.empty'));
		}
		expect((await streamCard(sim, token, { outTrackId: 'k1', content: 5 })).json).toEqual(errorOf('param.empty'));
		expect((await call(sim, CARD_PATHS.streaming, { outTrackId: 'k1', guid: 'g', key: 'msgContent', content: 'x' }, token, 'POST')).status).toBe(405);
		sim.setAppPermissions(APP.clientId, ['Card.Instance.Write']);
		const denied = await streamCard(sim, token, { outTrackId: 'k1', content: 'x' });
		expect([denied.status, denied.json.accessdenieddetail]).toEqual([403, { requiredScopes: ['Card.Streaming.Write'] }]);
		expect(sim.card('k1')!.streams).toEqual({});
	});

	it('counts card updates against the app\'s QPS per API: the 21st streaming call in a second is throttled as by DingTalk', async () => {
		let clock = 1_700_000_000_100;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('q1'));
		for (let i = 1; i <= 20; i++) expect((await streamCard(sim, token, { outTrackId: 'q1', content: `${i}` })).status).toBe(200);
		const throttled = await streamCard(sim, token, { outTrackId: 'q1', content: '21' });
		expect([throttled.status, throttled.json]).toEqual([
			403,
			errorOf('Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', '您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了'),
		]);
		expect(sim.card('q1')!.streams.msgContent.text).toBe('20');
		// another API has its own count; the next second streams again
		expect((await updateCard(sim, token, { outTrackId: 'q1', cardData: { cardParamMap: { flowStatus: '2' } } })).status).toBe(200);
		clock += 900;
		expect((await streamCard(sim, token, { outTrackId: 'q1', content: '22' })).status).toBe(200);
		expect(sim.card('q1')!.calls.filter((c) => c.status === 403)).toHaveLength(1);
	});

	it('goes through the gate: the token, the latency, and faults (an injected 500 answers instead of DingTalk and changes nothing)', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		expect((await createAndDeliver(sim, undefined as never, groupCard('f0'))).json).toMatchObject({ code: 'AuthenticationFailed.MissingParameter' });
		expect((await streamCard(sim, 'not-a-token', { outTrackId: 'f0', content: 'x' })).json).toMatchObject({ code: 'InvalidAuthentication' });
		sim.setOpenApiLatency(80);
		const started = Date.now();
		await createAndDeliver(sim, token, groupCard('f1'));
		expect(Date.now() - started).toBeGreaterThanOrEqual(75);
		sim.setOpenApiLatency(0);
		sim.injectOpenApiFaults([{ kind: 'http500' }]);
		const res = await streamCard(sim, token, { outTrackId: 'f1', content: 'lost' });
		expect([res.status, res.json]).toEqual([500, errorOf('system.error', '未知的系统错误')]);
		expect(sim.card('f1')!.streams).toEqual({});
		expect(sim.cardRequests().map((r) => [r.path, r.status, r.fault])).toEqual([
			[CARD_PATHS.createAndDeliver, 400, undefined],
			[CARD_PATHS.streaming, 400, undefined],
			[CARD_PATHS.createAndDeliver, 200, undefined],
			[CARD_PATHS.streaming, 500, 'http500'],
		]);
	});
});

describe('card templates', () => {
	it('has DingTalk\'s public AI card template, takes templates of one\'s own, checks their options, and keeps them across reset()', async () => {
		const sim = await startSim();
		const [ai] = sim.cardTemplates();
		expect(ai).toMatchObject({ cardTemplateId: AI_TEMPLATE, published: true, streamingKeys: ['msgContent'], ai: true, failedState: true, builtIn: true });
		expect(ai.variables).toEqual(expect.arrayContaining(['msgContent', 'msgTitle', 'staticMsgContent', 'flowStatus', 'sys_full_json_obj']));
		expect(sim.addCardTemplate(APPROVAL)).toEqual({ ...APPROVAL, published: true, streamingKeys: [], ai: false, failedState: true, builtIn: false });
		expect(sim.addCardTemplate({ cardTemplateId: 'ai2.schema', variables: ['content'], streamingKeys: ['content'] }).variables).toEqual(['content', 'flowStatus']);
		expect(() => sim.addCardTemplate({ cardTemplateId: '' })).toThrow(/cardTemplateId/);
		expect(() => sim.addCardTemplate({ cardTemplateId: 'x', variables: ['a'], streamingKeys: ['b'] })).toThrow(/not one of the variables/);
		expect(() => sim.addCardTemplate({ cardTemplateId: 'x', buttons: [{ actionId: 'a', text: 'A' }, { actionId: 'a', text: 'B' }] })).toThrow(/two buttons/);
		expect(() => sim.addCardTemplate({ cardTemplateId: 'x', buttons: [{ actionId: 'a' }] as never })).toThrow(/actionId and a text/);
		expect(() => sim.addCardTemplate({ cardTemplateId: 'x', buttons: [{ actionId: 'a', text: 'A', params: { n: 1 } as never }] })).toThrow(/params must be an object of strings/);
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('r1'));
		sim.reset();
		expect(sim.cards()).toEqual([]);
		expect(sim.cardRequests()).toEqual([]);
		expect(sim.cardTemplates().map((t) => t.cardTemplateId)).toEqual([AI_TEMPLATE, 'n8n-example-question.schema', APPROVAL.cardTemplateId, 'ai2.schema']);
	});
});

describe('the group page', () => {
	it('draws an AI card with its streamed text and state as they are when the page is loaded', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		await createAndDeliver(sim, token, groupCard('v1', { cardData: { cardParamMap: { flowStatus: '1', msgTitle: 'Weekly <report>' } } }));
		let page = await groupPage(sim);
		expect(page).toContain('card in Ops');
		expect(page).toContain('Weekly &lt;report&gt;');
		expect(page).toContain('<div class="state processing">Processing…</div>');
		await updateCard(sim, token, { outTrackId: 'v1', cardData: { cardParamMap: { flowStatus: '2' } }, cardUpdateOptions: { updateCardDataByKey: true } });
		await streamCard(sim, token, { outTrackId: 'v1', content: '## Sales\n- **up** <b>x</b>' });
		page = await groupPage(sim);
		expect(page).toContain('<div class="state inputting">Typing…</div>');
		expect(page).toContain('<div class="h h2">Sales</div>');
		expect(page).toContain('<div class="li">• <b>up</b> &lt;b&gt;x&lt;/b&gt;</div>');
		await streamCard(sim, token, { outTrackId: 'v1', content: '\nDone.', isFull: false, isFinalize: true });
		page = await groupPage(sim);
		expect(page).toContain('<div class="state finished">Finished</div>');
		expect(page).toContain('Done.');
		await createAndDeliver(sim, token, groupCard('v2'));
		await streamCard(sim, token, { outTrackId: 'v2', content: 'oops', isError: true });
		expect(await groupPage(sim)).toContain('<div class="state failed">Failed</div>');
	});

	it('draws a card with its variables, its buttons and its mentions', async () => {
		const sim = await startSim();
		sim.addCardTemplate(APPROVAL);
		sim.addUser({ userId: 'lead01', name: 'Lin' });
		const token = await getToken(sim);
		await createAndDeliver(
			sim,
			token,
			groupCard('b1', {
				cardTemplateId: APPROVAL.cardTemplateId,
				cardData: { cardParamMap: { title: 'Leave request', detail: '3 days', unused: 'not-a-variable-value' } },
				imGroupOpenDeliverModel: { robotCode: APP.clientId, atUserIds: { lead01: 'Lin' } },
			}),
		);
		const page = await groupPage(sim);
		expect(page).toContain('<div class="title">Leave request</div>');
		expect(page).not.toContain('<span class="key">title</span>');
		expect(page).toContain('<span class="key">detail</span> <div>3 days</div>');
		expect(page).not.toContain('not-a-variable-value');
		expect(page).toContain('<span class="at">@Lin</span>');
		await createAndDeliver(sim, token, groupCard('b2', { imGroupOpenDeliverModel: { robotCode: APP.clientId, atUserIds: { '@ALL': '@ALL' } } }));
		expect(await groupPage(sim)).toContain('<span class="at">@ALL</span>');
		expect(page).toContain('<div class="btn">Approve</div><div class="btn">Reject</div>');
	});
});
