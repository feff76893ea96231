/**
 * What the node does with its input: every item becomes one DingTalk message, posted to the
 * credential's robot, posted to the conversation a trigger item came from (its session webhook),
 * or given as the answer to the trigger's call. All items are built and checked first, so a bad
 * item stops the run before anything is posted; then the messages are sent in item order. Each
 * item ends as a sent message, an error item (Continue On Fail) or a failed execution naming it.
 */
import { randomUUID } from 'crypto';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { parseRobotWebhook, type RobotWebhook } from '../../credentials/signing';
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
import { combineItems, splitLongMessage, type CombinableMessage, type CombineEntry } from './messages/combine';
import { MAX_MESSAGE_BYTES, MessageInputError, requireText } from './messages/fields';
import { resolveMentions, type MentionInput } from './messages/mentions';
import { DINGTALK_SESSION_HOSTS, checkSessionWebhook, parseSessionHosts, type SessionWebhook } from './messages/sessionWebhook';
import type { RobotMessage, RobotMessageBody } from './messages/types';
import {
	CREDENTIAL_TYPE,
	WaitBudget,
	sendRobotMessage,
	type DeliverySettings,
	type Destination,
	type DingTalkAnswer,
} from './transport';
import { robotKey } from './transport/rateLimiter';

interface NodeOptions {
	addMentionsToContent?: boolean;
	openLinksInSidePanel?: boolean;
	messageId?: string;
	combineItems?: boolean;
	combinedHeader?: string;
	splitLongMessages?: boolean;
	maxMessageBytes?: number;
	pacing?: boolean;
	messagesPerMinute?: number;
	maxWaitSeconds?: number;
	maxAttempts?: number;
	timeoutSeconds?: number;
	sessionWebhookHosts?: string;
}

/** Send To: the credential's robot, the trigger item's conversation, or the trigger's answer. */
type Target = 'robot' | 'session' | 'response';

/** What is sent for one or more input items: one message, or the numbered parts of a long one. */
interface Outgoing {
	itemIndices: number[];
	parts: RobotMessageBody[];
	/** where a reply goes (Send To: Reply in the Conversation) */
	session?: SessionWebhook;
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

const buildOptionsOf = (options: NodeOptions): BuildOptions => ({
	addMentionsToContent: options.addMentionsToContent !== false,
	openLinksInSidePanel: options.openLinksInSidePanel === true,
});

/** The idempotency key: the user's Message ID, one already in a JSON body, or a random one. */
function messageUuid(options: NodeOptions, message?: object): string {
	const existing = (message as { msgUuid?: unknown } | undefined)?.msgUuid;
	return String(options.messageId ?? '').trim() || (typeof existing === 'string' && existing.trim()) || randomUUID();
}

/** Checks every part against the size limit and the robot's keywords. */
function checkParts(parts: RobotMessageBody[], field: string, keywords: string[], maxBytes: number): RobotMessageBody[] {
	for (const part of parts) {
		assertMessageSize(part, field, maxBytes);
		assertHasKeyword(part, keywords, field);
	}
	return parts;
}

/** A reply's session webhook, checked (DingTalk host, not expired) before anything is sent. */
function readSessionWebhook(ctx: IExecuteFunctions, itemIndex: number, options: NodeOptions): SessionWebhook {
	return checkSessionWebhook(
		ctx.getNodeParameter('sessionWebhook', itemIndex, ''),
		ctx.getNodeParameter('sessionWebhookExpiresAt', itemIndex, ''),
		parseSessionHosts(options.sessionWebhookHosts ?? DINGTALK_SESSION_HOSTS),
		Date.now(),
	);
}

/** Builds and checks one item's message, ready to send (split into parts when asked to). */
function prepareItem(ctx: IExecuteFunctions, itemIndex: number, target: Target, keywords: string[], maxBytes: number): Outgoing {
	const messageType = ctx.getNodeParameter('messageType', itemIndex) as string;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as NodeOptions;
	const session = target === 'session' ? readSessionWebhook(ctx, itemIndex, options) : undefined;
	const message = readMessage(ctx, itemIndex, messageType, buildOptionsOf(options));
	const msgUuid = messageUuid(options, message);
	const splittable = target !== 'response' && options.splitLongMessages === true && (message.msgtype === 'text' || message.msgtype === 'markdown');
	const pieces = splittable ? splitLongMessage(message as CombinableMessage, maxBytes) : [message];
	// parts share the item's key with a suffix, so a retried part is deduplicated on its own
	const parts = pieces.map((piece, index) => ({ ...piece, msgUuid: pieces.length > 1 ? `${msgUuid}-${index + 1}` : msgUuid }) as RobotMessageBody);
	return { itemIndices: [itemIndex], parts: checkParts(parts, MAIN_FIELD[messageType], keywords, maxBytes), session };
}

/**
 * Combine Items: every item's own content (expressions evaluated per item) packed into as few
 * text or markdown messages as the size limit allows. Items whose content cannot be read are
 * reported through `onItemError` and left out.
 */
function prepareCombined(
	ctx: IExecuteFunctions,
	itemCount: number,
	first: NodeOptions,
	messageType: 'text' | 'markdown',
	keywords: string[],
	maxBytes: number,
	onItemError: (itemIndex: number, error: unknown) => void,
): Outgoing[] {
	const field = MAIN_FIELD[messageType];
	const entries: CombineEntry[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			const text = requireText(ctx.getNodeParameter(messageType === 'text' ? 'content' : 'text', itemIndex, ''), field);
			const mentions = ctx.getNodeParameter('mentions', itemIndex, {}) as MentionInput;
			resolveMentions(mentions); // refuse a bad mention list on its own item
			entries.push({ itemIndex, text, mentions });
		} catch (error) {
			onItemError(itemIndex, error);
		}
	}
	if (entries.length === 0) return [];
	const title = messageType === 'markdown' ? requireText(ctx.getNodeParameter('title', entries[0].itemIndex, ''), 'Title') : '';
	const combined = combineItems(entries, {
		msgtype: messageType,
		title,
		header: String(first.combinedHeader ?? ''),
		maxBytes,
		addMentionsToContent: first.addMentionsToContent !== false,
		field,
	});
	const baseUuid = messageUuid(first);
	return combined.map(({ message, itemIndices }, index) => ({
		itemIndices,
		parts: checkParts(
			[{ ...message, msgUuid: combined.length > 1 || first.messageId ? `${baseUuid}-${index + 1}` : baseUuid } as RobotMessageBody],
			field,
			keywords,
			maxBytes,
		),
	}));
}

