/**
 * Send and Wait for Response as the app robot (Send To: App Robot) in n8n's WorkflowExecute against
 * the simulator, and its waiting webhook in n8n-core's WebhookContext:
 * - Approval: the card of the user's template, its variables filled, the buttons' parameter
 *   n8nResumeUrl n8n's signed resume URL (nothing of the credential in the card), the outTrackId
 *   naming the execution and node; the execution waits.
 * - A click on that card as the Stream side passes it on (readSendAndWaitClick from the card's
 *   data, answerSendAndWaitClick posting it with its proof) reaching the node's webhook: an
 *   approver's click resumes with data.approved and userId; a wrong proof, another execution's
 *   card, a stale click, a non-approver, a GET resume nothing.
 * - Free Text and Custom Form: the app robot's actionCard, its button n8n's signed form URL.
 */
import { WebhookContext } from 'n8n-core';
import { Workflow, type ICredentialDataDecryptedObject, type IDataObject, type INode, type INodeParameters, type IWebhookData, type IWebhookResponseData, type IWorkflowBase } from 'n8n-workflow';

import { DingTalkRobot } from '../../nodes/DingTalkRobot/DingTalkRobot.node';
import { answerSendAndWaitClick } from '../../nodes/DingTalkStreamTrigger/sendAndWaitClicks';
import {
	APPROVE_ACTION_ID,
	DECLINE_ACTION_ID,
	NOTICES,
	PROOF_MAX_AGE_MS,
	clickPost,
	readSendAndWaitClick,
	sendAndWaitOutTrackId,
	type SendAndWaitClick,
} from '../../nodes/shared/sendAndWaitClick';
import { CredentialsHelper, NodeTypes, buildAdditionalData } from '../../scripts/lib/n8nEngine';
import { ROBOT_NODE_TYPE, credentialTypes, runRobotWorkflow } from './n8nEngine';
import { useSimulator } from './simulatorFixture';
import { appCredential as simulatorAppCredential } from './streamTrigger';

const sim = useSimulator({}, []);
const APP = { clientId: 'dingsawengine01', clientSecret: 'sawEngineSecret-Qm7Tz2', robotCode: 'dingsawengine01' };
const GROUP = 'cidSawEngine01==';
const APPROVER = 'manager4521';
const OTHER = 'staff0042';
const TEMPLATE = 'n8n-send-and-wait-engine.schema';
sim.addApp(APP);
sim.addGroup({ openConversationId: GROUP, title: 'Approvals', robotCodes: [APP.robotCode] });
for (const userId of [APPROVER, OTHER]) sim.addUser({ userId });
sim.addCardTemplate({
	cardTemplateId: TEMPLATE,
	title: 'Send and Wait',
	variables: ['title', 'message', 'status', 'approveLabel', 'declineLabel', 'notice'],
	buttons: [
		{ actionId: DECLINE_ACTION_ID, text: 'Decline', params: { n8nResumeUrl: '${n8nResumeUrl}' }, disabledBy: 'declineDisabled' },
		{ actionId: APPROVE_ACTION_ID, text: 'Approve', params: { n8nResumeUrl: '${n8nResumeUrl}' }, disabledBy: 'approveDisabled' },
	],
});

const appCredential = (): ICredentialDataDecryptedObject => simulatorAppCredential(sim, APP);

const APPROVAL: IDataObject = {
	operation: 'sendAndWait',
	target: 'app',
	approvalCardTemplateId: TEMPLATE,
	cardDestination: 'group',
	cardOpenConversationId: GROUP,
	approvers: `${APPROVER}, someone-else`,
	title: '=Refund {{ $json.ticket }}',
	message: '=Refund ticket **{{ $json.ticket }}**?',
	responseType: 'approval',
	approvalOptions: { values: { approvalType: 'double', approveLabel: 'Refund', disapproveLabel: 'Keep' } },
};

const run = (parameters: IDataObject) => runRobotWorkflow({ items: [{ ticket: 'T-7' }], parameters: parameters as INodeParameters, credential: {}, appCredential: appCredential() });

/** The node as the run had it, for its webhook (n8n reads the waiting node's parameters from the execution's workflow). */
const waitingNode = (parameters: IDataObject): INode => ({
	id: 'robot',
	name: 'DingTalk Robot',
	type: ROBOT_NODE_TYPE,
	typeVersion: 1,
	position: [200, 0],
	parameters: parameters as INodeParameters,
	credentials: { dingTalkAppApi: { id: '2', name: 'Test app' } },
});

