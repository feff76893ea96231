// @ts-check
'use strict';

/**
 * An app robot's messages through the OpenAPI (api.dingtalk.com, behind openApiGate.js, each API
 * needing the permission qyapi_robot_sendmsg): send to a group chat
 * (`POST /v1.0/robot/groupMessages/send` {robotCode, openConversationId, msgKey, msgParam} →
 * {processQueryKey}), one-to-one to at most 20 users (`POST /v1.0/robot/oToMessages/batchSend`
 * {robotCode, userIds, msgKey, msgParam} → {processQueryKey, invalidStaffIdList,
 * flowControlledStaffIdList}), and recall them within 24 hours (`POST /v1.0/robot/groupMessages/recall`
 * {robotCode, openConversationId, processQueryKeys} and `POST /v1.0/robot/otoMessages/batchRecall`
 * {robotCode, processQueryKeys} → {successResult: [key], failedResult: {key: reason}}), as
 * DingTalk's reference pages of these four APIs describe them (request, answer, 错误码 tables).
 * Every message is recorded per group and per user; a recalled one is marked (DingTalk removes
 * it without a notice: "撤回机器人发送的消息，在聊天框中没有提示"); group messages are drawn on
 * the group page. Templates: msgTemplates.js; groups and users: org.js.
 *
 * Every error is HTTP 400 `{requestid, code, message}`, codes from the reference's tables; where
 * a table gives the message as %s, the message is the table's explanation (assumed). Which code
 * answers which case is ours where the tables list several: a robot not in the group answers
 * `resource.not.found` `robot 不存在` on send (an answer quoted in public code; reports of
 * "robot 不存在" for group sends) and `invalidParameter.robotCode` on recall (its table says
 * "请检查机器人是否在群内"); a robotCode of another app `invalidParameter.robotCode.auth` on
 * batchSend and `not.allowed.robotCode` on batchRecall, a missing robotCode on batchRecall
 * `invalidParameter.param.invalid` (all assumed). Assumed as well: a user list where no user is in
 * the org answers `staffId.notExisted` (reported for one-user sends; the sample answer lists a
 * partly unknown list in invalidStaffIdList); the reasons in failedResult (the reference only says
 * "撤回失败的消息ID列表及原因"); a message recalled again fails (消息已撤回); the 24-hour limit for
 * group messages (the reference states it for one-to-one). At most 20 userIds: the field says
 * "每次最多传20个" (the table's overMax explanation says 100; we follow the field).
 */

const crypto = require('node:crypto');
const { apiError } = require('./apiHost');
const { checkTemplate, toBubble } = require('./msgTemplates');

const PATHS = Object.freeze({
	groupSend: '/v1.0/robot/groupMessages/send',
	otoSend: '/v1.0/robot/oToMessages/batchSend',
	groupRecall: '/v1.0/robot/groupMessages/recall',
	otoRecall: '/v1.0/robot/otoMessages/batchRecall',
});
/** 权限要求 of all four: "qyapi_robot_sendmsg-企业内机器人发送消息权限". */
const SEND_SCOPE = 'qyapi_robot_sendmsg';
/** userIds: "每次最多传20个". */
const MAX_USER_IDS = 20;
/** processQueryKeys: "每次最多传20个". */
const MAX_RECALL_KEYS = 20;
/** "在发送消息24小时内可以通过processQueryKey撤回消息，超过24小时则无法撤回消息". */
const RECALL_WINDOW_MS = 24 * 3_600_000;

/**
 * The errors of a robotCode, per API: missing, unknown, of another app.
 * @type {Readonly<Record<'groupSend' | 'otoSend' | 'groupRecall' | 'otoRecall', [code: string, message: string][]>>}
 */
