// @ts-check
'use strict';

/**
 * The custom robot webhook (自定义机器人): `POST https://oapi.dingtalk.com/robot/send?access_token=…`
 * (sections 1 to 5 of /work/shared/dingtalk-robot-api.md). It checks, in DingTalk's order: the
 * path and POST, the access token and the robot's state (disabled, group dissolved), the JSON
 * content type, the IP whitelist, the signature (timestamp within the window, sign matching),
 * the throttle, the body (size, JSON object, msgtype, required fields in exact casing), the
 * keywords, then msgUuid replay and the 20-per-minute rate limit. What passes is posted to the
 * group (`messages(token)`, the group page). Recording and faults: oapiHost.js.
 */

const { checkSignature, isJsonContentType, isObject, parseWhitelistEntry, ipAllowed, textList } = require('./checks');
const { RateLimit, checkMessageBody, containsKeyword, htmlPage, reply } = require('./sendRules');

const SEND_PATH = '/robot/send';

/**
 * @typedef {object} RobotOptions
 * @property {string} accessToken
 * @property {string} [secret]
 * @property {string[]} [keywords]
 * @property {string[]} [ipWhitelist] IPv4 addresses or IPv4 CIDR blocks
 * @property {boolean} [disabled]
 * @property {boolean} [dissolved]
 */

/**
 * @typedef {object} Robot
 * @property {string} accessToken
 * @property {string | undefined} secret
 * @property {string[]} keywords
 * @property {import('./checks').WhitelistEntry[] | undefined} ipWhitelist
 * @property {boolean} disabled
 * @property {boolean} dissolved
 */

/**
 * @typedef {import('./sendRules').SendState & { messages: Record<string, unknown>[] }} RobotState
 */

/** @typedef {import('./oapiHost').RequestRecord} RequestRecord */
/** @typedef {import('./sendRules').Outcome} Outcome */

/** @returns {RobotState} */
const freshState = () => ({ messages: [], ...RateLimit.freshState() });

class WebhookRobots {
	/**
	 * @param {import('./server').SimulatorServer} server
	 * @param {{ rateLimit: RateLimit, maxBodyBytes: number, timestampToleranceMs: number }} options
	 *   maxBodyBytes: DingTalk 20 000; timestampToleranceMs: DingTalk 1 hour either way
	 */
	constructor(server, { rateLimit, maxBodyBytes, timestampToleranceMs }) {
		this._server = server;
		this._rateLimit = rateLimit;
		this._maxBodyBytes = maxBodyBytes;
		this._timestampToleranceMs = timestampToleranceMs;
		/** @type {Map<string, Robot>} */
		this._robots = new Map();
		/** @type {Map<string, RobotState>} */
		this._state = new Map();

		const inspect = (/** @type {RequestRecord} */ record, /** @type {number} */ now) => this._inspect(record, now);
		server.oapi.route(SEND_PATH, { inspect, decide: (request) => this._decide(request) });
		// DingTalk's front answers an unknown path with its 404 page; the token is still looked at
		// (signatureValid is recorded), as it is for /robot/send
		server.oapi.routeOtherPaths({ inspect, decide: () => ({ status: 404, html: htmlPage(404, 'Not Found') }) });
		server.mount(this);
	}

