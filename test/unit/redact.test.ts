import { createRedactor, redactDeep, redactedSnippet } from '../../nodes/shared/redact';

const TOKEN = 'c0ffee1234567890abcdef';
const SECRET = 'SECsecret+with/slashes=';
const redact = createRedactor([TOKEN, SECRET, undefined, 42, '  ']);

describe('createRedactor', () => {
	test.each([
		['the token in a URL', `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}&timestamp=1700000000000&sign=abc%2Bdef%3D`, 'https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***&sign=***'],
		['a URL-encoded URL', `url=https%3A%2F%2Fx%2Frobot%2Fsend%3Faccess_token%3Dzzz%26sign%3Dyyy`, 'url=https%3A%2F%2Fx%2Frobot%2Fsend%3Faccess_token%3D***%26sign%3D***'],
		['a session webhook', 'https://oapi.dingtalk.com/robot/sendBySession?session=5f1c0ffee', 'https://oapi.dingtalk.com/robot/sendBySession?session=***'],
		['JSON fields', '{"sign":"abc+def=","timestamp":"1700","access_token":"zzz","msg":"ok"}', '{"sign":"***","timestamp":"***","access_token":"***","msg":"ok"}'],
		['escaped JSON in a string', '"{\\"session\\":\\"s3cr3t\\"}"', '"{\\"session\\":\\"***\\"}"'],
		['the secret by value, raw and encoded', `a ${SECRET} b ${encodeURIComponent(SECRET)} c`, 'a *** b *** c'],
		['the token by value anywhere', `token is ${TOKEN}.`, 'token is ***.'],
	])('%s', (_name, input, expected) => {
		expect(redact(input)).toBe(expected);
	});

	test.each([
		['an echoed OpenAPI header', 'x-acs-dingtalk-access-token: 4d3f9a0b1c\nHost: api.dingtalk.com', 'x-acs-dingtalk-access-token: ***\nHost: api.dingtalk.com'],
		['an echoed header, other casing, no space', 'X-Acs-Dingtalk-Access-Token:4d3f9a0b1c; next', 'X-Acs-Dingtalk-Access-Token:***; next'],
		['headers as JSON', '{"headers":{"x-acs-dingtalk-access-token":"4d3f9a0b1c"}}', '{"headers":{"x-acs-dingtalk-access-token":"***"}}'],
		['a Stream ticket in the WebSocket URL', 'wss://wss-open-connection.dingtalk.com/connect?ticket=a-b-c', 'wss://wss-open-connection.dingtalk.com/connect?ticket=***'],
		['the Client Secret in a JSON body', '{"clientId":"dingabc","clientSecret":"zzzz"}', '{"clientId":"dingabc","clientSecret":"***"}'],
	])('by name: %s', (_name, input, expected) => {
		expect(createRedactor([])(input)).toBe(expected);
	});

	test('learns secrets while running: a token renewed mid-execution is redacted by value from then on', () => {
		const learning = createRedactor([SECRET]);
		const renewed = 'f00dfeed99887766';
		expect(learning(`got ${renewed}`)).toBe(`got ${renewed}`);
		learning.add(renewed, undefined, 7, 'ab');
		expect(learning(`got ${renewed} and ${encodeURIComponent(SECRET)}`)).toBe('got *** and ***');
	});

	test.each([
		'DingTalk refused the signature: the secret does not match [errcode 310000: sign not match]',
		'DingTalk does not know this robot\'s access token',
		'Signed requests must be within one hour of DingTalk\'s clock: check the timestamp of the server',
		'the session expired',
	])('leaves prose alone: %s', (text) => {
		expect(redact(text)).toBe(text);
	});
});

describe('redactedSnippet', () => {
	test('redacts before cutting: a cut inside the token leaves none of it', () => {
		// the token starts at character 196: a cut at 200 without redaction would keep its first 4 characters
		const page = `${'x'.repeat(170)} /robot/send?access_token=${TOKEN}&timestamp=1&sign=abc`;
		expect(page.indexOf(TOKEN)).toBe(196);
		const snippet = redactedSnippet(page, createRedactor([]));
		expect(snippet).not.toContain(TOKEN.slice(0, 4));
		expect(snippet.endsWith('…')).toBe(true);
		expect(snippet).toBe(`${'x'.repeat(170)} /robot/send?access_token=***&…`);
	});
});

describe('redactDeep', () => {
	test('walks objects and arrays, keeps other values', () => {
		expect(redactDeep({ a: [`sign=${TOKEN}`, 3], b: { c: TOKEN, d: null } }, redact)).toEqual({ a: ['sign=***', 3], b: { c: '***', d: null } });
	});
});
