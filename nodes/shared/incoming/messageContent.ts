/**
 * What a message people sent the robot says, by msgtype, as a workflow author can use it without
 * DingTalk's docs: its readable text, its attachments (one per picture, voice note, video or
 * file, each with the downloadCode the robot can fetch it with), and the message it quotes. Pure.
 *
 * DingTalk's shapes (robot message bodies, the same over HTTP and Stream): `text.content`;
 * `content.richText` = parts `{text}` and `{type: "picture", downloadCode, pictureDownloadCode}`
 * in order (some deliveries give the parts as `content` itself, or `content` as a JSON string);
 * `picture` = `{downloadCode, pictureDownloadCode}`; `audio` = `{downloadCode, recognition,
 * duration}` (recognition: DingTalk's speech-to-text; duration in ms, sometimes absent); `video`
 * = `{downloadCode, duration, videoType}`; `file` = `{downloadCode, fileName}`. A reply carries
 * `text.isReplyMsg` and `text.repliedMsg` `{msgType, msgId, senderId, createdAt, content}`. Any
 * other msgtype is passed on with its content, never dropped.
 */

/** The kinds of files a message can carry. */
export type AttachmentType = 'picture' | 'audio' | 'video' | 'file';

export interface Attachment {
	type: AttachmentType;
	/** a name to save it under: the sender's for a file, else made from its kind (extension added once known) */
	fileName: string;
	/** without the dot; '' until known (DingTalk names no type for pictures and voice notes) */
	extension: string;
	/** what fetches the file through the robot (messageFiles/download), valid for a while */
	downloadCode: string;
	/** ms, for voice notes and videos when DingTalk gives it */
	duration?: number;
	/** bytes, once known (after a download) */
	size?: number;
}

export interface QuotedMessage {
	messageType: string;
	text: string;
	messageId: string;
	senderId: string;
	createdAt: string | null;
	attachments: Attachment[];
	/** the quoted message was the robot's own: its processQueryKey, to recall or find it */
	robotMessage?: { messageId: string; processQueryKey: string };
}

export interface MessageContent {
	text: string;
	attachments: Attachment[];
	quoted?: QuotedMessage;
	/** for a msgtype this package does not model: its content as DingTalk sent it */
	content?: unknown;
}

export const MODELED_MESSAGE_TYPES = ['text', 'richText', 'picture', 'audio', 'video', 'file'];

const string = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `content` as an object (or array), also when DingTalk sent it as a JSON string. */
export function parseContent(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (!text.startsWith('{') && !text.startsWith('[')) return value;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return value;
	}
}

function duration(value: unknown): number | undefined {
	const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** The extension of a file name, lower case, without the dot; '' when it has none. */
export function extensionOf(fileName: string): string {
	return /\.([A-Za-z0-9]{1,10})$/.exec(fileName)?.[1].toLowerCase() ?? '';
}

/** The attachment of a picture, voice note, video or file content; undefined without a downloadCode. */
function attachmentOf(type: AttachmentType, content: Record<string, unknown>, position: number): Attachment | undefined {
	const downloadCode = string(content.downloadCode) || string(content.pictureDownloadCode);
	if (!downloadCode) return undefined;
	const suffix = position > 0 ? `_${position + 1}` : '';
	if (type === 'file') {
		const fileName = string(content.fileName) || `file${suffix}`;
		return { type, fileName, extension: extensionOf(fileName), downloadCode };
	}
	if (type === 'video') {
		const extension = string(content.videoType).toLowerCase().replace(/[^a-z0-9]/g, '');
		return { type, fileName: `video${suffix}${extension ? `.${extension}` : ''}`, extension, downloadCode, ...(duration(content.duration) !== undefined && { duration: duration(content.duration) }) };
	}
	if (type === 'audio') {
		return { type, fileName: `voice${suffix}`, extension: '', downloadCode, ...(duration(content.duration) !== undefined && { duration: duration(content.duration) }) };
	}
	return { type, fileName: `picture${suffix}`, extension: '', downloadCode };
}

/** The parts of a rich text: `content.richText`, or `content` itself when DingTalk sends the list bare. */
function richTextParts(content: unknown): Array<Record<string, unknown>> {
	const parts = isObject(content) ? content.richText : content;
	return Array.isArray(parts) ? parts.filter(isObject) : [];
}

/** Text and attachments of one msgtype's content (the quoted message's too). */
function readContent(messageType: string, content: unknown, textContent: unknown): { text: string; attachments: Attachment[] } {
	const body = isObject(content) ? content : {};
	switch (messageType) {
		case 'text':
			return { text: string(isObject(textContent) ? textContent.content : textContent) || string(body.content) || string(body.text), attachments: [] };
		case 'richText': {
			let pictures = 0;
			const attachments: Attachment[] = [];
			const text: string[] = [];
			for (const part of richTextParts(content)) {
				if (part.type === 'picture' || part.downloadCode !== undefined || part.pictureDownloadCode !== undefined) {
					const attachment = attachmentOf('picture', part, pictures);
					if (attachment) {
						attachments.push(attachment);
						pictures++;
					}
				} else {
					text.push(string(part.text));
				}
			}
			return { text: text.join(''), attachments };
		}
		case 'audio': {
			const attachment = attachmentOf('audio', body, 0);
			return { text: string(body.recognition), attachments: attachment ? [attachment] : [] };
		}
		case 'picture':
		case 'video':
		case 'file': {
			const attachment = attachmentOf(messageType, body, 0);
			return { text: '', attachments: attachment ? [attachment] : [] };
		}
		default:
			return { text: string(body.text) || string(body.content), attachments: [] };
	}
}

function isoTime(value: unknown): string | null {
	const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return null;
	return new Date(ms).toISOString();
}

/** The message a reply quotes, from `text.repliedMsg`; undefined when the message is no reply. */
function readQuoted(body: Record<string, unknown>): QuotedMessage | undefined {
	const textPart = isObject(body.text) ? body.text : {};
	const replied = parseContent(textPart.repliedMsg);
	if (textPart.isReplyMsg !== true && !isObject(replied)) return undefined;
	if (!isObject(replied)) return undefined;
	const messageType = string(replied.msgType) || string(replied.msgtype) || 'text';
	const content = parseContent(replied.content);
	const read = readContent(messageType, content, isObject(content) ? content.text : content);
	const quoted: QuotedMessage = {
		messageType,
		text: read.text,
		messageId: string(replied.msgId),
		senderId: string(replied.senderId),
		createdAt: isoTime(replied.createdAt),
		attachments: read.attachments,
	};
	const processQueryKey = string(body.originalProcessQueryKey);
	if (processQueryKey) quoted.robotMessage = { messageId: string(body.originalMsgId), processQueryKey };
	return quoted;
}

/** What the message of `body` says: text, attachments, the quoted message, and unmodeled content. */
export function readMessageContent(body: Record<string, unknown>): MessageContent {
	const messageType = string(body.msgtype);
	const content = parseContent(body.content);
	const { text, attachments } = readContent(messageType, content, body.text);
	const quoted = readQuoted(body);
	return {
		text,
		attachments,
		...(quoted && { quoted }),
		...(!MODELED_MESSAGE_TYPES.includes(messageType) && body.content !== undefined && { content }),
	};
}
