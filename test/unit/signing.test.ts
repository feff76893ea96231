import { createHmac } from 'node:crypto';

import type { IHttpRequestOptions } from 'n8n-workflow';

import { DingTalkRobotApi } from '../../credentials/DingTalkRobotApi.credentials';
import {
	DINGTALK_ROBOT_SEND_ENDPOINT,
	computeDingTalkSign,
	parseRobotWebhook,
	signWebhookUrl,
} from '../../credentials/signing';

/**
 * Vectors computed by an independent implementation, NOT by the code under test:
 *   python3 -c "import hmac,hashlib,base64,urllib.parse; s='…'; t=…;
 *     d=base64.b64encode(hmac.new(s.encode(), f'{t}\n{s}'.encode(), hashlib.sha256).digest()).decode();
 *     print(d, urllib.parse.quote_plus(d))"
 */
const VECTORS = [
	{
		secret: 'this is secret',
		timestamp: 1577808000000,
		sign: 'ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0=',
		encoded: 'ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0%3D',
	},
	{
		secret: 'SECa1b2c3d4e5f6',
		timestamp: 1700000000123,
		sign: '8qyxAWyAXc7Bpg17qcXGE4eyXykQN+pvv3WCK8lkKsU=',
		encoded: '8qyxAWyAXc7Bpg17qcXGE4eyXykQN%2Bpvv3WCK8lkKsU%3D',
	},
	{
		secret: 'SEC钉钉密钥+/=',
		timestamp: 1764355200000,
		sign: 'ykxvAzuqiJ0NQFpEqOQiSN6ED8Qwko36fiipiSVEwSY=',
		encoded: 'ykxvAzuqiJ0NQFpEqOQiSN6ED8Qwko36fiipiSVEwSY%3D',
	},
];

/** Independent HMAC for checks of live timestamps (node's crypto directly, not computeDingTalkSign). */
function independentSign(secret: string, timestamp: string): string {
	const hmac = createHmac('sha256', secret);
	hmac.update(`${timestamp}\n${secret}`);
	return hmac.digest('base64');
}

const SECOND = VECTORS[1];
const SECOND_URL =
	'https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1700000000123&sign=8qyxAWyAXc7Bpg17qcXGE4eyXykQN%2Bpvv3WCK8lkKsU%3D';

