/**
 * Pure pieces of the app robot's delivery: the call pacer's line (a fake clock), which network
 * failures prove a request never left, lanes of one-to-one lists, clean upload names, and the
 * credential named in texts.
 */
import type { INode } from 'n8n-workflow';

import { requestNeverSent } from '../../credentials/endpoints';
import { cleanFileName, cleanMimeType } from '../../nodes/DingTalkRobot/messages/fileNames';
import { CallPacer } from '../../nodes/DingTalkRobot/transport/callPacer';
import { fetchableLink } from '../../nodes/DingTalkRobot/transport/messageFiles';
import { sharedMemberLanes } from '../../nodes/DingTalkRobot/transport/destinations';
import { RateLimitWaitError } from '../../nodes/DingTalkRobot/transport/rateLimiter';
import { nameCredentials } from '../../nodes/shared/credentialLabel';

/** A clock that moves only when every sleeper before it has been woken: deterministic. */
function fakeClock() {
	let now = 0;
	const sleepers: Array<{ at: number; wake: () => void }> = [];
	return {
		now: () => now,
		sleep: async (ms: number) => await new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })),
		/** runs the clock until nobody sleeps */
		async run() {
			for (let turns = 0; turns < 10_000; turns++) {
				await new Promise((resolve) => setImmediate(resolve));
				sleepers.sort((a, b) => a.at - b.at);
				const next = sleepers.shift();
				if (!next) return;
				now = Math.max(now, next.at);
				next.wake();
			}
			throw new Error('the clock ran away');
		},
	};
}

describe('CallPacer', () => {
	const WINDOW = { ms: 1000, marginMs: 50 };

	test('calls leave one by one, evenly spaced, in the order they asked, the first at once: any 21 in a row span a window and its margin', async () => {
		const clock = fakeClock();
		const pacer = new CallPacer(clock);
		const departures: Array<[number, number]> = [];
		const calls = Array.from({ length: 45 }, (_, n) => pacer.acquire('app', 20, WINDOW, 60_000).then(() => departures.push([n, clock.now()])));
		await clock.run();
		await Promise.all(calls);
		expect(departures.map(([n]) => n)).toEqual(Array.from({ length: 45 }, (_, n) => n));
		const times = departures.map(([, at]) => at);
		expect(times.slice(0, 3)).toEqual([0, 52.5, 105]);
		expect(times[20] - times[0]).toBe(1050);
		expect(Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1050).length))).toBe(20);
	});

	test('a lone call after a quiet spell leaves at once; one that comes too soon after another waits for its turn', async () => {
		const clock = fakeClock();
		const pacer = new CallPacer(clock);
		await expect(pacer.acquire('app', 4, WINDOW, 10_000)).resolves.toBe(0);
		const soon = pacer.acquire('app', 4, WINDOW, 10_000);
		await clock.run();
		await expect(soon).resolves.toBe(262.5);
	});

	test('refuses at once, taking no place, a wait past the budget; other apps have lines of their own', async () => {
		const clock = fakeClock();
		const pacer = new CallPacer(clock);
		const queued = Array.from({ length: 60 }, () => pacer.acquire('app', 20, WINDOW, 60_000));
		// the first left at 0, 59 wait: the 61st would leave at 60 × 52.5 ms
		await expect(pacer.acquire('app', 20, WINDOW, 3_000)).rejects.toEqual(new RateLimitWaitError(3_150, 3_000));
		await expect(pacer.acquire('other app', 20, WINDOW, 0)).resolves.toBe(0);
		await clock.run();
		await Promise.all(queued);
	});
});

describe('requestNeverSent: only a failure that proves the request never reached the server whole', () => {
	test.each([
		['a refused connection', { code: 'ECONNREFUSED' }, true],
		['a DNS failure', { cause: { code: 'ENOTFOUND', syscall: 'getaddrinfo' } }, true],
		['a reset while connecting (axios in n8n)', { code: 'ECONNRESET', cause: { code: 'ECONNRESET', syscall: 'connect' } }, true],
		['a request that could not be written whole', { cause: { cause: { code: 'EPIPE', syscall: 'write' } } }, true],
		['n8n\'s NodeApiError, which keeps only the texts', { httpCode: 'ECONNRESET', messages: ['connect ECONNRESET 10.0.0.5:443'] }, true],
		['a reset while reading the answer', { httpCode: 'ECONNRESET', messages: ['read ECONNRESET'] }, false],
		['a connection closed after the request', { httpCode: 'ECONNRESET', messages: ['socket hang up'] }, false],
		['a timeout', { code: 'ECONNABORTED', message: 'timeout of 1000ms exceeded' }, false],
		['nothing known', {}, false],
		['not an error', undefined, false],
	])('%s → %s', (_name, error, expected) => {
		expect(requestNeverSent(error)).toBe(expected);
	});
});

