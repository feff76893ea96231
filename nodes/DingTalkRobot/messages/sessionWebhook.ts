/**
 * Replying in a conversation: the session webhook a DingTalk Robot Trigger item carries is
 * checked before anything is sent. It must point at a DingTalk host over https (or a host the
 * user listed, on the port listed), so a forged item cannot make n8n post somewhere else or in
 * clear text, and it must not have expired.
 * Errors never repeat the URL: its `session` parameter lets anyone post to the conversation.
 */
import { DINGTALK_API_HOSTS, insecureTransportReason, isDingTalkHost, isHostListed, normalizeHost, parseHostList } from '../../../credentials/endpoints';
import { MessageInputError, describeValue } from './fields';

/** The hosts DingTalk hands out session webhooks on (the option's default); anything else is refused before sending. */
export const DINGTALK_SESSION_HOSTS = DINGTALK_API_HOSTS.join(', ');

export interface SessionWebhook {
	url: string;
	/** scheme + host + path, to key the rate limiter */
	endpoint: string;
	/** the secret part, removed from any error text */
	session: string;
}

const WEBHOOK_FIELD = 'Session Webhook';
const EXPIRY_FIELD = 'Session Expires At';

/** "oapi.dingtalk.com, 127.0.0.1:8790" → lower-case hosts (with port when one is given). */
export const parseSessionHosts = parseHostList;

/** The expiry as ms since the epoch, from milliseconds, a numeric string or an ISO time; undefined when blank. */
function readExpiry(value: unknown): number | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	const ms =
		typeof value === 'number'
			? value
			: typeof value === 'string' && /^\d+$/.test(value.trim())
				? Number(value.trim())
				: typeof value === 'string'
					? Date.parse(value)
					: NaN;
	if (!Number.isFinite(ms) || ms <= 0) {
		throw new MessageInputError(
			EXPIRY_FIELD,
			`must be a time (ISO, or milliseconds since 1970), got ${describeValue(value)}`,
			'Map it to the trigger item\'s sessionWebhookExpiresAt, or leave it empty to skip the check.',
		);
	}
	return ms;
}

function minutesBetween(fromMs: number, toMs: number): string {
	const minutes = Math.round((toMs - fromMs) / 60000);
	return minutes < 1 ? 'less than a minute' : `${minutes} min`;
}

export function checkSessionWebhook(url: unknown, expiresAt: unknown, allowedHosts: string[], nowMs: number): SessionWebhook {
	const text = typeof url === 'string' ? url.trim() : '';
	if (text === '') {
		throw new MessageInputError(
			WEBHOOK_FIELD,
			'is empty',
			'Map it to the sessionWebhook of a DingTalk Robot Trigger item, e.g. {{ $(\'DingTalk Robot Trigger\').item.json.sessionWebhook }}.',
		);
	}
	if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
		throw new MessageInputError(WEBHOOK_FIELD, 'is not an http(s) URL', 'Map it to the sessionWebhook of a DingTalk Robot Trigger item.');
	}
	const parsed = new URL(text);
	// a DingTalk host is listed by name (its scheme and port are checked below: https on 443 only); another host with its port
	const listed = isDingTalkHost(parsed.hostname) ? allowedHosts.some((entry) => entry.replace(/:\d+$/, '') === normalizeHost(parsed.hostname)) : isHostListed(parsed, allowedHosts);
	if (!listed) {
		throw new MessageInputError(
			WEBHOOK_FIELD,
			`points at ${parsed.host.toLowerCase()}, which is not a DingTalk session webhook host (${allowedHosts.join(', ') || 'none allowed'})`,
			'Replies go only to the hosts in Options › Session Webhook Hosts (host, or host:port for another port than 443/80), so a forged item cannot send the message elsewhere. Add the host there if it is a proxy you trust.',
		);
	}
	// listed hosts other than DingTalk's may be plain http: the user named them
	const insecure = insecureTransportReason(parsed, isDingTalkHost(parsed.hostname) ? [] : allowedHosts);
	if (insecure) {
		throw new MessageInputError(WEBHOOK_FIELD, insecure, 'DingTalk\'s session webhooks are https://oapi.dingtalk.com/robot/sendBySession?session=…; map the trigger item\'s sessionWebhook unchanged.');
	}
	const session = parsed.searchParams.get('session') ?? '';
	const expiry = readExpiry(expiresAt);
	if (expiry !== undefined && nowMs >= expiry) {
		throw new MessageInputError(
			EXPIRY_FIELD,
			`says the conversation's session expired at ${new Date(expiry).toISOString()} (${minutesBetween(expiry, nowMs)} ago): DingTalk no longer accepts replies to it`,
			'Nothing was sent. DingTalk keeps a session open for about 90 minutes after the message; reply sooner, or post to the group with Send To › Group Robot.',
		);
	}
	return { url: text, endpoint: `${parsed.origin}${parsed.pathname}`, session };
}
