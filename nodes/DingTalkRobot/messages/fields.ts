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

export function describeValue(value: unknown): string {
	const text = JSON.stringify(value);
	return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
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

/**
 * A link users open: http(s), or a dingtalk:// link that opens inside the client.
 * `allowDingTalkScheme: false` for pictures, which DingTalk downloads itself.
 */
export function requireUrl(value: unknown, field: string, allowDingTalkScheme = true): string {
	const text = requireText(value, field).trim();
	const allowed = allowDingTalkScheme ? 'an http(s) or dingtalk:// URL' : 'an http(s) URL';
	if (!URL.canParse(text)) throw new MessageInputError(field, `must be ${allowed}, got ${describeValue(text)}`);
	const scheme = new URL(text).protocol.toLowerCase();
	const ok = scheme === 'http:' || scheme === 'https:' || (allowDingTalkScheme && scheme === 'dingtalk:');
	if (!ok) throw new MessageInputError(field, `must be ${allowed}, got ${describeValue(text)}`);
	return text;
}

export function optionalUrl(value: unknown, field: string, allowDingTalkScheme = true): string | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		return undefined;
	}
	return requireUrl(value, field, allowDingTalkScheme);
}
