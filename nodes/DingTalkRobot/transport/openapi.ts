/**
 * Talking to DingTalk's OpenAPI as the app robot: one call with the app's access token, read into
 * what happened and whether another attempt may help (as post.ts does for webhooks), and the
 * execution's hold on the token (AppSession). The token is the DingTalk App credential's hidden
 * expirable field: n8n fills it (the credential's preAuthentication) when it is empty, so this
 * module empties it once when it is about to run out or DingTalk refuses it, and every call of
 * the execution then shares the new one. Redirects are never followed; no text of an error keeps
 * the token or the secret.
 */
import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse, JsonObject, NodeApiError } from 'n8n-workflow';

import { APP_CREDENTIAL_TYPE, accessTokenExpired } from '../../../credentials/appCredential';
import { SECRET_REQUEST_OPTIONS, networkErrorCode } from '../../../credentials/endpoints';
import { explainOpenApiError, explainUploadError, requiredScope, TOKEN_EXPIRED_CODES, TOKEN_EXPIRED_ERRCODES, TOKEN_REFUSED } from './openApiErrors';
import { failure, networkFailure, type ItemRef, type RetryKind } from './post';
import { redactedSnippet, type Redactor } from '../../shared/redact';

const REACH_HINT = 'Check that this n8n host can reach api.dingtalk.com (or the API Base URL of the DingTalk App credential) and any proxy settings.';

export type OpenApiOutcome =
	| { ok: true; body: Record<string, unknown> }
	| { ok: false; error: NodeApiError; retry: RetryKind; maybePosted: boolean; summary: string };

interface CallDescription {
	request: IHttpRequestOptions;
	/** the answer says the token is not (or no longer) valid */
	tokenRefused: (response: IN8nHttpFullResponse) => boolean;
}

/**
 * One execution's hold on the app's access token. Every call goes through `send`, which renews
 * the token first when there is none or it runs out within minutes, and once more when DingTalk
 * refuses it; concurrent calls wait for a renewal in progress instead of starting their own.
 */
export class AppSession {
	private data?: Promise<ICredentialDataDecryptedObject>;
	private renewing?: Promise<unknown>;
	private renewedAfterRefusal = false;
	/** why no token could be had: every later call fails with it, without asking DingTalk again */
	private tokenFailure?: unknown;

	constructor(private readonly ctx: IExecuteFunctions) {}

	/** The credential's decrypted data this execution sends with: read once, one object every call shares (n8n renews the token in it). */
	async credentials(): Promise<ICredentialDataDecryptedObject> {
		this.data ??= this.ctx.getCredentials(APP_CREDENTIAL_TYPE).then((data) => ({ ...data }));
		return await this.data;
	}

	/** The call through n8n, with this execution's copy of the credential (which n8n renews in place). */
	private async call(request: IHttpRequestOptions): Promise<IN8nHttpFullResponse> {
		const data = await this.credentials();
		const stored = this.ctx.getNode().credentials?.[APP_CREDENTIAL_TYPE];
		return (await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, APP_CREDENTIAL_TYPE, request, {
			credentialsDecrypted: { id: stored?.id ?? '', name: stored?.name ?? '', type: APP_CREDENTIAL_TYPE, data },
		})) as IN8nHttpFullResponse;
	}

	/**
	 * Empties the token so that n8n asks DingTalk for a new one before this call, which carries it.
	 * `renewing` is set before anything is awaited: calls that come meanwhile wait for it.
	 */
	private renewWith(data: ICredentialDataDecryptedObject, request: IHttpRequestOptions): Promise<IN8nHttpFullResponse> {
		data.accessToken = '';
		const call = this.call(request);
		const renewing = call.then(
			() => undefined,
			(error: unknown) => {
				if (!data.accessToken) this.tokenFailure = error; // the token request itself failed
			},
		);
		this.renewing = renewing;
		void renewing.then(() => {
			if (this.renewing === renewing) this.renewing = undefined;
		});
		return call;
	}

	async send(description: CallDescription): Promise<IN8nHttpFullResponse> {
		const data = await this.credentials();
		while (this.renewing) await this.renewing;
		if (this.tokenFailure) throw this.tokenFailure;
		if (accessTokenExpired(data, Date.now())) return await this.renewWith(data, description.request);
		const tokenUsed = data.accessToken;
		const response = await this.call(description.request);
		if (!description.tokenRefused(response)) return response;
		// refused: once per execution a new token, unless another call renewed it meanwhile
		while (this.renewing) await this.renewing;
		if (this.tokenFailure) throw this.tokenFailure;
		if (data.accessToken && data.accessToken !== tokenUsed) return await this.call(description.request);
		if (this.renewedAfterRefusal) return response;
		this.renewedAfterRefusal = true;
		return await this.renewWith(data, description.request);
	}
}

