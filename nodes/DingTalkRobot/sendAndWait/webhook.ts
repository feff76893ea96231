/**
 * The node's webhook: n8n calls it when someone opens a button's link of the waiting execution
 * (n8n has checked the link's signature and that the execution waits at this node before; a
 * forged, altered or spent link never gets here). It keeps no state of its own, so any n8n
 * process may serve it (queue mode: main or webhook processes): everything it needs is the
 * request and the node's parameters.
 * - Approval: the link's `approved=true|false` is the answer; the page says it was recorded.
 *   Link previews (a request without a browser's User-Agent, or a known crawler's) record
 *   nothing, as n8n's own nodes do, so a chat unfurling the link cannot approve anything.
 * - Free Text and Custom Form: GET shows n8n's form page; the form's POST is the answer.
 * Outputs are n8n's: `{ data: { approved, respondedAt } }`, `{ data: { text, respondedAt } }`,
 * `{ data: { <field>: <value>, …, respondedAt } }`.
 */
import type { IDataObject, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { appApprovalWebhook } from './appWebhook';
import { formAnswer } from './formAnswer';
import { parseFormFields, type FormField } from './formFields';
import { FORM_SANDBOX_CSP, formPageData } from './formPage';
import { ANSWER_RECORDED_PAGE, FORM_UNAVAILABLE_PAGE, UNREADABLE_ANSWER_PAGE } from './pages';
import { messageText, type ResponseType } from './request';

/**
 * The node's waiting webhooks, as n8n's own Send and Wait nodes declare them: GET (a link opened,
 * a form shown) and POST (a form sent) on the resume URL `…/<executionId>/<nodeId>`, only for a
 * waiting execution (restartWebhook).
 */
export const SEND_AND_WAIT_WEBHOOKS: IWebhookDescription[] = (['GET', 'POST'] as const).map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));

/** What n8n's editor shows on the waiting node. */
export const SEND_AND_WAIT_WAITING_TOOLTIP = '={{ $parameter["operation"] === "sendAndWait" ? "Execution will continue after the user\'s response" : "" }}';

/** The one field of the Free Text form (n8n's: a required textarea labelled Response). */
const FREE_TEXT_FIELDS: FormField[] = [{ fieldType: 'textarea', fieldLabel: 'Response', requiredField: true }];

/**
 * Crawlers and link previews (chat apps fetch a link to show a preview). A browser always sends
 * a User-Agent; a request without one is taken for a preview too (n8n 2.x does the same).
 */
const PREVIEW_AGENTS = /bot\b|bot\/|crawl|spider|slurp|preview|facebookexternalhit|embedly|quora link|whatsapp|skypeuripreview|teams|discord|slack|telegram|vkshare|pinterest|bitly|outbrain|yahoo|bingpreview|google-inspectiontool|headlesschrome|phantomjs|curl\/|wget\/|python-requests|go-http-client|okhttp|axios\/|node-fetch|undici/i;

export function isLinkPreview(userAgent: unknown): boolean {
	if (typeof userAgent !== 'string' || userAgent.trim() === '') return true;
	return PREVIEW_AGENTS.test(userAgent);
}

/** The form's customizations from the options, as n8n's Send and Wait nodes take them. */
function formSettings(ctx: IWebhookFunctions) {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
	const description = text(options.responseFormDescription).trim() || text(ctx.getNodeParameter('message', ''));
	return {
		title: text(options.responseFormTitle),
		description: messageText(description),
		buttonLabel: text(options.responseFormButtonLabel).trim() || 'Submit',
		customCss: text(options.responseFormCustomCss) || undefined,
		appendAttribution: options.appendAttribution !== false,
	};
}

