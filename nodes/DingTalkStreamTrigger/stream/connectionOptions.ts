/** What a Stream connection (connection.ts) is given: the app, its topic, the runtime, and where frames go. */
import type { IDataObject } from 'n8n-workflow';

import type { DingTalkApp } from '../../../credentials/appCredential';
import type { CardCallbackReading } from '../../shared/incoming/cardAction';
import type { IncomingMessageBody } from '../../shared/incoming/incomingMessage';
import type { StreamTopic } from './frames';
import type { HttpRequest, StreamFailure } from './gateway';
import type { StreamSocket, WaitPurpose } from './socketAttempt';

export interface StreamLog {
	debug(message: string): void;
	info(message: string): void;
	warn(message: string): void;
}

export type ConnectionState = 'connecting' | 'open' | 'retrying' | 'failed' | 'closed';

export interface ConnectionOptions {
	app: DingTalkApp;
	/** the one CALLBACK topic it subscribes to */
	topic: StreamTopic;
	/** how errors name the credential ("the DingTalk App credential 'Ops bot'") */
	label: string;
	/** the HTTP helper of a trigger that uses the connection (asked anew for every registration) */
	request: () => HttpRequest;
	createSocket: (url: string) => StreamSocket;
	/** resolves after `ms`, rejects once `signal` is aborted; `purpose` is for tests with a fake clock */
	sleep: (ms: number, signal: AbortSignal, purpose?: WaitPurpose) => Promise<void>;
	now: () => number;
	random: () => number;
	log: StreamLog;
	/** no frame for this long = a dead connection (asked at every check: subscribers may change) */
	idleTimeoutMs: () => number;
	onRobotMessage: (body: IncomingMessageBody) => void;
	/** a click (card topic): what its ACK answers (`{}`: no card update), decided at once, or (a Send and Wait card's) within DingTalk's 2 s */
	onCardAction: (reading: Extract<CardCallbackReading, { ok: true }>, messageId: string) => IDataObject | Promise<IDataObject>;
	/** the loop stopped for good: credentials refused, or an endpoint we must not use */
	onPermanentFailure: (failure: StreamFailure) => void;
}
