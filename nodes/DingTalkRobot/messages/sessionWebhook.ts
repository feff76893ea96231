/**
 * Replying in a conversation: the session webhook a DingTalk Robot Trigger item carries is
 * checked before anything is sent. It must point at a DingTalk host (or one the user listed),
 * so a forged item cannot make n8n post somewhere else, and it must not have expired.
 * Errors never repeat the URL: its `session` parameter lets anyone post to the conversation.
 */
import { MessageInputError, describeValue } from './fields';

/** The hosts DingTalk hands out session webhooks on (the option's default); anything else is refused before sending. */
export const DINGTALK_SESSION_HOSTS = 'oapi.dingtalk.com, api.dingtalk.com';

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
export function parseSessionHosts(value: unknown): string[] {
	return String(value ?? '')
		.split(/[\s,，;；]+/)
		.map((host) => host.trim().toLowerCase())
		.filter(Boolean);
}

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
	const host = parsed.host.toLowerCase();
	if (!allowedHosts.includes(host) && !allowedHosts.includes(parsed.hostname.toLowerCase())) {
		throw new MessageInputError(
			WEBHOOK_FIELD,
			`points at ${host}, which is not a DingTalk session webhook host (${allowedHosts.join(', ') || 'none allowed'})`,
			'Replies go only to the hosts in Options › Session Webhook Hosts, so a forged item cannot send the message elsewhere. Add the host there if it is a proxy you trust.',
		);
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
