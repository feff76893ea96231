// @ts-check
'use strict';
/**
 * Runs workflows inside n8n-core's real WorkflowExecute: expressions, item pairing, continue-on-
 * fail and the HTTP helpers are n8n's own. The only stand-ins are what the n8n server provides
 * around the engine, each doing what n8n's does: a node-type registry, and a credentials helper
 * that hands out the given decrypted credentials and applies a credential type's `authenticate`
 * function exactly as n8n's CredentialsHelper does.
 *
 * Used by the engine tests (with the TypeScript sources) and by `npm run demo` (with dist/).
 */
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

// n8n-core reads its settings folder when first loaded: never touch the user's ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-dingtalk-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
// a fixed key for this throw-away folder, so n8n-core does not generate and announce one
process.env.N8N_ENCRYPTION_KEY ??= 'n8n-nodes-dingtalk-robot-local-engine';

const { ExecutionLifecycleHooks, WorkflowExecute } = require('n8n-core');
const { ICredentialsHelper, LoggerProxy, NodeConnectionTypes, Workflow } = require('n8n-workflow');

const ITEMS_NODE_TYPE = 'local.items';

/**
 * A source node that emits the items of its `items` parameter (a JSON array), as a Code node
 * or a trigger would; an entry's `$binary` is the item's binary data.
 * @type {import('n8n-workflow').INodeType}
 */
const itemsNodeType = {
	description: {
		displayName: 'Items',
		name: ITEMS_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	},
	async execute() {
		const items = JSON.parse(/** @type {string} */ (this.getNodeParameter('items', 0)));
		// an item's `$binary` becomes its binary data (n8n's IBinaryData: base64 data, mimeType, fileName)
		return [
			items.map((/** @type {import('n8n-workflow').IDataObject} */ entry) => {
				const { $binary, ...json } = entry;
				return $binary ? { json, binary: /** @type {import('n8n-workflow').IBinaryKeyData} */ ($binary) } : { json };
			}),
		];
	},
};

class NodeTypes {
	/** @param {Record<string, import('n8n-workflow').INodeType>} types by full type name */
	constructor(types) {
		/** @type {Record<string, import('n8n-workflow').INodeType>} */
		this.types = { [ITEMS_NODE_TYPE]: itemsNodeType, ...types };
	}

	/** @param {string} name */
	getByName(name) {
		return this.getByNameAndVersion(name);
	}

