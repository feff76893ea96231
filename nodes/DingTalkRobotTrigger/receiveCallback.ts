/**
 * What the trigger does with one HTTP call: refuse it unless its body is of a sane size (413),
 * DingTalk signed it (401/403), it is a DingTalk message (400) and its signature was not used
 * for another message (403); answer a retry or a filtered-out message with no message; and
 * otherwise start the workflow with one normalized item. Refused calls start nothing. A click on
 * a card's button (Events) is told by its body and checked as one (receiveCardCallback.ts).
 *
 * The trigger answers DingTalk itself as soon as the answer is known (unless Respond is "From a
 * Later Node"), before the workflow starts: n8n 2 would otherwise hold the answer until it has
 * recorded the execution, and a call checked with the kept credential (callbackSecrets.ts) is
 * answered before the fresh read that decides whether its workflow starts.
 */
import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import { capitalized, credentialLabel } from '../shared/credentialLabel';
import { normalizeIncomingMessage, passesFilters, readIncomingBody, type IncomingItemOptions, type IncomingMessageItem } from '../shared/incoming/incomingMessage';
import { MAX_CALLBACK_BODY_BYTES, declaredBodyLength, header, receivedBody, verifyCallback, type CallbackSecrets } from './callback';
import { CALLBACK_CREDENTIAL_TYPE, hasProof, keptSecrets, readSecrets } from './callbackSecrets';
import { looksLikeCardCallback } from '../shared/incoming/cardAction';
import { readEvents } from '../shared/incoming/cardActionSettings';
import { receivedItem } from '../shared/incoming/receivedFiles';
import { answerNow, type CallbackCall, type Decision as AnyDecision } from './callbackAnswers';
import { receiveCardCallback } from './receiveCardCallback';
import { recentCallbacks } from './recentMessages';
import { bodyDigest, signedPairs } from './signedPairs';

/** DingTalk's "say nothing" answer to a callback. */
const NO_MESSAGE = { msgtype: 'empty' };

type Decision = AnyDecision<IncomingMessageItem>;

/**
 * Reads the body, judges the signature's pair, applies the filters and the msgId memory. The pair
 * is remembered before the filters, so that a filtered-out message's pair carries nothing later.
 */
function decide(ctx: IWebhookFunctions, call: CallbackCall, secrets: CallbackSecrets): Decision {
	const reading = readIncomingBody(call.body);
	if (!reading.ok) return { kind: 'refuse', status: 400, reason: reading.reason };

	if (secrets.appSecret?.trim()) {
		const arrival = { digest: bodyDigest(call.received), msgId: reading.body.msgId };
		const pair = signedPairs.check(header(call.headers, 'timestamp') ?? '', header(call.headers, 'sign') ?? '', arrival, call.now);
		if (pair.kind === 'replay') return { kind: 'refuse', status: 403, reason: pair.reason };
		if (pair.kind === 'retry') return { kind: 'answer', answer: NO_MESSAGE };
	}

	const options = ctx.getNodeParameter('options', {}) as IncomingItemOptions;
	const item = normalizeIncomingMessage(reading.body, { robotName: options.robotName });
	if (!passesFilters(item, options)) return { kind: 'answer', answer: NO_MESSAGE };

	const scope = `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
	if (recentCallbacks.seenBefore(`${scope}:${item.messageId}`, call.now)) return { kind: 'answer', answer: NO_MESSAGE };

	const response = ctx.getNodeParameter('response', 'empty') as string;
	const responseText = response === 'text' ? String(ctx.getNodeParameter('responseText', '')).trim() : '';
	// DingTalk refuses a text message without content: a blank fixed text answers with no message
	return { kind: 'run', answer: responseText ? { msgtype: 'text', text: { content: responseText } } : NO_MESSAGE, item };
}

/** The execution to start with the call's item (already answered), its files downloaded when Download Attachments is on. */
async function runs(ctx: IWebhookFunctions, item: IncomingMessageItem, response: Omit<IWebhookResponseData, 'workflowData'> = { noWebhookResponse: true }): Promise<IWebhookResponseData> {
	const download = ctx.getNodeParameter('downloadAttachments', false) === true;
	const withFiles = await receivedItem(ctx, item, download, ctx.getNodeParameter('options', {}) as IDataObject);
	return { ...response, workflowData: [[withFiles]] };
}

export async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const headers = this.getHeaderData() as IDataObject;
	const request = this.getRequestObject() as { rawBody?: unknown; body?: unknown };
	// the declared length first: a huge body is refused before anything else is done with it
	const tooLarge: Decision = { kind: 'refuse', status: 413, reason: `the body is larger than ${MAX_CALLBACK_BODY_BYTES / 1024 / 1024} MB: it is not a DingTalk message` };
	if ((declaredBodyLength(headers) ?? 0) > MAX_CALLBACK_BODY_BYTES) return answerNow(this, tooLarge);
	const call: CallbackCall = { headers, body: request.body, received: receivedBody(request.rawBody, request.body), now: Date.now() };
	if (Buffer.byteLength(call.received) > MAX_CALLBACK_BODY_BYTES) return answerNow(this, tooLarge);

	// a click on a card's button (Events: Card Button Clicks, or Both) has checks of its own
	const events = readEvents(this);
	if (events.cardActions && looksLikeCardCallback(call.body)) return await receiveCardCallback(this, call);
	if (!events.robotMessages) {
		return answerNow(this, { kind: 'refuse', status: 400, reason: 'this trigger takes clicks on card buttons only (Events): the body is not one' });
	}

	// the answer of a later node (Respond: From a Later Node) comes after the run: no early answer then
	const laterNodeAnswers = this.getNodeParameter('response', 'empty') === 'responseNode';
	// a kept value with nothing for robot messages (a card secret only) proves nothing here
	const kept = laterNodeAnswers ? undefined : keptSecrets(this);
	if (kept && hasProof(kept) && verifyCallback(headers, kept, call.now).ok) {
		const decision = decide(this, call, kept);
		const answered = answerNow(this, decision);
		if (decision.kind !== 'run') return answered;
		// the workflow starts only if a read begun after this call still verifies it (callbackSecrets.ts);
		// a failed read starts nothing here (the call is answered), and the next call reads again and reports it
		const fresh = await readSecrets(this).catch(() => undefined);
		return fresh && hasProof(fresh) && verifyCallback(headers, fresh, call.now).ok ? await runs(this, decision.item) : answered;
	}

	const secrets = await readSecrets(this);
	if (!hasProof(secrets)) {
		// a setup mistake, not a bad caller: fail loudly so it shows in the executions list
		const label = credentialLabel(this.getNode(), CALLBACK_CREDENTIAL_TYPE, 'DingTalk Robot Callback');
		throw new NodeOperationError(this.getNode(), `${capitalized(label)} has neither an App Secret nor an Outgoing Token`, {
			description: 'Without one of them the trigger cannot tell DingTalk\'s calls from anyone else\'s. Enter the robot\'s AppSecret (or the Outgoing Token of a custom robot).',
		});
	}
	const verdict = verifyCallback(headers, secrets, call.now);
	const decision: Decision = verdict.ok ? decide(this, call, secrets) : { kind: 'refuse', status: verdict.status, reason: verdict.reason };
	if (laterNodeAnswers && decision.kind !== 'refuse') {
		// n8n answers with the later node's message, or with this one when nothing runs
		return decision.kind === 'run' ? await runs(this, decision.item, { webhookResponse: decision.answer }) : { webhookResponse: decision.answer };
	}
	const answered = answerNow(this, decision);
	return decision.kind === 'run' ? await runs(this, decision.item) : answered;
}
