/**
 * Send To "Reply in the Conversation" and "Answer the Trigger Call", in n8n's WorkflowExecute,
 * posting over real HTTP to the simulator's session webhooks (which expire, check bodies and
 * record replies).
 */
import { runRobotWorkflow } from './n8nEngine';
import { useSimulator } from './simulatorFixture';

const sim = useSimulator();

/** What a DingTalk Robot Trigger item carries for a reply, for a new session of the simulator. */
function triggerItem(ttlMs = 90 * 60_000, sender = { nick: 'Zhang San', staffId: 'manager4521' }) {
	const session = sim.createSession({ ttlMs });
	return {
		item: { text: 'ping', sender, sessionWebhook: session.sessionWebhook, sessionWebhookExpiresAt: new Date(session.expiresAt).toISOString() },
		session,
	};
}

const replyParameters = {
	target: 'session',
	sessionWebhook: '={{ $json.sessionWebhook }}',
	sessionWebhookExpiresAt: '={{ $json.sessionWebhookExpiresAt }}',
	messageType: 'text',
	content: '=pong, {{ $json.sender.nick }}',
	mentions: { atUserIds: '={{ $json.sender.staffId }}' },
	options: { sessionWebhookHosts: '={{ $json.sessionWebhook.split("/")[2] }}' },
};

const sessionRequests = (sessionId: string) => sim.requests.filter((r) => r.path === '/robot/sendBySession' && r.session === sessionId);

