/**
 * The app robot under faults and hostile answers (hardening round 2, issue 15), in n8n's
 * WorkflowExecute against the simulator's OpenAPI: a lost answer is never sent again, one-to-one
 * sends tell the truth and keep each person's order, the access token never leaks, the
 * credential's requests never follow a redirect, the token lives as long as DingTalk says, uploads
 * cannot inject headers, calls stay within the app's calls per second at dispatch, and errors name
 * the credential as the user named it.
 */
import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { testCredential } from './credentialTester';
import { captureLogs, runRobotWorkflow } from './n8nEngine';
import { SIGNED_ROBOT, simulatorWebhook, useSimulator } from './simulatorFixture';
import { appCredential as simulatorAppCredential } from './streamTrigger';

const sim = useSimulator({ openapi: { qpsLimit: false } }, [SIGNED_ROBOT]);
const APP = { clientId: 'dingapphardening1', clientSecret: 'appSecret-hardening-9Xq2', robotCode: 'dingapphardening1' };
const GROUP = 'cidHardeningGroup==';
sim.addApp(APP);
sim.addGroup({ openConversationId: GROUP, title: 'Ops', robotCodes: [APP.robotCode] });
['ua', 'ub', 'u1', 'u2'].forEach((userId) => sim.addUser({ userId }));

afterEach(() => {
	sim.setOpenApiLatency(0);
	sim.setOpenApiQpsLimit(false);
	sim.setAccessTokenTtl(7_200_000);
});

const credential = (extra: ICredentialDataDecryptedObject = {}) => ({ ...simulatorAppCredential(sim, APP), ...extra });
const toGroup = (parameters: IDataObject): INodeParameters => ({ target: 'app', appDestination: 'group', openConversationId: GROUP, ...parameters }) as INodeParameters;
const sends = () => sim.openApiRequests().filter((r) => r.path.startsWith('/v1.0/robot/'));
const tokenRequests = () => sim.accessTokenRequests().filter((r) => r.outcome === 'issued' || r.outcome === 'renewed');

/** A token of the app, asked for before the run, as a credential that already holds one. */
async function credentialWithToken(): Promise<ICredentialDataDecryptedObject> {
	const answer = await fetch(`${sim.baseUrl}/v1.0/oauth2/accessToken`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ appKey: APP.clientId, appSecret: APP.clientSecret }),
	});
	const { accessToken } = (await answer.json()) as { accessToken: string };
	return credential({ accessToken, accessTokenExpiresAt: Date.now() + 3_600_000 });
}

