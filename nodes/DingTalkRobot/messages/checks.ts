/**
 * Checks on a finished message body, whatever built it: DingTalk's required fields (for raw JSON
 * bodies), its size limit and the robot's keywords. Each failure is a MessageInputError.
 */
import { MAX_ACTION_CARD_BUTTONS, MAX_FEED_CARD_LINKS, MAX_MESSAGE_BYTES, MessageInputError, assertAtMost, describeValue, requireText, requireUrl } from './fields';
import { resolveMentions } from './mentions';
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

/** JSON text of a field, parsed; a MessageInputError naming the field (and, via the node, the item) when it is not JSON. */
export function parseJsonField(text: string, field: string): unknown {
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
	const given = requireObject(typeof value === 'string' ? parseJsonField(value, label) : value, label);
	// a copy: links are normalized and mentions read into it, never into the item's own data
	const message = JSON.parse(JSON.stringify(given)) as JsonObject;
	const field = (path: string) => `${label} › ${path}`;
	const msgtype = message.msgtype;
	if (typeof msgtype !== 'string' || !ROBOT_MESSAGE_TYPES.includes(msgtype as RobotMessage['msgtype'])) {
		throw new MessageInputError(
			field('msgtype'),
			`must be one of ${ROBOT_MESSAGE_TYPES.join(', ')} (exact casing), got ${describeValue(msgtype)}`,
		);
	}
	const part = requireObject(message[msgtype], field(msgtype));
	/** checks the link at `key` of `owner` and puts the normalized link back */
	const url = (owner: JsonObject, key: string, path: string, allowDingTalkScheme = true) => {
		owner[key] = requireUrl(owner[key], field(path), allowDingTalkScheme);
	};
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
			url(part, 'messageUrl', 'link.messageUrl');
			if (part.picUrl !== undefined && part.picUrl !== '') url(part, 'picUrl', 'link.picUrl', false);
			break;
		case 'actionCard':
			requireText(part.title, field('actionCard.title'));
			requireText(part.text, field('actionCard.text'));
			if (part.singleTitle !== undefined || part.singleURL !== undefined) {
				requireText(part.singleTitle, field('actionCard.singleTitle'));
				url(part, 'singleURL', 'actionCard.singleURL');
			} else {
				const buttons = requireNonEmptyArray(part.btns, field('actionCard.btns'));
				assertAtMost(buttons, MAX_ACTION_CARD_BUTTONS, field('actionCard.btns'), 'buttons').forEach((button, index) => {
					const btn = requireObject(button, field(`actionCard.btns[${index}]`));
					requireText(btn.title, field(`actionCard.btns[${index}].title`));
					url(btn, 'actionURL', `actionCard.btns[${index}].actionURL`);
				});
			}
			break;
		case 'feedCard': {
			const links = requireNonEmptyArray(part.links, field('feedCard.links'));
			assertAtMost(links, MAX_FEED_CARD_LINKS, field('feedCard.links'), 'links').forEach((entry, index) => {
				const link = requireObject(entry, field(`feedCard.links[${index}]`));
				requireText(link.title, field(`feedCard.links[${index}].title`));
				url(link, 'messageURL', `feedCard.links[${index}].messageURL`);
				url(link, 'picURL', `feedCard.links[${index}].picURL`, false);
			});
			break;
		}
	}
	if (message.at !== undefined) {
		const at = requireObject(message.at, field('at'));
		// the same reading as the form's Mentions: mobiles checked, "true" read as true
		const mentions = resolveMentions(at, { mobiles: field('at.atMobiles'), userIds: field('at.atUserIds'), all: field('at.isAtAll') });
		message.at = mentions.at ?? { isAtAll: false };
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

const textOf = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The words DingTalk matches a robot's keywords against: what the group reads as the message,
 * i.e. text.content; the title and text of markdown, link and actionCard; the titles of
 * feedCard links. Not URLs, button titles, pictures or the @-lists: a keyword only there is
 * refused by DingTalk (310000), so it is refused here too.
 */
export function keywordText(body: object): string {
	const message = body as Record<string, unknown>;
	const part = (isObject(message[String(message.msgtype)]) ? message[String(message.msgtype)] : {}) as JsonObject;
	switch (message.msgtype) {
		case 'text':
			return textOf(part.content);
		case 'markdown':
		case 'link':
		case 'actionCard':
			return `${textOf(part.title)}\n${textOf(part.text)}`;
		case 'feedCard':
			return (Array.isArray(part.links) ? part.links : []).map((link) => textOf((link as JsonObject | null)?.title)).join('\n');
		default:
			return '';
	}
}

/**
 * A robot secured by keywords rejects (errcode 310000) a message that contains none of them:
 * refuse it before sending, saying which keywords are expected.
 */
export function assertHasKeyword(body: object, keywords: string[], field: string): void {
	if (keywords.length === 0) return;
	const text = keywordText(body);
	if (keywords.some((keyword) => text.includes(keyword))) return;
	throw new MessageInputError(
		field,
		`contains none of the robot's keywords (${keywords.join(', ')}) in the text DingTalk checks (the title and text, not links, buttons or mentions); DingTalk would reject the message`,
		'Add one of the keywords to the message text or title, or correct the Keywords of the DingTalk Robot credential.',
	);
}
