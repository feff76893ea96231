/**
 * Downloading a file someone sent the robot (a picture, voice note, video, file): DingTalk's
 * OpenAPI turns its downloadCode into a short-lived link (`POST /v1.0/robot/messageFiles/download`
 * `{downloadCode, robotCode}` with the app's token → `{downloadUrl}`), and the file is fetched from
 * that link, on DingTalk's storage (another host), with a plain GET:
 * - the access token never goes there (n8n's unauthenticated request; the link is its own key);
 * - only over https, or plain http to a host listed under the credential's Plain HTTP Hosts.
 *   DingTalk's links often say http:// (its storage is Alibaba Cloud OSS, `….oss-cn-….aliyuncs.com`,
 *   seen in public code); an OSS link's signature does not cover the scheme, so such a link is
 *   fetched over https from the same host rather than refused or sent in the clear;
 * - no redirect is followed (a link that moves elsewhere is not the file DingTalk gave);
 * - within a time and a size: the body is read until the cap and no further, and a download that
 *   is still running at its deadline is cut;
 * - the link is a secret while it lives: it joins the redactor, and no message repeats it.
 * Every way it fails is a reason in words: the caller keeps the message and marks the file as
 * not downloaded, so that a file never loses or holds up a message.
 */
import type { IExecuteFunctions, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { insecureTransportReason, isHostListed, networkErrorCode, networkErrorReason, normalizeHost } from '../../../credentials/endpoints';
import { abortableSleep } from '../../shared/abortableSleep';
import type { DingTalkApp } from '../../../credentials/appCredential';
import type { Redactor } from '../../shared/redact';
import { callWithRetries } from './appSend';
import { WaitBudget, type DeliverySettings } from './index';
import { robotKey } from './rateLimiter';
import type { AppContext, AppSession } from './openapi';
import type { ItemRef } from './post';

export const MESSAGE_FILES_DOWNLOAD_PATH = '/v1.0/robot/messageFiles/download';

export interface FileToDownload {
	downloadCode: string;
	robotCode: string;
}

export interface DownloadLimits {
	/** bytes: a file larger than this is not downloaded (and no more of it is read) */
	maxBytes: number;
	/** ms for the link and the file together */
	timeoutMs: number;
	/** hosts the credential allows over plain http (the file's link is a secret while it lives) */
	plainHttpHosts: string[];
}

export type DownloadedFile =
	| { ok: true; data: Buffer; size: number; servedType: string }
	| { ok: false; reason: string };

/**
 * The OpenAPI settings of a download: a few attempts within the download's time, paced with the
 * app's other calls (the same line as its sends: DingTalk counts them together).
 */
export function fileDownloadSettings(app: DingTalkApp, redact: Redactor, timeoutMs: number): DeliverySettings {
	return {
		pacing: false,
		perMinute: 20,
		maxAttempts: 3,
		timeoutMs,
		budget: new WaitBudget(timeoutMs),
		redact,
		appPacing: { key: robotKey(app.baseUrl, app.clientId), perSecond: 20 },
	};
}

const MB = 1024 * 1024;
const megabytes = (bytes: number) => `${(bytes / MB).toFixed(bytes < MB ? 2 : 1)} MB`;

/** DingTalk's storage (Alibaba Cloud OSS) and DingTalk's own hosts: served over https too. */
const HTTPS_STORAGE = /(^|\.)(aliyuncs\.com|dingtalk\.com)$/;

/**
 * Where to fetch a download link from: the link itself over https; a storage link of DingTalk's
 * that says http:// over https from the same host; plain http only to a listed host. A reason
 * (never the link) when it may not be fetched.
 */
export function fetchableLink(link: string, plainHttpHosts: string[]): URL | string {
	if (!URL.canParse(link)) return 'DingTalk\'s download link is not a URL';
	const url = new URL(link);
	if (url.protocol === 'http:' && !isHostListed(url, plainHttpHosts) && HTTPS_STORAGE.test(normalizeHost(url.hostname)) && (url.port === '' || url.port === '80')) {
		url.protocol = 'https:';
		url.port = '';
	}
	const insecure = insecureTransportReason(url, plainHttpHosts, 'the download link');
	return insecure ? `DingTalk's download link ${insecure}` : url;
}

/** The link to the file: DingTalk's answer, or why there is none (redacted words). */
async function downloadLink(ctx: AppContext, session: AppSession, file: FileToDownload, item: ItemRef, settings: DeliverySettings): Promise<{ url: string } | { reason: string }> {
	try {
		// asking for a link again is harmless: a lost answer may be asked again
		const answer = await callWithRetries(ctx, session, MESSAGE_FILES_DOWNLOAD_PATH, file, item, settings, (body) => typeof body.downloadUrl === 'string' && body.downloadUrl !== '', 'always');
		return { url: String(answer.body.downloadUrl) };
	} catch (error) {
		return { reason: session.redact(String((error as Error).message).replace(/^[^:]*: /, '')) };
	}
}

/** Reads a body to its end, or to `maxBytes` and no further; into one buffer when its length is known. */
async function readBody(body: AsyncIterable<Buffer> & { destroy(error?: Error): void }, maxBytes: number, declared: number | undefined): Promise<{ ok: true; data: Buffer } | { ok: false; reason: string }> {
	const whole = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of body) {
			if (size + chunk.length > maxBytes) {
				body.destroy();
				return { ok: false, reason: `the file is larger than ${megabytes(maxBytes)}, the most this downloads (Max File Size)` };
			}
			if (whole && size + chunk.length <= whole.length) chunk.copy(whole, size);
			else chunks.push(chunk);
			size += chunk.length;
		}
	} catch (error) {
		const code = networkErrorCode(error);
		return { ok: false, reason: `the storage's connection broke after ${size} bytes${code ? ` (${networkErrorReason(code) ?? code})` : ''}` };
	}
	if (declared !== undefined && size !== declared) return { ok: false, reason: `the storage sent ${size} of the ${declared} bytes it announced` };
	return { ok: true, data: whole ?? Buffer.concat(chunks, size) };
}

