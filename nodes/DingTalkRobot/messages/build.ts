/**
 * Pure builders, one per message type: form values in, a DingTalk message body out, every
 * problem reported as a MessageInputError naming the form field. No n8n, no I/O.
 */
import { MAX_ACTION_CARD_BUTTONS, MAX_FEED_CARD_LINKS, MessageInputError, assertAtMost, optionalUrl, readBoolean, requireText, requireUrl } from './fields';
import { rewriteMarkdownLinks, toSidePanelUrl } from './links';
import { appendMissingMentions, resolveMentions, type MentionInput } from './mentions';
import type {
	ActionCardButton,
	ActionCardRobotMessage,
	FeedCardLink,
	FeedCardRobotMessage,
	LinkRobotMessage,
	MarkdownRobotMessage,
	TextRobotMessage,
} from './types';

export interface BuildOptions {
	/** append "@mobile"/"@userId" to the content when missing, so DingTalk highlights the mention */
	addMentionsToContent: boolean;
	/** open every link of the message in the DingTalk desktop side panel */
	openLinksInSidePanel: boolean;
}

export const DEFAULT_BUILD_OPTIONS: BuildOptions = { addMentionsToContent: true, openLinksInSidePanel: false };

function mentionsFor(content: string, mentions: MentionInput | undefined, options: BuildOptions, separator: string) {
	const { at, names } = resolveMentions(mentions);
	const text = options.addMentionsToContent ? appendMissingMentions(content, names, separator) : content;
	return { at, text };
}

export interface TextMessageInput {
	content: unknown;
	mentions?: MentionInput;
}

export function buildTextMessage(input: TextMessageInput, options = DEFAULT_BUILD_OPTIONS): TextRobotMessage {
	const content = requireText(input.content, 'Content');
	const { at, text } = mentionsFor(content, input.mentions, options, '\n');
	return { msgtype: 'text', text: { content: text }, ...(at && { at }) };
}

/** Title + markdown text + mentions, shared by markdown messages and action cards. */
function titledMarkdown(input: MarkdownMessageInput, options: BuildOptions) {
	const title = requireText(input.title, 'Title');
	const markdown = requireText(input.text, 'Text');
	const withLinks = options.openLinksInSidePanel ? rewriteMarkdownLinks(markdown) : markdown;
	// Markdown needs a blank line for the mentions to start a paragraph of their own.
	const { at, text } = mentionsFor(withLinks, input.mentions, options, '\n\n');
	return { title, text, at };
}

export interface MarkdownMessageInput {
	title: unknown;
	text: unknown;
	mentions?: MentionInput;
}

export function buildMarkdownMessage(
	input: MarkdownMessageInput,
	options = DEFAULT_BUILD_OPTIONS,
): MarkdownRobotMessage {
	const { title, text, at } = titledMarkdown(input, options);
	return { msgtype: 'markdown', markdown: { title, text }, ...(at && { at }) };
}

export interface LinkMessageInput {
	title: unknown;
	text: unknown;
	messageUrl: unknown;
	picUrl?: unknown;
}

export function buildLinkMessage(input: LinkMessageInput, options = DEFAULT_BUILD_OPTIONS): LinkRobotMessage {
	const title = requireText(input.title, 'Title');
	const text = requireText(input.text, 'Text');
	const messageUrl = requireUrl(input.messageUrl, 'Message URL');
	const picUrl = optionalUrl(input.picUrl, 'Picture URL', false);
	return {
		msgtype: 'link',
		link: {
			title,
			text,
			messageUrl: options.openLinksInSidePanel ? toSidePanelUrl(messageUrl) : messageUrl,
			...(picUrl && { picUrl }),
		},
	};
}

export interface ActionCardMessageInput extends MarkdownMessageInput {
	buttonMode: 'single' | 'multiple';
	singleTitle?: unknown;
	singleUrl?: unknown;
	buttons?: Array<{ title?: unknown; url?: unknown }>;
	btnOrientation?: 'vertical' | 'horizontal';
	hideAvatar?: unknown;
}