interface WebhookCall {
	status: number;
	body: unknown;
	result: IWebhookResponseData;
	/** what the node logged through the context's logger */
	logged: string[];
}

/**
 * What n8n's waiting-webhook handler does once it has checked the resume URL's signature and that
 * the execution waits at this node: it calls the node's webhook() in a WebhookContext with the
 * request, and answers with what the node answered or its webhookResponse (responseMode onReceived).
 */
async function callWaitingWebhook(parameters: IDataObject, url: string, method: 'GET' | 'POST', body: unknown, credential = appCredential()): Promise<WebhookCall> {
	const node = waitingNode(parameters);
	const nodeType = new DingTalkRobot();
	const workflow = new Workflow({ id: 'local-workflow', name: 'local', nodes: [node], connections: {}, active: false, nodeTypes: new NodeTypes({ [ROBOT_NODE_TYPE]: nodeType }), settings: { executionOrder: 'v1' } });
	const additionalData = buildAdditionalData(new CredentialsHelper(credentialTypes, { dingTalkAppApi: credential }), { id: 'local-workflow', nodes: [node], connections: {} } as unknown as IWorkflowBase);
	const { pathname, searchParams } = new URL(url);
	const answered: { status: number; body: unknown } = { status: 200, body: undefined };
	const res = {
		status: (code: number) => ((answered.status = code), res),
		json: (value: unknown) => ((answered.body = value), res),
		send: (value: unknown) => ((answered.body = value), res),
		setHeader: () => res,
	};
	const req = { method, url: pathname, originalUrl: `${pathname}?${searchParams.toString()}`, query: Object.fromEntries(searchParams), headers: { 'content-type': 'application/json' }, body };
	Object.assign(additionalData, { httpRequest: req, httpResponse: res });
	const webhookData = { httpMethod: method, node: node.name, path: node.id, webhookDescription: nodeType.description.webhooks?.find((w) => w.httpMethod === method), workflowId: 'local-workflow' } as unknown as IWebhookData;
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
	const logged: string[] = [];
	const record = (level: string) => (text: string) => logged.push(`${level} ${text}`);
	// n8n's logger of the context, recorded instead of printed
	Object.defineProperty(context, 'logger', { value: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } });
	const result = await nodeType.webhook.call(context);
	if (!result.noWebhookResponse) answered.body = result.webhookResponse;
	return { ...answered, result, logged };
}

/** The node's output when the webhook resumed the execution, else undefined. */
const resumedWith = (call: WebhookCall) => (call.result.workflowData?.[0]?.[0]?.json as { data?: IDataObject } | undefined)?.data;

/** Sends the approval card and returns it with the click DingTalk would pass back for a button. */
async function sendApprovalCard(parameters: IDataObject = APPROVAL) {
	const { run: execution, error } = await run(parameters);
	expect(error).toBeUndefined();
	expect(execution.status).toBe('waiting');
	const [card] = sim.cards();
	const click = (userId: string, actionId: string): SendAndWaitClick => {
		const read = readSendAndWaitClick({ outTrackId: card.outTrackId, userId, actionIds: [actionId], params: { n8nResumeUrl: card.cardParamMap.n8nResumeUrl } });
		if (!read) throw new Error('the card\'s click is not taken as a Send and Wait click');
		return read;
	};
	return { card, click };
}

/** The Stream side passing a click on: posted with its proof to the webhook, the verdict its answer. */
async function passOn(click: SendAndWaitClick, parameters: IDataObject = APPROVAL) {
	const calls: WebhookCall[] = [];
	const logged: string[] = [];
	const response = await answerSendAndWaitClick(click, {
		secret: APP.clientSecret,
		now: () => Date.now(),
		log: { info: (text: string) => logged.push(text), warn: (text: string) => logged.push(text), error: (text: string) => logged.push(text), debug: () => {} } as never,
		request: async (options) => {
			const call = await callWaitingWebhook(parameters, String(options.url), 'POST', options.body);
			calls.push(call);
			return { statusCode: call.status, body: call.body };
		},
	});
	return { response, calls, logged };
}

