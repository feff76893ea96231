/**
 * Recall: takes back messages an app robot sent, by the processQueryKey its send returned, from a
 * group or from one-to-one chats (DingTalk: within 24 hours of sending, 20 keys per call). Each
 * item ends as the keys recalled, or an error that names every key DingTalk did not recall and
 * its reason (with Continue On Fail, an error item that also lists what was recalled).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { MessageInputError, describeValue, optionalText, requireText } from '../../messages/fields';
import { GROUP_RECALL_PATH, USERS_RECALL_PATH, callWithRetries } from '../../transport/appSend';
import { errorItems, sentItems, toNodeError } from '../send/outputs';
import { openAppCalls } from '../appCalls';

/** How many keys DingTalk recalls in one call (invalidParameter.processQueryKeys.overMax past it). */
const MAX_KEYS_PER_CALL = 20;

/** What DingTalk says when a message is too old to recall: the 24-hour limit, said plainly. */
const TOO_OLD = /过期|expired/i;

/** The keys to recall, from text (commas, spaces, new lines) or an array. */
export function readProcessQueryKeys(value: unknown): string[] {
	const field = 'Process Query Keys';
	const keys: string[] = [];
	const collect = (entry: unknown): void => {
		if (entry === undefined || entry === null || entry === '') return;
		if (Array.isArray(entry)) return entry.forEach(collect);
		if (typeof entry !== 'string' && typeof entry !== 'number') throw new MessageInputError(field, `must be text or a list, got ${describeValue(value)}`);
		keys.push(...String(entry).split(/[\s,，;；]+/).filter(Boolean));
	};
	collect(value);
	if (keys.length === 0) throw new MessageInputError(field, 'is required', 'Map it to the processQueryKey (or processQueryKeys) of the DingTalk Robot node that sent the messages.');
	return [...new Set(keys)];
}

export async function recallMessages(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const { session, app, settings } = await openAppCalls(this);
	const outputs: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const recalled: string[] = [];
		const failed: Record<string, string> = {};
		try {
			const fromGroup = this.getNodeParameter('recallFrom', itemIndex, 'group') === 'group';
			const keys = readProcessQueryKeys(this.getNodeParameter('processQueryKeys', itemIndex, ''));
			const robotCode = optionalText(this.getNodeParameter('robotCode', itemIndex, ''), 'Robot Code').trim() || app.robotCode;
			const openConversationId = fromGroup ? requireText(this.getNodeParameter('recallOpenConversationId', itemIndex, ''), 'Conversation ID').trim() : undefined;
			const item = { index: itemIndex, label: `Item ${itemIndex}` };
			for (let start = 0; start < keys.length; start += MAX_KEYS_PER_CALL) {
				const processQueryKeys = keys.slice(start, start + MAX_KEYS_PER_CALL);
				const body = fromGroup ? { robotCode, openConversationId, processQueryKeys } : { robotCode, processQueryKeys };
				// a recall made twice takes nothing back twice: it may be sent again whatever happened to the first
				const answer = await callWithRetries(this, session, fromGroup ? GROUP_RECALL_PATH : USERS_RECALL_PATH, body, item, settings, (answerBody) => Array.isArray(answerBody.successResult), 'always');
				recalled.push(...(answer.body.successResult as unknown[]).map(String));
				Object.assign(failed, answer.body.failedResult ?? {});
			}
			const failures = Object.entries(failed);
			if (failures.length > 0) {
				const tooOld = failures.some(([, reason]) => TOO_OLD.test(String(reason)));
				throw new NodeOperationError(
					this.getNode(),
					`Item ${itemIndex}: DingTalk did not recall ${failures.length} of ${keys.length} messages: ${failures.map(([key, reason]) => `${key} (${String(reason)})`).join('; ')}`,
					{
						itemIndex,
						description:
							(tooOld ? 'DingTalk recalls a message only within 24 hours of sending it: older messages stay. ' : '') +
							'A key must come from this robot\'s send to this conversation, and a message is recalled once. The others were recalled.',
					},
				);
			}
			const json: IDataObject = { recalled, robotCode, ...(openConversationId && { openConversationId }) };
			outputs.push(...sentItems([itemIndex], json));
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			const [errorItem] = errorItems(error, [itemIndex]);
			outputs.push({ ...errorItem, json: { ...errorItem.json, recalled, ...(Object.keys(failed).length && { failed }) } });
		}
	}
	return [outputs];
}
