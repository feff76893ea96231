/**
 * The node's waiting webhook (sendAndWait/webhook.ts) with a stand-in for n8n's webhook context:
 * what it records, and what it records nothing for. (n8n itself checks the signature and that the
 * execution waits at this node before it calls the webhook: the e2e proves that part.)
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { sendAndWaitWebhook } from '../../nodes/DingTalkRobot/sendAndWait/webhook';

const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.6.10)';

interface Call {
	method: string;
	userAgent?: string;
	query?: IDataObject;
	contentType?: string;
	body?: IDataObject;
	parameters: IDataObject;
}

function context(call: Call) {
	const response = { status: 200, headers: {} as Record<string, string>, sent: undefined as unknown, rendered: undefined as undefined | { view: string; data: IDataObject } };
	const logs: string[] = [];
	const res = {
		status: (code: number) => ((response.status = code), res),
		setHeader: (name: string, value: string) => ((response.headers[name] = value), res),
		send: (body: unknown) => ((response.sent = body), res),
		render: (view: string, data: IDataObject) => ((response.rendered = { view, data }), res),
	};
	const ctx = {
		getNodeParameter: (name: string, fallback?: unknown) => (name in call.parameters ? call.parameters[name] : fallback),
		getRequestObject: () => ({ method: call.method, query: call.query ?? {}, headers: { ...(call.userAgent !== undefined && { 'user-agent': call.userAgent }), ...(call.contentType && { 'content-type': call.contentType }) } }),
		getResponseObject: () => res,
		getBodyData: () => call.body ?? {},
		getNode: () => ({ name: 'Approve refund' }),
		logger: { debug: (text: string) => logs.push(text), warn: (text: string) => logs.push(text) },
	} as unknown as IWebhookFunctions;
	return { ctx, response, logs };
}

const recordedData = (result: Awaited<ReturnType<typeof sendAndWaitWebhook>>) => (result.workflowData?.[0]?.[0]?.json as { data?: IDataObject } | undefined)?.data;

describe('Approval', () => {
	test.each([['true', true], ['false', false], [undefined, false]] as const)('approved=%s from a browser → approved %s, "Got it, thanks"', async (approved, expected) => {
		const { ctx } = context({ method: 'GET', userAgent: BROWSER, query: approved === undefined ? {} : { approved }, parameters: { responseType: 'approval' } });
		const result = await sendAndWaitWebhook.call(ctx);
		const data = recordedData(result);
		expect(data?.approved).toBe(expected);
		expect(Number.isNaN(Date.parse(String(data?.respondedAt)))).toBe(false);
		expect(String(result.webhookResponse)).toContain('Got it, thanks');
	});

	test.each([undefined, '', 'Slackbot-LinkExpanding 1.0', 'Mozilla/5.0 (compatible; bingbot/2.0)'])('a link preview (%j) records nothing, and it is logged', async (userAgent) => {
		const { ctx, response, logs } = context({ method: 'GET', userAgent, query: { approved: 'true' }, parameters: { responseType: 'approval' } });
		const result = await sendAndWaitWebhook.call(ctx);
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBe(true);
		expect(response.sent).toBe('');
		expect(logs.join('\n')).toContain('a link preview opened an approval link of node "Approve refund"; nothing recorded');
	});
});

describe('Free Text and Custom Form', () => {
	test('GET shows n8n\'s form page (nothing recorded), with n8n\'s sandbox policy', async () => {
		const { ctx, response } = context({ method: 'GET', userAgent: BROWSER, parameters: { responseType: 'freeText', message: 'Why?' } });
		const result = await sendAndWaitWebhook.call(ctx);
		expect(result.workflowData).toBeUndefined();
		expect(response.rendered?.view).toBe('form-trigger');
		expect((response.rendered?.data.formFields as IDataObject[]).map((field) => field.label)).toEqual(['Response']);
		expect(response.headers['Content-Security-Policy']).toMatch(/^sandbox /);
	});

	test('the form\'s POST records the text', async () => {
		const { ctx } = context({ method: 'POST', userAgent: BROWSER, contentType: 'multipart/form-data; boundary=x', body: { data: { 'field-0': 'Half now' } }, parameters: { responseType: 'freeText', message: 'Why?' } });
		expect(recordedData(await sendAndWaitWebhook.call(ctx))?.text).toBe('Half now');
	});

	test('a custom form: a field named respondedAt cannot override the time', async () => {
		const { ctx } = context({
			method: 'POST',
			userAgent: BROWSER,
			contentType: 'multipart/form-data; boundary=x',
			body: { data: { 'field-0': '12', 'field-1': 'yesterday' } },
			parameters: { responseType: 'customForm', message: 'Details', defineForm: 'json', jsonOutput: '[{"fieldLabel":"Amount","fieldType":"number"},{"fieldLabel":"respondedAt"}]' },
		});
		const data = recordedData(await sendAndWaitWebhook.call(ctx));
		expect(data?.Amount).toBe(12);
		expect(data?.respondedAt).not.toBe('yesterday');
		expect(Number.isNaN(Date.parse(String(data?.respondedAt)))).toBe(false);
	});

	test.each([
		['a JSON post', 'POST', 'application/json', { data: { 'field-0': 'x' } }, 400],
		['a multipart post without fields', 'POST', 'multipart/form-data; boundary=x', {}, 400],
		['a PUT', 'PUT', undefined, {}, 405],
	])('%s records nothing', async (_what, method, contentType, body, status) => {
		const { ctx, response } = context({ method, userAgent: BROWSER, query: { approved: 'true' }, contentType, body, parameters: { responseType: 'freeText', message: 'Why?' } });
		const result = await sendAndWaitWebhook.call(ctx);
		expect(result.workflowData).toBeUndefined();
		expect(response.status).toBe(status);
	});

	test('a form that cannot be built now: 500, nothing recorded, logged', async () => {
		const { ctx, response, logs } = context({ method: 'GET', userAgent: BROWSER, parameters: { responseType: 'customForm', message: 'x', defineForm: 'json', jsonOutput: '[]' } });
		const result = await sendAndWaitWebhook.call(ctx);
		expect(result.workflowData).toBeUndefined();
		expect(response.status).toBe(500);
		expect(logs.join('\n')).toMatch(/response form of node "Approve refund" cannot be built/);
	});
});
