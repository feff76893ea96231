/**
 * Talking to DingTalk's OpenAPI as the app robot: one call with the app's access token, read into
 * what happened and whether another attempt may help (as post.ts does for webhooks), and the
 * execution's hold on the token (AppSession). The token is the DingTalk App credential's hidden
 * expirable field: n8n fills it (the credential's preAuthentication) when it is empty, so this
 * module empties it once when it is about to run out or DingTalk refuses it, and every call of
 * the execution then shares the new one. Every call waits for its turn in the app's calls per
 * second right before it leaves (after any renewal it needed). Redirects are never followed; no
 * text of an error keeps the token or the secret (every token used is taught to the redactor).
 */
import { NodeOperationError, type ICredentialDataDecryptedObject, type IExecuteFunctions, type IHttpRequestOptions, type IN8nHttpFullResponse, type ITriggerFunctions, type IWebhookFunctions, type JsonObject, type NodeApiError } from 'n8n-workflow';

import { APP_CREDENTIAL_TYPE, accessTokenExpired, readDingTalkApp, type DingTalkApp } from '../../../credentials/appCredential';
import { SECRET_REQUEST_OPTIONS, networkErrorCode, requestNeverSent } from '../../../credentials/endpoints';
import { credentialLabel } from '../../shared/credentialLabel';
import { redactedSnippet, type SecretRedactor } from '../../shared/redact';
import { cleanFileName, cleanMimeType } from '../messages/fileNames';
import { explainOpenApiError, explainUploadError, requiredScope, THROTTLED_BY_FRONT, TOKEN_EXPIRED_CODES, TOKEN_EXPIRED_ERRCODES, TOKEN_REFUSED } from './openApiErrors';
import { failure, networkFailure, type FailedAttempt, type ItemRef, type NetworkPolicy, type NodeContext, type RetryKind } from './post';

const OPENAPI_NETWORK: NetworkPolicy = {
	reachHint: 'Check that this n8n host can reach api.dingtalk.com (or the API Base URL of the DingTalk App credential) and any proxy settings.',
	// no msgUuid: a request that may have reached DingTalk is not sent again
	resend: 'ifNeverSent',
};

/** An upload sent again makes at most a second copy of the file, never a second message. */
const UPLOAD_NETWORK: NetworkPolicy = { ...OPENAPI_NETWORK, resend: 'always' };

export type OpenApiOutcome = { ok: true; body: Record<string, unknown> } | FailedAttempt;

interface CallDescription {
	request: IHttpRequestOptions;
	/** the answer says the token is not (or no longer) valid */
	tokenRefused: (response: IN8nHttpFullResponse) => boolean;
}

/**
 * What the OpenAPI needs of n8n's context: the node, the credential, and n8n's authenticated
 * request. The send node's, a trigger's and a webhook's contexts all have them.
 */
export type AppContext = IExecuteFunctions | ITriggerFunctions | IWebhookFunctions;

/** Waits for the call's turn in the app's calls per second; it leaves right after. */
export type Pace = () => Promise<void>;

/** The pace of a call that is not counted against a quota (tests, a single token request). */
export const NO_PACE: Pace = async () => undefined;

/**
 * One execution's hold on the app's access token. Every call goes through `send`, which renews
 * the token first when there is none or it runs out soon, and once more when DingTalk refuses
 * it; concurrent calls wait for a renewal in progress instead of starting their own.
 */
export class AppSession {
	private data?: Promise<ICredentialDataDecryptedObject>;
	private renewing?: Promise<unknown>;
	private renewedAfterRefusal = false;
	/** why no token could be had: every later call fails with it, without asking DingTalk again */
	private tokenFailure?: unknown;
	/** how errors name the credential: "the DingTalk App credential 'Ops bot'" */
	readonly label: string;

	constructor(
		private readonly ctx: AppContext,
		/** learns every token the execution uses, so that no error can carry one */
		readonly redact: SecretRedactor,
	) {
		this.label = credentialLabel(ctx.getNode(), APP_CREDENTIAL_TYPE, 'DingTalk App');
	}

	/** The credential's decrypted data this execution sends with: read once, one object every call shares (n8n renews the token in it). */
	async credentials(): Promise<ICredentialDataDecryptedObject> {
		this.data ??= this.ctx.getCredentials(APP_CREDENTIAL_TYPE).then((data) => {
			this.redact.add(data.clientSecret, data.accessToken);
			return { ...data };
		});
		return await this.data;
	}

