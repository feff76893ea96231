/**
 * Send To "App Robot": every item becomes one message of the app robot, through DingTalk's
 * OpenAPI, to a group (openConversationId) or one-to-one to users (20 per call). As for webhooks,
 * every item is read and checked first; then messages go out in item order per conversation,
 * conversations in parallel (Parallel Destinations). Pictures and files from the item's binary
 * data are uploaded, then sent by their media id. Each item ends as a sent message (with the
 * processQueryKey to recall it), an error item (Continue On Fail) or a failed execution naming it.
 */
import { randomBytes } from 'crypto';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { DingTalkApp } from '../../../../credentials/appCredential';
import {
	assertMsgParamSize,
	fileTemplate,
	imageTemplate,
	readAppRobotJson,
	toAppRobotMessage,
	type AppRobotMessage,
} from '../../messages/appTemplates';
import { parseJsonField, validateRobotMessageJson } from '../../messages/checks';
import { cleanFileName, cleanMimeType } from '../../messages/fileNames';
import { MessageInputError, describeValue, optionalText, requireText, requireUrl } from '../../messages/fields';
import { parseUserIdList } from '../../messages/mentions';
import { MAX_USERS_PER_CALL, sendAppMessage, withRetries, type AppDestination } from '../../transport/appSend';
import { runPerDestination, sharedMemberLanes } from '../../transport/destinations';
import { AppSession, uploadMedia, type MediaFile } from '../../transport/openapi';
import { createRedactor } from '../../../shared/redact';
import type { DeliverySettings } from '../../transport';
import { appDeliverySettings, readNodeOptions, type NodeOptions } from './options';
import { errorItems, sentItems, toNodeError } from './outputs';
import { MAIN_FIELD, readMessage } from './prepare';

/** What DingTalk's media upload takes (its 上传媒体文件 page): kinds by extension, 20 MB each. */
const MEDIA_EXTENSIONS: Record<MediaFile['type'], string[]> = {
	image: ['jpg', 'gif', 'png', 'bmp'],
	file: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'],
};
const MAX_MEDIA_BYTES = 20 * 1024 * 1024;

/** A picture or file of the item, uploaded when the message is sent. */
interface MediaSource {
	type: MediaFile['type'];
	binaryProperty: string;
	fileName: string;
	mimeType: string;
}

interface AppOutgoing {
	itemIndex: number;
	destination: AppDestination;
	robotCode: string;
	message?: AppRobotMessage;
	media?: MediaSource;
}

const textParam = (ctx: IExecuteFunctions, name: string, itemIndex: number, field: string): string =>
	optionalText(ctx.getNodeParameter(name, itemIndex, ''), field).trim();

/** The binary data of an item, checked: present, a kind DingTalk takes. */
function readMediaSource(ctx: IExecuteFunctions, itemIndex: number, type: MediaFile['type'], propertyParameter: string, fileNameOverride = ''): MediaSource {
	const field = 'Input Binary Field';
	const binaryProperty = textParam(ctx, propertyParameter, itemIndex, field);
	const binary = ctx.getInputData()[itemIndex]?.binary?.[binaryProperty];
	if (!binary) {
		throw new MessageInputError(field, `names "${binaryProperty}", but the item has no binary data there`, 'Name the binary field of the input item (the one the previous node wrote the file to; often "data").');
	}
	// the name travels in the upload's headers and is shown to people: visible characters, no path
	const fallback = `${type}.${binary.fileExtension ?? (type === 'image' ? 'png' : 'bin')}`;
	const fileName = cleanFileName(fileNameOverride || binary.fileName || fallback, fallback);
	const extension = (/\.([A-Za-z0-9]+)$/.exec(fileName)?.[1] ?? binary.fileExtension ?? '').toLowerCase().replace('jpeg', 'jpg');
	if (!MEDIA_EXTENSIONS[type].includes(extension)) {
		throw new MessageInputError(
			type === 'image' ? field : 'File Name',
			`is ${describeValue(fileName)}: DingTalk takes ${type === 'image' ? 'pictures' : 'files'} of the kinds ${MEDIA_EXTENSIONS[type].join(', ')}`,
			type === 'image' ? 'Convert the picture to png or jpg first.' : 'Set File Name with the right extension, or pack the file as zip.',
		);
	}
	return { type, binaryProperty, fileName: extension === 'jpg' ? fileName.replace(/\.jpeg$/i, '.jpg') : fileName, mimeType: cleanMimeType(binary.mimeType) };
}

