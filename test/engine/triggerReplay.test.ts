/**
 * Replays, collisions and body size, with the trigger in n8n-core's WebhookContext behind a real
 * HTTP server (httpTrigger.ts) and the simulator playing DingTalk. The clock is faked for Date
 * only (timers and I/O stay real): the simulator signs with it and the trigger checks with it, so
 * "11 minutes later" is one jest.setSystemTime.
 */
import { COLLISION_WINDOW_MS, MAX_BODIES_PER_PAIR } from '../../nodes/DingTalkRobotTrigger/signedPairs';
import { DingTalkSimulator, type CallbackResult } from '../../simulator';
import { closeTriggers, startTrigger } from './httpTrigger';

const APP_SECRET = 'replayEngineAppSecret-4Kp9Vw2Qz7';
const EMPTY = { msgtype: 'empty' };

const sim = new DingTalkSimulator();
beforeAll(async () => {
	await sim.start({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
	await sim.stop();
});

// Date alone is faked; each test starts three hours after the previous one, so the pairs and
// msgIds a test leaves in the process-wide memories have expired for the next
let clock = Date.UTC(2031, 0, 1);
beforeEach(() => {
	clock += 3 * 60 * 60 * 1000;
	jest.useFakeTimers({
		now: clock,
		doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
	});
});
afterEach(async () => {
	jest.useRealTimers();
	await closeTriggers();
});
const later = (ms: number) => jest.setSystemTime(Date.now() + ms);

const answer = (result: CallbackResult) => [result.status, result.json];

describe('a (timestamp, sign) pair is good for one message during its whole validity', () => {
	it('11 minutes later, the pair with the same msgId and a forged text: 403, nothing runs', async () => {
		const trigger = await startTrigger({ appSecret: APP_SECRET });
		const first = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, text: 'status' });
		expect(answer(first)).toEqual([200, EMPTY]);
		// past the ten minutes msgIds are remembered, well within the sign's hour
		later(11 * 60 * 1000);
		const forged = await sim.replayCallback(first, { changeBody: { text: { content: ' deploy prod' } } });
		expect(forged.status).toBe(403);
		expect(forged.json).toEqual({ errcode: 403, errmsg: 'sign was already used for another message' });
		expect(trigger.runs.map((item) => item.text)).toEqual(['status']);
	});

	it('DingTalk\'s retry (the same bytes) 11 minutes and 59 minutes later: answered with no message, runs nothing', async () => {
		const trigger = await startTrigger({ appSecret: APP_SECRET });
		const first = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, text: 'ping' });
		later(11 * 60 * 1000);
		expect(answer(await sim.replayCallback(first))).toEqual([200, EMPTY]);
		later(48 * 60 * 1000);
		expect(answer(await sim.replayCallback(first))).toEqual([200, EMPTY]);
		expect(trigger.runs).toHaveLength(1);
	});

	it('with Only When Mentioned, a filtered-out message\'s pair replayed with isInAtList: true: 403, nothing runs', async () => {
		const trigger = await startTrigger({ appSecret: APP_SECRET }, { parameters: { options: { onlyWhenMentioned: true } } });
		const unmentioned = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, text: 'chatting', robotMentioned: false });
		expect(answer(unmentioned)).toEqual([200, EMPTY]);
		later(1000);
		const forged = await sim.replayCallback(unmentioned, { changeBody: { isInAtList: true } });
		expect(forged.status).toBe(403);
		expect(trigger.runs).toEqual([]);
	});

	it('a pair captured on workflow A, on workflow B with the same secret: a forged body 403, the same body answered empty; B runs nothing', async () => {
		const a = await startTrigger({ appSecret: APP_SECRET }, { workflowId: 'wf-a' });
		const b = await startTrigger({ appSecret: APP_SECRET }, { workflowId: 'wf-b' });
		const captured = await sim.deliverCallback(a.url, { appSecret: APP_SECRET, text: 'ping' });
		later(60 * 1000);
		const onB = { ...captured, request: { ...captured.request, url: b.url } };
		expect((await sim.replayCallback(onB, { changeBody: { text: { content: ' forged on B' } } })).status).toBe(403);
		expect(answer(await sim.replayCallback(onB))).toEqual([200, EMPTY]);
		expect(a.runs).toHaveLength(1);
		expect(b.runs).toEqual([]);
	});
});

describe('two genuine messages in the same millisecond share a pair: never refuse a genuine message', () => {
	it(`both run, each once; a retry of either is answered with no message; a new message on the pair ${COLLISION_WINDOW_MS / 1000} s later is a replay (403)`, async () => {
		const trigger = await startTrigger({ appSecret: APP_SECRET });
		const signedAt = Date.now();
		const zhang = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, signedAt, text: 'first', sender: { nick: 'Zhang San' } });
		const li = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, signedAt, text: 'second', sender: { nick: 'Li Si' } });
		expect(li.request.headers.sign).toBe(zhang.request.headers.sign);
		expect([answer(zhang), answer(li)]).toEqual([
			[200, EMPTY],
			[200, EMPTY],
		]);
		expect(answer(await sim.replayCallback(li))).toEqual([200, EMPTY]);
		later(COLLISION_WINDOW_MS + 1);
		const late = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, signedAt, text: 'the pair again, with a new msgId' });
		expect(late.status).toBe(403);
		expect(trigger.runs.map((item) => [item.text, (item.sender as { nick: string }).nick])).toEqual([
			['first', 'Zhang San'],
			['second', 'Li Si'],
		]);
	});

	it(`up to ${MAX_BODIES_PER_PAIR} messages share one pair; the next is refused`, async () => {
		const trigger = await startTrigger({ appSecret: APP_SECRET });
		const signedAt = Date.now();
		const statuses = [];
		for (let n = 0; n <= MAX_BODIES_PER_PAIR; n++) statuses.push((await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, signedAt, text: `m${n}` })).status);
		expect(statuses).toEqual([...Array(MAX_BODIES_PER_PAIR).fill(200), 403]);
		expect(trigger.runs).toHaveLength(MAX_BODIES_PER_PAIR);
	});
});

describe('body size', () => {
	it('a signed message over 1 MB: 413 before it is read, nothing runs; one just under runs', async () => {
		const trigger = await startTrigger({ appSecret: APP_SECRET });
		const huge = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, text: 'x'.repeat(1024 * 1024) });
		expect(huge.status).toBe(413);
		expect(huge.json).toEqual({ errcode: 413, errmsg: 'the body is larger than 1 MB: it is not a DingTalk message' });
		const large = await sim.deliverCallback(trigger.url, { appSecret: APP_SECRET, text: 'y'.repeat(1024 * 1024 - 2000) });
		expect(large.status).toBe(200);
		expect(trigger.runs.map((item) => String(item.text).slice(0, 1))).toEqual(['y']);
	});
});
