/**
 * Send and Wait for Response as the app robot (Send To: App Robot), one message per execution
 * from the first item, as n8n's own nodes:
 * - Approval: a card of the user's template (createAndDeliver, callbackType STREAM) in a group or
 *   a one-to-one chat, its variables filled (nodes/shared/sendAndWaitClick.ts): the title, the
 *   message, the buttons' labels, the decline button off for Approve Only, and n8n's signed
 *   resume URL that the buttons pass back. Its outTrackId names this execution and node. The
 *   clicks come over Stream and are posted to that URL with a proof (sendAndWait/appWebhook.ts).
 * - Free Text and Custom Form: the app robot's actionCard (its sampleActionCard template) whose
 *   button opens n8n's form page, as the group robot's does.
 * Everything is read and checked before anything is sent; then the execution waits.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { CARD_VARIABLES, sendAndWaitOutTrackId } from '../../../shared/sendAndWaitClick';
import { toAppRobotMessage } from '../../messages/appTemplates';
import { requireText } from '../../messages/fields';
import { ATTRIBUTION } from '../../messages/sendAndWaitCard';
import { readSendAndWaitRequest, type SendAndWaitRequest } from '../../sendAndWait/request';
import { requireSignedResumes, signedResumeUrl } from '../../sendAndWait/resumeUrl';
import { buildResumeLinkCard } from './resumeLinkCard';
import { readApprovers } from '../../sendAndWait/appWebhook';
import { sendAppMessage } from '../../transport/appSend';
import { createAndDeliverCard, type CardDestination } from '../../transport/cards';
import { readCardDestination } from '../card/params';
import { errorItems, toNodeError } from '../send/outputs';
import { openAppCalls } from '../appCalls';

/** What the card says while it waits. */
export const WAITING_STATUS = 'Waiting for a decision';

/** The card's variables for an approval request (every value text, as DingTalk requires). */
export function approvalCardData(request: SendAndWaitRequest, resumeUrl: string): Record<string, string> {
	const decline = request.buttons.find((button) => !button.approved);
	const approve = request.buttons.find((button) => button.approved);
	return {
		[CARD_VARIABLES.title]: request.title,
		[CARD_VARIABLES.message]: request.appendAttribution ? `${request.message}\n\n${ATTRIBUTION}` : request.message,
		[CARD_VARIABLES.status]: WAITING_STATUS,
		[CARD_VARIABLES.approveLabel]: approve?.label ?? 'Approve',
		[CARD_VARIABLES.declineLabel]: decline?.label ?? '',
		[CARD_VARIABLES.approveDisabled]: 'false',
		// Approve Only: the template's decline button is off
		[CARD_VARIABLES.declineDisabled]: decline ? 'false' : 'true',
		[CARD_VARIABLES.resumeUrl]: resumeUrl,
	};
}

const appDestination = (destination: CardDestination) =>
	destination.kind === 'group' ? destination : { kind: 'users' as const, userIds: [destination.userId] };

export async function sendAndWaitAsApp(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const itemIndex = 0;
	const item = { index: itemIndex, label: `Item ${itemIndex}` };
	let waitTill: Date;
	try {
		const { session, app, settings } = await openAppCalls(this);
		const request = readSendAndWaitRequest(this, itemIndex, Date.now());
		waitTill = request.waitTill;
		const destination = readCardDestination(this, itemIndex);
		requireSignedResumes(this);
		if (request.responseType === 'approval') {
			// refused here, naming the field, rather than a list the right person can never match
			readApprovers(this.getNodeParameter('approvers', itemIndex, ''));
			const cardTemplateId = requireText(this.getNodeParameter('approvalCardTemplateId', itemIndex, ''), 'Card Template ID').trim();
			// the query-less URL: the choice travels in the posted click, under the proof
			const resumeUrl = signedResumeUrl(this, {});
			const card = {
				cardTemplateId,
				outTrackId: sendAndWaitOutTrackId(this.getExecutionId(), this.getNode().id),
				cardParamMap: approvalCardData(request, resumeUrl),
				destination,
				robotCode: app.robotCode,
				callback: { type: 'STREAM' as const },
			};
			await createAndDeliverCard(this, session, card, item, settings);
		} else {
			const card = buildResumeLinkCard(this, request);
			await sendAppMessage(this, session, toAppRobotMessage(card, 'Mentions'), app.robotCode, appDestination(destination), item, settings);
		}
	} catch (caught) {
		const error = toNodeError(this, caught, itemIndex);
		if (!this.continueOnFail()) throw error;
		return [errorItems(error, [itemIndex])];
	}
	await this.putExecutionToWait(waitTill);
	return [items];
}
