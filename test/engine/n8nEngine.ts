/**
 * Runs workflows with this package's node and credential inside n8n-core's real WorkflowExecute:
 * expressions, item pairing, continue-on-fail and the HTTP helpers are n8n's own. The only
 * stand-ins are what the n8n server would provide around the engine, each doing what n8n's
 * does: a node-type registry, and a credentials helper that hands out the test credential and
 * applies the credential type's `authenticate` exactly as n8n's CredentialsHelper does.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentialsHelper,
	LoggerProxy,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { DingTalkRobotApi } from '../../credentials/DingTalkRobotApi.credentials';
import { DingTalkRobot } from '../../nodes/DingTalkRobot/DingTalkRobot.node';

export const ROBOT_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobot';
const ITEMS_NODE_TYPE = 'test.items';

/** A source node that emits the items in its `items` parameter (a JSON array), like a Code node would. */
class ItemsNode implements INodeType {
	description = {
		displayName: 'Items',
		name: ITEMS_NODE_TYPE,
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' } as INodeProperties],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		[ROBOT_NODE_TYPE]: new DingTalkRobot(),
		[ITEMS_NODE_TYPE]: new ItemsNode(),
	};

	add(name: string, type: INodeType) {
		this.types[name] = type;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.getByNameAndVersion(nodeType);
	}

	getByNameAndVersion(nodeType: string): INodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getKnownTypes() {
		return {};
	}
}

export const credentialTypes: Record<string, ICredentialType> = {
	dingTalkRobotApi: new DingTalkRobotApi(),
};

/** What n8n's CredentialsHelper does for these calls, with the decrypted data given by the test. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = credentialTypes[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		throw new Error(`credential type ${typeName} has no authenticate function`);
	}

	async preAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, _details: unknown, type: string) {
		// n8n hands each execution a fresh copy of the decrypted data
		return { ...this.data[type] };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type].properties;
	}
}

export interface CapturedLogs {
	lines: string[];
}

/** Routes n8n's LoggerProxy into an array, so tests can read every log line. */
export function captureLogs(): CapturedLogs {
	const logs: CapturedLogs = { lines: [] };
	const record = (level: string) => (message: string, meta?: object) =>
		logs.lines.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
	LoggerProxy.init({
		error: record('error'),
		warn: record('warn'),
		info: record('info'),
		debug: record('debug'),
		scoped: () => LoggerProxy,
	} as unknown as Parameters<typeof LoggerProxy.init>[0]);
	return logs;
}

export function buildAdditionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	workflowData: IWorkflowBase,
): IWorkflowExecuteAdditionalData {
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used by these tests');
		},
		getRunExecutionData: async () => undefined,
		executionId: 'test-execution',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1/rest',
		instanceBaseUrl: 'http://127.0.0.1/',
		formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('task runners are not used by these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RobotRunOptions {
	/** the input items, one message each */
	items: IDataObject[];
	/** the DingTalk Robot node's parameters */
	parameters: INodeParameters;
	/** the decrypted DingTalk Robot API credential */
	credential: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
}

export interface RobotRunResult {
	run: IRun;
	/** the DingTalk Robot node's output items (empty when it failed) */
	output: INodeExecutionData[];
	/** the execution's error, when it failed */
	error?: Error & { description?: string; context?: IDataObject };
}

/** Items → DingTalk Robot, executed by n8n's WorkflowExecute. */
export async function runRobotWorkflow(options: RobotRunOptions): Promise<RobotRunResult> {
	const nodes: INode[] = [
		{
			id: 'items',
			name: 'Items',
			type: ITEMS_NODE_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items) },
		},
		{
			id: 'robot',
			name: 'DingTalk Robot',
			type: ROBOT_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { dingTalkRobotApi: { id: '1', name: 'Test robot' } },
			...(options.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
	];
	const connections = {
		Items: { main: [[{ node: 'DingTalk Robot', type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'DingTalk robot test',
		nodes,
		connections,
		active: false,
		nodeTypes: new TestNodeTypes(),
		settings: { executionOrder: 'v1' },
	});
	const workflowData = { id: 'test-workflow', name: 'DingTalk robot test', nodes, connections } as unknown as IWorkflowBase;
	const additionalData = buildAdditionalData({ dingTalkRobotApi: options.credential }, workflowData);
	const run = await new WorkflowExecute(additionalData, 'manual').run(workflow, nodes[0]);
	const taskData = run.data.resultData.runData['DingTalk Robot']?.[0];
	const output = taskData?.data?.main?.[0] ?? [];
	const error = run.data.resultData.error as RobotRunResult['error'];
	return { run, output, error };
}
