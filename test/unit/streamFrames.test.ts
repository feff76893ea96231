/**
 * The Stream protocol decisions (frames.ts), with every answer checked by the simulator's own
 * reading of DingTalk's answer shape (simulator/streamFrames.js parseAck), not by the code under test.
 */
import { CARD_CALLBACK_TOPIC, ROBOT_MESSAGE_TOPIC, cardActionAck, decideFrame, frameAnswer, parseFrame, streamSubscriptions, type StreamTopic } from '../../nodes/DingTalkStreamTrigger/stream/frames';

const { parseAck, eventAckStatus, checkSubscriptions } = require('../../simulator/streamFrames');

const frame = (type: string, headers: Record<string, unknown>, data: unknown) => JSON.stringify({ specVersion: '1.0', type, headers, data: JSON.stringify(data) });
const decide = (text: string, topic?: StreamTopic) => {
	const parsed = parseFrame(text);
	if (!parsed.ok) throw new Error(parsed.reason);
	return decideFrame(parsed.frame, topic);
};
const MESSAGE = { msgtype: 'text', msgId: 'msgAbc', text: { content: ' hi' }, conversationType: '2', sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x' };

test('the subscriptions are valid for the gateway and name the connection\'s one topic', () => {
	expect(checkSubscriptions(streamSubscriptions(ROBOT_MESSAGE_TOPIC))).toEqual({ subscriptions: [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }] });
	expect(checkSubscriptions(streamSubscriptions(CARD_CALLBACK_TOPIC))).toEqual({ subscriptions: [{ type: 'CALLBACK', topic: '/v1.0/card/instances/callback' }] });
});

test('a card click on a connection subscribed to cards is read, and its ACK carries {"response": …}', () => {
	const content = JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { choice: 'approve' } } });
	const click = { extension: '{}', corpId: 'dingcorp', spaceType: '', userIdType: 1, type: 'actionCallback', userId: 'u1', content, spaceId: '', outTrackId: 'q-1', value: content };
	const action = decide(frame('CALLBACK', { topic: CARD_CALLBACK_TOPIC, messageId: 'c-9' }, click), CARD_CALLBACK_TOPIC);
	expect(action).toMatchObject({ kind: 'cardAction', messageId: 'c-9', reading: { ok: true, body: click, action: { actionIds: ['approve'], params: { choice: 'approve' } } } });
	const { ack } = parseAck(cardActionAck('c-9', { cardData: { cardParamMap: { status: 'ok' } } }));
	expect(ack).toMatchObject({ code: 200, messageId: 'c-9' });
	expect(JSON.parse(ack.data)).toEqual({ response: { cardData: { cardParamMap: { status: 'ok' } } } });
	expect(JSON.parse(parseAck(cardActionAck('c-9', {})).ack.data)).toEqual({ response: {} });
	// a robot message on the card connection is no topic of it
	expect(decide(frame('CALLBACK', { topic: ROBOT_MESSAGE_TOPIC, messageId: 'm-9' }, MESSAGE), CARD_CALLBACK_TOPIC)).toMatchObject({ kind: 'unknownTopic' });
});

test('a robot message is ACKed at once with {"response":null} and handed on', () => {
	const action = decide(frame('CALLBACK', { topic: ROBOT_MESSAGE_TOPIC, messageId: 'm-1', contentType: 'application/json' }, MESSAGE));
	expect(action).toMatchObject({ kind: 'robotMessage', messageId: 'm-1', body: MESSAGE });
	const ack = parseAck((action as { answer: string }).answer);
	expect(ack).toEqual({ ack: { code: 200, messageId: 'm-1', contentType: 'application/json', message: 'OK', data: '{"response":null}' } });
});

test('a robot message that is not one is still ACKed, and said why', () => {
	const action = decide(frame('CALLBACK', { topic: ROBOT_MESSAGE_TOPIC, messageId: 'm-2' }, { msgtype: 'text' }));
	expect(action).toMatchObject({ kind: 'unreadableMessage', reason: 'the body has no msgId: it is not a DingTalk robot message' });
	expect(parseAck((action as { answer: string }).answer).ack.messageId).toBe('m-2');
});

test('a ping is answered code 200 with the same data', () => {
	const text = frame('SYSTEM', { topic: 'ping', messageId: 'p-1' }, { opaque: 'abc-123' });
	const action = decide(text);
	expect(action.kind).toBe('ping');
	const { ack } = parseAck((action as { answer: string }).answer);
	expect(ack).toMatchObject({ code: 200, messageId: 'p-1' });
	expect(JSON.parse(ack.data)).toEqual({ opaque: 'abc-123' });
});

test('a disconnect asks for a new connection and is not answered', () => {
	expect(decide(frame('SYSTEM', { topic: 'disconnect', messageId: 'd-1' }, { reason: 'persistent connection is timeout' }))).toEqual({
		kind: 'disconnect',
		reason: 'persistent connection is timeout',
	});
});

test('an event is answered LATER: the trigger runs no workflow for events', () => {
	const action = decide(frame('EVENT', { topic: '*', messageId: 'e-1', eventType: 'chat_update_title' }, {}));
	const { ack } = parseAck((action as { answer: string }).answer);
	expect(eventAckStatus(ack.data)).toEqual({ status: 'LATER' });
});

test('a callback of another topic gets 404; a frame without messageId or not JSON is refused', () => {
	const other = decide(frame('CALLBACK', { topic: '/v1.0/card/instances/callback', messageId: 'c-1' }, {}));
	expect(other).toMatchObject({ kind: 'unknownTopic', topic: '/v1.0/card/instances/callback' });
	expect(parseAck((other as { answer: string }).answer).ack.code).toBe(404);
	expect(decide(frame('CALLBACK', { topic: ROBOT_MESSAGE_TOPIC }, MESSAGE))).toEqual({ kind: 'invalid', reason: 'a CALLBACK frame without a messageId' });
	expect(parseFrame('not json')).toEqual({ ok: false, reason: 'the frame is not a JSON object' });
	expect(parseFrame('{"headers":{}}')).toEqual({ ok: false, reason: 'the frame has no type' });
	expect(parseFrame('{"type":"SYSTEM"}')).toEqual({ ok: false, reason: 'the frame has no headers' });
});

test('frameAnswer keeps data a JSON string', () => {
	expect(JSON.parse(frameAnswer('x', '{"a":1}'))).toEqual({ code: 200, headers: { messageId: 'x', contentType: 'application/json' }, message: 'OK', data: '{"a":1}' });
});
