/**
 * Fewer, larger messages: many items combined into one text or markdown message, and one long
 * message split into numbered parts, each within DingTalk's size limit. Pure functions.
 */
import { MAX_MENTIONS, MessageInputError } from './fields';
import { messageByteLength } from './checks';
import { MENTION_FIELDS, appendMissingMentions, countMentioned, readMentionFlag, resolveMentions, type MentionInput } from './mentions';
import type { MarkdownRobotMessage, RobotAt, TextRobotMessage } from './types';

export type CombinableMessage = TextRobotMessage | MarkdownRobotMessage;

/** Room kept for the msgUuid and for " (12/34)" numbering added after measuring. */
const RESERVED_BYTES = 96;

export interface CombineEntry {
	itemIndex: number;
	/** the item's own line or block: its Content (text) or Text (markdown) */
	text: string;
	mentions?: MentionInput;
}

export interface CombineSettings {
	msgtype: 'text' | 'markdown';
	/** markdown: the notification title of every combined message */
	title: string;
	/** put above the items of every message, e.g. "#### 12 alerts" */
	header: string;
	maxBytes: number;
	addMentionsToContent: boolean;
	/** the field named when a single item is too big: 'Content' or 'Text' */
	field: string;
}

export interface CombinedMessage {
	message: CombinableMessage;
	itemIndices: number[];
}

function mergeMentions(entries: CombineEntry[]): { at?: RobotAt; names: string[] } {
	const merged = {
		atMobiles: entries.flatMap((entry) => entry.mentions?.atMobiles ?? []),
		atUserIds: entries.flatMap((entry) => entry.mentions?.atUserIds ?? []),
		isAtAll: entries.some((entry) => readMentionFlag(entry.mentions)),
	};
	return resolveMentions(merged);
}

function composeMessage(entries: CombineEntry[], settings: CombineSettings, numbering = ''): CombinableMessage {
	const separator = settings.msgtype === 'markdown' ? '\n\n' : '\n';
	const blocks = entries.map((entry) => entry.text);
	const header = settings.header ? `${settings.header}${numbering}` : '';
	const body = [header, ...blocks].filter((block) => block !== '').join(separator);
	const { at, names } = mergeMentions(entries);
	const content = settings.addMentionsToContent ? appendMissingMentions(body, names, separator) : body;
	if (settings.msgtype === 'markdown') {
		return { msgtype: 'markdown', markdown: { title: `${settings.title}${numbering}`, text: content }, ...(at && { at }) };
	}
	return { msgtype: 'text', text: { content }, ...(at && { at }) };
}

/** How many people a chunk mentions, counted without building it (which refuses over 50). */
const mentionCount = (entries: CombineEntry[]) => countMentioned(entries.map((entry) => entry.mentions), MENTION_FIELDS);

export interface CombineResult {
	messages: CombinedMessage[];
	/** items that cannot go into any message (too big alone): each fails on its own, the others are sent */
	rejected: MessageInputError[];
}

/**
 * Packs items, in order, into as few messages as possible: a message ends at an item boundary
 * before it would exceed `maxBytes` or mention more than 50 people. An item too big for a
 * message of its own is rejected (a MessageInputError naming it) and the others are packed
 * without it.
 */
export function combineItems(entries: CombineEntry[], settings: CombineSettings): CombineResult {
	const limit = settings.maxBytes - RESERVED_BYTES;
	const fits = (chunk: CombineEntry[]) =>
		mentionCount(chunk) <= MAX_MENTIONS && messageByteLength(composeMessage(chunk, settings)) <= limit;
	const rejected: MessageInputError[] = [];
	const chunks: CombineEntry[][] = [];
	let current: CombineEntry[] = [];
	for (const entry of entries) {
		if (!fits([entry])) {
			rejected.push(
				new MessageInputError(
					settings.field,
					`is too long to combine: this item alone makes a message over ${settings.maxBytes} bytes`,
					'Shorten it, or turn off Combine Items and turn on Split Long Messages.',
					entry.itemIndex,
				),
			);
			continue;
		}
		if (fits([...current, entry])) {
			current.push(entry);
			continue;
		}
		chunks.push(current);
		current = [entry];
	}
	if (current.length > 0) chunks.push(current);
	return {
		messages: chunks.map((chunk, index) => ({
			message: composeMessage(chunk, settings, chunks.length > 1 ? ` (${index + 1}/${chunks.length})` : ''),
			itemIndices: chunk.map((entry) => entry.itemIndex),
		})),
		rejected,
	};
}

/** The longest prefix of `text` (whole code points) for which `fits` holds; at least one character. */
function longestFittingPrefix(text: string, fits: (part: string) => boolean): string {
	const chars = Array.from(text);
	let low = 1;
	let high = chars.length;
	while (low < high) {
		const middle = Math.ceil((low + high) / 2);
		if (fits(chars.slice(0, middle).join(''))) low = middle;
		else high = middle - 1;
	}
	return chars.slice(0, low).join('');
}

/**
 * Splits a text or markdown message that is over `maxBytes` into numbered parts, at line
 * boundaries where possible (a single longer line is cut between characters). Mentions go with
 * the last part only, so people are notified once.
 */
export function splitLongMessage(message: CombinableMessage, maxBytes: number): CombinableMessage[] {
	if (messageByteLength(message) + RESERVED_BYTES <= maxBytes) return [message];
	const limit = maxBytes - RESERVED_BYTES;
	const text = message.msgtype === 'text' ? message.text.content : message.markdown.text;
	const withText = (part: string, numbering: string, at?: RobotAt): CombinableMessage =>
		message.msgtype === 'text'
			? { msgtype: 'text', text: { content: `${numbering}${part}` }, ...(at && { at }) }
			: { msgtype: 'markdown', markdown: { title: `${message.markdown.title}${numbering}`, text: part }, ...(at && { at }) };
	const fits = (part: string) => messageByteLength(withText(part, '', message.at)) <= limit;

	const parts: string[] = [];
	let current = '';
	for (const line of text.split('\n')) {
		const candidate = current === '' ? line : `${current}\n${line}`;
		if (fits(candidate)) {
			current = candidate;
			continue;
		}
		if (current !== '') parts.push(current);
		let rest = line;
		while (!fits(rest)) {
			const head = longestFittingPrefix(rest, fits);
			parts.push(head);
			rest = rest.slice(head.length);
		}
		current = rest;
	}
	if (current !== '') parts.push(current);
	return parts.map((part, index) => {
		const numbering = message.msgtype === 'text' ? `(${index + 1}/${parts.length}) ` : ` (${index + 1}/${parts.length})`;
		return withText(part, numbering, index === parts.length - 1 ? message.at : undefined);
	});
}
