/**
 * Send To "App Robot" and Recall, in n8n's WorkflowExecute against the simulator's OpenAPI:
 * tokens (one per two hours, renewed once when refused), group and one-to-one sends, pictures
 * and files from binary data, recall, and what DingTalk refuses, explained.
 */
import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { runRobotWorkflow } from './n8nEngine';
import { useSimulator } from './simulatorFixture';
import { appCredential as simulatorAppCredential } from './streamTrigger';

let clockOffset = 0;
const sim = useSimulator({ now: () => Date.now() + clockOffset, openapi: { qpsLimit: false } }, []);
const APP = { clientId: 'dingappengine01', clientSecret: 'appSecret-canary-7Qz2', robotCode: 'dingappengine01' };
const GROUP = 'cidEngineGroup01==';
sim.addApp(APP);
sim.addGroup({ openConversationId: GROUP, title: 'Ops', robotCodes: [APP.robotCode] });
sim.addGroup({ openConversationId: 'cidWithoutRobot==', title: 'Elsewhere', robotCodes: [] });
const USERS = Array.from({ length: 45 }, (_, n) => `user${String(n).padStart(2, '0')}`);
USERS.forEach((userId) => sim.addUser({ userId }));

beforeEach(() => {
	clockOffset = 0;
	sim.setAppPermissions(APP.clientId, 'all');
});

const appCredential = (extra: ICredentialDataDecryptedObject = {}) => ({ ...simulatorAppCredential(sim, APP), ...extra });
const toGroup = (parameters: IDataObject): INodeParameters => ({ target: 'app', appDestination: 'group', openConversationId: '={{ $json.conversation.id }}', ...parameters }) as INodeParameters;
const triggerItem = (text = 'ping') => ({ text, conversation: { id: GROUP, type: 'group' }, sender: { nick: 'Zhang San', staffId: 'manager4521' } });
const sends = () => sim.openApiRequests().filter((r) => r.path.startsWith('/v1.0/robot/'));
const tokenRequests = () => sim.accessTokenRequests().filter((r) => r.outcome === 'issued' || r.outcome === 'renewed');

