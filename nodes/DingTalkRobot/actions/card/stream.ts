/**
 * Stream Card Text: text into a card's streaming variable, item by item. All items are handed
 * to the card's streamer at once (transport/cardStreamer.ts), so that updates are combined: one
 * call in flight per card, each carrying the whole text so far; the finalize (or the failed
 * state) goes last. Each item ends when an update carrying its text was accepted.
 */
import { randomUUID } from 'crypto';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { optionalText, readBoolean, requireText } from '../../messages/fields';
import { cardStreamer } from '../../transport/cardStreamer';
import { streamCardText } from '../../transport/cards';
import { errorItems, toNodeError } from '../send/outputs';
import { readCardOutTrackId } from './params';
import { openAppCalls } from '../appCalls';

export async function streamCardTexts(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const { session, settings } = await openAppCalls(this);
	const pushes = items.map(async (_, itemIndex) => {
		const item = { index: itemIndex, label: `Item ${itemIndex}` };
		const outTrackId = readCardOutTrackId(this, itemIndex);
		const key = requireText(this.getNodeParameter('streamKey', itemIndex, 'msgContent'), 'Variable').trim();
		const text = optionalText(this.getNodeParameter('streamText', itemIndex, ''), 'Text');
		const mode = this.getNodeParameter('streamTextMode', itemIndex, 'append') === 'full' ? 'full' : 'append';
		const failed = readBoolean(this.getNodeParameter('streamFailed', itemIndex, false), 'Mark as Failed', false);
		const finalize = failed || readBoolean(this.getNodeParameter('streamFinalize', itemIndex, false), 'Finalize', false);
		const streamer = cardStreamer(outTrackId);
		await streamer.push({ text, mode, finalize, error: failed }, async (update) => {
			await streamCardText(this, session, { outTrackId, key, guid: randomUUID(), ...update }, item, settings);
		});
		return { outTrackId, length: streamer.text.length, finalized: streamer.done, updates: streamer.calls };
	});
	const outcomes = await Promise.allSettled(pushes);
	const outputs: INodeExecutionData[] = [];
	for (const [itemIndex, outcome] of outcomes.entries()) {
		if (outcome.status === 'fulfilled') {
			outputs.push({ json: outcome.value, pairedItem: { item: itemIndex } });
			continue;
		}
		const error = toNodeError(this, outcome.reason, itemIndex);
		if (!this.continueOnFail()) throw error;
		outputs.push(...errorItems(error, [itemIndex]));
	}
	return [outputs];
}
