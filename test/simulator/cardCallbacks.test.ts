// A person clicking a card's button: the click reaches the app over Stream (a CALLBACK frame on
// /v1.0/card/instances/callback, answered by an ACK that may update the card) or over HTTP (a
// signed POST to the URL registered with /v1.0/card/callbacks/register).
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { CARD_CLICK_TAMPERS, CARD_TOPIC as EXPORTED_TOPIC } from '../../simulator';
import { cardCallbackSign } from '../../simulator/cardCallbacks';
import type { DingTalkSimulator } from '../../simulator';
import { APP, CID, OTHER, REQUEST_ID, USERS, getToken, simulatorPool } from './openApiHelpers';
import { AI_TEMPLATE, APPROVAL, CARD_PATHS, CARD_TOPIC, EXAMPLE_TEMPLATE, connectStream, createAndDeliver, groupCard, groupPage } from './cardHelpers';
import { call } from './openApiHelpers';

const startSim = simulatorPool();
/** base64(HmacSHA256('s3cret', '1700000000000')), from Python's hmac (the command is in the test that uses it). */
const SIGN_VECTOR = '1aiIVw2uAsHKibewO9YNQUuQtaOf3ISjmHCt4TPJhZQ=';
const errorOf = (code: string, message: string = code) => ({ requestid: REQUEST_ID, code, message });

/** A started simulator with the APPROVAL template and a card `outTrackId` made from it with `extra`. */
async function withApprovalCard(outTrackId: string, extra: Record<string, unknown> = {}) {
	const sim = await startSim();
	sim.addCardTemplate(APPROVAL);
	const token = await getToken(sim);
	const res = await createAndDeliver(
		sim,
		token,
		groupCard(outTrackId, { cardTemplateId: APPROVAL.cardTemplateId, cardData: { cardParamMap: { title: 'Leave', detail: '3 days', result: '' } }, ...extra }),
	);
	expect(res.status).toBe(200);
	return { sim, token };
}

async function until(check: () => boolean, timeoutMs = 2000) {
	const end = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > end) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 10));
	}
}

const register = (sim: DingTalkSimulator, token: string, body: Record<string, unknown>) => call(sim, CARD_PATHS.register, body, token);

