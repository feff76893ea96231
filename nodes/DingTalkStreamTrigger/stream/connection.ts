/**
 * One app's Stream connection: register (gateway.ts), open the WebSocket, answer every frame
 * (frames.ts), hand robot messages on, and keep it alive:
 * - SYSTEM disconnect: the new connection is opened at once, before DingTalk closes the old one
 *   (about 10 s later); frames still arriving on the old one are handled until it closes;
 * - a connection that closes unexpectedly is replaced, with backoff (backoff.ts) and a fresh
 *   ticket every time;
 * - an idle watchdog: no frame for the idle timeout and the connection is taken for dead; a new
 *   one is opened first, then the old one closed, so a connection that was only quiet loses nothing;
 * - a permanent failure (credentials refused) stops the loop and is reported, never retried in a
 *   tight loop;
 * - close(): no socket, no timer left.
 * Every wait is a `sleep` the caller gives (n8n-workflow's sleepWithAbort in the node), each with
 * its own AbortController, all aborted by close().
 */
import type { DingTalkApp } from '../../../credentials/appCredential';
import type { DingTalkCallbackBody } from '../../DingTalkRobotTrigger/callback';
import { afterFailedConnect, afterLostConnection } from './backoff';
import { decideFrame, parseFrame } from './frames';
import { openStreamConnection, streamFailure, type HttpRequest, type StreamFailure } from './gateway';
import { closeQuietly, openSocket, type StreamSocket, type WaitPurpose } from './socketAttempt';

export { CONNECT_TIMEOUT_MS, type StreamSocket, type WaitPurpose } from './socketAttempt';

export interface StreamLog {
	debug(message: string): void;
	info(message: string): void;
	warn(message: string): void;
}

export interface ConnectionOptions {
	app: DingTalkApp;
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
	onRobotMessage: (body: DingTalkCallbackBody) => void;
	/** the loop stopped for good: credentials refused, or an endpoint we must not use */
	onPermanentFailure: (failure: StreamFailure) => void;
}

/** How long a retired socket may stay after the new one opened. */
const RETIRED_SOCKET_GRACE_MS = 15_000;
/** What close() waits at most for the sockets to report closed. */
const CLOSE_WAIT_MS = 3_000;

interface LiveSocket {
	socket: StreamSocket;
	openedAt: number;
	lastFrameAt: number;
	frames: number;
}

const OPEN = 1;

export type ConnectionState = 'connecting' | 'open' | 'retrying' | 'failed' | 'closed';

export class StreamConnection {
	state: ConnectionState = 'connecting';

	private current: LiveSocket | undefined;

	/** every socket not gone yet (the current one, retired ones, one being opened), with what tells when it is */
	private readonly sockets = new Map<StreamSocket, { gone: Promise<void>; markGone: () => void }>();

	private readonly retiring = new Map<StreamSocket, 'disconnect' | 'idle'>();

	private readonly timers = new Set<AbortController>();

	private establishing = false;

	private attempt = 0;

	private firstOutcome: { promise: Promise<void>; resolve: () => void; reject: (failure: StreamFailure) => void };

	constructor(private readonly options: ConnectionOptions) {
		let resolve!: () => void;
		let reject!: (failure: StreamFailure) => void;
		const promise = new Promise<void>((res, rej) => {
			resolve = res;
			reject = rej;
		});
		// a rejection nobody awaits yet must not become an unhandled rejection
		promise.catch(() => undefined);
		this.firstOutcome = { promise, resolve, reject };
	}

	start(): void {
		void this.establish(0);
	}

	/**
	 * Resolves once the first connect opened, or failed in a way that may recover (the loop goes
	 * on); rejects when it failed for good.
	 */
	async ready(): Promise<void> {
		return await this.firstOutcome.promise;
	}

	/** Closes every socket and ends every wait; resolves once the sockets closed (bounded). */
	async close(): Promise<void> {
		if (this.state === 'closed') return;
		this.state = 'closed';
		for (const timer of this.timers) timer.abort();
		this.timers.clear();
		const gone = [...this.sockets].map(async ([socket, { gone }]) => {
			closeQuietly(socket, 'trigger closed');
			await gone;
		});
		const bound = new AbortController();
		await Promise.race([Promise.all(gone), this.options.sleep(CLOSE_WAIT_MS, bound.signal, 'closeWait').catch(() => undefined)]);
		bound.abort();
		this.current = undefined;
		this.firstOutcome.reject(streamFailure('The DingTalk Stream connection was closed', true, 'The trigger was deactivated.'));
	}

	private isClosed(): boolean {
		return this.state === 'closed';
	}

	/** A wait that close() ends early, and `own` too when given; resolves true when it ran its course. */
	private readonly pause = async (ms: number, purpose: WaitPurpose, own = new AbortController()): Promise<boolean> => {
		if (this.state === 'closed' || own.signal.aborted) return false;
		if (ms <= 0) return true;
		this.timers.add(own);
		try {
			await this.options.sleep(ms, own.signal, purpose);
			return true;
		} catch {
			return false;
		} finally {
			this.timers.delete(own);
		}
	};