	/** @param {string} name */
	getByNameAndVersion(name) {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown node type ${name}`);
		return type;
	}

	getKnownTypes() {
		return {};
	}
}

/** What n8n's CredentialsHelper does for these calls, with decrypted data given up front. */
class CredentialsHelper extends ICredentialsHelper {
	/**
	 * @param {Record<string, import('n8n-workflow').ICredentialType>} credentialTypes by name
	 * @param {Record<string, import('n8n-workflow').ICredentialDataDecryptedObject>} data decrypted credentials by type name
	 */
	constructor(credentialTypes, data) {
		super();
		this.credentialTypes = credentialTypes;
		this.data = data;
	}

	getParentTypes() {
		return [];
	}

	/**
	 * @param {import('n8n-workflow').ICredentialDataDecryptedObject} credentials
	 * @param {string} typeName
	 * @param {import('n8n-workflow').IHttpRequestOptions} requestOptions
	 */
	async authenticate(credentials, typeName, requestOptions) {
		const { authenticate } = this.credentialTypes[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		throw new Error(`credential type ${typeName} has no authenticate function`);
	}

	/**
	 * As n8n's CredentialsHelper: a credential type with a hidden `expirable` field and a
	 * preAuthentication gets that field filled when it is empty (or the caller says it expired),
	 * and the result is stored with the credential, so later requests reuse it.
	 * @param {import('n8n-workflow').IHttpRequestHelper} helpers
	 * @param {import('n8n-workflow').ICredentialDataDecryptedObject} credentials
	 * @param {string} typeName
	 * @param {import('n8n-workflow').INode} node
	 * @param {boolean} credentialsExpired
	 */
	async preAuthentication(helpers, credentials, typeName, node, credentialsExpired) {
		const credentialType = this.credentialTypes[typeName];
		const expirable = credentialType.properties.find((property) => property.type === 'hidden' && property.typeOptions?.expirable === true);
		if (!expirable || typeof credentialType.preAuthentication !== 'function') return undefined;
		// as n8n's: the credential "Test" button (a temporary No Op node with a "temp" field) always asks
		const isTestingCredentials = node?.parameters?.temp === '' && node?.type === 'n8n-nodes-base.noOp';
		if (credentials[expirable.name] !== '' && !credentialsExpired && !isTestingCredentials) return undefined;
		const output = await credentialType.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials) {
			this.data[typeName] = /** @type {import('n8n-workflow').ICredentialDataDecryptedObject} */ ({ ...this.data[typeName], ...output });
			return Object.assign(credentials, output);
		}
		return undefined;
	}

	/** @returns {Promise<import('n8n-workflow').ICredentials>} */
	async getCredentials() {
		throw new Error('not needed here');
	}

	/**
	 * @param {unknown} _additionalData
	 * @param {unknown} _details
	 * @param {string} type
	 */
	async getDecrypted(_additionalData, _details, type) {
		// n8n hands each execution a fresh copy of the decrypted data
		return { ...this.data[type] };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	/** @param {string} type */
	getCredentialsProperties(type) {
		return this.credentialTypes[type].properties;
	}
}

/**
 * @param {CredentialsHelper} credentialsHelper
 * @param {import('n8n-workflow').IWorkflowBase} workflowData
 * @returns {import('n8n-workflow').IWorkflowExecuteAdditionalData}
 */
function buildAdditionalData(credentialsHelper, workflowData) {
	const unavailable = (/** @type {string} */ what) => async () => {
		throw new Error(`${what} is not available here`);
	};
	return /** @type {any} */ ({
		credentialsHelper,
		hooks: new ExecutionLifecycleHooks('manual', 'local-execution', workflowData),
		executeWorkflow: unavailable('executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		executionId: 'local-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: unavailable('a task runner'),
	});
}

/**
 * Executes a workflow from its first node with n8n's WorkflowExecute.
 * @param {{
 *   nodes: import('n8n-workflow').INode[],
 *   connections: import('n8n-workflow').IConnections,
 *   nodeTypes: Record<string, import('n8n-workflow').INodeType>,
 *   credentialTypes: Record<string, import('n8n-workflow').ICredentialType>,
 *   credentials: Record<string, import('n8n-workflow').ICredentialDataDecryptedObject>,
 * }} options
 * @returns {Promise<import('n8n-workflow').IRun>}
 */
async function executeWorkflow(options) {
	const workflowData = /** @type {import('n8n-workflow').IWorkflowBase} */ (
		/** @type {unknown} */ ({ id: 'local-workflow', name: 'local', nodes: options.nodes, connections: options.connections })
	);
	const workflow = new Workflow({
		id: 'local-workflow',
		name: 'local',
		nodes: options.nodes,
		connections: options.connections,
		active: false,
		nodeTypes: new NodeTypes(options.nodeTypes),
		settings: { executionOrder: 'v1' },
	});
	const credentialsHelper = new CredentialsHelper(options.credentialTypes, options.credentials);
	const additionalData = buildAdditionalData(credentialsHelper, workflowData);
	return await new WorkflowExecute(additionalData, 'manual').run(workflow, options.nodes[0]);
}

/**
 * Routes n8n's LoggerProxy into an array of lines.
 * @returns {{ lines: string[] }}
 */
function captureLogs() {
	/** @type {{ lines: string[] }} */
	const logs = { lines: [] };
	const record = (/** @type {string} */ level) => (/** @type {string} */ message, /** @type {object} */ meta) =>
		logs.lines.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
	LoggerProxy.init(
		/** @type {any} */ ({
			error: record('error'),
			warn: record('warn'),
			info: record('info'),
			debug: record('debug'),
			scoped: () => LoggerProxy,
		}),
	);
	return logs;
}

/**
 * n8n-core's SSH tunnel manager starts a one-minute cleanup interval the first time an execute
 * context is built; the n8n server stops it at shutdown. Stop it so a script or test can exit.
 */
function stopN8nTimers() {
	const { Container } = require('@n8n/di');
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager');
	if (Container.has(SSHClientsManager)) Container.get(SSHClientsManager).onShutdown();
}

module.exports = {
	ITEMS_NODE_TYPE,
	NodeTypes,
	CredentialsHelper,
	buildAdditionalData,
	executeWorkflow,
	captureLogs,
	stopN8nTimers,
};
