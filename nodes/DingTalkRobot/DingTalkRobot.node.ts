import {
	NodeConnectionTypes,
	SEND_AND_WAIT_OPERATION,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { createCards } from './actions/card/create';
import { streamCardTexts } from './actions/card/stream';
import { updateCards } from './actions/card/update';
import { downloadFiles } from './actions/downloadFile/execute';
import { recallMessages } from './actions/recall/execute';
import { sendMessages } from './actions/send/execute';
import { sendAndWait } from './actions/sendAndWait/execute';
import { dingTalkRobotProperties } from './descriptions';
import { OPERATIONS_WITHOUT_ROBOT_WEBHOOK } from './descriptions/operation';
import { SEND_AND_WAIT_WEBHOOKS, SEND_AND_WAIT_WAITING_TOOLTIP, sendAndWaitWebhook } from './sendAndWait/webhook';

export class DingTalkRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Robot',
		name: 'dingTalkRobot',
		icon: { light: 'file:../../icons/dingtalk.svg', dark: 'file:../../icons/dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{ $parameter["operation"] === "sendAndWait" ? "Send and wait for response" : $parameter["operation"] === "recall" ? "Recall messages" : $parameter["operation"] === "downloadFile" ? "Download a received file" : $parameter["operation"] === "createCard" ? "Create a card" : $parameter["operation"] === "updateCard" ? "Update a card" : $parameter["operation"] === "streamCardText" ? "Stream text into a card" : ($parameter["target"] === "session" ? "Reply with " : $parameter["target"] === "response" ? "Answer with " : $parameter["target"] === "app" ? "App robot: " : "Send ") + $parameter["messageType"] }}',
		description:
			'Send text, markdown, link, actionCard, feedCard, image and file messages to DingTalk as a group robot or an app robot, reply to a DingTalk trigger message, send and wait for a person\'s answer, recall an app robot\'s messages, download a file people sent it, or create, update and stream text into cards',
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
				// replies and answers to the trigger need no robot webhook, nor do the app's operations.
				// "hide", not "show" (as below): with "show" n8n's editor takes a Send To all of whose
				// values pick a credential (Send and Wait's had one) for the authentication field and hides it
				displayOptions: { hide: { target: ['app', 'session', 'response'], operation: OPERATIONS_WITHOUT_ROBOT_WEBHOOK } },
			},
			{
				name: 'dingTalkAppApi',
				required: true,
				// sending as the app robot, and recalling its messages (Recall has no Send To). "hide", not
				// "show": n8n's editor takes a field all of whose values pick a credential by "show" for the
				// node's authentication field, and hides it and every field that depends on it (Operation, Send To)
				displayOptions: { hide: { target: ['robot', 'session', 'response'] } },
			},
		],
		// Send and Wait for Response: the links of its message resume the waiting execution here
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		waitingNodeTooltip: SEND_AND_WAIT_WAITING_TOOLTIP,
		properties: dingTalkRobotProperties,
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0, 'send');
		if (operation === SEND_AND_WAIT_OPERATION) return await sendAndWait.call(this);
		if (operation === 'recall') return await recallMessages.call(this);
		if (operation === 'downloadFile') return await downloadFiles.call(this);
		if (operation === 'createCard') return await createCards.call(this);
		if (operation === 'updateCard') return await updateCards.call(this);
		if (operation === 'streamCardText') return await streamCardTexts.call(this);
		return await sendMessages.call(this);
	}
}
