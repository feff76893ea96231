// @ts-check
'use strict';
/**
 * Sending as the app robot in real n8n (`n8n execute`), against the simulator's OpenAPI: a group
 * message, a picture and a PDF from binary data, a recall, a one-to-one message to 45 users,
 * a token DingTalk no longer accepts (renewed once), and an app without the permission to send.
 * The cases have the shape of run.js's CASES; `delivered` counts what reached DingTalk.
 */
const { createHash } = require('node:crypto');

const GROUP = 'cidE2eAppGroup01==';
const APP = { clientId: 'dinge2eappbot01', clientSecret: 'e2eAppSecret-Hd8Kq2Lm', robotCode: 'dinge2eappbot01' };
const NO_PERMISSION_APP = { clientId: 'dinge2enoperm01', clientSecret: 'e2eNoPermSecret-Wq3Zr7', permissions: [] };
const USERS = Array.from({ length: 45 }, (_, n) => `e2eUser${String(n).padStart(2, '0')}`);
const STALE_TOKEN = 'e2e-stale-token-from-yesterday';
/** The bytes the workflow's Code node puts in the item (test/e2e/workflows/app-group.json). */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** The apps, their group and the organization's users, in the simulator (run.js, before it starts). */
function addAppRobotFixtures(/** @type {any} */ sim) {
	sim.addApp(APP);
	sim.addApp({ ...NO_PERMISSION_APP, robotCode: NO_PERMISSION_APP.clientId });
	sim.addGroup({ openConversationId: GROUP, title: 'E2E ops', robotCodes: [APP.robotCode, NO_PERMISSION_APP.clientId] });
	USERS.forEach((userId) => sim.addUser({ userId }));
}

/** The DingTalk App credentials the workflows use, pointing at the simulator. */
function appRobotCredentials(/** @type {any} */ sim) {
	const common = { robotCode: '', baseUrl: sim.baseUrl, plainHttpHosts: sim.host };
	return [
		{ id: 'dtAppRobot', name: 'DingTalk App (robot)', type: 'dingTalkAppApi', data: { ...common, clientId: APP.clientId, clientSecret: APP.clientSecret } },
		{ id: 'dtAppStale', name: 'DingTalk App (stale token)', type: 'dingTalkAppApi', data: { ...common, clientId: APP.clientId, clientSecret: APP.clientSecret, accessToken: STALE_TOKEN, accessTokenExpiresAt: String(Date.now() + 3_600_000) } },
		// its own credential with a token DingTalk no longer knows: its first request is a send, whatever ran before
		{ id: 'dtAppLostAnswers', name: 'DingTalk App (lost answers)', type: 'dingTalkAppApi', data: { ...common, clientId: APP.clientId, clientSecret: APP.clientSecret, accessToken: STALE_TOKEN, accessTokenExpiresAt: String(Date.now() + 3_600_000) } },
		{ id: 'dtAppNoPermission', name: 'DingTalk App (no permission)', type: 'dingTalkAppApi', data: { ...common, clientId: NO_PERMISSION_APP.clientId, clientSecret: NO_PERMISSION_APP.clientSecret } },
	];
}

const sha256 = (/** @type {Buffer} */ data) => createHash('sha256').update(data).digest('hex');
const sends = (/** @type {any} */ sim) => sim.openApiRequests().filter((/** @type {any} */ r) => /^\/v1\.0\/robot\/.*\/(send|batchSend)$/.test(r.path));
const issuedTokens = (/** @type {any} */ sim) => sim.accessTokenRequests().filter((/** @type {any} */ r) => r.outcome === 'issued' || r.outcome === 'renewed');
const failedRun = (/** @type {any} */ run) => (run.ok ? [] : [`execution failed: ${run.stderr || run.stdout}`.slice(0, 400)]);

/**
 * The run data of the node `name` that n8n's `execute --rawOutput` printed (run.js's runData).
 * @param {any} run
 * @param {string} name
 * @returns {any[]}
 */