	/**
	 * Adds a robot. Adding a token that already exists replaces its configuration and keeps its
	 * delivered messages and rate-limit state (use it to disable or dissolve a robot later).
	 * @param {RobotOptions} options
	 */
	addRobot(options) {
		if (!isObject(options)) throw new TypeError('addRobot needs an options object');
		const { accessToken, secret, keywords, ipWhitelist, disabled, dissolved } = options;
		if (typeof accessToken !== 'string' || accessToken === '') throw new TypeError('accessToken must be a non-empty string');
		if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
			throw new TypeError('secret must be a non-empty string when given');
		}
		const keywordList = keywords === undefined ? [] : textList(keywords, 'keywords');
		if (ipWhitelist !== undefined && !Array.isArray(ipWhitelist)) throw new TypeError('ipWhitelist must be an array');
		this._robots.set(accessToken, {
			accessToken,
			secret,
			keywords: keywordList,
			ipWhitelist: ipWhitelist && ipWhitelist.length > 0 ? ipWhitelist.map(parseWhitelistEntry) : undefined,
			disabled: disabled === true,
			dissolved: dissolved === true,
		});
		if (!this._state.has(accessToken)) this._state.set(accessToken, freshState());
	}

	/**
	 * @param {string} accessToken
	 * @returns {string} `${baseUrl}/robot/send?access_token=TOKEN`
	 */
	webhookUrl(accessToken) {
		return `${this._server.requireBaseUrl()}${SEND_PATH}?access_token=${encodeURIComponent(accessToken)}`;
	}

	/**
	 * Delivered message bodies of a robot, in delivery order (a copy of the list).
	 * @param {string} accessToken
	 * @returns {Record<string, unknown>[]}
	 */
	messages(accessToken) {
		const state = this._state.get(accessToken);
		return state ? [...state.messages] : [];
	}

	/** Forgets messages, msgUuids and rate-limit state; the robots stay. */
	reset() {
		for (const token of this._state.keys()) this._state.set(token, freshState());
	}

	/**
	 * @param {RequestRecord} record
	 * @returns {Robot | undefined}
	 */
	_robotOf(record) {
		return record.accessToken ? this._robots.get(record.accessToken) : undefined;
	}

	/**
	 * Before any fault answers: whether the signature of a signed robot's request is valid.
	 * @param {RequestRecord} record
	 * @param {number} now
	 */
	_inspect(record, now) {
		const robot = this._robotOf(record);
		if (robot && robot.secret) record.signatureValid = this._signatureError(robot.secret, record, now) === null;
	}

	/**
	 * @param {string} secret
	 * @param {RequestRecord} record
	 * @param {number} now
	 */
	_signatureError(secret, record, now) {
		return checkSignature(secret, record.timestamp, record.sign, now, this._timestampToleranceMs);
	}

	/**
	 * DingTalk's checks in its order; delivers the message when everything passes.
	 * @param {import('./oapiHost').OapiRequest} request
	 * @returns {Outcome}
	 */
	_decide({ record, body, bodyBytes, truncated, now }) {
		// 1. method
		if (record.method !== 'POST') return reply(43002, '需要POST请求');
		// 2. token and robot state
		if (!record.accessToken) return reply(40035, '缺少参数 access_token');
		const robot = this._robotOf(record);
		if (!robot) return reply(300005, 'token is not exist');
		if (robot.disabled) return reply(400102, '机器人已停用');
		if (robot.dissolved) return reply(400013, '群已被解散');
		// 3. content type
		if (!isJsonContentType(record.contentType)) return reply(43004, '无效的HTTP HEADER Content-Type');
		// 4. IP whitelist
		if (robot.ipWhitelist && !ipAllowed(record.clientIp, robot.ipWhitelist)) {
			return reply(310000, `ip ${record.clientIp} not in whitelist`);
		}
		// 5. signature
		if (robot.secret) {
			const signatureError = this._signatureError(robot.secret, record, now);
			if (signatureError !== null) return reply(310000, signatureError);
		}
		// 6. throttled
		const state = /** @type {RobotState} */ (this._state.get(robot.accessToken));
		const throttled = this._rateLimit.checkThrottled(state, now);
		if (throttled) return throttled;
		// 7. body, msgtype, required fields
		const invalid = checkMessageBody(body, bodyBytes, truncated, this._maxBodyBytes);
		if (invalid || !body) return invalid ?? reply(40035, '缺少参数 json');
		// 8. keywords
		if (robot.keywords.length > 0 && !containsKeyword(body, robot.keywords)) return reply(310000, 'keywords not in content');
		// 9. msgUuid replay, rate limit
		const refused = this._rateLimit.admit(record, state, now);
		if (refused) return refused;
		state.messages.push(body);
		this._server.timeline.push({ from: 'robot', message: body });
		this._rateLimit.delivered(record, state);
		return reply(0, 'ok');
	}
}

module.exports = { WebhookRobots, SEND_PATH };
