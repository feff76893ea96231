import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { testCallbackCredential } from './credentialTest';
import { dingTalkRobotTriggerProperties } from './description';
import { receiveCallback } from './receiveCallback';

// No webhookMethods: DingTalk has no API to register a robot's message receiving URL; the user
// pastes the node's Production URL into the robot's settings (the notice on the form says so).
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete
export class DingTalkRobotTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Robot Trigger',
		name: 'dingTalkRobotTrigger',
		icon: { light: 'file:../../icons/dingtalk.svg', dark: 'file:../../icons/dingtalk.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'On @-mention',
		description: 'Starts the workflow when someone @-mentions the robot in DingTalk, or clicks a button of its cards, after checking DingTalk\'s signature',
		defaults: {
			name: 'DingTalk Robot Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'dingTalkRobotCallbackApi',
				required: true,
				testedBy: 'testCallbackCredential',
			},
			{
				// only to download the files of received messages (Download Attachments). Hidden while it
				// is off rather than shown while it is on: n8n's editor takes a field a credential is
				// shown by for the node's authentication choice, and then offers DingTalk App
				// credentials in the Callback credential's place
				name: 'dingTalkAppApi',
				required: true,
				displayOptions: { hide: { downloadAttachments: [false] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// the answer is the node's webhookResponse ({"msgtype":"empty"} or the fixed text),
				// or comes from a later node; never n8n's "Workflow was started"
				responseMode: '={{ $parameter["response"] === "responseNode" ? "responseNode" : "onReceived" }}',
				responseData: '',
				path: 'dingtalk',
			},
		],
		properties: dingTalkRobotTriggerProperties,
	};

	methods = {
		credentialTest: { testCallbackCredential },
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveCallback.call(this);
	}
}