/** Removes secrets (access token, signing secret, session tokens) from text that may have come from the HTTP layer. */
function secretRedactor(secrets: unknown[]): (text: string) => string {
	const unique = new Set(secrets.filter((secret): secret is string => typeof secret === 'string').map((secret) => secret.trim()));
	const variants = [...unique].flatMap((secret) => [secret, encodeURIComponent(secret)]).filter((s) => s.length >= 4);
	return (text: string) => variants.reduce((result, secret) => result.split(secret).join('***'), text);
}

/** "Item 3", "Items 0–19" (a range), or "Items 0, 2, 5" */
function itemLabel(indices: number[]): string {
	if (indices.length === 1) return `Item ${indices[0]}`;
	const contiguous = indices.every((index, position) => position === 0 || index === indices[position - 1] + 1);
	if (contiguous) return `Items ${indices[0]}–${indices[indices.length - 1]}`;
	return `Items ${indices.length > 10 ? `${indices.slice(0, 10).join(', ')}, …` : indices.join(', ')}`;
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

function errorItem(error: NodeApiError | NodeOperationError, itemIndices: number[], body?: RobotMessageBody): INodeExecutionData {
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
	if (typeof error.context?.attempts === 'number') json.attempts = error.context.attempts;
	if (itemIndices.length > 1) json.items = itemIndices.length;
	return { json, pairedItem: itemIndices.map((item) => ({ item })) };
}

/** Execution-wide delivery settings, from the first item's options. */
function deliverySettings(options: NodeOptions, redact: (text: string) => string): DeliverySettings {
	return {
		pacing: options.pacing !== false,
		perMinute: Math.min(20, Math.max(1, Math.floor(options.messagesPerMinute ?? 20))),
		maxAttempts: Math.min(10, Math.max(1, Math.floor(options.maxAttempts ?? 5))),
		timeoutMs: Math.max(1, options.timeoutSeconds ?? 15) * 1000,
		budget: new WaitBudget(Math.max(0, options.maxWaitSeconds ?? 900) * 1000),
		redact,
	};
}

/** The credential's robot: its webhook, keywords and secrets (an unusable webhook fails the run before any request). */
async function readRobotCredential(ctx: IExecuteFunctions): Promise<{ webhook: RobotWebhook; keywords: string[]; secrets: unknown[] }> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	try {
		const webhook = parseRobotWebhook(credentials.accessToken);
		return { webhook, keywords: parseKeywords(credentials.keywords), secrets: [webhook.accessToken, credentials.secret] };
	} catch (error) {
		// the message never repeats the webhook
		throw new NodeOperationError(ctx.getNode(), (error as Error).message);
	}
}

const TRIGGER_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobotTrigger';

/**
 * Answer the Trigger Call: there is one call to answer, and only a trigger set to wait for it
 * (Respond: From a Later Node) takes the answer; anything else would drop the message silently.
 */
