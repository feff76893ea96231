/**
 * One app's Stream connection: register (gateway.ts), open the WebSocket, answer every frame
 * (frames.ts), hand robot messages on, and keep it alive:
 * - SYSTEM disconnect: the new connection is opened before DingTalk closes the old one (about
 *   10 s later); frames still arriving on the old one are handled until it closes;
 * - a connection that closes unexpectedly is replaced, with backoff (backoff.ts) and a fresh
 *   ticket every time;
 * - an idle watchdog: no frame for the idle timeout and the connection is taken for dead; a new
 *   one is opened first, then the old one closed, so a connection that was only quiet loses nothing;
 * - a handover (disconnect or idle) is made at once when the connection replaced had proved
 *   itself, else it waits its turn in the backoff: a gateway that tells every new connection to go
 *   does not get a registration storm; and the sockets stay within a budget (socketBudget.ts): at
 *   most two open or opening, at most one retired, which goes shortly after the new one opened;
 * - a permanent failure (credentials refused) stops the loop and is reported, never retried in a
 *   tight loop;
 * - close(): no socket, no timer left.
 * Every wait is a `sleep` the caller gives (n8n-workflow's sleepWithAbort in the node), each with
 * its own AbortController, all aborted by close(). Every text it logs or fails with goes through
 * one redactor (nodes/shared/redact.ts) that knows the Client Secret and every ticket received: a
 * hostile gateway may echo them in an error answer or in a frame.
 */
import { createRedactor, type SecretRedactor } from '../../shared/redact';
import { afterFailedConnect, afterHandover, afterLostConnection } from './backoff';
import type { ConnectionOptions, ConnectionState, StreamLog } from './connectionOptions';
import { cardActionAck, decideFrame, parseFrame } from './frames';
import { openStreamConnection, streamFailure, type StreamFailure } from './gateway';
import { closeQuietly, openSocket, type StreamSocket, type WaitPurpose } from './socketAttempt';
import { retiredGraceMs, retiredToCloseAtHandover, retiredToCloseBeforeOpening, type RetireReason } from './socketBudget';

export { CONNECT_TIMEOUT_MS, type StreamSocket, type WaitPurpose } from './socketAttempt';
export type { ConnectionOptions, ConnectionState, StreamLog } from './connectionOptions';

/** What close(), or a new connection after closing a retired one, waits at most for sockets to report closed. */
const CLOSE_WAIT_MS = 3_000;

interface LiveSocket {
	socket: StreamSocket;
	openedAt: number;
	lastFrameAt: number;
	/** robot messages and events (not pings): what shows DingTalk was really using it */
	messages: number;
	/** ends its watchdog's wait once it is no longer the current one */
	watchdog: AbortController;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

const OPEN = 1;

export class StreamConnection {
	state: ConnectionState = 'connecting';

	/** the Client Secret and every ticket received, out of any text (also the registry's) */
	readonly redact: SecretRedactor;

	/** the caller's log, every line redacted */
	private readonly log: StreamLog;

	private current: LiveSocket | undefined;

	/** every socket not gone yet (the current one, retired ones, one being opened, closing ones), with what tells when it is */
	private readonly sockets = new Map<StreamSocket, { gone: Promise<void>; markGone: () => void }>();

	/** the sockets asked to close, not gone yet */
	private readonly closing = new Set<StreamSocket>();

	/** retired sockets, oldest first: why, and the grace they were given once a new one opened */
	private readonly retired = new Map<StreamSocket, { why: RetireReason; grace?: AbortController }>();

	private readonly timers = new Set<AbortController>();

	/**
	 * Sockets told to go before they were taken as the current one: Node's WebSocket may dispatch
	 * `open` and the first frame in one go, before the open's continuation adopts the socket.
	 */
	private readonly toldToGoEarly = new Map<StreamSocket, string>();

	private establishing = false;

	private attempt = 0;

	private firstOutcome: { promise: Promise<void>; resolve: () => void; reject: (failure: StreamFailure) => void };

