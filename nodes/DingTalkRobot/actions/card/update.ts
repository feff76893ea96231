/** Update Card: a card's variables (only those given, or all), and an AI card's state. */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { updateCard } from '../../transport/cards';
import { errorItems, toNodeError } from '../send/outputs';
import { readCardOutTrackId, readCardParamMap } from './params';
import { openAppCalls } from '../appCalls';

export async function updateCards(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const { session, settings } = await openAppCalls(this);
	const outputs: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const outTrackId = readCardOutTrackId(this, itemIndex);
			const cardParamMap = readCardParamMap(this, itemIndex);
			const merge = this.getNodeParameter('cardUpdateMode', itemIndex, 'merge') !== 'replace';
			const attempts = await updateCard(this, session, { outTrackId, cardParamMap, merge }, { index: itemIndex, label: `Item ${itemIndex}` }, settings);
			outputs.push({ json: { outTrackId, updated: Object.keys(cardParamMap), attempts }, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			outputs.push(...errorItems(error, [itemIndex]));
		}
	}
	return [outputs];
}