function assertTriggerWaitsForAnswer(ctx: IExecuteFunctions, ready: Outgoing[]): void {
	const trigger = ctx
		.getParentNodes(ctx.getNode().name, { includeNodeParameters: true })
		.find((node) => node.type === TRIGGER_NODE_TYPE && !node.disabled);
	if (!trigger || trigger.parameters?.response !== 'responseNode') {
		throw new NodeOperationError(ctx.getNode(), 'Send To "Answer the Trigger Call" needs a DingTalk Robot Trigger set to Respond: From a Later Node', {
			description: trigger
				? `Set "${trigger.name}" › Respond to "From a Later Node (Synchronous Reply)", or use Send To: Reply in the Conversation.`
				: 'This node does not run after a DingTalk Robot Trigger. Use Send To: Group Robot, or put a DingTalk Robot Trigger before it.',
		});
	}
	const messages = ready.reduce((count, outgoing) => count + outgoing.parts.length, 0);
	if (messages > 1) {
		throw new NodeOperationError(ctx.getNode(), `Send To "Answer the Trigger Call" sends one message, but the ${ready.length} input items make ${messages}`, {
			description: 'DingTalk takes one message as the answer to its call. Turn on Options › Combine Items, or use Send To: Reply in the Conversation to send several.',
		});
	}
}

export async function sendMessages(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const target = this.getNodeParameter('target', 0, 'robot') as Target;
	const robot = target === 'robot' ? await readRobotCredential(this) : undefined;
	const keywords = robot?.keywords ?? [];
	const first = this.getNodeParameter('options', 0, {}) as NodeOptions;
	const maxBytes = Math.min(MAX_MESSAGE_BYTES, Math.max(1000, Math.floor(first.maxMessageBytes ?? MAX_MESSAGE_BYTES)));
	const messageType = this.getNodeParameter('messageType', 0) as string;

	// Phase 1: build and check every message, so a bad item stops the run before anything is sent.
	// Outputs are collected by position: a sent message or an error item, in input order.
	const outputs: Array<{ position: number; item: INodeExecutionData }> = [];
	const fail = (itemIndices: number[], caught: unknown, body?: RobotMessageBody) => {
		const error = toNodeError(this, caught, itemIndices[0]);
		if (!this.continueOnFail()) throw error;
		outputs.push({ position: itemIndices[0], item: errorItem(error, itemIndices, body) });
	};
	const ready: Outgoing[] = [];
	if (target !== 'session' && first.combineItems === true && (messageType === 'text' || messageType === 'markdown')) {
		try {
			ready.push(...prepareCombined(this, items.length, first, messageType, keywords, maxBytes, (index, error) => fail([index], error)));
		} catch (caught) {
			fail([caught instanceof MessageInputError ? (caught.itemIndex ?? 0) : 0], caught);
		}
	} else {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				ready.push(prepareItem(this, itemIndex, target, keywords, maxBytes));
			} catch (caught) {
				fail([itemIndex], caught);
			}
		}
	}

	if (target === 'response') {
		assertTriggerWaitsForAnswer(this, ready);
		for (const { itemIndices, parts } of ready) {
			this.sendResponse({ body: parts[0], headers: { 'content-type': 'application/json; charset=utf-8' }, statusCode: 200 });
			const json: IDataObject = { answered: true, msgtype: parts[0].msgtype, msgUuid: parts[0].msgUuid };
			if (itemIndices.length > 1) json.items = itemIndices.length;
			outputs.push({ position: itemIndices[0], item: { json, pairedItem: itemIndices.map((index) => ({ item: index })) } });
		}
		return [outputs.sort((a, b) => a.position - b.position).map((output) => output.item)];
	}

	// Phase 2: send, in order, paced and retried (transport).
	const secrets = robot?.secrets ?? ready.map((outgoing) => outgoing.session?.session);
	const delivery = deliverySettings(first, secretRedactor(secrets));
	const robotDestination: Destination | undefined = robot && { key: robotKey(robot.webhook.endpoint, robot.webhook.accessToken) };
	for (const { itemIndices, parts, session } of ready) {
		const item = { index: itemIndices[0], label: itemLabel(itemIndices) };
		const destination = session ? { key: robotKey(session.endpoint, session.session), sessionWebhook: session.url } : robotDestination;
		if (!destination) throw new NodeOperationError(this.getNode(), `${item.label}: nowhere to send the message to`); // a robot target always has its credential, a session target its webhook
		let attempts = 0;
		let answer: DingTalkAnswer = { errcode: 0, errmsg: 'ok' };
		let current: RobotMessageBody | undefined;
		try {
			for (const part of parts) {
				current = part;
				const delivered = await sendRobotMessage(this, part, item, delivery, destination);
				attempts += delivered.attempts;
				answer = delivered.answer;
			}
		} catch (caught) {
			fail(itemIndices, caught, current);
			continue;
		}
		const json: IDataObject = { errcode: answer.errcode, errmsg: answer.errmsg, msgtype: parts[0].msgtype, msgUuid: parts[0].msgUuid, attempts };
		if (parts.length > 1) json.parts = parts.length;
		if (itemIndices.length > 1) json.items = itemIndices.length;
		outputs.push({ position: itemIndices[0], item: { json, pairedItem: itemIndices.map((index) => ({ item: index })) } });
	}

	return [outputs.sort((a, b) => a.position - b.position).map((output) => output.item)];
}