describe('Send To: App Robot', () => {
	test('a trigger item is answered into its group with one token request; the output has the processQueryKey', async () => {
		const { output, error } = await runRobotWorkflow({
			items: [triggerItem('ping'), triggerItem('status')],
			parameters: toGroup({ messageType: 'text', content: '=pong: {{ $json.text }}' }),
			credential: {},
			appCredential: appCredential(),
		});
		expect(error).toBeUndefined();
		expect(sim.groupMessages(GROUP).map((m) => [m.msgKey, m.msgParam])).toEqual([
			['sampleText', { content: 'pong: ping' }],
			['sampleText', { content: 'pong: status' }],
		]);
		expect(tokenRequests()).toHaveLength(1);
		expect(sends().every((r) => r.accessToken === tokenRequests()[0].accessToken)).toBe(true);
		expect(output.map((o) => o.json)).toEqual(
			sim.groupMessages(GROUP).map((m) => ({ processQueryKey: m.processQueryKey, openConversationId: GROUP, msgKey: 'sampleText', robotCode: APP.robotCode, attempts: 1 })),
		);
	});

	test('a markdown card and a two-button card arrive as DingTalk\'s templates', async () => {
		const { error } = await runRobotWorkflow({
			items: [triggerItem()],
			parameters: toGroup({
				messageType: 'actionCard',
				title: 'Deploy?',
				text: '**web-1** is ready',
				buttonMode: 'multiple',
				btnOrientation: 'horizontal',
				buttons: { values: [{ title: 'Go', url: 'https://ci.example.com/go' }, { title: 'Stop', url: 'https://ci.example.com/stop' }] },
			}),
			credential: {},
			appCredential: appCredential(),
		});
		expect(error).toBeUndefined();
		expect(sim.groupMessages(GROUP)[0]).toMatchObject({
			msgKey: 'sampleActionCard6',
			msgParam: { title: 'Deploy?', text: '**web-1** is ready', buttonTitle1: 'Go', buttonUrl1: 'https://ci.example.com/go', buttonTitle2: 'Stop', buttonUrl2: 'https://ci.example.com/stop' },
		});
	});

	test('one-to-one to 45 users: three calls of at most 20, one output with their three keys', async () => {
		const { output, error } = await runRobotWorkflow({
			items: [{ team: USERS }],
			parameters: { target: 'app', appDestination: 'users', userIds: '={{ $json.team }}', messageType: 'markdown', title: 'Release', text: 'v2 is out' },
			credential: {},
			appCredential: appCredential(),
		});
		expect(error).toBeUndefined();
		expect(sends().map((r) => (r.body?.userIds as string[]).length)).toEqual([20, 20, 5]);
		expect(USERS.every((userId) => sim.userMessages(userId).length === 1)).toBe(true);
		expect(output[0].json).toMatchObject({ users: 45, delivered: 45, msgKey: 'sampleMarkdown', attempts: 3 });
		expect(output[0].json.processQueryKeys).toHaveLength(3);
	});

	test('a picture and a PDF from binary data are uploaded, then sent by their media id', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
		const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
		const image = await runRobotWorkflow({
			items: [{ ...triggerItem(), $binary: { data: { data: png.toString('base64'), mimeType: 'image/png', fileName: 'chart.png', fileExtension: 'png' } } }],
			parameters: toGroup({ messageType: 'image', imageSource: 'binary', imageBinaryPropertyName: 'data' }),
			credential: {},
			appCredential: appCredential(),
		});
		const file = await runRobotWorkflow({
			items: [{ ...triggerItem(), $binary: { data: { data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: 'Q3 report.pdf', fileExtension: 'pdf' } } }],
			parameters: toGroup({ messageType: 'file', binaryPropertyName: 'data' }),
			credential: {},
			appCredential: appCredential(),
		});
		expect([image.error, file.error]).toEqual([undefined, undefined]);
		const output = [...image.output, ...file.output];
		const uploads = sim.mediaUploads();
		expect(uploads.map((u) => [u.type, u.filename, u.sha256])).toEqual([
			['image', 'chart.png', createHash('sha256').update(png).digest('hex')],
			['file', 'Q3 report.pdf', createHash('sha256').update(pdf).digest('hex')],
		]);
		expect(sim.groupMessages(GROUP).map((m) => [m.msgKey, m.msgParam])).toEqual([
			['sampleImageMsg', { photoURL: uploads[0].mediaId }],
			['sampleFile', { mediaId: uploads[1].mediaId, fileName: 'Q3 report.pdf', fileType: 'pdf' }],
		]);
		expect(output.map((o) => o.json.msgKey)).toEqual(['sampleImageMsg', 'sampleFile']);
	});

	test('binary data that is missing, or of a kind DingTalk does not take, is refused before anything is sent', async () => {
		const missing = await runRobotWorkflow({ items: [triggerItem()], parameters: toGroup({ messageType: 'file', binaryPropertyName: 'data' }), credential: {}, appCredential: appCredential() });
		expect(missing.error?.message).toBe('Item 0: "Input Binary Field" names "data", but the item has no binary data there');
		const exe = await runRobotWorkflow({
			items: [{ ...triggerItem(), $binary: { data: { data: Buffer.from('MZ').toString('base64'), mimeType: 'application/octet-stream', fileName: 'setup.exe' } } }],
			parameters: toGroup({ messageType: 'file', binaryPropertyName: 'data' }),
			credential: {},
			appCredential: appCredential(),
		});
		expect(exe.error?.message).toMatch(/^Item 0: "File Name" is "setup.exe": DingTalk takes files of the kinds doc, docx/);
		expect(sim.openApiRequests()).toHaveLength(0);
		expect(sim.mediaUploads()).toHaveLength(0);
	});

	test('what an app robot cannot send is refused with what to use: a feedCard, mentions', async () => {
		const feed = await runRobotWorkflow({
			items: [triggerItem()],
			parameters: toGroup({ messageType: 'feedCard', links: { values: [{ title: 'a', messageUrl: 'https://e.com', picUrl: 'https://e.com/p.png' }] } }),
			credential: {},
			appCredential: appCredential(),
		});
		expect(feed.error?.message).toBe('Item 0: "Message Type" FeedCard cannot be sent by an app robot: DingTalk has no such template for app robots');
		// the form hides Mentions for an app robot; a JSON message that asks for them is refused, not sent without them
		const mentions = await runRobotWorkflow({
			items: [triggerItem()],
			parameters: toGroup({ messageType: 'json', jsonBody: JSON.stringify({ msgtype: 'text', text: { content: 'x' }, at: { atUserIds: ['manager4521'] } }) }),
			credential: {},
			appCredential: appCredential(),
		});
		expect(mentions.error?.message).toMatch(/^Item 0: "JSON Body › at" cannot be used by an app robot/);
		expect(sim.openApiRequests()).toHaveLength(0);
	});
});

