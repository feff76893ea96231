#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * node simulator/cli.js [--port 8790] [--token T] [--secret S] [--keywords a,b] [--client-id ID --client-secret S]
 *
 * Starts one DingTalk robot simulator on 127.0.0.1 with one robot, prints its webhook URL and
 * secret once, then one line per answered request (never the token or the secret again) until
 * Ctrl-C / SIGTERM. With --client-id it also plays an app robot's Stream gateway.
 *
 * node simulator/cli.js stream-push --simulator URL --client-id ID [--text ping] [--nick NAME] [--one-to-one]
 *                                   [--picture PATH | --file PATH | --video PATH | --voice TEXT [--voice-file PATH]] [--duration MS]
 *
 * Someone writes to the app robot of a running simulator (started with --client-id): one robot
 * message pushed over Stream, to one of the app's connections; or sends it a picture, a file, a
 * video or a voice message (files, videos and voice only one-to-one, as DingTalk), which the
 * robot downloads from the simulator with its downloadCode.
 *
 * node simulator/cli.js callback --url URL [--app-secret S] [--token T] [--text ping] [--tamper K] …
 *
 * Plays DingTalk once: POSTs one callback (someone mentioned the robot) to URL, prints the
 * answer and the session webhook, and exits.
 */

const { readFileSync } = require('node:fs');
const path = require('node:path');
const { DingTalkSimulator, TAMPER_KINDS } = require('./index');
const { PUSH_PATH } = require('./control');

const USAGE =
	'usage: node simulator/cli.js [--port 8790] [--token T] [--secret S] [--keywords a,b] [--client-id ID --client-secret S]';

const MEDIA_USAGE = [
	'         [--picture PATH | --file PATH | --video PATH | --voice TEXT [--voice-file PATH]] [--duration MS]',
	'A picture (a group or one-to-one), or with --one-to-one a file, a video or a voice message (TEXT:',
	"DingTalk's speech recognition; the sound: --voice-file or a small stand-in); --duration in ms.",
].join('\n');

const STREAM_PUSH_USAGE = [
	'usage: node simulator/cli.js stream-push --simulator URL --client-id ID [--text ping] [--nick NAME] [--one-to-one]',
	MEDIA_USAGE,
	'Pushes one robot message over Stream to an app of a running simulator (started with --client-id),',
	'prints the connection that got it, the session webhook and the downloadCode of a file. Exit code 0',
	'when a connection got it, 1 when none did (DingTalk does not queue robot messages), 2 on bad arguments.',
].join('\n');

const CALLBACK_USAGE = [
	'usage: node simulator/cli.js callback --url URL [--app-secret S] [--token T] [--text ping]',
	`         [--tamper ${TAMPER_KINDS.join('|')}]`,
	'         [--nick NAME] [--one-to-one] [--wait MS] [--port 0] [--timeout MS]',
	'         [--client-id ID --client-secret S]',
	MEDIA_USAGE,
	'Sends one DingTalk callback to URL (e.g. http://127.0.0.1:5678/webhook/dingtalk), prints the',
	'answer and the session webhook, then exits. The session webhook only lives while this command',
	'runs: replies posted to it after the exit fail. --wait MS keeps it open that long and prints',
	'each reply that arrives. Exit code 0 when an answer came back (whatever its status), 1 when none.',
	'With --client-id the message is for that app robot (robotCode), which may download its file from',
	'this simulator (token, messageFiles/download, storage host) while the command runs.',
].join('\n');

/** The flags of a picture, file, video or voice message. */
const MEDIA_FLAGS = ['picture', 'file', 'video', 'voice', 'voice-file', 'duration'];

/**
 * The message options of the media flags: at most one of --picture, --file, --video, --voice,
 * the files read from their paths.
 * @param {Record<string, string | undefined>} values
 * @returns {{ msgtype?: string, file?: { bytes: Buffer, name: string }, recognition?: string, duration?: number }}
 */
