/**
 * One Stream connection per app and topic per n8n process, shared by every trigger that uses it.
 * DingTalk pushes each robot message (and each card click) to ONE of the app's open connections
 * subscribed to its topic, chosen at random: two connections from one n8n would each miss about
 * half of them. So every active trigger (and the editor's "Listen for test event") with the same
 * app subscribes to the same connection for each topic it takes, each subscriber gets every robot
 * message (every click), and the connection closes when the last one leaves. A trigger taking
 * both robot messages and card clicks joins two connections: a connection's subscriptions are
 * fixed when it registers, so a topic of its own keeps one trigger's choice from moving the other
 * triggers' connection.
 * The key is the API base URL, the Client ID, a digest of the secret and the topic: a credential
 * whose secret is stale gets its own connection, and its own error, instead of breaking the others'.
 */
import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import type { DingTalkApp } from '../../../credentials/appCredential';
import type { CardCallbackReading } from '../../shared/incoming/cardAction';
import type { IncomingMessageBody } from '../../shared/incoming/incomingMessage';
import { readSendAndWaitClick } from '../../shared/sendAndWaitClick';
import { answerSendAndWaitClick } from '../sendAndWaitClicks';
import { StreamConnection, type StreamLog, type StreamSocket, type WaitPurpose } from './connection';
import type { StreamTopic } from './frames';
import type { HttpRequest, StreamFailure } from './gateway';

export interface StreamSubscriber {
	/** the CALLBACK topic it takes: robot messages, or card clicks */
	topic: StreamTopic;
	request: HttpRequest;
	/** how errors name the credential: the connection takes the label of the trigger that opens it */
	credentialLabel: string;
	log: StreamLog;
	idleTimeoutMs: number;
	onRobotMessage?(body: IncomingMessageBody): void;
	/** a click: the card update to answer it with (`{}`: none), or undefined when it does not take this click */
	onCardAction?(reading: Extract<CardCallbackReading, { ok: true }>, messageId: string): IDataObject | undefined;
	/** the connection stopped for good (credentials refused): report it, the trigger cannot go on */
	onFailure(failure: StreamFailure): void;
}

/** What the process gives a connection: n8n-workflow's sleep and the global WebSocket in the node, fakes nowhere. */
export interface StreamRuntime {
	createSocket: (url: string) => StreamSocket;
	/** `purpose` is for tests with a fake clock: n8n-workflow's sleepWithAbort takes no such argument */
	sleep: (ms: number, signal: AbortSignal, purpose?: WaitPurpose) => Promise<void>;
	now: () => number;
	random: () => number;
}

export interface StreamSubscription {
	/** resolves once connected (or retrying after a failure that may recover); rejects when refused for good */
	ready: Promise<void>;
	unsubscribe(): Promise<void>;
}

interface Shared {
	app: DingTalkApp;
	now: () => number;
	connection: StreamConnection;
	subscribers: Set<StreamSubscriber>;
}

const shared = new Map<string, Shared>();

function connectionKey(app: DingTalkApp, topic: StreamTopic): string {
	const secret = createHash('sha256').update(app.clientSecret, 'utf8').digest('hex').slice(0, 16);
	return `${app.baseUrl}|${app.clientId}|${secret}|${topic}`;
}

/**
 * The answer to a click: the first subscriber's (in the order they subscribed) that takes it with
 * a card update; several workflows answering the same click with updates is said in the log.
 */
function answerClick(entry: Shared, reading: Extract<CardCallbackReading, { ok: true }>, messageId: string): IDataObject | Promise<IDataObject> {
	// a Send and Wait card's click is the waiting node's, whether or not a workflow takes clicks as items
	const sendAndWait = readSendAndWaitClick({ ...reading.body, ...reading.action });
	const taker = first(entry);
	if (sendAndWait && taker) {
		const log = { debug: (m: string) => taker.log.debug(entry.connection.redact(m)), info: (m: string) => taker.log.info(entry.connection.redact(m)), warn: (m: string) => taker.log.warn(entry.connection.redact(m)) };
		return answerSendAndWaitClick(sendAndWait, { secret: entry.app.clientSecret, request: taker.request, log, now: entry.now });
	}
	const updates: IDataObject[] = [];
	for (const s of [...entry.subscribers]) {
		try {
			const answer = s.onCardAction?.(reading, messageId);
			if (answer && Object.keys(answer).length > 0) updates.push(answer);
		} catch (error) {
			s.log.warn(entry.connection.redact(`A click on a DingTalk card could not be handed to the workflow: ${(error as Error).message}`));
		}
	}
	if (updates.length > 1) {
		first(entry)?.log.warn(`${updates.length} workflows answered the click on card ${reading.body.outTrackId} with a card update; the first one's was sent (give each workflow its cards with the option Only Out Track IDs Starting With)`);
	}
	return updates[0] ?? {};
}

/** The app's connections of this process that are not closed, for tests and the README's promise. */
export function openConnectionCount(): number {
	return [...shared.values()].filter((entry) => entry.connection.state !== 'closed').length;
}

function first(entry: Shared): StreamSubscriber | undefined {
	return entry.subscribers.values().next().value;
}

export function subscribe(app: DingTalkApp, subscriber: StreamSubscriber, runtime: StreamRuntime): StreamSubscription {
	const key = connectionKey(app, subscriber.topic);
	let entry = shared.get(key);
	if (!entry || entry.connection.state === 'closed' || entry.connection.state === 'failed') {
		const created: Shared = { app, now: runtime.now, subscribers: new Set(), connection: undefined as unknown as StreamConnection };
		const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };
		created.connection = new StreamConnection({
			app,
			topic: subscriber.topic,
			label: subscriber.credentialLabel,
			...runtime,
			request: () => (first(created) ?? subscriber).request,
			log: {
				debug: (message) => (first(created)?.log ?? quiet).debug(message),
				info: (message) => (first(created)?.log ?? quiet).info(message),
				warn: (message) => (first(created)?.log ?? quiet).warn(message),
			},
			// the shortest of the triggers still subscribed (the creator's until one is)
			idleTimeoutMs: () => (created.subscribers.size ? Math.min(...[...created.subscribers].map((s) => s.idleTimeoutMs)) : subscriber.idleTimeoutMs),
			onRobotMessage: (body) => {
				for (const s of [...created.subscribers]) {
					try {
						s.onRobotMessage?.(body);
					} catch (error) {
						s.log.warn(created.connection.redact(`A DingTalk Stream message could not be handed to the workflow: ${(error as Error).message}`));
					}
				}
			},
			onCardAction: (reading, messageId) => answerClick(created, reading, messageId),
			onPermanentFailure: (error) => {
				for (const s of [...created.subscribers]) s.onFailure(error);
			},
		});
		entry = created;
		shared.set(key, entry);
		entry.subscribers.add(subscriber);
		entry.connection.start();
	} else {
		entry.subscribers.add(subscriber);
	}
	const mine = entry;
	return {
		ready: mine.connection.ready(),
		unsubscribe: async () => {
			if (!mine.subscribers.delete(subscriber) || mine.subscribers.size > 0) return;
			if (shared.get(key) === mine) shared.delete(key);
			await mine.connection.close();
		},
	};
}
