/**
 * One WebSocket from its creation to its end, as the connection needs to see it: the attempt to
 * open it ends exactly once (open, refused, or timed out), whatever the runtime reports and in
 * whichever order; after that its frames and its end are handed on.
 * Node's WebSocket differs by version on a refused upgrade (an HTTP 401 instead of 101): Node 22
 * and later fire `error` then `close`; Node 20's (--experimental-websocket) fires `error` only and
 * stays CONNECTING, never `close`. So `error` before `open` ends the attempt, on every version,
 * and a `close` after it is not counted again. Such a socket is not closed either: in Node 20,
 * close() on it fires `error` again, synchronously.
 */
import { streamFailure, type StreamFailure } from './gateway';

/** The part of the WHATWG WebSocket (Node's global one) used here. */
export interface StreamSocket {
	readonly readyState: number;
	send(text: string): void;
	close(code?: number, reason?: string): void;
	addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: { data?: unknown; code?: number }) => void): void;
}

/** What a wait is for: tests with a fake clock release each kind on purpose; the real sleep ignores it. */
export type WaitPurpose = 'retry' | 'openTimeout' | 'watchdog' | 'retiredGrace' | 'closeWait';

/**
 * A wait that the connection's close() ends early, and `own` too when given; resolves true when
 * it ran its course.
 */
export type Pause = (ms: number, purpose: WaitPurpose, own?: AbortController) => Promise<boolean>;

/** How long a WebSocket may take to open. */
export const CONNECT_TIMEOUT_MS = 30_000;

export interface SocketEvents {
	/** a frame, once the socket is open */
	onFrame(data: unknown): void;
	/** the socket is gone, once: `opened` false when its attempt failed (a close may never come then) */
	onEnd(opened: boolean, code: number | undefined): void;
}

export type OpenOutcome = { opened: true } | { failure: StreamFailure };

/**
 * close() that cannot throw into the caller: a WebSocket throws for some states and codes, and
 * the caller is usually tidying up after something else went wrong.
 */
export function closeQuietly(socket: StreamSocket, reason: string): void {
	try {
		socket.close(1000, reason);
	} catch {
		// nothing more to do for a socket that cannot be closed: it is forgotten either way
	}
}

const refused = () =>
	streamFailure(
		"DingTalk's Stream gateway did not accept the WebSocket",
		false,
		'The ticket may have expired, or a proxy refused the upgrade; the trigger asks for a new one.',
	);

/** Waits for the socket's attempt to open; then hands on its frames and its end. */
export async function openSocket(socket: StreamSocket, pause: Pause, events: SocketEvents): Promise<OpenOutcome> {
	return await new Promise((resolve) => {
		let phase: 'opening' | 'open' | 'ended' = 'opening';
		const timeout = new AbortController();
		const fail = (failure: StreamFailure) => {
			phase = 'ended';
			timeout.abort();
			resolve({ failure });
			events.onEnd(false, undefined);
		};
		void pause(CONNECT_TIMEOUT_MS, 'openTimeout', timeout).then((ran) => {
			if (!ran || phase !== 'opening') return;
			fail(streamFailure(`The Stream WebSocket did not open within ${CONNECT_TIMEOUT_MS / 1000} s`, false, 'The trigger keeps trying.'));
			closeQuietly(socket, 'open timed out');
		});
		socket.addEventListener('open', () => {
			if (phase !== 'opening') {
				// it opened after its attempt ended (timed out): nobody would read it
				closeQuietly(socket, 'attempt ended');
				return;
			}
			phase = 'open';
			timeout.abort();
			resolve({ opened: true });
		});
		socket.addEventListener('message', (event) => {
			if (phase === 'open') events.onFrame(event.data);
		});
		socket.addEventListener('error', () => {
			// after open, a close follows; before it, the attempt failed (and Node 20 says no more)
			if (phase === 'opening') fail(refused());
		});
		socket.addEventListener('close', (event) => {
			if (phase === 'opening') {
				fail(refused());
			} else if (phase === 'open') {
				phase = 'ended';
				events.onEnd(true, event.code);
			}
		});
	});
}
