/**
 * Download Attachments, for both triggers: each file of a received message becomes n8n binary
 * data on its item (`attachment_0`, `attachment_1`, … in the order of `attachments`), stored the
 * way n8n stores binary data (prepareBinaryData: memory, filesystem or S3, as n8n is set up), with
 * the file's name, its type read from its first bytes where DingTalk names none, and its size.
 * A file over the per-file cap, past the per-message cap, or whose download fails (an expired
 * code, the storage refusing, a timeout) is marked `downloaded: false` with the reason, and the
 * item goes on: a message is never lost, and never held longer than the download timeout, because
 * of a file.
 */
import type { IBinaryKeyData, IDataObject, INodeExecutionData, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { DingTalkApp } from '../../../credentials/appCredential';
import { readNumber } from '../../DingTalkRobot/messages/fields';
import { downloadMessageFile, fileDownloadSettings } from '../../DingTalkRobot/transport/messageFiles';
import { AppSession } from '../../DingTalkRobot/transport/openapi';
import { createRedactor } from '../redact';
import { receivedFileType } from './fileTypes';
import type { Attachment } from './messageContent';

export interface DownloadOptions {
	/** bytes per file */
	maxFileBytes: number;
	/** bytes for all files of one message */
	maxMessageBytes: number;
	/** ms per file (the link and the file) */
	timeoutMs: number;
}

export const DEFAULT_DOWNLOAD_OPTIONS: DownloadOptions = { maxFileBytes: 20 * 1024 * 1024, maxMessageBytes: 50 * 1024 * 1024, timeoutMs: 60_000 };

const MB = 1024 * 1024;

/** The limits from the trigger's Options (checked: an expression can put anything there). */
export function readDownloadOptions(options: IDataObject): DownloadOptions {
	return {
		maxFileBytes: readNumber(options.maxFileSizeMb, 'Options › Max File Size (MB)', { min: 0.001, max: 10_000 }, DEFAULT_DOWNLOAD_OPTIONS.maxFileBytes / MB) * MB,
		maxMessageBytes: readNumber(options.maxMessageSizeMb, 'Options › Max Size per Message (MB)', { min: 0.001, max: 100_000 }, DEFAULT_DOWNLOAD_OPTIONS.maxMessageBytes / MB) * MB,
		timeoutMs: readNumber(options.downloadTimeoutSeconds, 'Options › Download Timeout (Seconds)', { min: 1, max: 3600 }, DEFAULT_DOWNLOAD_OPTIONS.timeoutMs / 1000) * 1000,
	};
}

/** What an attachment says after the attempt to download it. */
export interface AttachmentOutcome extends Attachment {
	downloaded: boolean;
	/** the binary property it is in */
	binaryProperty?: string;
	mimeType?: string;
	/** why it is not there */
	reason?: string;
}

/** The binary property of the n-th attachment. */
export const attachmentProperty = (index: number) => `attachment_${index}`;

/** The item with its files as binary data, each attachment saying whether it came and why not. */
export async function withDownloadedAttachments(
	ctx: ITriggerFunctions | IWebhookFunctions,
	json: IDataObject & { attachments: Attachment[] },
	app: DingTalkApp,
	session: AppSession,
	options: DownloadOptions,
): Promise<INodeExecutionData> {
	const binary: IBinaryKeyData = {};
	const outcomes: AttachmentOutcome[] = [];
	let total = 0;
	const settings = fileDownloadSettings(app, session.redact, options.timeoutMs);
	for (const [index, attachment] of json.attachments.entries()) {
		if (total >= options.maxMessageBytes) {
			outcomes.push({ ...attachment, downloaded: false, reason: 'the message\'s files reached the most this downloads for one message' });
			continue;
		}
		const limits = { maxBytes: Math.min(options.maxFileBytes, options.maxMessageBytes - total), timeoutMs: options.timeoutMs, plainHttpHosts: app.plainHttpHosts };
		const file = await downloadMessageFile(ctx, session, { downloadCode: attachment.downloadCode, robotCode: app.robotCode }, { index: 0, label: attachmentProperty(index) }, limits, settings);
		if (!file.ok) {
			outcomes.push({ ...attachment, downloaded: false, reason: session.redact(file.reason) });
			continue;
		}
		total += file.size;
		const type = receivedFileType(file.data.subarray(0, 64), attachment.extension, file.servedType);
		const fileName = attachment.extension || !type.extension ? attachment.fileName : `${attachment.fileName}.${type.extension}`;
		const property = attachmentProperty(index);
		binary[property] = await ctx.helpers.prepareBinaryData(file.data, fileName, type.mimeType);
		outcomes.push({ ...attachment, fileName, extension: type.extension, size: file.size, mimeType: type.mimeType, downloaded: true, binaryProperty: property });
	}
	return { json: { ...json, attachments: outcomes as unknown as IDataObject[] }, ...(Object.keys(binary).length > 0 && { binary }) };
}

/**
 * A trigger's item, with its files when Download Attachments is on: the App credential read (its
 * token renewed as the send node does), then each file. A credential that cannot be used marks
 * every file not downloaded, with the reason; the item runs all the same.
 */
export async function receivedItem(ctx: ITriggerFunctions | IWebhookFunctions, json: IDataObject & { attachments: Attachment[] }, download: boolean, options: IDataObject): Promise<INodeExecutionData> {
	if (!download || json.attachments.length === 0) return { json };
	const session = new AppSession(ctx, createRedactor([]));
	try {
		const limits = readDownloadOptions(options);
		const app = await session.app();
		return await withDownloadedAttachments(ctx, json, app, session, limits);
	} catch (error) {
		// an unusable credential or option, or n8n failing to store a file: the message goes on without its files
		const reason = session.redact(String((error as Error).message));
		return { json: { ...json, attachments: json.attachments.map((attachment) => ({ ...attachment, downloaded: false, reason })) as unknown as IDataObject[] } };
	}
}
