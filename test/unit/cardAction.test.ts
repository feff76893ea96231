/**
 * A card click as both triggers read it (nodes/shared/incoming/cardAction.ts) and the answer they
 * give it (cardActionAnswer.ts), pure. The sample is the frame data quoted in the official Python
 * Stream SDK (dingtalk_stream/card_callback_message.py).
 */
import { actionIdList, looksLikeCardCallback, normalizeCardAction, passesCardFilters, readCardCallbackBody } from '../../nodes/shared/incoming/cardAction';
import { clickResponse, fillPlaceholders, readClickAnswer } from '../../nodes/shared/incoming/cardActionAnswer';

const SDK_SAMPLE = {
	extension: '{}',
	corpId: 'ding9f50b15bccd16741',
	spaceType: '',
	userIdType: 1,
	type: 'actionCallback',
	userId: '04574258341072934',
	content: '{"cardPrivateData":{"actionIds":["button_node_ocljnpbz4i4"],"params":{}}}',
	spaceId: '',
	outTrackId: '53d6dda444c74f5f17bf4534333c1a46f690b4ddadac8d7e80fc11c2e4a714cb',
	value: '{"cardPrivateData":{"actionIds":["button_node_ocljnpbz4i4"],"params":{}}}',
};

test('the SDK\'s sample click is read, as an object, as JSON text and as bytes', () => {
	for (const body of [SDK_SAMPLE, JSON.stringify(SDK_SAMPLE), Buffer.from(JSON.stringify(SDK_SAMPLE))]) {
		expect(readCardCallbackBody(body)).toEqual({ ok: true, body: SDK_SAMPLE, action: { actionIds: ['button_node_ocljnpbz4i4'], params: {} } });
	}
	// DingTalk's guide shows the HTTP body with these fields only
	const http = { type: 'actionCallback', outTrackId: 'X1', corpId: 'dingX', userId: 'u1', content: '{"cardPrivateData":{"actionIds":["1"],"params":{"action":"accept"}}}' };
	expect(readCardCallbackBody(http)).toMatchObject({ ok: true, action: { actionIds: ['1'], params: { action: 'accept' } } });
});

test('what is not a click is refused, saying why', () => {
	const reasons = [
		[[1, 2], 'the body is not a JSON object'],
		['{not json', 'the body is not a JSON object'],
		[{ ...SDK_SAMPLE, type: 'dataSourceQuery' }, 'the body\'s type is "dataSourceQuery", not actionCallback'],
		[{ ...SDK_SAMPLE, outTrackId: '' }, 'the body has no outTrackId: it is not a card click'],
		[{ ...SDK_SAMPLE, userId: undefined }, 'the body has no userId: it is not a card click'],
		[{ ...SDK_SAMPLE, content: 'nope' }, 'the click cannot be read: its content is not a JSON object'],
		[{ ...SDK_SAMPLE, content: '{"cardPrivateData":{"actionIds":"a"}}' }, 'the click cannot be read: its content.cardPrivateData.actionIds is not a list of IDs'],
		[{ ...SDK_SAMPLE, content: '{"cardPrivateData":{"params":[1]}}' }, 'the click cannot be read: its content.cardPrivateData.params is not an object'],
	] as const;
	for (const [body, reason] of reasons) expect(readCardCallbackBody(body)).toEqual({ ok: false, reason });
	expect(looksLikeCardCallback(SDK_SAMPLE)).toBe(true);
	expect(looksLikeCardCallback(JSON.stringify({ type: 'actionCallback' }))).toBe(true);
	expect(looksLikeCardCallback({ msgtype: 'text', msgId: 'm', outTrackId: 'x' })).toBe(false);
	expect(looksLikeCardCallback('not json')).toBe(false);
});