/** What every item shares (fields without expressions): read once, not per item. */
interface AppRun {
	app: DingTalkApp;
	messageType: string;
	toUsers: boolean;
}

/** One item read and checked: where it goes and what it says (or what to upload). */
function prepareAppItem(ctx: IExecuteFunctions, itemIndex: number, { app, messageType, toUsers }: AppRun, options: NodeOptions): AppOutgoing {
	const robotCode = textParam(ctx, 'robotCode', itemIndex, 'Robot Code') || app.robotCode;
	const destination: AppDestination =
		toUsers
			? { kind: 'users', userIds: parseUserIdList(ctx.getNodeParameter('userIds', itemIndex, ''), 'User IDs') }
			: { kind: 'group', openConversationId: requireText(ctx.getNodeParameter('openConversationId', itemIndex, ''), 'Conversation ID').trim() };
	if (destination.kind === 'users' && destination.userIds.length === 0) throw new MessageInputError('User IDs', 'is required');

	const outgoing = { itemIndex, destination, robotCode };
	if (messageType === 'file') return { ...outgoing, media: readMediaSource(ctx, itemIndex, 'file', 'binaryPropertyName', textParam(ctx, 'fileName', itemIndex, 'File Name')) };
	if (messageType === 'image' && ctx.getNodeParameter('imageSource', itemIndex, 'url') === 'binary') {
		return { ...outgoing, media: readMediaSource(ctx, itemIndex, 'image', 'imageBinaryPropertyName') };
	}
	let message: AppRobotMessage;
	if (messageType === 'image') {
		message = imageTemplate(requireUrl(ctx.getNodeParameter('imageUrl', itemIndex, ''), 'Image URL', false));
	} else if (messageType === 'json') {
		const body = ctx.getNodeParameter('jsonBody', itemIndex, '');
		const parsed = typeof body === 'string' && body.trim().startsWith('{') ? parseJsonField(body, 'JSON Body') : body;
		message =
			typeof parsed === 'object' && parsed !== null && 'msgKey' in parsed
				? readAppRobotJson(parsed, 'JSON Body')
				: toAppRobotMessage(validateRobotMessageJson(body, 'JSON Body'), 'JSON Body › at');
	} else {
		message = toAppRobotMessage(readMessage(ctx, itemIndex, messageType, options, false), 'Mentions');
	}
	assertMsgParamSize(message, MAIN_FIELD[messageType] ?? 'Message');
	return { ...outgoing, message };
}

/**
 * Where messages queue in item order: one group; for one-to-one messages, every list of people
 * that shares someone with another (so that a person's messages never overtake each other).
 */
function destinationKeys(ready: AppOutgoing[]): string[] {
	const lanes = sharedMemberLanes(ready.map(({ destination }) => (destination.kind === 'users' ? destination.userIds : [])));
	return ready.map(({ destination }, position) => (destination.kind === 'group' ? `group:${destination.openConversationId}` : `users:${lanes[position]}`));
}

