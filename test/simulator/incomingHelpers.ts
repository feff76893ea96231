// Shared by the tests of what people send a robot: a trigger stand-in that records the callbacks
// it gets, a small Stream client written from the protocol (not the simulator's code), and the
// robot's side of a download (the OpenAPI call, then the storage URL) done with plain fetch.
import * as http from 'node:http';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import type { DingTalkSimulator } from '../../simulator';
import { APP, call } from './openApiHelpers';

export const DOWNLOAD_PATH = '/v1.0/robot/messageFiles/download';
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface Receiver {
	url: string;
	bodies: Record<string, unknown>[];
	close: () => Promise<void>;
}

/** An HTTP trigger stand-in: keeps each callback's parsed body, runs `onBody` before answering (the simulator lives until then). */
export async function startReceiver(onBody: (body: Record<string, unknown>) => Promise<void> | void = () => undefined): Promise<Receiver> {
	const bodies: Record<string, unknown>[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
			bodies.push(body);
			try {
				await onBody(body);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"msgtype":"empty"}');
			} catch (err) {
				res.writeHead(500).end(String(err));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as { port: number }).port}/webhook/dingtalk`,
		bodies,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

export interface StreamClient {
	/** The parsed data of every robot message received, in order. */
	messages: Record<string, unknown>[];
	/** Resolves once `count` robot messages came. */
	until: (count: number) => Promise<void>;
	close: () => void;
}

/** Opens a Stream connection of APP subscribed to robot messages. */
export async function connectStream(sim: DingTalkSimulator, app = APP): Promise<StreamClient> {
	const res = await fetch(`${sim.baseUrl}/v1.0/gateway/connections/open`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify({ ...app, subscriptions: [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }] }),
	});
	const { endpoint, ticket } = (await res.json()) as { endpoint: string; ticket: string };
	const ws = new WebSocket(`${endpoint}?ticket=${encodeURIComponent(ticket)}`);
	const messages: Record<string, unknown>[] = [];
	ws.on('message', (data) => {
		const frame = JSON.parse(data.toString()) as { type: string; data: string };
		if (frame.type === 'CALLBACK') messages.push(JSON.parse(frame.data) as Record<string, unknown>);
	});
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	return {
		messages,
		until: async (count) => {
			const end = Date.now() + 5000;
			while (messages.length < count) {
				if (Date.now() > end) throw new Error(`only ${messages.length} of ${count} robot messages came`);
				await new Promise((r) => setTimeout(r, 5));
			}
		},
		close: () => ws.terminate(),
	};
}

/** POST messageFiles/download with APP's robotCode (or the body given). */
export function askDownload(sim: DingTalkSimulator, token: string | undefined, body: Record<string, unknown>) {
	return call(sim, DOWNLOAD_PATH, { robotCode: APP.clientId, ...body }, token);
}

/** The robot's whole download: the OpenAPI call, then a plain GET of the URL (no token). */
export async function download(sim: DingTalkSimulator, token: string, downloadCode: string): Promise<{ url: string; status: number; contentType: string | null; bytes: Buffer }> {
	const answer = await askDownload(sim, token, { downloadCode });
	if (answer.status !== 200) throw new Error(`download refused: ${answer.text}`);
	const url = answer.json.downloadUrl as string;
	const res = await fetch(url);
	return { url, status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A GET with node's http client, seeing every chunk, and how it ended (complete, or the error). */
export function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: Buffer[]; body: Buffer; error: string | undefined; complete: boolean }> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let response: http.IncomingMessage | undefined;
		let error: string | undefined;
		const done = (complete: boolean) =>
			resolve({ status: response?.statusCode ?? 0, headers: response?.headers ?? {}, chunks, body: Buffer.concat(chunks), error, complete });
		const req = http.get(url, { agent: false }, (res) => {
			response = res;
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('error', (err) => (error ??= err.message));
			res.on('close', () => done(res.complete && error === undefined));
		});
		// without an answer that is the end; with one (e.g. bytes after the promised length), its close is
		req.on('error', (err) => {
			error ??= err.message;
			if (!response) done(false);
		});
	});
}
