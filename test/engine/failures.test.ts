/**
 * How the node fails: before sending for bad input, with DingTalk's errcode explained when
 * DingTalk refuses, and item by item with Continue On Fail. Nothing is lost silently.
 */
import { runRobotWorkflow } from './n8nEngine';
import { KEYWORD_ROBOT, SIGNED_ROBOT, simulatorWebhook, useSimulator } from './simulatorFixture';

const sim = useSimulator({ rateLimit: { perWindow: 3, windowMs: 60_000, throttleMs: 600_000 } });
/** one attempt, no pacing: DingTalk's answer as it comes (delivery.test.ts covers pacing and retries) */
const once = { options: { pacing: false, maxAttempts: 1 } };
const signedCredential = (overrides: Record<string, string> = {}) => ({
	...simulatorWebhook(sim, SIGNED_ROBOT.accessToken),
	secret: SIGNED_ROBOT.secret,
	...overrides,
});
const text = (content: string) => ({ messageType: 'text', content, ...once });

describe('refused before anything is sent', () => {
	test('a bad item stops the run naming the item and the field, and no item is posted', async () => {
		const { error, output } = await runRobotWorkflow({
			items: [{ url: 'https://example.com/1' }, { url: 'https://example.com/2' }, { url: 'ftp://example.com/3' }],
			parameters: { messageType: 'link', title: 'Report', text: 'Weekly', messageUrl: '={{ $json.url }}' },
			credential: signedCredential(),
		});
		expect(error?.message).toBe('Item 2: "Message URL" must be an http(s) or dingtalk:// URL, got "ftp://example.com/3"');
		expect(output).toEqual([]);
		expect(sim.requests).toHaveLength(0);
	});

	test.each([
		['an empty required field', { messageType: 'markdown', title: '={{ $json.empty }}', text: 'x' }, 'Item 0: "Title" is required'],
		['a button without URL', { messageType: 'actionCard', title: 't', text: 'x', buttonMode: 'multiple', buttons: { values: [{ title: 'A', url: 'https://a.example' }, { title: 'B', url: '={{ $json.empty }}' }] } }, 'Item 0: "Buttons › Button 2 › URL" is required'],
		['a feedCard without links', { messageType: 'feedCard', links: {} }, 'Item 0: "Links" needs at least one link'],
		['invalid JSON', { messageType: 'json', jsonBody: '{"msgtype": "text",' }, 'Item 0: "JSON Body" is not valid JSON'],
		['JSON with the wrong casing', { messageType: 'json', jsonBody: '{"msgtype":"feedCard","feedCard":{"links":[{"title":"a","messageUrl":"https://a.example","picURL":"https://a.example/a.png"}]}}' }, 'Item 0: "JSON Body › feedCard.links[0].messageURL" is required'],
		['51 mentions', { messageType: 'text', content: 'hi', mentions: { atMobiles: Array.from({ length: 51 }, (_, i) => String(13800000000 + i)).join(',') } }, 'Item 0: "Mentions › Mobiles" mentions 51 people; DingTalk allows at most 50 in one message'],
		['a body over 20000 bytes', { messageType: 'text', content: '钉'.repeat(7000) }, 'Item 0: "Content" makes the message'],
	])('%s', async (_name, parameters, message) => {
		// values come from expressions: n8n itself refuses to start a workflow with a literal empty required field
		const { error } = await runRobotWorkflow({ items: [{ empty: '' }], parameters, credential: signedCredential() });
		expect(error?.message.startsWith(message)).toBe(true);
		expect(sim.requests).toHaveLength(0);
	});

	test('an expression that fails for one item names that item', async () => {
		const { error } = await runRobotWorkflow({
			items: [{ host: { name: 'a' } }, { host: null }],
			parameters: text('={{ $json.host.name.toUpperCase() }}'),
			credential: signedCredential(),
		});
		expect(error?.message).toMatch(/^Item 1: /);
		expect(sim.requests).toHaveLength(0);
	});

	test('a message without any of the credential\'s keywords', async () => {
		const { error } = await runRobotWorkflow({
			items: [{}],
			parameters: text('disk full'),
			credential: { ...simulatorWebhook(sim, KEYWORD_ROBOT.accessToken), keywords: 'alert, 监控报警' },
		});
		expect(error?.message).toBe(
			'Item 0: "Content" contains none of the robot\'s keywords (alert, 监控报警) in the text DingTalk checks (the title and text, not links, buttons or mentions); DingTalk would reject the message',
		);
		expect(error?.description).toContain('Keywords of the DingTalk Robot credential');
		expect(sim.requests).toHaveLength(0);
	});

	test('a credential whose webhook is no webhook', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: { accessToken: 'not a webhook at all' } });
		expect(error?.message).toContain('neither a webhook URL');
		expect(sim.requests).toHaveLength(0);
	});
});

