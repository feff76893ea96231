/**
 * The one place that talks to DingTalk. The credential's `authenticate` adds the webhook URL
 * and a fresh signature to every request; this module posts the body and turns every way it
 * can fail into a NodeApiError that names the item, says what to do, and carries no secret.
 */
import { NodeApiError, type IExecuteFunctions, type IHttpRequestOptions, type IN8nHttpFullResponse, type JsonObject } from 'n8n-workflow';

import type { RobotMessageBody } from '../messages/types';
import { explainDingTalkError } from './errors';

export const CREDENTIAL_TYPE = 'dingTalkRobotApi';

const REQUEST_TIMEOUT_MS = 15000;

export interface DingTalkSendResult {
	errcode: number;
	errmsg: string;
}

function failure(
	ctx: IExecuteFunctions,
	itemIndex: number,
	errorResponse: JsonObject,
	message: string,
	description: string,
	httpCode?: number,
): NodeApiError {
	return new NodeApiError(ctx.getNode(), errorResponse, {
		itemIndex,
		message: `Item ${itemIndex}: ${message}`,
		description,
		...(httpCode !== undefined && { httpCode: String(httpCode) }),
	});
}

/** Reads `{errcode, errmsg}` from whatever came back; undefined when it is not DingTalk's answer. */
function readDingTalkAnswer(body: unknown): DingTalkSendResult | undefined {
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

/** Plain words for the network errors users meet, by Node's error code. */
const NETWORK_REASONS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was closed before DingTalk answered',
	EPIPE: 'the connection was closed before DingTalk answered',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	ETIMEDOUT: `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
	ECONNABORTED: `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
	ESOCKETTIMEDOUT: `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
};

/** Failures after which DingTalk may have posted the message: only the msgUuid can tell. */
const MAYBE_DELIVERED = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

function networkFailure(
	ctx: IExecuteFunctions,
	itemIndex: number,
	error: NodeApiError & { code?: string; cause?: { code?: string } },
	redact: (text: string) => string,
): NodeApiError {
	const code = [error.httpCode, error.cause?.code, error.code].find(
		(candidate): candidate is string => typeof candidate === 'string' && /^[A-Z_]+$/.test(candidate),
	);
	const reason = (code && NETWORK_REASONS[code]) ?? redact(String(error.message ?? error));
	return failure(
		ctx,
		itemIndex,
		{ message: reason, ...(code && { networkError: code }) },
		// The code goes to the description: n8n replaces a message that contains one with its own words.
		`Could not reach DingTalk: ${reason}`,
		(code ? `Network error ${code}. ` : '') +
			(code && MAYBE_DELIVERED.has(code)
				? 'DingTalk may or may not have posted the message. Its msgUuid makes a retry safe: DingTalk posts a message only once per msgUuid.'
				: 'Check that this n8n host can reach the webhook\'s host (oapi.dingtalk.com, or the host of the webhook URL in the credential) and any proxy settings.'),
	);
}

const snippet = (body: unknown) => {
	const text = typeof body === 'string' ? body : JSON.stringify(body) ?? '';
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

/**
 * Posts one message. Resolves with DingTalk's answer when errcode is 0; otherwise throws a
 * NodeApiError explaining the errcode (or the HTTP / network failure).
 * `redact` removes the credential's secrets from any text that came from below us.
 */
export async function sendRobotMessage(
	ctx: IExecuteFunctions,
	body: RobotMessageBody,
	itemIndex: number,
	redact: (text: string) => string,
): Promise<DingTalkSendResult> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: '',
		headers: { 'Content-Type': 'application/json; charset=utf-8' },
		body,
		json: true,
		timeout: REQUEST_TIMEOUT_MS,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};

	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			request,
		)) as IN8nHttpFullResponse;
	} catch (error) {
		// n8n's HTTP error carries the request, and so the signed URL with the token: keep only
		// the network error code and a redacted text.
		throw networkFailure(ctx, itemIndex, error as NodeApiError, redact);
	}

	const status = Number(response.statusCode);
	const answer = readDingTalkAnswer(response.body);
	if (status < 200 || status > 299) {
		throw failure(
			ctx,
			itemIndex,
			{ httpCode: String(status), body: redact(snippet(response.body)) },
			`DingTalk answered HTTP ${status}`,
			status >= 500
				? 'DingTalk (or a proxy in between) had a server error. Try again later.'
				: 'The request was refused before DingTalk read it: check the webhook URL in the DingTalk Robot credential.',
			status,
		);
	}
	if (!answer) {
		throw failure(
			ctx,
			itemIndex,
			{ body: redact(snippet(response.body)) },
			'DingTalk\'s answer was not the expected JSON',
			`The webhook answered: ${redact(snippet(response.body))}. Check that the credential's webhook URL points at DingTalk's robot/send endpoint (or a proxy that forwards it).`,
		);
	}
	if (answer.errcode !== 0) {
		const explanation = explainDingTalkError(answer.errcode, answer.errmsg);
		throw failure(
			ctx,
			itemIndex,
			{ errcode: answer.errcode, errmsg: redact(answer.errmsg) },
			`${explanation.message} [errcode ${answer.errcode}: ${redact(answer.errmsg)}]`,
			explanation.description,
		);
	}
	return answer;
}
