/**
 * Create Card: a card of a template, delivered into a group or a one-to-one chat by the app
 * robot, with an outTrackId the node chooses (or the user's) that later nodes update and stream
 * into. A card DingTalk did not deliver is an error that says what to do, or, with Fall Back to
 * Markdown, the Fallback Text sent as a markdown message instead (and the item says so).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { newOutTrackId, openSpaceId, readOutTrackId } from '../../messages/cardData';
import { optionalText, readBoolean, requireText } from '../../messages/fields';
import { sendAppMessage } from '../../transport/appSend';
import { createAndDeliverCard, type CardDestination } from '../../transport/cards';
import { errorItems, toNodeError } from '../send/outputs';
import { readCardDestination, readCardParamMap } from './params';
import { openAppCalls } from '../appCalls';

const destinationOutput = (destination: CardDestination): IDataObject =>
	destination.kind === 'group' ? { openConversationId: destination.openConversationId } : { userId: destination.userId };

export async function createCards(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const { session, app, settings } = await openAppCalls(this);
	const outputs: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = { index: itemIndex, label: `Item ${itemIndex}` };
		try {
			const options = this.getNodeParameter('cardOptions', itemIndex, {}) as IDataObject;
			const destination = readCardDestination(this, itemIndex);
			const given = optionalText(this.getNodeParameter('outTrackId', itemIndex, ''), 'Out Track ID').trim();
			const card = {
				cardTemplateId: requireText(this.getNodeParameter('cardTemplateId', itemIndex, ''), 'Card Template ID').trim(),
				outTrackId: given ? readOutTrackId(given, 'Out Track ID') : newOutTrackId(),
				cardParamMap: readCardParamMap(this, itemIndex),
				destination,
				robotCode: optionalText(this.getNodeParameter('robotCode', itemIndex, ''), 'Robot Code').trim() || app.robotCode,
				callback: options.callback === 'http' ? { type: 'HTTP' as const, routeKey: requireText(options.callbackRouteKey, 'Options › HTTP Route Key').trim() } : { type: 'STREAM' as const },
			};
			const fallback = readBoolean(options.fallbackToMarkdown, 'Options › Fall Back to Markdown', false) ? requireText(options.fallbackText, 'Options › Fallback Text') : undefined;
			const output: IDataObject = { outTrackId: card.outTrackId, cardTemplateId: card.cardTemplateId, openSpaceId: openSpaceId(destination), ...destinationOutput(destination) };
			const created = await createAndDeliverCard(this, session, card, item, settings).then(
				(result) => ({ ok: true as const, ...result }),
				(error: unknown) => ({ ok: false as const, error }),
			);
			if (created.ok) {
				outputs.push({ json: { ...output, attempts: created.attempts, ...(created.possibleDuplicate && { possibleDuplicate: true }) }, pairedItem: { item: itemIndex } });
			} else {
				if (fallback === undefined) throw toNodeError(this, created.error, itemIndex);
				// the person still gets it: the fallback text as a markdown message, where the card would have gone
				const sent = await sendAppMessage(
					this,
					session,
					{ msgKey: 'sampleMarkdown', msgParam: { title: fallback.split('\n')[0].slice(0, 64) || 'Message', text: fallback } },
					card.robotCode,
					destination.kind === 'group' ? destination : { kind: 'users', userIds: [destination.userId] },
					item,
					settings,
				);
				const reason = toNodeError(this, created.error, itemIndex).message;
				outputs.push({ json: { ...output, fallback: true, reason, processQueryKey: String(sent.body.processQueryKey) }, pairedItem: { item: itemIndex } });
			}
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			outputs.push(...errorItems(error, [itemIndex]));
		}
	}
	return [outputs];
}
