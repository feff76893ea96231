/**
 * The app's access token for DingTalk's OpenAPI: `POST /v1.0/oauth2/accessToken` with the Client
 * ID and Secret answers `{accessToken, expireIn}` (7200 s). The DingTalk App credential keeps it
 * in a hidden, expirable field, as n8n's own credentials keep theirs: n8n asks for a new one when
 * the field is empty, and the send node empties it once when DingTalk refuses the token or it is
 * about to run out, so there is one token request per two hours, never one per message.
 * Errors say what to fix and never carry the secret.
 */
import type { IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { DINGTALK_OPENAPI_BASE_URL, appApiHost, appApiUrl, readDingTalkApp } from './appCredential';
import { SECRET_REQUEST_OPTIONS, dingTalkErrorCode, networkErrorCode, networkErrorReason, requestNeverSent } from './endpoints';

/** DingTalk's endpoint that grants an app its access token. */
export const GRANT_PATH = '/v1.0/oauth2/accessToken';

/** The token's life when DingTalk does not say (its documented 7200 s). */
const DEFAULT_TOKEN_LIFE_S = 7200;

export const INVALID_CLIENT_MESSAGE =
	'DingTalk does not accept this Client ID and Client Secret (invalidClientIdOrSecret): copy both again from the DingTalk developer console › your app › Credentials & Basic Info. A Client ID of another app, or a secret that was reset, fails the same way.';

export interface AccessTokenFields {
	accessToken: string;
	/** ms since 1970 */
	accessTokenExpiresAt: number;
	/** when DingTalk gave it (ms since 1970): with the end, its life, which sets when it is renewed */
	accessTokenIssuedAt: number;
}

interface TokenAnswer {
	statusCode: number;
	body: unknown;
}

/** What DingTalk's answer means: the token, or why there is none. */
export function readTokenAnswer(answer: TokenAnswer, nowMs: number): AccessTokenFields | string {
	const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
	if (answer.statusCode >= 200 && answer.statusCode < 300 && typeof body.accessToken === 'string' && body.accessToken !== '') {
		const life = Number(body.expireIn);
		return { accessToken: body.accessToken, accessTokenExpiresAt: nowMs + (Number.isFinite(life) && life > 0 ? life : DEFAULT_TOKEN_LIFE_S) * 1000, accessTokenIssuedAt: nowMs };
	}
	const status = answer.statusCode;
	if (status >= 300 && status <= 399) {
		return `The API Base URL answered the token request with a redirect (HTTP ${status}), which is never followed (it would carry the Client Secret to another host): leave it at ${DINGTALK_OPENAPI_BASE_URL}, or check the proxy in between`;
	}
	if (body.code === 'invalidClientIdOrSecret') return INVALID_CLIENT_MESSAGE;
	// DingTalk's own refusals carry a code; a success without a token, or a path that is not there
	// (404, 405) and says nothing DingTalk would say, is another server: the Base URL is wrong
	if (typeof body.code !== 'string' && ((status >= 200 && status < 300) || status === 404 || status === 405)) {
		return `The API Base URL did not answer like DingTalk's OpenAPI (HTTP ${status}, no access token came back): leave it at ${DINGTALK_OPENAPI_BASE_URL}`;
	}
	const code = dingTalkErrorCode(body);
	return `DingTalk did not give the app an access token (HTTP ${status}${code && `, ${code}`}): check the DingTalk App credential, or try again later`;
}

/** Asks DingTalk for a new access token; throws an Error that says what to fix. */
export async function fetchAccessToken(helpers: IHttpRequestHelper['helpers'], data: Record<string, unknown>, nowMs: number): Promise<AccessTokenFields> {
	const app = readDingTalkApp(data);
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: appApiUrl(app, GRANT_PATH),
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: { appKey: app.clientId, appSecret: app.clientSecret },
		json: true,
		...SECRET_REQUEST_OPTIONS,
		timeout: 15_000,
	};
	let outcome: AccessTokenFields | string | undefined;
	// asking for a token again is harmless (DingTalk answers the same one): a request that never
	// left (a connection refused or reset while connecting, a stale pooled connection) is made once more
	for (let attempt = 1; outcome === undefined; attempt++) {
		try {
			outcome = readTokenAnswer((await helpers.httpRequest(request)) as TokenAnswer, nowMs);
		} catch (error) {
			if (attempt === 1 && requestNeverSent(error)) continue;
			const reason = networkErrorReason(networkErrorCode(error)) ?? 'the request failed';
			outcome = `Could not reach DingTalk's OpenAPI for an access token (${reason}): check that this n8n host can reach ${appApiHost(app)}`;
		}
	}
	if (typeof outcome === 'string') throw new Error(outcome);
	return outcome;
}