describe('DingTalk says no: a readable error with the errcode, the raw errmsg kept', () => {
	test('wrong secret', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: signedCredential({ secret: 'SECwrong' }) });
		expect(error?.message).toBe('Item 0: DingTalk refused the signature: the secret does not match [errcode 310000: sign not match]');
		expect(error?.description).toContain('Copy the secret');
		expect(sim.requests.map((r) => r.signatureValid)).toEqual([false]);
		expect(sim.messages(SIGNED_ROBOT.accessToken)).toHaveLength(0);
	});

	test('secret missing for a signed robot', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: signedCredential({ secret: '' }) });
		expect(error?.message).toBe('Item 0: DingTalk refused the request\'s timestamp [errcode 310000: invalid timestamp]');
	});

	test('unknown token', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: { ...simulatorWebhook(sim, 'noSuchToken') } });
		expect(error?.message).toBe('Item 0: DingTalk does not know this robot\'s access token [errcode 300005: token is not exist]');
		expect(error?.description).toContain('Copy the Webhook URL again');
	});

	test('keywords set at DingTalk but not in the credential', async () => {
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('disk full'), credential: { ...simulatorWebhook(sim, KEYWORD_ROBOT.accessToken) } });
		expect(error?.message).toBe('Item 0: DingTalk refused the message: it contains none of the robot\'s keywords [errcode 310000: keywords not in content]');
	});

	test('throttled after the per-minute limit: the failing item is named and the earlier ones were delivered', async () => {
		const items = Array.from({ length: 5 }, (_, n) => ({ n }));
		const { error } = await runRobotWorkflow({ items, parameters: text('={{ $json.n }}'), credential: signedCredential() });
		expect(error?.message).toBe('Item 3: DingTalk throttled the robot: more than 20 messages in one minute [errcode 410100: send too fast, exceed 3 times per minute]');
		expect(error?.description).toContain('10 minutes');
		expect(sim.messages(SIGNED_ROBOT.accessToken)).toHaveLength(3);
	});

	// an answer that cannot be read may come after DingTalk posted the message: the error says so
	test.each([
		['busy', { kind: 'busy' as const }, 'Item 0: DingTalk is busy [errcode -1: 系统繁忙]; DingTalk may have posted the message', 'errcode -1'],
		['HTTP 502', { kind: 'http502' as const }, 'Item 0: DingTalk answered HTTP 502; DingTalk may have posted the message', 'HTTP 502'],
		['not JSON', { kind: 'nonJson' as const }, 'Item 0: DingTalk\'s answer could not be read (not DingTalk\'s JSON with an errcode); DingTalk may have posted the message', 'an unreadable answer'],
		['JSON without errcode', { kind: 'noErrcode' as const }, 'Item 0: DingTalk\'s answer could not be read (not DingTalk\'s JSON with an errcode); DingTalk may have posted the message', 'an unreadable answer'],
		['dropped connection', { kind: 'drop' as const }, 'Item 0: Could not reach DingTalk: the connection was closed before DingTalk answered; DingTalk may have posted the message', 'ECONNRESET'],
	])('%s', async (_name, fault, message, got) => {
		sim.injectFaults([fault]);
		const { error } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: signedCredential() });
		expect(error?.message).toBe(message);
		expect(error?.description).toMatch(new RegExp(`^An attempt got ${got} instead of DingTalk's answer, so DingTalk may have posted the message\\. It carries msgUuid [0-9a-f-]{36}: `));
		expect(sim.messages(SIGNED_ROBOT.accessToken)).toHaveLength(0);
	});

	test('a refusal DingTalk answered readably says nothing of "may have been posted"', async () => {
		const { error, output } = await runRobotWorkflow({ items: [{}], parameters: text('x'), credential: signedCredential({ secret: 'SECwrong' }), continueOnFail: true });
		expect(error).toBeUndefined();
		expect(output[0].json).not.toHaveProperty('mayHaveBeenPosted');
		expect(String(output[0].json.error)).not.toContain('may have posted');
	});
});

describe('Continue On Fail', () => {
	test('every item ends as a sent message or an error item, paired, in item order', async () => {
		const items = [{ c: 'first' }, { c: '' }, { c: 'third' }, { c: 'fourth' }, { c: 'fifth' }];
		const { error, output } = await runRobotWorkflow({
			items,
			parameters: text('={{ $json.c }}'),
			credential: signedCredential(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => [{ item }]));
		expect(output[0].json).toMatchObject({ errcode: 0, msgtype: 'text' });
		expect(output[1].json).toEqual({ error: 'Item 1: "Content" is required' });
		expect(output[0].json.attempts).toBe(1);
		expect(output[2].json).toMatchObject({ errcode: 0 });
		expect(output[3].json).toMatchObject({ errcode: 0 });
		// the simulator allows 3 per window: the 4th message is throttled, reported, not lost silently
		expect(output[4].json).toMatchObject({
			error: expect.stringContaining('Item 4: DingTalk throttled the robot'),
			errcode: 410100,
			errmsg: 'send too fast, exceed 3 times per minute',
			msgtype: 'text',
			msgUuid: expect.any(String),
		});
		expect(sim.messages(SIGNED_ROBOT.accessToken).map((m) => (m.text as { content: string }).content)).toEqual(['first', 'third', 'fourth']);
	});
});