describe('Send and Wait for Response as the app robot, Approval', () => {
	test('the card of the template: its variables, the buttons\' n8nResumeUrl n8n\'s signed resume URL, an outTrackId of this execution and node, nothing secret', async () => {
		const { card } = await sendApprovalCard();
		expect(sim.cards()).toHaveLength(1);
		expect(card.cardTemplateId).toBe(TEMPLATE);
		expect(card.callbackType).toBe('STREAM');
		expect(card.robotCode).toBe(APP.robotCode);
		expect(card.outTrackId).toMatch(/^n8nsaw-localexecution-[0-9a-f]{8}-[0-9a-f]{10}$/);
		expect(card.outTrackId.split('-').slice(0, 3).join('-')).toBe(sendAndWaitOutTrackId('local-execution', 'robot', 'x').split('-').slice(0, 3).join('-'));
		expect(card.spaces).toEqual([expect.objectContaining({ spaceType: 'IM_GROUP', spaceId: GROUP, success: true })]);
		expect(card.cardParamMap).toMatchObject({
			title: 'Refund T-7',
			message: expect.stringContaining('Refund ticket **T-7**?'),
			status: 'Waiting for a decision',
			approveLabel: 'Refund',
			declineLabel: 'Keep',
			approveDisabled: 'false',
			declineDisabled: 'false',
		});
		const resumeUrl = new URL(card.cardParamMap.n8nResumeUrl);
		expect(resumeUrl.origin + resumeUrl.pathname).toBe('http://127.0.0.1/webhook-waiting/local-execution/robot');
		expect([...resumeUrl.searchParams.keys()]).toEqual(['signature']);
		expect(resumeUrl.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		const sent = JSON.stringify(sim.cardRequests().map((request) => request.body));
		expect(sent).not.toContain(APP.clientSecret);
		for (const request of sim.cardRequests()) expect(JSON.stringify(request.body)).not.toMatch(/accessToken|access_token/i);
	});

	test('an approver\'s click resumes the execution with approved, the userId and when; the card shows the decision, buttons off', async () => {
		const { click } = await sendApprovalCard();
		const before = Date.now();
		const { response, calls } = await passOn(click(APPROVER, APPROVE_ACTION_ID));
		expect(calls).toHaveLength(1);
		expect(calls[0].status).toBe(200);
		const data = resumedWith(calls[0]);
		expect(data).toMatchObject({ approved: true, userId: APPROVER, via: 'dingTalkCard', outTrackId: click(APPROVER, APPROVE_ACTION_ID).outTrackId });
		expect(Date.parse(String(data?.clickedAt))).toBeGreaterThanOrEqual(before - 1000);
		expect(Date.parse(String(data?.respondedAt))).toBeGreaterThanOrEqual(Date.parse(String(data?.clickedAt)));
		expect(response).toMatchObject({ cardData: { cardParamMap: { approveDisabled: 'true', declineDisabled: 'true', status: expect.stringMatching(/^✅ Refund · manager4521 · /) } } });
		// a second click on the same card: not passed on, told it was decided
		const again = await passOn(click(APPROVER, DECLINE_ACTION_ID));
		expect(again.calls).toHaveLength(0);
		expect(again.response).toMatchObject({ userPrivateData: { cardParamMap: { notice: NOTICES.alreadyDecided } } });
	});

	test('Decline resumes with approved false', async () => {
		const { click } = await sendApprovalCard();
		const { calls } = await passOn(click(APPROVER, DECLINE_ACTION_ID));
		expect(resumedWith(calls[0])).toMatchObject({ approved: false, userId: APPROVER });
	});

	test('someone not among the Approvers: told so, privately; nothing resumed', async () => {
		const { click } = await sendApprovalCard();
		const { response, calls } = await passOn(click(OTHER, APPROVE_ACTION_ID));
		expect(calls[0].status).toBe(200);
		expect(calls[0].result.workflowData).toBeUndefined();
		expect(calls[0].logged.join('\n')).toContain(`${OTHER}, not among the Approvers of node "DingTalk Robot"`);
		expect(response).toEqual({ userPrivateData: { cardParamMap: { notice: NOTICES.notAllowed } }, cardUpdateOptions: { updatePrivateDataByKey: true } });
	});

	test.each([
		['a proof made with another secret', (click: SendAndWaitClick) => clickPost('not-the-client-secret', click, Date.now()), undefined],
		['a changed choice under a valid proof', (click: SendAndWaitClick) => ({ ...clickPost(APP.clientSecret, click, Date.now()), action: 'approve' }), undefined],
		['a changed user under a valid proof', (click: SendAndWaitClick) => ({ ...clickPost(APP.clientSecret, { ...click, userId: OTHER }, Date.now()), userId: APPROVER }), undefined],
		['a stale click (older than the proof may be)', (click: SendAndWaitClick) => clickPost(APP.clientSecret, click, Date.now() - PROOF_MAX_AGE_MS - 10_000), undefined],
		['another execution\'s card', (click: SendAndWaitClick) => clickPost(APP.clientSecret, { ...click, outTrackId: sendAndWaitOutTrackId('4711', 'robot') }, Date.now()), undefined],
		['another node\'s card', (click: SendAndWaitClick) => clickPost(APP.clientSecret, { ...click, outTrackId: sendAndWaitOutTrackId('local-execution', 'other-node') }, Date.now()), undefined],
		['a valid click posted to another execution\'s resume URL', (click: SendAndWaitClick) => clickPost(APP.clientSecret, click, Date.now()), '/webhook-waiting/4711/robot'],
		['no proof at all', (click: SendAndWaitClick) => ({ outTrackId: click.outTrackId, userId: click.userId, action: 'approve', timestamp: Date.now() }), undefined],
	])('%s: refused (403), nothing resumed, logged without a secret', async (_label, body, otherPath) => {
		const { click } = await sendApprovalCard();
		const decline = click(APPROVER, DECLINE_ACTION_ID);
		const url = new URL(decline.resumeUrl);
		if (otherPath) url.pathname = otherPath;
		const call = await callWaitingWebhook(APPROVAL, url.toString(), 'POST', body(decline));
		expect(call.status).toBe(403);
		expect(call.result.workflowData).toBeUndefined();
		expect(call.body).toMatchObject({ outcome: 'refused', response: { userPrivateData: { cardParamMap: { notice: NOTICES.refused } } } });
		const log = call.logged.join('\n');
		expect(log).toContain('warn DingTalk Robot: a click posted to the Send and Wait node "DingTalk Robot" was refused');
		expect(log).not.toContain(APP.clientSecret);
	});

	test('the resume URL opened in a browser: a page saying to answer in DingTalk, nothing resumed', async () => {
		const { click } = await sendApprovalCard();
		const call = await callWaitingWebhook(APPROVAL, click(APPROVER, APPROVE_ACTION_ID).resumeUrl, 'GET', {});
		expect(call.result.workflowData).toBeUndefined();
		expect(String(call.body)).toContain('Nothing was recorded');
	});

	test('without Approvers anyone who sees the card decides', async () => {
		const parameters = { ...APPROVAL, approvers: '' };
		const { click } = await sendApprovalCard(parameters);
		const { calls } = await passOn(click(OTHER, APPROVE_ACTION_ID), parameters);
		expect(resumedWith(calls[0])).toMatchObject({ approved: true, userId: OTHER });
	});
});

test('an Approvers entry with a space inside fails the node naming the field, before any card is sent', async () => {
	const { error } = await run({ ...APPROVAL, approvers: 'manager 4521' });
	expect(error?.message).toMatch(/^Item 0: "Approvers" has "manager 4521", which has a space inside/);
	expect(sim.cards()).toHaveLength(0);
});

describe('Send and Wait for Response as the app robot, Free Text and Custom Form', () => {
	test.each([
		['Free Text', { responseType: 'freeText' }],
		['Custom Form', { responseType: 'customForm', defineForm: 'json', jsonOutput: '[{ "fieldLabel": "Reason", "fieldType": "text" }]' }],
	])('%s: the app robot\'s actionCard in the group, its button n8n\'s signed form URL; the execution waits', async (_label, form) => {
		const { run: execution, error } = await run({ operation: 'sendAndWait', target: 'app', cardDestination: 'group', cardOpenConversationId: GROUP, title: 'Refund', message: 'Why?', ...form });
		expect(error).toBeUndefined();
		expect(execution.status).toBe('waiting');
		expect(sim.cards()).toHaveLength(0);
		const messages = sim.groupMessages(GROUP);
		expect(messages).toHaveLength(1);
		const [message] = messages;
		expect(message.robotCode ?? APP.robotCode).toBe(APP.robotCode);
		expect(message.msgKey).toMatch(/^sampleActionCard/);
		const param = message.msgParam as Record<string, string>;
		expect(param.title).toBe('Refund');
		expect(param.text).toContain('Why?');
		const links = Object.entries(param).filter(([key]) => /url/i.test(key)).map(([, value]) => value);
		expect(links).toHaveLength(1);
		// a dingtalk:// link opening the page in DingTalk carries n8n's URL as its url parameter
		const url = new URL(links[0].startsWith('dingtalk:') ? (new URL(links[0]).searchParams.get('url') ?? '') : links[0]);
		expect(url.origin + url.pathname).toBe('http://127.0.0.1/webhook-waiting/local-execution/robot');
		expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(message)).not.toContain(APP.clientSecret);
	});
});
