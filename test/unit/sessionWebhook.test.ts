import { MessageInputError } from '../../nodes/DingTalkRobot/messages/fields';
import { checkSessionWebhook, parseSessionHosts } from '../../nodes/DingTalkRobot/messages/sessionWebhook';

const DINGTALK = parseSessionHosts('oapi.dingtalk.com, api.dingtalk.com');
const URL_OK = 'https://oapi.dingtalk.com/robot/sendBySession?session=5f1c0ffee';
const NOW = Date.parse('2026-11-28T12:00:00Z');

function refusal(run: () => unknown): MessageInputError {
	try {
		run();
	} catch (error) {
		if (error instanceof MessageInputError) return error;
		throw error;
	}
	throw new Error('expected a MessageInputError');
}

describe('parseSessionHosts', () => {
	it('splits on commas, semicolons, spaces and full-width separators, lower-cased', () => {
		expect(parseSessionHosts(' OAPI.dingtalk.com，127.0.0.1:8790; api.dingtalk.com\nx ')).toEqual([
			'oapi.dingtalk.com',
			'127.0.0.1:8790',
			'api.dingtalk.com',
			'x',
		]);
		expect(parseSessionHosts(undefined)).toEqual([]);
	});
});

describe('checkSessionWebhook', () => {
	it('accepts a DingTalk session webhook that has not expired (ms, numeric text or ISO)', () => {
		const expected = { url: URL_OK, endpoint: 'https://oapi.dingtalk.com/robot/sendBySession', session: '5f1c0ffee' };
		expect(checkSessionWebhook(URL_OK, NOW + 60_000, DINGTALK, NOW)).toEqual(expected);
		expect(checkSessionWebhook(` ${URL_OK} `, String(NOW + 1), DINGTALK, NOW)).toEqual(expected);
		expect(checkSessionWebhook(URL_OK, '2026-11-28T13:30:00.000Z', DINGTALK, NOW)).toEqual(expected);
		expect(checkSessionWebhook(URL_OK, '', DINGTALK, NOW)).toEqual(expected);
		expect(checkSessionWebhook(URL_OK, undefined, DINGTALK, NOW)).toEqual(expected);
	});

	it('refuses an expired session, saying when it expired', () => {
		const error = refusal(() => checkSessionWebhook(URL_OK, '2026-11-28T11:15:00.000Z', DINGTALK, NOW));
		expect(error.field).toBe('Session Expires At');
		expect(error.message).toBe(
			'"Session Expires At" says the conversation\'s session expired at 2026-11-28T11:15:00.000Z (45 min ago): DingTalk no longer accepts replies to it',
		);
		expect(error.hint).toContain('Nothing was sent');
		// expiring exactly now counts as expired
		expect(refusal(() => checkSessionWebhook(URL_OK, NOW, DINGTALK, NOW)).message).toContain('(less than a minute ago)');
	});

	it('refuses a host that is not listed, without repeating the URL (its session is a secret)', () => {
		const error = refusal(() => checkSessionWebhook('https://evil.example.com/robot/sendBySession?session=5f1c0ffee', '', DINGTALK, NOW));
		expect(error.field).toBe('Session Webhook');
		expect(error.message).toBe(
			'"Session Webhook" points at evil.example.com, which is not a DingTalk session webhook host (oapi.dingtalk.com, api.dingtalk.com)',
		);
		expect(`${error.message} ${error.hint}`).not.toContain('5f1c0ffee');
		// a look-alike host is not DingTalk's
		expect(refusal(() => checkSessionWebhook('https://oapi.dingtalk.com.evil.cn/x?session=1', '', DINGTALK, NOW)).field).toBe('Session Webhook');
	});

	it('matches a listed host:port exactly; a listed host without port only on its scheme\'s port', () => {
		const sim = 'http://127.0.0.1:8790/robot/sendBySession?session=s1';
		expect(checkSessionWebhook(sim, '', ['127.0.0.1:8790'], NOW).session).toBe('s1');
		expect(refusal(() => checkSessionWebhook(sim, '', ['127.0.0.1'], NOW)).field).toBe('Session Webhook');
		expect(refusal(() => checkSessionWebhook(sim, '', ['127.0.0.1:8791'], NOW)).field).toBe('Session Webhook');
		expect(checkSessionWebhook('http://127.0.0.1/robot/sendBySession?session=s2', '', ['127.0.0.1'], NOW).session).toBe('s2');
	});

	it.each([
		['plain http', 'http://oapi.dingtalk.com/robot/sendBySession?session=5f1c0ffee', 'uses plain http:// to oapi.dingtalk.com'],
		['another port', 'https://oapi.dingtalk.com:8443/robot/sendBySession?session=5f1c0ffee', 'uses port 8443 of oapi.dingtalk.com'],
	])('refuses DingTalk\'s host over %s, even listed, without the session', (_name, url, problem) => {
		const error = refusal(() => checkSessionWebhook(url, '', [...DINGTALK, 'oapi.dingtalk.com:8443'], NOW));
		expect(error.field).toBe('Session Webhook');
		expect(error.problem).toContain(problem);
		expect(`${error.message} ${error.hint}`).not.toContain('5f1c0ffee');
	});

	it.each([
		['', 'is empty'],
		[undefined, 'is empty'],
		['oapi.dingtalk.com/robot/sendBySession', 'is not an http(s) URL'],
		['ftp://oapi.dingtalk.com/x', 'is not an http(s) URL'],
	])('refuses the webhook %j', (url, problem) => {
		expect(refusal(() => checkSessionWebhook(url, '', DINGTALK, NOW)).problem).toBe(problem);
	});

	it('refuses an expiry that is not a time', () => {
		const error = refusal(() => checkSessionWebhook(URL_OK, 'tomorrow', DINGTALK, NOW));
		expect(error.field).toBe('Session Expires At');
		expect(error.problem).toBe('must be a time (ISO, or milliseconds since 1970), got "tomorrow"');
	});
});
