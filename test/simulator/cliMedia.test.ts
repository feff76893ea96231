// Trying a bot by hand: the CLI sends a picture, a file or a voice message, over an HTTP callback
// (one-shot) or over Stream (a running simulator), and the robot downloads the file from it.
import * as path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { APP, getToken, simulatorPool } from './openApiHelpers';
import { connectStream, download, sha256, startReceiver } from './incomingHelpers';
import type { Receiver, StreamClient } from './incomingHelpers';

const CLI = path.join(__dirname, '..', '..', 'simulator', 'cli.js');
const startSim = simulatorPool();
const receivers: Receiver[] = [];
const clients: StreamClient[] = [];
let dir: string;
beforeAll(() => {
	dir = mkdtempSync(path.join(tmpdir(), 'cli-media-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
	for (const c of clients.splice(0)) c.close();
	await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
		child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
		child.on('exit', (code) => resolve({ code, out, err }));
	});
}

function fileOf(name: string, bytes: Buffer) {
	const file = path.join(dir, name);
	writeFileSync(file, bytes);
	return file;
}

describe('cli callback with a picture', () => {
	it('sends the picture from a path to the app robot, which downloads it from the one-shot simulator while it runs', async () => {
		const bytes = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2048, 9)]);
		const picture = fileOf('chart.png', bytes);
		let downloaded: string | undefined;
		// the trigger stand-in downloads before it answers: a robot's own steps, token included
		const receiver = await startReceiver(async (body) => {
			const base = new URL(body.sessionWebhook as string).origin;
			const tokenRes = await fetch(`${base}/v1.0/oauth2/accessToken`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ appKey: 'dingclimedia01', appSecret: 'cli-secret' }),
			});
			const { accessToken } = (await tokenRes.json()) as { accessToken: string };
			const answer = await fetch(`${base}/v1.0/robot/messageFiles/download`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': accessToken },
				body: JSON.stringify({ downloadCode: (body.content as { downloadCode: string }).downloadCode, robotCode: body.robotCode }),
			});
			const { downloadUrl } = (await answer.json()) as { downloadUrl: string };
			downloaded = sha256(Buffer.from(await (await fetch(downloadUrl)).arrayBuffer()));
		});
		receivers.push(receiver);
		const { code, out, err } = await run(['callback', '--url', receiver.url, '--picture', picture, '--client-id', 'dingclimedia01', '--client-secret', 'cli-secret']);
		expect(err).toBe('');
		expect(code).toBe(0);
		const [body] = receiver.bodies;
		expect(body).toMatchObject({ msgtype: 'picture', robotCode: 'dingclimedia01', conversationType: '2' });
		expect(downloaded).toBe(sha256(bytes));
		expect(out).toContain(`picture chart.png: downloadCode ${(body.content as { downloadCode: string }).downloadCode}`);
		expect(out).not.toContain('cli-secret');
	});

	it('refuses what DingTalk never delivers and flags that do not go together (exit 2)', async () => {
		const file = fileOf('report.pdf', Buffer.from('%PDF-1.4\n'));
		const receiver = await startReceiver();
		receivers.push(receiver);
		const group = await run(['callback', '--url', receiver.url, '--file', file]);
		expect([group.code, group.err]).toEqual([2, expect.stringMatching(/one-to-one/)]);
		expect((await run(['callback', '--url', receiver.url, '--file', file, '--picture', file])).err).toMatch(/one of --picture, --file/);
		expect((await run(['callback', '--url', receiver.url, '--picture', file, '--duration', '3'])).err).toMatch(/--duration goes with --voice or --video/);
		expect((await run(['callback', '--url', receiver.url, '--picture', file, '--text', 'x'])).err).toMatch(/--text goes with a text message/);
		expect((await run(['callback', '--url', receiver.url, '--client-id', 'x'])).err).toMatch(/--client-id and --client-secret go together/);
		expect(receiver.bodies).toEqual([]);
	});
});

describe('cli stream-push with a file or a voice message', () => {
	it('pushes a file one-to-one (read from its path) and prints its downloadCode; a voice message with recognition and duration', async () => {
		const sim = await startSim();
		sim.enableControl();
		const client = await connectStream(sim);
		clients.push(client);
		const bytes = Buffer.from(`%PDF-1.4\n${'x'.repeat(5000)}\n%%EOF\n`);
		const file = fileOf('季度报告.pdf', bytes);
		const pushed = await run(['stream-push', '--simulator', sim.baseUrl as string, '--client-id', APP.clientId, '--one-to-one', '--file', file]);
		expect([pushed.code, pushed.err]).toEqual([0, '']);
		await client.until(1);
		const body = client.messages[0];
		expect(body).toMatchObject({ msgtype: 'file', conversationType: '1', content: { fileName: '季度报告.pdf' } });
		const { downloadCode } = body.content as { downloadCode: string };
		expect(pushed.out).toContain(`file 季度报告.pdf: downloadCode ${downloadCode}`);
		const token = await getToken(sim);
		expect(sha256((await download(sim, token, downloadCode)).bytes)).toBe(sha256(bytes));

		const voice = await run(['stream-push', '--simulator', sim.baseUrl as string, '--client-id', APP.clientId, '--one-to-one', '--voice', '明天见', '--duration', '3000']);
		expect(voice.code).toBe(0);
		await client.until(2);
		expect(client.messages[1]).toMatchObject({ msgtype: 'audio', content: { recognition: '明天见', duration: 3000, downloadCode: expect.any(String) } });
		const group = await run(['stream-push', '--simulator', sim.baseUrl as string, '--client-id', APP.clientId, '--voice', 'hi']);
		expect([group.code, group.err]).toEqual([2, expect.stringMatching(/one-to-one/)]);
	});
});
