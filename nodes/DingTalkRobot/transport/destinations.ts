/**
 * Many destinations at once: messages to the same destination (a robot, a session, a group, a
 * user) go one after the other, in item order, because order within a conversation matters
 * and each destination has its own rate limit; different destinations are served in parallel,
 * at most `parallel` at a time, so hundreds of replies do not wait for each other.
 */

export interface DestinationJob<S = void> {
	/** what the destination is (the rate limiter's key): jobs with one key run in order */
	key: string;
	/** gets its destination's own settings (e.g. its wait budget), shared by the jobs of that key */
	run: (settings: S) => Promise<void>;
}

/**
 * Runs every job: in order per key, up to `parallel` keys at once; `perDestination` makes each
 * key's settings once, when its first job starts. A job that throws stops
 * the start of any further job; the jobs already running finish, then the error of the job
 * that came first in the list is thrown (so the failed execution names the earliest item).
 */
export async function runPerDestination<S = void>(jobs: Array<DestinationJob<S>>, parallel: number, perDestination: () => S = () => undefined as S): Promise<void> {
	const queues = new Map<string, Array<{ position: number; job: DestinationJob<S> }>>();
	jobs.forEach((job, position) => {
		const queue = queues.get(job.key) ?? [];
		queue.push({ position, job });
		queues.set(job.key, queue);
	});
	const waiting = [...queues.values()];
	const failures: Array<{ position: number; error: unknown }> = [];

	const worker = async () => {
		for (let queue = waiting.shift(); queue; queue = waiting.shift()) {
			const settings = perDestination();
			for (const { position, job } of queue) {
				if (failures.length > 0) return;
				try {
					await job.run(settings);
				} catch (error) {
					failures.push({ position, error });
					return;
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, waiting.length)) }, worker));
	if (failures.length > 0) throw failures.sort((a, b) => a.position - b.position)[0].error;
}

/**
 * Lanes for jobs that each reach several members (a one-to-one message to a list of people):
 * jobs that share a member, directly or through others, get the same lane, so that run in item
 * order per lane no member receives a later job's message before an earlier one's; jobs with
 * disjoint members get lanes of their own and run in parallel. Returns each job's lane (the
 * index of the first job in it).
 */
export function sharedMemberLanes(memberLists: string[][]): number[] {
	const parent = memberLists.map((_, job) => job);
	const root = (job: number): number => {
		while (parent[job] !== job) {
			parent[job] = parent[parent[job]];
			job = parent[job];
		}
		return job;
	};
	const firstJobOf = new Map<string, number>();
	memberLists.forEach((members, job) => {
		for (const member of members) {
			const earlier = firstJobOf.get(member);
			if (earlier === undefined) {
				firstJobOf.set(member, job);
				continue;
			}
			const [a, b] = [root(earlier), root(job)];
			// the lane is named after its earliest job
			if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
		}
	});
	return memberLists.map((_, job) => root(job));
}