describe('a click over Stream', () => {
	it('is a CALLBACK frame on /v1.0/card/instances/callback with the click in content; the ACK\'s data.response updates the card at once', async () => {
		const { sim } = await withApprovalCard('c1');
		const client = await connectStream(sim);
		const clicked = sim.clickCardButton('c1', { userId: USERS[0], actionId: 'approve', params: { comment: 'ok' } });
		const frame = await client.next();
		expect(frame.type).toBe('CALLBACK');
		expect(frame.headers).toMatchObject({ topic: CARD_TOPIC, contentType: 'application/json', messageId: expect.any(String) });
		const content = JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { comment: 'ok' } } });
		expect(JSON.parse(frame.data)).toEqual({
			extension: '{}',
			corpId: expect.stringMatching(/^ding/),
			spaceType: '',
			userIdType: 1,
			type: 'actionCallback',
			userId: USERS[0],
			content,
			spaceId: '',
			outTrackId: 'c1',
			value: content,
		});
		client.answer(frame, { response: { cardData: { cardParamMap: { result: 'Approved' } }, cardUpdateOptions: { updateCardDataByKey: true } } });
		const click = await clicked;
		expect(click).toMatchObject({
			outTrackId: 'c1',
			userId: USERS[0],
			actionId: 'approve',
			params: { comment: 'ok' },
			via: 'stream',
			delivered: true,
			connectionId: expect.any(String),
			messageId: frame.headers.messageId,
			status: 200,
			answered: true,
			applied: true,
			error: undefined,
		});
		const card = sim.card('c1')!;
		expect(card.cardParamMap).toEqual({ title: 'Leave', detail: '3 days', result: 'Approved' });
		expect(card.history.map((h) => h.source)).toEqual(['createAndDeliver', 'callback']);
		expect(card.clicks).toEqual([{ at: expect.any(Number), userId: USERS[0], actionId: 'approve' }]);
		expect(sim.cardClicks()).toEqual([click]);
		expect(sim.streamAcks().map((a) => [a.kind, a.valid])).toEqual([['cardCallback', true]]);
		expect(EXPORTED_TOPIC).toBe(CARD_TOPIC);
		const page = await groupPage(sim);
		expect(page).toContain(`<div class="btn">Approve <span class="clicked">(clicked by ${USERS[0]})</span></div><div class="btn">Reject</div>`);
		expect(page).toContain('<span class="key">result</span> <div>Approved</div>');
	});

	it('replaces the card\'s data without updateCardDataByKey, and applies private data', async () => {
		const { sim } = await withApprovalCard('c2');
		const client = await connectStream(sim);
		const clicked = sim.clickCardButton('c2', { userId: USERS[1], actionId: 'reject' });
		const frame = await client.next();
		client.answer(frame, { response: { cardData: { cardParamMap: { result: 'Rejected' } }, userPrivateData: { cardParamMap: { mine: 'yes' } } } });
		expect((await clicked).applied).toBe(true);
		expect(sim.card('c2')!.cardParamMap).toEqual({ result: 'Rejected' });
		expect(sim.card('c2')!.privateData).toEqual({ [USERS[1]]: { mine: 'yes' } });
	});

	it('does not apply an update outside data.response, one with values that are not strings, or one of an ACK with another code', async () => {
		const { sim } = await withApprovalCard('c3');
		const client = await connectStream(sim);
		const answers: [unknown, number, string][] = [
			[{ cardData: { cardParamMap: { result: 'bare' } } }, 200, 'a card update must be in data.response (the official SDKs send {"response": …}): not applied'],
			[{ response: { cardData: { cardParamMap: { result: 1 } } } }, 200, 'not applied: cardData.cardParamMap.result must be a string (JSON-encode lists and objects)'],
			[{ response: { cardData: { cardParamMap: { result: 'x' } } } }, 500, "the ACK's code is 500"],
		];
		for (const [data, code, error] of answers) {
			const clicked = sim.clickCardButton('c3', { userId: USERS[0], actionId: 'approve' });
			client.answer(await client.next(), data, code);
			expect(await clicked).toMatchObject({ answered: true, status: code, applied: false, error });
		}
		// an ACK without an update is fine: nothing to apply
		const clicked = sim.clickCardButton('c3', { userId: USERS[0], actionId: 'approve' });
		client.answer(await client.next(), { response: null });
		expect(await clicked).toMatchObject({ answered: true, applied: false, error: undefined });
		expect(sim.card('c3')!.cardParamMap.result).toBe('');
	});

	it('goes only to connections subscribed to the card topic; with none, or no answer in time, the click is recorded so', async () => {
		const { sim } = await withApprovalCard('c4');
		const robotOnly = await connectStream(sim, ['/v1.0/im/bot/messages/get']);
		const none = await sim.clickCardButton('c4', { userId: USERS[0], actionId: 'approve' });
		expect(none).toMatchObject({ via: 'stream', delivered: false, connectionId: null, answered: false, error: `no open Stream connection of the app subscribed to ${CARD_TOPIC}` });
		expect(robotOnly.frames).toEqual([]);
		const client = await connectStream(sim);
		const silent = await sim.clickCardButton('c4', { userId: USERS[0], actionId: 'reject', timeoutMs: 50 });
		expect(silent).toMatchObject({ delivered: true, connectionId: expect.any(String), answered: false, applied: false, error: 'no answer within 50 ms' });
		expect(client.frames).toHaveLength(1);
		// an answer after the time ran out is recorded among the ACKs, and not applied
		client.answer(client.frames[0], { response: { cardData: { cardParamMap: { result: 'late' } } } });
		await until(() => sim.streamAcks().length === 1);
		expect(sim.streamAcks()[0]).toMatchObject({ kind: 'cardCallback', valid: true });
		expect(sim.card('c4')!.cardParamMap.result).toBe('');
		expect(sim.cardClicks()[1]).toMatchObject({ answered: false, applied: false });
		expect(sim.card('c4')!.clicks.map((c) => c.actionId)).toEqual(['approve', 'reject']);
	});

	it('takes the buttons of an AI card\'s msgButtons that call back (id and request: true), not its link buttons', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const buttons = [
			{ text: 'Good', color: 'blue', id: 'feedback_good', request: true },
			{ text: 'Docs', url: 'https://example.com/docs' },
		];
		await createAndDeliver(sim, token, groupCard('ai1', { cardData: { cardParamMap: { flowStatus: '3', msgContent: 'Hi', sys_full_json_obj: JSON.stringify({ order: ['msgContent', 'msgButtons'], msgButtons: buttons }) } } }));
		const client = await connectStream(sim);
		const clicked = sim.clickCardButton('ai1', { userId: USERS[0], actionId: 'feedback_good' });
		const frame = await client.next();
		expect(JSON.parse(JSON.parse(frame.data).content)).toEqual({ cardPrivateData: { actionIds: ['feedback_good'], params: {} } });
		client.answer(frame, { response: {} });
		expect((await clicked).answered).toBe(true);
		await expect(sim.clickCardButton('ai1', { userId: USERS[0], actionId: 'Docs' })).rejects.toThrow(/no button with actionId "Docs"; it has \["feedback_good"\]/);
		const page = await groupPage(sim);
		expect(page).toContain(`<div class="btn">Good <span class="clicked">(clicked by ${USERS[0]})</span></div><div class="btn link">Docs</div>`);
	});

	it('the example question template is there from the start: its buttons pass back their params with the card\'s variables, and are disabled once "answered" is true', async () => {
		const sim = await startSim();
		expect(sim.cardTemplates().map((t) => t.cardTemplateId)).toEqual([AI_TEMPLATE, EXAMPLE_TEMPLATE]);
		const token = await getToken(sim);
		const cardParamMap = { title: 'Deploy', question: 'Ship 1.4 to production?', status: 'Waiting for an answer', answered: 'false', conversationId: CID };
		expect((await createAndDeliver(sim, token, groupCard('q1', { cardTemplateId: EXAMPLE_TEMPLATE, cardData: { cardParamMap } }))).status).toBe(200);
		const client = await connectStream(sim);
		const clicked = sim.clickCardButton('q1', { userId: USERS[0], actionId: 'approve', params: { note: 'go' } });
		const frame = await client.next();
		expect(JSON.parse(JSON.parse(frame.data).content)).toEqual({ cardPrivateData: { actionIds: ['approve'], params: { choice: 'approve', conversationId: CID, note: 'go' } } });
		client.answer(frame, { response: { cardData: { cardParamMap: { status: `Approved by ${USERS[0]}`, answered: 'true' } }, cardUpdateOptions: { updateCardDataByKey: true } } });
		expect(await clicked).toMatchObject({ applied: true, params: { choice: 'approve', conversationId: CID, note: 'go' } });
		await expect(sim.clickCardButton('q1', { userId: USERS[1], actionId: 'reject' })).rejects.toThrow('the button "reject" of card "q1" is disabled: it cannot be clicked');
		const page = await groupPage(sim);
		expect(page).toContain(`<div class="btn disabled">Approve <span class="clicked">(clicked by ${USERS[0]})</span></div><div class="btn disabled">Reject</div>`);
		expect(page).toContain(`<span class="key">status</span> <div>Approved by ${USERS[0]}</div>`);
		expect(page).not.toContain('<span class="key">answered</span>');
	});

	it('throws for an unknown card, a user who is not in the org, an unknown button, and bad options', async () => {
		const { sim } = await withApprovalCard('c5');
		await expect(sim.clickCardButton('nope', { userId: USERS[0], actionId: 'approve' })).rejects.toThrow(/no card "nope"/);
		await expect(sim.clickCardButton('c5', { userId: 'stranger', actionId: 'approve' })).rejects.toThrow(/a user of the org/);
		await expect(sim.clickCardButton('c5', { userId: USERS[0], actionId: 'maybe' })).rejects.toThrow(/no button with actionId "maybe"/);
		await expect(sim.clickCardButton('c5', { userId: USERS[0], actionId: 'approve', params: [] as never })).rejects.toThrow(/params/);
		await expect(sim.clickCardButton('c5', { userId: USERS[0], actionId: 'approve', tamper: 'x' as never })).rejects.toThrow(/tamper/);
		// only who got the card can click it: a one-to-one card its user, a card delivered nowhere nobody
		const token = await getToken(sim);
		const oto = { cardTemplateId: APPROVAL.cardTemplateId, openSpaceId: `dtv1.card//IM_ROBOT.${USERS[1]}`, imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' } };
		await createAndDeliver(sim, token, groupCard('c5-oto', oto));
		await expect(sim.clickCardButton('c5-oto', { userId: USERS[0], actionId: 'approve' })).rejects.toThrow(/did not get card "c5-oto"/);
		await createAndDeliver(sim, token, groupCard('c5-none', { ...oto, openSpaceId: 'dtv1.card//IM_ROBOT.nobody' }));
		await expect(sim.clickCardButton('c5-none', { userId: USERS[1], actionId: 'approve' })).rejects.toThrow(/did not get card/);
		expect(sim.cardClicks()).toEqual([]);
		expect((await sim.clickCardButton('c5-oto', { userId: USERS[1], actionId: 'approve', timeoutMs: 20 })).userId).toBe(USERS[1]);
		expect(CARD_CLICK_TAMPERS).toEqual(['wrongSign', 'noSign', 'oldTimestamp']);
	});

	it('a card made without callbackType calls back nowhere; reset() forgets clicks, routes and cards', async () => {
		const { sim, token } = await withApprovalCard('c6', { callbackType: undefined });
		expect(await sim.clickCardButton('c6', { userId: USERS[0], actionId: 'approve' })).toMatchObject({
			via: 'none',
			delivered: false,
			error: 'the card was made without callbackType: its clicks go nowhere',
		});
		await register(sim, token, { callbackRouteKey: 'r', callbackUrl: 'http://127.0.0.1:9/cb' });
		sim.reset();
		expect([sim.cardClicks(), sim.cardCallbackRoutes(), sim.cards()]).toEqual([[], [], []]);
	});
});

