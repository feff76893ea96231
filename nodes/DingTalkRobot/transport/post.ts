/**
 * One POST to DingTalk: to the robot's webhook, where the credential's `authenticate` adds the
 * URL and a fresh signature to every request, or to a conversation's session webhook (a reply),
 * whose URL is its own authorization. This module posts the body and turns every way it can fail into
 * a NodeApiError that names the item, says what to do and carries no secret, plus whether a
 * later attempt of the same message may succeed and whether this one may have been posted.
 *
 * Redirects are never followed: a 3xx could carry the message and its token to any host.
 * An answer that cannot be read (HTTP 5xx, a 200 that is not DingTalk's JSON, errcode -1, a
 * connection lost after sending) may come after DingTalk posted the message: it is retried with
 * the same msgUuid until DingTalk answers readably, and reported as "may have been posted".
 * networkFailure is shared with the OpenAPI, which has no msgUuid and resends less (NetworkPolicy).
 */
import { NodeApiError, type ICredentialsDecrypted, type IExecuteFunctions, type IHttpRequestOptions, type IN8nHttpFullResponse, type JsonObject } from 'n8n-workflow';

import { SECRET_REQUEST_OPTIONS, networkErrorCode, networkErrorReason, requestNeverSent } from '../../../credentials/endpoints';
import type { RobotMessageBody } from '../messages/types';
import { explainDingTalkError } from './errors';
import { nameCredentials } from '../../shared/credentialLabel';
import { redactDeep, redactedSnippet, type Redactor } from '../../shared/redact';

export const CREDENTIAL_TYPE = 'dingTalkRobotApi';

export interface DingTalkAnswer {
	errcode: number;
	errmsg: string;
}

/**
 * - `throttled`: DingTalk throttled the robot (410100/130101): retry after the throttle;
 * - `transient`: busy (-1), HTTP 5xx, a timeout or a dropped connection: retry after a pause;
 * - `never`: the request itself is wrong (security, token, content): a retry fails the same way.
 */
export type RetryKind = 'throttled' | 'transient' | 'never';

/** One attempt that failed, webhook or OpenAPI alike: why, and what a later attempt may do. */
export interface FailedAttempt {
	ok: false;
	error: NodeApiError;
	retry: RetryKind;
	/** DingTalk may have posted the message before this failure (its answer could not be read) */
	maybePosted: boolean;
	/** a few words for the report of a later attempt: "HTTP 502", "errcode -1" */
	summary: string;
	/** how long DingTalk (or its front) asked to wait before the next attempt (Retry-After) */
	retryAfterMs?: number;
}

export type PostOutcome = { ok: true; answer: DingTalkAnswer } | FailedAttempt;

const THROTTLED_ERRCODES = new Set([410100, 130101]);

/** "System busy": DingTalk gives no guarantee that the message was not posted. */
const BUSY_ERRCODE = -1;

/** Where a message goes: the robot of the credential, or a conversation's session webhook. */
export interface Destination {
	/** the rate limiter's key for it (a hash, not the token) */
	key: string;
	/** a session webhook; undefined for the credential's robot */
	sessionWebhook?: string;
	/**
	 * the credential as read once for the execution: n8n would otherwise read and decrypt it
	 * from its database for every request (the largest part of a message's cost in a real n8n)
	 */
	credentials?: ICredentialsDecrypted;
}

/** What an error needs of n8n's context: the node (the node, a trigger: any context has it). */
export type NodeContext = Pick<IExecuteFunctions, 'getNode'>;

/** Which input item(s) a message carries: n8n's item index and the words for messages. */
export interface ItemRef {
	index: number;
	/** "Item 3", or "Items 0–19" for a combined message */
	label: string;
}

/** The error of one failed attempt: every text redacted, the raw answer cut after redaction, the credential named. */
export function failure(
	ctx: NodeContext,
	item: ItemRef,
	redact: Redactor,
	errorResponse: JsonObject,
	message: string,
	description: string,
	httpCode?: number,
): NodeApiError {
	const node = ctx.getNode();
	return new NodeApiError(node, redactDeep(errorResponse, redact), {
		itemIndex: item.index,
		message: nameCredentials(node, redact(`${item.label}: ${message}`)),
		description: nameCredentials(node, redact(description)),
		...(httpCode !== undefined && { httpCode: String(httpCode) }),
	});
}

/** Reads `{errcode, errmsg}` from whatever came back; undefined when it is not DingTalk's answer. */
function readDingTalkAnswer(body: unknown): DingTalkAnswer | undefined {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (typeof value !== 'object' || value === null) return undefined;
	const { errcode, errmsg } = value as Record<string, unknown>;
	const code = typeof errcode === 'string' && errcode.trim() !== '' ? Number(errcode) : errcode;
	if (typeof code !== 'number' || !Number.isFinite(code)) return undefined;
	return { errcode: code, errmsg: typeof errmsg === 'string' ? errmsg : '' };
}

/** Failures after which DingTalk may have posted the message (unless the request provably never left). */
const MAYBE_DELIVERED = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

/** Network failures worth another attempt: the ones above, and a DNS hiccup. */
const TRANSIENT_NETWORK = new Set([...MAYBE_DELIVERED, 'EAI_AGAIN']);

/** Where to look when DingTalk cannot be reached, for the robot webhook. */
const WEBHOOK_REACH_HINT =
	'Check that this n8n host can reach the webhook\'s host (oapi.dingtalk.com, or the host of the webhook URL in the credential) and any proxy settings.';

