/**
 * What the trigger does with one HTTP call: refuse it unless DingTalk signed it (401/403) and it
 * is a DingTalk message (400), answer a retry or a filtered-out message with no message, and
 * otherwise start the workflow with one normalized item. Refused calls start nothing.
 */
import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import { normalizeCallback, passesFilters, type CallbackItemOptions, readCallbackBody, verifyCallback } from './callback';
import { recentCallbacks, recentSignatures } from './recentMessages';

export const CALLBACK_CREDENTIAL_TYPE = 'dingTalkRobotCallbackApi';

/** DingTalk's "say nothing" answer to a callback. */
const NO_MESSAGE = { msgtype: 'empty' };


/** Answers the call at once with `status` and a short JSON reason, and starts nothing. */
function refuse(ctx: IWebhookFunctions, status: number, reason: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ errcode: status, errmsg: reason });
	return { noWebhookResponse: true };
}

export async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const credentials = await this.getCredentials(CALLBACK_CREDENTIAL_TYPE);
	const secrets = { appSecret: String(credentials.appSecret ?? ''), outgoingToken: String(credentials.outgoingToken ?? '') };
	if (!secrets.appSecret.trim() && !secrets.outgoingToken.trim()) {
		// a setup mistake, not a bad caller: fail loudly so it shows in the executions list
		throw new NodeOperationError(this.getNode(), 'The DingTalk Robot Callback credential has neither an App Secret nor an Outgoing Token', {
			description: 'Without one of them the trigger cannot tell DingTalk\'s calls from anyone else\'s. Enter the robot\'s AppSecret (or the Outgoing Token of a custom robot).',
		});
	}

	const now = Date.now();
	const verdict = verifyCallback(this.getHeaderData() as IDataObject, secrets, now);
	if (!verdict.ok) return refuse(this, verdict.status, verdict.reason);

	const reading = readCallbackBody(this.getRequestObject().body);
	if (!reading.ok) return refuse(this, 400, reading.reason);

	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
	if (secrets.appSecret.trim()) {
		// the sign covers the timestamp only: a pair seen with another message is a replay with a forged body
		const headers = this.getHeaderData() as IDataObject;
		const firstMsgId = recentSignatures.remember(`${scope}:${String(headers.timestamp).trim()}:${String(headers.sign).trim()}`, reading.body.msgId, now);
		if (firstMsgId !== undefined && firstMsgId !== reading.body.msgId) return refuse(this, 403, 'sign was already used for another message');
	}

	const options = this.getNodeParameter('options', {}) as CallbackItemOptions;
	const item = normalizeCallback(reading.body, { robotName: options.robotName });
	if (!passesFilters(item, options)) return { webhookResponse: NO_MESSAGE };

	if (recentCallbacks.seenBefore(`${scope}:${item.messageId}`, now)) return { webhookResponse: NO_MESSAGE };

	const response = this.getNodeParameter('response', 'empty') as string;
	const responseText = response === 'text' ? String(this.getNodeParameter('responseText', '')).trim() : '';
	// DingTalk refuses a text message without content: a blank fixed text answers with no message
	const webhookResponse = responseText ? { msgtype: 'text', text: { content: responseText } } : NO_MESSAGE;
	return { webhookResponse, workflowData: [[{ json: item }]] };
}
