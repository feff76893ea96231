/**
 * Checks shared by every message type. They throw MessageInputError naming the field as the
 * user sees it in the form (or the JSON path in JSON mode); the node adds the item.
 */
export class MessageInputError extends Error {
	constructor(
		readonly field: string,
		readonly problem: string,
		readonly hint?: string,
		/** the input item, when the check spans several items (Combine Items) */
		readonly itemIndex?: number,
	) {
		super(`"${field}" ${problem}`);
		this.name = 'MessageInputError';
	}
}

/** DingTalk rejects bodies over about 20000 bytes (errcode 460101). */
export const MAX_MESSAGE_BYTES = 20000;

/** DingTalk highlights at most 50 people in one message. */
export const MAX_MENTIONS = 50;

/**
 * DingTalk's webhook documentation gives no number for either: these are the limits of what
 * DingTalk shows. Buttons: DingTalk's own card templates for robots stop at five buttons
 * (sampleActionCard2…5 have 2 to 5, the OpenAPI's message templates). Links: a feedCard of
 * more than nine links is not shown on DingTalk's mobile client (reported to DingtalkChatbot,
 * issue #64), so the message would be lost for phone users.
 */
export const MAX_ACTION_CARD_BUTTONS = 5;
export const MAX_FEED_CARD_LINKS = 9;

/** Refuses a list longer than DingTalk shows. */
export function assertAtMost<T>(list: T[], max: number, field: string, what: string): T[] {
	if (list.length > max) throw new MessageInputError(field, `has ${list.length} ${what}; DingTalk shows at most ${max}`);
	return list;
}

export function describeValue(value: unknown): string {
	const text = JSON.stringify(value);
	return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** An optional text: nothing is '', an object or a list is refused (an expression that gave the wrong thing). */
export function optionalText(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'object') throw new MessageInputError(field, `must be text, got ${describeValue(value)}`);
	return String(value);
}

/** A required text: any value an expression gives is turned into text; blank is refused. */
export function requireText(value: unknown, field: string): string {
	if (value === undefined || value === null) throw new MessageInputError(field, 'is required');
	if (typeof value === 'object') {
		throw new MessageInputError(field, `must be text, got ${describeValue(value)}`);
	}
	const text = String(value);
	if (text.trim() === '') throw new MessageInputError(field, 'is required');
	return text;
}

/** Characters a URL may not carry raw; users paste them (a space in a file name, a quote in a query). */
const UNSAFE_URL_CHARACTERS = /[ "<>`{}|\\^]/g;

/** A dingtalk:// link's parameters that hold a link DingTalk opens for the user. */
function assertSafeNestedLinks(url: URL, field: string, shown: string): void {
	for (const [name, value] of url.searchParams) {
		const nested = value.trim();
		if (!/^[a-z][a-z0-9+.-]*:/i.test(nested)) continue;
		const scheme = nested.slice(0, nested.indexOf(':') + 1).toLowerCase();
		if (scheme !== 'http:' && scheme !== 'https:' && scheme !== 'dingtalk:') {
			throw new MessageInputError(field, `opens a ${scheme} link in its "${name}" parameter, got ${describeValue(shown)}; only http(s) links may be opened from DingTalk`);
		}
	}
}

/**
 * A link users open: http(s), or a dingtalk:// link that opens inside the client (whose own
 * `url=` must again be http(s): `dingtalk://…?url=javascript:…` is refused). Raw spaces and
 * other characters a URL cannot carry are percent-encoded, so DingTalk gets one valid link.
 * `allowDingTalkScheme: false` for pictures, which DingTalk downloads itself.
 */
export function requireUrl(value: unknown, field: string, allowDingTalkScheme = true): string {
	const raw = requireText(value, field).trim();
	const allowed = allowDingTalkScheme ? 'an http(s) or dingtalk:// URL' : 'an http(s) URL';
	if (/[\u0000-\u001f\u007f]/.test(raw)) {
		throw new MessageInputError(field, `must be one URL without line breaks or control characters, got ${describeValue(raw)}`);
	}
	const text = raw.replace(UNSAFE_URL_CHARACTERS, (character) => encodeURIComponent(character));
	if (!URL.canParse(text)) throw new MessageInputError(field, `must be ${allowed}, got ${describeValue(raw)}`);
	const url = new URL(text);
	const scheme = url.protocol.toLowerCase();
	const ok = scheme === 'http:' || scheme === 'https:' || (allowDingTalkScheme && scheme === 'dingtalk:');
	if (!ok) throw new MessageInputError(field, `must be ${allowed}, got ${describeValue(raw)}`);
	if ((scheme === 'http:' || scheme === 'https:') && url.hostname === '') throw new MessageInputError(field, `must be ${allowed}, got ${describeValue(raw)}`);
	if (scheme === 'dingtalk:') assertSafeNestedLinks(url, field, raw);
	return text;
}

export function optionalUrl(value: unknown, field: string, allowDingTalkScheme = true): string | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		return undefined;
	}
	return requireUrl(value, field, allowDingTalkScheme);
}

/**
 * A yes/no from the form or an expression: booleans, "true"/"false" (any case), 1/0, "yes"/"no".
 * Blank is `fallback`. Anything else is refused: `"flase"` must not silently mean false.
 */
export function readBoolean(value: unknown, field: string, fallback: boolean): boolean {
	if (value === undefined || value === null || value === '') return fallback;
	if (typeof value === 'boolean') return value;
	if (value === 1 || value === 0) return value === 1;
	if (typeof value === 'string') {
		const word = value.trim().toLowerCase();
		if (word === '') return fallback;
		if (['true', '1', 'yes', 'on'].includes(word)) return true;
		if (['false', '0', 'no', 'off'].includes(word)) return false;
	}
	throw new MessageInputError(field, `must be true or false, got ${describeValue(value)}`);
}

/**
 * A number from the form or an expression (a number or numeric text), within [min, max];
 * blank is `fallback`. NaN, text and out-of-range values are refused: a NaN would switch a
 * limit off silently.
 */
export function readNumber(value: unknown, field: string, range: { min: number; max?: number; integer?: boolean }, fallback: number): number {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback;
	const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
	const bounds = range.max === undefined ? `at least ${range.min}` : `between ${range.min} and ${range.max}`;
	if (!Number.isFinite(number)) throw new MessageInputError(field, `must be a number ${bounds}, got ${describeValue(value)}`);
	if (range.integer && !Number.isInteger(number)) throw new MessageInputError(field, `must be a whole number ${bounds}, got ${describeValue(value)}`);
	if (number < range.min || (range.max !== undefined && number > range.max)) {
		throw new MessageInputError(field, `must be ${bounds}, got ${describeValue(value)}`);
	}
	return number;
}