	/** The credential's app, checked; a NodeOperationError that says what to fix, naming the credential. */
	async app(): Promise<DingTalkApp> {
		const data = await this.credentials();
		try {
			return readDingTalkApp(data, this.label);
		} catch (error) {
			throw new NodeOperationError(this.ctx.getNode(), this.redact(String((error as Error).message)));
		}
	}

	/** The call through n8n, with this execution's copy of the credential (which n8n renews in place). */
	private async call(request: IHttpRequestOptions): Promise<IN8nHttpFullResponse> {
		const data = await this.credentials();
		const stored = this.ctx.getNode().credentials?.[APP_CREDENTIAL_TYPE];
		try {
			return (await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, APP_CREDENTIAL_TYPE, request, {
				credentialsDecrypted: { id: stored?.id ?? '', name: stored?.name ?? '', type: APP_CREDENTIAL_TYPE, data },
			})) as IN8nHttpFullResponse;
		} finally {
			this.redact.add(data.accessToken);
		}
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

	/**
	 * Waits until no renewal is in progress and the call's turn has come, then, in the same
	 * synchronous step, makes the call: with a renewal when the token runs out (or is `stale`),
	 * which the calls after it then wait for. A turn that came while another call began a
	 * renewal is given up (the call must carry the new token), and the call waits for a new one.
	 */
	private async leave(data: ICredentialDataDecryptedObject, request: IHttpRequestOptions, pace: Pace, stale?: unknown): Promise<{ response: IN8nHttpFullResponse; tokenUsed: unknown; renewed: boolean }> {
		for (;;) {
			while (this.renewing) await this.renewing;
			if (this.tokenFailure) throw this.tokenFailure;
			await pace();
			if (this.renewing) continue;
			if (accessTokenExpired(data, Date.now()) || (stale !== undefined && data.accessToken === stale)) {
				return { response: await this.renewWith(data, request), tokenUsed: undefined, renewed: true };
			}
			const tokenUsed = data.accessToken;
			return { response: await this.call(request), tokenUsed, renewed: false };
		}
	}

