// @ts-check
'use strict';

/**
 * The organization an app robot sends into through the OpenAPI (robotMessages.js): its group
 * chats, known by `openConversationId` (会话ID, e.g. `cid6KeBBLoveMJOGXoYKF5x7EeiodoA==` in
 * DingTalk's reference of /v1.0/robot/groupMessages/send), each with the robots installed in it
 * (by robotCode), and its members, known by userId (staffId). A robot sends to a group only when it
 * is in the group, and one-to-one only to members of the org. Test setup, not DingTalk requests:
 * reset() keeps groups and users.
 */

const crypto = require('node:crypto');
const { isObject, optionalText, textList } = require('./checks');

/** The organization's corpId, in what DingTalk sends about it (Stream events, card callbacks). */
const CORP_ID = 'dingsimulatorcorp0001';

/**
 * @typedef {object} GroupOptions
 * @property {string} [openConversationId] default `cid` + 16 random bytes in base64 (DingTalk's ids look so)
 * @property {string} [title] default 'Simulated group'
 * @property {string[]} [robotCodes] the robots installed in the group; default none
 */

/**
 * @typedef {object} Group
 * @property {string} openConversationId
 * @property {string} title
 * @property {string[]} robotCodes
 */

/**
 * @typedef {object} UserOptions
 * @property {string} userId the userId (staffId) the OpenAPI takes
 * @property {string} [name] default the userId
 * @property {boolean} [flowControlled] a simulator knob: one-to-one messages to this user are
 *   answered in flowControlledStaffIdList and not delivered (DingTalk does not say when it does so)
 */

/**
 * @typedef {object} User
 * @property {string} userId
 * @property {string} name
 * @property {boolean} flowControlled
 */

class Org {
	constructor() {
		/** @type {Map<string, Group>} */
		this._groups = new Map();
		/** @type {Map<string, User>} */
		this._users = new Map();
	}

	/**
	 * Adds a group chat; adding an openConversationId again replaces its title and robots (its
	 * messages stay).
	 * @param {GroupOptions} [options]
	 * @returns {Group} a copy
	 */
	addGroup(options = {}) {
		if (!isObject(options)) throw new TypeError('addGroup takes an options object');
		const openConversationId =
			optionalText(options.openConversationId, 'openConversationId') ?? `cid${crypto.randomBytes(16).toString('base64')}`;
		const title = optionalText(options.title, 'title') ?? 'Simulated group';
		const robotCodes = textList(options.robotCodes ?? [], 'robotCodes');
		const group = { openConversationId, title, robotCodes };
		this._groups.set(openConversationId, group);
		return { ...group, robotCodes: [...group.robotCodes] };
	}

	/**
	 * Adds a member of the org; adding a userId again replaces it.
	 * @param {UserOptions} options
	 * @returns {User} a copy
	 */
	addUser(options) {
		if (!isObject(options)) throw new TypeError('addUser needs an options object');
		const userId = optionalText(options.userId, 'userId');
		if (userId === undefined) throw new TypeError('addUser needs a userId');
		const user = { userId, name: optionalText(options.name, 'name') ?? userId, flowControlled: options.flowControlled === true };
		this._users.set(userId, user);
		return { ...user };
	}

	/**
	 * @param {string} openConversationId
	 * @returns {Group | undefined}
	 */
	group(openConversationId) {
		return this._groups.get(openConversationId);
	}

	/**
	 * @param {string} userId
	 * @returns {User | undefined}
	 */
	user(userId) {
		return this._users.get(userId);
	}
}

module.exports = { Org, CORP_ID };