describe('POST /v1.0/card/callbacks/register', () => {
	it('registers a URL for a route key and answers {success, result: {callbackUrl, apiSecret}}; a route without an apiSecret has none', async () => {
		let clock = 5_000;
		const sim = await startSim({ now: () => clock });
		const token = await getToken(sim);
		const res = await register(sim, token, { callbackRouteKey: 'route-1', callbackUrl: 'https://n8n.example.com/cb', apiSecret: 'mySecret' });
		expect([res.status, res.json]).toEqual([200, { success: true, result: { callbackUrl: 'https://n8n.example.com/cb', apiSecret: 'mySecret' } }]);
		const generated = await register(sim, token, { callbackRouteKey: 'route-2', callbackUrl: 'http://127.0.0.1:1/cb' });
		expect(generated.json).toEqual({ success: true, result: { callbackUrl: 'http://127.0.0.1:1/cb' } });
		expect((await register(sim, token, { callbackRouteKey: 'route-1', callbackUrl: 'https://elsewhere/cb' })).json).toEqual(errorOf('param.callbackRouteKeyExist'));
		clock += 1;
		expect((await register(sim, token, { callbackRouteKey: 'route-1', callbackUrl: 'https://elsewhere/cb', forceUpdate: true })).status).toBe(200);
		// another app's route key of the same name is its own
		expect((await register(sim, await getToken(sim, OTHER), { callbackRouteKey: 'route-1', callbackUrl: 'https://other/cb' })).status).toBe(200);
		expect(sim.cardCallbackRoutes()).toEqual([
			{ clientId: APP.clientId, callbackRouteKey: 'route-1', callbackUrl: 'https://elsewhere/cb', registeredAt: 5_001 },
			{ clientId: APP.clientId, callbackRouteKey: 'route-2', callbackUrl: 'http://127.0.0.1:1/cb', registeredAt: 5_000 },
			{ clientId: OTHER.clientId, callbackRouteKey: 'route-1', callbackUrl: 'https://other/cb', registeredAt: 5_001 },
		]);
		expect(JSON.stringify(sim.cardCallbackRoutes())).not.toContain('mySecret');
		expect((await register(sim, token, { callbackUrl: 'https://x/cb' })).json).toEqual(errorOf('param.empty'));
		expect((await register(sim, token, { callbackRouteKey: 'k' })).json).toEqual(errorOf('param.empty'));
		expect((await register(sim, token, { callbackRouteKey: 'k', callbackUrl: 'ftp://x/cb' })).json).toEqual(errorOf('param.invalid', 'callbackUrl must be an http(s) URL'));
		sim.setAppPermissions(APP.clientId, ['Card.Streaming.Write']);
		expect((await register(sim, token, { callbackRouteKey: 'k', callbackUrl: 'https://x/cb' })).json).toMatchObject({ accessdenieddetail: { requiredScopes: ['Card.Instance.Write'] } });
	});
});

