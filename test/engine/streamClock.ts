/**
 * A fake clock for the Stream trigger's schedule: every wait the connection asks for (a retry's
 * backoff, a WebSocket's open timeout, the watchdog, a retired socket's grace, a bounded wait for
 * a close) is held until the test releases it, and `now` moves only then, to the wait's end.
 * Sockets and HTTP stay real (the simulator on 127.0.0.1); only time is fake.
 */
import { CONNECT_TIMEOUT_MS, type StreamSocket, type WaitPurpose } from '../../nodes/DingTalkStreamTrigger/stream/connection';
import type { StreamRuntime } from '../../nodes/DingTalkStreamTrigger/stream/registry';
import { eventually } from './streamTrigger';

export const START = 1_000_000;

export interface HeldWait {
	ms: number;
	/** what the connection said the wait is for (undefined: it said nothing) */
	purpose: WaitPurpose | undefined;
	/** when it ends, on the fake clock */
	dueAt: number;
	release: () => void;
}

/** Waits are held until released; `now` moves only when one is released. */
export function fakeClock(random = 0.5, createSocket: (url: string) => StreamSocket = (url) => new WebSocket(url) as never) {
	let now = START;
	const held: HeldWait[] = [];
	const runtime: StreamRuntime = {
		createSocket,
		now: () => now,
		random: () => random,
		sleep: async (ms, signal, purpose) =>
			await new Promise<void>((resolve, reject) => {
				const dueAt = now + ms;
				const wait = { ms, purpose, dueAt, release: () => ((now = Math.max(now, dueAt)), resolve()) };
				held.push(wait);
				signal.addEventListener('abort', () => {
					if (held.includes(wait)) held.splice(held.indexOf(wait), 1);
					reject(new Error('aborted'));
				});
			}),
	};
	/** Releases one held wait. */
	const release = (wait: HeldWait) => {
		held.splice(held.indexOf(wait), 1);
		wait.release();
		return wait.ms;
	};
	/** The next wait of the reconnect loop (not a WebSocket's open timeout, not the watchdog's), released. */
	const releaseNext = async () =>
		release(await eventually(() => held.find((w) => w.ms !== CONNECT_TIMEOUT_MS && w.ms !== 180_000 && (w.purpose ?? 'retry') === 'retry'), 'a wait'));
	return { runtime, release, releaseNext, held, now: () => now };
}

type Listener = (event: { data?: unknown; code?: number }) => void;

/**
 * Node's WebSocket as one Node version or the other behaves when the upgrade is refused: Node 20's
 * (--experimental-websocket) fires `error` and never `close`; Node 22's fires `error`, then
 * `close`. Whatever the Node running the tests does, the trigger meets both.
 */
export function refusedUpgradeAs(node: 20 | 22) {
	return (url: string): StreamSocket => {
		const real = new WebSocket(url);
		let opened = false;
		let closed = false;
		const listeners: Record<string, Listener[]> = { open: [], message: [], close: [], error: [] };
		const fire = (type: string, event: { data?: unknown; code?: number }) => listeners[type].forEach((listener) => listener(event));
		const fireClose = (code: number) => {
			if (closed) return;
			closed = true;
			fire('close', { code });
		};
		real.addEventListener('open', () => ((opened = true), fire('open', {})));
		real.addEventListener('message', (event) => fire('message', { data: event.data }));
		real.addEventListener('close', (event) => {
			// Node 20 reports no close for a socket that never opened
			if (node === 22 || opened) fireClose(event.code);
		});
		real.addEventListener('error', () => {
			fire('error', {});
			if (node === 22 && !opened) queueMicrotask(() => fireClose(1006));
		});
		return {
			get readyState() {
				return real.readyState;
			},
			send: (text) => real.send(text),
			close: (code, reason) => real.close(code, reason),
			addEventListener: (type, listener) => listeners[type].push(listener),
		};
	};
}

/**
 * The global WebSocket, with a count of the sockets open or opening (readyState 0 or 1) taken
 * each time one is created or opens: the most the trigger held at once. `at` records when (on the
 * given clock) each one was created.
 */
export function countedSockets(now: () => number) {
	const sockets: WebSocket[] = [];
	const createdAt: number[] = [];
	let peak = 0;
	const measure = () => {
		peak = Math.max(peak, sockets.filter((s) => s.readyState === 0 || s.readyState === 1).length);
	};
	const createSocket = (url: string): StreamSocket => {
		const socket = new WebSocket(url);
		sockets.push(socket);
		createdAt.push(now());
		measure();
		socket.addEventListener('open', measure);
		return socket as never;
	};
	return { createSocket, createdAt, peak: () => peak };
}

/**
 * The global WebSocket, except that `open` is held back until the first frame arrives, and then
 * both are dispatched in one go, as Node's WebSocket does when the upgrade's answer and the first
 * frame come in one TCP segment: the frame is handled before anything the open set going.
 */
export function openWithFirstFrame(url: string): StreamSocket {
	const real = new WebSocket(url);
	const listeners: Record<string, Listener[]> = { open: [], message: [], close: [], error: [] };
	const fire = (type: string, event: { data?: unknown; code?: number }) => listeners[type].forEach((listener) => listener(event));
	let opened = false;
	let heldOpen = false;
	real.addEventListener('open', () => (heldOpen = true));
	real.addEventListener('message', (event) => {
		if (heldOpen && !opened) {
			opened = true;
			fire('open', {});
		}
		fire('message', { data: event.data });
	});
	real.addEventListener('close', (event) => fire('close', { code: event.code }));
	real.addEventListener('error', () => fire('error', {}));
	return {
		get readyState() {
			return real.readyState;
		},
		send: (text) => real.send(text),
		close: (code, reason) => real.close(code, reason),
		addEventListener: (type, listener) => listeners[type].push(listener),
	};
}
