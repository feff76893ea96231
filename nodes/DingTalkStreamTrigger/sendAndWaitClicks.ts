/**
 * Clicks on the app robot's Send and Wait cards, taken by whichever Stream connection of the app
 * receives them (any DingTalk Stream Trigger of the app with card clicks among its Events), even
 * when no workflow takes card clicks as items: the click is posted, with its proof, to the resume
 * URL the card carries (n8n's own, signed by n8n), and the waiting node's verdict is the click's
 * answer to DingTalk (the card shows the decision, or tells the clicker why nothing happened).
 * n8n answers a resume URL whose execution no longer waits with an error status: the clicker is
 * told the request was already decided. Nothing of the credential goes into logs or the card.
 */
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { NOTICES, clickPost, noticeResponse, type ClickVerdict, type SendAndWaitClick } from '../shared/sendAndWaitClick';
import type { StreamLog } from './stream/connection';

/** The time the post may take: DingTalk waits 2 s for the click's answer. */
export const RESUME_POST_TIMEOUT_MS = 1_600;

export interface ResumePoster {
	secret: string;
	request: (options: IHttpRequestOptions) => Promise<unknown>;
	log: StreamLog;
	now: () => number;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readVerdict(body: unknown): ClickVerdict | undefined {
	const value = typeof body === 'string' ? (() => { try { return JSON.parse(body) as unknown; } catch { return undefined; } })() : body;
	if (!isObject(value) || !['recorded', 'notAllowed', 'refused'].includes(String(value.outcome)) || !isObject(value.response)) return undefined;
	return value as unknown as ClickVerdict;
}

/** Where the click went, for the log: the resume URL without its query (n8n's signature). */
const shortUrl = (url: string) => url.split('?')[0];

/**
 * Clicks on one card are posted one after the other, and once one was recorded the later ones are
 * answered "already decided" without posting: n8n resumes an execution twice when two posts reach
 * its waiting webhook at the same moment (seen in n8n 1.123: two quick clicks, two resumes).
 */
const inFlight = new Map<string, Promise<unknown>>();
const decided = new Set<string>();
const DECIDED_KEPT = 1000;

function remember(outTrackId: string): void {
	decided.add(outTrackId);
	if (decided.size > DECIDED_KEPT) decided.delete(decided.values().next().value as string);
}

export async function answerSendAndWaitClick(click: SendAndWaitClick, poster: ResumePoster): Promise<IDataObject> {
	const before = inFlight.get(click.outTrackId) ?? Promise.resolve();
	const mine = before.then(async () => {
		if (decided.has(click.outTrackId)) {
			poster.log.info(`A click by ${click.userId} on the Send and Wait card ${click.outTrackId}, already decided: not passed on`);
			return noticeResponse(NOTICES.alreadyDecided);
		}
		const answer = await postClick(click, poster);
		if (answer.recorded) remember(click.outTrackId);
		return answer.response;
	});
	inFlight.set(click.outTrackId, mine);
	void mine.finally(() => {
		if (inFlight.get(click.outTrackId) === mine) inFlight.delete(click.outTrackId);
	});
	return await mine;
}

async function postClick(click: SendAndWaitClick, poster: ResumePoster): Promise<{ recorded: boolean; response: IDataObject }> {
	const where = `card ${click.outTrackId} (${shortUrl(click.resumeUrl)})`;
	let answer: { statusCode?: number; body?: unknown };
	try {
		answer = (await poster.request({
			method: 'POST',
			url: click.resumeUrl,
			body: clickPost(poster.secret, click, poster.now()),
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: RESUME_POST_TIMEOUT_MS,
		})) as { statusCode?: number; body?: unknown };
	} catch (error) {
		poster.log.warn(`A click on the Send and Wait ${where} could not be passed to n8n: ${(error as Error).message}`);
		return { recorded: false, response: noticeResponse(NOTICES.unreachable) };
	}
	const status = Number(answer.statusCode);
	const verdict = status >= 200 && status < 300 ? readVerdict(answer.body) : undefined;
	if (verdict) {
		poster.log.info(`A click by ${click.userId} on the Send and Wait ${where}: ${verdict.outcome}`);
		return { recorded: verdict.outcome === 'recorded', response: verdict.response };
	}
	if (status === 403) {
		poster.log.warn(`The waiting node refused a click by ${click.userId} on the Send and Wait ${where}`);
		return { recorded: false, response: noticeResponse(NOTICES.refused) };
	}
	// the execution no longer waits (answered, timed out, stopped) or the URL is not n8n's
	poster.log.info(`A click by ${click.userId} on the Send and Wait ${where}: n8n answered HTTP ${status || 'without a status'}; the request is no longer waiting`);
	return { recorded: false, response: noticeResponse(NOTICES.alreadyDecided) };
}