describe('DingTalk\'s calls per second', () => {
	afterEach(() => sim.setOpenApiQpsLimit(false));

	test.each([
		['in parallel (the default)', {}],
		['one destination at a time', { parallelDestinations: 1 }],
	])('Calls per Second keeps the app under DingTalk\'s QPS: nothing throttled, every group reached, parallel or not: %s', async (_how, parallel: IDataObject) => {
		sim.setOpenApiQpsLimit(5);
		const groups = Array.from({ length: 12 }, (_, n) => sim.addGroup({ openConversationId: `cidQps${n}p${String(parallel.parallelDestinations ?? 'd')}==`, robotCodes: [APP.robotCode] }).openConversationId);
		const { error, output } = await runRobotWorkflow({
			items: groups.map((id) => ({ conversation: { id } })),
			parameters: toGroup({ messageType: 'text', content: 'paced', options: { callsPerSecond: 5, ...parallel } }),
			credential: {},
			appCredential: appCredential(),
		});
		expect(error).toBeUndefined();
		expect(sends().filter((r) => String(r.code).startsWith('Forbidden.AccessDenied.Qps'))).toEqual([]);
		expect(output.every((o) => o.json.attempts === 1)).toBe(true);
		expect(groups.every((id) => sim.groupMessages(id).length === 1)).toBe(true);
		const times = sends().map((r) => r.at);
		expect(Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length))).toBeLessThanOrEqual(5);
	});
});

describe('the access token', () => {
	test('a token DingTalk no longer accepts is renewed once, and the message is sent once', async () => {
		const { error, output } = await runRobotWorkflow({
			items: [triggerItem()],
			parameters: toGroup({ messageType: 'text', content: 'after renewal' }),
			credential: {},
			appCredential: appCredential({ accessToken: 'stale-token-from-yesterday', accessTokenExpiresAt: Date.now() + 3_600_000 }),
		});
		expect(error).toBeUndefined();
		expect(sends().map((r) => [r.accessToken, r.code ?? r.status])).toEqual([
			['stale-token-from-yesterday', 'InvalidAuthentication'],
			[tokenRequests()[0].accessToken, 200],
		]);
		expect(tokenRequests()).toHaveLength(1);
		expect(sim.groupMessages(GROUP)).toHaveLength(1);
		expect(output[0].json.attempts).toBe(1);
	});

	test('a token about to run out is renewed before it is used; twenty parallel sends share one renewal', async () => {
		sim.addGroup({ openConversationId: 'cidRenewal==', robotCodes: [APP.robotCode] });
		const groups = Array.from({ length: 20 }, (_, n) => sim.addGroup({ openConversationId: `cidParallel${n}==`, robotCodes: [APP.robotCode] }).openConversationId);
		const { error } = await runRobotWorkflow({
			items: groups.map((id) => ({ conversation: { id } })),
			parameters: toGroup({ messageType: 'text', content: 'hello' }),
			credential: {},
			appCredential: appCredential({ accessToken: 'ends-in-a-minute', accessTokenExpiresAt: Date.now() + 60_000 }),
		});
		expect(error).toBeUndefined();
		expect(tokenRequests()).toHaveLength(1);
		expect(sends().map((r) => r.accessToken)).toEqual(groups.map(() => tokenRequests()[0].accessToken));
	});

	test('a Client Secret DingTalk does not accept: the send says why there is no token, without the secret', async () => {
		// every token the simulator hands out runs out at once
		sim.expireAccessTokens();
		const { error } = await runRobotWorkflow({
			items: [triggerItem()],
			parameters: toGroup({ messageType: 'text', content: 'x' }),
			credential: {},
			appCredential: appCredential({ clientSecret: 'not-the-secret' }),
		});
		expect(error?.message).toMatch(/^Item 0: No access token for the app of the DingTalk App credential 'Test app': DingTalk does not accept this Client ID and Client Secret \(invalidClientIdOrSecret\)/);
		expect(JSON.stringify(error)).not.toContain('not-the-secret');
		expect(sends()).toHaveLength(0);
	});
});