/** The file behind a downloadCode, or why it could not be had. Never throws for DingTalk's or the network's failures. */
export async function downloadMessageFile(
	ctx: AppContext,
	session: AppSession,
	file: FileToDownload,
	item: ItemRef,
	limits: DownloadLimits,
	settings: DeliverySettings,
): Promise<DownloadedFile> {
	const link = await downloadLink(ctx, session, file, item, settings);
	if ('reason' in link) return { ok: false, reason: link.reason };
	session.redact.add(link.url, URL.canParse(link.url) ? new URL(link.url).search.slice(1) : undefined);
	const url = fetchableLink(link.url, limits.plainHttpHosts);
	if (typeof url === 'string') return { ok: false, reason: url };

	const request: IHttpRequestOptions = {
		method: 'GET',
		url: url.toString(),
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: limits.timeoutMs,
	};
	const deadline = new AbortController();
	let response: IN8nHttpFullResponse | undefined;
	try {
		const helpers = ctx.helpers as IExecuteFunctions['helpers'];
		response = (await helpers.httpRequest(request)) as IN8nHttpFullResponse;
		const body = response.body as AsyncIterable<Buffer> & { destroy(error?: Error): void };
		const status = Number(response.statusCode);
		if (status < 200 || status > 299) {
			body.destroy();
			return { ok: false, reason: status >= 300 && status <= 399 ? `the storage answered with a redirect (HTTP ${status}), which is not followed` : `the storage refused the file (HTTP ${status}); the download link may have expired` };
		}
		const lengthHeader = Number(response.headers?.['content-length']);
		const declared = Number.isSafeInteger(lengthHeader) && lengthHeader >= 0 ? lengthHeader : undefined;
		if (declared !== undefined && declared > limits.maxBytes) {
			body.destroy();
			return { ok: false, reason: `the file is ${megabytes(declared)}, more than ${megabytes(limits.maxBytes)}, the most this downloads (Max File Size)` };
		}
		const timedOut = abortableSleep(limits.timeoutMs, deadline.signal).then(
			() => {
				body.destroy();
				return { ok: false as const, reason: `the file did not arrive within ${Math.round(limits.timeoutMs / 1000)} s` };
			},
			() => undefined,
		);
		const read = await Promise.race([readBody(body, limits.maxBytes, declared), timedOut]);
		if (!read) return { ok: false, reason: 'the download was stopped' };
		if (!read.ok) return read;
		const served = response.headers?.['content-type'];
		return { ok: true, data: read.data, size: read.data.length, servedType: typeof served === 'string' ? served : '' };
	} catch (error) {
		const code = networkErrorCode(error);
		return { ok: false, reason: `the storage could not be reached (${networkErrorReason(code) ?? code ?? 'network error'})` };
	} finally {
		deadline.abort();
	}
}