function mediaOptions(values) {
	const kinds = ['picture', 'file', 'video', 'voice'].filter((k) => values[k] !== undefined);
	if (kinds.length > 1) throw new Error(`one of --picture, --file, --video, --voice at a time, not ${kinds.map((k) => `--${k}`).join(' and ')}`);
	if (values['voice-file'] !== undefined && kinds[0] !== 'voice') throw new Error('--voice-file goes with --voice');
	if (values.duration !== undefined && kinds[0] !== 'voice' && kinds[0] !== 'video') throw new Error('--duration goes with --voice or --video');
	const duration = values.duration === undefined ? undefined : Number(values.duration);
	if (duration !== undefined && !(Number.isFinite(duration) && duration >= 0)) throw new Error(`invalid --duration ${values.duration}`);
	const read = (/** @type {string} */ file) => ({ bytes: readFileSync(file), name: path.basename(file) });
	switch (kinds[0]) {
		case undefined:
			return {};
		case 'voice':
			return { msgtype: 'audio', recognition: values.voice, ...(values['voice-file'] ? { file: read(values['voice-file']) } : {}), ...(duration === undefined ? {} : { duration }) };
		case 'video':
			return { msgtype: 'video', file: read(/** @type {string} */ (values.video)), ...(duration === undefined ? {} : { duration }) };
		default:
			return { msgtype: kinds[0], file: read(/** @type {string} */ (values[kinds[0]])) };
	}
}

/**
 * Reads `--name value` / `--name=value` flags (and bare `switches`) into `values`; `--help`
 * prints `usage` and exits. Throws on anything else.
 * @param {string[]} argv
 * @param {{ names: string[], switches?: string[], usage: string, values: Record<string, string | undefined> }} spec
 * @returns {{ values: Record<string, string | undefined>, switches: Set<string> }}
 */
function readFlags(argv, spec) {
	const values = { ...spec.values };
	const switches = new Set();
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') {
			process.stdout.write(`${spec.usage}\n`);
			process.exit(0);
		}
		if (spec.switches?.includes(arg.replace(/^--/, ''))) {
			switches.add(arg.replace(/^--/, ''));
			continue;
		}
		const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
		if (!m || !spec.names.includes(m[1])) throw new Error(`unknown argument ${arg}`);
		let value = m[2];
		if (value === undefined) {
			value = argv[++i];
			if (value === undefined) throw new Error(`--${m[1]} needs a value`);
		}
		values[m[1]] = value;
	}
	return { values, switches };
}

/**
 * @param {string[]} argv
 * @returns {{ port: number, token: string, secret: string, keywords: string[], app: { clientId: string, clientSecret: string } | undefined }}
 */
