/**
 * Phase 1 of a run: every input item read from the form (expressions evaluated per item), built
 * into its DingTalk message and checked (fields, options, size, keywords, session webhook,
 * Message IDs), before anything is sent. A problem is reported for the item it belongs to;
 * with Continue On Fail the other items are still sent.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import {
	buildActionCardMessage,
	buildFeedCardMessage,
	buildImageMessage,
	buildLinkMessage,
	buildMarkdownMessage,
	buildTextMessage,
	type ActionCardMessageInput,
	type BuildOptions,
} from '../../messages/build';
import { assertHasKeyword, assertMessageSize, validateRobotMessageJson } from '../../messages/checks';
import { combineItems, splitLongMessage, type CombinableMessage, type CombineEntry } from '../../messages/combine';
import { MessageInputError, requireText } from '../../messages/fields';
import { resolveMentions, type MentionInput } from '../../messages/mentions';
import { chooseMessageUuid, findConflictingMessageIds } from '../../messages/messageIds';
import { checkSessionWebhook, type SessionWebhook } from '../../messages/sessionWebhook';
import type { RobotMessage, RobotMessageBody } from '../../messages/types';
import { readNodeOptions, type NodeOptions } from './options';

/** Send To: the credential's robot, the trigger item's conversation, or the trigger's answer. */
export type Target = 'robot' | 'session' | 'response';

/** What is sent for one or more input items: one message, or the numbered parts of a long one. */
export interface Outgoing {
	itemIndices: number[];
	parts: RobotMessageBody[];
	/** where a reply goes (Send To: Reply in the Conversation) */
	session?: SessionWebhook;
	/** whether the user set the Message ID (then a rerun cannot post a part twice) */
	fixedId: boolean;
}

/** The field a size or keyword problem is reported on: where the user would change the text. */
export const MAIN_FIELD: Record<string, string> = {
	text: 'Content',
	markdown: 'Text',
	link: 'Text',
	actionCard: 'Text',
	feedCard: 'Links',
	image: 'Caption',
	file: 'File Name',
	json: 'JSON Body',
};

const MESSAGE_ID_FIELD = 'Options › Message ID (msgUuid)';

/** The message the form builds for one item; `withMentions: false` where the form has no Mentions (an app robot). */
export function readMessage(ctx: IExecuteFunctions, itemIndex: number, messageType: string, options: BuildOptions, withMentions = true): RobotMessage {
	const param = (name: string, fallback: unknown = '') => ctx.getNodeParameter(name, itemIndex, fallback);
	const mentions = () => (withMentions ? (param('mentions', {}) as MentionInput) : {});
	switch (messageType) {
		case 'text':
			return buildTextMessage({ content: param('content'), mentions: mentions() }, options);
		case 'markdown':
			return buildMarkdownMessage({ title: param('title'), text: param('text'), mentions: mentions() }, options);
		case 'link':
			return buildLinkMessage({ title: param('title'), text: param('text'), messageUrl: param('messageUrl'), picUrl: param('picUrl') }, options);
		case 'actionCard': {
			const buttonMode = param('buttonMode', 'single') as ActionCardMessageInput['buttonMode'];
			return buildActionCardMessage(
				{
					title: param('title'),
					text: param('text'),
					buttonMode,
					...(buttonMode === 'multiple'
						? { buttons: (param('buttons', {}) as { values?: ActionCardMessageInput['buttons'] }).values ?? [] }
						: { singleTitle: param('singleTitle'), singleUrl: param('singleUrl') }),
					btnOrientation: param('btnOrientation', 'vertical') as ActionCardMessageInput['btnOrientation'],
					hideAvatar: param('hideAvatar', false),
					mentions: mentions(),
				},
				options,
			);
		}
		case 'feedCard':
			return buildFeedCardMessage({ links: (param('links', {}) as { values?: Array<Record<string, unknown>> }).values ?? [] }, options);
		case 'image':
			return buildImageMessage({ imageUrl: param('imageUrl'), title: param('imageTitle'), caption: param('caption'), mentions: mentions() }, options);
		case 'json':
			return validateRobotMessageJson(param('jsonBody'), 'JSON Body');
		case 'file':
			throw new MessageInputError('Message Type', 'File can only be sent by an app robot', 'Set Send To to App Robot, or send a Link to the file.');
		default:
			throw new MessageInputError('Message Type', `"${messageType}" is not a message type this node can send`);
	}
}

/** Checks every part against the size limit and the robot's keywords. */
function checkParts(parts: RobotMessageBody[], field: string, keywords: string[], maxBytes: number): RobotMessageBody[] {
	for (const part of parts) {
		assertMessageSize(part, field, maxBytes);
		assertHasKeyword(part, keywords, field);
	}
	return parts;
}

