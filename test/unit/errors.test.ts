import { explainDingTalkError } from '../../nodes/DingTalkRobot/transport/errors';

/** Every errcode of the shared API doc's table (section 4), with an errmsg DingTalk sends for it. */
const DOCUMENTED: Array<[number, string]> = [
	[-1, '系统繁忙'],
	[40035, '缺少参数 json'],
	[43002, '需要POST请求'],
	[43004, '无效的HTTP HEADER Content-Type'],
	[300001, 'token is not exist'],
	[300005, 'token is not exist'],
	[400101, 'access_token不存在'],
	[310000, 'keywords not in content'],
	[400013, '群已被解散'],
	[400102, '机器人已停用'],
	[400105, '不支持的消息类型'],
	[400106, '机器人不存在'],
	[400402, '参数 markdown --》 title 缺失'],
	[410100, 'send too fast, exceed 20 times per minute'],
	[130101, 'send too fast'],
	[430101, '含有不安全的外链'],
	[430102, '含有不合适的文本'],
	[430103, '含有不合适的图片'],
	[430104, '含有不合适的内容'],
	[460101, 'message too long, exceed 20000 bytes'],
	[101002, '消息内容超长'],
];

const RETRYABLE = new Set([-1, 410100, 130101]);

describe('explainDingTalkError: every documented errcode', () => {
	test.each(DOCUMENTED)('%i has a specific explanation', (errcode, errmsg) => {
		const explanation = explainDingTalkError(errcode, errmsg);
		expect(explanation.message).not.toBe('');
		expect(explanation.description).not.toBe('');
		// a known code never falls back to the "unknown code" explanation
		expect(explanation.message).not.toBe(`DingTalk refused the message (errcode ${errcode})`);
		expect(explanation.retryable).toBe(RETRYABLE.has(errcode));
	});

	test('retryable exactly for -1, 410100 and 130101', () => {
		const retryable = DOCUMENTED.filter(([code, msg]) => explainDingTalkError(code, msg).retryable).map(([code]) => code);
		expect(retryable).toEqual([-1, 410100, 130101]);
	});

	test.each([
		[-1, { message: 'DingTalk is busy', description: 'DingTalk answered "system busy". Try again in a moment.', retryable: true }],
		[43002, { message: 'DingTalk requires a POST request', description: 'A proxy between n8n and DingTalk may be changing the request method.', retryable: false }],
		[400102, { message: 'This DingTalk robot is disabled', description: "Enable the robot again in the group's robot settings.", retryable: false }],
	])('%i: exact explanation', (errcode, expected) => {
		expect(explainDingTalkError(errcode, '')).toEqual(expected);
	});

	test('the three "token does not exist" codes share one explanation about the access token', () => {
		const a = explainDingTalkError(300001, 'token is not exist');
		expect(explainDingTalkError(300005, 'x')).toEqual(a);
		expect(explainDingTalkError(400101, 'x')).toEqual(a);
		expect(a.message).toBe("DingTalk does not know this robot's access token");
		expect(a.description).toContain('Webhook URL');
	});

	test('missing parameter (40035) speaks of the body or the access token', () => {
		const e = explainDingTalkError(40035, '缺少参数 json');
		expect(e.message).toBe('DingTalk says a parameter is missing');
		expect(e.description).toContain('access token');
	});

	test('Content-Type (43004)', () => {
		expect(explainDingTalkError(43004, '').message).toBe("DingTalk refused the request's Content-Type");
		expect(explainDingTalkError(43004, '').description).toContain('application/json');
	});

	test('group dissolved (400013), robot gone (400106), unsupported msgtype (400105)', () => {
		expect(explainDingTalkError(400013, '').message).toBe('The DingTalk group of this robot was dissolved');
		expect(explainDingTalkError(400106, '').message).toBe('This DingTalk robot does not exist any more');
		expect(explainDingTalkError(400105, '').message).toBe('DingTalk does not support this message type');
		expect(explainDingTalkError(400105, '').description).toContain('text, markdown, link, actionCard and feedCard');
	});

	test('required field missing (400402) points at the JSON casing', () => {
		const e = explainDingTalkError(400402, '参数 markdown --》 title 缺失');
		expect(e.message).toBe('DingTalk says a required field of the message is missing');
		expect(e.description).toContain('messageURL');
		expect(e.description).toContain('messageUrl');
	});

	test('throttled (410100, older 130101): 20 per minute, 10 minutes', () => {
		const e = explainDingTalkError(410100, 'send too fast');
		expect(explainDingTalkError(130101, 'send too fast')).toEqual(e);
		expect(e.message).toBe('DingTalk throttled the robot: more than 20 messages in one minute');
		expect(e.description).toContain('20 messages per minute');
		expect(e.description).toContain('10 minutes');
		expect(e.retryable).toBe(true);
	});

	test('unsafe or inappropriate content (430101..430104) are told apart', () => {
		expect(explainDingTalkError(430101, '').message).toBe('DingTalk refused a link in the message as unsafe');
		expect(explainDingTalkError(430102, '').message).toBe('DingTalk refused the message text as inappropriate');
		expect(explainDingTalkError(430103, '').message).toBe('DingTalk refused an image in the message as inappropriate');
		expect(explainDingTalkError(430104, '').message).toBe('DingTalk refused the message content as inappropriate');
	});

	test('another 4301xx code is treated as inappropriate content', () => {
		expect(explainDingTalkError(430105, '')).toEqual(explainDingTalkError(430104, ''));
	});

	test('too long (460101, older 101002)', () => {
		const e = explainDingTalkError(460101, 'message too long');
		expect(explainDingTalkError(101002, '')).toEqual(e);
		expect(e.message).toBe('The message is too long for DingTalk (over 20000 bytes)');
		expect(e.retryable).toBe(false);
	});

	test('an unknown code names the code and is not retryable', () => {
		expect(explainDingTalkError(999999, 'something new')).toEqual({
			message: 'DingTalk refused the message (errcode 999999)',
			description: 'DingTalk answered with an error code this node does not know. Its message is shown as is.',
			retryable: false,
		});
	});

	test('errcode 0 is not explained as a known failure', () => {
		expect(explainDingTalkError(0, 'ok').message).toBe('DingTalk refused the message (errcode 0)');
	});
});

