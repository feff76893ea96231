import { runPerDestination, type DestinationJob } from '../../nodes/DingTalkRobot/transport/destinations';

/** A job that records when it starts and ends, and takes `ms` of (real, short) time. */
function recorder() {
	const log: string[] = [];
	let running = 0;
	let peak = 0;
	const job = (key: string, name: string, ms = 5, fail = false): DestinationJob => ({
		key,
		run: async () => {
			running++;
			peak = Math.max(peak, running);
			log.push(`start ${name}`);
			await new Promise((resolve) => setImmediate(resolve));
			for (let k = 0; k < ms; k++) await new Promise((resolve) => setImmediate(resolve));
			running--;
			log.push(`end ${name}`);
			if (fail) throw new Error(`failed ${name}`);
		},
	});
	return { log, job, peak: () => peak };
}

describe('runPerDestination', () => {
	test('jobs of one destination run one after the other, in order', async () => {
		const { log, job, peak } = recorder();
		await runPerDestination([job('a', 'a1'), job('a', 'a2'), job('a', 'a3')], 10);
		expect(log).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
		expect(peak()).toBe(1);
	});

	test('different destinations run at the same time, at most `parallel` of them', async () => {
		const { log, job, peak } = recorder();
		const jobs = Array.from({ length: 12 }, (_, n) => job(`d${n}`, `d${n}`));
		await runPerDestination(jobs, 4);
		expect(peak()).toBe(4);
		expect(log.filter((line) => line.startsWith('end'))).toHaveLength(12);
	});

	test('order is kept per destination while destinations interleave', async () => {
		const { log, job } = recorder();
		await runPerDestination([job('a', 'a1', 20), job('b', 'b1'), job('a', 'a2'), job('b', 'b2'), job('a', 'a3')], 2);
		const order = (prefix: string) => log.filter((line) => line.startsWith('start') && line.includes(prefix));
		expect(order(' a')).toEqual(['start a1', 'start a2', 'start a3']);
		expect(order(' b')).toEqual(['start b1', 'start b2']);
		expect(log.indexOf('start b2')).toBeLessThan(log.indexOf('start a2')); // b did not wait for a
	});

	test('a failure stops new jobs; the running ones finish; the earliest failing job\'s error is thrown', async () => {
		const { log, job } = recorder();
		const jobs = [job('a', 'a1', 30), job('b', 'b1', 1, true), job('c', 'c1', 1, true), job('d', 'd1'), job('a', 'a2')];
		await expect(runPerDestination(jobs, 3)).rejects.toThrow('failed b1');
		expect(log).toContain('end a1');
		expect(log).not.toContain('start d1');
		expect(log).not.toContain('start a2');
	});

	test('no jobs: nothing to do', async () => {
		await expect(runPerDestination([], 5)).resolves.toBeUndefined();
	});
});