/** What every item of a run shares: read once from the first item. */
export interface RunSettings {
	target: Target;
	messageType: string;
	keywords: string[];
	first: NodeOptions;
}

/** Builds and checks one item's message, ready to send (split into parts when asked to). */
export function prepareItem(ctx: IExecuteFunctions, itemIndex: number, run: RunSettings): Outgoing {
	const messageType = ctx.getNodeParameter('messageType', itemIndex) as string;
	const options = readNodeOptions(ctx, itemIndex);
	const session =
		run.target === 'session'
			? checkSessionWebhook(
					ctx.getNodeParameter('sessionWebhook', itemIndex, ''),
					ctx.getNodeParameter('sessionWebhookExpiresAt', itemIndex, ''),
					options.sessionWebhookHosts,
					Date.now(),
				)
			: undefined;
	const message = readMessage(ctx, itemIndex, messageType, options);
	const msgUuid = chooseMessageUuid(options.messageId, message);
	const splittable = run.target !== 'response' && options.splitLongMessages && (messageType === 'text' || messageType === 'markdown');
	const pieces = splittable ? splitLongMessage(message as CombinableMessage, run.first.maxMessageBytes) : [message];
	// parts share the item's key with a suffix: a retried part, or a part posted by an earlier run
	// with the same Message ID, is deduplicated by DingTalk on its own
	const parts = pieces.map((piece, index) => ({ ...piece, msgUuid: pieces.length > 1 ? `${msgUuid}-${index + 1}` : msgUuid }) as RobotMessageBody);
	return {
		itemIndices: [itemIndex],
		parts: checkParts(parts, MAIN_FIELD[messageType], run.keywords, run.first.maxMessageBytes),
		session,
		fixedId: options.messageId !== undefined,
	};
}

/**
 * Combine Items: every item's own content (expressions evaluated per item) packed into as few
 * text or markdown messages as the size limit allows. An item that cannot be read, or is too
 * big for any message, is reported through `onItemError`; the others are combined without it.
 */
export function prepareCombined(
	ctx: IExecuteFunctions,
	itemCount: number,
	run: RunSettings & { messageType: 'text' | 'markdown' },
	onItemError: (itemIndex: number, error: unknown) => void,
): Outgoing[] {
	const field = MAIN_FIELD[run.messageType];
	const entries: CombineEntry[] = [];
	let title = '';
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			readNodeOptions(ctx, itemIndex); // an item's bad option is its own error
			const itemTitle = run.messageType === 'markdown' ? requireText(ctx.getNodeParameter('title', itemIndex, ''), 'Title') : '';
			const text = requireText(ctx.getNodeParameter(run.messageType === 'text' ? 'content' : 'text', itemIndex, ''), field);
			const mentions = ctx.getNodeParameter('mentions', itemIndex, {}) as MentionInput;
			resolveMentions(mentions); // refuse a bad mention list on its own item
			entries.push({ itemIndex, text, mentions });
			title ||= itemTitle; // the notification title: the first good item's
		} catch (error) {
			onItemError(itemIndex, error);
		}
	}
	const { messages, rejected } = combineItems(entries, {
		msgtype: run.messageType,
		title,
		header: run.first.combinedHeader,
		maxBytes: run.first.maxMessageBytes,
		addMentionsToContent: run.first.addMentionsToContent,
		field,
	});
	rejected.forEach((error) => onItemError(error.itemIndex ?? 0, error));
	const baseUuid = chooseMessageUuid(run.first.messageId);
	const ready: Outgoing[] = [];
	messages.forEach(({ message, itemIndices }, index) => {
		const msgUuid = messages.length > 1 || run.first.messageId ? `${baseUuid}-${index + 1}` : baseUuid;
		try {
			ready.push({ itemIndices, parts: checkParts([{ ...message, msgUuid } as RobotMessageBody], field, run.keywords, run.first.maxMessageBytes), fixedId: !!run.first.messageId });
		} catch (error) {
			// e.g. no keyword in the whole combined message: every item in it fails
			itemIndices.forEach((itemIndex) => onItemError(itemIndex, error));
		}
	});
	return ready;
}

/**
 * Refuses messages whose ID an earlier message with other content already took (same robot or
 * session). Returns the messages that may be sent; each refused one goes to `onError`.
 */
export function refuseConflictingIds(ready: Outgoing[], robotKey: string, onError: (outgoing: Outgoing, error: MessageInputError) => void): Outgoing[] {
	const conflicts = findConflictingMessageIds(
		ready.map((outgoing) => ({ itemIndex: outgoing.itemIndices[0], destination: outgoing.session?.url ?? robotKey, parts: outgoing.parts })),
		MESSAGE_ID_FIELD,
	);
	return ready.filter((outgoing, position) => {
		const conflict = conflicts.get(position);
		if (conflict) onError(outgoing, conflict);
		return !conflict;
	});
}
