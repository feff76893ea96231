import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { answerWithAiCard } from './answerWithCard';
import { dingTalkAiCardProperties } from './description';

// Not usable as a tool, on purpose: n8n makes a tool of a node by taking its inputs away, and this
// node's Chat Model input with them, so the tool could only fail. An agent that answers in DingTalk
// uses the DingTalk Robot node's card operations (which are tools) instead.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class DingTalkAiCard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk AI Card',
		name: 'dingTalkAiCard',
		icon: { light: 'file:../../icons/dingtalk.svg', dark: 'file:../../icons/dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: 'Answer with an AI card',
		description: 'Answers in DingTalk with an AI card that appears at once and fills in as the connected chat model writes',
		defaults: {
			name: 'DingTalk AI Card',
		},
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiLanguageModel, displayName: 'Chat Model', required: true, maxConnections: 1 },
		],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkAppApi', required: true }],
		properties: dingTalkAiCardProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await answerWithAiCard.call(this);
	}
}
