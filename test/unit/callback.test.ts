import { CALLBACK_TIMESTAMP_TOLERANCE_MS, verifyCallback } from '../../nodes/DingTalkRobotTrigger/callback';
import {
	cleanMessageText,
	normalizeIncomingMessage,
	passesFilters,
	readIncomingBody,
	type IncomingMessageBody,
} from '../../nodes/shared/incoming/incomingMessage';
import { DUPLICATE_WINDOW_MS, RecentMessages } from '../../nodes/DingTalkRobotTrigger/recentMessages';

// Vectors computed with Python's hmac/hashlib/base64, not with the code under test:
//   base64(hmac.new(secret, f"{ts}\n{secret}", sha256).digest())
const VECTORS = [
	{ secret: 'this is secret', timestamp: 1577808000000, sign: 'ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=' },
	{ secret: 'dGVzdC1hcHAtc2VjcmV0LWZvci1uOG4tZGluZ3RhbGs', timestamp: 1764374400000, sign: '6yNcdQCL6HJ25Os8WZ9rrV1CtFOKCfBNfG1IK7UJaaA=' },
	{ secret: '钉钉密钥', timestamp: 1700000000000, sign: 'DXGECjSclvKv+FVEKdaR1sMWyJtqfub7Ovd9jL/ztFY=' },
];

describe('verifyCallback', () => {
	it.each(VECTORS)('accepts DingTalk\'s sign for $secret at $timestamp', ({ secret, timestamp, sign }) => {
		expect(verifyCallback({ timestamp: String(timestamp), sign }, { appSecret: secret }, timestamp + 1000)).toEqual({ ok: true });
	});

	it('refuses a sign made with another secret (403)', () => {
		const { timestamp, sign } = VECTORS[0];
		expect(verifyCallback({ timestamp: String(timestamp), sign }, { appSecret: 'another secret' }, timestamp)).toEqual({
			ok: false,
			status: 403,
			reason: 'sign does not match',
		});
	});

	it('refuses a sign for another timestamp (403): the sign binds the time', () => {
		const { secret, timestamp, sign } = VECTORS[0];
		expect(verifyCallback({ timestamp: String(timestamp + 1), sign }, { appSecret: secret }, timestamp)).toMatchObject({ ok: false, status: 403 });
	});

	it('refuses a URL-encoded sign: DingTalk sends the header as plain base64', () => {
		const { secret, timestamp, sign } = VECTORS[0];
		expect(verifyCallback({ timestamp: String(timestamp), sign: encodeURIComponent(sign) }, { appSecret: secret }, timestamp)).toMatchObject({
			ok: false,
			status: 403,
		});
	});

	it.each([
		['no headers', {}],
		['no sign', { timestamp: String(VECTORS[0].timestamp) }],
		['no timestamp', { sign: VECTORS[0].sign }],
		['blank sign', { timestamp: String(VECTORS[0].timestamp), sign: '  ' }],
	])('refuses %s (401)', (_name, headers) => {
		expect(verifyCallback(headers, { appSecret: VECTORS[0].secret }, VECTORS[0].timestamp)).toEqual({
			ok: false,
			status: 401,
			reason: 'missing timestamp or sign header',
		});
	});

	it('keeps to the one-hour window on both sides, inclusive', () => {
		const { secret, timestamp, sign } = VECTORS[0];
		const headers = { timestamp: String(timestamp), sign };
		expect(verifyCallback(headers, { appSecret: secret }, timestamp + CALLBACK_TIMESTAMP_TOLERANCE_MS)).toEqual({ ok: true });
		expect(verifyCallback(headers, { appSecret: secret }, timestamp - CALLBACK_TIMESTAMP_TOLERANCE_MS)).toEqual({ ok: true });
		expect(verifyCallback(headers, { appSecret: secret }, timestamp + CALLBACK_TIMESTAMP_TOLERANCE_MS + 1)).toEqual({
			ok: false,
			status: 401,
			reason: 'timestamp is more than one hour from now',
		});
		expect(verifyCallback(headers, { appSecret: secret }, timestamp - CALLBACK_TIMESTAMP_TOLERANCE_MS - 1)).toMatchObject({ ok: false, status: 401 });
	});

	it('refuses a timestamp that is not milliseconds (401)', () => {
		const { secret, sign } = VECTORS[0];
		for (const timestamp of ['1577808000000.0', '-1577808000000', 'now', '15778080000001234567']) {
			expect(verifyCallback({ timestamp, sign }, { appSecret: secret }, 1577808000000)).toMatchObject({ ok: false, status: 401 });
		}
	});

	it('takes the first value of a repeated header', () => {
		const { secret, timestamp, sign } = VECTORS[0];
		expect(verifyCallback({ timestamp: [String(timestamp), '1'], sign: [sign, 'x'] }, { appSecret: secret }, timestamp)).toEqual({ ok: true });
	});

	it('checks the Outgoing token header: missing 401, wrong 403, right ok', () => {
		const secrets = { outgoingToken: 'outgoing-token-1' };
		expect(verifyCallback({}, secrets, 0)).toEqual({ ok: false, status: 401, reason: 'missing token header' });
		expect(verifyCallback({ token: 'outgoing-token-2' }, secrets, 0)).toEqual({ ok: false, status: 403, reason: 'token does not match' });
		expect(verifyCallback({ token: 'outgoing-token-1x' }, secrets, 0)).toMatchObject({ ok: false, status: 403 });
		expect(verifyCallback({ token: 'outgoing-token-1' }, secrets, 0)).toEqual({ ok: true });
	});

	it('with both set, needs both', () => {
		const { secret, timestamp, sign } = VECTORS[0];
		const secrets = { appSecret: secret, outgoingToken: 'tok' };
		expect(verifyCallback({ timestamp: String(timestamp), sign }, secrets, timestamp)).toMatchObject({ ok: false, status: 401 });
		expect(verifyCallback({ timestamp: String(timestamp), sign, token: 'tok' }, secrets, timestamp)).toEqual({ ok: true });
		expect(verifyCallback({ timestamp: String(timestamp), sign: VECTORS[1].sign, token: 'tok' }, secrets, timestamp)).toMatchObject({
			ok: false,
			status: 403,
		});
	});

	it('never puts a secret in its reasons', () => {
		const secret = 'SECRET-CANARY-7f3a';
		const verdicts = [
			verifyCallback({}, { appSecret: secret }, 0),
			verifyCallback({ timestamp: '1', sign: 'x' }, { appSecret: secret }, 1),
			verifyCallback({ token: 'x' }, { outgoingToken: secret }, 1),
		];
		for (const verdict of verdicts) expect(JSON.stringify(verdict)).not.toContain('CANARY');
	});
});

