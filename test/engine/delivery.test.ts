/**
 * No message lost to DingTalk's rate limit, none posted twice: pacing, retries and combining,
 * run in n8n's engine against the simulator, which enforces the limit and throttles like
 * DingTalk. Time is scaled for both (TEST_TIMING): a 1.5 s window and a 3 s throttle.
 */
import { computeDingTalkSign } from '../../simulator';
import { runRobotWorkflow } from './n8nEngine';
import { KEYWORD_ROBOT, SIGNED_ROBOT, TEST_TIMING, simulatorWebhook, useSimulator } from './simulatorFixture';

const sim = useSimulator();
const credential = () => ({ ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: SIGNED_ROBOT.secret });
const span = TEST_TIMING.windowMs + TEST_TIMING.marginMs;

/** The most requests the simulator received inside any window, by arrival time. */
function peakPerWindow(): number {
	const times = sim.requests.map((r) => r.at).sort((a, b) => a - b);
	return Math.max(0, ...times.map((t, i) => times.slice(i).filter((u) => u < t + TEST_TIMING.windowMs).length));
}

const contents = () => sim.messages(SIGNED_ROBOT.accessToken).map((m) => (m.text as { content: string }).content);

describe('pacing', () => {
	test('a burst of 45 items: all delivered in order, never more than 20 in a window, nothing throttled', async () => {
		const items = Array.from({ length: 45 }, (_, n) => ({ n }));
		const started = Date.now();
		const { output, error } = await runRobotWorkflow({ items, parameters: { messageType: 'text', content: '=alert {{ $json.n }}' }, credential: credential() });
		const elapsed = Date.now() - started;
		expect(error).toBeUndefined();
		expect(contents()).toEqual(items.map((item) => `alert ${item.n}`));
		expect(sim.stats().rejected).toEqual({});
		expect(peakPerWindow()).toBeLessThanOrEqual(20);
		expect(output.every((o) => o.json.errcode === 0 && o.json.attempts === 1)).toBe(true);
		// 45 messages need two waits for a free window
		expect(elapsed).toBeGreaterThanOrEqual(2 * span - 50);
	});

	test('two executions at once share the robot\'s budget', async () => {
		const run = (tag: string) =>
			runRobotWorkflow({
				items: Array.from({ length: 15 }, (_, n) => ({ n })),
				parameters: { messageType: 'text', content: `=${tag} {{ $json.n }}` },
				credential: credential(),
			});
		const [a, b] = await Promise.all([run('a'), run('b')]);
		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		expect(contents()).toHaveLength(30);
		expect(sim.stats().rejected).toEqual({});
		expect(peakPerWindow()).toBeLessThanOrEqual(20);
	});

	test('Messages per Minute keeps room for other senders', async () => {
		const { error } = await runRobotWorkflow({
			items: Array.from({ length: 12 }, (_, n) => ({ n })),
			parameters: { messageType: 'text', content: '={{ $json.n }}', options: { messagesPerMinute: 5 } },
			credential: credential(),
		});
		expect(error).toBeUndefined();
		expect(contents()).toHaveLength(12);
		expect(peakPerWindow()).toBeLessThanOrEqual(5);
	});

	test('past Max Wait the remaining items fail clearly instead of being sent into the throttle', async () => {
		const items = Array.from({ length: 25 }, (_, n) => ({ n }));
		const { output, error } = await runRobotWorkflow({
			items,
			parameters: { messageType: 'text', content: '={{ $json.n }}', options: { maxWaitSeconds: 0.5 } },
			credential: credential(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(contents()).toHaveLength(20);
		expect(output).toHaveLength(25);
		expect(output.slice(20).map((o) => o.json.error)).toEqual(
			items.slice(20).map((_, k) => `Item ${20 + k}: rate limit: would wait 2 s for a free slot under 20 messages per minute, more than the 1 s this execution may still wait`),
		);
		expect(output[20].json.description).toContain('Nothing was sent for this item');
		expect(sim.requests).toHaveLength(20);
	});
});

describe('retries: recovered, never duplicated', () => {
	test.each([
		['busy (-1)', [{ kind: 'busy' as const }]],
		['HTTP 502 then 500', [{ kind: 'http502' as const }, { kind: 'http500' as const }]],
		['a dropped connection', [{ kind: 'drop' as const }]],
		['a dropped connection after DingTalk posted it', [{ kind: 'drop' as const, afterDelivery: true }]],
		['an answer slower than the timeout, after DingTalk posted it', [{ kind: 'slow' as const, delayMs: 1500 }]],
	])('%s', async (_name, faults) => {
		sim.injectFaults(faults);
		const { output, error } = await runRobotWorkflow({
			items: [{ n: 1 }],
			parameters: { messageType: 'text', content: 'once', options: { timeoutSeconds: 1 } },
			credential: credential(),
		});
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ errcode: 0, attempts: faults.length + 1 });
		expect(contents()).toEqual(['once']);
		// every attempt carried the same msgUuid and its own valid signature
		expect(new Set(sim.requests.map((r) => r.msgUuid))).toEqual(new Set([output[0].json.msgUuid]));
		expect(sim.requests.every((r) => r.signatureValid)).toBe(true);
	});

	test('throttled by another sender of this n8n: holds until the throttle has passed, then delivers without sending into it', async () => {
		// another execution used up the robot's minute and met the throttle
		await Promise.all(
			Array.from({ length: 21 }, () =>
				runRobotWorkflow({ items: [{}], parameters: { messageType: 'text', content: 'other sender', options: { pacing: false, maxAttempts: 1 } }, credential: credential(), continueOnFail: true }),
			),
		);
		const before = sim.requests.length;
		const started = Date.now();
		const { output, error } = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'text', content: 'mine' }, credential: credential() });
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ errcode: 0, attempts: 1 });
		expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_TIMING.throttleMs - 500);
		expect(sim.requests.slice(before).map((r) => r.errcode)).toEqual([0]);
		expect(contents().filter((c) => c === 'mine')).toHaveLength(1);
	});

	test('throttled by a sender outside this n8n: waits out the throttle, then delivers', async () => {
		// 21 signed requests straight to the webhook, as another program would send them
		for (let k = 0; k < 21; k++) {
			const timestamp = Date.now();
			await fetch(`${sim.webhookUrl(SIGNED_ROBOT.accessToken)}&timestamp=${timestamp}&sign=${encodeURIComponent(computeDingTalkSign(SIGNED_ROBOT.secret, timestamp))}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ msgtype: 'text', text: { content: 'other program' } }),
			});
		}
		const before = sim.requests.length;
		const started = Date.now();
		const { output, error } = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'text', content: 'mine' }, credential: credential() });
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ errcode: 0, attempts: 2 });
		expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_TIMING.throttleMs - 500);
		expect(sim.requests.slice(before).map((r) => r.errcode)).toEqual([410100, 0]);
		expect(contents().filter((c) => c === 'mine')).toHaveLength(1);
	});

	test.each([
		['a wrong secret (310000)', () => ({ ...credential(), secret: 'SECwrong' }), undefined, 'Item 0: DingTalk refused the signature: the secret does not match [errcode 310000: sign not match]'],
		['an unknown token (300005)', () => ({ ...simulatorWebhook(sim, 'unknownToken') }), undefined, 'Item 0: DingTalk does not know this robot\'s access token [errcode 300005: token is not exist]'],
		['a missing keyword (310000)', () => ({ ...simulatorWebhook(sim, KEYWORD_ROBOT.accessToken) }), undefined, 'Item 0: DingTalk refused the message: it contains none of the robot\'s keywords [errcode 310000: keywords not in content]'],
		['a wrong path (HTTP 404)', () => ({ ...simulatorWebhook(sim, 'x'), accessToken: `${sim.baseUrl}/robot/sent?access_token=x` }), undefined, 'Item 0: DingTalk answered HTTP 404'],
		['a redirect (HTTP 307)', credential, { kind: 'redirect' as const, location: 'http://127.0.0.1:9/elsewhere' }, 'Item 0: DingTalk answered with a redirect (HTTP 307), which is never followed'],
	])('%s is not retried: one request, the error at once', async (_name, makeCredential, fault, message) => {
		if (fault) sim.injectFaults([fault]);
		const { error } = await runRobotWorkflow({ items: [{}], parameters: { messageType: 'text', content: 'x' }, credential: makeCredential() });
		expect(error?.message).toBe(message);
		expect(sim.requests).toHaveLength(1);
	});

	test('Max Attempts: the last failure is reported with the number of attempts', async () => {
		sim.injectFaults([{ kind: 'busy' }, { kind: 'busy' }, { kind: 'busy' }]);
		const { error, output } = await runRobotWorkflow({
			items: [{}],
			parameters: { messageType: 'text', content: 'x', options: { maxAttempts: 3 } },
			credential: credential(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			error: 'Item 0: DingTalk is busy [errcode -1: 系统繁忙] (after 3 attempts); DingTalk may have posted the message',
			errcode: -1,
			attempts: 3,
			mayHaveBeenPosted: true,
		});
		expect(sim.requests).toHaveLength(3);
		expect(contents()).toEqual([]);
	});
});

describe('Combine Items', () => {
	test('300 alerts become a handful of messages; one output per item, paired with it, naming its message', async () => {
		const items = Array.from({ length: 300 }, (_, n) => ({ n, host: `web-${n}`, oncall: n % 2 ? '13800000001' : '13800000002' }));
		const { output, error } = await runRobotWorkflow({
			items,
			parameters: {
				messageType: 'markdown',
				title: 'Disk alerts',
				text: '=- **{{ $json.host }}**: disk {{ 90 + $json.n % 10 }}% full',
				mentions: { atMobiles: '={{ $json.oncall }}' },
				options: { combineItems: true, combinedHeader: '#### Disk alerts', maxMessageBytes: 4000 },
			},
			credential: credential(),
		});
		expect(error).toBeUndefined();
		const messages = sim.messages(SIGNED_ROBOT.accessToken);
		expect(messages.length).toBeGreaterThan(1);
		expect(messages.length).toBeLessThan(10);
		expect(output).toHaveLength(items.length);
		expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => [{ item }]));
		// every item is in exactly one message, in order: the outputs of one message share its msgUuid
		const uuids = [...new Set(output.map((o) => o.json.msgUuid))];
		expect(uuids).toEqual(messages.map((m) => m.msgUuid));
		messages.forEach((message, k) => {
			const carrying = output.filter((o) => o.json.msgUuid === message.msgUuid);
			expect(carrying.every((o) => o.json.items === carrying.length && o.json.errcode === 0)).toBe(true);
			const markdown = message.markdown as { title: string; text: string };
			expect(markdown.title).toBe(`Disk alerts (${k + 1}/${messages.length})`);
			expect(markdown.text.startsWith(`#### Disk alerts (${k + 1}/${messages.length})\n\n- **web-`)).toBe(true);
			expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(4000);
			const at = message.at as { atMobiles: string[]; isAtAll: boolean };
			expect([...at.atMobiles].sort()).toEqual(['13800000001', '13800000002']);
			expect(at.isAtAll).toBe(false);
		});
		const allText = messages.map((m) => (m.markdown as { text: string }).text).join('\n');
		for (const item of items) expect(allText).toContain(`**${item.host}**:`);
	});

	test('an item whose content is empty becomes an error item; the others are combined', async () => {
		const { output } = await runRobotWorkflow({
			items: [{ c: 'a' }, { c: '' }, { c: 'c' }],
			parameters: { messageType: 'text', content: '={{ $json.c }}', options: { combineItems: true } },
			credential: credential(),
			continueOnFail: true,
		});
		expect(contents()).toEqual(['a\nc']);
		expect(output.map((o) => o.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }]]);
		expect(output[1].json.error).toBe('Item 1: "Content" is required');
		expect(output[0].json).toMatchObject({ errcode: 0, items: 2 });
		expect(output[2].json).toEqual(output[0].json);
	});
});

test('Split Long Messages: a 50 kB report arrives as numbered parts', async () => {
	const lines = Array.from({ length: 1000 }, (_, n) => `line ${n}: ${'x'.repeat(40)}`);
	const { output, error } = await runRobotWorkflow({
		items: [{ report: lines.join('\n') }],
		parameters: { messageType: 'text', content: '={{ $json.report }}', options: { splitLongMessages: true } },
		credential: credential(),
	});
	expect(error).toBeUndefined();
	const parts = contents();
	expect(parts.length).toBe(output[0].json.parts);
	expect(parts.length).toBeGreaterThanOrEqual(3);
	expect(parts.map((p) => p.replace(/^\(\d+\/\d+\) /, '')).join('\n')).toBe(lines.join('\n'));
	expect(parts[0].startsWith(`(1/${parts.length}) line 0:`)).toBe(true);
});
