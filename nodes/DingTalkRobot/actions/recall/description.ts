import type { INodeProperties } from 'n8n-workflow';

const forRecall = { show: { operation: ['recall'] } };

export const recallProperties: INodeProperties[] = [
	{
		displayName:
			'Only an app robot\'s messages can be recalled, with its DingTalk App credential: a group robot\'s webhook and session webhooks have no recall. DingTalk recalls messages up to 24 hours old.',
		name: 'recallNotice',
		type: 'notice',
		default: '',
		displayOptions: forRecall,
	},
	{
		displayName: 'Recall From',
		name: 'recallFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Group', value: 'group', description: 'Messages the robot sent to a group' },
			{ name: 'Users (One-to-One)', value: 'users', description: 'Messages the robot sent one-to-one' },
		],
		default: 'group',
		displayOptions: forRecall,
	},
	{
		displayName: 'Conversation ID',
		name: 'recallOpenConversationId',
		type: 'string',
		default: '={{ $json.openConversationId }}',
		required: true,
		description: 'The openConversationId of the group the messages were sent to (the send\'s output has it)',
		displayOptions: { show: { operation: ['recall'], recallFrom: ['group'] } },
	},
	{
		displayName: 'Process Query Keys',
		name: 'processQueryKeys',
		type: 'string',
		default: '={{ $json.processQueryKeys ?? $json.processQueryKey }}',
		required: true,
		description:
			'The processQueryKey of each message to take back, as the send\'s output gives it (processQueryKey, or processQueryKeys for one-to-one messages to many users): one, several separated by commas, or an array',
		displayOptions: forRecall,
	},
	{
		displayName: 'Robot Code',
		name: 'robotCode',
		type: 'string',
		default: '',
		placeholder: 'Default: the credential\'s Robot Code, or its Client ID',
		description: 'The code of the robot that sent the messages. Leave empty to use the credential\'s.',
		displayOptions: forRecall,
	},
];
