#!/usr/bin/env node
// @ts-check
'use strict';

/**
 * node simulator/cli.js [--port 8790] [--token T] [--secret S] [--keywords a,b]
 *
 * Starts one DingTalk robot simulator on 127.0.0.1 with one robot, prints its webhook URL and
 * secret once, then one line per answered request (never the token or the secret again) until
 * Ctrl-C / SIGTERM.
 */

const { DingTalkSimulator } = require('./index');

const USAGE = 'usage: node simulator/cli.js [--port 8790] [--token T] [--secret S] [--keywords a,b]';

/**
 * @param {string[]} argv
 * @returns {{ port: number, token: string, secret: string, keywords: string[] }}
 */
function parseArgs(argv) {
	/** @type {Record<string, string>} */
	const values = { port: '8790', token: 'demo-token', secret: 'SECdemo-secret', keywords: '' };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') {
			process.stdout.write(`${USAGE}\n`);
			process.exit(0);
		}
		const m = /^--(port|token|secret|keywords)(?:=(.*))?$/.exec(arg);
		if (!m) throw new Error(`unknown argument ${arg}`);
		let value = m[2];
		if (value === undefined) {
			value = argv[++i];
			if (value === undefined) throw new Error(`--${m[1]} needs a value`);
		}
		values[m[1]] = value;
	}
	const port = Number(values.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${values.port}`);
	if (values.token === '') throw new Error('--token must not be empty');
	const keywords = values.keywords
		.split(',')
		.map((k) => k.trim())
		.filter((k) => k !== '');
	return { port, token: values.token, secret: values.secret, keywords };
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
	await sim.start({ host: '127.0.0.1', port: options.port });
	const banner = [
		'DingTalk robot simulator',
		`webhook URL: ${sim.webhookUrl(options.token)}`,
		`secret:      ${options.secret === '' ? '(none, signing disabled)' : options.secret}`,
		`keywords:    ${options.keywords.length > 0 ? options.keywords.join(', ') : '(none)'}`,
		`the group:   ${sim.baseUrl}/ (what the robot has posted, in a browser)`,
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