describe('Send To: Reply in the Conversation', () => {
	it('posts each item\'s reply to its own session, unsigned, with the sender mentioned', async () => {
		const first = triggerItem();
		const second = triggerItem(90 * 60_000, { nick: 'Li Si', staffId: 'lisi01' });
		const { output, error } = await runRobotWorkflow({ items: [first.item, second.item], parameters: replyParameters, credential: {} });

		expect(error).toBeUndefined();
		expect(sim.sessionReplies(first.session.sessionId)).toEqual([
			expect.objectContaining({ msgtype: 'text', text: { content: 'pong, Zhang San\n@manager4521' }, at: { atUserIds: ['manager4521'], isAtAll: false } }),
		]);
		expect(sim.sessionReplies(second.session.sessionId)).toEqual([
			expect.objectContaining({ text: { content: 'pong, Li Si\n@lisi01' } }),
		]);
		// a session webhook is its own authorization: no robot token, no signature
		for (const request of sim.requests) {
			expect(request).toMatchObject({ path: '/robot/sendBySession', accessToken: null, timestamp: null, sign: null });
		}
		expect(output.map((o) => [o.json.errcode, o.pairedItem])).toEqual([
			[0, [{ item: 0 }]],
			[0, [{ item: 1 }]],
		]);
	});

	it('many sessions at once: different sessions in parallel (at most Parallel Destinations), one session\'s replies in item order', async () => {
		const sessions = Array.from({ length: 12 }, () => triggerItem());
		// every reply is answered 150 ms late: a sender one at a time would have one request open at any moment
		sim.setFaultPolicy(() => ({ kind: 'slow', delayMs: 150 }));
		const items = [
			...sessions.map(({ item }) => item),
			...[1, 2, 3].map((n) => ({ ...sessions[0].item, text: `follow-up ${n}` })),
		];
		const { output, error } = await runRobotWorkflow({
			items,
			parameters: { ...replyParameters, content: '={{ $json.text }}', mentions: {}, options: { ...replyParameters.options as object, parallelDestinations: 4 } },
			credential: {},
		});
		sim.setFaultPolicy(undefined);
		expect(error).toBeUndefined();
		expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => [{ item }]));
		expect(output.every((o) => o.json.errcode === 0)).toBe(true);
		// the first session got its four replies in item order, each sent after the previous one was answered
		expect(sim.sessionReplies(sessions[0].session.sessionId).map((m) => (m.text as { content: string }).content)).toEqual(['ping', 'follow-up 1', 'follow-up 2', 'follow-up 3']);
		const own = sessionRequests(sessions[0].session.sessionId).map((r) => r.at);
		own.slice(1).forEach((at, k) => expect(at - own[k]).toBeGreaterThanOrEqual(140));
		// requests open at the same moment: more than one, never more than 4
		const arrivals = sim.requests.map((r) => r.at);
		const open = arrivals.map((at) => arrivals.filter((other) => other <= at && other > at - 140).length);
		expect(Math.max(...open)).toBeGreaterThan(1);
		expect(Math.max(...open)).toBeLessThanOrEqual(4);
	});

	it('refuses an expired session before sending, naming the item and the field', async () => {
		const fresh = triggerItem();
		const expired = { ...triggerItem().item, sessionWebhookExpiresAt: new Date(Date.now() - 5 * 60_000).toISOString() };
		const { error } = await runRobotWorkflow({ items: [fresh.item, expired], parameters: replyParameters, credential: {} });

		expect(error?.message).toMatch(/^Item 1: "Session Expires At" says the conversation's session expired at .+ \(5 min ago\): DingTalk no longer accepts replies to it$/);
		// checked for every item before anything is sent: the fresh item's reply did not go either
		expect(sim.requests).toHaveLength(0);
	});

	it('with Continue On Fail, the expired item becomes an error item and the others are sent', async () => {
		const fresh = triggerItem();
		const expired = { ...triggerItem().item, sessionWebhookExpiresAt: Date.now() - 1 };
		const { output } = await runRobotWorkflow({ items: [expired, fresh.item], parameters: replyParameters, credential: {}, continueOnFail: true });

		expect(output.map((o) => o.json.error ?? o.json.errcode)).toEqual([expect.stringContaining('Item 0: "Session Expires At" says'), 0]);
		expect(sim.sessionReplies(fresh.session.sessionId)).toHaveLength(1);
		expect(sim.requests).toHaveLength(1);
	});

	it('refuses a host that is not a DingTalk session host (the default list) without sending or showing the session', async () => {
		const { item, session } = triggerItem();
		const { error } = await runRobotWorkflow({
			items: [item],
			parameters: { ...replyParameters, options: {} },
			credential: {},
		});

		expect(error?.message).toBe(
			'Item 0: "Session Webhook" points at ' + new URL(session.sessionWebhook).host + ', which is not a DingTalk session webhook host (oapi.dingtalk.com, api.dingtalk.com)',
		);
		expect(JSON.stringify({ message: error?.message, description: error?.description })).not.toContain(new URL(session.sessionWebhook).searchParams.get('session'));
		expect(sim.requests).toHaveLength(0);
	});

	it('explains DingTalk refusing a session it no longer knows, without the session token', async () => {
		const { item, session } = triggerItem();
		sim.expireSession(session.sessionId);
		// no expiry given: only DingTalk can tell
		const { error } = await runRobotWorkflow({
			items: [{ ...item, sessionWebhookExpiresAt: '' }],
			parameters: replyParameters,
			credential: {},
		});

		expect(error?.message).toBe('Item 0: DingTalk does not accept replies to this conversation\'s session [errcode 300001: session expired]');
		expect(error?.description).toContain('about 90 minutes');
		expect(sessionRequests(session.sessionId)).toHaveLength(1);
		const token = new URL(session.sessionWebhook).searchParams.get('session') ?? '';
		expect(JSON.stringify({ message: error?.message, description: error?.description, context: error?.context })).not.toContain(token);
	});

	it('refuses an item without a session webhook (e.g. not from the trigger)', async () => {
		const { error } = await runRobotWorkflow({ items: [{ text: 'ping' }], parameters: replyParameters, credential: {} });
		expect(error?.message).toBe('Item 0: "Session Webhook" is empty');
		expect(sim.requests).toHaveLength(0);
	});
});

describe('Send To: Answer the Trigger Call', () => {
	it('refuses to run without a DingTalk Robot Trigger waiting for the answer: the message would be lost', async () => {
		const { error } = await runRobotWorkflow({
			items: [{ text: 'ping' }],
			parameters: { target: 'response', messageType: 'text', content: 'pong', options: {} },
			credential: {},
		});
		expect(error?.message).toBe('Send To "Answer the Trigger Call" needs a DingTalk Robot Trigger set to Respond: From a Later Node');
		expect(error?.description).toContain('does not run after a DingTalk Robot Trigger');
	});
});
