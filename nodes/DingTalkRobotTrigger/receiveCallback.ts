/**
 * What the trigger does with one HTTP call: refuse it unless its body is of a sane size (413),
 * DingTalk signed it (401/403), it is a DingTalk message (400) and its signature was not used
 * for another message (403); answer a retry or a filtered-out message with no message; and
 * otherwise start the workflow with one normalized item. Refused calls start nothing.
 */
import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import {
	MAX_CALLBACK_BODY_BYTES,
	declaredBodyLength,
	header,
	normalizeCallback,
	passesFilters,
	readCallbackBody,
	receivedBody,
	verifyCallback,
	type CallbackItemOptions,
} from './callback';
import { recentCallbacks } from './recentMessages';
import { bodyDigest, signedPairs } from './signedPairs';

export const CALLBACK_CREDENTIAL_TYPE = 'dingTalkRobotCallbackApi';

/** DingTalk's "say nothing" answer to a callback. */
const NO_MESSAGE = { msgtype: 'empty' };

/** Answers the call at once with `status` and a short JSON reason, and starts nothing. */
function refuse(ctx: IWebhookFunctions, status: number, reason: string): IWebhookResponseData {
	ctx.getResponseObject().status(status).json({ errcode: status, errmsg: reason });
	return { noWebhookResponse: true };
}

export async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const headers = this.getHeaderData() as IDataObject;
	const request = this.getRequestObject() as { rawBody?: unknown; body?: unknown };
	// the declared length first: a huge body is refused before anything else is done with it
	const tooLarge = `the body is larger than ${MAX_CALLBACK_BODY_BYTES / 1024 / 1024} MB: it is not a DingTalk message`;
	if ((declaredBodyLength(headers) ?? 0) > MAX_CALLBACK_BODY_BYTES) return refuse(this, 413, tooLarge);
	const received = receivedBody(request.rawBody, request.body);
	if (Buffer.byteLength(received) > MAX_CALLBACK_BODY_BYTES) return refuse(this, 413, tooLarge);

	const credentials = await this.getCredentials(CALLBACK_CREDENTIAL_TYPE);
	const secrets = { appSecret: String(credentials.appSecret ?? ''), outgoingToken: String(credentials.outgoingToken ?? '') };
	if (!secrets.appSecret.trim() && !secrets.outgoingToken.trim()) {
		// a setup mistake, not a bad caller: fail loudly so it shows in the executions list
		throw new NodeOperationError(this.getNode(), 'The DingTalk Robot Callback credential has neither an App Secret nor an Outgoing Token', {
			description: 'Without one of them the trigger cannot tell DingTalk\'s calls from anyone else\'s. Enter the robot\'s AppSecret (or the Outgoing Token of a custom robot).',
		});
	}

	const now = Date.now();
	const verdict = verifyCallback(headers, secrets, now);
	if (!verdict.ok) return refuse(this, verdict.status, verdict.reason);

	const reading = readCallbackBody(request.body);
	if (!reading.ok) return refuse(this, 400, reading.reason);

	if (secrets.appSecret.trim()) {
		// the sign covers the timestamp only: the pair is judged with the body it came with, and
		// remembered before the filters, so that a filtered-out message's pair carries nothing later
		const arrival = { digest: bodyDigest(received), msgId: reading.body.msgId };
		const pair = signedPairs.check(header(headers, 'timestamp') ?? '', header(headers, 'sign') ?? '', arrival, now);
		if (pair.kind === 'replay') return refuse(this, 403, pair.reason);
		if (pair.kind === 'retry') return { webhookResponse: NO_MESSAGE };
	}

	const options = this.getNodeParameter('options', {}) as CallbackItemOptions;
	const item = normalizeCallback(reading.body, { robotName: options.robotName });
	if (!passesFilters(item, options)) return { webhookResponse: NO_MESSAGE };

	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}`;
	if (recentCallbacks.seenBefore(`${scope}:${item.messageId}`, now)) return { webhookResponse: NO_MESSAGE };

	const response = this.getNodeParameter('response', 'empty') as string;
	const responseText = response === 'text' ? String(this.getNodeParameter('responseText', '')).trim() : '';
	// DingTalk refuses a text message without content: a blank fixed text answers with no message
	const webhookResponse = responseText ? { msgtype: 'text', text: { content: responseText } } : NO_MESSAGE;
	return { webhookResponse, workflowData: [[{ json: item }]] };
}