const ROBOT_CODE_ERRORS = Object.freeze({
	groupSend: [
		['invalidParameter.robotCode.missing', '缺少robotCode'],
		['invalidParameter.robotCode.notExsit', '机器人不存在'],
		['invalidParameter.robotCode.auth', '此应用appkey和机器人robotCode不匹配，请使用机器人应用的appkey'],
	],
	otoSend: [
		['invalidParameter.robotCode.empty', '机器人robotCode为空'],
		['invalidParameter.robotCode.notExsit', '机器人不存在，请检查企业内是否安装了robotCode对应的机器人'],
		['invalidParameter.robotCode.auth', '此应用appkey和机器人robotCode不匹配，请使用机器人应用的appkey'],
	],
	groupRecall: [
		['miss.chatbotId', '缺少robotCode'],
		['invalidParameter.robotCode.notExsit', '机器人不存在，请检查会话内是否安装了robotCode对应的机器人'],
		['not.allowed.robotCode', '未被授权的robotCode'],
	],
	otoRecall: [
		['invalidParameter.param.invalid', '参数不合法，请检查参数是否为空'],
		['invalidParameter.robotCode', '机器人不存在，请检查企业内是否安装了robotCode对应的机器人'],
		['not.allowed.robotCode', '未被授权的robotCode'],
	],
});

const REASONS = Object.freeze({
	unknown: '无效的processQueryKey',
	otherRobot: '待撤回的消息不是robotCode对应的机器人发出的，无权限撤回消息',
	expired: 'processQueryKey已过期，无法撤回消息',
	recalled: '消息已撤回',
});

/**
 * @typedef {object} SentMessage
 * @property {string} processQueryKey
 * @property {'group' | 'oto'} kind
 * @property {string} robotCode
 * @property {string} clientId
 * @property {string | undefined} openConversationId of a group message
 * @property {string[]} userIds who got a one-to-one message
 * @property {string} msgKey
 * @property {Record<string, unknown>} msgParam parsed
 * @property {string[]} mediaIds the media ids it uses
 * @property {number} at
 * @property {number | undefined} recalledAt
 * @property {Extract<import('./groupView').GroupEntry, { from: 'robot' }> | undefined} entry its row on the group page (of a group message)
 */

/**
 * @typedef {object} RecallRecord
 * @property {number} at
 * @property {'group' | 'oto'} kind
 * @property {string} robotCode
 * @property {string | undefined} openConversationId
 * @property {string[]} processQueryKeys
 * @property {string[]} successResult
 * @property {Record<string, string>} failedResult
 */

/** @typedef {import('./openApiGate').OpenApiCall} OpenApiCall */
/** @typedef {import('./openApiGate').OpenApiOutcome} OpenApiOutcome */

/**
 * @param {string} code
 * @param {string} message
 * @returns {OpenApiOutcome}
 */
const bad = (code, message) => ({ status: 400, json: apiError(code, message) });

/**
 * What the accessors show of a message (a deep copy).
 * @param {SentMessage} m
 */
const messageRecord = (m) => ({
	processQueryKey: m.processQueryKey,
	robotCode: m.robotCode,
	clientId: m.clientId,
	msgKey: m.msgKey,
	msgParam: structuredClone(m.msgParam),
	mediaIds: [...m.mediaIds],
	at: m.at,
	recalled: m.recalledAt !== undefined,
	recalledAt: m.recalledAt,
});