	async send(description: CallDescription, pace: Pace): Promise<IN8nHttpFullResponse> {
		const data = await this.credentials();
		const first = await this.leave(data, description.request, pace);
		if (first.renewed || !description.tokenRefused(first.response)) return first.response;
		// refused: once per execution a new token, unless another call renewed it meanwhile
		while (this.renewing) await this.renewing;
		if (this.tokenFailure) throw this.tokenFailure;
		if (data.accessToken && data.accessToken !== first.tokenUsed) return (await this.leave(data, description.request, pace)).response;
		if (this.renewedAfterRefusal) return first.response;
		this.renewedAfterRefusal = true;
		return (await this.leave(data, description.request, pace, first.tokenUsed)).response;
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
 * One OpenAPI call (`POST {path}`, or the method the endpoint names: "PUT /v1.0/card/instances", with a JSON body), once (and once more with a new token when
 * DingTalk refuses the token), when its turn comes (`pace`). `answered` says whether a 2xx body
 * is the answer the API gives; `resend` whether a call whose answer was lost may be made again
 * (a message: only if it never left; a recall: always, it takes nothing back twice). A wait past the execution's budget (thrown by `pace`) fails the
 * item as it is: nothing was sent.
 */
export async function callOpenApi(
	ctx: NodeContext,
	session: AppSession,
	endpoint: string,
	body: object,
	item: ItemRef,
	timeoutMs: number,
	answered: (body: Record<string, unknown>) => boolean,
	pace: Pace,
	resend: NetworkPolicy['resend'] = 'ifNeverSent',
): Promise<OpenApiOutcome> {
	// "PUT /v1.0/card/instances", or a bare path for a POST
	const [, method, url] = /^(POST|PUT) (.+)$/.exec(endpoint) ?? [endpoint, 'POST', endpoint];
	const request: IHttpRequestOptions = {
		method: method as 'POST' | 'PUT',
		url,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body,
		json: true,
		timeout: timeoutMs,
		...SECRET_REQUEST_OPTIONS,
	};
	let response: IN8nHttpFullResponse;
	try {
		response = await session.send({ request, tokenRefused: isOpenApiTokenRefusal }, pace);
	} catch (error) {
		return failedToCall(ctx, item, error, session, { ...OPENAPI_NETWORK, resend });
	}
	return readOpenApiAnswer(ctx, item, response, session, answered);
}

/** A call that got no answer: no token could be had, or the network failed. A pacing refusal is thrown on. */
function failedToCall(ctx: NodeContext, item: ItemRef, error: unknown, session: AppSession, network = OPENAPI_NETWORK): OpenApiOutcome {
	if (error instanceof NodeOperationError) throw error;
	const caught = error as NodeApiError & { code?: string; cause?: { code?: string } };
	const { redact, label } = session;
	if (networkErrorCode(caught)?.startsWith('E') || requestNeverSent(caught)) return networkFailure(ctx, item, caught, redact, network);
	// the credential's preAuthentication says why DingTalk gave no token (wrong secret, wrong base URL)
	const reason = redact(String(caught.message ?? error));
	return {
		ok: false,
		retry: 'never',
		maybePosted: false,
		summary: 'no access token',
		error: failure(ctx, item, redact, { message: reason }, `No access token for the app of ${label}: ${reason}`, `Check ${label} (its Test button asks DingTalk).`),
	};
}

/** Seconds of a Retry-After header (DingTalk's front, a proxy), as milliseconds; undefined without one. */
function retryAfterMs(response: IN8nHttpFullResponse): number | undefined {
	const header = response.headers?.['retry-after'];
	const seconds = Number(Array.isArray(header) ? header[0] : header);
	return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 600) * 1000 : undefined;
}

/** What an OpenAPI answer means: the answer, or why not and whether to try again. */
function readOpenApiAnswer(
	ctx: NodeContext,
	item: ItemRef,
	response: IN8nHttpFullResponse,
	session: AppSession,
	answered: (body: Record<string, unknown>) => boolean,
): OpenApiOutcome {
	const { redact, label } = session;
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
			`Nothing was sent elsewhere: a redirect could carry the message and the app's token to another host. Check the API Base URL of ${label}, or the proxy in between.`);
	}
	const code = typeof body.code === 'string' ? body.code : '';
	const dingTalkMessage = typeof body.message === 'string' ? redact(body.message) : '';
	// a bare 429 is DingTalk's front (or a proxy) throttling before the request reached the API
	const throttled = code.startsWith('Forbidden.AccessDenied.QpsLimit') || (status === 429 && !code);
	const explanation = TOKEN_EXPIRED_CODES.has(code) ? TOKEN_REFUSED : status === 429 && !code ? THROTTLED_BY_FRONT : explainOpenApiError(code, status, requiredScope(body as { message?: unknown }));
	// DingTalk's advice for its server errors is to try again; it may have posted the message: said on the output
	const serverError = status >= 500;
	const outcome = fail(
		throttled || serverError ? 'transient' : 'never',
		serverError,
		code ? `${code} (HTTP ${status})` : `HTTP ${status}`,
		{ httpCode: String(status), ...(code && { code }), ...(dingTalkMessage && { message: dingTalkMessage }), ...(typeof body.requestid === 'string' && { requestid: body.requestid }) },
		`${explanation.message} [HTTP ${status}${code ? ` ${code}` : ''}${dingTalkMessage ? `: ${dingTalkMessage}` : ''}]`,
		explanation.description.replace(/the DingTalk App credential/g, label),
	);
	if (throttled && !outcome.ok) outcome.retryAfterMs = retryAfterMs(response);
	return outcome;
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
 * takes it. The boundary is random and checked not to occur in the file. The name and type are
 * cleaned here too, whoever made them: nothing in them can end a header line.
 */
export function multipartBody(media: MediaFile, boundary: string): Buffer {
	const name = cleanFileName(media.fileName, media.type);
	const head = `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${name}"\r\nContent-Type: ${cleanMimeType(media.mimeType)}\r\n\r\n`;
	return Buffer.concat([Buffer.from(head, 'utf8'), media.data, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
}

const isUploadTokenRefusal = (response: IN8nHttpFullResponse) => TOKEN_EXPIRED_ERRCODES.has(Number(bodyOf(response).errcode));

/**
 * Uploads a picture or file (oapi `media/upload`, the token as access_token); the answer's
 * media_id. An upload whose answer was lost may be made again: at worst DingTalk keeps a file
 * nobody sends, never a message twice.
 */
export async function uploadMedia(
	ctx: NodeContext,
	session: AppSession,
	media: MediaFile,
	boundary: string,
	item: ItemRef,
	timeoutMs: number,
	pace: Pace,
): Promise<OpenApiOutcome> {
	const { redact } = session;
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
		response = await session.send({ request, tokenRefused: isUploadTokenRefusal }, pace);
	} catch (error) {
		return failedToCall(ctx, item, error, session, UPLOAD_NETWORK);
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
	return readOpenApiAnswer(ctx, item, response, session, () => false);
}
