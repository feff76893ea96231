/**
 * What the node accepts from forms and expressions: numbers, yes/no, links, Message IDs, and the
 * hosts a secret may travel to. Pure functions.
 */
import { DINGTALK_API_HOSTS, dingTalkErrorCode, hostAndPort, insecureTransportReason, isDingTalkHost, isHostListed, networkErrorCode, parseHostList } from '../../credentials/endpoints';
import { buildImageMessage } from '../../nodes/DingTalkRobot/messages/build';
import { readBoolean, readNumber, requireUrl } from '../../nodes/DingTalkRobot/messages/fields';
import { rewriteMarkdownLinks } from '../../nodes/DingTalkRobot/messages/links';
import { chooseMessageUuid, findConflictingMessageIds, readMessageId } from '../../nodes/DingTalkRobot/messages/messageIds';
import type { RobotMessageBody } from '../../nodes/DingTalkRobot/messages/types';
import { caught } from './caught';

describe('readNumber', () => {
	const range = { min: 1, max: 10, integer: true };
	test.each([
		[undefined, 5],
		['', 5],
		['  ', 5],
		[3, 3],
		['7', 7],
		[' 10 ', 10],
	])('%j → %j', (value, expected) => {
		expect(readNumber(value, 'F', range, 5)).toBe(expected);
	});

	test.each([
		['abc', '"F" must be a number between 1 and 10, got "abc"'],
		[Number.NaN, '"F" must be a number between 1 and 10, got null'],
		[Number.POSITIVE_INFINITY, '"F" must be a number between 1 and 10, got null'],
		['1e3', '"F" must be a number between 1 and 10, got "1e3"'],
		[2.5, '"F" must be a whole number between 1 and 10, got 2.5'],
		[0, '"F" must be between 1 and 10, got 0'],
		[11, '"F" must be between 1 and 10, got 11'],
		[true, '"F" must be a number between 1 and 10, got true'],
		[{ n: 1 }, '"F" must be a number between 1 and 10, got {"n":1}'],
	])('%j is refused', (value, message) => {
		expect(caught(() => readNumber(value, 'F', range, 5)).message).toBe(message);
	});
});

describe('readBoolean', () => {
	test.each([
		[undefined, true],
		[null, true],
		['', true],
		[false, false],
		['true', true],
		['FALSE', false],
		[' yes ', true],
		['0', false],
		[1, true],
	])('%j → %j (fallback true)', (value, expected) => {
		expect(readBoolean(value, 'F', true)).toBe(expected);
	});

	test.each(['flase', 'maybe', 2, {}, []])('%j is refused', (value) => {
		expect(caught(() => readBoolean(value, 'F', false)).message).toMatch(/^"F" must be true or false, got /);
	});
});

