/**
 * A test's side of a Stream connection to the simulator's gateway, once its WebSocket is made:
 * the frames it received, the next one that matches, an answer to a frame, and how it closed.
 */
import type WebSocket from 'ws';

import type { StreamFrame } from '../../simulator';

export interface StreamClient {
	ws: WebSocket;
	frames: StreamFrame[];
	/** The next frame (or one already waiting) that matches; rejects after timeoutMs. */
	next: (match?: (f: StreamFrame) => boolean, timeoutMs?: number) => Promise<StreamFrame>;
	/** Answers a frame: code, and data (JSON-encoded unless a string). */
	answer: (frame: StreamFrame, data: unknown, code?: number) => void;
	closed: Promise<{ code: number; reason: string }>;
}

/** Listens on a new WebSocket and resolves once it is open. */
export async function streamClient(ws: WebSocket): Promise<StreamClient> {
	const frames: StreamFrame[] = [];
	const waiters: { match: (f: StreamFrame) => boolean; resolve: (f: StreamFrame) => void }[] = [];
	let taken = 0;
	ws.on('message', (data) => {
		const frame = JSON.parse(data.toString()) as StreamFrame;
		frames.push(frame);
		const w = waiters.findIndex((x) => x.match(frame));
		if (w >= 0) {
			taken = frames.length;
			waiters.splice(w, 1)[0].resolve(frame);
		}
	});
	const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return {
		ws,
		frames,
		closed,
		next: (match = () => true, timeoutMs = 2000) => {
			const waiting = frames.slice(taken).find(match);
			if (waiting) {
				taken = frames.indexOf(waiting) + 1;
				return Promise.resolve(waiting);
			}
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error('no frame came')), timeoutMs);
				waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
			});
		},
		answer: (frame, data, code = 200) =>
			ws.send(
				JSON.stringify({
					code,
					headers: { messageId: frame.headers.messageId, contentType: 'application/json' },
					message: code === 200 ? 'OK' : 'error',
					data: typeof data === 'string' ? data : JSON.stringify(data),
				}),
			),
	};
}
