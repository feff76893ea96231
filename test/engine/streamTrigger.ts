/**
 * The DingTalk Stream Trigger in n8n-core's engine, against the simulator's Stream gateway:
 * - activate(): n8n-core's TriggerContext in mode 'trigger', as n8n's ActiveWorkflowManager
 *   builds it when a workflow is activated, with emit / emitError recorded;
 * - listenForTestEvent(): "Listen for test event", i.e. WorkflowExecute in manual mode from the
 *   trigger through a DingTalk Robot node replying in the conversation.
 */
import { TriggerContext } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRun,
	type ITriggerResponse,
	type IWorkflowBase,
} from 'n8n-workflow';

import { DingTalkAppApi } from '../../credentials/DingTalkAppApi.credentials';
import { DingTalkRobot } from '../../nodes/DingTalkRobot/DingTalkRobot.node';
import { DingTalkStreamTrigger } from '../../nodes/DingTalkStreamTrigger/DingTalkStreamTrigger.node';
import { startStreamTrigger } from '../../nodes/DingTalkStreamTrigger/startStreamTrigger';
import type { StreamRuntime } from '../../nodes/DingTalkStreamTrigger/stream/registry';
import { CredentialsHelper, NodeTypes, buildAdditionalData, executeWorkflow } from '../../scripts/lib/n8nEngine';
import type { DingTalkSimulator } from '../../simulator';

export const STREAM_TRIGGER_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkStreamTrigger';
const ROBOT_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobot';

export const APP = { clientId: 'dingstreamengine01', clientSecret: 'engineClientSecret-7Qm2Zr9X' };

/** The credential of an app of the simulator: its base URL, plain http allowed to it only. */
export function appCredential(sim: DingTalkSimulator, app: { clientId: string; clientSecret: string } = APP): ICredentialDataDecryptedObject {
	return { ...app, robotCode: '', baseUrl: sim.baseUrl ?? '', plainHttpHosts: sim.host ?? '' };
}

export interface ActiveTrigger {
	emitted: IDataObject[];
	/** the same items whole, with their binary data */
	emittedItems: INodeExecutionData[];
	errors: Error[];
	/** what the trigger logged through n8n's logger, one line each */
	logs: string[];
	response: ITriggerResponse;
	close(): Promise<void>;
}

/** The name the user gave the credential in the tests, unless a test gives another. */
export const CREDENTIAL_NAME = 'DingTalk App';

function triggerNode(id: string, options: IDataObject, credentialName = CREDENTIAL_NAME, parameters: INodeParameters = {}): INode {
	return {
		id,
		name: 'DingTalk Stream Trigger',
		type: STREAM_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { ...parameters, options: options as INodeParameters },
		credentials: { dingTalkAppApi: { id: 'app', name: credentialName } },
	};
}

const credentialTypes = { dingTalkAppApi: new DingTalkAppApi() };

/** Activates the trigger as n8n does for an active workflow; `runtime` replaces the clock and timers. */
export async function activate(
	credential: ICredentialDataDecryptedObject,
	{
		workflowId = 'wf-stream',
		nodeId = 'stream-node',
		options = {},
		runtime,
		errors = [],
		credentialName,
		parameters,
	}: { workflowId?: string; nodeId?: string; options?: IDataObject; runtime?: StreamRuntime; errors?: Error[]; credentialName?: string; parameters?: INodeParameters } = {},
): Promise<ActiveTrigger> {
	const node = triggerNode(nodeId, options, credentialName, parameters);
	const workflow = new Workflow({
		id: workflowId,
		name: workflowId,
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: new NodeTypes({ [STREAM_TRIGGER_TYPE]: new DingTalkStreamTrigger() }),
	});
	const additionalData = buildAdditionalData(new CredentialsHelper(credentialTypes, { dingTalkAppApi: credential }), {
		id: workflowId,
		nodes: [node],
		connections: {},
	} as unknown as IWorkflowBase);
	const emitted: IDataObject[] = [];
	const emittedItems: INodeExecutionData[] = [];
	const context = new TriggerContext(
		workflow,
		node,
		additionalData,
		'trigger',
		'activate',
		(data: INodeExecutionData[][]) => {
			emitted.push(...data[0].map((item) => item.json));
			emittedItems.push(...data[0]);
		},
		(error: Error) => errors.push(error),
	);
	const logs: string[] = [];
	const record = (level: string) => (message: string) => logs.push(`${level} ${message}`);
	// n8n's logger, recorded instead of printed (the canary checks read it)
	Object.defineProperty(context, 'logger', { value: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } });
	const response = await startStreamTrigger.call(context, runtime);
	return { emitted, emittedItems, errors, logs, response, close: async () => await response.closeFunction?.() };
}

/**
 * "Listen for test event": WorkflowExecute in manual mode, Stream trigger → DingTalk Robot (Reply
 * in the Conversation). `whileListening` runs once the run started (push the message there).
 */
export async function listenForTestEvent(
	credential: ICredentialDataDecryptedObject,
	sim: DingTalkSimulator,
	whileListening: () => Promise<void>,
): Promise<IRun> {
	const nodes: INode[] = [
		triggerNode('manual-stream-node', {}),
		{
			id: 'reply',
			name: 'Reply',
			type: ROBOT_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: {
				target: 'session',
				sessionWebhook: '={{ $json.sessionWebhook }}',
				sessionWebhookExpiresAt: '={{ $json.sessionWebhookExpiresAt }}',
				messageType: 'text',
				content: '=test event: {{ $json.text }}',
				options: { sessionWebhookHosts: sim.host },
			},
		},
	];
	const run = executeWorkflow({
		nodes,
		connections: { 'DingTalk Stream Trigger': { main: [[{ node: 'Reply', type: NodeConnectionTypes.Main, index: 0 }]] } },
		nodeTypes: { [STREAM_TRIGGER_TYPE]: new DingTalkStreamTrigger(), [ROBOT_TYPE]: new DingTalkRobot() },
		credentialTypes,
		credentials: { dingTalkAppApi: credential },
	});
	await whileListening();
	return await run;
}

/** Waits (polling the simulator) until `probe` returns something other than undefined, or throws after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value !== undefined) return value;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** The app's connections open at the gateway, not told to go. */
export const openConnections = (sim: DingTalkSimulator, clientId = APP.clientId) =>
	sim.streamConnections(clientId).filter((c) => c.state === 'open');
