/**
 * A click on a card's button reaching the HTTP trigger (Events: Card Button Clicks, or Both): a
 * card made with callbackType HTTP and a callbackRouteKey whose URL, registered with DingTalk's
 * POST /v1.0/card/callbacks/register, is this trigger's Production URL. Refused unless DingTalk
 * signed it with the registered apiSecret (401 missing or stale, 403 wrong: callback.ts
 * verifyCardCallback), it is a click (400), and its signature was not used for another click
 * (403: the pairs memory, apart from the robot messages'). DingTalk retrying the same bytes is
 * answered again and runs nothing. Otherwise answered at once with the trigger's card update (the
 * same answer as the Stream trigger's ACK, here the body itself, as DingTalk's guide shows it), and
 * the workflow starts with the click's item.
 *
 * As for robot messages (receiveCallback.ts, callbackSecrets.ts): a call that checks out with the
 * credential's kept value is answered at once, and its workflow starts only after a fresh read
 * still verifies it; a call that does not waits for the fresh read before anything is decided.
 */
import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';

import { capitalized, credentialLabel } from '../shared/credentialLabel';
import { normalizeCardAction, passesCardFilters, readCardCallbackBody } from '../shared/incoming/cardAction';
import { clickResponse } from '../shared/incoming/cardActionAnswer';
import { readCardActionSettings, type CardActionSettings } from '../shared/incoming/cardActionSettings';
import { CARD_SIGNATURE_HEADER, CARD_TIMESTAMP_HEADER, header, verifyCardCallback } from './callback';
import { CALLBACK_CREDENTIAL_TYPE, keptSecrets, readSecrets } from './callbackSecrets';
import { answerNow, startRun, type CallbackCall, type Decision } from './callbackAnswers';
import { SignedPairMemory, bodyDigest } from './signedPairs';

/** The (timestamp, signature) pairs of accepted clicks, for every trigger of the process: apart from robot messages', another scheme. */
export const cardSignedPairs = new SignedPairMemory();

/** Decides a click whose signature checked out: read it, judge its pair, filter it, answer it. */
function decide(call: CallbackCall, settings: CardActionSettings): Decision {
	const reading = readCardCallbackBody(call.body);
	if (!reading.ok) return { kind: 'refuse', status: 400, reason: reading.reason };
	const item = normalizeCardAction(reading.body, reading.action, 'http', call.now);
	const response = clickResponse(settings.answer, item);
	// the same click is the same card, person and buttons: a "message" of the pairs memory
	const arrival = { digest: bodyDigest(call.received), msgId: `${item.outTrackId}\n${item.userId}\n${item.actionIds.join(',')}` };
	const pair = cardSignedPairs.check(header(call.headers, CARD_TIMESTAMP_HEADER) ?? '', header(call.headers, CARD_SIGNATURE_HEADER) ?? '', arrival, call.now);
	if (pair.kind === 'replay') return { kind: 'refuse', status: 403, reason: pair.reason };
	// DingTalk sending the same click again: the same answer, nothing runs a second time
	if (pair.kind === 'retry') return { kind: 'answer', answer: response };
	if (!passesCardFilters(item, settings.filters)) return { kind: 'answer', answer: {} };
	return { kind: 'run', answer: response, item };
}

/** The credential read now, with a Card Callback API Secret, or the setup error n8n shows as a failed execution. */
async function freshSecret(ctx: IWebhookFunctions): Promise<string> {
	const secrets = await readSecrets(ctx);
	if (secrets.cardApiSecret.trim()) return secrets.cardApiSecret;
	const label = credentialLabel(ctx.getNode(), CALLBACK_CREDENTIAL_TYPE, 'DingTalk Robot Callback');
	throw new NodeOperationError(ctx.getNode(), `${capitalized(label)} has no Card Callback API Secret`, {
		description:
			'The trigger takes card clicks (Events) and checks each with the apiSecret you registered for its URL with DingTalk (POST /v1.0/card/callbacks/register). Enter it in the credential.',
	});
}

export async function receiveCardCallback(ctx: IWebhookFunctions, call: CallbackCall): Promise<IWebhookResponseData> {
	const settings = readCardActionSettings(ctx, ctx.getNodeParameter('options', {}) as IDataObject);
	const kept = keptSecrets(ctx)?.cardApiSecret;
	if (kept?.trim() && verifyCardCallback(call.headers, kept, call.now).ok) {
		const decision = decide(call, settings);
		const answered = answerNow(ctx, decision);
		if (decision.kind !== 'run') return answered;
		// the workflow starts only if a read begun after this call still verifies it
		const fresh = await freshSecret(ctx).catch(() => undefined);
		return fresh && verifyCardCallback(call.headers, fresh, call.now).ok ? startRun(decision.item) : answered;
	}
	const verdict = verifyCardCallback(call.headers, await freshSecret(ctx), call.now);
	const decision: Decision = verdict.ok ? decide(call, settings) : { kind: 'refuse', status: verdict.status, reason: verdict.reason };
	const answered = answerNow(ctx, decision);
	return decision.kind === 'run' ? startRun(decision.item) : answered;
}
