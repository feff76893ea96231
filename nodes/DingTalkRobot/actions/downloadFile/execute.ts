/**
 * Download File: the file behind a downloadCode (a trigger item's attachment, a quoted message's,
 * one stored earlier) as n8n binary data on the item, its type read from its first bytes where
 * DingTalk names none. Each item ends as the item with its file, an error item (Continue On
 * Fail), or a failed execution that names the item and why (an expired code, a file over Max
 * File Size, the storage refusing).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { DingTalkApp } from '../../../../credentials/appCredential';
import { createRedactor } from '../../../shared/redact';
import { receivedFileType } from '../../../shared/incoming/fileTypes';
import { extensionOf } from '../../../shared/incoming/messageContent';
import { cleanFileName } from '../../messages/fileNames';
import { MessageInputError, optionalText, readNumber, requireText } from '../../messages/fields';
import { downloadMessageFile, fileDownloadSettings } from '../../transport/messageFiles';
import { AppSession } from '../../transport/openapi';
import { errorItems, toNodeError } from '../send/outputs';

const MB = 1024 * 1024;

interface DownloadRequest {
	downloadCode: string;
	robotCode: string;
	fileName: string;
	binaryProperty: string;
	maxBytes: number;
	timeoutMs: number;
}

/** One item's fields, checked before anything is asked of DingTalk. */
function readRequest(ctx: IExecuteFunctions, itemIndex: number, app: DingTalkApp): DownloadRequest {
	const options = ctx.getNodeParameter('downloadOptions', itemIndex, {}) as IDataObject;
	const binaryProperty = requireText(ctx.getNodeParameter('downloadBinaryPropertyName', itemIndex, 'data'), 'Put Output File in Field').trim();
	if (!/^[\w.-]+$/.test(binaryProperty)) throw new MessageInputError('Put Output File in Field', 'must be a field name (letters, digits, _ . -)');
	return {
		downloadCode: requireText(ctx.getNodeParameter('downloadCode', itemIndex, ''), 'Download Code').trim(),
		robotCode: optionalText(ctx.getNodeParameter('robotCode', itemIndex, ''), 'Robot Code').trim() || app.robotCode,
		fileName: optionalText(ctx.getNodeParameter('downloadFileName', itemIndex, ''), 'File Name').trim(),
		binaryProperty,
		maxBytes: readNumber(options.maxFileSizeMb, 'Options › Max File Size (MB)', { min: 0.001, max: 10_000 }, 20) * MB,
		timeoutMs: readNumber(options.timeoutSeconds, 'Options › Timeout (Seconds)', { min: 1, max: 3600 }, 60) * 1000,
	};
}

export async function downloadFiles(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const session = new AppSession(this, createRedactor([]));
	const app = await session.app();
	const outputs: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const request = readRequest(this, itemIndex, app);
			const item = { index: itemIndex, label: `Item ${itemIndex}` };
			const file = await downloadMessageFile(
				this,
				session,
				{ downloadCode: request.downloadCode, robotCode: request.robotCode },
				item,
				{ maxBytes: request.maxBytes, timeoutMs: request.timeoutMs, plainHttpHosts: app.plainHttpHosts },
				fileDownloadSettings(app, session.redact, request.timeoutMs),
			);
			if (!file.ok) {
				throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: the file was not downloaded: ${file.reason}`, {
					itemIndex,
					description: 'DingTalk keeps a downloadCode valid for a limited time and only for the robot that received the file: download it soon after the message, with the credential and Robot Code of that robot.',
				});
			}
			const named = cleanFileName(request.fileName, '');
			const type = receivedFileType(file.data.subarray(0, 64), extensionOf(named), file.servedType);
			const fileName = named ? (extensionOf(named) || !type.extension ? named : `${named}.${type.extension}`) : `file${type.extension ? `.${type.extension}` : ''}`;
			const binary = await this.helpers.prepareBinaryData(file.data, fileName, type.mimeType);
			outputs.push({ json: items[itemIndex].json, binary: { ...items[itemIndex].binary, [request.binaryProperty]: binary }, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			outputs.push(...errorItems(error, [itemIndex]));
		}
	}
	return [outputs];
}