describe('DingTalk says no, explained', () => {
	test('the app lacks the permission: which one, and where to grant it', async () => {
		sim.setAppPermissions(APP.clientId, []);
		const { error } = await runRobotWorkflow({ items: [triggerItem()], parameters: toGroup({ messageType: 'text', content: 'x' }), credential: {}, appCredential: appCredential() });
		expect(error?.message).toMatch(/^Item 0: The app has no permission for this API \(qyapi_robot_sendmsg\) \[HTTP 403 Forbidden\.AccessDenied\.AccessTokenPermissionDenied/);
		expect(error?.description).toMatch(/Grant the app the permission "qyapi_robot_sendmsg" \(企业内机器人发送消息权限, robot message sending\)\. In the DingTalk developer console: your app › Permissions/);
	});

	test('the robot is not in the group; users who are not in the organization', async () => {
		const notIn = await runRobotWorkflow({ items: [{ conversation: { id: 'cidWithoutRobot==' } }], parameters: toGroup({ messageType: 'text', content: 'x' }), credential: {}, appCredential: appCredential() });
		expect(notIn.error?.message).toMatch(/^Item 0: The robot is not in this group \[HTTP 400 resource\.not\.found/);
		const strangers = await runRobotWorkflow({
			items: [{}],
			parameters: { target: 'app', appDestination: 'users', userIds: 'nobody1, nobody2', messageType: 'text', content: 'x' },
			credential: {},
			appCredential: appCredential(),
		});
		expect(strangers.error?.message).toMatch(/^Item 0: None of these user IDs is a member of the app's organization \[HTTP 400 staffId\.notExisted/);
	});

	test('throttling and server errors are tried again; a retry after a server error says the message may be there twice', async () => {
		sim.injectOpenApiFaults([{ kind: 'throttled' }, { kind: 'http500', afterDelivery: true }]);
		const { output, error } = await runRobotWorkflow({ items: [triggerItem('a'), triggerItem('b')], parameters: toGroup({ messageType: 'text', content: '={{ $json.text }}' }), credential: {}, appCredential: appCredential() });
		expect(error).toBeUndefined();
		// a: throttled, then posted by the attempt that got the 500, then posted again by the retry
		expect(output.map((o) => [o.json.attempts, o.json.possibleDuplicate ?? false])).toEqual([
			[3, true],
			[1, false],
		]);
		// the OpenAPI has no msgUuid: the output says so, and the group shows it
		expect(sim.groupMessages(GROUP).map((m) => m.msgParam.content)).toEqual(['a', 'a', 'b']);
	});

	test('the month\'s API calls used up: said plainly, not retried', async () => {
		sim.injectOpenApiFaults([{ kind: 'monthlyLimit' }]);
		const before = sends().length;
		const { error } = await runRobotWorkflow({ items: [triggerItem('a')], parameters: toGroup({ messageType: 'text', content: 'x' }), credential: {}, appCredential: appCredential() });
		expect(error?.message).toMatch(/^Item 0: The organization has used its DingTalk API calls for this month \[HTTP 403 Forbidden\.AccessDenied\.ApiCountLimitForOrg/);
		expect(error?.description).toMatch(/资源管理/);
		expect(sends().length - before).toBe(1);
		expect(sim.groupMessages(GROUP).map((m) => m.msgParam.content)).not.toContain('x');
	});

	test('Continue On Fail: each item its own outcome, paired', async () => {
		const { output } = await runRobotWorkflow({
			items: [triggerItem('ok'), { conversation: { id: 'cidWithoutRobot==' } }, triggerItem('ok too')],
			parameters: toGroup({ messageType: 'text', content: '={{ $json.text ?? "x" }}' }),
			credential: {},
			appCredential: appCredential(),
			continueOnFail: true,
		});
		expect(output.map((o) => o.pairedItem)).toEqual([[{ item: 0 }], [{ item: 1 }], [{ item: 2 }]]);
		expect(output.map((o) => (o.json.error ? 'error' : o.json.msgKey))).toEqual(['sampleText', 'error', 'sampleText']);
		expect(JSON.stringify(output)).not.toContain(APP.clientSecret);
	});
});

describe('Recall', () => {
	const recall = (keys: IDataObject['keys'], extra: IDataObject = {}) =>
		runRobotWorkflow({
			items: [{ keys }],
			parameters: { operation: 'recall', recallFrom: 'group', recallOpenConversationId: GROUP, processQueryKeys: '={{ $json.keys }}', ...extra } as INodeParameters,
			credential: {},
			appCredential: appCredential(),
		});

	test('takes back messages by the processQueryKey the send returned', async () => {
		const sent = await runRobotWorkflow({ items: [triggerItem('oops'), triggerItem('oops 2')], parameters: toGroup({ messageType: 'text', content: '={{ $json.text }}' }), credential: {}, appCredential: appCredential() });
		const keys = sent.output.map((o) => o.json.processQueryKey);
		const { output, error } = await recall(keys);
		expect(error).toBeUndefined();
		expect(output[0].json).toEqual({ recalled: keys, robotCode: APP.robotCode, openConversationId: GROUP });
		expect(sim.groupMessages(GROUP).map((m) => m.recalled)).toEqual([true, true]);
	});

	test('past DingTalk\'s 24 hours the error says so, naming the key', async () => {
		const sent = await runRobotWorkflow({ items: [triggerItem('old')], parameters: toGroup({ messageType: 'text', content: 'old' }), credential: {}, appCredential: appCredential() });
		const key = String(sent.output[0].json.processQueryKey);
		clockOffset = 25 * 3_600_000;
		const { error } = await recall(key);
		expect(error?.message).toBe(`Item 0: DingTalk did not recall 1 of 1 messages: ${key} (processQueryKey已过期，无法撤回消息)`);
		expect(error?.description).toMatch(/^DingTalk recalls a message only within 24 hours of sending it/);
		expect(sim.groupMessages(GROUP)[0].recalled).toBe(false);
	});

	test('one-to-one messages are recalled by their keys', async () => {
		const sent = await runRobotWorkflow({
			items: [{}],
			parameters: { target: 'app', appDestination: 'users', userIds: USERS.slice(0, 25).join(','), messageType: 'text', content: 'oops' },
			credential: {},
			appCredential: appCredential(),
		});
		const { output, error } = await runRobotWorkflow({
			items: [sent.output[0].json as IDataObject],
			parameters: { operation: 'recall', recallFrom: 'users' } as INodeParameters,
			credential: {},
			appCredential: appCredential(),
		});
		expect(error).toBeUndefined();
		expect(output[0].json.recalled).toEqual(sent.output[0].json.processQueryKeys);
		expect(USERS.slice(0, 25).every((userId) => sim.userMessages(userId)[0].recalled)).toBe(true);
	});
});
