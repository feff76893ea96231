import { createRedactor, redactDeep, redactedSnippet } from '../../nodes/DingTalkRobot/transport/redact';

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