export async function sendAsAppRobot(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const session = new AppSession(this, createRedactor([]));
	const outputs = new Map<number, INodeExecutionData>();
	const fail = (itemIndex: number, caught: unknown, extra: IDataObject = {}) => {
		const error = toNodeError(this, caught, itemIndex);
		if (!this.continueOnFail()) throw error;
		const [item] = errorItems(error, [itemIndex]);
		outputs.set(itemIndex, { ...item, json: { ...item.json, ...extra } });
	};

	let app: DingTalkApp;
	try {
		app = await session.app();
	} catch (caught) {
		const error = caught instanceof NodeOperationError ? caught : new NodeOperationError(this.getNode(), (caught as Error).message);
		if (!this.continueOnFail()) throw error;
		return [items.flatMap((_, itemIndex) => errorItems(error, [itemIndex]))];
	}

	// Phase 1: every item read and checked before anything is sent.
	const ready: AppOutgoing[] = [];
	let first: NodeOptions | undefined;
	const run: AppRun = { app, messageType: this.getNodeParameter('messageType', 0) as string, toUsers: this.getNodeParameter('appDestination', 0, 'group') === 'users' };
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const options = readNodeOptions(this, itemIndex);
			first ??= options;
			ready.push(prepareAppItem(this, itemIndex, run, options));
		} catch (caught) {
			fail(itemIndex, caught);
		}
	}
	if (!first) return [[...outputs.values()]];

	// Phase 2: per conversation in item order, conversations in parallel.
	const redact = session.redact;
	const runOptions = first;
	const send = async (outgoing: AppOutgoing, settings: DeliverySettings) => {
		const item = { index: outgoing.itemIndex, label: `Item ${outgoing.itemIndex}` };
		const keys: string[] = [];
		let usersPosted = 0;
		try {
			let message = outgoing.message;
			if (outgoing.media) message = await uploadThen(this, session, outgoing.media, item, settings);
			if (!message) throw new NodeOperationError(this.getNode(), `${item.label}: nothing to send`);
			const destination = outgoing.destination;
			if (destination.kind === 'group') {
				const sent = await sendAppMessage(this, session, message, outgoing.robotCode, destination, item, settings);
				const json: IDataObject = { processQueryKey: String(sent.body.processQueryKey), openConversationId: destination.openConversationId, msgKey: message.msgKey, robotCode: outgoing.robotCode, attempts: sent.attempts };
				if (sent.possibleDuplicate) json.possibleDuplicate = true;
				sentItems([outgoing.itemIndex], json).forEach((output) => outputs.set(outgoing.itemIndex, output));
				return;
			}
			const invalid: string[] = [];
			const flowControlled: string[] = [];
			let attempts = 0;
			let possibleDuplicate = false;
			for (let start = 0; start < destination.userIds.length; start += MAX_USERS_PER_CALL) {
				const userIds = destination.userIds.slice(start, start + MAX_USERS_PER_CALL);
				const sent = await sendAppMessage(this, session, message, outgoing.robotCode, { kind: 'users', userIds }, item, settings);
				keys.push(String(sent.body.processQueryKey));
				usersPosted += userIds.length;
				invalid.push(...stringList(sent.body.invalidStaffIdList));
				flowControlled.push(...stringList(sent.body.flowControlledStaffIdList));
				attempts += sent.attempts;
				possibleDuplicate ||= sent.possibleDuplicate;
			}
			const json: IDataObject = {
				processQueryKeys: keys,
				users: destination.userIds.length,
				delivered: destination.userIds.length - invalid.length - flowControlled.length,
				msgKey: message.msgKey,
				robotCode: outgoing.robotCode,
				attempts,
			};
			if (invalid.length) json.invalidUserIds = invalid;
			if (flowControlled.length) json.flowControlledUserIds = flowControlled;
			if (possibleDuplicate) json.possibleDuplicate = true;
			sentItems([outgoing.itemIndex], json).forEach((output) => outputs.set(outgoing.itemIndex, output));
		} catch (caught) {
			// the calls before the failing one were sent: say so, with their keys to recall them
			fail(outgoing.itemIndex, caught, keys.length ? { processQueryKeys: keys, usersPosted } : {});
		}
	};
	const lanes = destinationKeys(ready);
	await runPerDestination(
		ready.map((outgoing, position) => ({ key: lanes[position], run: async (settings: DeliverySettings) => await send(outgoing, settings) })),
		first.parallelDestinations,
		() => appDeliverySettings(runOptions, app, redact),
	);
	return [[...outputs.entries()].sort(([a], [b]) => a - b).map(([, item]) => item)];
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** Uploads the item's picture or file (checked for size here, where its bytes are read), then the template that sends it. */
async function uploadThen(
	ctx: IExecuteFunctions,
	session: AppSession,
	media: MediaSource,
	item: { index: number; label: string },
	settings: DeliverySettings,
): Promise<AppRobotMessage> {
	const data = await ctx.helpers.getBinaryDataBuffer(item.index, media.binaryProperty);
	if (data.length === 0) throw new MessageInputError('Input Binary Field', `"${media.binaryProperty}" is empty`, undefined, item.index);
	if (data.length > MAX_MEDIA_BYTES) {
		throw new MessageInputError('Input Binary Field', `"${media.binaryProperty}" is ${(data.length / 1048576).toFixed(1)} MB; DingTalk takes at most 20 MB`, undefined, item.index);
	}
	const file: MediaFile = { ...media, data };
	let boundary = `----n8nDingTalk${randomBytes(12).toString('hex')}`;
	while (data.includes(boundary)) boundary = `----n8nDingTalk${randomBytes(12).toString('hex')}`;
	const uploaded = await withRetries(ctx, item, settings, async (pace) => await uploadMedia(ctx, session, file, boundary, item, settings.timeoutMs, pace));
	const mediaId = String(uploaded.body.media_id);
	return media.type === 'image' ? imageTemplate(mediaId) : fileTemplate(mediaId, media.fileName);
}
