/**
 * The waiting node's webhook for the app robot's approval card (Send To: App Robot, Approval).
 * n8n has already checked its own signature of the resume URL (this execution, this node); the
 * click posted by the Stream side (nodes/DingTalkStreamTrigger/sendAndWaitClicks.ts) must carry a
 * proof made with the app's Client Secret, for a card of this execution and node, not older than
 * five minutes (nodes/shared/sendAndWaitClick.ts). Then:
 * - someone not among the Approvers: told so in the card, privately; the execution keeps waiting;
 * - an approver: the execution resumes with n8n's approval output (`data.approved`) plus who
 *   chose and when; the card shows the decision, both buttons disabled.
 * Anything else (no proof, a wrong one, another execution's card, a stale click, a GET) changes
 * nothing; a refused post is logged with its reason, never with a secret.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { APP_CREDENTIAL_TYPE, readDingTalkApp } from '../../../credentials/appCredential';
import { NOTICES, checkClickPost, decidedResponse, noticeResponse, type ClickVerdict } from '../../shared/sendAndWaitClick';
import { parseUserIdList } from '../messages/mentions';
import { FORM_SANDBOX_CSP } from './formPage';
import { ANSWERED_IN_CARD_PAGE } from './appPages';

/**
 * The Approvers option: user IDs as every user-ID field of the node reads them (commas,
 * semicolons, new lines; an entry with a space inside is refused, naming it). Checked before the
 * card is sent (app.ts), so the webhook reads a list that was accepted then.
 */
export function readApprovers(value: unknown): string[] {
	return value === undefined || value === null ? [] : parseUserIdList(value, 'Approvers');
}

/** The execution of the resume URL, `…/<executionId>/<nodeId>` (n8n checked its signature), or n8n's own. */
function waitingExecutionId(ctx: IWebhookFunctions): string {
	const req = ctx.getRequestObject();
	const path = String(req.originalUrl ?? req.url ?? '').split('?')[0];
	const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
	const nodeAt = segments.lastIndexOf(ctx.getNode().id);
	if (nodeAt > 0) return segments[nodeAt - 1];
	const own = (ctx as unknown as { getExecutionId?: () => string }).getExecutionId?.();
	return typeof own === 'string' ? own : '';
}

function answer(ctx: IWebhookFunctions, status: number, verdict: ClickVerdict): IWebhookResponseData {
	ctx.getResponseObject().status(status).json(verdict);
	return { noWebhookResponse: true };
}

/** The status the card shows once decided. */
export function decisionStatus(approved: boolean, label: string, userId: string, at: Date): string {
	return `${approved ? '✅' : '❌'} ${label} · ${userId} · ${at.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

export async function appApprovalWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = ctx.getRequestObject();
	const node = ctx.getNode().name;
	if (req.method !== 'POST') {
		// the URL opened by hand: the decision is made in the card
		const res = ctx.getResponseObject();
		res.status(200);
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		res.setHeader('Content-Security-Policy', FORM_SANDBOX_CSP);
		res.send(ANSWERED_IN_CARD_PAGE);
		return { noWebhookResponse: true };
	}
	const app = readDingTalkApp((await ctx.getCredentials(APP_CREDENTIAL_TYPE)) as IDataObject);
	const now = new Date();
	const checked = checkClickPost(ctx.getBodyData(), app.clientSecret, { executionId: waitingExecutionId(ctx), nodeId: ctx.getNode().id }, now.getTime());
	if (!checked.ok) {
		ctx.logger.warn(`DingTalk Robot: a click posted to the Send and Wait node "${node}" was refused: ${checked.reason}; the execution keeps waiting`);
		return answer(ctx, 403, { outcome: 'refused', response: noticeResponse(NOTICES.refused) });
	}
	const { post } = checked;
	const approvers = readApprovers(ctx.getNodeParameter('approvers', ''));
	if (approvers.length > 0 && !approvers.includes(post.userId)) {
		ctx.logger.info(`DingTalk Robot: ${post.userId}, not among the Approvers of node "${node}", clicked card ${post.outTrackId}; the execution keeps waiting`);
		return answer(ctx, 200, { outcome: 'notAllowed', response: noticeResponse(NOTICES.notAllowed) });
	}
	const approved = post.action === 'approve';
	const options = (ctx.getNodeParameter('approvalOptions.values', {}) ?? {}) as IDataObject;
	const label = approved ? String(options.approveLabel || 'Approve') : String(options.disapproveLabel || 'Decline');
	const verdict: ClickVerdict = { outcome: 'recorded', response: decidedResponse(decisionStatus(approved, label, post.userId, now)) };
	const data: IDataObject = {
		approved,
		userId: post.userId,
		...(post.corpId && { corpId: post.corpId }),
		outTrackId: post.outTrackId,
		clickedAt: new Date(post.timestamp).toISOString(),
		respondedAt: now.toISOString(),
		via: 'dingTalkCard',
	};
	return { webhookResponse: verdict, workflowData: [[{ json: { data } }]] };
}
