import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { dingTalkRobotProperties } from './descriptions';
import { sendMessages } from './sendMessages';

export class DingTalkRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Robot',
		name: 'dingTalkRobot',
		icon: { light: 'file:../../icons/dingtalk.svg', dark: 'file:../../icons/dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ "Send " + $parameter["messageType"] }}',
		description: 'Send text, markdown, link, actionCard and feedCard messages to a DingTalk group through its robot',
		defaults: {
			name: 'DingTalk Robot',
		},
		usableAsTool: true,
		// n8n's scanner asks for NodeConnectionTypes; the older nodes-base rules predate it.
		// eslint-disable-next-line n8n-nodes-base/node-class-description-inputs-wrong-regular-node
		inputs: [NodeConnectionTypes.Main],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'dingTalkRobotApi',
				required: true,
			},
		],
		properties: dingTalkRobotProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await sendMessages.call(this);
	}
}
