/**
 * What the Stream trigger does when n8n activates it (or listens for a test event): join the
 * app's shared connection (stream/registry.ts) and turn each robot message into the same item as
 * the HTTP trigger's, filtered by the same options and run once per message (its msgId, which a
 * frame pushed again carries too, remembered in the same memory as the HTTP trigger's, per
 * workflow, node and mode). With Events "Card Button Clicks" (or both) it joins the app's card
 * connection too (cardSubscriber.ts): each click an item, answered at once.
 * - active workflow: activation waits for the first connect; refused credentials fail it with a
 *   readable error (n8n shows it and, at startup, retries with its own backoff); a refusal later
 *   on (secret reset while running) is reported with emitError, and n8n deactivates and retries;
 * - "Listen for test event": the first robot message is the test event.
 * Errors name the credential as its user named it; their text is redacted by the connection (the
 * Client Secret and every ticket), or here with the secret before there is a connection.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IHttpRequestOptions,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { APP_CREDENTIAL_TYPE, readDingTalkApp, type DingTalkApp } from '../../credentials/appCredential';
import { credentialLabel } from '../shared/credentialLabel';
import { abortableSleep } from '../shared/abortableSleep';
import { createRedactor } from '../shared/redact';
import { normalizeIncomingMessage, passesFilters, type IncomingItemOptions } from '../shared/incoming/incomingMessage';
import { receivedItem } from '../shared/incoming/receivedFiles';
import { recentCallbacks } from '../DingTalkRobotTrigger/recentMessages';
import { readEvents } from '../shared/incoming/cardActionSettings';
import { cardSubscriber } from './cardSubscriber';
import { DEFAULT_IDLE_TIMEOUT_SECONDS } from './description';
import type { StreamSocket } from './stream/connection';
import type { StreamFailure } from './stream/gateway';
import { ROBOT_MESSAGE_TOPIC } from './stream/frames';
import { subscribe, type StreamRuntime, type StreamSubscriber, type StreamSubscription } from './stream/registry';

export const WEBSOCKET_MISSING =
	'DingTalk Stream needs the WebSocket of Node.js 22 or later; on Node.js 20 start n8n with NODE_OPTIONS=--experimental-websocket';

interface StreamTriggerOptions extends IncomingItemOptions {
	idleTimeoutSeconds?: number;
}

/** Node's global WebSocket (Node 22+, or Node 20 with --experimental-websocket). */
declare const WebSocket: (new (url: string) => StreamSocket) | undefined;

function globalWebSocket(): (new (url: string) => StreamSocket) | undefined {
	return typeof WebSocket === 'function' ? WebSocket : undefined;
}

/** The process's real clock, timers and sockets; tests of the schedule give their own. */
function defaultRuntime(Socket: new (url: string) => StreamSocket): StreamRuntime {
	return {
		createSocket: (url) => new Socket(url),
		sleep: abortableSleep,
		now: () => Date.now(),
		random: () => Math.random(),
	};
}

function streamError(ctx: ITriggerFunctions, failure: StreamFailure): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), failure.message, { description: failure.description });
}

async function readApp(ctx: ITriggerFunctions, label: string): Promise<DingTalkApp> {
	const credentials = await ctx.getCredentials(APP_CREDENTIAL_TYPE);
	try {
		return readDingTalkApp(credentials as IDataObject, label);
	} catch (error) {
		const redact = createRedactor([credentials.clientSecret]);
		throw new NodeOperationError(ctx.getNode(), redact((error as Error).message));
	}
}

/** The runtime is for tests of the engine with a fake clock; n8n always uses the default. */
export async function startStreamTrigger(this: ITriggerFunctions, runtime?: StreamRuntime): Promise<ITriggerResponse> {
	const Socket = globalWebSocket();
	if (!runtime && !Socket) {
		throw new NodeOperationError(this.getNode(), WEBSOCKET_MISSING, {
			description: 'Node.js 20 has the WebSocket client only behind that flag. Node.js 22 and later have it by default.',
		});
	}
	const label = credentialLabel(this.getNode(), APP_CREDENTIAL_TYPE, 'DingTalk App');
	const app = await readApp(this, label);
	const options = this.getNodeParameter('options', {}) as StreamTriggerOptions;
	const mode = this.getMode();
	// the same message reaches the active workflow and the editor's test listening: each runs it once
	const scope = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:${mode}`;
	const idleTimeoutSeconds = Number(options.idleTimeoutSeconds) > 0 ? Number(options.idleTimeoutSeconds) : DEFAULT_IDLE_TIMEOUT_SECONDS;
	const downloadAttachments = this.getNodeParameter('downloadAttachments', false) === true;
	const events = readEvents(this);
	// the editor's test listening takes one event, a message or a click, whichever comes first
	const testEvent = { taken: false };
	// until the activation finished, a refusal is its error (thrown below); emitError would make n8n
	// queue a second reactivation and restart its backoff from 1 s
	let activated = false;
	// a trigger on both topics has two connections: a refusal (the same secret) is reported once
	let reported = false;

	// `this.emit` and `this.emitError` are looked up at each call: n8n replaces them in manual mode
	const common = {
		request: async (requestOptions: IHttpRequestOptions) => await this.helpers.httpRequest(requestOptions),
		credentialLabel: label,
		log: this.logger,
		idleTimeoutMs: idleTimeoutSeconds * 1000,
		onFailure: (failure: StreamFailure) => {
			if (!activated || reported) return;
			reported = true;
			this.emitError(streamError(this, failure));
		},
	};
	const robotSubscriber: StreamSubscriber = {
		...common,
		topic: ROBOT_MESSAGE_TOPIC,
		onRobotMessage: (body) => {
			if (testEvent.taken) return;
			const item = normalizeIncomingMessage(body, { robotName: options.robotName });
			if (!passesFilters(item, options)) return;
			// a replayed frame and a message pushed again after a reconnect carry the same msgId
			if (recentCallbacks.seenBefore(`${scope}:${item.messageId}`, Date.now())) return;
			if (mode === 'manual') testEvent.taken = true;
			// the frame is acknowledged already; the files (Download Attachments) are fetched before the
			// item is handed on, and a file that fails is marked on the item, never holds it back for ever
			void receivedItem(this, item, downloadAttachments, options as IDataObject).then(
				(withFiles) => this.emit([[withFiles]]),
				() => this.emit([[{ json: item }]]),
			);
		},
	};
	const subscribers = [
		...(events.robotMessages ? [robotSubscriber] : []),
		...(events.cardActions ? [{ ...common, ...cardSubscriber(this, { scope, options: options as IDataObject, testEvent }) }] : []),
	];

	let subscriptions: StreamSubscription[] = [];
	const join = async () => {
		// its own references: n8n may call closeFunction (an aborted test listening) while this waits
		const mine = subscribers.map((subscriber) => subscribe(app, subscriber, runtime ?? defaultRuntime(Socket!)));
		subscriptions = mine;
		try {
			await Promise.all(mine.map(async (subscription) => await subscription.ready));
		} catch (error) {
			await Promise.all(mine.map(async (subscription) => await subscription.unsubscribe()));
			if (subscriptions === mine) subscriptions = [];
			throw streamError(this, error as StreamFailure);
		}
		activated = true;
	};
	const closeFunction = async () => {
		const mine = subscriptions;
		subscriptions = [];
		await Promise.all(mine.map(async (subscription) => await subscription.unsubscribe()));
	};

	if (mode === 'manual') return { closeFunction, manualTriggerFunction: join };
	await join();
	return { closeFunction };
}