describe('a request that may have reached DingTalk is not sent again (the OpenAPI has no msgUuid)', () => {
	test('20 messages with 3× HTTP 500, a connection reset before sending and one after posting: 20 delivered, none twice, the lost answer reported', async () => {
		const withToken = await credentialWithToken();
		sim.resetNextConnections(1);
		sim.injectOpenApiFaults([{ kind: 'http500' }, { kind: 'http500' }, { kind: 'http500' }, { kind: 'drop', afterDelivery: true }]);
		const { output, error } = await runRobotWorkflow({
			items: Array.from({ length: 20 }, (_, n) => ({ n })),
			parameters: toGroup({ messageType: 'text', content: '=message {{ $json.n }}', options: { maxAttempts: 6 } }),
			credential: {},
			appCredential: withToken,
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(sim.connectionsReset).toBe(1);
		const posted = sim.groupMessages(GROUP).map((m) => m.msgParam.content);
		expect(posted).toHaveLength(20);
		expect(new Set(posted).size).toBe(20);
		const lost = output.filter((o) => o.json.error);
		expect(lost).toHaveLength(1);
		expect(lost[0].json).toMatchObject({ mayHaveBeenPosted: true });
		expect(String(lost[0].json.error)).toMatch(/DingTalk may have posted the message/);
		expect(String(lost[0].json.description)).toMatch(/The OpenAPI has no message ID to recognise a message sent again/);
		// the item whose answer was lost is in the group once; the others were sent and say so
		const lostIndex = output.indexOf(lost[0]);
		expect(posted.filter((text) => text === `message ${lostIndex}`)).toHaveLength(1);
		expect(output.filter((o) => typeof o.json.processQueryKey === 'string')).toHaveLength(19);
	});

	test('a timeout after posting is not sent again either', async () => {
		// DingTalk posts the message at once and answers after 1.5 s, past the node's 1 s timeout
		sim.injectOpenApiFaults([{ kind: 'slow', delayMs: 1500 }]);
		const { output } = await runRobotWorkflow({
			items: [{ n: 0 }],
			parameters: toGroup({ messageType: 'text', content: 'slow answer', options: { timeoutSeconds: 1 } }),
			credential: {},
			appCredential: await credentialWithToken(),
			continueOnFail: true,
		});
		expect(output[0].json).toMatchObject({ mayHaveBeenPosted: true, attempts: 1 });
		expect(sim.groupMessages(GROUP).map((m) => m.msgParam.content)).toEqual(['slow answer']);
	});
});

describe('one-to-one sends', () => {
	const toUsers = (userIds: string, extra: IDataObject = {}): INodeParameters =>
		({ target: 'app', appDestination: 'users', userIds, messageType: 'text', content: '={{ $json.text }}', ...extra }) as INodeParameters;

	test('a server error after posting: sent again (DingTalk advises it) and the output says it may be there twice', async () => {
		sim.injectOpenApiFaults([{ kind: 'http500', afterDelivery: true }]);
		const { output, error } = await runRobotWorkflow({ items: [{ text: 'hello' }], parameters: toUsers('u1, u2'), credential: {}, appCredential: credential() });
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ users: 2, attempts: 2, possibleDuplicate: true });
		expect(sim.userMessages('u1').map((m) => m.msgParam.content)).toEqual(['hello', 'hello']);
	});

	test('a connection lost after posting: not sent again, the item says it may have been posted', async () => {
		sim.injectOpenApiFaults([{ kind: 'drop', afterDelivery: true }]);
		const { output } = await runRobotWorkflow({ items: [{ text: 'once' }], parameters: toUsers('u1, u2'), credential: {}, appCredential: credential(), continueOnFail: true });
		expect(output[0].json).toMatchObject({ mayHaveBeenPosted: true, attempts: 1 });
		expect(sim.userMessages('u1').map((m) => m.msgParam.content)).toEqual(['once']);
		expect(sim.userMessages('u2').map((m) => m.msgParam.content)).toEqual(['once']);
	});

	test('a person\'s messages keep item order whatever lists they come in', async () => {
		// item 0 goes to 21 people in two calls, ua in the second: item 1 to ua alone must not overtake it
		const crowd = Array.from({ length: 20 }, (_, n) => sim.addUser({ userId: `crowd${n}` }).userId);
		const withToken = await credentialWithToken();
		sim.setOpenApiLatency(100);
		const { error } = await runRobotWorkflow({
			items: [
				{ text: 'first', to: [...crowd, 'ua', 'ub'].join(',') },
				{ text: 'second', to: 'ua' },
				{ text: 'third', to: 'ub' },
			],
			parameters: toUsers('={{ $json.to }}'),
			credential: {},
			appCredential: withToken,
		});
		expect(error).toBeUndefined();
		expect(sends().map((r) => (r.body?.userIds as string[]).length)).toEqual([20, 2, 1, 1]);
		expect(sim.userMessages('ua').map((m) => m.msgParam.content)).toEqual(['first', 'second']);
		expect(sim.userMessages('ub').map((m) => m.msgParam.content)).toEqual(['first', 'third']);
	});

	test('user IDs are split at commas, semicolons and line breaks only: an ID with a space inside is refused, naming it', async () => {
		const { error } = await runRobotWorkflow({ items: [{ text: 'x' }], parameters: toUsers('u1; manager 4521'), credential: {}, appCredential: credential() });
		expect(error?.message).toBe('Item 0: "User IDs" has "manager 4521", which has a space inside: DingTalk user IDs have none');
		expect(sends()).toHaveLength(0);
	});
});