function parseArgs(argv) {
	const values = /** @type {Record<string, string>} */ (
		readFlags(argv, {
			names: ['port', 'token', 'secret', 'keywords', 'client-id', 'client-secret'],
			usage: USAGE,
			values: { port: '8790', token: 'demo-token', secret: 'SECdemo-secret', keywords: '', 'client-secret': 'demo-client-secret' },
		}).values
	);
	const port = Number(values.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${values.port}`);
	if (values.token === '') throw new Error('--token must not be empty');
	const keywords = values.keywords
		.split(',')
		.map((k) => k.trim())
		.filter((k) => k !== '');
	const clientId = values['client-id'];
	if (clientId === '' || values['client-secret'] === '') throw new Error('--client-id and --client-secret must not be empty');
	const app = clientId === undefined ? undefined : { clientId, clientSecret: values['client-secret'] };
	return { port, token: values.token, secret: values.secret, keywords, app };
}

/**
 * @param {string[]} argv the arguments after `callback`
 */
function parseCallbackArgs(argv) {
	const { values, switches } = readFlags(argv, {
		names: ['url', 'app-secret', 'token', 'text', 'tamper', 'nick', 'wait', 'port', 'timeout', 'client-id', 'client-secret', ...MEDIA_FLAGS],
		switches: ['one-to-one'],
		usage: CALLBACK_USAGE,
		values: { port: '0', wait: '0', timeout: '30000' },
	});
	const oneToOne = switches.has('one-to-one');
	if (!values.url) throw new Error('--url is needed');
	const numbers = { port: Number(values.port), wait: Number(values.wait), timeout: Number(values.timeout) };
	if (!Number.isInteger(numbers.port) || numbers.port < 0 || numbers.port > 65535) throw new Error(`invalid port ${values.port}`);
	if (!(numbers.wait >= 0)) throw new Error(`invalid --wait ${values.wait}`);
	if (!(numbers.timeout >= 1)) throw new Error(`invalid --timeout ${values.timeout}`);
	const tamper = values.tamper;
	if (tamper !== undefined && !/** @type {readonly string[]} */ (TAMPER_KINDS).includes(tamper)) throw new Error(`unknown --tamper ${tamper}`);
	const media = mediaOptions(values);
	if (media.msgtype !== undefined && values.text !== undefined) throw new Error('--text goes with a text message, not with a picture, file, video or voice');
	const clientId = values['client-id'];
	if ((clientId === undefined) !== (values['client-secret'] === undefined) || clientId === '' || values['client-secret'] === '') {
		throw new Error('--client-id and --client-secret go together');
	}
	return {
		url: values.url,
		appSecret: values['app-secret'] || undefined,
		token: values.token || undefined,
		text: media.msgtype === undefined ? values.text ?? 'ping' : undefined,
		media,
		app: clientId === undefined ? undefined : { clientId, clientSecret: /** @type {string} */ (values['client-secret']) },
		tamper: /** @type {import('./index').CallbackOptions['tamper']} */ (tamper),
		nick: values.nick,
		oneToOne,
		...numbers,
	};
}

/**
 * The one-shot: a simulator lives only for the session webhook of this one callback.
 * @param {string[]} argv
 */
async function callbackMain(argv) {
	let options;
	try {
		options = parseCallbackArgs(argv);
	} catch (err) {
		process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${CALLBACK_USAGE}\n`);
		process.exitCode = 2;
		return;
	}
	const sim = new DingTalkSimulator({ onRequest: (r) => process.stdout.write(`reply: ${formatRecord(r)}\n`) });
	if (options.app) sim.addApp(options.app);
	await sim.start({ host: '127.0.0.1', port: options.port });
	try {
		process.stdout.write(`POST ${options.url}${options.tamper ? `  (tamper: ${options.tamper})` : ''}\n`);
		let result;
		try {
			result = await sim.deliverCallback(options.url, {
				appSecret: options.appSecret,
				outgoingToken: options.token,
				...(options.text === undefined ? {} : { text: options.text }),
				...options.media,
				...(options.app ? { robotCode: options.app.clientId } : {}),
				tamper: options.tamper,
				sender: options.nick ? { nick: options.nick } : undefined,
				conversation: options.oneToOne ? { type: 'oneToOne' } : undefined,
				timeoutMs: options.timeout,
			});
		} catch (err) {
			process.stderr.write(`${err instanceof TypeError ? 'refused' : 'no answer'}: ${err instanceof Error ? err.message : String(err)}\n`);
			process.exitCode = err instanceof TypeError ? 2 : 1;
			return;
		}
		const { request } = result;
		process.stdout.write(
			[
				`session webhook: ${request.sessionWebhook}`,
				...sim.files().map((f) => `${f.kind} ${f.name}: downloadCode ${f.downloadCode} (robotCode ${f.robotCode}; OpenAPI ${sim.baseUrl}, storage ${sim.storageHost})`),
				`  expires ${new Date(request.expiresAt).toISOString()}, but only while this command runs`,
				`HTTP ${result.status}`,
				result.bodyText === '' ? '(empty body)' : result.bodyText,
				result.syncReply === undefined
					? 'synchronous reply: none'
					: result.syncReply.recorded
						? 'synchronous reply: accepted'
						: `synchronous reply: REJECTED errcode=${result.syncReply.errcode} ${result.syncReply.errmsg}`,
			].join('\n') + '\n',
		);
		if (options.wait > 0) {
			process.stdout.write(`waiting ${options.wait} ms for replies to the session webhook…\n`);
			await new Promise((resolve) => setTimeout(resolve, options.wait));
		}
	} finally {
		await sim.stop();
	}
}

/**
 * Asks a running simulator (its control endpoint) to push one robot message over Stream.
 * @param {string[]} argv the arguments after `stream-push`
 */
