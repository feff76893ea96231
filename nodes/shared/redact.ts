/**
 * Secrets out of everything an error, an output or a log line can carry, one redaction for every
 * surface (the robot webhook, session webhooks, the OpenAPI, media uploads, the token endpoint,
 * the Stream gateway). A proxy or server may echo the request (the URL with `access_token`,
 * `timestamp` and `sign`, a session webhook's `session`, the `x-acs-dingtalk-access-token`
 * header, a body with the Client Secret) in its answer, and n8n keeps an error's message,
 * description and response with the execution. Two nets: the known secrets by value (also
 * URL-encoded), including those learnt while running (an access token renewed mid-execution, a
 * Stream ticket), and any value of a parameter that carries one, by name, in URLs (`sign=…`), in
 * JSON (`"sign":"…"`) and in echoed headers (`x-acs-dingtalk-access-token: …`). Redaction runs
 * before any text is cut short, so no fragment of a secret survives a cut.
 */

/** Names of parameters and headers whose values authenticate a request, or are bound to its signature. */
const SECRET_NAMES =
	'x-acs-dingtalk-access-token|access_token|accessToken|access-token|sign|signature|session|timestamp|secret|appSecret|clientSecret|ticket|authorization';

/** `sign=…` in a URL (also a URL-encoded one: `%3Fsign%3D…`), the name not part of a longer word. */
const IN_URL = new RegExp(`((?<=^|[^A-Za-z0-9_]|%3F|%26)(?:${SECRET_NAMES})(?:=|%3D))(?:(?!%26)[^&\\s"'<>,;)}\\\\])+`, 'gi');

/** `"sign":"…"` in JSON, also escaped inside a JSON string (a backslash before each quote). */
const IN_JSON = new RegExp(`((?:\\\\?["'])(?:${SECRET_NAMES})\\\\?["']\\s*:\\s*\\\\?["']?)[^"'\\\\,}\\s]+`, 'gi');

/**
 * `x-acs-dingtalk-access-token: …` as a proxy echoes request headers (a name, a colon, the
 * value); only names that are headers, so that prose ("the signature: the secret…") is kept.
 */
const HEADER_NAMES = 'x-acs-dingtalk-access-token|access[-_]?token|authorization';
const IN_HEADER = new RegExp(`((?<=^|[^A-Za-z0-9_-])(?:${HEADER_NAMES})\\s*:\\s*)(?!\\*\\*\\*)[^\\s"',;}]+`, 'gi');

export type Redactor = (text: string) => string;

/** A redactor that also learns secrets met while running: a renewed access token, a Stream ticket. */
export interface SecretRedactor extends Redactor {
	add(...secrets: unknown[]): void;
}

/** A redactor for the given secrets (non-strings and blanks are ignored); `add` gives it more. */
export function createRedactor(secrets: unknown[]): SecretRedactor {
	const known = new Set<string>();
	let variants: string[] = [];
	const add = (...more: unknown[]) => {
		const before = known.size;
		for (const secret of more) if (typeof secret === 'string' && secret.trim().length >= 4) known.add(secret.trim());
		if (known.size === before) return;
		variants = [...known]
			.flatMap((secret) => [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret))])
			// longest first, so that a secret containing another is removed whole
			.sort((a, b) => b.length - a.length);
	};
	add(...secrets);
	const redact = (text: string) =>
		variants
			.reduce((result, secret) => result.split(secret).join('***'), String(text))
			.replace(IN_URL, '$1***')
			.replace(IN_JSON, '$1***')
			.replace(IN_HEADER, '$1***');
	return Object.assign(redact, { add });
}

/** A copy of `value` with every string redacted (objects and arrays walked, other values kept). */
export function redactDeep<T>(value: T, redact: Redactor): T {
	if (typeof value === 'string') return redact(value) as T;
	if (Array.isArray(value)) return value.map((entry) => redactDeep(entry, redact)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redactDeep(entry, redact)])) as T;
	}
	return value;
}

/** Redacted first, then cut to `max` characters: a cut never leaves the start of a secret behind. */
export function redactedSnippet(body: unknown, redact: Redactor, max = 200): string {
	const text = redact(typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