describe('readIncomingBody', () => {
	const message = { msgtype: 'text', msgId: 'msg1', text: { content: ' hi' } };

	it('accepts a parsed object and a JSON text (text/plain bodies)', () => {
		expect(readIncomingBody(message)).toEqual({ ok: true, body: message });
		expect(readIncomingBody(JSON.stringify(message))).toEqual({ ok: true, body: message });
		expect(readIncomingBody(Buffer.from(JSON.stringify(message)))).toEqual({ ok: true, body: message });
	});

	it.each([
		[undefined, 'the body is not a JSON object'],
		['', 'the body is empty'],
		['{"msgtype": "text", "text": ', 'the body is not JSON'],
		['[1,2]', 'the body is not a JSON object'],
		[{}, 'the body is empty'],
		[{ hello: 'world' }, 'the body has no msgtype: it is not a DingTalk robot message'],
		[{ msgtype: 'text' }, 'the body has no msgId: it is not a DingTalk robot message'],
		[{ msgtype: '', msgId: 'x' }, 'the body has no msgtype: it is not a DingTalk robot message'],
	])('refuses %j: %s', (body, reason) => {
		expect(readIncomingBody(body)).toEqual({ ok: false, reason });
	});
});

describe('normalizeIncomingMessage', () => {
	// the shape of DingTalk's documented sample callback
	const body: IncomingMessageBody = {
		conversationId: 'cidPlHoUmKtWWGC1Vl3WfObmg==',
		atUsers: [{ dingtalkId: '$:LWCP_v1:$robot' }, { dingtalkId: '$:LWCP_v1:$li', staffId: 'lisi01' }],
		chatbotCorpId: 'dingb66a5ef8',
		chatbotUserId: '$:LWCP_v1:$robot',
		msgId: 'msgLS4Z2DT6QhP7AQpQvmU/A==',
		senderNick: '张三',
		isAdmin: true,
		senderStaffId: 'manager4521',
		sessionWebhookExpiredTime: 1700005400000,
		createAt: 1700000000000,
		senderCorpId: 'dingb66a5ef8',
		conversationType: '2',
		senderId: '$:LWCP_v1:$zhang',
		conversationTitle: '运维群',
		isInAtList: true,
		sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
		text: { content: '  ping ' },
		robotCode: 'dingrobot1',
		msgtype: 'text',
	};

	it('maps every documented field', () => {
		expect(normalizeIncomingMessage(body)).toEqual({
			text: 'ping',
			messageType: 'text',
			messageId: 'msgLS4Z2DT6QhP7AQpQvmU/A==',
			createdAt: '2023-11-14T22:13:20.000Z',
			sender: { nick: '张三', staffId: 'manager4521', id: '$:LWCP_v1:$zhang', corpId: 'dingb66a5ef8', isAdmin: true },
			conversation: { type: 'group', id: 'cidPlHoUmKtWWGC1Vl3WfObmg==', title: '运维群' },
			mentionedUsers: [{ dingtalkId: '$:LWCP_v1:$li', staffId: 'lisi01' }],
			robotMentioned: true,
			robotCode: 'dingrobot1',
			sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=abc',
			sessionWebhookExpiresAt: '2023-11-14T23:43:20.000Z',
			attachments: [],
			raw: body,
		});
	});

	it('a one-to-one message counts as mentioning the robot', () => {
		const item = normalizeIncomingMessage({ ...body, conversationType: '1', isInAtList: false, conversationTitle: undefined });
		expect(item.conversation).toEqual({ type: 'oneToOne', id: body.conversationId, title: '' });
		expect(item.robotMentioned).toBe(true);
		expect(normalizeIncomingMessage({ ...body, isInAtList: false }).robotMentioned).toBe(false);
	});

	it('keeps going with fields missing or of other types (times as strings, unknown conversation type)', () => {
		const item = normalizeIncomingMessage({ msgtype: 'picture', msgId: 'm2', createAt: '1700000000000', conversationType: '3', atUsers: 'x' as never });
		expect(item).toMatchObject({
			text: '',
			messageType: 'picture',
			createdAt: '2023-11-14T22:13:20.000Z',
			conversation: { type: 'unknown', id: '', title: '' },
			mentionedUsers: [],
			robotMentioned: false,
			sessionWebhook: '',
			sessionWebhookExpiresAt: null,
			sender: { nick: '', staffId: '', id: '', corpId: '', isAdmin: false },
		});
	});

	it('joins the text of a rich text message', () => {
		const item = normalizeIncomingMessage({ msgtype: 'richText', msgId: 'm3', content: { richText: [{ text: 'deploy ' }, { pictureDownloadCode: 'x' }, { text: 'web' }] } });
		expect(item.text).toBe('deploy web');
	});
});

