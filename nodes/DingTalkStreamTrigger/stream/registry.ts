/**
 * One Stream connection per app per n8n process, shared by every trigger that uses it.
 * DingTalk pushes each robot message to ONE of an app's open connections, chosen at random: two
 * connections from one n8n would each miss about half of the messages. So every active trigger
 * (and the editor's "Listen for test event") with the same app subscribes to the same connection,
 * each subscriber gets every robot message, and the connection closes when the last one leaves.
 * The key is the API base URL, the Client ID and a digest of the secret: a credential whose
 * secret is stale gets its own connection, and its own error, instead of breaking the others'.
 */
import { createHash } from 'crypto';

import type { DingTalkApp } from '../../../credentials/appCredential';
import type { IncomingMessageBody } from '../../shared/incoming/incomingMessage';
import { StreamConnection, type StreamLog, type StreamSocket, type WaitPurpose } from './connection';
import type { HttpRequest, StreamFailure } from './gateway';

export interface StreamSubscriber {
	request: HttpRequest;
	/** how errors name the credential: the connection takes the label of the trigger that opens it */
	credentialLabel: string;
	log: StreamLog;
	idleTimeoutMs: number;
	onRobotMessage(body: IncomingMessageBody): void;
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
	connection: StreamConnection;
	subscribers: Set<StreamSubscriber>;
}

const shared = new Map<string, Shared>();

function connectionKey(app: DingTalkApp): string {
	const secret = createHash('sha256').update(app.clientSecret, 'utf8').digest('hex').slice(0, 16);
	return `${app.baseUrl}|${app.clientId}|${secret}`;
}

/** The app's connections of this process that are not closed, for tests and the README's promise. */
export function openConnectionCount(): number {
	return [...shared.values()].filter((entry) => entry.connection.state !== 'closed').length;
}

function first(entry: Shared): StreamSubscriber | undefined {
	return entry.subscribers.values().next().value;
}

export function subscribe(app: DingTalkApp, subscriber: StreamSubscriber, runtime: StreamRuntime): StreamSubscription {
	const key = connectionKey(app);
	let entry = shared.get(key);
	if (!entry || entry.connection.state === 'closed' || entry.connection.state === 'failed') {
		const created: Shared = { subscribers: new Set(), connection: undefined as unknown as StreamConnection };
		const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };
		created.connection = new StreamConnection({
			app,
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
						s.onRobotMessage(body);
					} catch (error) {
						s.log.warn(created.connection.redact(`A DingTalk Stream message could not be handed to the workflow: ${(error as Error).message}`));
					}
				}
			},
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
