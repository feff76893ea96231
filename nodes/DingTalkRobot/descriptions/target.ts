import type { INodeProperties } from 'n8n-workflow';

export const targetProperty: INodeProperties = {
	displayName: 'Send To',
	name: 'target',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Group Robot (Webhook Credential)',
			value: 'robot',
			description: 'Post to the group of the robot whose webhook is in the DingTalk Robot credential',
		},
		{
			name: 'App Robot (OpenAPI)',
			value: 'app',
			description: 'Send as an app robot (enterprise internal app) to any group it is in, or one-to-one to users; with the DingTalk App credential',
		},
		{
			name: 'Reply in the Conversation',
			value: 'session',
			description: 'Post to the conversation a DingTalk Robot Trigger message came from (its session webhook)',
		},
		{
			name: 'Answer the Trigger Call',
			value: 'response',
			description: 'Make this message the answer to the DingTalk Robot Trigger\'s call (Respond: From a Later Node); one message per execution',
		},
	],
	default: 'robot',
};

const forSessionReplies = { show: { target: ['session'] } };

export const sessionProperties: INodeProperties[] = [
	{
		displayName: 'Session Webhook',
		name: 'sessionWebhook',
		type: 'string',
		default: '={{ $json.sessionWebhook }}',
		required: true,
		description:
			'The sessionWebhook of the DingTalk Robot Trigger item to reply to. If other nodes come in between, take it from the trigger node\'s item (drag its sessionWebhook field here).',
		displayOptions: forSessionReplies,
	},
	{
		displayName: 'Session Expires At',
		name: 'sessionWebhookExpiresAt',
		type: 'string',
		default: '={{ $json.sessionWebhookExpiresAt }}',
		description:
			'When the session webhook stops accepting replies (the trigger\'s sessionWebhookExpiresAt: ISO time or milliseconds). An expired session is refused before sending. Leave empty to skip the check.',
		displayOptions: forSessionReplies,
	},
];
