/**
 * Send and Wait for Response by the app robot: the card, its clicks and their proof, shared by
 * the DingTalk Robot node (which sends the card and resumes on the answer) and the DingTalk Stream
 * Trigger (whose connection receives the clicks). Pure.
 *
 * The card is made from the user's template (README, "Approvals: Send and Wait for Response", describes it): its
 * buttons carry back the action IDs `n8n_approve` / `n8n_decline` and the parameter
 * `n8nResumeUrl` (bound to the card's variable of that name: n8n's signed resume URL, nothing
 * secret beyond what n8n puts in its own resume URLs). Its outTrackId names the execution and,
 * by a digest, the node that waits: `n8nsaw-<executionId>-<node digest>-<random>`.
 *
 * A click comes over Stream to whichever process holds the app's card connection. That process
 * POSTs the click to the resume URL with a proof: HMAC-SHA256, keyed by the app's Client Secret,
 * over the outTrackId, the userId, the choice and the time. The waiting node checks the proof
 * with the same credential, that the card is its own (execution and node), and the time; anything
 * else changes nothing.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

export const SEND_AND_WAIT_OUT_TRACK_PREFIX = 'n8nsaw';
/** The buttons' action IDs, as the template gives them. */
export const APPROVE_ACTION_ID = 'n8n_approve';
export const DECLINE_ACTION_ID = 'n8n_decline';
/** The buttons' parameter (and the card's variable) carrying n8n's resume URL. */
export const RESUME_URL_PARAM = 'n8nResumeUrl';
/** How old a click's proof may be when the waiting node checks it. */
export const PROOF_MAX_AGE_MS = 5 * 60_000;

/** The card's variables (the template's), as the node fills them. */
export const CARD_VARIABLES = {
	title: 'title',
	message: 'message',
	status: 'status',
	approveLabel: 'approveLabel',
	declineLabel: 'declineLabel',
	approveDisabled: 'approveDisabled',
	declineDisabled: 'declineDisabled',
	resumeUrl: RESUME_URL_PARAM,
	/** private to one person: why their click did nothing */
	notice: 'notice',
} as const;

export type Decision = 'approve' | 'decline';

/** What the Stream side POSTs to the resume URL (JSON). */
export interface ClickPost {
	outTrackId: string;
	userId: string;
	action: Decision;
	/** ms since the epoch, when the click was received */
	timestamp: number;
	/** hex HMAC-SHA256(Client Secret, proofText(…)) */
	proof: string;
	corpId?: string;
}

/** A digest of the node's ID: the outTrackId fits DingTalk's 64 characters with any node ID. */
export function nodeDigest(nodeId: string): string {
	return createHash('sha256').update(nodeId, 'utf8').digest('hex').slice(0, 8);
}

/** The outTrackId of a send-and-wait card of this execution and node. */
/** The execution's part of an outTrackId: its ID's word characters, at most 30 (n8n's IDs are numbers). */
export const executionPart = (executionId: string) => executionId.replace(/[^\w]/g, '').slice(0, 30);

export function sendAndWaitOutTrackId(executionId: string, nodeId: string, random = randomBytes(5).toString('hex')): string {
	return `${SEND_AND_WAIT_OUT_TRACK_PREFIX}-${executionPart(executionId)}-${nodeDigest(nodeId)}-${random}`;
}

/** The execution and node digest of a send-and-wait outTrackId, or undefined when it is not one. */
export function readSendAndWaitOutTrackId(outTrackId: string): { executionId: string; nodeDigest: string } | undefined {
	const match = /^n8nsaw-(\w{1,30})-([0-9a-f]{8})-[0-9a-f]{1,20}$/.exec(outTrackId);
	return match ? { executionId: match[1], nodeDigest: match[2] } : undefined;
}

const proofText = (post: Pick<ClickPost, 'outTrackId' | 'userId' | 'action' | 'timestamp'>) =>
	JSON.stringify([post.outTrackId, post.userId, post.action, post.timestamp]);

export function clickProof(secret: string, post: Pick<ClickPost, 'outTrackId' | 'userId' | 'action' | 'timestamp'>): string {
	return createHmac('sha256', secret).update(proofText(post), 'utf8').digest('hex');
}

const decisionOf = (actionId: string): Decision | undefined => (actionId === APPROVE_ACTION_ID ? 'approve' : actionId === DECLINE_ACTION_ID ? 'decline' : undefined);

/** A click on a send-and-wait card, as the Stream side reads it: where to post it, or undefined when it is not one. */
export interface SendAndWaitClick {
	outTrackId: string;
	userId: string;
	corpId?: string;
	action: Decision;
	resumeUrl: string;
}