test('the item: the click\'s fields, the first action ID, the conversation only where DingTalk names a space', () => {
	const body = { ...SDK_SAMPLE, content: '{"cardPrivateData":{"actionIds":["approve","x"],"params":{"choice":"approve","n":2}}}' };
	const reading = readCardCallbackBody(body);
	if (!reading.ok) throw new Error(reading.reason);
	const item = normalizeCardAction(reading.body, reading.action, 'http', Date.UTC(2026, 10, 28, 8));
	expect(item).toEqual({
		event: 'cardAction',
		outTrackId: SDK_SAMPLE.outTrackId,
		userId: SDK_SAMPLE.userId,
		actionId: 'approve',
		actionIds: ['approve', 'x'],
		params: { choice: 'approve', n: 2 },
		corpId: SDK_SAMPLE.corpId,
		spaceType: '',
		spaceId: '',
		via: 'http',
		receivedAt: '2026-11-28T08:00:00.000Z',
		raw: body,
	});
	const inGroup = normalizeCardAction({ ...reading.body, spaceType: 'IM_GROUP', spaceId: 'cidX==' }, reading.action, 'stream', 0);
	expect(inGroup.conversation).toEqual({ type: 'group', id: 'cidX==' });
	expect(normalizeCardAction({ ...reading.body, spaceType: 'IM_ROBOT', spaceId: 'u1' }, { actionIds: [], params: {} }, 'stream', 0)).toMatchObject({ conversation: { type: 'oneToOne', id: 'u1' }, actionId: '' });
});

test('filters: action IDs (any of those clicked) and an outTrackId prefix; empty ones pass everything', () => {
	const item = { actionIds: ['approve'], outTrackId: 'vote-42' };
	expect(passesCardFilters(item, {})).toBe(true);
	expect(passesCardFilters(item, { onlyActionIds: 'reject， approve' })).toBe(true);
	expect(passesCardFilters(item, { onlyActionIds: 'reject' })).toBe(false);
	expect(passesCardFilters(item, { outTrackIdPrefix: ' vote-' })).toBe(true);
	expect(passesCardFilters(item, { outTrackIdPrefix: 'poll-' })).toBe(false);
	expect(actionIdList('a, b;c\n d,,')).toEqual(['a', 'b', 'c', 'd']);
});

test('the answer: none, variables (for everyone or the clicker), JSON; placeholders filled in per click', () => {
	const item = normalizeCardAction({ outTrackId: 'q-1', userId: 'u7' }, { actionIds: ['approve', 'b'], params: { choice: 'approve', pick: { index: [1] } } }, 'stream', 0);
	expect(clickResponse(readClickAnswer({}), item)).toEqual({});
	const variables = readClickAnswer({ cardActionAnswer: 'variables', cardActionVariables: { values: [{ name: 'status', value: '{params.choice}/{params.pick}/{params.none}/{actionIds}/{userId}/{outTrackId}/{other}' }, { name: 'n', value: 3 }] } });
	expect(clickResponse(variables, item)).toEqual({ cardData: { cardParamMap: { status: 'approve/{"index":[1]}//approve,b/u7/q-1/{other}', n: '3' } }, cardUpdateOptions: { updateCardDataByKey: true } });
	const mine = readClickAnswer({ cardActionAnswer: 'variables', cardActionUpdateFor: 'clicker', cardActionVariables: { values: [{ name: 'mine', value: '{actionId}' }] } });
	expect(clickResponse(mine, item)).toEqual({ userPrivateData: { cardParamMap: { mine: 'approve' } }, cardUpdateOptions: { updatePrivateDataByKey: true } });
	const json = readClickAnswer({ cardActionAnswer: 'json', cardActionJson: '{"userPrivateData": {"cardParamMap": {"x": ["{userId}"]}}}' });
	// a list is JSON text (as DingTalk requires); the placeholder inside it is filled in
	expect(clickResponse(json, item)).toEqual({ userPrivateData: { cardParamMap: { x: '["u7"]' } } });
	expect(fillPlaceholders('{{userId}}', item)).toBe('{u7}');
	expect(() => readClickAnswer({ cardActionAnswer: 'sometimes' })).toThrow('"Answer the Click" is "sometimes": choose one of none, variables, json');
	expect(() => readClickAnswer({ cardActionAnswer: 'variables', cardActionUpdateFor: 'all' })).toThrow('"Answer the Click › Update For" is "all": choose everyone or clicker');
	expect(() => readClickAnswer({ cardActionAnswer: 'json', cardActionJson: '[1]' })).toThrow(/must be an object with cardData/);
	expect(() => readClickAnswer({ cardActionAnswer: 'json', cardActionJson: '{"cardData": {"cardParamMap": {}, "x": 1}}' })).toThrow('"Answer the Click › JSON › cardData" has "x": it takes only cardParamMap');
});
