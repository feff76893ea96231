/**
 * The actionCard whose buttons open n8n's signed resume URL (or its form page): what the group
 * robot sends for every response type, and the app robot for Free Text and Custom Form.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { MentionInput } from '../../messages/mentions';
import { buildSendAndWaitCard, readOpenButtonsIn } from '../../messages/sendAndWaitCard';
import type { ActionCardRobotMessage } from '../../messages/types';
import type { SendAndWaitRequest } from '../../sendAndWait/request';
import { signedResumeUrl } from '../../sendAndWait/resumeUrl';

/** `mentions`: the group robot's (written into the card's text); the app robot has none. */
export function buildResumeLinkCard(ctx: IExecuteFunctions, request: SendAndWaitRequest, mentions?: MentionInput): ActionCardRobotMessage {
	return buildSendAndWaitCard(
		{
			title: request.title,
			message: request.message,
			buttons: request.buttons.map((button) => ({ label: button.label, url: signedResumeUrl(ctx, button.query) })),
			appendAttribution: request.appendAttribution,
			openButtonsIn: readOpenButtonsIn(request.options.openButtonsIn),
			...(mentions && { mentions }),
		},
		{ addMentionsToContent: mentions !== undefined, openLinksInSidePanel: false },
	);
}