/**
 * Whether a click is on a send-and-wait card, and what it says. The resume URL must be http(s)
 * and end with the execution of the outTrackId and a node: the process never posts anywhere else.
 */
export function readSendAndWaitClick(click: { outTrackId: string; userId: string; corpId?: unknown; actionIds: string[]; params: IDataObject }): SendAndWaitClick | undefined {
	const resumeUrl = click.params[RESUME_URL_PARAM];
	const track = readSendAndWaitOutTrackId(click.outTrackId);
	if (typeof resumeUrl !== 'string' || !track) return undefined;
	const action = click.actionIds.map(decisionOf).find((decision) => decision !== undefined);
	if (!action || !URL.canParse(resumeUrl)) return undefined;
	const url = new URL(resumeUrl);
	const segments = url.pathname.split('/').filter(Boolean);
	if (!/^https?:$/.test(url.protocol) || url.username || url.password || segments.length < 2 || executionPart(decodeURIComponent(segments[segments.length - 2])) !== track.executionId) return undefined;
	return { outTrackId: click.outTrackId, userId: click.userId, action, resumeUrl, ...(typeof click.corpId === 'string' && click.corpId && { corpId: click.corpId }) };
}

/** The body the Stream side posts for a click. */
export function clickPost(secret: string, click: SendAndWaitClick, nowMs: number): ClickPost {
	const post = { outTrackId: click.outTrackId, userId: click.userId, action: click.action, timestamp: nowMs };
	return { ...post, proof: clickProof(secret, post), ...(click.corpId && { corpId: click.corpId }) };
}

export type ClickCheck = { ok: true; post: ClickPost } | { ok: false; reason: string };

/**
 * The waiting node's check of a posted click: its shape, the proof (the app's Client Secret), the
 * card being this execution's and this node's, the time. The reasons name no secret.
 */
export function checkClickPost(body: unknown, secret: string, waiting: { executionId: string; nodeId: string }, nowMs: number): ClickCheck {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'the body is not a JSON object' };
	const post = body as Record<string, unknown>;
	const { outTrackId, userId, action, timestamp, proof } = post;
	if (typeof outTrackId !== 'string' || typeof userId !== 'string' || userId === '' || (action !== 'approve' && action !== 'decline')) {
		return { ok: false, reason: 'the body lacks outTrackId, userId or action (approve or decline)' };
	}
	if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) {
		return { ok: false, reason: 'the body has no proof or timestamp' };
	}
	const expected = Buffer.from(clickProof(secret, { outTrackId, userId, action, timestamp }), 'hex');
	if (!timingSafeEqual(expected, Buffer.from(proof, 'hex'))) return { ok: false, reason: 'its proof is wrong (not made with this app\'s Client Secret, or a value was changed)' };
	const track = readSendAndWaitOutTrackId(outTrackId);
	if (!track || track.executionId !== executionPart(waiting.executionId) || track.nodeDigest !== nodeDigest(waiting.nodeId)) {
		return { ok: false, reason: `card ${outTrackId} is not the one this execution and node sent` };
	}
	if (Math.abs(nowMs - timestamp) > PROOF_MAX_AGE_MS) return { ok: false, reason: `its time is ${Math.round((nowMs - timestamp) / 1000)} s away from now (at most ${PROOF_MAX_AGE_MS / 1000} s)` };
	return { ok: true, post: { outTrackId, userId, action, timestamp, proof, ...(typeof post.corpId === 'string' && { corpId: post.corpId }) } };
}

/** The waiting node's answer to a posted click (JSON): how the Stream side answers DingTalk. */
export interface ClickVerdict {
	outcome: 'recorded' | 'notAllowed' | 'refused';
	/** the card update for the click's ACK (DingTalk's answer: cardData / userPrivateData / cardUpdateOptions) */
	response: IDataObject;
}

/** The card once decided: the status for everyone, both buttons disabled. */
export function decidedResponse(status: string): IDataObject {
	return {
		cardData: { cardParamMap: { [CARD_VARIABLES.status]: status, [CARD_VARIABLES.approveDisabled]: 'true', [CARD_VARIABLES.declineDisabled]: 'true' } },
		cardUpdateOptions: { updateCardDataByKey: true },
	};
}

/** A notice for the clicking person only; the card stays as it is for everyone else. */
export function noticeResponse(notice: string): IDataObject {
	return { userPrivateData: { cardParamMap: { [CARD_VARIABLES.notice]: notice } }, cardUpdateOptions: { updatePrivateDataByKey: true } };
}

export const NOTICES = {
	notAllowed: 'You are not among the people who may decide this request.',
	alreadyDecided: 'This request was already decided, or is no longer waiting.',
	unreachable: 'Your choice could not be passed to the workflow. Try again later.',
	refused: 'Your choice could not be verified and was not recorded.',
} as const;
