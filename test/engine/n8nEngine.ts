/**
 * Items → DingTalk Robot, executed by n8n-core's WorkflowExecute (scripts/lib/n8nEngine.js)
 * with the package's TypeScript sources.
 */
import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRun,
} from 'n8n-workflow';

import { DingTalkAppApi } from '../../credentials/DingTalkAppApi.credentials';
import { DingTalkRobotApi } from '../../credentials/DingTalkRobotApi.credentials';
import { DingTalkRobot } from '../../nodes/DingTalkRobot/DingTalkRobot.node';
import { ITEMS_NODE_TYPE, captureLogs, executeWorkflow } from '../../scripts/lib/n8nEngine';

export { captureLogs };

export const ROBOT_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobot';

export const credentialTypes: Record<string, ICredentialType> = { dingTalkRobotApi: new DingTalkRobotApi(), dingTalkAppApi: new DingTalkAppApi() };

export interface RobotRunOptions {
	/** the input items, one message each */
	items: IDataObject[];
	/** the DingTalk Robot node's parameters */
	parameters: INodeParameters;
	/** the decrypted DingTalk Robot API credential */
	credential: ICredentialDataDecryptedObject;
	/** the decrypted DingTalk App API credential (Send To: App Robot, Recall) */
	appCredential?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
}

export interface RobotRunResult {
	run: IRun;
	/** the DingTalk Robot node's output items (empty when it failed) */
	output: INodeExecutionData[];
	/** the execution's error, when it failed */
	error?: Error & { description?: string; context?: IDataObject };
}

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
			credentials: { dingTalkRobotApi: { id: '1', name: 'Test robot' }, dingTalkAppApi: { id: '2', name: 'Test app' } },
			...(options.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
	];
	const run = await executeWorkflow({
		nodes,
		connections: { Items: { main: [[{ node: 'DingTalk Robot', type: NodeConnectionTypes.Main, index: 0 }]] } },
		nodeTypes: { [ROBOT_NODE_TYPE]: new DingTalkRobot() },
		credentialTypes,
		credentials: { dingTalkRobotApi: options.credential, dingTalkAppApi: options.appCredential ?? {} },
	});
	const output = run.data.resultData.runData['DingTalk Robot']?.[0]?.data?.main?.[0] ?? [];
	return { run, output, error: run.data.resultData.error as RobotRunResult['error'] };
}
