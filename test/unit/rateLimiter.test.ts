import {
	DINGTALK_TIMING,
	RateLimitWaitError,
	RobotRateLimiter,
	robotKey,
	type LimiterClock,
	type LimiterTiming,
} from '../../nodes/DingTalkRobot/transport/rateLimiter';

/** A fake clock: time only moves when the test (or the limiter's pause) moves it. */
function fakeClock(start = 0): LimiterClock & { t: number } {
	const clock = {
		t: start,
		now: () => clock.t,
		sleep: async (ms: number) => {
			clock.t += ms;
		},
	};
	return clock;
}

const SPAN = DINGTALK_TIMING.windowMs + DINGTALK_TIMING.marginMs; // 61000
const BIG = Number.MAX_SAFE_INTEGER;
const ROBOT = 'robot-a';
const OTHER = 'robot-b';

function caughtWait(fn: () => unknown): RateLimitWaitError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(RateLimitWaitError);
		return error as RateLimitWaitError;
	}
	throw new Error('expected reserve to throw RateLimitWaitError');
}

/** n sequential senders that all arrive at t=0: each reserves, waits what it is told, then sends. */
function simulateSequential(limiter: RobotRateLimiter, clock: { t: number }, perWindow: number, count: number): number[] {
	const sent: number[] = [];
	for (let k = 0; k < count; k++) {
		const wait = limiter.reserve(ROBOT, perWindow, BIG);
		expect(wait).toBeGreaterThanOrEqual(0);
		clock.t += wait;
		sent.push(clock.t);
	}
	return sent;
}

describe('DINGTALK_TIMING', () => {
	test('matches DingTalk: a one-minute window plus 1 s margin, 10-minute throttle, 1 s..30 s retries', () => {
		expect(DINGTALK_TIMING).toEqual({
			windowMs: 60_000,
			marginMs: 1_000,
			throttleMs: 600_000,
			retryBaseMs: 1_000,
			retryMaxMs: 30_000,
		});
	});
});

describe('RobotRateLimiter.reserve: never more than N sends in any window', () => {
	test.each([20, 5, 1])('N = %i: 200 sequential sends, every window (t - span, t] holds at most N', (perWindow) => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		const sent = simulateSequential(limiter, clock, perWindow, 200);

		expect(sent).toHaveLength(200);
		for (const time of sent) {
			const inWindow = sent.filter((other) => other > time - SPAN && other <= time).length;
			expect(inWindow).toBeLessThanOrEqual(perWindow);
		}
		// the schedule is as short as possible: when every sender arrives at t=0, the k-th send
		// (0-based) happens at exactly floor(k / N) * (windowMs + marginMs)
		const expected = sent.map((_, k) => Math.floor(k / perWindow) * SPAN);
		expect(sent).toEqual(expected);
		// and it is packed: the window ending at each batch holds exactly N sends
		const firstBatchEnd = sent.filter((time) => time === 0).length;
		expect(firstBatchEnd).toBe(perWindow);
	});

	test('with a custom timing (window 10, margin 2) the k-th send is at floor(k / 3) * 12', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, { ...DINGTALK_TIMING, windowMs: 10, marginMs: 2 });
		const sent = simulateSequential(limiter, clock, 3, 10);
		expect(sent).toEqual([0, 0, 0, 12, 12, 12, 24, 24, 24, 36]);
	});
});

describe('RobotRateLimiter.reserve: concurrency', () => {
	test('45 reservations at the same instant get distinct slots: 20 at 0, 20 at 61000, 5 at 122000', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		const waits = Array.from({ length: 45 }, () => limiter.reserve(ROBOT, 20, BIG));
		expect(clock.t).toBe(0);
		expect(waits).toEqual([...Array(20).fill(0), ...Array(20).fill(61_000), ...Array(5).fill(122_000)]);
	});

	test('a caller arriving later than a reserved future slot queues after it', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let i = 0; i < 21; i++) limiter.reserve(ROBOT, 20, BIG); // the 21st holds t=61000
		clock.t = 30_000;
		// the 22nd arrives at 30000; the slot at 61000 is the earliest free one (times[1] + span)
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(31_000);
	});
});