describe('sharedMemberLanes', () => {
	test('lists that share someone, directly or through others, share a lane named after its first job; others run apart', () => {
		expect(sharedMemberLanes([['ua', 'ub'], ['ua'], ['uc'], ['ub', 'ud'], ['ud', 'uc'], ['ue']])).toEqual([0, 0, 0, 0, 0, 5]);
		expect(sharedMemberLanes([['u1'], ['u2'], ['u3', 'u1']])).toEqual([0, 1, 0]);
		expect(sharedMemberLanes([[], []])).toEqual([0, 1]);
	});
});

describe('upload names and types', () => {
	test.each([
		['report.pdf', 'report.pdf'],
		['report\r\nX-Injected: yes\r\n.pdf', 'reportX-Injected: yes.pdf'],
		['../../etc/Q3 report.pdf', 'Q3 report.pdf'],
		['C:\\Users\\me\\季度报告.xlsx', '季度报告.xlsx'],
		['say "hi".pdf', 'say %22hi%22.pdf'],
		['../', 'file.bin'],
		['\u0000\u0007', 'file.bin'],
	])('%j → %j', (name, expected) => {
		expect(cleanFileName(name, 'file.bin')).toBe(expected);
	});

	test.each([
		['application/pdf', 'application/pdf'],
		['text/plain; charset=utf-8', 'text/plain; charset=utf-8'],
		['application/pdf\r\nX-Injected: yes', 'application/pdf'],
		['not a type', 'application/octet-stream'],
		[undefined, 'application/octet-stream'],
	])('%j → %j', (type, expected) => {
		expect(cleanMimeType(type)).toBe(expected);
	});
});

describe('nameCredentials', () => {
	const node = { credentials: { dingTalkAppApi: { id: '1', name: 'Ops bot' }, dingTalkRobotApi: { id: '2', name: 'Alerts' } } } as unknown as INode;

	test('names each credential once, as its user named it, at the start of a sentence too', () => {
		expect(nameCredentials(node, 'The DingTalk App credential has no Client ID. Check the DingTalk Robot credential.')).toBe(
			"The DingTalk App credential 'Ops bot' has no Client ID. Check the DingTalk Robot credential 'Alerts'.",
		);
		expect(nameCredentials(node, "Check the DingTalk App credential 'Ops bot'")).toBe("Check the DingTalk App credential 'Ops bot'");
	});
});

describe('fetchableLink: where a download link may be fetched from', () => {
	test.each([
		['https as given', 'https://lippi-space-sz.oss-accelerate.aliyuncs.com/yundisk0/a.file?Expires=1&Signature=x', [], 'https://lippi-space-sz.oss-accelerate.aliyuncs.com/yundisk0/a.file?Expires=1&Signature=x'],
		['DingTalk\'s OSS link in plain http, fetched over https from the same host', 'http://lippi-space-sh.cn-shanghai.oss.aliyuncs.com/yundisk0/a.file?Expires=1&Signature=x', [], 'https://lippi-space-sh.cn-shanghai.oss.aliyuncs.com/yundisk0/a.file?Expires=1&Signature=x'],
		['a listed plain-http host (a proxy, the simulator) as given', 'http://127.0.0.1:9001/yundisk0/a.file?Expires=1', ['127.0.0.1:9001'], 'http://127.0.0.1:9001/yundisk0/a.file?Expires=1'],
	])('%s', (_name, link, hosts, expected) => {
		expect(String(fetchableLink(link, hosts))).toBe(expected);
	});

	test.each([
		['plain http to another host', 'http://files.example.com/a.file', "DingTalk's download link uses plain http:// to files.example.com:80, which is not listed as a plain-HTTP host; the download link would travel unencrypted"],
		['OSS on another port stays as given, and is refused', 'http://x.oss-cn-beijing.aliyuncs.com:8080/a.file', "DingTalk's download link uses plain http:// to x.oss-cn-beijing.aliyuncs.com:8080, which is not listed as a plain-HTTP host; the download link would travel unencrypted"],
		['not a URL', 'yundisk0/a.file', "DingTalk's download link is not a URL"],
	])('refused: %s', (_name, link, reason) => {
		expect(fetchableLink(link, [])).toBe(reason);
	});
});
