/**
 * Canary: a distinctive access token and secret must not appear anywhere n8n keeps or shows
 * what happened: output items, the execution's error (message, description, cause, context),
 * the whole run data n8n would store, log lines and console output.
 */
import { inspect } from 'util';

import { captureLogs, runRobotWorkflow } from './n8nEngine';
import { testCredential } from './credentialTester';
import { useSimulator } from './simulatorFixture';

const CANARY_TOKEN = 'CanaryTok3nZq7xW9vB2';
const CANARY_SECRET = 'SECcanarySecretYy4Pp8Rr1';
const sim = useSimulator(undefined, [{ accessToken: CANARY_TOKEN, secret: CANARY_SECRET }]);

const logs = captureLogs();
const consoleLines: string[] = [];
beforeAll(() => {
	for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
			consoleLines.push(args.map((arg) => inspect(arg, { depth: 8 })).join(' '));
		});
	}
});
afterAll(() => jest.restoreAllMocks());

/** Everything reachable from a value, including non-enumerable error fields and class instances. */
function dump(value: unknown): string {
	return inspect(value, { depth: 12, showHidden: true, maxArrayLength: null, maxStringLength: null, getters: true });
}

function expectNoSecrets(where: string, text: string) {
	for (const secret of [CANARY_TOKEN, CANARY_SECRET, encodeURIComponent(CANARY_SECRET)]) {
		if (text.includes(secret)) throw new Error(`${where} contains a secret: …${text.slice(Math.max(0, text.indexOf(secret) - 120), text.indexOf(secret) + 40)}…`);
	}
}

const credential = (overrides: Record<string, string> = {}) => ({
	accessToken: `${sim.baseUrl}/robot/send?access_token=${CANARY_TOKEN}`,
	secret: CANARY_SECRET,
	plainHttpHosts: `${sim.host ?? ''}, 127.0.0.1:9`,
	...overrides,
});

/** Each scenario's own outcome, so it really took the path its name says. */
type Outcome = { sent: true } | { error: string } | { errorItems: string };

test.each([
	['a message sent', () => ({ credential: credential() }), undefined, { sent: true }],
	['DingTalk refuses the signature', () => ({ credential: credential({ secret: `${CANARY_SECRET}x` }) }), undefined, { error: 'the secret does not match' }],
	['the robot is unknown', () => ({ credential: credential({ accessToken: `${sim.baseUrl}/robot/send?access_token=${CANARY_TOKEN}Unknown` }) }), undefined, { error: 'does not know this robot\'s access token' }],
	['the connection is refused', () => ({ credential: credential({ accessToken: `http://127.0.0.1:9/robot/send?access_token=${CANARY_TOKEN}` }) }), undefined, { error: 'the connection was refused' }],
	['HTTP 502', () => ({ credential: credential() }), { kind: 'http502' as const }, { error: 'DingTalk answered HTTP 502' }],
	['the connection drops', () => ({ credential: credential() }), { kind: 'drop' as const }, { error: 'the connection was closed before DingTalk answered' }],
	['continue on fail', () => ({ credential: credential({ secret: 'SECwrongButNotCanary' }), continueOnFail: true }), undefined, { errorItems: 'the secret does not match' }],
] as Array<[string, () => { credential: Record<string, string>; continueOnFail?: boolean }, { kind: 'http502' | 'drop' } | undefined, Outcome]>)(
	'%s: no secret in output, error, run data, logs or console',
	async (_name, setup, fault, outcome) => {
		if (fault) sim.injectFaults([fault]);
		const { credential: cred, continueOnFail } = setup();
		const { run, output, error } = await runRobotWorkflow({
			items: [{ n: 1 }, { n: 2 }],
			// one attempt: a retried fault would recover and skip the error path under test
			parameters: { messageType: 'markdown', title: 'Canary', text: '=item {{ $json.n }}', options: { maxAttempts: 1 } },
			credential: cred,
			continueOnFail,
		});
		if ('sent' in outcome) expect(output.map((o) => o.json.errcode)).toEqual([0, 0]);
		if ('error' in outcome) expect(error?.message).toContain(outcome.error);
		if ('errorItems' in outcome) expect(output.map((o) => String(o.json.error))).toEqual([expect.stringContaining(outcome.errorItems), expect.stringContaining(outcome.errorItems)]);
		expectNoSecrets('output', dump(output));
		expectNoSecrets('error', dump(error));
		expectNoSecrets('run data', dump(run));
		expectNoSecrets('run data as stored (JSON)', JSON.stringify(run.data));
		expectNoSecrets('logs', logs.lines.join('\n'));
		expectNoSecrets('console', consoleLines.join('\n'));
	},
);

test('the credential test answer carries no secret', async () => {
	const results = [
		await testCredential('dingTalkRobotApi', credential()),
		await testCredential('dingTalkRobotApi', credential({ secret: 'SECwrong' })),
		await testCredential('dingTalkRobotApi', credential({ accessToken: `http://127.0.0.1:9/robot/send?access_token=${CANARY_TOKEN}` })),
	];
	expect(results.map((r) => r.status)).toEqual(['OK', 'Error', 'Error']);
	expectNoSecrets('credential test', dump(results));
});