describe('robots and robot keys', () => {
	test('separate robots have separate budgets', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let i = 0; i < 20; i++) expect(limiter.reserve(ROBOT, 20, BIG)).toBe(0);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(61_000);
		for (let i = 0; i < 20; i++) expect(limiter.reserve(OTHER, 20, BIG)).toBe(0);
		expect(limiter.reserve(OTHER, 20, BIG)).toBe(61_000);
	});

	test('robotKey is a 16-hex-char hash without the token, different per token and per endpoint', () => {
		const endpoint = 'https://oapi.dingtalk.com/robot/send';
		const token = 'abcdef0123456789abcdef0123456789';
		const key = robotKey(endpoint, token);
		expect(key).toMatch(/^[0-9a-f]{16}$/);
		expect(key).not.toContain(token);
		expect(key).not.toContain(token.slice(0, 8));
		expect(robotKey(endpoint, token)).toBe(key); // stable
		expect(robotKey(endpoint, `${token}x`)).not.toBe(key);
		expect(robotKey('http://localhost:8080/robot/send', token)).not.toBe(key);
		// the separator keeps "endpoint + token" from colliding with a shifted split
		expect(robotKey('a', 'bc')).not.toBe(robotKey('ab', 'c'));
	});
});

describe('RobotRateLimiter.reserve: waits or fails clearly', () => {
	test('the 21st reservation waits window + margin (61000) when the budget allows', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let i = 0; i < 20; i++) expect(limiter.reserve(ROBOT, 20, 61_000)).toBe(0);
		expect(limiter.reserve(ROBOT, 20, 61_000)).toBe(61_000);
	});

	test('past the budget it throws RateLimitWaitError and reserves nothing', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let i = 0; i < 20; i++) limiter.reserve(ROBOT, 20, 30_000);
		const error = caughtWait(() => limiter.reserve(ROBOT, 20, 30_000));
		expect(error.name).toBe('RateLimitWaitError');
		expect(error.waitMs).toBe(61_000);
		expect(error.budgetMs).toBe(30_000);
		expect(error.message).toBe('would wait 61 s');
		// a second refusal is the same: the first took no slot
		expect(caughtWait(() => limiter.reserve(ROBOT, 20, 30_000)).waitMs).toBe(61_000);
		// with a large budget the next one still gets the first free slot, 61000, not later
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(61_000);
	});

	test('the message rounds the wait up to whole seconds', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		limiter.reserve(ROBOT, 1, BIG);
		clock.t = 59_999; // the next slot is at 61000: 1001 ms away
		const error = caughtWait(() => limiter.reserve(ROBOT, 1, 1_000));
		expect(error.waitMs).toBe(1_001);
		expect(error.message).toBe('would wait 2 s');
	});

	test('a wait exactly equal to the budget is allowed', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		limiter.reserve(ROBOT, 1, 0);
		expect(limiter.reserve(ROBOT, 1, 61_000)).toBe(61_000);
	});
});

describe('RobotRateLimiter.block', () => {
	test('after block at t=1000 nothing is reserved before 601000; other robots are unaffected', () => {
		const clock = fakeClock(1_000);
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		expect(limiter.block(ROBOT)).toBe(601_000);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(600_000);
		expect(limiter.reserve(OTHER, 20, BIG)).toBe(0);
		clock.t = 301_000;
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(300_000);
		const error = caughtWait(() => limiter.reserve(ROBOT, 20, 299_999));
		expect(error.waitMs).toBe(300_000);
		clock.t = 601_000;
		// two slots at 601000 are already taken; 18 remain there
		for (let i = 0; i < 18; i++) expect(limiter.reserve(ROBOT, 20, BIG)).toBe(0);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(61_000);
	});

	test('a 410100 for a request sent after the block was set extends the throttle from the later time', () => {
		const clock = fakeClock(0);
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		limiter.block(ROBOT); // until 600000
		clock.t = 10_000;
		expect(limiter.block(ROBOT, 5_000)).toBe(610_000);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(600_000);
	});

	test('410100 answers to requests already on their way when the block was set do not extend it', () => {
		const clock = fakeClock(0);
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		limiter.block(ROBOT, 0); // the first 410100: until 600000
		clock.t = 10;
		// eight more answers, for requests sent at t=0 by other executions, arrive later
		for (let k = 1; k <= 8; k++) {
			clock.t = k * 10;
			expect(limiter.block(ROBOT, 0)).toBe(600_000);
		}
		expect(limiter.blockedUntil(ROBOT)).toBe(600_000);
		expect(limiter.blockedUntil(OTHER)).toBeUndefined();
		clock.t = 600_000;
		expect(limiter.blockedUntil(ROBOT)).toBeUndefined();
	});

	test('a wait that is too long during a throttle says it is the throttle', () => {
		const limiter = new RobotRateLimiter(fakeClock(0), DINGTALK_TIMING);
		for (let i = 0; i < 20; i++) limiter.reserve(ROBOT, 20, BIG);
		expect(caughtWait(() => limiter.reserve(ROBOT, 20, 1)).throttled).toBe(false);
		limiter.block(ROBOT);
		expect(caughtWait(() => limiter.reserve(ROBOT, 20, 1000)).throttled).toBe(true);
	});

	test('a later block never shortens an earlier longer one', () => {
		// the only way a later block can end sooner with one timing is a clock that steps back
		// (e.g. a system clock correction)
		const clock = fakeClock(10_000);
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		limiter.block(ROBOT); // until 610000
		clock.t = 0;
		limiter.block(ROBOT); // would be until 600000: must not shorten
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(610_000);
		expect(limiter.reserve(OTHER, 20, BIG)).toBe(0);
	});
});

