import { MAX_MENTIONS, MessageInputError, describeValue } from './fields';
import type { RobotAt } from './types';

export interface MentionInput {
	/** text from the form (comma, full-width comma, 、, semicolon, space or new line separated) or an array from an expression */
	atMobiles?: unknown;
	atUserIds?: unknown;
	isAtAll?: boolean;
}

/** Splits what users type or map into a clean list: trimmed, leading "@" dropped, no empties, no repeats. */
export function parseMentionList(value: unknown, field: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	const parts: string[] = [];
	const collect = (entry: unknown) => {
		if (entry === undefined || entry === null) return;
		if (Array.isArray(entry)) return entry.forEach(collect);
		if (typeof entry === 'number' && Number.isFinite(entry)) return parts.push(String(entry));
		if (typeof entry !== 'string') {
			throw new MessageInputError(field, `must be a list of mobiles or user IDs, got ${describeValue(value)}`);
		}
		parts.push(...entry.split(/[\s,，、;；]+/));
	};
	collect(value);
	const cleaned = parts.map((part) => part.trim().replace(/^@+/, '')).filter((part) => part !== '');
	return [...new Set(cleaned)];
}

/** The form labels of the mention fields, named in errors. */
export const MENTION_FIELDS = { mobiles: 'Mentions › Mobiles', userIds: 'Mentions › User IDs' };

export interface ResolvedMentions {
	at?: RobotAt;
	/** who must also appear as "@…" in the content to be highlighted */
	names: string[];
}

export function resolveMentions(input: MentionInput | undefined, fields = MENTION_FIELDS): ResolvedMentions {
	const atMobiles = parseMentionList(input?.atMobiles, fields.mobiles);
	const atUserIds = parseMentionList(input?.atUserIds, fields.userIds);
	const isAtAll = input?.isAtAll === true;
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
