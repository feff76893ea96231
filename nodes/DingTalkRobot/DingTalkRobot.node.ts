import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { dingTalkRobotProperties } from './descriptions';
import { sendMessages } from './actions/send/execute';

export class DingTalkRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Robot',
		name: 'dingTalkRobot',
		icon: { light: 'file:../../icons/dingtalk.svg', dark: 'file:../../icons/dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ ($parameter["target"] === "session" ? "Reply with " : $parameter["target"] === "response" ? "Answer with " : "Send ") + $parameter["messageType"] }}',
		description: 'Send text, markdown, link, actionCard and feedCard messages to a DingTalk group through its robot, or reply to a DingTalk Robot Trigger message',
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
				// replies and answers to the trigger need no robot webhook
				displayOptions: { show: { target: ['robot'] } },
			},
		],
		properties: dingTalkRobotProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await sendMessages.call(this);
	}
}
