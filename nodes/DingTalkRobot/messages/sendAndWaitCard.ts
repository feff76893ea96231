/**
 * Send and Wait for Response as a group robot's message: an actionCard (DingTalk's markdown) with
 * one button per answer, each opening its link (n8n's signed resume URL), in n8n's order
 * (Decline, then Approve). One button is still a button of its own (btns), not DingTalk's
 * "whole card opens the link" (singleURL), so tapping the card by mistake approves nothing.
 * Where DingTalk opens the links on a desktop computer is the user's choice (`openButtonsIn`):
 * DingTalk's `dingtalk://dingtalkclient/page/link?url=…&pc_slide=false` opens them in the
 * computer's browser, `pc_slide=true` in the side panel (DingTalk's message link documentation);
 * phones open them in DingTalk's own browser either way.
 */
import { buildActionCardMessage, type BuildOptions } from './build';
import { MessageInputError } from './fields';
import type { MentionInput } from './mentions';
import type { ActionCardRobotMessage } from './types';

export type OpenButtonsIn = 'dingTalk' | 'browser' | 'sidePanel';

export interface SendAndWaitCardInput {
	title: string;
	message: string;
	buttons: Array<{ label: string; url: string }>;
	appendAttribution: boolean;
	openButtonsIn: OpenButtonsIn;
	mentions?: MentionInput;
}

/** n8n's attribution (its Telegram node's words), linking n8n's site; nothing of this n8n in it. */
export const ATTRIBUTION = '*This message was sent automatically with* [n8n](https://n8n.io/?utm_source=n8n-internal&utm_medium=powered_by&utm_campaign=n8n-nodes-dingtalk-robot.dingTalkRobot)';

export function readOpenButtonsIn(value: unknown): OpenButtonsIn {
	if (value === undefined || value === null || value === '' || value === 'dingTalk') return 'dingTalk';
	if (value === 'browser' || value === 'sidePanel') return value;
	throw new MessageInputError('Options › Open Buttons In', `must be Browser on Desktop, DingTalk's Default or Side Panel on Desktop, got ${JSON.stringify(value)}`);
}

/** The link a button opens: the URL itself, or DingTalk's link to it with the desktop's choice. */
export function buttonLink(url: string, openIn: OpenButtonsIn): string {
	if (openIn === 'dingTalk') return url;
	return `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(url)}&pc_slide=${openIn === 'sidePanel'}`;
}

export function buildSendAndWaitCard(input: SendAndWaitCardInput, options: BuildOptions): ActionCardRobotMessage {
	const text = input.appendAttribution ? `${input.message}\n\n${ATTRIBUTION}` : input.message;
	return buildActionCardMessage(
		{
			title: input.title,
			text,
			buttonMode: 'multiple',
			buttons: input.buttons.map((button) => ({ title: button.label, url: buttonLink(button.url, input.openButtonsIn) })),
			btnOrientation: input.buttons.length > 1 ? 'horizontal' : 'vertical',
			mentions: input.mentions,
		},
		{ ...options, openLinksInSidePanel: false },
	);
}
