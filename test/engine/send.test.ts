/**
 * The node inside n8n's WorkflowExecute, posting over real HTTP to the DingTalk simulator,
 * which checks every signature, field and limit like DingTalk does.
 */
import { runRobotWorkflow } from './n8nEngine';
import { PLAIN_ROBOT, SIGNED_ROBOT, simulatorWebhook, useSimulator } from './simulatorFixture';

const sim = useSimulator();
const signedCredential = () => ({ ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: SIGNED_ROBOT.secret });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('every message type, built from item data with expressions', () => {
	const alert = { host: 'db-1', usage: 93, owner: '13800000000', url: 'https://example.com/db-1', pic: 'https://example.com/db.png' };

	test.each([
		[
			'text',
			{ messageType: 'text', content: '=Disk on {{ $json.host }} is at {{ $json.usage }}%' },
			{ msgtype: 'text', text: { content: 'Disk on db-1 is at 93%' } },
		],
		[
			'markdown',
			{ messageType: 'markdown', title: '=Alert {{ $json.host }}', text: '=### {{ $json.host }}\n> usage **{{ $json.usage }}%**' },
			{ msgtype: 'markdown', markdown: { title: 'Alert db-1', text: '### db-1\n> usage **93%**' } },
		],
		[
			'link',
			{ messageType: 'link', title: '={{ $json.host }}', text: 'Open the dashboard', messageUrl: '={{ $json.url }}', picUrl: '={{ $json.pic }}' },
			{ msgtype: 'link', link: { title: 'db-1', text: 'Open the dashboard', messageUrl: 'https://example.com/db-1', picUrl: 'https://example.com/db.png' } },
		],
		[
			'actionCard (whole card)',
			{ messageType: 'actionCard', title: 'Disk alert', text: '=**{{ $json.host }}**', buttonMode: 'single', singleTitle: 'Open', singleUrl: '={{ $json.url }}' },
			{ msgtype: 'actionCard', actionCard: { title: 'Disk alert', text: '**db-1**', btnOrientation: '0', hideAvatar: '0', singleTitle: 'Open', singleURL: 'https://example.com/db-1' } },
		],
		[
			'actionCard (buttons)',
			{
				messageType: 'actionCard',
				title: 'Approve?',
				text: 'Expense report',
				buttonMode: 'multiple',
				btnOrientation: 'horizontal',
				hideAvatar: true,
				buttons: { values: [{ title: 'Approve', url: '={{ $json.url }}?ok=1' }, { title: 'Reject', url: '={{ $json.url }}?ok=0' }] },
			},
			{
				msgtype: 'actionCard',
				actionCard: {
					title: 'Approve?',
					text: 'Expense report',
					btnOrientation: '1',
					hideAvatar: '1',
					btns: [
						{ title: 'Approve', actionURL: 'https://example.com/db-1?ok=1' },
						{ title: 'Reject', actionURL: 'https://example.com/db-1?ok=0' },
					],
				},
			},
		],
		[
			'feedCard',
			{ messageType: 'feedCard', links: { values: [{ title: '={{ $json.host }}', messageUrl: '={{ $json.url }}', picUrl: '={{ $json.pic }}' }, { title: 'Second', messageUrl: 'https://example.com/2', picUrl: 'https://example.com/2.png' }] } },
			{
				msgtype: 'feedCard',
				feedCard: {
					links: [
						{ title: 'db-1', messageURL: 'https://example.com/db-1', picURL: 'https://example.com/db.png' },
						{ title: 'Second', messageURL: 'https://example.com/2', picURL: 'https://example.com/2.png' },
					],
				},
			},
		],
		[
			'json',
			{ messageType: 'json', jsonBody: '={{ JSON.stringify({ msgtype: "text", text: { content: "raw " + $json.host } }) }}' },
			{ msgtype: 'text', text: { content: 'raw db-1' } },
		],
	])('%s', async (_name, parameters, expected) => {
		const { output, error } = await runRobotWorkflow({ items: [alert], parameters, credential: signedCredential() });
		expect(error).toBeUndefined();
		const [delivered] = sim.messages(SIGNED_ROBOT.accessToken);
		expect(sim.messages(SIGNED_ROBOT.accessToken)).toHaveLength(1);
		const { msgUuid, ...message } = delivered;
		expect(message).toEqual(expected);
		expect(msgUuid).toMatch(UUID);
		expect(output).toEqual([
			{ json: { errcode: 0, errmsg: 'ok', msgtype: expected.msgtype, msgUuid, attempts: 1 }, pairedItem: [{ item: 0 }] },
		]);
		expect(sim.requests.map((r) => r.signatureValid)).toEqual([true]);
	});
});

