/**
 * Secrets out of everything an error can carry. A proxy or server may echo the request URL
 * (with `access_token`, `timestamp` and `sign`, or a session webhook's `session`) in its answer,
 * and n8n keeps an error's message, description and response with the execution. Two nets:
 * the known secrets by value (also URL-encoded), and any value of a parameter that carries one,
 * by name, in URLs (`sign=…`) and in JSON (`"sign":"…"`). Redaction runs before any text is
 * cut short, so no fragment of a secret survives a cut.
 */

/** Names of parameters whose values authenticate a request, or are bound to its signature. */
const SECRET_NAMES = 'access_token|accessToken|sign|signature|session|timestamp|secret|appSecret|clientSecret';

/** `sign=…` in a URL (also a URL-encoded one: `%3Fsign%3D…`), the name not part of a longer word. */
const IN_URL = new RegExp(`((?<=^|[^A-Za-z0-9_]|%3F|%26)(?:${SECRET_NAMES})(?:=|%3D))(?:(?!%26)[^&\\s"'<>,;)}\\\\])+`, 'gi');

/** `"sign":"…"` in JSON, also escaped inside a JSON string (a backslash before each quote). */
const IN_JSON = new RegExp(`((?:\\\\?["'])(?:${SECRET_NAMES})\\\\?["']\\s*:\\s*\\\\?["']?)[^"'\\\\,}\\s]+`, 'gi');

export type Redactor = (text: string) => string;

/** A redactor for the given secrets (non-strings and blanks are ignored). */
export function createRedactor(secrets: unknown[]): Redactor {
	const unique = new Set(secrets.filter((secret): secret is string => typeof secret === 'string').map((secret) => secret.trim()));
	const variants = [...unique]
		.flatMap((secret) => [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret))])
		.filter((secret) => secret.length >= 4)
		// longest first, so that a secret containing another is removed whole
		.sort((a, b) => b.length - a.length);
	return (text: string) =>
		variants.reduce((result, secret) => result.split(secret).join('***'), String(text)).replace(IN_URL, '$1***').replace(IN_JSON, '$1***');
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
