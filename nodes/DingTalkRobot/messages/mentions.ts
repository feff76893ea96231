/**
 * Who a message @-mentions, from what people type or map: lists separated by commas (also
 * full-width), 、, semicolons or line breaks, arrays from expressions, and JSON arrays held as
 * text. Mobiles may be written the way people write them (spaces, dashes, +86); anything that is
 * not a mobile is refused with the value, never sent as a "mobile" DingTalk cannot match.
 */
import { MAX_MENTIONS, MessageInputError, describeValue, readBoolean } from './fields';
import type { RobotAt } from './types';

export interface MentionInput {
	/** text from the form or an array from an expression */
	atMobiles?: unknown;
	atUserIds?: unknown;
	/** a boolean, or "true"/"false" from an expression */
	isAtAll?: unknown;
}

/** The form labels of the mention fields, named in errors. */
export const MENTION_FIELDS = { mobiles: 'Mentions › Mobiles', userIds: 'Mentions › User IDs', all: 'Mentions › Mention Everyone' };

/** Separators between entries of a list (spaces are handled per kind: "+86 138 0013 8000" is one mobile). */
const LIST_SEPARATORS = /[\n\r\t,，、;；]+/;

/** A JSON array held as text, or undefined when the text is not one. */
function parseJsonArray(text: string): unknown[] | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		return Array.isArray(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** The entries of a mention value: strings split at separators, arrays flattened, JSON arrays in text parsed. */
function listEntries(value: unknown, field: string, kind: string, separators = LIST_SEPARATORS): string[] {
	const entries: string[] = [];
	const refuse = () => new MessageInputError(field, `must be a list of ${kind}, got ${describeValue(value)}`);
	const collect = (entry: unknown): void => {
		if (entry === undefined || entry === null) return;
		if (Array.isArray(entry)) return entry.forEach(collect);
		if (typeof entry === 'number') {
			if (!Number.isFinite(entry)) throw refuse();
			entries.push(String(entry));
			return;
		}
		if (typeof entry !== 'string') throw refuse();
		const text = entry.trim();
		if (text.startsWith('[') && text.endsWith(']')) {
			const parsed = parseJsonArray(text);
			if (parsed === undefined) throw new MessageInputError(field, `looks like a JSON array but is not valid JSON, got ${describeValue(entry)}`);
			return collect(parsed);
		}
		entries.push(...text.split(separators));
	};
	collect(value);
	return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** A mainland China mobile, with or without +86 / 0086 / 86: its 11 digits. */
const CHINA_MOBILE = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;
/** China's country code written out: the number after it must be a mainland mobile. */
const CHINA_PREFIX = /^(?:\+|00)86/;
/** Another country's mobile in international form (+ and 7–15 digits). */
const INTERNATIONAL_MOBILE = /^\+[1-9]\d{6,14}$/;

/** "+86 138-0013-8000" → "13800138000"; undefined when it is not a mobile. */
export function normalizeMobile(text: string): string | undefined {
	const compact = text.replace(/^@+/, '').replace(/[\s\-().]/g, '');
	const china = CHINA_MOBILE.exec(compact);
	if (china) return china[1];
	// "+86 138 0013 800" (a digit short) is not some other country's number: +86 is China's code
	if (CHINA_PREFIX.test(compact)) return undefined;
	return INTERNATIONAL_MOBILE.test(compact) ? compact : undefined;
}

export function parseMobileList(value: unknown, field: string): string[] {
	const mobiles: string[] = [];
	for (const entry of listEntries(value, field, 'mobiles')) {
		const whole = normalizeMobile(entry);
		if (whole) {
			mobiles.push(whole);
			continue;
		}
		// "13800000000 13900000000": several mobiles separated by spaces
		const parts = entry.split(/\s+/).map(normalizeMobile);
		if (parts.length > 1 && parts.every((part) => part !== undefined)) {
			mobiles.push(...(parts as string[]));
			continue;
		}
		throw new MessageInputError(
			field,
			`has ${describeValue(entry)}, which is not a mobile number`,
			'Write mobiles as 13800000000 (or +86 138 0013 8000), separated by commas or line breaks. Mention people by user ID in Mentions › User IDs.',
		);
	}
	return [...new Set(mobiles)];
}

/** Characters no DingTalk user ID has; seeing them means a broken list (a JSON array's quotes, an "@" between IDs). */
const NOT_IN_USER_IDS = /["'`[\]{}<>@\\]/;

/** Where a list of user IDs is split: commas, semicolons and line breaks, never spaces (see parseUserIdList). */
const USER_ID_SEPARATORS = /[\n\r,，、;；]+/;

/**
 * User IDs, split only at commas, semicolons and line breaks: an entry with a space inside
 * ("manager 4521") is refused, naming it, rather than guessed to be two people. DingTalk user IDs
 * have no spaces, so such an entry is a typo or a name, and a message to the wrong people
 * cannot be taken back.
 */
export function parseUserIdList(value: unknown, field: string): string[] {
	const userIds: string[] = [];
	for (const entry of listEntries(value, field, 'user IDs', USER_ID_SEPARATORS)) {
		const userId = entry.replace(/^@+/, '');
		if (userId === '') continue;
		if (/\s/.test(userId)) {
			throw new MessageInputError(
				field,
				`has ${describeValue(entry)}, which has a space inside: DingTalk user IDs have none`,
				'Separate user IDs with commas, semicolons or line breaks, e.g. manager1234, user5678.',
			);
		}
		if (NOT_IN_USER_IDS.test(userId)) {
			throw new MessageInputError(field, `has ${describeValue(entry)}, which is not a DingTalk user ID`, 'Separate user IDs with commas, semicolons or line breaks, e.g. manager1234, user5678.');
		}
		userIds.push(userId);
	}
	return [...new Set(userIds)];
}

export interface ResolvedMentions {
	at?: RobotAt;
	/** who must also appear as "@…" in the content to be highlighted */
	names: string[];
}

export function resolveMentions(input: MentionInput | undefined, fields = MENTION_FIELDS): ResolvedMentions {
	const atMobiles = parseMobileList(input?.atMobiles, fields.mobiles);
	const atUserIds = parseUserIdList(input?.atUserIds, fields.userIds);
	const isAtAll = readBoolean(input?.isAtAll, fields.all, false);
	const count = atMobiles.length + atUserIds.length;
	if (count > MAX_MENTIONS) {
		throw new MessageInputError(
			count === atMobiles.length ? fields.mobiles : fields.userIds,
			`mentions ${count} people; DingTalk allows at most ${MAX_MENTIONS} in one message`,
		);
	}
	if (count === 0 && !isAtAll) return { names: [] };
	const at: RobotAt = {};
	if (atMobiles.length) at.atMobiles = atMobiles;
	if (atUserIds.length) at.atUserIds = atUserIds;
	at.isAtAll = isAtAll;
	return { at, names: [...atMobiles, ...atUserIds] };
}

/** How many different people some mention inputs name together (for Combine Items, which merges them). */
export function countMentioned(inputs: Array<MentionInput | undefined>, fields = MENTION_FIELDS): number {
	return new Set([
		...parseMobileList(inputs.map((input) => input?.atMobiles), fields.mobiles),
		...parseUserIdList(inputs.map((input) => input?.atUserIds), fields.userIds),
	]).size;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "@user1" is in the content as a whole mention, not as the start of "@user12". */
function mentionsName(content: string, name: string): boolean {
	return new RegExp(`@${escapeRegExp(name)}(?![A-Za-z0-9_-])`).test(content);
}

/**
 * DingTalk highlights a mention only when "@<mobile>"/"@<userId>" is also in the content.
 * Appends the missing ones on a line of their own, so the mention works without the user
 * having to repeat every number in the text.
 */
export function appendMissingMentions(content: string, names: string[], separator = '\n'): string {
	const missing = names.filter((name) => !mentionsName(content, name));
	if (missing.length === 0) return content;
	return `${content}${separator}${missing.map((name) => `@${name}`).join(' ')}`;
}

/** Mention Everyone of an input already checked by resolveMentions. */
export function readMentionFlag(input: MentionInput | undefined, fields = MENTION_FIELDS): boolean {
	return readBoolean(input?.isAtAll, fields.all, false);
}