function nodeOutput(run, name) {
	const lines = String(run.stdout).split('\n');
	const start = lines.indexOf('{');
	const end = lines.lastIndexOf('}');
	try {
		return JSON.parse(lines.slice(start, end + 1).join('\n'))?.data?.resultData?.runData?.[name]?.[0]?.data?.main?.[0] ?? [];
	} catch {
		return [];
	}
}

/** @type {Array<{ workflow: string, expected: string, before?: (sim: any) => void, delivered: (sim: any) => number, check: (sim: any, run: any, robot: any, target: import('./n8nInstalls').Target) => string[] }>} */
const APP_CASES = [
	{
		workflow: 'e2eAppGroup',
		expected: 'a text, a picture and a PDF (uploaded from binary data) in the group, one token; the text recalled',
		delivered: (sim) => sim.groupMessages(GROUP).length,
		check: (sim, run) => {
			const problems = failedRun(run);
			const messages = sim.groupMessages(GROUP);
			const byKey = Object.fromEntries(messages.map((/** @type {any} */ m) => [m.msgKey, m]));
			if (messages.length !== 3) problems.push(`${messages.length} group messages`);
			if (byKey.sampleText?.msgParam?.content !== 'Deploy of web-1 finished') problems.push(`text ${JSON.stringify(byKey.sampleText?.msgParam)}`);
			if (byKey.sampleText?.recalled !== true) problems.push('the text was not recalled');
			const uploads = sim.mediaUploads();
			const image = uploads.find((/** @type {any} */ u) => u.type === 'image');
			const file = uploads.find((/** @type {any} */ u) => u.type === 'file');
			if (image?.sha256 !== sha256(PNG) || byKey.sampleImageMsg?.msgParam?.photoURL !== image?.mediaId) problems.push('the picture did not arrive as uploaded');
			if (file?.sha256 !== sha256(PDF) || byKey.sampleFile?.msgParam?.mediaId !== file?.mediaId || byKey.sampleFile?.msgParam?.fileType !== 'pdf') {
				problems.push(`the PDF did not arrive as uploaded: ${JSON.stringify(byKey.sampleFile?.msgParam)}`);
			}
			// n8n fills the token once and stores it: the three nodes and the recall share it
			if (issuedTokens(sim).length !== 1) problems.push(`${issuedTokens(sim).length} token requests`);
			if (run.stdout.includes(APP.clientSecret) || run.stderr.includes(APP.clientSecret)) problems.push('the Client Secret appears in n8n\'s output');
			return problems;
		},
	},
	{
		workflow: 'e2eAppUsers',
		expected: 'one-to-one to 45 users: 3 calls of at most 20',
		delivered: (sim) => USERS.filter((userId) => sim.userMessages(userId).length === 1).length,
		check: (sim, run) => {
			const problems = failedRun(run);
			// (the simulator forgets its tokens between cases: the token n8n stored in the previous case may be refused once, then renewed)
			const accepted = sends(sim).filter((/** @type {any} */ r) => r.code !== 'InvalidAuthentication');
			const sizes = accepted.map((/** @type {any} */ r) => r.body?.userIds?.length);
			if (JSON.stringify(sizes) !== '[20,20,5]') problems.push(`calls of ${JSON.stringify(sizes)} users: ${JSON.stringify(sends(sim).map((/** @type {any} */ r) => [r.status, r.code]))}`);
			const reached = USERS.filter((userId) => sim.userMessages(userId).length === 1).length;
			if (reached !== 45) problems.push(`${reached} users got the message`);
			return problems;
		},
	},
	{
		workflow: 'e2eAppLostAnswers',
		expected: '20 alerts with a connection reset at connect, a refused token, 3× HTTP 500 and a connection lost after posting: none twice; what may have been posted is reported, what provably never left is sent again',
		before: (sim) => {
			// the first send's connection is reset as soon as it is accepted; the send then finds its
			// token refused and renews it (a call DingTalk answers), and the next calls meet 3× HTTP 500 and
			// a connection lost after the message was posted
			sim.resetNextConnections(1);
			sim.setOpenApiFaultPolicy((/** @type {number} */ index) => (index >= 1 && index <= 3 ? { kind: 'http500' } : index === 4 ? { kind: 'drop', afterDelivery: true } : undefined));
		},
		delivered: (sim) => sim.groupMessages(GROUP).length,
		check: (sim, run, _robot, target) => {
			const problems = failedRun(run);
			const posted = sim.groupMessages(GROUP).map((/** @type {any} */ m) => m.msgParam.content);
			if (new Set(posted).size !== posted.length) problems.push(`a message was posted twice: ${JSON.stringify(posted)}`);
			if (sim.connectionsReset !== 1) problems.push(`${sim.connectionsReset} connections reset`);
			if (issuedTokens(sim).length !== 1) problems.push(`${issuedTokens(sim).length} token requests`);
			const output = nodeOutput(run, 'DingTalk Robot');
			if (output.length !== 20) problems.push(`${output.length} output items`);
			const sent = output.filter((/** @type {any} */ o) => o.json.processQueryKey);
			const reported = output.filter((/** @type {any} */ o) => o.json.mayHaveBeenPosted === true && String(o.json.error).includes('DingTalk may have posted the message'));
			if (sent.length + reported.length !== 20) problems.push(`items neither sent nor reported: ${JSON.stringify(output.map((/** @type {any} */ o) => o.json)).slice(0, 400)}`);
			// the message whose answer was lost after posting is in the group, once, and its item says so
			const lostAfterPosting = reported.filter((/** @type {any} */ o) => posted.includes(`alert ${output.indexOf(o)}`));
			if (lostAfterPosting.length !== 1) problems.push(`${lostAfterPosting.length} reported items are in the group (1 expected: the answer lost after posting)`);
			// Node 20's HTTP client (n8n 1) sees the reset while connecting ("connect ECONNRESET"): provably
			// unsent, sent again. n8n 2's proxy-aware agent has often written the request by then ("read
			// ECONNRESET", as measured): that cannot be told from a reset after DingTalk read it, so the item
			// is reported, not sent again; when it too saw the reset while connecting, it is sent again.
			const allowed = target.nodeMajor === 20 ? [1] : [1, 2];
			if (!allowed.includes(reported.length)) problems.push(`${reported.length} items reported as maybe posted, ${allowed.join(' or ')} expected on Node ${target.nodeMajor}`);
			if (posted.length !== 21 - reported.length) problems.push(`${posted.length} messages in the group for ${reported.length} reported`);
			return problems;
		},
	},
	{
		workflow: 'e2eAppStaleToken',
		expected: 'a refused token renewed once: one refusal, one token, one message',
		delivered: (sim) => sim.groupMessages(GROUP).length,
		check: (sim, run) => {
			const problems = failedRun(run);
			const attempts = sends(sim).map((/** @type {any} */ r) => (r.accessToken === STALE_TOKEN ? `stale:${r.code}` : r.status));
			if (JSON.stringify(attempts) !== '["stale:InvalidAuthentication",200]') problems.push(`sends ${JSON.stringify(attempts)}`);
			if (issuedTokens(sim).length !== 1) problems.push(`${issuedTokens(sim).length} token requests`);
			if (sim.groupMessages(GROUP).length !== 1) problems.push(`${sim.groupMessages(GROUP).length} messages`);
			return problems;
		},
	},
	{
		workflow: 'e2eAppNoPermission',
		expected: 'execution fails naming the permission (qyapi_robot_sendmsg) and where to grant it',
		delivered: (sim) => sim.groupMessages(GROUP).length,
		check: (sim, run) => {
			const problems = [];
			if (run.ok) problems.push('the execution did not fail');
			const said = `${run.stdout}\n${run.stderr}`;
			if (!said.includes('The app has no permission for this API (qyapi_robot_sendmsg)')) problems.push(`n8n did not show the readable error; it said: ${said.slice(-400)}`);
			if (said.includes(NO_PERMISSION_APP.clientSecret)) problems.push('the Client Secret appears in n8n\'s output');
			if (sim.groupMessages(GROUP).length !== 0) problems.push('a message was delivered');
			return problems;
		},
	},
];

module.exports = { APP_CASES, GROUP, addAppRobotFixtures, appRobotCredentials };