describe('RobotRateLimiter: time passing', () => {
	test('old reservations fall out of the window', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let i = 0; i < 20; i++) limiter.reserve(ROBOT, 20, BIG);
		clock.t = SPAN - 1; // still inside the window (plus margin)
		expect(caughtWait(() => limiter.reserve(ROBOT, 20, 0)).waitMs).toBe(1);
		clock.t = SPAN; // t - span = 0: the sends at 0 are out of (0, 61000]
		for (let i = 0; i < 20; i++) expect(limiter.reserve(ROBOT, 20, 0)).toBe(0);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(SPAN);
		clock.t = 10 * SPAN;
		expect(limiter.reserve(ROBOT, 20, 0)).toBe(0);
	});

	test('pause sleeps on the clock, and not at all for 0 or less', async () => {
		const clock = fakeClock(5);
		const sleep = jest.spyOn(clock, 'sleep');
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		await limiter.pause(0);
		await limiter.pause(-10);
		expect(sleep).not.toHaveBeenCalled();
		await limiter.pause(1_500);
		expect(sleep).toHaveBeenCalledWith(1_500);
		expect(clock.t).toBe(1_505);
	});
});

describe('RobotRateLimiter.retryPause', () => {
	test('doubles from 1 s and stops at 30 s with DINGTALK_TIMING', () => {
		const limiter = new RobotRateLimiter(fakeClock(), DINGTALK_TIMING);
		expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => limiter.retryPause(attempt))).toEqual([
			1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
		]);
	});

	test('uses the configured base and maximum', () => {
		const limiter = new RobotRateLimiter(fakeClock(), { ...DINGTALK_TIMING, retryBaseMs: 10, retryMaxMs: 50 });
		expect([1, 2, 3, 4, 5].map((attempt) => limiter.retryPause(attempt))).toEqual([10, 20, 40, 50, 50]);
	});
});

describe('RobotRateLimiter: memory', () => {
	test('200,000 session webhooks used once each: robots whose windows are over are forgotten', () => {
		const clock = fakeClock(0);
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let k = 0; k < 200_000; k++) {
			clock.t = k * 10; // one reply every 10 ms, each to a new session
			limiter.reserve(`session-${k}`, 20, BIG);
		}
		// only the robots of the last window (61 s = 6,100 replies) and one sweep's worth remain
		expect(limiter.size).toBeLessThanOrEqual(6_100 + 256);
		clock.t += 61_001;
		limiter.sweep();
		expect(limiter.size).toBe(0);
	});

	test('a sweep keeps what still changes a wait: a reservation in the window, a running block', () => {
		const clock = fakeClock(0);
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		limiter.reserve(ROBOT, 20, BIG);
		limiter.block(OTHER);
		clock.t = 60_000;
		limiter.sweep();
		expect(limiter.size).toBe(2);
		clock.t = 600_000;
		limiter.sweep();
		expect(limiter.size).toBe(0);
	});
});

describe('RobotRateLimiter.configure', () => {
	test('changes the timing (keeping the rest) and clears reservations and blocks', () => {
		const clock = fakeClock();
		const limiter = new RobotRateLimiter(clock, DINGTALK_TIMING);
		for (let i = 0; i < 20; i++) limiter.reserve(ROBOT, 20, BIG);
		limiter.block(OTHER);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(61_000);

		limiter.configure({ windowMs: 100, marginMs: 10 });
		expect(limiter.reserve(OTHER, 20, BIG)).toBe(0); // block cleared
		for (let i = 0; i < 20; i++) expect(limiter.reserve(ROBOT, 20, BIG)).toBe(0); // reservations cleared
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(110); // new window + margin
		limiter.block(ROBOT);
		expect(limiter.reserve(ROBOT, 20, BIG)).toBe(600_000); // throttleMs kept
		expect(limiter.retryPause(6)).toBe(30_000); // retry timing kept
	});

	test('can swap the clock', () => {
		const first = fakeClock(0);
		const second = fakeClock(1_000_000);
		const limiter = new RobotRateLimiter(first, DINGTALK_TIMING);
		limiter.configure({ throttleMs: 5 }, second);
		expect(limiter.block(ROBOT)).toBe(1_000_005);
		const timing: Partial<LimiterTiming> = {};
		limiter.configure(timing);
		expect(limiter.block(ROBOT)).toBe(1_000_005); // still the second clock
	});
});
