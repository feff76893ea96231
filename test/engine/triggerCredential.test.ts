/**
 * How the trigger reads its credential (nodes/DingTalkRobotTrigger/callbackSecrets.ts), in
 * n8n-core's WebhookContext behind a real HTTP server (httpTrigger.ts), the simulator playing
 * DingTalk: answered before the read when the kept value checks the call out, the workflow started
 * only on a read begun after the call arrived, reads shared by the calls that wait for them.
 */
import { DingTalkSimulator, type CallbackResult } from '../../simulator';
import { closeTriggers, startTrigger } from './httpTrigger';

const OLD_SECRET = 'credentialEngineOldSecret-8Hq2Lx5Rt';
const NEW_SECRET = 'credentialEngineNewSecret-3Wm7Ky1Pc';
const EMPTY = { msgtype: 'empty' };

const sim = new DingTalkSimulator();
beforeAll(async () => {
	await sim.start({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
	await sim.stop();
});
afterEach(async () => {
	await closeTriggers();
});

const answer = (result: CallbackResult) => [result.status, result.json];
const nextTick = () => new Promise((resolve) => setImmediate(resolve));

it('answers from the kept credential before reading it, yet starts a workflow only on a read begun after the call: a changed secret counts from the next call', async () => {
	const trigger = await startTrigger({ appSecret: OLD_SECRET }, { workflowId: 'wf-kept' });
	const settled = () => trigger.until(() => trigger.counts.pending === 0);
	const deliver = async (appSecret: string, text: string) => {
		const result = await sim.deliverCallback(trigger.url, { appSecret, text });
		await settled();
		return answer(result);
	};

	// nothing kept yet: the first call reads, then is answered
	expect(await deliver(OLD_SECRET, 'one')).toEqual([200, EMPTY]);
	expect(trigger.readLog).toEqual([{ answered: false }]);
	// kept: answered first, then read
	expect(await deliver(OLD_SECRET, 'two')).toEqual([200, EMPTY]);
	expect(trigger.readLog).toEqual([{ answered: false }, { answered: true }]);

	// the user replaces the App Secret in n8n
	trigger.credential.appSecret = NEW_SECRET;
	// signed with the removed secret: checked out by the kept value, so answered, but the read after it refuses the run
	expect(await deliver(OLD_SECRET, 'three, signed with the removed secret')).toEqual([200, EMPTY]);
	// that read kept the new secret: DingTalk's calls signed with it run, answered before their read
	expect(await deliver(NEW_SECRET, 'four')).toEqual([200, EMPTY]);
	// and the removed secret is refused outright now
	expect((await deliver(OLD_SECRET, 'five, signed with the removed secret'))[0]).toBe(403);
	expect(trigger.runs.map((item) => item.text)).toEqual(['one', 'two', 'four']);
	expect(trigger.readLog.map((read) => read.answered)).toEqual([false, true, true, true, false]);
});

it('calls that arrive during a read share the next read; a read begun before a call arrived never starts its workflow', async () => {
	const trigger = await startTrigger({ appSecret: OLD_SECRET }, { workflowId: 'wf-shared' });
	await sim.deliverCallback(trigger.url, { appSecret: OLD_SECRET, text: 'warm' });
	await trigger.until(() => trigger.counts.pending === 0);

	const release = trigger.holdReads();
	try {
		const a = sim.deliverCallback(trigger.url, { appSecret: OLD_SECRET, text: 'a' });
		await trigger.until(() => trigger.readLog.length === 2);
		// changed after a's read began, before b and c arrived
		trigger.credential.appSecret = NEW_SECRET;
		const b = sim.deliverCallback(trigger.url, { appSecret: OLD_SECRET, text: 'b' });
		const c = sim.deliverCallback(trigger.url, { appSecret: OLD_SECRET, text: 'c' });
		await trigger.until(() => trigger.counts.arrived === 4);
		await nextTick();
		// b and c wait for the read after a's, not for a's
		expect(trigger.readLog).toHaveLength(2);
		release();
		const answers = await Promise.all([a, b, c]);
		await trigger.until(() => trigger.counts.pending === 0);
		expect(answers.map(answer)).toEqual([
			[200, EMPTY],
			[200, EMPTY],
			[200, EMPTY],
		]);
		// one read for b and c together, begun after both arrived: it has the new secret, so neither runs
		expect(trigger.readLog).toHaveLength(3);
		expect(trigger.runs.map((item) => item.text)).toEqual(['warm', 'a']);
	} finally {
		release();
	}
});

it('a credential with neither App Secret nor Outgoing Token: 500, nothing runs, and the error names the credential as its user named it', async () => {
	const trigger = await startTrigger({ appSecret: '', outgoingToken: '' }, { workflowId: 'wf-empty', credentialName: 'Helpdesk' });
	const result = await sim.deliverCallback(trigger.url, { appSecret: 'anything', text: 'ping' });
	expect(result.status).toBe(500);
	expect(trigger.runs).toEqual([]);
	expect(trigger.errors.map((error) => error.message)).toEqual(["The DingTalk Robot Callback credential 'Helpdesk' has neither an App Secret nor an Outgoing Token"]);
});