describe('cleanMessageText', () => {
	it('trims, and removes the robot\'s own leading mention when its name is given', () => {
		expect(cleanMessageText('  ping  ')).toBe('ping');
		expect(cleanMessageText('@n8n bot  ping', 'n8n bot')).toBe('ping');
		expect(cleanMessageText('@n8n bot ping', '@n8n bot')).toBe('ping');
		expect(cleanMessageText('@Alice ping', 'n8n bot')).toBe('@Alice ping');
		expect(cleanMessageText('ping @n8n bot', 'n8n bot')).toBe('ping @n8n bot');
	});
});

describe('RecentMessages', () => {
	it('sees a key again within the window, and forgets it after', () => {
		const recent = new RecentMessages();
		expect(recent.seenBefore('a', 0)).toBe(false);
		expect(recent.seenBefore('a', DUPLICATE_WINDOW_MS - 1)).toBe(true);
		expect(recent.seenBefore('b', DUPLICATE_WINDOW_MS - 1)).toBe(false);
		expect(recent.seenBefore('a', DUPLICATE_WINDOW_MS + 1)).toBe(false);
		// b, recorded at window-1, is still remembered
		expect(recent.seenBefore('b', DUPLICATE_WINDOW_MS + 1)).toBe(true);
	});

	it('remembers the value a key was first seen with, for its window', () => {
		const recent = new RecentMessages<string>(1000);
		expect(recent.remember('k', 'first', 0)).toBeUndefined();
		expect(recent.remember('k', 'second', 999)).toBe('first');
		expect(recent.remember('k', 'third', 1001)).toBeUndefined();
	});
});

describe('passesFilters', () => {
	const message = (type: 'group' | 'oneToOne' | 'unknown', robotMentioned: boolean) => ({ conversation: { type, id: 'c', title: '' }, robotMentioned });

	it('lets everything through without filters, even an unknown conversation type', () => {
		for (const type of ['group', 'oneToOne', 'unknown'] as const) expect(passesFilters(message(type, false), {})).toBe(true);
	});

	it('keeps only the chosen conversation types', () => {
		expect(passesFilters(message('group', true), { conversationTypes: ['group'] })).toBe(true);
		expect(passesFilters(message('oneToOne', true), { conversationTypes: ['group'] })).toBe(false);
		expect(passesFilters(message('unknown', true), { conversationTypes: ['group', 'oneToOne'] })).toBe(false);
	});

	it('keeps only messages that mention the robot when asked to', () => {
		expect(passesFilters(message('group', false), { onlyWhenMentioned: true })).toBe(false);
		expect(passesFilters(message('group', true), { onlyWhenMentioned: true })).toBe(true);
		expect(passesFilters(message('group', false), { onlyWhenMentioned: false })).toBe(true);
	});
});
