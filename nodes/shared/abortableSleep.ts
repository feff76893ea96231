/**
 * A wait that an AbortSignal ends at once, on every n8n major (the Stream trigger's waits, a
 * download's deadline).
 */
import { sleep, sleepWithAbort } from 'n8n-workflow';

/**
 * n8n-workflow's wait that an AbortSignal ends. n8n 1.x exports sleepWithAbort; n8n 2.x no longer
 * does (calling it threw, and the connection took that for its close: no retry, no watchdog), its
 * `sleep(ms, abortSignal)` takes the signal instead, while n8n 1.x's sleep ignores it. Whatever the
 * installed n8n-workflow does with the signal, an abort ends the wait at once.
 */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
	if (typeof sleepWithAbort === 'function') return await sleepWithAbort(ms, signal);
	if (signal.aborted) throw new Error('aborted');
	const sleepWithSignal = sleep as (ms: number, abortSignal?: AbortSignal) => Promise<void>;
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => reject(new Error('aborted'));
		signal.addEventListener('abort', onAbort, { once: true });
		sleepWithSignal(ms, signal).then(() => {
			signal.removeEventListener('abort', onAbort);
			resolve();
		}, reject);
	});
}
