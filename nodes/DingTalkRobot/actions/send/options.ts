/**
 * The node's Options, read and checked for one item. Expressions can put anything there: a
 * number option that is text or NaN would switch a limit off silently (a NaN size limit lets
 * any message through, a NaN attempt count retries without end), so every value is refused,
 * naming the option, unless it is what the option takes.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { DingTalkApp } from '../../../../credentials/appCredential';
import { MAX_MESSAGE_BYTES, MessageInputError, describeValue, optionalText, readBoolean, readNumber } from '../../messages/fields';
import { readMessageId } from '../../messages/messageIds';
import { DINGTALK_SESSION_HOSTS, parseSessionHosts } from '../../messages/sessionWebhook';
import { WaitBudget, type DeliverySettings } from '../../transport';
import { robotKey } from '../../transport/rateLimiter';
import type { Redactor } from '../../../shared/redact';

export interface NodeOptions {
	addMentionsToContent: boolean;
	openLinksInSidePanel: boolean;
	/** the user's Message ID, or undefined for a random one per message */
	messageId?: string;
	combineItems: boolean;
	combinedHeader: string;
	splitLongMessages: boolean;
	maxMessageBytes: number;
	pacing: boolean;
	messagesPerMinute: number;
	maxWaitSeconds: number;
	maxAttempts: number;
	timeoutSeconds: number;
	sessionWebhookHosts: string[];
	/** how many destinations (sessions, groups, users) are sent to at once */
	parallelDestinations: number;
	/** an app robot's calls per second (DingTalk's QPS for the app) */
	callsPerSecond: number;
}

/** The labels of the options as the form shows them, named in errors. */
export const OPTION_LABELS = {
	addMentionsToContent: 'Options › Add Mentions to Content',
	openLinksInSidePanel: 'Options › Open Links in DingTalk Side Panel',
	messageId: 'Options › Message ID (msgUuid)',
	combineItems: 'Options › Combine Items',
	combinedHeader: 'Options › Combined Header',
	splitLongMessages: 'Options › Split Long Messages',
	maxMessageBytes: 'Options › Max Message Size (Bytes)',
	pacing: 'Options › Pace to the Rate Limit',
	messagesPerMinute: 'Options › Messages per Minute',
	maxWaitSeconds: 'Options › Max Wait (Seconds)',
	maxAttempts: 'Options › Max Attempts',
	timeoutSeconds: 'Options › Timeout (Seconds)',
	sessionWebhookHosts: 'Options › Session Webhook Hosts',
	parallelDestinations: 'Options › Parallel Destinations',
	callsPerSecond: 'Options › Calls per Second',
};

/** Checks every option of one item; throws a MessageInputError naming the first bad one. */
export function readNodeOptions(ctx: IExecuteFunctions, itemIndex: number): NodeOptions {
	return checkNodeOptions(ctx.getNodeParameter('options', itemIndex, {}));
}

/** The options when none is set. */
export function defaultNodeOptions(): NodeOptions {
	return checkNodeOptions({});
}

function checkNodeOptions(value: unknown): NodeOptions {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MessageInputError('Options', `must be a set of options, got ${describeValue(value)}`);
	const raw = value as Record<string, unknown>;
	return {
		addMentionsToContent: readBoolean(raw.addMentionsToContent, OPTION_LABELS.addMentionsToContent, true),
		openLinksInSidePanel: readBoolean(raw.openLinksInSidePanel, OPTION_LABELS.openLinksInSidePanel, false),
		messageId: readMessageId(raw.messageId, OPTION_LABELS.messageId),
		combineItems: readBoolean(raw.combineItems, OPTION_LABELS.combineItems, false),
		combinedHeader: optionalText(raw.combinedHeader, OPTION_LABELS.combinedHeader),
		splitLongMessages: readBoolean(raw.splitLongMessages, OPTION_LABELS.splitLongMessages, false),
		maxMessageBytes: readNumber(raw.maxMessageBytes, OPTION_LABELS.maxMessageBytes, { min: 1000, max: MAX_MESSAGE_BYTES, integer: true }, MAX_MESSAGE_BYTES),
		pacing: readBoolean(raw.pacing, OPTION_LABELS.pacing, true),
		messagesPerMinute: readNumber(raw.messagesPerMinute, OPTION_LABELS.messagesPerMinute, { min: 1, max: 20, integer: true }, 20),
		maxWaitSeconds: readNumber(raw.maxWaitSeconds, OPTION_LABELS.maxWaitSeconds, { min: 0, max: 86_400 }, 900),
		maxAttempts: readNumber(raw.maxAttempts, OPTION_LABELS.maxAttempts, { min: 1, max: 10, integer: true }, 5),
		timeoutSeconds: readNumber(raw.timeoutSeconds, OPTION_LABELS.timeoutSeconds, { min: 1, max: 600 }, 15),
		parallelDestinations: readNumber(raw.parallelDestinations, OPTION_LABELS.parallelDestinations, { min: 1, max: 100, integer: true }, 50),
		callsPerSecond: readNumber(raw.callsPerSecond, OPTION_LABELS.callsPerSecond, { min: 1, max: 1000, integer: true }, 20),
		sessionWebhookHosts: parseSessionHosts(raw.sessionWebhookHosts === undefined ? DINGTALK_SESSION_HOSTS : optionalText(raw.sessionWebhookHosts, OPTION_LABELS.sessionWebhookHosts)),
	};
}

/** Delivery settings from the first item's options: one set per destination, its own wait budget included. */
export function deliverySettings(options: NodeOptions, redact: Redactor): DeliverySettings {
	return {
		pacing: options.pacing,
		perMinute: options.messagesPerMinute,
		maxAttempts: options.maxAttempts,
		timeoutMs: options.timeoutSeconds * 1000,
		budget: new WaitBudget(options.maxWaitSeconds * 1000),
		redact,
	};
}

/** The same for an app robot's calls, each also waiting its turn in the app's Calls per Second. */
export function appDeliverySettings(options: NodeOptions, app: DingTalkApp, redact: Redactor): DeliverySettings {
	return { ...deliverySettings(options, redact), appPacing: { key: robotKey(app.baseUrl, app.clientId), perSecond: options.callsPerSecond } };
}