export function buildActionCardMessage(
	input: ActionCardMessageInput,
	options = DEFAULT_BUILD_OPTIONS,
): ActionCardRobotMessage {
	const { title, text, at } = titledMarkdown(input, options);
	const link = (url: string) => (options.openLinksInSidePanel ? toSidePanelUrl(url) : url);

	const card: ActionCardRobotMessage['actionCard'] = {
		title,
		text,
		btnOrientation: input.btnOrientation === 'horizontal' ? '1' : '0',
		...(input.hideAvatar !== undefined && { hideAvatar: readBoolean(input.hideAvatar, 'Hide Robot Avatar', false) ? '1' : '0' }),
	};
	if (input.buttonMode === 'multiple') {
		const buttons = input.buttons ?? [];
		if (buttons.length === 0) throw new MessageInputError('Buttons', 'needs at least one button');
		assertAtMost(buttons, MAX_ACTION_CARD_BUTTONS, 'Buttons', 'buttons');
		card.btns = buttons.map(
			(button, index): ActionCardButton => ({
				title: requireText(button.title, `Buttons › Button ${index + 1} › Title`),
				actionURL: link(requireUrl(button.url, `Buttons › Button ${index + 1} › URL`)),
			}),
		);
	} else {
		card.singleTitle = requireText(input.singleTitle, 'Button Title');
		card.singleURL = link(requireUrl(input.singleUrl, 'Button URL'));
	}
	return { msgtype: 'actionCard', actionCard: card, ...(at && { at }) };
}

export interface FeedCardMessageInput {
	links: Array<{ title?: unknown; messageUrl?: unknown; picUrl?: unknown }>;
}

export function buildFeedCardMessage(
	input: FeedCardMessageInput,
	options = DEFAULT_BUILD_OPTIONS,
): FeedCardRobotMessage {
	if (input.links.length === 0) throw new MessageInputError('Links', 'needs at least one link');
	assertAtMost(input.links, MAX_FEED_CARD_LINKS, 'Links', 'links');
	const links = input.links.map((entry, index): FeedCardLink => {
		// checked in the order of the form
		const title = requireText(entry.title, `Links › Link ${index + 1} › Title`);
		const messageURL = requireUrl(entry.messageUrl, `Links › Link ${index + 1} › Message URL`);
		return {
			title,
			messageURL: options.openLinksInSidePanel ? toSidePanelUrl(messageURL) : messageURL,
			picURL: requireUrl(entry.picUrl, `Links › Link ${index + 1} › Picture URL`, false),
		};
	});
	return { msgtype: 'feedCard', feedCard: { links } };
}

export interface ImageMessageInput {
	imageUrl: unknown;
	title?: unknown;
	caption?: unknown;
	mentions?: MentionInput;
}

/**
 * A picture in the group. DingTalk's webhook has no image message type that it documents (the
 * `image` type DingtalkChatbot sends is listed as unsupported), so the picture is sent the way
 * DingTalk documents it: a markdown message `![title](url)`, the caption below, mentions after.
 */
export function buildImageMessage(input: ImageMessageInput, options = DEFAULT_BUILD_OPTIONS): MarkdownRobotMessage {
	const imageUrl = requireUrl(input.imageUrl, 'Image URL', false);
	const title = input.title === undefined || input.title === null || String(input.title).trim() === '' ? 'Image' : requireText(input.title, 'Title');
	const caption = input.caption === undefined || input.caption === null ? '' : typeof input.caption === 'object' ? requireText(input.caption, 'Caption') : String(input.caption).trim();
	// the alt text is the title without brackets, which would end the markdown image early
	const picture = `![${title.replace(/[[\]\n]/g, ' ').trim()}](${imageUrl.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
	const markdown = caption ? `${picture}\n\n${caption}` : picture;
	const { at, text } = mentionsFor(markdown, input.mentions, options, '\n\n');
	return { msgtype: 'markdown', markdown: { title, text }, ...(at && { at }) };
}