/** The fields of the page: Free Text's one textarea, or the Custom Form's fields as the node defines them now. */
function readFields(ctx: IWebhookFunctions, responseType: ResponseType): FormField[] {
	if (responseType === 'freeText') return FREE_TEXT_FIELDS;
	const defineForm = ctx.getNodeParameter('defineForm', 'fields');
	return parseFormFields(defineForm, ctx.getNodeParameter(defineForm === 'json' ? 'jsonOutput' : 'formFields', undefined));
}

function isMultipart(ctx: IWebhookFunctions): boolean {
	const contentType = ctx.getRequestObject().headers['content-type'];
	return typeof contentType === 'string' && contentType.toLowerCase().startsWith('multipart/form-data');
}

/** An HTML page the node answers itself with; the execution keeps waiting. */
function answerWithPage(ctx: IWebhookFunctions, status: number, html: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.setHeader('Content-Security-Policy', FORM_SANDBOX_CSP);
	res.send(html);
	return { noWebhookResponse: true };
}

/** The answer resumes the execution; the person sees that it was recorded. */
function recorded(ctx: IWebhookFunctions, data: IDataObject): IWebhookResponseData {
	ctx.getResponseObject().setHeader('Content-Security-Policy', FORM_SANDBOX_CSP);
	return {
		webhookResponse: ANSWER_RECORDED_PAGE,
		workflowData: [[{ json: { data: { ...data, respondedAt: new Date().toISOString() } } }]],
	};
}

async function formResponse(ctx: IWebhookFunctions, responseType: ResponseType): Promise<IWebhookResponseData> {
	const method = ctx.getRequestObject().method;
	let fields: FormField[];
	try {
		fields = readFields(ctx, responseType);
	} catch (error) {
		ctx.logger.warn(`DingTalk Robot: the response form of node "${ctx.getNode().name}" cannot be built: ${(error as Error).message}`);
		return answerWithPage(ctx, 500, FORM_UNAVAILABLE_PAGE);
	}
	if (method === 'POST') {
		const posted = ctx.getBodyData().data;
		if (!isMultipart(ctx) || typeof posted !== 'object' || posted === null || Array.isArray(posted)) {
			ctx.logger.debug(`DingTalk Robot: a post to the response form of node "${ctx.getNode().name}" carried no form fields; nothing recorded`);
			return answerWithPage(ctx, 400, UNREADABLE_ANSWER_PAGE);
		}
		const answer = formAnswer(fields, posted as IDataObject);
		// Free Text's one field is n8n's `text`
		return recorded(ctx, responseType === 'freeText' ? { text: answer.Response } : answer);
	}
	const settings = formSettings(ctx);
	const res = ctx.getResponseObject();
	res.setHeader('Content-Security-Policy', FORM_SANDBOX_CSP);
	res.render('form-trigger', formPageData({ ...settings, fields }));
	return { noWebhookResponse: true };
}

export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const responseType = this.getNodeParameter('responseType', 'approval') as ResponseType;
	const req = this.getRequestObject();
	// the app robot's approval card: its clicks come posted from the Stream connection, with a proof
	if (responseType === 'approval' && this.getNodeParameter('target', 'robot') === 'app') return await appApprovalWebhook(this);
	if (responseType === 'freeText' || responseType === 'customForm') {
		if (req.method === 'GET' || req.method === 'POST') return await formResponse(this, responseType);
		// only GET and POST are declared; should n8n pass anything else, a form's link approves nothing
		this.logger.debug(`DingTalk Robot: a ${String(req.method)} request to the response form of node "${this.getNode().name}"; nothing recorded`);
		return answerWithPage(this, 405, UNREADABLE_ANSWER_PAGE);
	}
	if (isLinkPreview(req.headers['user-agent'])) {
		this.logger.debug(`DingTalk Robot: a link preview opened an approval link of node "${this.getNode().name}"; nothing recorded`);
		this.getResponseObject().send('');
		return { noWebhookResponse: true };
	}
	const query = (req.query ?? {}) as IDataObject;
	return recorded(this, { approved: query.approved === 'true' });
}