export interface NetworkPolicy {
	/** where to look when DingTalk cannot be reached */
	reachHint: string;
	/**
	 * `always`: DingTalk recognises the message when it comes again (the webhook's msgUuid), so a
	 * lost answer is retried; `ifNeverSent`: no such key (the OpenAPI), so only a failure that
	 * proves the request never reached DingTalk whole (requestNeverSent) is retried.
	 */
	resend: 'always' | 'ifNeverSent';
}

const WEBHOOK_NETWORK: NetworkPolicy = { reachHint: WEBHOOK_REACH_HINT, resend: 'always' };

/** A request that got no answer: the network error's code in plain words, and whether DingTalk may have it. */
export function networkFailure(
	ctx: NodeContext,
	item: ItemRef,
	error: NodeApiError & { code?: string; cause?: { code?: string } },
	redact: Redactor,
	policy: NetworkPolicy = WEBHOOK_NETWORK,
): FailedAttempt {
	const code = networkErrorCode(error);
	const reason = networkErrorReason(code) ?? redactedSnippet(String(error.message ?? error), redact);
	const neverSent = requestNeverSent(error);
	const maybePosted = !neverSent && (policy.resend === 'ifNeverSent' || (!!code && MAYBE_DELIVERED.has(code)));
	const transient = !!code && TRANSIENT_NETWORK.has(code);
	const retry: RetryKind = transient && (policy.resend === 'always' || neverSent) ? 'transient' : 'never';
	return { ok: false, retry, maybePosted, summary: code ?? 'a network error', error: failure(
		ctx,
		item,
		redact,
		{ message: reason, ...(code && { networkError: code }) },
		// The code goes to the description: n8n replaces a message that contains one with its own words.
		`Could not reach DingTalk: ${reason}`,
		(code ? `Network error ${code}.` : '') +
			(maybePosted ? '' : ` ${policy.reachHint}`),
	) };
}

/**
 * Posts one message, once. Never throws for a failure of DingTalk or the network: the outcome
 * says what happened and whether another attempt may succeed.
 * `redact` removes the credential's secrets from any text that came from below us.
 */
export async function postRobotMessage(
	ctx: IExecuteFunctions,
	body: RobotMessageBody,
	item: ItemRef,
	redact: Redactor,
	timeoutMs: number,
	destination: Destination,
): Promise<PostOutcome> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: destination.sessionWebhook ?? '',
		headers: { 'Content-Type': 'application/json; charset=utf-8' },
		body,
		json: true,
		timeout: timeoutMs,
		...SECRET_REQUEST_OPTIONS,
	};

	let response: IN8nHttpFullResponse;
	try {
		response = (
			destination.sessionWebhook
				? await ctx.helpers.httpRequest(request)
				: await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, request, destination.credentials && { credentialsDecrypted: destination.credentials })
		) as IN8nHttpFullResponse;
	} catch (error) {
		// n8n's HTTP error carries the request, and so the signed URL with the token: keep only
		// the network error code and a redacted text.
		return networkFailure(ctx, item, error as NodeApiError, redact);
	}

	const status = Number(response.statusCode);
	const where = destination.sessionWebhook
		? 'check that Session Webhook is the trigger item\'s sessionWebhook'
		: 'check the webhook URL in the DingTalk Robot credential';
	const fail = (
		retry: RetryKind,
		maybePosted: boolean,
		summary: string,
		errorResponse: JsonObject,
		message: string,
		description: string,
	): PostOutcome => ({ ok: false, retry, maybePosted, summary, error: failure(ctx, item, redact, errorResponse, message, description, status >= 300 ? status : undefined) });

	if (status >= 300 && status <= 399) {
		return fail('never', false, `HTTP ${status}`, { httpCode: String(status) }, `DingTalk answered with a redirect (HTTP ${status}), which is never followed`,
			`Nothing was sent elsewhere: a redirect could carry the message and its token to another host. DingTalk does not redirect its webhooks; ${where}, or the proxy in between.`);
	}
	if (status >= 400 && status <= 499) {
		return fail('never', false, `HTTP ${status}`, { httpCode: String(status), body: redactedSnippet(response.body, redact) }, `DingTalk answered HTTP ${status}`,
			`The request was refused before DingTalk read it: ${where}.`);
	}
	if (status < 200 || status > 299) {
		return fail('transient', true, `HTTP ${status}`, { httpCode: String(status), body: redactedSnippet(response.body, redact) }, `DingTalk answered HTTP ${status}`,
			'DingTalk (or a proxy in between) had a server error.');
	}
	const answer = readDingTalkAnswer(response.body);
	if (!answer) {
		return fail('transient', true, 'an unreadable answer', { body: redactedSnippet(response.body, redact) }, 'DingTalk\'s answer could not be read (not DingTalk\'s JSON with an errcode)',
			`The webhook answered: ${redactedSnippet(response.body, redact)}. A proxy in between may have replaced DingTalk's answer; otherwise ${where}.`);
	}
	if (answer.errcode !== 0) {
		const explanation = explainDingTalkError(answer.errcode, answer.errmsg, destination.sessionWebhook ? 'session' : 'robot');
		const retry: RetryKind = THROTTLED_ERRCODES.has(answer.errcode) ? 'throttled' : explanation.retryable ? 'transient' : 'never';
		return fail(retry, answer.errcode === BUSY_ERRCODE, `errcode ${answer.errcode}`, { errcode: answer.errcode, errmsg: redact(answer.errmsg) },
			`${explanation.message} [errcode ${answer.errcode}: ${redact(answer.errmsg)}]`, explanation.description);
	}
	return { ok: true, answer };
}
