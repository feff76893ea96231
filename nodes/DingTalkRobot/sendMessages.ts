/**
 * What the node does with its input: every item becomes one DingTalk message. All items are
 * built and checked first, so a bad item stops the run before anything is posted; then the
 * messages are sent in item order. Each item ends as a sent message, an error item (Continue
 * On Fail) or a failed execution naming the item.
 */
import { randomUUID } from 'crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { parseRobotWebhook } from '../../credentials/signing';
import {
	buildActionCardMessage,
	buildFeedCardMessage,
	buildLinkMessage,
	buildMarkdownMessage,
	buildTextMessage,
	type ActionCardMessageInput,
	type BuildOptions,
} from './messages/build';
import { assertHasKeyword, assertMessageSize, parseKeywords, validateRobotMessageJson } from './messages/checks';
import { MessageInputError } from './messages/fields';
import type { MentionInput } from './messages/mentions';
import type { RobotMessage, RobotMessageBody } from './messages/types';
import { CREDENTIAL_TYPE, sendRobotMessage } from './transport';

interface NodeOptions {
	addMentionsToContent?: boolean;
	openLinksInSidePanel?: boolean;
	messageId?: string;
}

/** The field a size or keyword problem is reported on: where the user would change the text. */
const MAIN_FIELD: Record<string, string> = {
	text: 'Content',
	markdown: 'Text',
	link: 'Text',
	actionCard: 'Text',
	feedCard: 'Links',
	json: 'JSON Body',
};

function readMessage(ctx: IExecuteFunctions, itemIndex: number, messageType: string, options: BuildOptions): RobotMessage {
	const param = (name: string, fallback: unknown = '') => ctx.getNodeParameter(name, itemIndex, fallback);
	const mentions = () => param('mentions', {}) as MentionInput;
	switch (messageType) {
		case 'text':
			return buildTextMessage({ content: param('content'), mentions: mentions() }, options);
		case 'markdown':
			return buildMarkdownMessage({ title: param('title'), text: param('text'), mentions: mentions() }, options);
		case 'link':
			return buildLinkMessage(
				{ title: param('title'), text: param('text'), messageUrl: param('messageUrl'), picUrl: param('picUrl') },
				options,
			);
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
					hideAvatar: param('hideAvatar', false) as boolean,
					mentions: mentions(),
				},
				options,
			);
		}
		case 'feedCard': {
			const links = (param('links', {}) as { values?: Array<Record<string, unknown>> }).values ?? [];
			return buildFeedCardMessage({ links }, options);
		}
		case 'json':
			return validateRobotMessageJson(param('jsonBody'), 'JSON Body');
		default:
			throw new MessageInputError('Message Type', `"${messageType}" is not a message type this node can send`);
	}
}

/** Builds and checks one item's message, ready to send (with its idempotency key). */
function prepareMessage(ctx: IExecuteFunctions, itemIndex: number, keywords: string[]): RobotMessageBody {
	const messageType = ctx.getNodeParameter('messageType', itemIndex) as string;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as NodeOptions;
	const message = readMessage(ctx, itemIndex, messageType, {
		addMentionsToContent: options.addMentionsToContent !== false,
		openLinksInSidePanel: options.openLinksInSidePanel === true,
	});
	const existingUuid = (message as { msgUuid?: unknown }).msgUuid;
	const msgUuid =
		String(options.messageId ?? '').trim() ||
		(typeof existingUuid === 'string' && existingUuid.trim()) ||
		randomUUID();
	const body = { ...message, msgUuid } as RobotMessageBody;
	assertMessageSize(body, MAIN_FIELD[messageType]);
	assertHasKeyword(body, keywords, MAIN_FIELD[messageType]);
	return body;
}

/** Removes the access token and the secret from text that may have come from the HTTP layer. */
function secretRedactor(credentials: IDataObject): (text: string) => string {
	const secrets = new Set<string>();
	try {
		secrets.add(parseRobotWebhook(credentials.accessToken).accessToken);
	} catch {
		// an unusable webhook fails before any request; nothing of it can leak
	}
	if (typeof credentials.secret === 'string' && credentials.secret.trim()) secrets.add(credentials.secret.trim());
	const variants = [...secrets].flatMap((secret) => [secret, encodeURIComponent(secret)]).filter((s) => s.length >= 4);
	return (text: string) => variants.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** Every failure leaves the node as an n8n error that names the item. */
function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof MessageInputError) {
		return new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${error.message}`, {
			itemIndex,
			description: error.hint,
		});
	}
	// e.g. an expression that fails for this item: keep n8n's error, say which item
	const cause = error as Error & { description?: string };
	return new NodeOperationError(ctx.getNode(), cause, {
		itemIndex,
		message: `Item ${itemIndex}: ${cause.message}`,
		...(cause.description && { description: cause.description }),
	});
}

function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number, body?: RobotMessageBody): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const cause = (error as { errorResponse?: IDataObject }).errorResponse;
	if (cause && typeof cause.errcode === 'number') {
		json.errcode = cause.errcode;
		json.errmsg = cause.errmsg;
	}
	if (body) {
		json.msgtype = body.msgtype;
		json.msgUuid = body.msgUuid;
	}
	return { json, pairedItem: { item: itemIndex } };
}

export async function sendMessages(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const keywords = parseKeywords(credentials.keywords);
	const redact = secretRedactor(credentials);
	// one output per input item, at its index: a sent message or (Continue On Fail) an error item
	const outputs: INodeExecutionData[] = new Array(items.length);

	const ready: Array<{ itemIndex: number; body: RobotMessageBody }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			ready.push({ itemIndex, body: prepareMessage(this, itemIndex, keywords) });
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			outputs[itemIndex] = errorItem(error, itemIndex);
		}
	}

	for (const { itemIndex, body } of ready) {
		try {
			const answer = await sendRobotMessage(this, body, itemIndex, redact);
			outputs[itemIndex] = {
				json: { errcode: answer.errcode, errmsg: answer.errmsg, msgtype: body.msgtype, msgUuid: body.msgUuid },
				pairedItem: { item: itemIndex },
			};
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			outputs[itemIndex] = errorItem(error, itemIndex, body);
		}
	}

	return [outputs];
}