describe('the access token never leaves in an error, an output or a log', () => {
	test('a proxy that echoes the request headers (JSON and HTML): nothing of the token', async () => {
		const logs = captureLogs();
		sim.injectOpenApiFaults([{ kind: 'echoHeaders', status: 400 }, { kind: 'echoHeaders' }]);
		const { output } = await runRobotWorkflow({
			items: [{ n: 0 }, { n: 1 }],
			parameters: toGroup({ messageType: 'text', content: 'x', options: { maxAttempts: 2 } }),
			credential: {},
			appCredential: credential(),
			continueOnFail: true,
		});
		const token = tokenRequests()[0].accessToken as string;
		expect(sends().map((r) => r.accessToken)).toContain(token);
		expect(output.map((o) => Boolean(o.json.error))).toEqual([true, false]);
		const seen = JSON.stringify(output) + logs.lines.join('\n');
		expect(seen).toMatch(/x-acs-dingtalk-access-token: \*\*\*/);
		expect(seen).not.toContain(token);
		expect(seen).not.toContain(APP.clientSecret);
	});

	test('an upload whose error quotes the URL with access_token', async () => {
		sim.injectFaults([{ kind: 'echoUrl' }]);
		const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
		const { output } = await runRobotWorkflow({
			items: [{ $binary: { data: { data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: 'r.pdf' } } }],
			parameters: toGroup({ messageType: 'file', binaryPropertyName: 'data' }),
			credential: {},
			appCredential: credential(),
			continueOnFail: true,
		});
		const token = tokenRequests()[0].accessToken as string;
		expect(output[0].json.error).toBeDefined();
		expect(JSON.stringify(output)).not.toContain(token);
	});
});

