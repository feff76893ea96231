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
		inputs: [NodeConnectionTypes.Main],
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
