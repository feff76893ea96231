import { createHmac } from 'crypto';

import { insecureTransportReason, parseHostList } from './endpoints';

/** Where a robot posts when the user gives only the bare access token. */
export const DINGTALK_ROBOT_SEND_ENDPOINT = 'https://oapi.dingtalk.com/robot/send';

export interface RobotWebhook {
	/** scheme + host + path, without any query: the host is kept so a proxy or a local simulator works */
	endpoint: string;
	accessToken: string;
}

/**
 * Accepts what users paste: the whole webhook URL copied from DingTalk (possibly with an old
 * `timestamp`/`sign` from a sample), the bare access token, or `access_token=…`.
 * A URL must keep the token encrypted: https to DingTalk (port 443), https to a proxy, or plain
 * http only to a host listed in `plainHttpHosts` (the credential's Plain HTTP Hosts).
 * Error messages never repeat the input: it is a secret.
 */
export function parseRobotWebhook(input: unknown, plainHttpHosts: unknown = ''): RobotWebhook {
	const value = typeof input === 'string' ? input.trim().replace(/^["']|["']$/g, '') : '';
	if (value === '') {
		throw new Error(
			'The DingTalk Robot credential has no webhook: paste the robot\'s Webhook URL (or its access token) from the group\'s robot settings',
		);
	}
	if (/^https?:\/\//i.test(value)) {
		if (!URL.canParse(value)) {
			throw new Error('The webhook in the DingTalk Robot credential is not a valid URL');
		}
		const url = new URL(value);
		const insecure = insecureTransportReason(url, parseHostList(plainHttpHosts));
		if (insecure) {
			throw new Error(
				`The webhook URL in the DingTalk Robot credential ${insecure}. Use https://oapi.dingtalk.com/robot/send?access_token=… as DingTalk shows it, or list a trusted proxy's host:port under Plain HTTP Hosts.`,
			);
		}
		const accessToken = url.searchParams.get('access_token')?.trim();
		if (!accessToken) {
			throw new Error(
				'The webhook URL in the DingTalk Robot credential has no access_token parameter: copy the whole Webhook URL from the robot\'s settings',
			);
		}
		return { endpoint: `${url.origin}${url.pathname}`, accessToken };
	}
	const accessToken = value.replace(/^access_token=/i, '');
	if (!/^[A-Za-z0-9_-]+$/.test(accessToken)) {
		throw new Error(
			'The webhook in the DingTalk Robot credential is neither a webhook URL (https://oapi.dingtalk.com/robot/send?access_token=…) nor an access token',
		);
	}
	return { endpoint: DINGTALK_ROBOT_SEND_ENDPOINT, accessToken };
}

/**
 * DingTalk's "加签": base64(HmacSHA256(key = secret, message = `${timestamp}\n${secret}`)), UTF-8.
 * Returned raw (not URL-encoded): whoever puts it in a URL encodes it exactly once. The same
 * computation verifies the `sign` header of DingTalk's outgoing callbacks.
 */
export function computeDingTalkSign(secret: string, timestampMs: number | string): string {
	return createHmac('sha256', Buffer.from(secret, 'utf8'))
		.update(Buffer.from(`${timestampMs}\n${secret}`, 'utf8'))
		.digest('base64');
}

/**
 * The URL to POST one message to: the access token and, when the robot has a secret, a
 * signature over `timestampMs`. Callers pass a fresh timestamp for every request (DingTalk
 * rejects one more than an hour off).
 */
export function signWebhookUrl(webhook: RobotWebhook, secret: string | undefined, timestampMs: number): string {
	const query = new URLSearchParams({ access_token: webhook.accessToken });
	const trimmedSecret = secret?.trim();
	if (trimmedSecret) {
		query.set('timestamp', String(timestampMs));
		// URLSearchParams encodes the base64 exactly once (+ → %2B, / → %2F, = → %3D).
		query.set('sign', computeDingTalkSign(trimmedSecret, timestampMs));
	}
	return `${webhook.endpoint}?${query.toString()}`;
}