describe('requireUrl', () => {
	test.each([
		['https://example.com/a b.pdf', 'https://example.com/a%20b.pdf'],
		['https://example.com/q?x="1"&y=<2>', 'https://example.com/q?x=%221%22&y=%3C2%3E'],
		['https://example.com/已经', 'https://example.com/已经'],
		['  https://example.com  ', 'https://example.com'],
		['dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com&pc_slide=true', 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com&pc_slide=true'],
	])('%s → %s', (value, expected) => {
		expect(requireUrl(value, 'F')).toBe(expected);
	});

	test.each([
		['javascript:alert(1)', '"F" must be an http(s) or dingtalk:// URL, got "javascript:alert(1)"'],
		['dingtalk://dingtalkclient/page/link?url=javascript:alert(1)', '"F" opens a javascript: link in its "url" parameter'],
		['dingtalk://dingtalkclient/page/link?url=data%3Atext%2Fhtml%2Cx', '"F" opens a data: link in its "url" parameter'],
		['https://example.com/a\nhttps://example.com/b', '"F" must be one URL without line breaks or control characters'],
		['http://', '"F" must be an http(s) or dingtalk:// URL'],
	])('%j is refused', (value, message) => {
		expect(caught(() => requireUrl(value, 'F')).message).toContain(message);
	});
});

describe('Message IDs', () => {
	const F = 'Options › Message ID (msgUuid)';
	test.each([
		[undefined, undefined],
		['  ', undefined],
		[' alert-7 ', 'alert-7'],
		[42, '42'],
	])('readMessageId(%j) → %j', (value, expected) => {
		expect(readMessageId(value, F)).toBe(expected);
	});

	test.each([[{ id: 1 }], [['a']], [true], [Number.NaN], ['x'.repeat(129)]])('readMessageId(%j) is refused', (value) => {
		expect(caught(() => readMessageId(value, F)).message).toMatch(/^"Options › Message ID \(msgUuid\)" (must be text|is 129 characters long)/);
	});

	test('chooseMessageUuid: the option, else a text msgUuid of a JSON body, else a random one; a JSON msgUuid that is not text is refused', () => {
		expect(chooseMessageUuid('mine', { msgUuid: 'theirs' })).toBe('mine');
		expect(chooseMessageUuid(undefined, { msgUuid: 'theirs' })).toBe('theirs');
		expect(chooseMessageUuid(undefined, {})).toMatch(/^[0-9a-f-]{36}$/);
		expect(caught(() => chooseMessageUuid(undefined, { msgUuid: { x: 1 } })).message).toMatch(/^"JSON Body › msgUuid" must be text/);
	});

	const body = (content: string, msgUuid: string) => ({ msgtype: 'text', text: { content }, msgUuid }) as RobotMessageBody;
	test('findConflictingMessageIds: same ID and destination with other content conflicts; the same content or another destination does not', () => {
		const conflicts = findConflictingMessageIds(
			[
				{ itemIndex: 0, destination: 'robot', parts: [body('a', 'id-1')] },
				{ itemIndex: 1, destination: 'robot', parts: [body('a', 'id-1')] },
				{ itemIndex: 2, destination: 'robot', parts: [body('b', 'id-1')] },
				{ itemIndex: 3, destination: 'session-2', parts: [body('b', 'id-1')] },
				{ itemIndex: 4, destination: 'robot', parts: [body('c', 'id-2'), body('d', 'id-1')] },
			],
			F,
		);
		expect([...conflicts.keys()]).toEqual([2, 4]);
		expect(conflicts.get(2)?.message).toBe(
			'"Options › Message ID (msgUuid)" gives this message the ID "id-1", which item 0\'s different message already has; DingTalk would post only the first and answer "ok" to this one',
		);
	});
});

describe('rewriteMarkdownLinks: balanced parentheses', () => {
	const panel = (url: string) => `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=true`;
	test.each([
		['[wiki](https://en.wikipedia.org/wiki/Foo_(bar))', `[wiki](${panel('https://en.wikipedia.org/wiki/Foo_(bar)')})`],
		['([wiki](https://e.com/a_(b)_c)).', `([wiki](${panel('https://e.com/a_(b)_c')})).`],
		['[a](https://e.com/1)[b](https://e.com/(2))', `[a](${panel('https://e.com/1')})[b](${panel('https://e.com/(2)')})`],
		['[![chart](https://e.com/c.png)](https://e.com/d_(x))', `[![chart](https://e.com/c.png)](${panel('https://e.com/d_(x)')})`],
		['[open (unbalanced](https://e.com/x', '[open (unbalanced](https://e.com/x'],
		['\\[not a link](https://e.com)', `\\[not a link](${panel('https://e.com')})`],
	])('%s', (input, expected) => {
		expect(rewriteMarkdownLinks(input)).toBe(expected);
	});
});

describe('buildImageMessage', () => {
	test('title defaults to "Image"; no caption means the picture alone', () => {
		expect(buildImageMessage({ imageUrl: 'https://e.com/a.png' })).toEqual({ msgtype: 'markdown', markdown: { title: 'Image', text: '![Image](https://e.com/a.png)' } });
	});

	test('refuses a picture that is not an http(s) URL, and a caption that is an object', () => {
		expect(caught(() => buildImageMessage({ imageUrl: '' })).message).toBe('"Image URL" is required');
		expect(caught(() => buildImageMessage({ imageUrl: 'https://e.com/a.png', caption: { a: 1 } })).message).toBe('"Caption" must be text, got {"a":1}');
	});
});

describe('hosts a secret may go to', () => {
	const url = (text: string) => new URL(text);
	test('DingTalk\'s hosts', () => {
		expect(DINGTALK_API_HOSTS).toEqual(['oapi.dingtalk.com', 'api.dingtalk.com']);
		expect(isDingTalkHost('OAPI.dingtalk.com')).toBe(true);
		expect(isDingTalkHost('oapi.dingtalk.com.evil.cn')).toBe(false);
		expect(isDingTalkHost('evildingtalk.com')).toBe(false);
	});

	test('a fully qualified name (trailing dot) and upper case are the same host in every decision', () => {
		expect(isDingTalkHost('OAPI.DINGTALK.COM.')).toBe(true);
		expect(hostAndPort(url('http://OAPI.DINGTALK.COM./robot/send'))).toBe('oapi.dingtalk.com:80');
		expect(parseHostList('OAPI.DINGTALK.COM., Proxy.Corp.:8080')).toEqual(['oapi.dingtalk.com', 'proxy.corp:8080']);
		expect(isHostListed(url('http://proxy.corp.:8080/x'), parseHostList('PROXY.CORP:8080'))).toBe(true);
		// listing DingTalk's own host as a plain-http host never lets a secret go there unencrypted
		expect(insecureTransportReason(url('http://OAPI.DINGTALK.COM./robot/send?access_token=x'), parseHostList('oapi.dingtalk.com.'))).toBe(
			'uses plain http:// to oapi.dingtalk.com; DingTalk is reached only over https://, so the token is never sent unencrypted',
		);
	});

	test('host lists: entries with or without scheme or path, ports explicit or default', () => {
		expect(parseHostList(' http://127.0.0.1:8790/x, proxy.corp ；API.dingtalk.com')).toEqual(['127.0.0.1:8790', 'proxy.corp', 'api.dingtalk.com']);
		expect(hostAndPort(url('https://oapi.dingtalk.com/robot/send'))).toBe('oapi.dingtalk.com:443');
		expect(isHostListed(url('http://proxy.corp/x'), ['proxy.corp'])).toBe(true);
		expect(isHostListed(url('http://proxy.corp:8080/x'), ['proxy.corp'])).toBe(false);
		expect(isHostListed(url('http://proxy.corp:8080/x'), ['proxy.corp:8080'])).toBe(true);
	});

	test.each([
		['https://oapi.dingtalk.com/robot/send', [], undefined],
		['https://oapi.dingtalk.com:443/robot/send', [], undefined],
		['https://proxy.example.com:8443/robot/send', [], undefined],
		['http://127.0.0.1:8790/robot/send', ['127.0.0.1:8790'], undefined],
		['http://oapi.dingtalk.com/robot/send', ['oapi.dingtalk.com'], 'uses plain http:// to oapi.dingtalk.com'],
		['https://oapi.dingtalk.com:8443/robot/send', [], 'uses port 8443 of oapi.dingtalk.com'],
		['http://127.0.0.1:8790/robot/send', [], 'uses plain http:// to 127.0.0.1:8790, which is not listed'],
		['ftp://oapi.dingtalk.com/x', [], 'uses ftp://'],
	])('%s (plain http hosts %j)', (text, hosts, reason) => {
		const found = insecureTransportReason(url(text), hosts);
		if (reason === undefined) expect(found).toBeUndefined();
		else expect(found).toContain(reason);
	});
});

describe('what stopped a request', () => {
	test('the network error code, wherever n8n put it; never a text that could quote the request', () => {
		expect(networkErrorCode({ httpCode: 'ECONNREFUSED' })).toBe('ECONNREFUSED');
		expect(networkErrorCode({ message: 'x', cause: { code: 'ETIMEDOUT' } })).toBe('ETIMEDOUT');
		expect(networkErrorCode(Object.assign(new Error('connect ECONNRESET https://oapi.dingtalk.com/robot/send?access_token=abc'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
		expect(networkErrorCode({ httpCode: '404', code: 'bad code?access_token=abc' })).toBeUndefined();
		expect(networkErrorCode(undefined)).toBeUndefined();
	});

	test('DingTalk\'s error code of a body, cleaned to print', () => {
		expect(dingTalkErrorCode({ code: 'invalidParameter.robotCode.notExsit' })).toBe('invalidParameter.robotCode.notExsit');
		expect(dingTalkErrorCode({ code: 'a"<b>' })).toBe('ab');
		expect(dingTalkErrorCode({ code: 42 })).toBe('');
		expect(dingTalkErrorCode('<html>')).toBe('');
	});

	test('WebSocket URLs follow the rule of HTTP ones, and the reason names the secret', () => {
		expect(insecureTransportReason(new URL('wss://wss-open-connection.dingtalk.com/connect'), [])).toBeUndefined();
		expect(insecureTransportReason(new URL('ws://127.0.0.1:9000/connect'), [], 'the ticket')).toBe(
			'uses plain ws:// to 127.0.0.1:9000, which is not listed as a plain-HTTP host; the ticket would travel unencrypted',
		);
		expect(insecureTransportReason(new URL('http://api.dingtalk.com/v1.0'), [], 'the Client Secret')).toBe(
			'uses plain http:// to api.dingtalk.com; DingTalk is reached only over https://, so the Client Secret is never sent unencrypted',
		);
	});
});
