/**
 * An app robot sends through DingTalk's OpenAPI with message templates: a `msgKey` naming the
 * template and a `msgParam`, a JSON string of its fields (DingTalk's 消息发送与接收类型 page).
 * The node's forms build a robot message as for webhooks (the same builders and checks); this
 * module turns it into the template DingTalk has for it, or says plainly why there is none.
 * Pure functions.
 */
import { MessageInputError, describeValue } from './fields';
import type { ActionCardRobotMessage, RobotMessage } from './types';

/** "长度限制 15000 字节以内" */
export const MAX_MSG_PARAM_BYTES = 15_000;

/** The templates an app robot may send with (DingTalk's list). */
export const APP_MSG_KEYS = [
	'sampleText',
	'sampleMarkdown',
	'sampleImageMsg',
	'sampleLink',
	'sampleActionCard',
	'sampleActionCard2',
	'sampleActionCard3',
	'sampleActionCard4',
	'sampleActionCard5',
	'sampleActionCard6',
	'sampleFile',
	'sampleAudio',
	'sampleVideo',
] as const;

export type AppMsgKey = (typeof APP_MSG_KEYS)[number];

/** The template of a card with two buttons side by side. */
const TWO_BUTTONS_SIDE_BY_SIDE: AppMsgKey = 'sampleActionCard6';

export interface AppRobotMessage {
	msgKey: AppMsgKey;
	/** the template's fields (sent as a JSON string) */
	msgParam: Record<string, string>;
}

/**
 * The cards with buttons: one button → sampleActionCard (the whole card jumps), two side by
 * side → sampleActionCard6, two to five one under the other → sampleActionCard2…5. DingTalk has
 * no template for more, nor for 3 to 5 buttons side by side (they are shown one under the other).
 */
function actionCardTemplate(card: ActionCardRobotMessage['actionCard']): AppRobotMessage {
	const { title, text } = card;
	if (card.singleURL !== undefined) {
		return { msgKey: 'sampleActionCard', msgParam: { title, text, singleTitle: card.singleTitle ?? '', singleURL: card.singleURL } };
	}
	const buttons = card.btns ?? [];
	if (buttons.length === 1) {
		return { msgKey: 'sampleActionCard', msgParam: { title, text, singleTitle: buttons[0].title, singleURL: buttons[0].actionURL } };
	}
	if (buttons.length === 2 && card.btnOrientation === '1') {
		const [first, second] = buttons;
		return {
			msgKey: TWO_BUTTONS_SIDE_BY_SIDE,
			msgParam: { title, text, buttonTitle1: first.title, buttonUrl1: first.actionURL, buttonTitle2: second.title, buttonUrl2: second.actionURL },
		};
	}
	const msgParam: Record<string, string> = { title, text };
	buttons.forEach((button, index) => {
		msgParam[`actionTitle${index + 1}`] = button.title;
		msgParam[`actionURL${index + 1}`] = button.actionURL;
	});
	return { msgKey: `sampleActionCard${buttons.length}` as AppMsgKey, msgParam };
}

/**
 * The app robot's template for a message the forms built. Mentions have no place in DingTalk's
 * templates: a message that asks for them is refused, so no one believes they were notified.
 */
export function toAppRobotMessage(message: RobotMessage, mentionsField: string): AppRobotMessage {
	if ('at' in message && message.at && ((message.at.atMobiles?.length ?? 0) > 0 || (message.at.atUserIds?.length ?? 0) > 0 || message.at.isAtAll)) {
		throw new MessageInputError(
			mentionsField,
			'cannot be used by an app robot: DingTalk\'s message templates for app robots have no mentions',
			'Remove the mentions, or reply with Send To › Reply in the Conversation (its session webhook can mention), or post with a group robot.',
		);
	}
	switch (message.msgtype) {
		case 'text':
			return { msgKey: 'sampleText', msgParam: { content: message.text.content } };
		case 'markdown':
			return { msgKey: 'sampleMarkdown', msgParam: { title: message.markdown.title, text: message.markdown.text } };
		case 'link':
			return {
				msgKey: 'sampleLink',
				msgParam: { title: message.link.title, text: message.link.text, messageUrl: message.link.messageUrl, ...(message.link.picUrl && { picUrl: message.link.picUrl }) },
			};
		case 'actionCard':
			return actionCardTemplate(message.actionCard);
		case 'feedCard':
			throw new MessageInputError(
				'Message Type',
				'FeedCard cannot be sent by an app robot: DingTalk has no such template for app robots',
				'Send it with Send To › Group Robot, or use ActionCard or Link.',
			);
	}
}

/** An image by its URL or by the media id of an uploaded picture. */
export function imageTemplate(photoURL: string): AppRobotMessage {
	return { msgKey: 'sampleImageMsg', msgParam: { photoURL } };
}

/** A file by the media id of its upload; DingTalk shows its name and type. */
export function fileTemplate(mediaId: string, fileName: string): AppRobotMessage {
	const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
	return { msgKey: 'sampleFile', msgParam: { mediaId, fileName, fileType: extension } };
}

/**
 * A template written by hand (Message Type JSON): `{"msgKey": "...", "msgParam": {...}}`, with
 * msgParam as an object or as the JSON string DingTalk takes.
 */
export function readAppRobotJson(value: unknown, field: string): AppRobotMessage {
	let parsed = value;
	if (typeof value === 'string') {
		parsed = undefined;
		try {
			parsed = JSON.parse(value);
		} catch {
			// refused below
		}
	}
	const given = parsed as { msgKey?: unknown; msgParam?: unknown } | undefined;
	if (typeof given !== 'object' || given === null || Array.isArray(given)) {
		throw new MessageInputError(field, `must be {"msgKey": "sampleText", "msgParam": {…}} for an app robot, got ${describeValue(value)}`);
	}
	if (typeof given.msgKey !== 'string' || !(APP_MSG_KEYS as readonly string[]).includes(given.msgKey)) {
		throw new MessageInputError(`${field} › msgKey`, `must be one of ${APP_MSG_KEYS.join(', ')}, got ${describeValue(given.msgKey)}`);
	}
	let msgParam = given.msgParam;
	if (typeof msgParam === 'string') {
		try {
			msgParam = JSON.parse(msgParam);
		} catch {
			msgParam = undefined;
		}
	}
	if (typeof msgParam !== 'object' || msgParam === null || Array.isArray(msgParam)) {
		throw new MessageInputError(`${field} › msgParam`, `must be an object of the template's fields, got ${describeValue(given.msgParam)}`);
	}
	return { msgKey: given.msgKey as AppMsgKey, msgParam: msgParam as Record<string, string> };
}

/** DingTalk refuses a msgParam over 15,000 bytes (invalidParameter.msgParam.tooLong): refuse it first. */
export function assertMsgParamSize(message: AppRobotMessage, field: string): void {
	const size = Buffer.byteLength(JSON.stringify(message.msgParam), 'utf8');
	if (size > MAX_MSG_PARAM_BYTES) {
		throw new MessageInputError(field, `makes the message ${size} bytes long; DingTalk accepts at most ${MAX_MSG_PARAM_BYTES} bytes for an app robot`, 'Shorten the text.');
	}
}