	constructor(private readonly options: ConnectionOptions) {
		this.redact = createRedactor([options.app.clientSecret]);
		const redacted = (level: keyof StreamLog) => (message: string) => options.log[level](this.redact(message));
		this.log = { debug: redacted('debug'), info: redacted('info'), warn: redacted('warn') };
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
			this.closeSocket(socket, 'trigger closed');
			await gone;
		});
		const bound = new AbortController();
		await Promise.race([Promise.all(gone), this.options.sleep(CLOSE_WAIT_MS, bound.signal, 'closeWait').catch(() => undefined)]);
		bound.abort();
		this.current = undefined;
		this.firstOutcome.reject(streamFailure('The DingTalk Stream connection was closed', true, 'The trigger was deactivated.'));
	}

	/** A failure as it may leave the connection: redacted. */
	private redacted(failure: StreamFailure): StreamFailure {
		return streamFailure(this.redact(failure.message), failure.permanent, this.redact(failure.description));
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
				await this.makeRoom();
				if (this.isClosed()) return;
				const registered = await openStreamConnection(this.options.request(), this.options.app, this.options.label, (ticket) => this.redact.add(ticket), this.options.topic);
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
				this.log.warn(`${opened.failure.message}. ${opened.failure.description} Next try in ${(waitMs / 1000).toFixed(1)} s.`);
				this.firstOutcome.resolve();
			}
		} finally {
			this.establishing = false;
		}
	}

	private fail(unredacted: StreamFailure): void {
		const failure = this.redacted(unredacted);
		this.state = 'failed';
		this.log.warn(`${failure.message}. ${failure.description}`);
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
				this.closing.delete(socket);
				this.toldToGoEarly.delete(socket);
				this.forgetRetired(socket);
				markGone();
				if (opened) this.onClosed(socket, code);
			},
		});
		return 'opened' in outcome ? { socket } : outcome;
	}

	/** Asks a socket to close (once); it counts as gone from the budget from now on. */
	private closeSocket(socket: StreamSocket, reason: string): void {
		this.forgetRetired(socket);
		if (!this.sockets.has(socket) || this.closing.has(socket)) return;
		this.closing.add(socket);
		closeQuietly(socket, reason);
	}

	private forgetRetired(socket: StreamSocket): void {
		this.retired.get(socket)?.grace?.abort();
		this.retired.delete(socket);
	}

	/**
	 * Keeps the budget before one more socket is opened: the oldest retired ones go first, and are
	 * waited for (briefly), so that the gateway too never holds more than the budget.
	 */
	private async makeRoom(): Promise<void> {
		const live = [...this.sockets.keys()].filter((socket) => !this.closing.has(socket)).length;
		for (const socket of retiredToCloseBeforeOpening(live, [...this.retired.keys()])) this.closeSocket(socket, 'replaced');
		if (this.closing.size === 0) return;
		const bound = new AbortController();
		const gone = [...this.closing].map(async (socket) => await this.sockets.get(socket)?.gone);
		await Promise.race([Promise.all(gone), this.pause(CLOSE_WAIT_MS, 'closeWait', bound)]);
		bound.abort();
	}

	private adopt(socket: StreamSocket): void {
		const now = this.options.now();
		this.current = { socket, openedAt: now, lastFrameAt: now, messages: 0, watchdog: new AbortController() };
		this.state = 'open';
		this.log.info(`DingTalk Stream connected (app ${this.options.app.clientId})`);
		this.firstOutcome.resolve();
		for (const [old, entry] of this.retired) {
			// a silent one goes now; one DingTalk asked to go may still deliver what was on its way
			const graceMs = retiredGraceMs(entry.why);
			if (graceMs === 0) this.closeSocket(old, 'idle');
			else if (!entry.grace) {
				entry.grace = new AbortController();
				void this.pause(graceMs, 'retiredGrace', entry.grace).then((ran) => ran && this.closeSocket(old, 'replaced'));
			}
		}
		void this.watch(this.current);
		// told to go before it was adopted: obeyed once the establishing that adopted it is over
		const early = this.toldToGoEarly.get(socket);
		if (early !== undefined) void Promise.resolve().then(() => this.obeyDisconnect(socket, early));
		this.toldToGoEarly.delete(socket);
	}

	/** DingTalk's disconnect on the current socket: a handover, at once or in its turn. */
	private obeyDisconnect(socket: StreamSocket, reason: string): void {
		const live = this.current?.socket === socket ? this.current : undefined;
		if (!live) return;
		const asked = `DingTalk asked to reconnect (${reason || 'no reason given'})`;
		const wait = this.handover('disconnect');
		const note = `${asked}: ${this.handoverNote(wait, this.options.now() - live.openedAt)}`;
		if (wait === 0) this.log.info(note);
		else this.log.warn(note);
	}

	/**
	 * Replaces the current connection, the new one opened before the old one goes: at once, or
	 * after its turn in the backoff when the one replaced had not proved itself. Returns the wait.
	 */
	private handover(why: RetireReason): number {
		const old = this.current;
		if (!old) return 0;
		this.current = undefined;
		old.watchdog.abort();
		this.retired.set(old.socket, { why });
		// another handover came before the previous retired socket left: it goes now
		for (const socket of retiredToCloseAtHandover([...this.retired.keys()])) this.closeSocket(socket, 'replaced');
		const step = afterHandover(this.attempt, this.options.now() - old.openedAt, old.messages, this.options.random());
		this.attempt = step.attempt;
		void this.establish(step.waitMs);
		return step.waitMs;
	}

	/** How a handover is told in the log: at once, or waiting its turn (a reconnect storm). */
	private handoverNote(waitMs: number, life: number): string {
		if (waitMs === 0) return 'opening the new connection first';
		return `the connection lasted only ${seconds(life)} s, so the new one waits its turn: next try in ${seconds(waitMs)} s`;
	}

	private onClosed(socket: StreamSocket, code: number | undefined): void {
		if (this.state === 'closed' || this.state === 'failed' || this.current?.socket !== socket) return;
		const life = this.options.now() - this.current.openedAt;
		const { messages, watchdog } = this.current;
		this.current = undefined;
		watchdog.abort();
		const step = afterLostConnection(this.attempt, life, messages, this.options.random());
		this.attempt = step.attempt;
		this.state = 'retrying';
		this.log.warn(`The DingTalk Stream connection closed (code ${code ?? 'none'}); reconnecting in ${seconds(step.waitMs)} s`);
		void this.establish(step.waitMs);
	}

	/** The idle watchdog of one connection: ends when it is no longer the current one. */
	private async watch(live: LiveSocket): Promise<void> {
		while (this.current === live) {
			const waitMs = live.lastFrameAt + this.options.idleTimeoutMs() - this.options.now();
			if (waitMs <= 0) {
				const life = this.options.now() - live.openedAt;
				const wait = this.handover('idle');
				this.log.warn(`No frame from DingTalk for ${Math.round(this.options.idleTimeoutMs() / 1000)} s: ${this.handoverNote(wait, life)}`);
				return;
			}
			if (!(await this.pause(waitMs, 'watchdog', live.watchdog))) return;
		}
	}

	private onFrame(socket: StreamSocket, data: unknown): void {
		if (this.state === 'closed') return;
		const live = this.current?.socket === socket ? this.current : undefined;
		if (live) live.lastFrameAt = this.options.now();
		if (typeof data !== 'string') {
			this.log.warn('DingTalk Stream sent a binary frame; only JSON text frames are expected');
			return;
		}
		const parsed = parseFrame(data);
		if (!parsed.ok) {
			this.log.warn(`DingTalk Stream sent an unreadable frame: ${parsed.reason}`);
			return;
		}
		if (live && parsed.frame.type !== 'SYSTEM') live.messages++;
		const action = decideFrame(parsed.frame, this.options.topic);
		if (action.kind === 'disconnect') {
			if (live) this.obeyDisconnect(socket, action.reason);
			else if (this.retired.has(socket) || this.closing.has(socket)) this.log.info(`DingTalk asked a connection already being replaced to go (${action.reason || 'no reason given'})`);
			else this.toldToGoEarly.set(socket, action.reason);
			return;
		}
		if (action.kind === 'invalid') {
			this.log.warn(`DingTalk Stream sent ${action.reason}`);
			return;
		}
		if (action.kind === 'cardAction') {
			// the answer is the click's card update, decided before the ACK (DingTalk waits 2 s at most)
			if (!action.reading.ok) this.log.warn(`DingTalk Stream pushed a card click that cannot be read (${action.reading.reason}); acknowledged without an update`);
			const response = action.reading.ok ? this.options.onCardAction(action.reading, action.messageId) : {};
			if (!(response instanceof Promise)) {
				if (socket.readyState === OPEN) socket.send(cardActionAck(action.messageId, response));
				return;
			}
			// a Send and Wait card's click: answered once the waiting node decided (it never rejects)
			void response.then((answer) => {
				if (socket.readyState === OPEN) socket.send(cardActionAck(action.messageId, answer));
			});
			return;
		}
		if (socket.readyState === OPEN) socket.send(action.answer);
		if (action.kind === 'robotMessage') {
			this.options.onRobotMessage(action.body);
		} else if (action.kind === 'unreadableMessage') {
			this.log.warn(`DingTalk Stream pushed a robot message that cannot be read (${action.reason}); acknowledged and skipped`);
		} else if (action.kind === 'unknownTopic') {
			this.log.warn(`DingTalk Stream pushed a ${action.type} frame of topic ${action.topic}, which the trigger does not handle`);
		}
	}
}
