// @ts-check
'use strict';

/**
 * Not a DingTalk surface: the way into a running simulator for `node simulator/cli.js
 * stream-push`, mounted only when the CLI asks for it (`enableControl()`), never by tests.
 * `POST /simulator/control/stream/push` with `{clientId, text?, nick?, oneToOne?, msgtype?,
 * file?: {base64, name?, mimeType?}, recognition?, duration?}` plays someone writing to (or
 * sending a picture, voice, video or file to) the app's robot over Stream and answers what
 * pushRobotMessage returned, with the downloadCodes of the files it carried.
 */

const { readJsonBody, sendJson } = require('./apiHost');
const { isObject } = require('./checks');

const PUSH_PATH = '/simulator/control/stream/push';
/** Room for a 20 MB file in base64 (DingTalk's largest upload), and the JSON around it. */
const MAX_PUSH_BODY_BYTES = 30 * 1024 * 1024;

/**
 * The message options of a control request (what the CLI could read from the command line).
 * @param {Record<string, unknown>} body
 * @returns {import('./streamPush').PushRobotMessageOptions}
 */
function pushOptions(body) {
	const text = (/** @type {string} */ name) => (typeof body[name] === 'string' ? /** @type {string} */ (body[name]) : undefined);
	const file = isObject(body.file) && typeof body.file.base64 === 'string' ? body.file : undefined;
	return {
		...(text('msgtype') === undefined ? {} : { msgtype: text('msgtype') }),
		...(text('text') === undefined ? {} : { text: text('text') }),
		...(text('recognition') === undefined ? {} : { recognition: text('recognition') }),
		...(typeof body.duration === 'number' ? { duration: body.duration } : {}),
		...(file
			? {
					file: {
						bytes: Buffer.from(String(file.base64), 'base64'),
						...(typeof file.name === 'string' ? { name: file.name } : {}),
						...(typeof file.mimeType === 'string' ? { mimeType: file.mimeType } : {}),
					},
				}
			: {}),
		sender: typeof body.nick === 'string' ? { nick: body.nick } : undefined,
		conversation: body.oneToOne === true ? { type: 'oneToOne' } : undefined,
	};
}

/**
 * @param {import('./server').SimulatorServer} server
 * @param {{ pushRobotMessage: (clientId: string, options: import('./streamPush').PushRobotMessageOptions) => import('./streamPush').PushResult, files: () => { msgId: string | undefined, name: string, downloadCode: string }[] }} simulator
 */
function mountControl(server, { pushRobotMessage, files }) {
	server.onApi(
		PUSH_PATH,
		(exchange) => {
			const body = readJsonBody(exchange);
			if (exchange.req.method !== 'POST' || !body || typeof body.clientId !== 'string') {
				sendJson(exchange.res, 400, { error: 'POST a JSON body {clientId, text?, nick?, oneToOne?, msgtype?, file?: {base64, name?}, recognition?, duration?}' });
				return;
			}
			let result;
			try {
				result = pushRobotMessage(body.clientId, pushOptions(body));
			} catch (err) {
				sendJson(exchange.res, 400, { error: err instanceof Error ? err.message : String(err) });
				return;
			}
			const { messageId, msgId, delivered, connectionId, session } = result;
			const carried = files()
				.filter((f) => f.msgId === msgId)
				.map(({ name, downloadCode }) => ({ name, downloadCode }));
			sendJson(exchange.res, 200, { messageId, msgId, delivered, connectionId, sessionWebhook: session.sessionWebhook, files: carried });
		},
		{ maxBodyBytes: MAX_PUSH_BODY_BYTES },
	);
}

module.exports = { mountControl, PUSH_PATH };