const bodyOf = (response: IN8nHttpFullResponse): Record<string, unknown> => {
	const body = response.body as unknown;
	if (typeof body === 'string') {
		try {
			const parsed: unknown = JSON.parse(body);
			return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
		} catch {
			return {};
		}
	}
	return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
};

const isOpenApiTokenRefusal = (response: IN8nHttpFullResponse) => TOKEN_EXPIRED_CODES.has(String(bodyOf(response).code));

/**
 * One OpenAPI call (`POST {path}` with a JSON body), once (and once more with a new token when
 * DingTalk refuses the token). `answered` says whether a 2xx body is the answer the API gives.
 */
export async function callOpenApi(
	ctx: IExecuteFunctions,
	session: AppSession,
	path: string,
	body: object,
	item: ItemRef,
	redact: Redactor,
	timeoutMs: number,
	answered: (body: Record<string, unknown>) => boolean,
): Promise<OpenApiOutcome> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: path,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body,
		json: true,
		timeout: timeoutMs,
		...SECRET_REQUEST_OPTIONS,
	};
	let response: IN8nHttpFullResponse;
	try {
		response = await session.send({ request, tokenRefused: isOpenApiTokenRefusal });
	} catch (error) {
		return failedToCall(ctx, item, error, redact);
	}
	return readOpenApiAnswer(ctx, item, response, redact, answered);
}

/** A call that got no answer: no token could be had, or the network failed. */
function failedToCall(ctx: IExecuteFunctions, item: ItemRef, error: unknown, redact: Redactor): OpenApiOutcome {
	const caught = error as NodeApiError & { code?: string; cause?: { code?: string } };
	if (networkErrorCode(caught)?.startsWith('E')) return networkFailure(ctx, item, caught, redact, REACH_HINT);
	// the credential's preAuthentication says why DingTalk gave no token (wrong secret, wrong base URL)
	const reason = redact(String(caught.message ?? error));
	return { ok: false, retry: 'never', maybePosted: false, summary: 'no access token', error: failure(ctx, item, redact, { message: reason }, `No access token for the app: ${reason}`, 'Check the DingTalk App credential (its Test button asks DingTalk).') };
}