describe('a click over HTTP', () => {
	interface Received {
		headers: http.IncomingHttpHeaders;
		body: string;
	}
	const servers: http.Server[] = [];
	afterEach(async () => {
		await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
	});

	/**
	 * A trigger that checks DingTalk's signature with its apiSecret as DingTalk's guide (事件回调,
	 * 回调签名验证) documents it, written here from the guide, not from the simulator's code:
	 * base64(HmacSHA256(apiSecret, timestamp)) in x-ddpaas-signature, the timestamp in
	 * x-ddpaas-signature-timestamp; it answers a card update.
	 */
	async function trigger(apiSecret: string, answer: unknown): Promise<{ url: string; received: Received[] }> {
		const received: Received[] = [];
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
				const timestamp = String(req.headers['x-ddpaas-signature-timestamp'] ?? '');
				const expected = crypto.createHmac('sha256', apiSecret).update(timestamp).digest('base64');
				const fresh = Math.abs(Date.now() - Number(timestamp)) < 3_600_000;
				if (req.headers['x-ddpaas-signature'] !== expected || !fresh) {
					res.writeHead(401, { 'content-type': 'application/json' });
					res.end('{"error":"bad signature"}');
					return;
				}
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end(JSON.stringify(answer));
			});
		});
		servers.push(server);
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as { port: number };
		return { url: `http://127.0.0.1:${port}/card-callback`, received };
	}

	it('POSTs the click, signed with the apiSecret, to the URL of the card\'s callbackRouteKey; a valid answer updates the card', async () => {
		const { url, received } = await trigger('s3cret', { cardData: { cardParamMap: { result: 'Approved over HTTP' } }, cardUpdateOptions: { updateCardDataByKey: true } });
		const { sim, token } = await withApprovalCard('h1', { callbackType: 'HTTP', callbackRouteKey: 'approvals' });
		expect((await register(sim, token, { callbackRouteKey: 'approvals', callbackUrl: url, apiSecret: 's3cret' })).status).toBe(200);
		const click = await sim.clickCardButton('h1', { userId: USERS[2], actionId: 'approve', params: { n: 1 } });
		expect(click).toMatchObject({ via: 'http', url, delivered: true, answered: true, status: 200, applied: true, error: undefined });
		expect(received).toHaveLength(1);
		expect(received[0].headers['content-type']).toBe('application/json; charset=utf-8');
		expect(JSON.parse(received[0].body)).toMatchObject({
			type: 'actionCallback',
			outTrackId: 'h1',
			userId: USERS[2],
			content: JSON.stringify({ cardPrivateData: { actionIds: ['approve'], params: { n: 1 } } }),
		});
		expect(click.headers).toMatchObject({
			'x-ddpaas-signature-timestamp': received[0].headers['x-ddpaas-signature-timestamp'],
			'x-ddpaas-signature': received[0].headers['x-ddpaas-signature'],
		});
		// the robot callback's headers are not the card's
		expect(received[0].headers.sign).toBeUndefined();
		// the vector of DingTalk's guide, computed by another implementation: Python's hmac, base64
		// (python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b's3cret',b'1700000000000',hashlib.sha256).digest()).decode())")
		expect(cardCallbackSign('s3cret', 1_700_000_000_000)).toBe(SIGN_VECTOR);
		expect(sim.card('h1')!.cardParamMap).toEqual({ title: 'Leave', detail: '3 days', result: 'Approved over HTTP' });
	});

	it('a broken signature is refused by a trigger that checks it, and nothing is applied', async () => {
		const { url, received } = await trigger('s3cret', { cardData: { cardParamMap: { result: 'should not apply' } } });
		const { sim, token } = await withApprovalCard('h2', { callbackType: 'HTTP', callbackRouteKey: 'approvals' });
		await register(sim, token, { callbackRouteKey: 'approvals', callbackUrl: url, apiSecret: 's3cret' });
		for (const tamper of ['wrongSign', 'noSign', 'oldTimestamp'] as const) {
			const click = await sim.clickCardButton('h2', { userId: USERS[0], actionId: 'reject', tamper });
			expect([tamper, click.status, click.applied, click.error]).toEqual([tamper, 401, false, 'the callback URL answered HTTP 401']);
		}
		expect(received.map((r) => r.headers['x-ddpaas-signature'] === undefined)).toEqual([false, true, false]);
		// a secret the trigger does not know fails the same way: the route registered with another secret
		await register(sim, token, { callbackRouteKey: 'approvals', callbackUrl: url, apiSecret: 'not-the-triggers', forceUpdate: true });
		expect((await sim.clickCardButton('h2', { userId: USERS[0], actionId: 'reject' })).status).toBe(401);
		expect(sim.card('h2')!.cardParamMap.result).toBe('');
	});

	it('a route registered without an apiSecret gets its clicks unsigned', async () => {
		const { url, received } = await trigger('s3cret', {});
		const { sim, token } = await withApprovalCard('h4', { callbackType: 'HTTP', callbackRouteKey: 'open' });
		await register(sim, token, { callbackRouteKey: 'open', callbackUrl: url });
		const click = await sim.clickCardButton('h4', { userId: USERS[0], actionId: 'approve' });
		expect([click.delivered, click.status]).toEqual([true, 401]);
		expect(Object.keys(received[0].headers).filter((h) => h.startsWith('x-ddpaas'))).toEqual([]);
	});

	it('without a registered route, or when the URL cannot be reached, the click is recorded with why', async () => {
		const { sim, token } = await withApprovalCard('h3', { callbackType: 'HTTP', callbackRouteKey: 'nowhere' });
		expect(await sim.clickCardButton('h3', { userId: USERS[0], actionId: 'approve' })).toMatchObject({
			via: 'http',
			delivered: false,
			error: 'no callback URL registered for callbackRouteKey "nowhere"',
		});
		await register(sim, token, { callbackRouteKey: 'nowhere', callbackUrl: 'https://n8n.example.com/cb' });
		expect((await sim.clickCardButton('h3', { userId: USERS[0], actionId: 'approve' })).error).toMatch(/must be http:/);
	});
});
