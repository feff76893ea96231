// @ts-check
'use strict';

/**
 * App robots (企业内部应用 with the robot capability): an app is known by its Client ID (formerly
 * AppKey) and proves itself with its Client Secret (formerly AppSecret). The Stream gateway
 * (streamGateway.js) and the OpenAPI (openapi.js) check the same apps. Its robot sends as
 * `robotCode`, which for an enterprise internal app is the app's Client ID unless told otherwise.
 * An app calls an OpenAPI only with the permission (权限点, scope) the API requires granted in the
 * developer console: the robot APIs need `qyapi_robot_sendmsg` (企业内机器人发送消息权限), media
 * upload `qyapi_base` (their reference pages, 权限要求). An app is granted every scope unless told
 * otherwise (`permissions`).
 */

const crypto = require('node:crypto');
const { isObject, optionalText, textList } = require('./checks');

/**
 * @typedef {object} AppOptions
 * @property {string} clientId
 * @property {string} clientSecret
 * @property {string} [robotCode] default: the clientId
 * @property {string} [appId] the app's id in Stream frame headers (`appId`); default a random UUID
 * @property {string[] | 'all'} [permissions] the scopes granted; default 'all'
 */

/**
 * @typedef {object} App
 * @property {string} clientId
 * @property {string} clientSecret
 * @property {string} robotCode
 * @property {string} appId
 * @property {string[] | 'all'} permissions the scopes granted
 */

class Apps {
	constructor() {
		/** @type {Map<string, App>} */
		this._apps = new Map();
	}

	/**
	 * Adds an app robot; adding a clientId again replaces its secret and codes (e.g. a reset
	 * secret), and what was issued with the old secret stays.
	 * @param {AppOptions} options
	 * @returns {App} a copy
	 */
	add(options) {
		if (!isObject(options)) throw new TypeError('addApp needs an options object');
		const clientId = optionalText(options.clientId, 'clientId');
		const clientSecret = optionalText(options.clientSecret, 'clientSecret');
		if (clientId === undefined || clientSecret === undefined) throw new TypeError('addApp needs clientId and clientSecret');
		const robotCode = optionalText(options.robotCode, 'robotCode') ?? clientId;
		const appId = optionalText(options.appId, 'appId') ?? this._apps.get(clientId)?.appId ?? crypto.randomUUID();
		const permissions = checkScopes(options.permissions ?? 'all', 'permissions');
		const app = { clientId, clientSecret, robotCode, appId, permissions };
		this._apps.set(clientId, app);
		return copyApp(app);
	}

	/**
	 * Grants exactly these scopes (or every scope) from now on; tokens already issued follow.
	 * @param {string} clientId
	 * @param {string[] | 'all'} scopes
	 * @returns {App} a copy
	 */
	setPermissions(clientId, scopes) {
		const app = this.require(clientId);
		app.permissions = checkScopes(scopes, 'scopes');
		return copyApp(app);
	}

	/**
	 * @param {App} app
	 * @param {string} scope
	 */
	static granted(app, scope) {
		return app.permissions === 'all' || app.permissions.includes(scope);
	}

	/**
	 * The app whose robot sends as this robotCode.
	 * @param {string} robotCode
	 * @returns {App | undefined}
	 */
	byRobotCode(robotCode) {
		return [...this._apps.values()].find((app) => app.robotCode === robotCode);
	}

	/**
	 * @param {string} clientId
	 * @returns {App | undefined}
	 */
	get(clientId) {
		return this._apps.get(clientId);
	}

	/**
	 * The app when both the Client ID and the Client Secret are right (constant-time compare).
	 * @param {unknown} clientId
	 * @param {unknown} clientSecret
	 * @returns {App | undefined}
	 */
	authenticate(clientId, clientSecret) {
		if (typeof clientId !== 'string' || typeof clientSecret !== 'string') return undefined;
		const app = this._apps.get(clientId);
		if (!app) return undefined;
		const given = crypto.createHash('sha256').update(clientSecret, 'utf8').digest();
		const expected = crypto.createHash('sha256').update(app.clientSecret, 'utf8').digest();
		return crypto.timingSafeEqual(given, expected) ? app : undefined;
	}

	/**
	 * @param {string} clientId
	 * @returns {App}
	 */
	require(clientId) {
		const app = this._apps.get(clientId);
		if (!app) throw new Error(`unknown app ${JSON.stringify(clientId)}: call addApp first`);
		return app;
	}
}

/**
 * @param {unknown} scopes
 * @param {string} name
 * @returns {string[] | 'all'}
 */
function checkScopes(scopes, name) {
	if (scopes === 'all') return 'all';
	return textList(scopes, name, `${name} must be 'all' or an array of non-empty strings`);
}

/**
 * @param {App} app
 * @returns {App}
 */
const copyApp = (app) => ({ ...app, permissions: app.permissions === 'all' ? 'all' : [...app.permissions] });

module.exports = { Apps };