/** What an OpenAPI answer means: the answer, or why not and whether to try again. */
function readOpenApiAnswer(
	ctx: IExecuteFunctions,
	item: ItemRef,
	response: IN8nHttpFullResponse,
	redact: Redactor,
	answered: (body: Record<string, unknown>) => boolean,
): OpenApiOutcome {
	const status = Number(response.statusCode);
	const body = bodyOf(response);
	const fail = (retry: RetryKind, maybePosted: boolean, summary: string, errorResponse: JsonObject, message: string, description: string): OpenApiOutcome => ({
		ok: false,
		retry,
		maybePosted,
		summary,
		error: failure(ctx, item, redact, errorResponse, message, description, status >= 300 ? status : undefined),
	});
	if (status >= 200 && status <= 299) {
		if (answered(body)) return { ok: true, body };
		return fail('never', true, 'an unreadable answer', { body: redactedSnippet(response.body, redact) }, 'DingTalk\'s answer could not be read',
			`The OpenAPI answered: ${redactedSnippet(response.body, redact)}. A proxy in between may have replaced DingTalk's answer.`);
	}
	if (status >= 300 && status <= 399) {
		return fail('never', false, `HTTP ${status}`, { httpCode: String(status) }, `DingTalk answered with a redirect (HTTP ${status}), which is never followed`,
			'Nothing was sent elsewhere: a redirect could carry the message and the app\'s token to another host. Check the API Base URL of the DingTalk App credential, or the proxy in between.');
	}
	const code = typeof body.code === 'string' ? body.code : '';
	const dingTalkMessage = typeof body.message === 'string' ? redact(body.message) : '';
	const explanation = TOKEN_EXPIRED_CODES.has(code) ? TOKEN_REFUSED : explainOpenApiError(code, status, requiredScope(body as { message?: unknown }));
	const throttled = code.startsWith('Forbidden.AccessDenied.QpsLimit');
	const serverError = status >= 500;
	return fail(
		throttled || serverError ? 'transient' : 'never',
		serverError,
		code ? `${code} (HTTP ${status})` : `HTTP ${status}`,
		{ httpCode: String(status), ...(code && { code }), ...(dingTalkMessage && { message: dingTalkMessage }), ...(typeof body.requestid === 'string' && { requestid: body.requestid }) },
		`${explanation.message} [HTTP ${status}${code ? ` ${code}` : ''}${dingTalkMessage ? `: ${dingTalkMessage}` : ''}]`,
		explanation.description,
	);
}

export interface MediaFile {
	/** image (sent as a picture) or file */
	type: 'image' | 'file';
	fileName: string;
	mimeType: string;
	data: Buffer;
}

/**
 * The bytes of a multipart/form-data body with one file part, `media`, as DingTalk's upload
 * takes it. The boundary is random and checked not to occur in the file.
 */
export function multipartBody(media: MediaFile, boundary: string): Buffer {
	const safeName = media.fileName.replace(/["\r\n\\]/g, '_');
	const head = `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${safeName}"\r\nContent-Type: ${media.mimeType || 'application/octet-stream'}\r\n\r\n`;
	return Buffer.concat([Buffer.from(head, 'utf8'), media.data, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
}

const isUploadTokenRefusal = (response: IN8nHttpFullResponse) => TOKEN_EXPIRED_ERRCODES.has(Number(bodyOf(response).errcode));

/** Uploads a picture or file (oapi `media/upload`, the token as access_token); the answer's media_id. */
export async function uploadMedia(
	ctx: IExecuteFunctions,
	session: AppSession,
	media: MediaFile,
	boundary: string,
	item: ItemRef,
	redact: Redactor,
	timeoutMs: number,
): Promise<OpenApiOutcome> {
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: '/media/upload',
		qs: { type: media.type },
		headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		body: multipartBody(media, boundary),
		timeout: timeoutMs,
		...SECRET_REQUEST_OPTIONS,
		json: false,
	};
	let response: IN8nHttpFullResponse;
	try {
		response = await session.send({ request, tokenRefused: isUploadTokenRefusal });
	} catch (error) {
		return failedToCall(ctx, item, error, redact);
	}
	const status = Number(response.statusCode);
	const body = bodyOf(response);
	if (status >= 200 && status <= 299 && Number(body.errcode) === 0 && typeof body.media_id === 'string') return { ok: true, body };
	if (status >= 200 && status <= 299 && typeof body.errcode === 'number') {
		const explanation = explainUploadError(body.errcode);
		const errmsg = redact(String(body.errmsg ?? ''));
		return {
			ok: false,
			retry: explanation.retryable ? 'transient' : 'never',
			maybePosted: false,
			summary: `errcode ${body.errcode}`,
			error: failure(ctx, item, redact, { errcode: body.errcode, errmsg }, `${explanation.message} [errcode ${body.errcode}: ${errmsg}]`, explanation.description),
		};
	}
	return readOpenApiAnswer(ctx, item, response, redact, () => false);
}
