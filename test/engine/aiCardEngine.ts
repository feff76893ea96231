/**
 * Items → DingTalk AI Card, with a chat model on its Chat Model input (scripts/lib/chatModelNode.js:
 * the simulator's chat model, streamed), in n8n-core's WorkflowExecute. The e2e runs n8n's own
 * OpenAI Chat Model node instead.
 */
import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRun,
} from 'n8n-workflow';

import { DingTalkAiCard } from '../../nodes/DingTalkAiCard/DingTalkAiCard.node';
import { CHAT_MODEL_NODE_TYPE, chatModelNodeType } from '../../scripts/lib/chatModelNode';
import { ITEMS_NODE_TYPE, executeWorkflow } from '../../scripts/lib/n8nEngine';
import { CHAT_MODEL_API_KEY } from '../../simulator';
import { credentialTypes } from './n8nEngine';

export const AI_CARD_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkAiCard';
export interface AiCardRunOptions {
	items: IDataObject[];
	parameters: INodeParameters;
	appCredential: ICredentialDataDecryptedObject;
	/** the simulator's chat model base URL; none: nothing on the Chat Model input */
	chatModelBaseUrl?: string;
	continueOnFail?: boolean;
}

export async function runAiCardWorkflow(options: AiCardRunOptions): Promise<{ run: IRun; output: INodeExecutionData[]; error?: Error & { description?: string } }> {
	const nodes: INode[] = [
		{ id: 'items', name: 'Items', type: ITEMS_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(options.items) } },
		{
			id: 'card',
			name: 'AI Card',
			type: AI_CARD_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { dingTalkAppApi: { id: '2', name: 'Test app' } },
			...(options.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
		...(options.chatModelBaseUrl ? [{ id: 'model', name: 'Chat Model', type: CHAT_MODEL_NODE_TYPE, typeVersion: 1, position: [200, 200] as [number, number], parameters: {} }] : []),
	];
	const run = await executeWorkflow({
		nodes,
		connections: {
			Items: { main: [[{ node: 'AI Card', type: NodeConnectionTypes.Main, index: 0 }]] },
			...(options.chatModelBaseUrl && { 'Chat Model': { [NodeConnectionTypes.AiLanguageModel]: [[{ node: 'AI Card', type: NodeConnectionTypes.AiLanguageModel, index: 0 }]] } }),
		},
		nodeTypes: { [AI_CARD_NODE_TYPE]: new DingTalkAiCard(), ...(options.chatModelBaseUrl && { [CHAT_MODEL_NODE_TYPE]: chatModelNodeType(options.chatModelBaseUrl, CHAT_MODEL_API_KEY) }) },
		credentialTypes,
		credentials: { dingTalkAppApi: options.appCredential },
	});
	const output = run.data.resultData.runData['AI Card']?.[0]?.data?.main?.[0] ?? [];
	return { run, output, error: run.data.resultData.error as Error & { description?: string } };
}