class RobotMessages {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ gate: import('./openApiGate').OpenApiGate, apps: import('./apps').Apps, org: import('./org').Org, mediaExists: (mediaId: string) => boolean }} options
	 */
	constructor(server, { gate, apps, org, mediaExists }) {
		this._server = server;
		this._apps = apps;
		this._org = org;
		this._mediaExists = mediaExists;
		/** @type {Map<string, SentMessage>} by processQueryKey, in sending order */
		this._sent = new Map();
		/** @type {RecallRecord[]} */
		this.recalls = [];
		gate.route(PATHS.groupSend, { scope: SEND_SCOPE, decide: (call) => this._groupSend(call) });
		gate.route(PATHS.otoSend, { scope: SEND_SCOPE, decide: (call) => this._otoSend(call) });
		gate.route(PATHS.groupRecall, { scope: SEND_SCOPE, decide: (call) => this._recall(call, 'group') });
		gate.route(PATHS.otoRecall, { scope: SEND_SCOPE, decide: (call) => this._recall(call, 'oto') });
		server.mount(this);
	}

	/**
	 * The messages sent to a group, in order (copies).
	 * @param {string} openConversationId
	 */
	groupMessages(openConversationId) {
		return [...this._sent.values()]
			.filter((m) => m.kind === 'group' && m.openConversationId === openConversationId)
			.map((m) => ({ openConversationId, ...messageRecord(m) }));
	}

	/**
	 * The one-to-one messages a user got, in order (copies).
	 * @param {string} userId
	 */
	userMessages(userId) {
		return [...this._sent.values()].filter((m) => m.kind === 'oto' && m.userIds.includes(userId)).map((m) => ({ userId, ...messageRecord(m) }));
	}

	/** Forgets messages and recalls; groups, users and apps stay. */
	reset() {
		this._sent = new Map();
		this.recalls = [];
	}

	/**
	 * The robotCode's app, when it is the caller's; else the API's error.
	 * @param {OpenApiCall} call
	 * @param {keyof typeof ROBOT_CODE_ERRORS} api
	 * @returns {{ robotCode: string } | { refused: OpenApiOutcome }}
	 */
	_robot({ body, app }, api) {
		const [missing, unknown, notYours] = ROBOT_CODE_ERRORS[api];
		const robotCode = body.robotCode;
		if (typeof robotCode !== 'string' || robotCode === '') return { refused: bad(...missing) };
		const owner = this._apps.byRobotCode(robotCode);
		if (!owner) return { refused: bad(...unknown) };
		if (owner.clientId !== app.clientId) return { refused: bad(...notYours) };
		return { robotCode };
	}

	/**
	 * The group of the body's openConversationId, or the error.
	 * @param {Record<string, unknown>} body
	 * @returns {{ group: import('./org').Group } | { refused: OpenApiOutcome }}
	 */
	_group(body) {
		const cid = body.openConversationId;
		if (typeof cid !== 'string' || cid === '') return { refused: bad('miss.openConversationId', '缺少openConversationId') };
		const group = this._org.group(cid);
		if (!group) return { refused: bad('invalid.openConversationId', '无效的openConversationId') };
		return { group };
	}

	/**
	 * @param {OpenApiCall} call
	 * @param {string} robotCode
	 * @param {Omit<SentMessage, 'processQueryKey' | 'robotCode' | 'clientId' | 'at' | 'recalledAt' | 'msgKey' | 'msgParam' | 'mediaIds'>} where
	 * @param {{ msgKey: string, params: Record<string, unknown>, mediaIds: string[] }} template
	 * @returns {SentMessage}
	 */
	_record({ app, now }, robotCode, where, { msgKey, params, mediaIds }) {
		/** @type {SentMessage} */
		const sent = {
			processQueryKey: crypto.randomBytes(24).toString('base64'),
			robotCode,
			clientId: app.clientId,
			msgKey,
			msgParam: params,
			mediaIds,
			at: now,
			recalledAt: undefined,
			...where,
		};
		this._sent.set(sent.processQueryKey, sent);
		return sent;
	}

	/**
	 * POST /v1.0/robot/groupMessages/send.
	 * @param {OpenApiCall} call
	 * @returns {OpenApiOutcome}
	 */
	_groupSend(call) {
		const robot = this._robot(call, 'groupSend');
		if ('refused' in robot) return robot.refused;
		const found = this._group(call.body);
		if ('refused' in found) return found.refused;
		const { group } = found;
		// an answer quoted in public code for a robot that is not there: {"code":"resource.not.found","message":"robot 不存在"}
		if (!group.robotCodes.includes(robot.robotCode)) return bad('resource.not.found', 'robot 不存在');
		const template = checkTemplate(call.body.msgKey, call.body.msgParam, this._mediaExists);
		if ('error' in template) return bad(template.error.code, template.error.message);
		/** @type {Extract<import('./groupView').GroupEntry, { from: 'robot' }>} */
		const entry = { from: 'robot', message: toBubble(template.msgKey, template.params), via: group.title, recalled: false };
		const where = { kind: /** @type {const} */ ('group'), openConversationId: group.openConversationId, userIds: [], entry };
		const sent = this._record(call, robot.robotCode, where, template);
		this._server.timeline.push(entry);
		return { status: 200, json: { processQueryKey: sent.processQueryKey } };
	}

	/**
	 * POST /v1.0/robot/oToMessages/batchSend.
	 * @param {OpenApiCall} call
	 * @returns {OpenApiOutcome}
	 */
	_otoSend(call) {
		const robot = this._robot(call, 'otoSend');
		if ('refused' in robot) return robot.refused;
		const userIds = call.body.userIds;
		if (!Array.isArray(userIds) || userIds.length === 0) return bad('invalidParameter.userIds.empty', '用户userId列表为空');
		if (userIds.some((id) => typeof id !== 'string')) return bad('invalidParameter.param.invalid', '参数不合法，请检查是否有参数为空');
		if (userIds.length > MAX_USER_IDS) return bad('invalidParameter.userIds.overMax', '用户userId列表超过最大限制');
		const template = checkTemplate(call.body.msgKey, call.body.msgParam, this._mediaExists);
		if ('error' in template) return bad(template.error.code, template.error.message);
		/** @type {string[]} */
		const invalidStaffIdList = [];
		/** @type {string[]} */
		const flowControlledStaffIdList = [];
		/** @type {string[]} */
		const delivered = [];
		for (const userId of new Set(/** @type {string[]} */ (userIds))) {
			const user = this._org.user(userId);
			if (!user) invalidStaffIdList.push(userId);
			else if (user.flowControlled) flowControlledStaffIdList.push(userId);
			else delivered.push(userId);
		}
		if (delivered.length === 0 && flowControlledStaffIdList.length === 0) return bad('staffId.notExisted', 'staffId不存在');
		const sent = this._record(call, robot.robotCode, { kind: 'oto', openConversationId: undefined, userIds: delivered, entry: undefined }, template);
		return { status: 200, json: { processQueryKey: sent.processQueryKey, invalidStaffIdList, flowControlledStaffIdList } };
	}

	/**
	 * POST /v1.0/robot/groupMessages/recall and /v1.0/robot/otoMessages/batchRecall.
	 * @param {OpenApiCall} call
	 * @param {'group' | 'oto'} kind
	 * @returns {OpenApiOutcome}
	 */
	_recall(call, kind) {
		const robot = this._robot(call, kind === 'group' ? 'groupRecall' : 'otoRecall');
		if ('refused' in robot) return robot.refused;
		/** @type {string | undefined} */
		let openConversationId;
		if (kind === 'group') {
			const found = this._group(call.body);
			if ('refused' in found) return found.refused;
			if (!found.group.robotCodes.includes(robot.robotCode)) return bad('invalidParameter.robotCode', '无效的robotCode，请检查机器人是否在群内');
			openConversationId = found.group.openConversationId;
		}
		const keys = call.body.processQueryKeys;
		if (!Array.isArray(keys) || keys.length === 0) return bad('invalidParameter.processQueryKey.missing', '缺少processQueryKey');
		if (keys.length > MAX_RECALL_KEYS) {
			return bad('invalidParameter.processQueryKeys.overMax', `processQueryKeys超过数量上限${MAX_RECALL_KEYS}`);
		}
		/** @type {RecallRecord} */
		const record = {
			at: call.now,
			kind,
			robotCode: robot.robotCode,
			openConversationId,
			processQueryKeys: keys.map(String),
			successResult: [],
			failedResult: {},
		};
		for (const key of record.processQueryKeys) {
			const reason = this._recallOne(key, kind, robot.robotCode, openConversationId, call.now);
			if (reason) record.failedResult[key] = reason;
			else record.successResult.push(key);
		}
		this.recalls.push(record);
		return { status: 200, json: { successResult: record.successResult, failedResult: record.failedResult } };
	}

	/**
	 * Recalls one message; the reason when it cannot.
	 * @param {string} key
	 * @param {'group' | 'oto'} kind
	 * @param {string} robotCode
	 * @param {string | undefined} openConversationId
	 * @param {number} now
	 * @returns {string | undefined}
	 */
	_recallOne(key, kind, robotCode, openConversationId, now) {
		const sent = this._sent.get(key);
		if (!sent || sent.kind !== kind || sent.openConversationId !== openConversationId) return REASONS.unknown;
		if (sent.robotCode !== robotCode) return REASONS.otherRobot;
		if (sent.recalledAt !== undefined) return REASONS.recalled;
		if (now - sent.at > RECALL_WINDOW_MS) return REASONS.expired;
		sent.recalledAt = now;
		if (sent.entry) sent.entry.recalled = true;
		return undefined;
	}
}

module.exports = { RobotMessages };
