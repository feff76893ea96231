/**
 * Where a request carrying a secret may go. The robot webhook carries the access token and the
 * signature, a session webhook its session token: over plain http anyone on the path reads
 * them. DingTalk serves its APIs over https on port 443 only, so a DingTalk host is reached
 * that way and no other; plain http (or another port) is possible only for a host the user
 * listed by name, such as a proxy in the company network or the local DingTalk simulator.
 * Also how such a request is made (SECRET_REQUEST_OPTIONS) and what stopped one (the codes below).
 */

/** The hosts DingTalk's robot webhooks and session webhooks are served from. */
export const DINGTALK_API_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com'];

/**
 * A host name as every decision here compares it: lower case, without the trailing dot of a
 * fully qualified name (`OAPI.DINGTALK.COM.` is oapi.dingtalk.com, and must be treated as DingTalk).
 */
export function normalizeHost(hostname: string): string {
	return hostname.toLowerCase().replace(/\.+$/, '');
}

export function isDingTalkHost(hostname: string): boolean {
	const host = normalizeHost(hostname);
	return host === 'dingtalk.com' || host.endsWith('.dingtalk.com');
}

/** "oapi.dingtalk.com, 127.0.0.1:8790" → normalized entries, a host with or without a port. */
export function parseHostList(value: unknown): string[] {
	return String(value ?? '')
		.split(/[\s,，;；]+/)
		.map((entry) => entry.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, ''))
		.map((entry) => {
			const port = /^(.*?)(:\d+)$/.exec(entry);
			return port ? `${normalizeHost(port[1])}${port[2]}` : normalizeHost(entry);
		})
		.filter(Boolean);
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

/** The encrypted scheme of a plain one: a WebSocket URL follows the same rule as an HTTP one. */
const ENCRYPTED: Record<string, string> = { 'http:': 'https:', 'ws:': 'wss:' };

/** The URL's host and port as `host:port`, the port written out even when it is the scheme's default. */
export function hostAndPort(url: URL): string {
	return `${normalizeHost(url.hostname)}:${url.port || DEFAULT_PORTS[url.protocol] || ''}`;
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
 * Why a request carrying a secret (`secret` names it in the reason) must not go to `url`, or
 * undefined when it may: a DingTalk host only over https (wss) on 443; any other host over https
 * (wss), or over plain http (ws) when `plainHttpHosts` lists it. The reason never repeats the URL
 * (its query holds the secret).
 */
export function insecureTransportReason(url: URL, plainHttpHosts: string[], secret = 'the token'): string | undefined {
	const scheme = url.protocol.toLowerCase();
	const plain = scheme in ENCRYPTED;
	const encrypted = plain ? ENCRYPTED[scheme] : scheme;
	if (encrypted !== 'https:' && encrypted !== 'wss:') return `uses ${scheme.replace(/:$/, '')}://; only https:// is allowed`;
	if (isDingTalkHost(url.hostname)) {
		if (plain) return `uses plain ${scheme}// to ${normalizeHost(url.hostname)}; DingTalk is reached only over ${encrypted}//, so ${secret} is never sent unencrypted`;
		if (url.port && url.port !== '443') return `uses port ${url.port} of ${normalizeHost(url.hostname)}; DingTalk serves ${scheme.replace(/:$/, '')} on port 443 only`;
		return undefined;
	}
	if (plain && !isHostListed(url, plainHttpHosts)) {
		return `uses plain ${scheme}// to ${hostAndPort(url)}, which is not listed as a plain-HTTP host; ${secret} would travel unencrypted`;
	}
	return undefined;
}

/**
 * The options of every request here that carries a secret (a signed webhook, a session token, the
 * Client Secret, an access token): the answer comes back whatever its status, because DingTalk's
 * own codes say more than n8n's generic HTTP error, and a redirect is never followed, because it
 * would carry the secret to a host nobody checked.
 */
export const SECRET_REQUEST_OPTIONS = { returnFullResponse: true, ignoreHttpStatusErrors: true, disableFollowRedirect: true } as const;

/**
 * The code of the error that kept a request from any answer (ECONNREFUSED, ETIMEDOUT, …): n8n
 * puts it in httpCode, the cause or the error itself. Only the code: n8n's error text quotes the
 * request, and so the secret.
 */
export function networkErrorCode(error: unknown): string | undefined {
	const caught = (error ?? {}) as { httpCode?: unknown; code?: unknown; cause?: { code?: unknown } };
	return [caught.httpCode, caught.cause?.code, caught.code].find((code): code is string => typeof code === 'string' && /^[A-Z_]+$/.test(code));
}

/** Plain words for the network errors users meet, by Node's error code. */
const NETWORK_REASONS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was closed before DingTalk answered',
	EPIPE: 'the connection was closed before DingTalk answered',
	ENOTFOUND: 'the host name could not be resolved',
	EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable',
	ETIMEDOUT: 'DingTalk did not answer in time',
	ECONNABORTED: 'DingTalk did not answer in time',
	ESOCKETTIMEDOUT: 'DingTalk did not answer in time',
};

/**
 * A network error's code in plain words, or undefined for a code without them. Words, not the
 * code, go into messages: n8n's NodeApiError replaces a message that contains a code it knows
 * with its own generic text.
 */
export function networkErrorReason(code: string | undefined): string | undefined {
	return code ? NETWORK_REASONS[code] : undefined;
}

/** Codes of failures that happen before a connection exists: nothing of the request left this host. */
const BEFORE_CONNECTING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * The system calls whose failure proves the server did not receive the whole request: the
 * connection was never made (`connect`, `getaddrinfo`), or the request could not be written to
 * the end (`write`): a request cut short is never processed. A failure while reading the answer
 * (`read`, "socket hang up", a timeout) may come after the server acted on the request.
 */
const BEFORE_THE_REQUEST_WAS_WHOLE = new Set(['connect', 'getaddrinfo', 'write']);

/** Node's text of a system error: "<syscall> <CODE> <address>", e.g. "connect ECONNRESET 10.0.0.5:443". */
const SYSTEM_ERROR_TEXT = /^(\w+) (E[A-Z_]+)\b/;

/**
 * Whether a request that failed without an answer provably never reached the server whole, so
 * sending it again cannot make the server act twice. n8n wraps the system error (in axios's,
 * then in its NodeApiError, which keeps only the original texts in `messages`), so both the chain
 * of causes and those texts are searched for the system call that failed.
 */
export function requestNeverSent(error: unknown): boolean {
	let current = error as { code?: unknown; syscall?: unknown; cause?: unknown; message?: unknown; messages?: unknown } | undefined;
	for (let depth = 0; current && typeof current === 'object' && depth < 6; depth++) {
		if (typeof current.syscall === 'string') return BEFORE_THE_REQUEST_WAS_WHOLE.has(current.syscall);
		if (typeof current.code === 'string' && BEFORE_CONNECTING.has(current.code)) return true;
		const texts = [current.message, ...(Array.isArray(current.messages) ? current.messages : [])];
		const systemError = texts.map((text) => (typeof text === 'string' ? SYSTEM_ERROR_TEXT.exec(text) : null)).find(Boolean);
		if (systemError) return BEFORE_THE_REQUEST_WAS_WHOLE.has(systemError[1]) || BEFORE_CONNECTING.has(systemError[2]);
		current = current.cause as typeof current;
	}
	return false;
}

/** DingTalk's error code in an answer's body (`code`), cleaned to print: '' when there is none. */
export function dingTalkErrorCode(body: unknown): string {
	const code = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).code : undefined;
	return typeof code === 'string' ? code.replace(/[^\w.-]/g, '').slice(0, 60) : '';
}
