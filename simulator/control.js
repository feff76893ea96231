// @ts-check
'use strict';

/**
 * Not a DingTalk surface: the way into a running simulator for `node simulator/cli.js
 * stream-push`, mounted only when the CLI asks for it (`enableControl()`), never by tests.
 * `POST /simulator/control/stream/push` with `{clientId, text?, nick?, oneToOne?}` plays someone
 * writing to the app's robot over Stream and answers what pushRobotMessage returned.
 */

const { readJsonBody, sendJson } = require('./apiHost');

const PUSH_PATH = '/simulator/control/stream/push';

/**
 * @param {import('./server').SimulatorServer} server
 * @param {(clientId: string, options: import('./streamPush').PushRobotMessageOptions) => import('./streamPush').PushResult} pushRobotMessage
 */
function mountControl(server, pushRobotMessage) {
	server.onApi(PUSH_PATH, (exchange) => {
		const body = readJsonBody(exchange);
		if (exchange.req.method !== 'POST' || !body || typeof body.clientId !== 'string') {
			sendJson(exchange.res, 400, { error: 'POST a JSON body {clientId, text?, nick?, oneToOne?}' });
			return;
		}
		let result;
		try {
			result = pushRobotMessage(body.clientId, {
				text: typeof body.text === 'string' ? body.text : undefined,
				sender: typeof body.nick === 'string' ? { nick: body.nick } : undefined,
				conversation: body.oneToOne === true ? { type: 'oneToOne' } : undefined,
			});
		} catch (err) {
			sendJson(exchange.res, 400, { error: err instanceof Error ? err.message : String(err) });
			return;
		}
		const { messageId, msgId, delivered, connectionId, session } = result;
		sendJson(exchange.res, 200, { messageId, msgId, delivered, connectionId, sessionWebhook: session.sessionWebhook });
	});
}

module.exports = { mountControl, PUSH_PATH };