	/** Registers and opens a connection, retrying with backoff, unless one is already being made. */
	private async establish(firstWaitMs: number): Promise<void> {
		if (this.establishing || this.isClosed() || this.state === 'failed') return;
		this.establishing = true;
		let waitMs = firstWaitMs;
		try {
			while (this.state !== 'closed') {
				if (!(await this.pause(waitMs, 'retry'))) return;
				const registered = await openStreamConnection(this.options.request(), this.options.app);
				if (this.isClosed()) return;
				const opened = 'failure' in registered ? registered : await this.openSocket(registered.url);
				if ('socket' in opened) {
					if (this.isClosed()) closeQuietly(opened.socket, 'trigger closed');
					else this.adopt(opened.socket);
					return;
				}
				if (this.isClosed()) return;
				if (opened.failure.permanent) {
					this.fail(opened.failure);
					return;
				}
				const step = afterFailedConnect(this.attempt, this.options.random());
				this.attempt = step.attempt;
				waitMs = step.waitMs;
				this.state = 'retrying';
				this.options.log.warn(`${opened.failure.message}. ${opened.failure.description} Next try in ${(waitMs / 1000).toFixed(1)} s.`);
				this.firstOutcome.resolve();
			}
		} finally {
			this.establishing = false;
		}
	}

	private fail(failure: StreamFailure): void {
		this.state = 'failed';
		this.options.log.warn(`${failure.message}. ${failure.description}`);
		this.firstOutcome.reject(failure);
		this.options.onPermanentFailure(failure);
		void this.close();
	}

	/** Opens the WebSocket; resolves once it is open. The URL (with its ticket) is never logged. */
	private async openSocket(url: string): Promise<{ socket: StreamSocket } | { failure: StreamFailure }> {
		const socket = this.options.createSocket(url);
		let markGone!: () => void;
		const gone = new Promise<void>((resolve) => (markGone = resolve));
		this.sockets.set(socket, { gone, markGone });
		const outcome = await openSocket(socket, this.pause, {
			onFrame: (data) => this.onFrame(socket, data),
			onEnd: (opened, code) => {
				this.sockets.delete(socket);
				this.retiring.delete(socket);
				markGone();
				if (opened) this.onClosed(socket, code);
			},
		});
		return 'opened' in outcome ? { socket } : outcome;
	}

	private adopt(socket: StreamSocket): void {
		const now = this.options.now();
		this.current = { socket, openedAt: now, lastFrameAt: now, frames: 0 };
		this.state = 'open';
		this.options.log.info(`DingTalk Stream connected (app ${this.options.app.clientId})`);
		this.firstOutcome.resolve();
		for (const [old, why] of this.retiring) {
			// a silent one is closed now; one DingTalk asked to go may still deliver until DingTalk closes it
			if (why === 'idle') closeQuietly(old, 'idle');
			else void this.pause(RETIRED_SOCKET_GRACE_MS, 'retiredGrace').then((ran) => ran && this.sockets.has(old) && closeQuietly(old, 'replaced'));
		}
		void this.watch(this.current);
	}

	/** Replaces the current connection: the new one is opened before the old one goes. */
	private handover(why: 'disconnect' | 'idle'): void {
		const old = this.current;
		if (!old) return;
		this.current = undefined;
		this.retiring.set(old.socket, why);
		void this.establish(0);
	}

	private onClosed(socket: StreamSocket, code: number | undefined): void {
		if (this.state === 'closed' || this.state === 'failed' || this.current?.socket !== socket) return;
		const life = this.options.now() - this.current.openedAt;
		const { frames } = this.current;
		this.current = undefined;
		const step = afterLostConnection(this.attempt, life, frames, this.options.random());
		this.attempt = step.attempt;
		this.state = 'retrying';
		this.options.log.warn(`The DingTalk Stream connection closed (code ${code ?? 'none'}); reconnecting in ${(step.waitMs / 1000).toFixed(1)} s`);
		void this.establish(step.waitMs);
	}

	/** The idle watchdog of one connection: ends when it is no longer the current one. */
	private async watch(live: LiveSocket): Promise<void> {
		while (this.current === live) {
			const waitMs = live.lastFrameAt + this.options.idleTimeoutMs() - this.options.now();
			if (waitMs <= 0) {
				this.options.log.warn(`No frame from DingTalk for ${Math.round(this.options.idleTimeoutMs() / 1000)} s: opening a new Stream connection`);
				this.handover('idle');
				return;
			}
			if (!(await this.pause(waitMs, 'watchdog'))) return;
		}
	}

	private onFrame(socket: StreamSocket, data: unknown): void {
		if (this.state === 'closed') return;
		if (this.current?.socket === socket) {
			this.current.lastFrameAt = this.options.now();
			this.current.frames++;
		}
		if (typeof data !== 'string') {
			this.options.log.warn('DingTalk Stream sent a binary frame; only JSON text frames are expected');
			return;
		}
		const parsed = parseFrame(data);
		if (!parsed.ok) {
			this.options.log.warn(`DingTalk Stream sent an unreadable frame: ${parsed.reason}`);
			return;
		}
		const action = decideFrame(parsed.frame);
		if (action.kind === 'disconnect') {
			this.options.log.info(`DingTalk asked to reconnect (${action.reason || 'no reason given'}): opening the new connection first`);
			if (this.current?.socket === socket) this.handover('disconnect');
			return;
		}
		if (action.kind === 'invalid') {
			this.options.log.warn(`DingTalk Stream sent ${action.reason}`);
			return;
		}
		if (socket.readyState === OPEN) socket.send(action.answer);
		if (action.kind === 'robotMessage') {
			this.options.onRobotMessage(action.body);
		} else if (action.kind === 'unreadableMessage') {
			this.options.log.warn(`DingTalk Stream pushed a robot message that cannot be read (${action.reason}); acknowledged and skipped`);
		} else if (action.kind === 'unknownTopic') {
			this.options.log.warn(`DingTalk Stream pushed a ${action.type} frame of topic ${action.topic}, which the trigger does not handle`);
		}
	}
}