function caught(fn: () => unknown): Error {
	try {
		fn();
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the call to throw');
}

describe('computeDingTalkSign', () => {
	test.each(VECTORS)('secret $secret, timestamp $timestamp', ({ secret, timestamp, sign }) => {
		expect(computeDingTalkSign(secret, timestamp)).toBe(sign);
	});

	test('a timestamp given as a string signs the same as the number', () => {
		expect(computeDingTalkSign(SECOND.secret, String(SECOND.timestamp))).toBe(SECOND.sign);
	});

	test('is returned raw, not URL-encoded', () => {
		expect(computeDingTalkSign(SECOND.secret, SECOND.timestamp)).not.toContain('%');
	});

	test('a different timestamp gives a different signature', () => {
		expect(computeDingTalkSign(SECOND.secret, SECOND.timestamp + 1)).not.toBe(SECOND.sign);
	});
});

describe('signWebhookUrl', () => {
	const webhook = { endpoint: DINGTALK_ROBOT_SEND_ENDPOINT, accessToken: 'abc123' };

	test('the exact URL for the second vector', () => {
		expect(signWebhookUrl(webhook, SECOND.secret, SECOND.timestamp)).toBe(SECOND_URL);
	});

	test.each(VECTORS)('the sign of $secret is encoded exactly once', ({ secret, timestamp, encoded }) => {
		const url = signWebhookUrl(webhook, secret, timestamp);
		expect(url).toBe(`https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=${timestamp}&sign=${encoded}`);
		expect(url).not.toContain('%25');
	});

	test('the + of the signature is %2B, never %252B', () => {
		const url = signWebhookUrl(webhook, SECOND.secret, SECOND.timestamp);
		expect(url).toContain('%2B');
		expect(url).not.toContain('%252B');
		expect(url).not.toContain('+');
	});

	test.each([
		['empty', ''],
		['undefined', undefined],
		['whitespace', '  \t\n '],
	])('no timestamp and no sign when the secret is %s', (_name, secret) => {
		expect(signWebhookUrl(webhook, secret, SECOND.timestamp)).toBe(
			'https://oapi.dingtalk.com/robot/send?access_token=abc123',
		);
	});

	test('the secret is trimmed before signing', () => {
		expect(signWebhookUrl(webhook, `  ${SECOND.secret}\n`, SECOND.timestamp)).toBe(SECOND_URL);
	});

	test('a custom endpoint (local simulator, proxy) is kept', () => {
		const local = { endpoint: 'http://127.0.0.1:8790/robot/send', accessToken: 'abc123' };
		expect(signWebhookUrl(local, SECOND.secret, SECOND.timestamp)).toBe(
			'http://127.0.0.1:8790/robot/send?access_token=abc123&timestamp=1700000000123&sign=8qyxAWyAXc7Bpg17qcXGE4eyXykQN%2Bpvv3WCK8lkKsU%3D',
		);
		expect(signWebhookUrl(local, undefined, SECOND.timestamp)).toBe('http://127.0.0.1:8790/robot/send?access_token=abc123');
	});
});

describe('parseRobotWebhook', () => {
	test('full URL: token extracted, endpoint = origin + path, old timestamp/sign dropped', () => {
		expect(
			parseRobotWebhook(
				'https://oapi.dingtalk.com/robot/send?access_token=a1B2c3_d4-e5&timestamp=1577808000000&sign=ijHEivi6YiCNPZOq4hZstmvZ3sPfbioAiMhP30ae7W0%3D',
			),
		).toEqual({ endpoint: 'https://oapi.dingtalk.com/robot/send', accessToken: 'a1B2c3_d4-e5' });
	});

	test('full URL with access_token not first', () => {
		expect(parseRobotWebhook('https://oapi.dingtalk.com/robot/send?timestamp=1&access_token=tok42')).toEqual({
			endpoint: 'https://oapi.dingtalk.com/robot/send',
			accessToken: 'tok42',
		});
	});

	test('bare token → the DingTalk send endpoint', () => {
		expect(parseRobotWebhook('0123abcdEF_-xyz')).toEqual({
			endpoint: 'https://oapi.dingtalk.com/robot/send',
			accessToken: '0123abcdEF_-xyz',
		});
	});

	test('access_token=XYZ', () => {
		expect(parseRobotWebhook('access_token=XYZ')).toEqual({
			endpoint: 'https://oapi.dingtalk.com/robot/send',
			accessToken: 'XYZ',
		});
	});

	test.each([
		['spaces and double quotes around a URL', '  "https://oapi.dingtalk.com/robot/send?access_token=tok42"  ', 'https://oapi.dingtalk.com/robot/send'],
		['a new line after a URL', 'https://oapi.dingtalk.com/robot/send?access_token=tok42\n', 'https://oapi.dingtalk.com/robot/send'],
		['single quotes around a token', "'tok42'", 'https://oapi.dingtalk.com/robot/send'],
		['tabs around a token', '\ttok42\t', 'https://oapi.dingtalk.com/robot/send'],
	])('%s', (_name, input, endpoint) => {
		expect(parseRobotWebhook(input)).toEqual({ endpoint, accessToken: 'tok42' });
	});

	test('a custom host, port and path are kept (plain http only for a host listed under Plain HTTP Hosts)', () => {
		expect(parseRobotWebhook('http://127.0.0.1:8790/robot/send?access_token=tok42&timestamp=1&sign=x', '127.0.0.1:8790')).toEqual({
			endpoint: 'http://127.0.0.1:8790/robot/send',
			accessToken: 'tok42',
		});
		expect(parseRobotWebhook('https://proxy.example.com/dingtalk/robot/send?access_token=tok42')).toEqual({
			endpoint: 'https://proxy.example.com/dingtalk/robot/send',
			accessToken: 'tok42',
		});
	});

	test.each([
		['plain http to DingTalk', 'http://oapi.dingtalk.com/robot/send?access_token=canaryToken123', '', 'uses plain http:// to oapi.dingtalk.com; DingTalk is reached only over https://'],
		['plain http to DingTalk, even when listed', 'http://oapi.dingtalk.com/robot/send?access_token=canaryToken123', 'oapi.dingtalk.com', 'uses plain http:// to oapi.dingtalk.com'],
		['another port of DingTalk', 'https://oapi.dingtalk.com:8443/robot/send?access_token=canaryToken123', '', 'uses port 8443 of oapi.dingtalk.com; DingTalk serves https on port 443 only'],
		['plain http to a host not listed', 'http://127.0.0.1:8790/robot/send?access_token=canaryToken123', '', 'uses plain http:// to 127.0.0.1:8790, which is not listed as a plain-HTTP host'],
		['plain http to another port of a listed host', 'http://127.0.0.1:8791/robot/send?access_token=canaryToken123', '127.0.0.1:8790', 'uses plain http:// to 127.0.0.1:8791'],
		['a listed host without port means port 80', 'http://127.0.0.1:8790/robot/send?access_token=canaryToken123', '127.0.0.1', 'uses plain http:// to 127.0.0.1:8790'],
	])('refuses %s, without repeating the token', (_name, input, plainHttpHosts, problem) => {
		let message = '';
		try {
			parseRobotWebhook(input, plainHttpHosts);
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toContain(problem);
		expect(message).not.toContain('canaryToken123');
	});

	test('a listed host without port is reached on port 80', () => {
		expect(parseRobotWebhook('http://proxy.corp/robot/send?access_token=tok42', 'proxy.corp').endpoint).toBe('http://proxy.corp/robot/send');
	});

	test.each([
		['empty', ''],
		['blank', '   \n '],
		['only quotes', '""'],
		['undefined', undefined],
		['null', null],
		['a number', 12345],
	])('%s → "no webhook" error', (_name, input) => {
		expect(() => parseRobotWebhook(input)).toThrow(
			"The DingTalk Robot credential has no webhook: paste the robot's Webhook URL (or its access token) from the group's robot settings",
		);
	});

	test('a URL without access_token', () => {
		expect(() => parseRobotWebhook('https://oapi.dingtalk.com/robot/send?token=canaryToken123')).toThrow(
			"The webhook URL in the DingTalk Robot credential has no access_token parameter: copy the whole Webhook URL from the robot's settings",
		);
	});

	test('a URL with an empty access_token', () => {
		expect(() => parseRobotWebhook('https://oapi.dingtalk.com/robot/send?access_token=&x=canaryToken123')).toThrow(
			'has no access_token parameter',
		);
	});

	test('garbage text', () => {
		expect(() => parseRobotWebhook('hello canaryToken123 world!')).toThrow(
			'The webhook in the DingTalk Robot credential is neither a webhook URL (https://oapi.dingtalk.com/robot/send?access_token=…) nor an access token',
		);
	});

	test('an unparsable URL', () => {
		expect(() => parseRobotWebhook('https://exa mple.com/robot/send?access_token=canaryToken123')).toThrow(
			'The webhook in the DingTalk Robot credential is not a valid URL',
		);
	});

	test.each([
		'https://oapi.dingtalk.com/robot/send?token=canaryToken123',
		'https://oapi.dingtalk.com/robot/send?access_token=&canaryToken123=1',
		'hello canaryToken123 world!',
		'canaryToken123 with spaces',
		'access_token=canaryToken123&timestamp=1',
		'canaryToken123/path',
		'https://exa mple.com/?access_token=canaryToken123',
		'ftp://oapi.dingtalk.com/robot/send?access_token=canaryToken123',
	])('the error message never contains the input: %s', (input) => {
		const error = caught(() => parseRobotWebhook(input));
		expect(error).toBeInstanceOf(Error);
		expect(error.message).not.toContain('canaryToken123');
		expect(error.message).not.toContain(input);
	});
});

describe('DingTalkRobotApi.authenticate', () => {
	const credentialType = new DingTalkRobotApi();
	const requestOptions = (): IHttpRequestOptions => ({
		method: 'POST',
		url: '',
		baseURL: 'https://should-be-dropped.example.com',
		headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Extra': 'kept' },
		body: { msgtype: 'text', text: { content: 'hello' } },
		timeout: 15000,
	});

	afterEach(() => {
		jest.useRealTimers();
	});

	test('returns the signed URL with a fresh timestamp and a sign that an independent HMAC confirms', async () => {
		const before = Date.now();
		const result = await credentialType.authenticate(
			{ accessToken: 'https://oapi.dingtalk.com/robot/send?access_token=tok42&timestamp=1&sign=old', secret: 'SECa1b2c3d4e5f6' },
			requestOptions(),
		);
		const url = new URL(result.url);
		expect(`${url.origin}${url.pathname}`).toBe('https://oapi.dingtalk.com/robot/send');
		expect([...url.searchParams.keys()]).toEqual(['access_token', 'timestamp', 'sign']);
		expect(url.searchParams.get('access_token')).toBe('tok42');

		const timestamp = url.searchParams.get('timestamp') as string;
		expect(timestamp).toMatch(/^\d{13}$/);
		expect(Math.abs(Number(timestamp) - before)).toBeLessThanOrEqual(5000);
		expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThanOrEqual(5000);

		const expectedSign = independentSign('SECa1b2c3d4e5f6', timestamp);
		expect(url.searchParams.get('sign')).toBe(expectedSign);
		// encoded exactly once in the raw URL
		expect(result.url).toBe(
			`https://oapi.dingtalk.com/robot/send?access_token=tok42&timestamp=${timestamp}&sign=${encodeURIComponent(expectedSign)}`,
		);
	});

	test('keeps the other request options and drops baseURL', async () => {
		const options = requestOptions();
		const result = await credentialType.authenticate({ accessToken: 'tok42', secret: '' }, options);
		expect(result).toEqual({
			method: 'POST',
			url: 'https://oapi.dingtalk.com/robot/send?access_token=tok42',
			headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Extra': 'kept' },
			body: { msgtype: 'text', text: { content: 'hello' } },
			timeout: 15000,
		});
		expect(result.baseURL).toBeUndefined();
		// the caller's object is not changed
		expect(options.baseURL).toBe('https://should-be-dropped.example.com');
		expect(options.url).toBe('');
	});

	test('no secret (missing or not a string) → unsigned URL', async () => {
		for (const secret of [undefined, '', '   ', 42]) {
			const result = await credentialType.authenticate({ accessToken: 'tok42', secret } as never, requestOptions());
			expect(result.url).toBe('https://oapi.dingtalk.com/robot/send?access_token=tok42');
		}
	});

	test('the timestamp is Date.now() at the time of the call (fake clock)', async () => {
		jest.useFakeTimers();
		jest.setSystemTime(1700000000123);
		const credentials = { accessToken: 'abc123', secret: 'SECa1b2c3d4e5f6' };
		const first = await credentialType.authenticate(credentials, requestOptions());
		expect(first.url).toBe(SECOND_URL);

		jest.setSystemTime(1700000000123 + 3_600_000);
		const second = await credentialType.authenticate(credentials, requestOptions());
		const later = 1700000000123 + 3_600_000;
		expect(second.url).toBe(
			`https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=${later}&sign=${encodeURIComponent(
				independentSign('SECa1b2c3d4e5f6', String(later)),
			)}`,
		);
	});

	test('two calls 5 ms apart are each signed freshly', async () => {
		const credentials = { accessToken: 'tok42', secret: 'SEC-two-calls' };
		const first = new URL((await credentialType.authenticate(credentials, requestOptions())).url);
		await new Promise((resolve) => setTimeout(resolve, 5));
		const second = new URL((await credentialType.authenticate(credentials, requestOptions())).url);

		const t1 = first.searchParams.get('timestamp') as string;
		const t2 = second.searchParams.get('timestamp') as string;
		expect(Number(t2)).toBeGreaterThan(Number(t1));
		expect(second.searchParams.get('sign')).not.toBe(first.searchParams.get('sign'));
		expect(first.searchParams.get('sign')).toBe(independentSign('SEC-two-calls', t1));
		expect(second.searchParams.get('sign')).toBe(independentSign('SEC-two-calls', t2));
	});

	test('an unusable webhook rejects without echoing it', async () => {
		await expect(
			credentialType.authenticate({ accessToken: 'not a token canaryToken123', secret: 'SECx' }, requestOptions()),
		).rejects.toThrow(/^The webhook in the DingTalk Robot credential is neither/);
		const error = await credentialType
			.authenticate({ accessToken: 'not a token canaryToken123', secret: 'SECx' }, requestOptions())
			.catch((e: Error) => e);
		expect((error as Error).message).not.toContain('canaryToken123');
	});
});
