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
import { downloadMessageFile, fileDownloadSettings } from '../../DingTalkRobot/transport/messageFiles';
import type { AppSession } from '../../DingTalkRobot/transport/openapi';
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
