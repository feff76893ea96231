/**
 * n8n's "Test" button for a credential, as n8n 1.x's CredentialsTester runs a request-based
 * test: a temporary node whose only property routes the credential's `test.request`, executed
 * by n8n-core's RoutingNode (which resolves `$credentials` expressions and signs through the
 * credential's `authenticate`), then the `rules` checked against the answer: `responseCode` rules
 * on an HTTP error, `responseSuccessBody` rules on a success (n8n's CredentialsTester).
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IRunExecutionData,
	type IWorkflowBase,
	NodeConnectionTypes,
} from 'n8n-workflow';

import { CredentialsHelper, NodeTypes, buildAdditionalData } from '../../scripts/lib/n8nEngine';
import { credentialTypes } from './n8nEngine';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

// n8n's own name: its CredentialsHelper knows a credential test by this type and the "temp" field
const NO_OP_TYPE = 'n8n-nodes-base.noOp';

export async function testCredential(type: string, data: ICredentialDataDecryptedObject): Promise<CredentialTestResult> {
	const testRequest = credentialTypes[type].test as ICredentialTestRequest;
	const nodeType: INodeType = {
		description: {
			displayName: 'No Op',
			name: NO_OP_TYPE,
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'No Op' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', default: '', routing: { request: testRequest.request } },
			],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: NO_OP_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id: 'credential-under-test', name: 'credential under test' } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: new NodeTypes({ [NO_OP_TYPE]: nodeType }) });
	const additionalData = buildAdditionalData(
		new CredentialsHelper(credentialTypes, { [type]: data }),
		{ nodes: [node], connections: {} } as unknown as IWorkflowBase,
	);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		{ resultData: { runData: {} } } as unknown as IRunExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(context, nodeType, { id: 'credential-under-test', name: 'credential under test', type, data });

	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (error) {
		const cause = (error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }).cause;
		if (cause?.response) {
			for (const rule of testRequest.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === cause.response.status) return { status: 'Error', message: rule.properties.message };
			}
			return { status: 'Error', message: cause.response.statusText || `Received HTTP status code: ${cause.response.status}` };
		}
		if (cause?.code) return { status: 'Error', message: cause.code };
		return { status: 'Error', message: String((error as Error).message) };
	}
	const body = response?.[0]?.[0]?.json ?? {};
	for (const rule of testRequest.rules ?? []) {
		if (rule.type === 'responseSuccessBody' && body[rule.properties.key] === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