describe('the credential\'s requests never follow a redirect', () => {
	let elsewhere: Server;
	const received: IncomingMessage[] = [];
	beforeAll(async () => {
		elsewhere = createServer((req, res) => {
			received.push(req);
			res.end('{"accessToken":"stolen"}');
		});
		await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
	});
	afterAll(async () => await new Promise((resolve) => elsewhere.close(resolve)));
	beforeEach(() => (received.length = 0));
	afterEach(() => sim.setAccessTokenFaultPolicy(undefined));

	test.each([307, 302])('the Test button: a %i on the test request goes nowhere and fails the test, saying why', async (status) => {
		const location = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
		// n8n's preAuthentication gets the token; the test request itself is redirected
		sim.setAccessTokenFaultPolicy((index) => (index === 1 ? { kind: 'redirect', status, location } : undefined));
		const result = await testCredential('dingTalkAppApi', credential());
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/redirect/i);
		expect(received).toHaveLength(0);
		expect(sim.accessTokenRequests().map((r) => r.outcome)).toEqual(['issued', 'redirected']);
	});

	test('a token request answered with a redirect: no token, nothing sent elsewhere', async () => {
		const location = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/steal`;
		sim.setAccessTokenFaultPolicy(() => ({ kind: 'redirect', status: 307, location }));
		const { error } = await runRobotWorkflow({ items: [{}], parameters: toGroup({ messageType: 'text', content: 'x' }), credential: {}, appCredential: credential() });
		expect(error?.message).toMatch(/^Item 0: No access token for the app of the DingTalk App credential 'Test app': .*with a redirect \(HTTP 307\), which is never followed/);
		expect(received).toHaveLength(0);
		expect(sends()).toHaveLength(0);
	});
});

describe('the access token lives as long as DingTalk says', () => {
	test('a token that lives 60 s serves ten sends of one execution: one token request', async () => {
		sim.setAccessTokenTtl(60_000);
		const { error } = await runRobotWorkflow({
			items: Array.from({ length: 10 }, (_, n) => ({ n })),
			parameters: toGroup({ messageType: 'text', content: '={{ $json.n }}' }),
			credential: {},
			appCredential: credential(),
		});
		expect(error).toBeUndefined();
		expect(sim.groupMessages(GROUP)).toHaveLength(10);
		expect(tokenRequests()).toHaveLength(1);
	});
});

describe('uploads cannot inject headers or paths', () => {
	test('a MIME type and a file name with line breaks, a name with ../: one clean part, the visible name kept', async () => {
		const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
		const file = (fileName: string, mimeType: string) => ({ $binary: { data: { data: pdf.toString('base64'), mimeType, fileName } } });
		const { error } = await runRobotWorkflow({
			items: [file('report\r\nX-Injected: yes\r\n.pdf', 'application/pdf\r\nX-Injected: yes'), file('../../etc/Q3 report.pdf', 'application/pdf')],
			parameters: toGroup({ messageType: 'file', binaryPropertyName: 'data' }),
			credential: {},
			appCredential: credential(),
		});
		expect(error).toBeUndefined();
		const uploads = sim.mediaUploads();
		expect(uploads.map((u) => u.partHeaders)).toEqual([
			['content-disposition', 'content-type'],
			['content-disposition', 'content-type'],
		]);
		expect(uploads.map((u) => [u.filename, u.contentType])).toEqual([
			['reportX-Injected: yes.pdf', 'application/pdf'],
			['Q3 report.pdf', 'application/pdf'],
		]);
		expect(sim.groupMessages(GROUP).map((m) => m.msgParam.fileName)).toEqual(['reportX-Injected: yes.pdf', 'Q3 report.pdf']);
	});
});

describe('the app\'s calls per second, at the moment they leave', () => {
	test('a token renewed while 60 messages wait: every sliding second holds at most Calls per Second, nothing throttled', async () => {
		// every answer (the token's too) takes 600 ms: the renewal holds the first calls back
		sim.setOpenApiLatency(600);
		sim.setOpenApiQpsLimit(20);
		const groups = Array.from({ length: 60 }, (_, n) => sim.addGroup({ openConversationId: `cidPacing${n}==`, robotCodes: [APP.robotCode] }).openConversationId);
		const { error, output } = await runRobotWorkflow({
			items: groups.map((id) => ({ id })),
			parameters: toGroup({ openConversationId: '={{ $json.id }}', messageType: 'text', content: 'paced' }),
			credential: {},
			appCredential: credential({ accessToken: 'ends-in-a-minute', accessTokenExpiresAt: Date.now() + 1_000 }),
		});
		expect(error).toBeUndefined();
		expect(sends().filter((r) => String(r.code).startsWith('Forbidden.AccessDenied.Qps'))).toEqual([]);
		expect(output.every((o) => o.json.attempts === 1)).toBe(true);
		const times = sends().map((r) => r.at);
		expect(Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))).toBeLessThanOrEqual(20);
	});

	test('a bare HTTP 429 of a front or proxy is throttling: tried again after a pause, sent once', async () => {
		sim.injectOpenApiFaults([{ kind: 'http429' }]);
		const { output, error } = await runRobotWorkflow({ items: [{}], parameters: toGroup({ messageType: 'text', content: 'after 429' }), credential: {}, appCredential: credential() });
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({ attempts: 2 });
		expect(output[0].json.possibleDuplicate).toBeUndefined();
		expect(sim.groupMessages(GROUP)).toHaveLength(1);
	});
});

describe('errors say which field and which credential', () => {
	test('an invalid JSON Body names the item and the field', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: toGroup({ messageType: 'json', jsonBody: '{msgKey: "sampleText"}' }), credential: {}, appCredential: credential() });
		expect(error?.message).toMatch(/^Item 0: "JSON Body" is not valid JSON: /);
	});

	test('a Client Secret DingTalk refuses: the credential is named as the user named it', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: toGroup({ messageType: 'text', content: 'x' }), credential: {}, appCredential: credential({ clientSecret: 'not-the-secret' }) });
		expect(error?.message).toMatch(/^Item 0: No access token for the app of the DingTalk App credential 'Test app': DingTalk does not accept this Client ID and Client Secret/);
		expect(error?.description).toMatch(/Check the DingTalk App credential 'Test app'/);
	});

	test('a group robot whose secret DingTalk refuses: the credential is named as the user named it', async () => {
		const { error } = await runRobotWorkflow({
			items: [{}],
			parameters: { messageType: 'text', content: 'x' },
			credential: { ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: 'SECnotTheSecret' },
		});
		expect(error?.message).toMatch(/^Item 0: DingTalk refused the signature: the secret does not match/);
		expect(error?.description).toMatch(/into the DingTalk Robot credential 'Test robot'\./);
	});
});