describe('explainDingTalkError: 310000 is told apart by errmsg', () => {
	const keywords = explainDingTalkError(310000, 'keywords not in content');
	const timestamp = explainDingTalkError(310000, 'invalid timestamp');
	const sign = explainDingTalkError(310000, 'sign not match');
	const ip = explainDingTalkError(310000, 'ip 1.2.3.4 not in whitelist');
	const unknown = explainDingTalkError(310000, 'something else');

	test('none of them is retryable', () => {
		for (const e of [keywords, timestamp, sign, ip, unknown]) expect(e.retryable).toBe(false);
	});

	test('the five explanations are all different', () => {
		const messages = [keywords, timestamp, sign, ip, unknown].map((e) => e.message);
		const descriptions = [keywords, timestamp, sign, ip, unknown].map((e) => e.description);
		expect(new Set(messages).size).toBe(5);
		expect(new Set(descriptions).size).toBe(5);
	});

	test('keywords not in content', () => {
		expect(keywords.message).toBe("DingTalk refused the message: it contains none of the robot's keywords");
		expect(keywords.description).toContain('keyword');
		expect(keywords.description).toContain('DingTalk Robot credential');
	});

	test('invalid timestamp → the clock', () => {
		expect(timestamp.message).toBe("DingTalk refused the request's timestamp");
		expect(timestamp.description).toContain('clock');
		expect(timestamp.description).toContain('one hour');
	});

	test('sign not match → the secret', () => {
		expect(sign.message).toBe('DingTalk refused the signature: the secret does not match');
		expect(sign.description).toContain('secret');
		expect(sign.description).toContain('SEC');
	});

	test('ip not in whitelist → the IP, named', () => {
		expect(ip.message).toBe("DingTalk refused the request: this n8n host's IP 1.2.3.4 is not in the robot's IP whitelist");
		expect(ip.message).toContain('whitelist');
	});

	test('a whitelist errmsg without an IP', () => {
		expect(explainDingTalkError(310000, '白名单校验失败').message).toBe(
			"DingTalk refused the request: this n8n host's IP is not in the robot's IP whitelist",
		);
	});

	test('an unrecognised errmsg → the generic security explanation', () => {
		expect(unknown.message).toBe('DingTalk refused the request in its security check');
		expect(unknown.description).toContain('keywords, signing secret or IP whitelist');
	});

	test.each([
		['newer style, keywords', 'description:关键词不匹配;solution:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;', 'keywords'],
		['Chinese 关键字', '消息内容中不包含任何关键字', 'keywords'],
		['keywords with a link', 'keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]', 'keywords'],
		['Chinese sign', '签名不匹配', 'sign'],
		['sign with a link', 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]', 'sign'],
		['Chinese timestamp', '时间戳无效', 'timestamp'],
		['timestamp, other casing', 'Invalid Timestamp', 'timestamp'],
		['ip, other wording', 'IP 10.0.0.8 not in whitelist', 'ip'],
	])('%s', (_name, errmsg, kind) => {
		const expected = { keywords, sign, timestamp, ip }[kind as 'keywords' | 'sign' | 'timestamp' | 'ip'];
		const e = explainDingTalkError(310000, errmsg);
		if (kind === 'ip') {
			expect(e.message).toBe("DingTalk refused the request: this n8n host's IP 10.0.0.8 is not in the robot's IP whitelist");
			expect(e.description).toBe(expected.description);
		} else {
			expect(e).toEqual(expected);
		}
	});
});

describe('on a session webhook (a reply in the conversation)', () => {
	it.each([300001, 300005, 400101])('%i means the session is gone, not a bad robot token', (errcode) => {
		const e = explainDingTalkError(errcode, 'session expired', 'session');
		expect(e.message).toBe('DingTalk does not accept replies to this conversation\'s session');
		expect(e.description).toContain('about 90 minutes');
		expect(e.retryable).toBe(false);
		expect(explainDingTalkError(errcode, 'x', 'robot').message).toBe('DingTalk does not know this robot\'s access token');
	});

	it('other codes mean the same as for the robot', () => {
		for (const errcode of [410100, 460101, 400402, -1]) {
			expect(explainDingTalkError(errcode, 'x', 'session')).toEqual(explainDingTalkError(errcode, 'x'));
		}
	});
});
