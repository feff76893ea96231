/**
 * What the HTTP trigger decides for a call (a robot message or a card click) and how it answers:
 * itself, at once, before any workflow starts (receiveCallback.ts says why).
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** A call as received: its headers, the parsed body, the bytes (for their digest), when. */
export interface CallbackCall {
	headers: IDataObject;
	body: unknown;
	/** the body as received, for its digest */
	received: Buffer | string;
	now: number;
}

/** What becomes of a call whose proof checked out (or a refusal). */
export type Decision<Item extends IDataObject = IDataObject> =
	| { kind: 'refuse'; status: number; reason: string }
	| { kind: 'answer'; answer: IDataObject }
	| { kind: 'run'; answer: IDataObject; item: Item };

/** Answers the call now (a refusal with a short JSON reason, or the answer for DingTalk); n8n sends nothing more. */
export function answerNow(ctx: IWebhookFunctions, decision: Decision): IWebhookResponseData {
	const response = ctx.getResponseObject();
	if (decision.kind === 'refuse') response.status(decision.status).json({ errcode: decision.status, errmsg: decision.reason });
	else response.status(200).json(decision.answer);
	return { noWebhookResponse: true };
}

/** The execution to start with an item, the call already answered. */
export function startRun(item: IDataObject): IWebhookResponseData {
	return { noWebhookResponse: true, workflowData: [[{ json: item }]] };
}
