/**
 * What the node outputs: one item per input item, in input order, paired with it. A sent item
 * says what DingTalk answered; a failed one (Continue On Fail) says why, and, where it is the
 * truth, what was posted anyway (parts of a split message) or that DingTalk may have posted it.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { MessageInputError } from '../../messages/fields';
import { nameCredentials } from '../../../shared/credentialLabel';
import type { RobotMessageBody } from '../../messages/types';

/** "Item 3", "Items 0–19" (a range), or "Items 0, 2, 5" */
export function itemLabel(indices: number[]): string {
	if (indices.length === 1) return `Item ${indices[0]}`;
	const contiguous = indices.every((index, position) => position === 0 || index === indices[position - 1] + 1);
	if (contiguous) return `Items ${indices[0]}–${indices[indices.length - 1]}`;
	return `Items ${indices.length > 10 ? `${indices.slice(0, 10).join(', ')}, …` : indices.join(', ')}`;
}

/** Every failure leaves the node as an n8n error that names the item (and the credential, as its user named it). */
export function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	const node = ctx.getNode();
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.message = nameCredentials(node, error.message);
		if (error.description) error.description = nameCredentials(node, error.description);
		return error;
	}
	if (error instanceof MessageInputError) {
		return new NodeOperationError(node, `Item ${itemIndex}: ${nameCredentials(node, error.message)}`, {
			itemIndex,
			...(error.hint && { description: nameCredentials(node, error.hint) }),
		});
	}
	// e.g. an expression that fails for this item: keep n8n's error, say which item
	const cause = error as Error & { description?: string };
	return new NodeOperationError(ctx.getNode(), cause, {
		itemIndex,
		message: `Item ${itemIndex}: ${cause.message}`,
		...(cause.description && { description: cause.description }),
	});
}

/** How far a message with several parts got before it failed. */
export interface PartsProgress {
	parts: number;
	posted: number;
}

/** One error item per input item the failed message carried, each paired with its own item. */
export function errorItems(
	error: NodeApiError | NodeOperationError,
	itemIndices: number[],
	body?: RobotMessageBody,
	progress?: PartsProgress,
): INodeExecutionData[] {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const cause = (error as { errorResponse?: IDataObject }).errorResponse;
	if (cause && typeof cause.errcode === 'number') {
		json.errcode = cause.errcode;
		json.errmsg = cause.errmsg;
	}
	if (body) {
		json.msgtype = body.msgtype;
		json.msgUuid = body.msgUuid;
	}
	if (typeof error.context?.attempts === 'number') json.attempts = error.context.attempts;
	if (error.context?.mayHaveBeenPosted === true) json.mayHaveBeenPosted = true;
	if (progress && progress.parts > 1) {
		json.parts = progress.parts;
		json.partsPosted = progress.posted;
	}
	if (itemIndices.length > 1) json.items = itemIndices.length;
	return itemIndices.map((item) => ({ json: { ...json }, pairedItem: [{ item }] }));
}

/** One output item per input item a message carried: the same answer, each paired with its own item. */
export function sentItems(itemIndices: number[], json: IDataObject): INodeExecutionData[] {
	if (itemIndices.length > 1) json.items = itemIndices.length;
	return itemIndices.map((item) => ({ json: { ...json }, pairedItem: [{ item }] }));
}

/**
 * Tells a failure of part `failedPart` that the parts before it were posted, in the message the
 * execution fails with and in the description.
 */
export function afterPartsPosted(error: NodeApiError | NodeOperationError, progress: PartsProgress, fixedId: boolean): void {
	if (progress.parts <= 1 || progress.posted === 0) return;
	const posted = progress.posted === 1 ? 'part 1' : `parts 1–${progress.posted}`;
	error.message = `${error.message}; ${posted} of ${progress.parts} ${progress.posted === 1 ? 'was' : 'were'} posted`;
	error.description =
		`${posted[0].toUpperCase()}${posted.slice(1)} of ${progress.parts} ${progress.posted === 1 ? 'is' : 'are'} in the group. ` +
		(fixedId
			? 'Running again with the same Message ID does not post them again: DingTalk posts each part once per msgUuid. '
			: 'Set Options › Message ID (e.g. {{ $json.alertId }}) so that running again does not post them a second time. ') +
		(error.description ?? '');
}
