/**
 * Issue 10's defects, each reproduced through n8n's WorkflowExecute against the simulator: no
 * item lost or reported "sent" when DingTalk dropped it, no partial send hidden, no option that
 * switches a check off, no redirect followed, no token over cleartext or in an error.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { robotRateLimiter } from '../../nodes/DingTalkRobot/transport/rateLimiter';
import { DingTalkSimulator } from '../../simulator';
import { runRobotWorkflow } from './n8nEngine';
import { KEYWORD_ROBOT, SIGNED_ROBOT, TEST_TIMING, simulatorWebhook, useSimulator } from './simulatorFixture';

const sim = useSimulator();
const credential = () => ({ ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: SIGNED_ROBOT.secret });
const delivered = () => sim.messages(SIGNED_ROBOT.accessToken);
const contents = () => delivered().map((m) => (m.text as { content: string } | undefined)?.content ?? (m.markdown as { text: string }).text);
const text = (content: string, options: IDataObject = {}): INodeParameters => ({ messageType: 'text', content, options: options as INodeParameters });

describe('1. Message ID', () => {
	test('an object from an expression is refused naming the item and the option; nothing is sent', async () => {
		const { error } = await runRobotWorkflow({ items: [{ id: { alert: 1 } }], parameters: text('x', { messageId: '={{ $json.id }}' }), credential: credential() });
		expect(error?.message).toBe('Item 0: "Options › Message ID (msgUuid)" must be text, got {"alert":1}');
		expect(sim.requests).toHaveLength(0);
	});

	test('items that share an ID but differ: the later one fails clearly, never reported sent', async () => {
		const { output } = await runRobotWorkflow({
			items: [{ t: 'disk full' }, { t: 'cpu high' }, { t: 'mem low' }],
			parameters: text('={{ $json.t }}', { messageId: 'alert-7' }),
			credential: credential(),
			continueOnFail: true,
		});
		expect(contents()).toEqual(['disk full']);
		expect(output.map((o) => o.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }]]);
		expect(output[0].json).toMatchObject({ errcode: 0, msgUuid: 'alert-7' });
		for (const index of [1, 2]) {
			expect(output[index].json.errcode).toBeUndefined();
			expect(output[index].json.error).toBe(
				`Item ${index}: "Options › Message ID (msgUuid)" gives this message the ID "alert-7", which item 0's different message already has; DingTalk would post only the first and answer "ok" to this one`,
			);
		}
		expect(sim.requests).toHaveLength(1);
	});

	test('without Continue On Fail the run stops before anything is sent', async () => {
		const { error } = await runRobotWorkflow({ items: [{ t: 'a' }, { t: 'b' }], parameters: text('={{ $json.t }}', { messageId: 'same' }), credential: credential() });
		expect(error?.message).toMatch(/^Item 1: "Options › Message ID \(msgUuid\)" gives this message the ID "same"/);
		expect(sim.requests).toHaveLength(0);
	});

	test('identical messages with one ID are one message in the group, and both items say so truthfully', async () => {
		const { output, error } = await runRobotWorkflow({ items: [{}, {}], parameters: text('deploy done', { messageId: 'deploy-42' }), credential: credential() });
		expect(error).toBeUndefined();
		expect(contents()).toEqual(['deploy done']);
		expect(output.map((o) => o.json.errcode)).toEqual([0, 0]);
	});
});

describe('2. Combine Items with Continue On Fail keeps the good items', () => {
	test('a, an oversized item, c: a and c are sent, the big one is an error item, one output per item', async () => {
		const { output } = await runRobotWorkflow({
			items: [{ t: 'a' }, { t: 'x'.repeat(25_000) }, { t: 'c' }],
			parameters: text('={{ $json.t }}', { combineItems: true }),
			credential: credential(),
			continueOnFail: true,
		});
		expect(contents()).toEqual(['a\nc']);
		expect(output.map((o) => o.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }]]);
		expect(output[0].json).toMatchObject({ errcode: 0, items: 2 });
		expect(output[2].json).toMatchObject({ errcode: 0, items: 2 });
		expect(output[1].json.error).toBe('Item 1: "Content" is too long to combine: this item alone makes a message over 20000 bytes');
	});

	test('markdown: an item whose text is an object, and one whose title fails, are error items; the others are sent', async () => {
		const { output } = await runRobotWorkflow({
			items: [{ t: 'first' }, { t: { not: 'text' } }, { t: 'third', noTitle: true }, { t: 'fourth' }],
			parameters: { messageType: 'markdown', title: '={{ $json.noTitle ? "" : "Alerts" }}', text: '={{ $json.t }}', options: { combineItems: true } },
			credential: credential(),
			continueOnFail: true,
		});
		expect(contents()).toEqual(['first\n\nfourth']);
		expect(output.map((o) => o.json.error ?? 'sent')).toEqual(['sent', 'Item 1: "Text" must be text, got {"not":"text"}', 'Item 2: "Title" is required', 'sent']);
	});
});

test('a credential no message can be sent with, with Continue On Fail: every item becomes an error item, paired', async () => {
	const { output, error } = await runRobotWorkflow({ items: [{}, {}, {}], parameters: text('x'), credential: { accessToken: 'http://oapi.dingtalk.com/robot/send?access_token=canaryTok1' }, continueOnFail: true });
	expect(error).toBeUndefined();
	expect(output.map((o) => o.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }]]);
	expect(output.every((o) => String(o.json.error).includes('uses plain http:// to oapi.dingtalk.com'))).toBe(true);
	expect(JSON.stringify(output)).not.toContain('canaryTok1');
});

describe('3. Split Long Messages says which parts were posted', () => {
	const report = Array.from({ length: 900 }, (_, n) => `line ${n}: ${'x'.repeat(40)}`).join('\n'); // ~46 kB: 3 parts
	const split = { messageType: 'text', content: '={{ $json.report }}', options: { splitLongMessages: true, messageId: 'report-2026-11-29' } };

	test('part 2 refused: the output says part 1 was posted; a rerun with the same Message ID does not post part 1 again', async () => {
		sim.setFaultPolicy((index) => (index === 1 ? { kind: 'redirect', location: 'http://127.0.0.1:9/elsewhere' } : undefined));
		const { output } = await runRobotWorkflow({ items: [{ report }], parameters: split, credential: credential(), continueOnFail: true });
		expect(output).toHaveLength(1);
		expect(output[0].json).toMatchObject({ parts: 3, partsPosted: 1, msgUuid: 'report-2026-11-29-2' });
		expect(output[0].json.error).toBe('Item 0 (part 2 of 3): DingTalk answered with a redirect (HTTP 307), which is never followed; part 1 of 3 was posted');
		expect(output[0].json.description).toMatch(/^Part 1 of 3 is in the group\. Running again with the same Message ID does not post them again/);
		expect(delivered()).toHaveLength(1);

		sim.setFaultPolicy(undefined);
		const again = await runRobotWorkflow({ items: [{ report }], parameters: split, credential: credential() });
		expect(again.error).toBeUndefined();
		expect(again.output[0].json).toMatchObject({ errcode: 0, parts: 3 });
		// part 1 arrived again and DingTalk (the simulator) recognised it; the group has each part once
		expect(sim.requests.filter((r) => r.msgUuid === 'report-2026-11-29-1').map((r) => r.duplicate)).toEqual([false, true]);
		expect(delivered().map((m) => m.msgUuid)).toEqual(['report-2026-11-29-1', 'report-2026-11-29-2', 'report-2026-11-29-3']);
	});
});

describe('4. options that are not numbers are refused, never NaN', () => {
	test.each([
		['Max Message Size "abc"', { maxMessageBytes: 'abc' }, 'Item 0: "Options › Max Message Size (Bytes)" must be a number between 1000 and 20000, got "abc"'],
		['Max Attempts "x"', { maxAttempts: 'x' }, 'Item 0: "Options › Max Attempts" must be a number between 1 and 10, got "x"'],
		['Max Attempts 17', { maxAttempts: 17 }, 'Item 0: "Options › Max Attempts" must be between 1 and 10, got 17'],
		['Messages per Minute NaN', { messagesPerMinute: Number.NaN }, 'Item 0: "Options › Messages per Minute" must be a number between 1 and 20, got null'],
		['Timeout "-1"', { timeoutSeconds: '-1' }, 'Item 0: "Options › Timeout (Seconds)" must be between 1 and 600, got "-1"'],
		['Max Wait an object', { maxWaitSeconds: { s: 1 } }, 'Item 0: "Options › Max Wait (Seconds)" must be a number between 0 and 86400, got {"s":1}'],
		['Pace to the Rate Limit "maybe"', { pacing: 'maybe' }, 'Item 0: "Options › Pace to the Rate Limit" must be true or false, got "maybe"'],
	])('%s', async (_name, options, message) => {
		// a 25,000-byte message: with a NaN size limit it used to be sent
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('钉'.repeat(8000), options), credential: credential() });
		expect(error?.message).toBe(message);
		expect(sim.requests).toHaveLength(0);
	});

	test('numbers from expressions as text are fine; a bad value on item 1 fails item 1 only', async () => {
		const { output } = await runRobotWorkflow({
			items: [{ n: '3' }, { n: 'three' }],
			parameters: text('=x{{ $itemIndex }}', { maxAttempts: '={{ $json.n }}' }),
			credential: credential(),
			continueOnFail: true,
		});
		expect(output[0].json).toMatchObject({ errcode: 0 });
		expect(output[1].json.error).toBe('Item 1: "Options › Max Attempts" must be a number between 1 and 10, got "three"');
		expect(contents()).toEqual(['x0']);
	});
});

describe('5. posted, but answered badly', () => {
	test.each([
		['HTTP 502 after posting', { kind: 'http502' as const, afterDelivery: true }],
		['errcode -1 after posting', { kind: 'busy' as const, afterDelivery: true }],
		['a 200 that is no JSON, after posting', { kind: 'nonJson' as const, afterDelivery: true }],
		['a 200 without errcode, after posting', { kind: 'noErrcode' as const, afterDelivery: true }],
		['a 200 without errcode, before posting', { kind: 'noErrcode' as const }],
	])('%s: retried with the same msgUuid until DingTalk answers readably; one message, reported sent', async (_name, fault) => {
		sim.injectFaults([fault]);
		const { output, error } = await runRobotWorkflow({ items: [{}], parameters: text('deploy done'), credential: credential() });
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ errcode: 0, attempts: 2 });
		expect(contents()).toEqual(['deploy done']);
		expect(new Set(sim.requests.map((r) => r.msgUuid)).size).toBe(1);
	});

	test('"may have been posted" only where it is true: a readable refusal after an unreadable answer still says so, a plain refusal does not', async () => {
		sim.injectFaults([{ kind: 'http502' }, { kind: 'http502' }]);
		const first = await runRobotWorkflow({ items: [{}], parameters: text('x', { maxAttempts: 2 }), credential: credential(), continueOnFail: true });
		expect(first.output[0].json).toMatchObject({ attempts: 2, mayHaveBeenPosted: true });
		const plain = await runRobotWorkflow({ items: [{}], parameters: text('x', { maxAttempts: 2 }), credential: { ...credential(), secret: 'SECwrong' }, continueOnFail: true });
		expect(plain.output[0].json).toMatchObject({ attempts: 1, errcode: 310000 });
		expect(plain.output[0].json.mayHaveBeenPosted).toBeUndefined();
	});
});

describe('6. redirects are never followed', () => {
	const foreign = new DingTalkSimulator();
	beforeAll(async () => {
		await foreign.start({ host: '127.0.0.1', port: 0 });
	});
	afterAll(async () => {
		await foreign.stop();
	});
	beforeEach(() => foreign.reset());

	test('Reply in the Conversation: an allowed host answering 307/308 does not make n8n post the message and its session to another host', async () => {
		for (const status of [307, 308] as const) {
			const session = sim.createSession();
			sim.injectFaults([{ kind: 'redirect', status, location: `${foreign.baseUrl}/robot/sendBySession?session=${session.sessionId}` }]);
			const { error } = await runRobotWorkflow({
				items: [{ sessionWebhook: session.sessionWebhook }],
				parameters: { target: 'session', sessionWebhook: '={{ $json.sessionWebhook }}', sessionWebhookExpiresAt: '', messageType: 'text', content: 'pong', options: { sessionWebhookHosts: sim.host } },
				credential: credential(),
			});
			expect(error?.message).toBe(`Item 0: DingTalk answered with a redirect (HTTP ${status}), which is never followed`);
			expect(JSON.stringify(error)).not.toContain(session.sessionId);
		}
		expect(foreign.requests).toHaveLength(0);
	});

	test('Group Robot: the signed URL is never sent to where a redirect points', async () => {
		sim.injectFaults([{ kind: 'redirect', status: 302, location: `${foreign.baseUrl}/robot/send?access_token=stolen` }]);
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: credential() });
		expect(error?.message).toBe('Item 0: DingTalk answered with a redirect (HTTP 302), which is never followed');
		expect(foreign.requests).toHaveLength(0);
	});
});

describe('7. no token over cleartext', () => {
	test('a credential with http://oapi.dingtalk.com is refused before any request', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: { accessToken: 'http://oapi.dingtalk.com/robot/send?access_token=canary7Token', secret: 'SECx' } });
		expect(error?.message).toContain('uses plain http:// to oapi.dingtalk.com; DingTalk is reached only over https://');
		expect(error?.message).not.toContain('canary7Token');
	});

	test('the simulator over plain http needs its host:port listed under Plain HTTP Hosts', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: { ...credential(), plainHttpHosts: '' } });
		expect(error?.message).toContain(`uses plain http:// to ${sim.host}, which is not listed as a plain-HTTP host`);
		expect(sim.requests).toHaveLength(0);
	});

	test.each([
		['plain http to DingTalk', 'http://oapi.dingtalk.com/robot/sendBySession?session=canarySession7', 'uses plain http:// to oapi.dingtalk.com'],
		['another port of DingTalk', 'https://oapi.dingtalk.com:4443/robot/sendBySession?session=canarySession7', 'uses port 4443 of oapi.dingtalk.com'],
		['another port of a listed host', 'http://127.0.0.1:9/robot/sendBySession?session=canarySession7', 'points at 127.0.0.1:9, which is not a DingTalk session webhook host'],
	])('a session webhook over %s is refused, naming the item', async (_name, sessionWebhook, problem) => {
		const { error } = await runRobotWorkflow({
			items: [{ sessionWebhook }],
			parameters: { target: 'session', sessionWebhook: '={{ $json.sessionWebhook }}', sessionWebhookExpiresAt: '', messageType: 'text', content: 'x', options: { sessionWebhookHosts: `oapi.dingtalk.com, ${sim.host}` } },
			credential: credential(),
		});
		expect(error?.message).toContain(`Item 0: "Session Webhook" ${problem}`);
		expect(error?.message).not.toContain('canarySession7');
	});
});

describe('8. an echoed URL leaves no sign, timestamp or token in the error', () => {
	test.each([
		['in DingTalk\'s errmsg', { kind: 'echoUrl' as const }],
		['in a proxy\'s error page', { kind: 'echoUrl' as const, status: 502 }],
	])('%s', async (_name, fault) => {
		sim.injectFaults([fault, fault, fault, fault, fault]);
		const { error, run } = await runRobotWorkflow({ items: [{}], parameters: text('x', { maxAttempts: 1 }), credential: credential() });
		expect(error).toBeDefined();
		const stored = JSON.stringify(run);
		const request = sim.requests[0];
		// (the timestamp itself is no secret, and n8n's run data holds ms times of its own: the parameter's value is what must go)
		for (const secret of [SIGNED_ROBOT.accessToken, SIGNED_ROBOT.accessToken.slice(0, 11), request.sign, encodeURIComponent(request.sign ?? ''), `timestamp=${request.timestamp}`]) {
			expect(stored).not.toContain(secret);
		}
		expect(stored).toContain('access_token=***');
		expect(stored).toContain('timestamp=***');
		expect(stored).toContain('sign=***');
	});
});

describe('10. mentions as people write them', () => {
	test('+86 with spaces, a JSON array held as text, "true" for Mention Everyone', async () => {
		const { error } = await runRobotWorkflow({
			items: [{ phones: '+86 138 0013 8000', ids: '["manager1","dev2"]', all: 'true' }],
			parameters: { messageType: 'text', content: 'on call', mentions: { atMobiles: '={{ $json.phones }}', atUserIds: '={{ $json.ids }}', isAtAll: '={{ $json.all }}' } },
			credential: credential(),
		});
		expect(error).toBeUndefined();
		expect(delivered()[0]).toMatchObject({
			text: { content: 'on call\n@13800138000 @manager1 @dev2' },
			at: { atMobiles: ['13800138000'], atUserIds: ['manager1', 'dev2'], isAtAll: true },
		});
	});

	test('what is not a mobile is refused with the item and the value', async () => {
		const { error } = await runRobotWorkflow({ items: [{}, { m: 'abc-not-a-phone' }], parameters: { messageType: 'text', content: 'x', mentions: { atMobiles: '={{ $json.m ?? "13800000000" }}' } }, credential: credential() });
		expect(error?.message).toBe('Item 1: "Mentions › Mobiles" has "abc-not-a-phone", which is not a mobile number');
		expect(sim.requests).toHaveLength(0);
	});
});

describe('11–13. keywords, limits and links', () => {
	test('a keyword only in a URL or a button does not pass the check; in the title it does, and DingTalk agrees', async () => {
		const keywordCredential = { ...simulatorWebhook(sim, KEYWORD_ROBOT.accessToken), keywords: 'alert' };
		const inUrl = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'link', title: 'Report', text: 'weekly', messageUrl: 'https://example.com/alert' }, credential: keywordCredential });
		expect(inUrl.error?.message).toMatch(/^Item 0: "Text" contains none of the robot's keywords \(alert\)/);
		const inButton = await runRobotWorkflow({
			items: [{}],
			parameters: { messageType: 'actionCard', title: 'T', text: 'x', buttonMode: 'multiple', buttons: { values: [{ title: 'alert', url: 'https://example.com' }] } },
			credential: keywordCredential,
		});
		expect(inButton.error?.message).toMatch(/contains none of the robot's keywords/);
		expect(sim.requests).toHaveLength(0);
		const inTitle = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'link', title: 'alert report', text: 'weekly', messageUrl: 'https://example.com/x' }, credential: keywordCredential });
		expect(inTitle.error).toBeUndefined();
		expect(sim.messages(KEYWORD_ROBOT.accessToken)).toHaveLength(1);
	});

	test('six buttons and ten feed links are refused before sending', async () => {
		const buttons = Array.from({ length: 6 }, (_, n) => ({ title: `B${n}`, url: `https://example.com/${n}` }));
		const card = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'actionCard', title: 'T', text: 'x', buttonMode: 'multiple', buttons: { values: buttons } }, credential: credential() });
		expect(card.error?.message).toBe('Item 0: "Buttons" has 6 buttons; DingTalk shows at most 5');
		const links = Array.from({ length: 10 }, (_, n) => ({ title: `L${n}`, messageUrl: `https://example.com/${n}`, picUrl: 'https://example.com/p.png' }));
		const feed = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'feedCard', links: { values: links } }, credential: credential() });
		expect(feed.error?.message).toBe('Item 0: "Links" has 10 links; DingTalk shows at most 9');
		expect(sim.requests).toHaveLength(0);
	});

	test('a URL with raw spaces arrives encoded; a dingtalk:// link that opens javascript: is refused', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'link', title: 'T', text: 'x', messageUrl: 'https://example.com/weekly report.pdf' }, credential: credential() });
		expect(error).toBeUndefined();
		expect(delivered()[0]).toMatchObject({ link: { messageUrl: 'https://example.com/weekly%20report.pdf' } });
		const evil = await runRobotWorkflow({
			items: [{}],
			parameters: { messageType: 'link', title: 'T', text: 'x', messageUrl: 'dingtalk://dingtalkclient/page/link?url=javascript:alert(1)&pc_slide=true' },
			credential: credential(),
		});
		expect(evil.error?.message).toMatch(/^Item 0: "Message URL" opens a javascript: link in its "url" parameter/);
	});

	test('side-panel links keep balanced parentheses in their target', async () => {
		const { error } = await runRobotWorkflow({
			items: [{}],
			parameters: { messageType: 'markdown', title: 'T', text: 'see [wiki](https://en.wikipedia.org/wiki/Foo_(bar)) now', options: { openLinksInSidePanel: true } },
			credential: credential(),
		});
		expect(error).toBeUndefined();
		expect((delivered()[0].markdown as { text: string }).text).toBe(
			`see [wiki](dingtalk://dingtalkclient/page/link?url=${encodeURIComponent('https://en.wikipedia.org/wiki/Foo_(bar)')}&pc_slide=true) now`,
		);
	});
});

describe('15. one throttle holds every sender of the robot', () => {
	// a simulator of its own whose window closes after 3 messages (the limiter allows 20)
	const throttler = new DingTalkSimulator({ rateLimit: { perWindow: 3, windowMs: TEST_TIMING.windowMs, throttleMs: TEST_TIMING.throttleMs } });
	const robot = { accessToken: 'throttlingRobotToken' };
	throttler.addRobot(robot);
	beforeAll(async () => {
		await throttler.start({ host: '127.0.0.1', port: 0 });
	});
	afterAll(async () => {
		await throttler.stop();
	});
	beforeEach(() => {
		throttler.reset();
		robotRateLimiter.configure(TEST_TIMING);
	});
	const throttledCredential = () => simulatorWebhook(throttler, robot.accessToken);

	test('a message already waiting for its slot when another execution meets the throttle does not send into it', async () => {
		// another program filled DingTalk's window; two executions, paced at 1 a window, start together:
		// one gets the slot now (and 410100), the other the next slot, which comes before the throttle ends
		for (let k = 0; k < 3; k++) {
			await fetch(throttler.webhookUrl(robot.accessToken), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'text', text: { content: 'other program' } }) });
		}
		const run = (who: string) => runRobotWorkflow({ items: [{}], parameters: text(who, { messagesPerMinute: 1 }), credential: throttledCredential() });
		const results = await Promise.all([run('a'), run('b')]);
		expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
		// one request met the throttle; the waiting one held until it was over, and nothing pushed it further
		const refused = throttler.requests.filter((r) => r.errcode === 410100);
		expect(refused).toHaveLength(1);
		const after = throttler.requests.filter((r) => r.at > refused[0].at);
		expect(after.every((r) => r.at >= refused[0].at + TEST_TIMING.throttleMs - 50 && r.errcode === 0)).toBe(true);
		expect(throttler.messages(robot.accessToken).map((m) => (m.text as { content: string }).content).sort()).toEqual(['a', 'b', 'other program', 'other program', 'other program']);
	});

	test('past Max Wait during a throttle the error says it waits out the throttle', async () => {
		await runRobotWorkflow({ items: Array.from({ length: 4 }, () => ({})), parameters: text('fill', { pacing: false, maxAttempts: 1 }), credential: throttledCredential(), continueOnFail: true });
		expect(throttler.requests.map((r) => r.errcode)).toEqual([0, 0, 0, 410100]);
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('later', { maxWaitSeconds: 1 }), credential: throttledCredential() });
		expect(error?.message).toMatch(/^Item 0: rate limit: would wait \d+ s for DingTalk's throttle of this robot \(errcode 410100\) to pass/);
		expect(throttler.requests).toHaveLength(4);
	});
});

describe('16. Image', () => {
	test('a picture with a title, a caption and a mention, sent as markdown', async () => {
		const { error } = await runRobotWorkflow({
			items: [{ chart: 'https://example.com/cpu (24h).png' }],
			parameters: { messageType: 'image', imageUrl: '={{ $json.chart }}', imageTitle: 'CPU [24 h]', caption: 'web-1 peaked at 97%', mentions: { atMobiles: '13800000000' } },
			credential: credential(),
		});
		expect(error).toBeUndefined();
		expect(delivered()[0]).toMatchObject({
			msgtype: 'markdown',
			markdown: { title: 'CPU [24 h]', text: '![CPU  24 h](https://example.com/cpu%20%2824h%29.png)\n\nweb-1 peaked at 97%\n\n@13800000000' },
			at: { atMobiles: ['13800000000'], isAtAll: false },
		});
	});

	test('an image URL that is not http(s) is refused', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'image', imageUrl: 'dingtalk://dingtalkclient/x' }, credential: credential() });
		expect(error?.message).toBe('Item 0: "Image URL" must be an http(s) URL, got "dingtalk://dingtalkclient/x"');
	});
});
