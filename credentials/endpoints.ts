/**
 * Where a request carrying a secret may go. The robot webhook carries the access token and the
 * signature, a session webhook its session token: over plain http anyone on the path reads
 * them. DingTalk serves its APIs over https on port 443 only, so a DingTalk host is reached
 * that way and no other; plain http (or another port) is possible only for a host the user
 * listed by name, such as a proxy in the company network or the local DingTalk simulator.
 */

/** The hosts DingTalk's robot webhooks and session webhooks are served from. */
export const DINGTALK_API_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com'];

export function isDingTalkHost(hostname: string): boolean {
	const host = hostname.toLowerCase();
	return host === 'dingtalk.com' || host.endsWith('.dingtalk.com');
}

/** "oapi.dingtalk.com, 127.0.0.1:8790" → lower-case entries, a host with or without a port. */
export function parseHostList(value: unknown): string[] {
	return String(value ?? '')
		.split(/[\s,，;；]+/)
		.map((host) => host.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, ''))
		.filter(Boolean);
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** The URL's host and port as `host:port`, the port written out even when it is the scheme's default. */
export function hostAndPort(url: URL): string {
	return `${url.hostname.toLowerCase()}:${url.port || DEFAULT_PORTS[url.protocol] || ''}`;
}

/**
 * Whether a list names the URL's host and port: an entry with a port names exactly that port,
 * an entry without one names the scheme's default port (443 for https, 80 for http).
 */
export function isHostListed(url: URL, entries: string[]): boolean {
	const wanted = hostAndPort(url);
	return entries.some((entry) => (/:\d+$/.test(entry) ? entry : `${entry}:${DEFAULT_PORTS[url.protocol] ?? ''}`) === wanted);
}

/**
 * Why a request carrying a secret must not go to `url`, or undefined when it may:
 * a DingTalk host only over https on 443; any other host over https, or over plain http when
 * `plainHttpHosts` lists it. The reason never repeats the URL (its query holds the secret).
 */
export function insecureTransportReason(url: URL, plainHttpHosts: string[]): string | undefined {
	const scheme = url.protocol.toLowerCase();
	if (scheme !== 'https:' && scheme !== 'http:') return `uses ${scheme.replace(/:$/, '')}://; only https:// is allowed`;
	if (isDingTalkHost(url.hostname)) {
		if (scheme !== 'https:') return `uses plain http:// to ${url.hostname}; DingTalk is reached only over https://, so the token is never sent unencrypted`;
		if (url.port && url.port !== '443') return `uses port ${url.port} of ${url.hostname}; DingTalk serves https on port 443 only`;
		return undefined;
	}
	if (scheme === 'http:' && !isHostListed(url, plainHttpHosts)) {
		return `uses plain http:// to ${hostAndPort(url)}, which is not listed as a plain-HTTP host; the token would travel unencrypted`;
	}
	return undefined;
}