async function streamPushMain(argv) {
	let values;
	let oneToOne;
	/** @type {ReturnType<typeof mediaOptions>} */
	let media = {};
	try {
		const flags = readFlags(argv, {
			names: ['simulator', 'client-id', 'text', 'nick', ...MEDIA_FLAGS],
			switches: ['one-to-one'],
			usage: STREAM_PUSH_USAGE,
			values: {},
		});
		values = flags.values;
		oneToOne = flags.switches.has('one-to-one');
		if (!values.simulator || !values['client-id']) throw new Error('--simulator and --client-id are needed');
		media = mediaOptions(values);
		if (media.msgtype !== undefined && values.text !== undefined) throw new Error('--text goes with a text message, not with a picture, file, video or voice');
	} catch (err) {
		process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${STREAM_PUSH_USAGE}\n`);
		process.exitCode = 2;
		return;
	}
	const res = await fetch(new URL(PUSH_PATH, values.simulator), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			clientId: values['client-id'],
			text: media.msgtype === undefined ? values.text ?? 'ping' : undefined,
			nick: values.nick,
			oneToOne,
			msgtype: media.msgtype,
			recognition: media.recognition,
			duration: media.duration,
			file: media.file ? { base64: media.file.bytes.toString('base64'), name: media.file.name } : undefined,
		}),
	});
	const answer = /** @type {Record<string, unknown>} */ (await res.json());
	if (res.status !== 200) {
		process.stderr.write(`refused: ${String(answer.error)}\n`);
		process.exitCode = 2;
		return;
	}
	process.stdout.write(
		[
			answer.delivered
				? `pushed to connection ${String(answer.connectionId)} (messageId ${String(answer.messageId)}, msgId ${String(answer.msgId)})`
				: `NOT delivered: no open Stream connection of ${values['client-id']} subscribed to /v1.0/im/bot/messages/get (DingTalk does not queue robot messages)`,
			`session webhook: ${String(answer.sessionWebhook)}`,
			...(Array.isArray(answer.files) ? answer.files : []).map((/** @type {{ name: string, downloadCode: string }} */ f) => `file ${f.name}: downloadCode ${f.downloadCode}`),
		].join('\n') + '\n',
	);
	if (!answer.delivered) process.exitCode = 1;
}

/**
 * One log line per request; deliberately built from fields that cannot contain the token or secret.
 * @param {import('./index').RequestRecord} r
 */
function formatRecord(r) {
	const parts = [new Date().toISOString(), r.method, r.path];
	parts.push(`msgtype=${r.msgtype ?? '-'}`);
	if (r.fault) parts.push(`fault=${r.fault}`);
	if (r.errcode !== undefined) {
		parts.push(`errcode=${r.errcode} ${r.errmsg}`);
	} else {
		parts.push(r.status === null ? 'dropped (no answer)' : `HTTP ${r.status}`);
	}
	parts.push(`signature=${r.signatureValid === null ? 'n/a' : r.signatureValid ? 'valid' : 'INVALID'}`);
	if (r.delivered) parts.push('delivered');
	if (r.duplicate) parts.push('duplicate (msgUuid replay, not delivered)');
	return parts.join('  ');
}

async function main() {
	if (process.argv[2] === 'callback') {
		await callbackMain(process.argv.slice(3));
		return;
	}
	if (process.argv[2] === 'stream-push') {
		await streamPushMain(process.argv.slice(3));
		return;
	}
	let options;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (err) {
		process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
		process.exitCode = 2;
		return;
	}
	const sim = new DingTalkSimulator({ onRequest: (r) => process.stdout.write(`${formatRecord(r)}\n`) });
	sim.addRobot({
		accessToken: options.token,
		secret: options.secret === '' ? undefined : options.secret,
		keywords: options.keywords.length > 0 ? options.keywords : undefined,
	});
	if (options.app) {
		sim.addApp(options.app);
		sim.enableControl();
	}
	await sim.start({ host: '127.0.0.1', port: options.port });
	const banner = [
		'DingTalk robot simulator',
		`webhook URL: ${sim.webhookUrl(options.token)}`,
		`secret:      ${options.secret === '' ? '(none, signing disabled)' : options.secret}`,
		`keywords:    ${options.keywords.length > 0 ? options.keywords.join(', ') : '(none)'}`,
		`the group:   ${sim.baseUrl}/ (what the robot has posted, in a browser)`,
		...(options.app
			? [
					`stream app:  client id ${options.app.clientId}, client secret ${options.app.clientSecret}`,
					`             POST ${sim.baseUrl}/v1.0/gateway/connections/open, then the WebSocket it answers`,
					`             push: node simulator/cli.js stream-push --simulator ${sim.baseUrl} --client-id ${options.app.clientId} --text ping`,
					`             (or --picture ./x.png; --one-to-one --file ./report.pdf, --voice "text" --duration 3000)`,
					`storage:     ${sim.storageBaseUrl} (downloadUrls of received files point here: a plain-http host)`,
				]
			: []),
		'Ready. One line per request follows (Ctrl-C to stop).',
	];
	process.stdout.write(`${banner.join('\n')}\n`);

	let stopping = false;
	const shutdown = (/** @type {string} */ signal) => {
		if (stopping) return;
		stopping = true;
		sim.stop().then(
			() => {
				process.stdout.write(`${signal}: simulator stopped\n`);
			},
			(err) => {
				process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
				process.exitCode = 1;
			},
		);
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
	process.stderr.write(`simulator failed: ${err instanceof Error ? err.message : String(err)}\n`);
	process.exitCode = 1;
});
