/**
 * Checks on a finished message body, whatever built it: DingTalk's required fields (for raw JSON
 * bodies), its size limit and the robot's keywords. Each failure is a MessageInputError.
 */
import { MAX_MESSAGE_BYTES, MAX_MENTIONS, MessageInputError, describeValue, requireText, requireUrl } from './fields';
import { parseMentionList } from './mentions';
import { ROBOT_MESSAGE_TYPES, type RobotMessage } from './types';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function requireObject(value: unknown, field: string): JsonObject {
	if (!isObject(value)) throw new MessageInputError(field, `must be an object, got ${describeValue(value)}`);
	return value;
}

function requireNonEmptyArray(value: unknown, field: string): unknown[] {
	if (!Array.isArray(value) || value.length === 0) {
		throw new MessageInputError(field, `must be a non-empty array, got ${describeValue(value)}`);
	}
	return value;
}

function parseJson(text: string, field: string): unknown {
	let problem = '';
	try {
		return JSON.parse(text);
	} catch (error) {
		problem = (error as Error).message;
	}
	throw new MessageInputError(field, `is not valid JSON: ${problem}`);
}

/**
 * Parses and checks a raw message body (the node's JSON mode) against DingTalk's documented
 * shapes and casing, so a typo such as feedCard `messageUrl` is caught before sending.
 * `label` prefixes every field name ("JSON Body › markdown.title").
 */
export function validateRobotMessageJson(value: unknown, label: string): RobotMessage & JsonObject {
	const message = requireObject(typeof value === 'string' ? parseJson(value, label) : value, label);
	const field = (path: string) => `${label} › ${path}`;
	const msgtype = message.msgtype;
	if (typeof msgtype !== 'string' || !ROBOT_MESSAGE_TYPES.includes(msgtype as RobotMessage['msgtype'])) {
		throw new MessageInputError(
			field('msgtype'),
			`must be one of ${ROBOT_MESSAGE_TYPES.join(', ')} (exact casing), got ${describeValue(msgtype)}`,
		);
	}
	const part = requireObject(message[msgtype], field(msgtype));
	switch (msgtype) {
		case 'text':
			requireText(part.content, field('text.content'));
			break;
		case 'markdown':
			requireText(part.title, field('markdown.title'));
			requireText(part.text, field('markdown.text'));
			break;
		case 'link':
			requireText(part.title, field('link.title'));
			requireText(part.text, field('link.text'));
			requireUrl(part.messageUrl, field('link.messageUrl'));
			if (part.picUrl !== undefined && part.picUrl !== '') requireUrl(part.picUrl, field('link.picUrl'), false);
			break;
		case 'actionCard':
			requireText(part.title, field('actionCard.title'));
			requireText(part.text, field('actionCard.text'));
			if (part.singleTitle !== undefined || part.singleURL !== undefined) {
				requireText(part.singleTitle, field('actionCard.singleTitle'));
				requireUrl(part.singleURL, field('actionCard.singleURL'));
			} else {
				requireNonEmptyArray(part.btns, field('actionCard.btns')).forEach((button, index) => {
					const btn = requireObject(button, field(`actionCard.btns[${index}]`));
					requireText(btn.title, field(`actionCard.btns[${index}].title`));
					requireUrl(btn.actionURL, field(`actionCard.btns[${index}].actionURL`));
				});
			}
			break;
		case 'feedCard':
			requireNonEmptyArray(part.links, field('feedCard.links')).forEach((entry, index) => {
				const link = requireObject(entry, field(`feedCard.links[${index}]`));
				requireText(link.title, field(`feedCard.links[${index}].title`));
				requireUrl(link.messageURL, field(`feedCard.links[${index}].messageURL`));
				requireUrl(link.picURL, field(`feedCard.links[${index}].picURL`), false);
			});
			break;
	}
	if (message.at !== undefined) {
		const at = requireObject(message.at, field('at'));
		const count =
			parseMentionList(at.atMobiles, field('at.atMobiles')).length +
			parseMentionList(at.atUserIds, field('at.atUserIds')).length;
		if (count > MAX_MENTIONS) {
			throw new MessageInputError(field('at'), `mentions ${count} people; DingTalk allows at most ${MAX_MENTIONS}`);
		}
	}
	return message as RobotMessage & JsonObject;
}

export function messageByteLength(body: object): number {
	return Buffer.byteLength(JSON.stringify(body), 'utf8');
}

/** DingTalk drops bodies over 20000 bytes with errcode 460101: refuse them before sending. */
export function assertMessageSize(body: object, field: string, maxBytes = MAX_MESSAGE_BYTES): void {
	const size = messageByteLength(body);
	if (size > maxBytes) {
		throw new MessageInputError(
			field,
			`makes the message ${size} bytes long; DingTalk accepts at most ${maxBytes} bytes (UTF-8; a Chinese character takes 3)`,
			'Shorten the text, or split it across several items.',
		);
	}
}

/** Keywords are separated by commas or new lines (a keyword may contain spaces). */
export function parseKeywords(value: unknown): string[] {
	if (typeof value !== 'string') return [];
	return [...new Set(value.split(/[\n,，、;；]+/).map((keyword) => keyword.trim()).filter(Boolean))];
}

function collectText(value: unknown, into: string[]): string[] {
	if (typeof value === 'string') into.push(value);
	else if (Array.isArray(value)) value.forEach((entry) => collectText(entry, into));
	else if (isObject(value)) {
		for (const [key, entry] of Object.entries(value)) {
			if (key !== 'msgtype' && key !== 'msgUuid') collectText(entry, into);
		}
	}
	return into;
}

/**
 * A robot secured by keywords rejects (errcode 310000) a message that contains none of them:
 * refuse it before sending, saying which keywords are expected.
 */
export function assertHasKeyword(body: object, keywords: string[], field: string): void {
	if (keywords.length === 0) return;
	const text = collectText(body, []).join('\n');
	if (keywords.some((keyword) => text.includes(keyword))) return;
	throw new MessageInputError(
		field,
		`contains none of the robot's keywords (${keywords.join(', ')}); DingTalk would reject the message`,
		'Add one of the keywords to the message, or correct the Keywords of the DingTalk Robot credential.',
	);
}
