/**
 * What Send and Wait for Response asks, read from the operation's form for the first input item
 * (n8n's own Send and Wait nodes send one message per execution, from the first item): the title,
 * the message, the response type, the buttons (n8n's: Approve, or Decline then Approve, or one
 * Respond button that opens the form), the form's fields, and until when to wait. Independent of
 * how the message travels: the group robot's actionCard links its buttons to n8n's resume URL
 * (messages/sendAndWaitCard.ts); an app robot's card can carry the same buttons as card actions.
 */
import { SEND_AND_WAIT_OPERATION, type IExecuteFunctions } from 'n8n-workflow';

import { MessageInputError, describeValue, optionalText, readBoolean, requireText } from '../messages/fields';
import { parseFormFields, type FormField } from './formFields';
import { readWaitTill } from './waitTill';

export { SEND_AND_WAIT_OPERATION };

export const RESPONSE_TYPES = ['approval', 'freeText', 'customForm'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

export interface ResponseButton {
	label: string;
	/** what choosing it answers (a form's Respond button: true, as n8n's) */
	approved: boolean;
	/** the query of n8n's resume URL for it: `approved=true|false` */
	query: Record<string, string>;
}

export interface SendAndWaitRequest {
	responseType: ResponseType;
	title: string;
	/** the message, markdown; n8n's `\n` and `<br>` written as text become line breaks */
	message: string;
	buttons: ResponseButton[];
	appendAttribution: boolean;
	/** a Custom Form's fields, checked */
	formFields?: FormField[];
	waitTill: Date;
	/** the operation's options as set, for what a transport reads of its own */
	options: Record<string, unknown>;
}

/** The labels of n8n's Approval Options, with the defaults of this node's form. */
export const DEFAULT_APPROVE_LABEL = 'Approve';
export const DEFAULT_DECLINE_LABEL = 'Decline';
export const DEFAULT_RESPOND_LABEL = 'Respond';

/** n8n's message: its text `\n` and `<br>` are line breaks. */
export function messageText(value: string): string {
	return value.trim().replace(/\\n/g, '\n').replace(/<br\s*\/?>/gi, '\n');
}

/** A title from the message when none is given: its first line without markdown marks, at most 64 characters. */
function titleFromMessage(message: string): string {
	const line = message.split('\n').find((candidate) => candidate.replace(/[#>*_`[\]!-]/g, '').trim() !== '') ?? '';
	const plain = line.replace(/!\[[^\]]*\]\([^)]*\)/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[#>*_`]/g, '').trim();
	return Array.from(plain).slice(0, 64).join('') || 'Response needed';
}

function label(value: unknown, field: string, fallback: string): string {
	const text = optionalText(value, field).trim();
	return text === '' ? fallback : text;
}

function readButtons(responseType: ResponseType, approval: Record<string, unknown>, options: Record<string, unknown>): ResponseButton[] {
	const approve = (labelText: string): ResponseButton => ({ label: labelText, approved: true, query: { approved: 'true' } });
	if (responseType !== 'approval') return [approve(label(options.messageButtonLabel, 'Options › Message Button Label', DEFAULT_RESPOND_LABEL))];
	const approveLabel = label(approval.approveLabel, 'Approval Options › Approve Button Label', DEFAULT_APPROVE_LABEL);
	const approvalType = approval.approvalType ?? 'single';
	if (approvalType === 'single') return [approve(approveLabel)];
	if (approvalType !== 'double') throw new MessageInputError('Approval Options › Type of Approval', `must be Approve Only or Approve and Disapprove, got ${describeValue(approvalType)}`);
	const declineLabel = label(approval.disapproveLabel, 'Approval Options › Disapprove Button Label', DEFAULT_DECLINE_LABEL);
	if (declineLabel === approveLabel) throw new MessageInputError('Approval Options › Disapprove Button Label', `is the same as the Approve Button Label ("${approveLabel}"): nobody could tell the buttons apart`);
	// n8n's order: decline first, approve last
	return [{ label: declineLabel, approved: false, query: { approved: 'false' } }, approve(approveLabel)];
}

/** Reads and checks the operation's form for one item (n8n's nodes: the first). */
export function readSendAndWaitRequest(ctx: IExecuteFunctions, itemIndex: number, nowMs: number): SendAndWaitRequest {
	const param = (name: string, fallback: unknown) => ctx.getNodeParameter(name, itemIndex, fallback);
	const responseType = param('responseType', 'approval') as ResponseType;
	if (!RESPONSE_TYPES.includes(responseType)) throw new MessageInputError('Response Type', `must be Approval, Free Text or Custom Form, got ${describeValue(responseType)}`);
	const message = messageText(requireText(param('message', ''), 'Message'));
	const givenTitle = optionalText(param('title', ''), 'Title').trim();
	const options = param('options', {}) as Record<string, unknown>;
	if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new MessageInputError('Options', `must be a set of options, got ${describeValue(options)}`);
	const approval = responseType === 'approval' ? ((param('approvalOptions.values', {}) ?? {}) as Record<string, unknown>) : {};
	const formFields = responseType === 'customForm' ? parseFormFields(param('defineForm', 'fields'), param(param('defineForm', 'fields') === 'json' ? 'jsonOutput' : 'formFields', undefined)) : undefined;
	return {
		responseType,
		title: givenTitle || titleFromMessage(message),
		message,
		buttons: readButtons(responseType, approval, options),
		appendAttribution: readBoolean(options.appendAttribution, 'Options › Append n8n Attribution', true),
		...(formFields && { formFields }),
		waitTill: readWaitTill(options, nowMs),
		options,
	};
}