test('mentions from item data are sent in "at" and written into the content so DingTalk highlights them', async () => {
	const { error } = await runRobotWorkflow({
		items: [{ oncall: ['13800000000', 13900000000], lead: 'lead01' }],
		parameters: {
			messageType: 'markdown',
			title: 'Incident',
			text: '#### Incident\nPlease check, @13800000000',
			mentions: { atMobiles: '={{ $json.oncall }}', atUserIds: '={{ $json.lead }}，ops02' },
		},
		credential: signedCredential(),
	});
	expect(error).toBeUndefined();
	const [message] = sim.messages(SIGNED_ROBOT.accessToken);
	expect(message.at).toEqual({ atMobiles: ['13800000000', '13900000000'], atUserIds: ['lead01', 'ops02'], isAtAll: false });
	expect((message.markdown as { text: string }).text).toBe('#### Incident\nPlease check, @13800000000\n\n@13900000000 @lead01 @ops02');
});

test('@all without adding anything to the content', async () => {
	await runRobotWorkflow({
		items: [{}],
		parameters: { messageType: 'text', content: 'Fire drill at 3 pm', mentions: { isAtAll: true } },
		credential: signedCredential(),
	});
	expect(sim.messages(SIGNED_ROBOT.accessToken)[0]).toMatchObject({ text: { content: 'Fire drill at 3 pm' }, at: { isAtAll: true } });
});

test('a robot without a secret is posted to unsigned', async () => {
	const { error } = await runRobotWorkflow({
		items: [{}],
		parameters: { messageType: 'text', content: 'hello' },
		credential: simulatorWebhook(sim, PLAIN_ROBOT.accessToken),
	});
	expect(error).toBeUndefined();
	expect(sim.messages(PLAIN_ROBOT.accessToken)).toHaveLength(1);
	expect(sim.requests[0].timestamp).toBeNull();
	expect(sim.requests[0].sign).toBeNull();
});

test('many items: one signed message each, in order, each output paired with its item', async () => {
	const items = Array.from({ length: 15 }, (_, i) => ({ n: i }));
	const { output, error } = await runRobotWorkflow({
		items,
		parameters: { messageType: 'text', content: '=message {{ $json.n }}' },
		credential: signedCredential(),
	});
	expect(error).toBeUndefined();
	const delivered = sim.messages(SIGNED_ROBOT.accessToken);
	expect(delivered.map((m) => (m.text as { content: string }).content)).toEqual(items.map((item) => `message ${item.n}`));
	expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => [{ item }]));
	expect(output.map((o) => o.json.msgUuid)).toEqual(delivered.map((m) => m.msgUuid));
	expect(new Set(delivered.map((m) => m.msgUuid)).size).toBe(15);
	// every request carried its own signature over its own timestamp
	expect(sim.requests.every((r) => r.signatureValid === true)).toBe(true);
});

test('a msgUuid from the item makes a re-run post nothing twice', async () => {
	const run = () =>
		runRobotWorkflow({
			items: [{ id: 'alert-42' }],
			parameters: { messageType: 'text', content: 'once', options: { messageId: '={{ $json.id }}' } },
			credential: signedCredential(),
		});
	const first = await run();
	const second = await run();
	expect(first.output[0].json).toMatchObject({ errcode: 0, msgUuid: 'alert-42' });
	expect(second.output[0].json).toMatchObject({ errcode: 0, msgUuid: 'alert-42' });
	expect(sim.messages(SIGNED_ROBOT.accessToken)).toHaveLength(1);
	expect(sim.requests.map((r) => r.duplicate)).toEqual([false, true]);
});

test('links open in the DingTalk side panel when asked', async () => {
	await runRobotWorkflow({
		items: [{}],
		parameters: {
			messageType: 'link',
			title: 'Report',
			text: 'Weekly',
			messageUrl: 'https://example.com/report?week=48',
			options: { openLinksInSidePanel: true },
		},
		credential: signedCredential(),
	});
	expect(sim.messages(SIGNED_ROBOT.accessToken)[0].link).toEqual({
		title: 'Report',
		text: 'Weekly',
		messageUrl: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com%2Freport%3Fweek%3D48&pc_slide=true',
	});
});
