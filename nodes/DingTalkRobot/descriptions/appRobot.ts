import type { INodeProperties } from 'n8n-workflow';

const forAppRobot = { show: { target: ['app'] } };

/** Where an app robot's message goes: one group, or up to any number of users (20 per call). */
export const appRobotProperties: INodeProperties[] = [
	{
		displayName: 'Conversation Type',
		name: 'appDestination',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Group', value: 'group', description: 'A group the robot is in, by its openConversationId' },
			{ name: 'Users (One-to-One)', value: 'users', description: 'Employees by user ID, each in their one-to-one chat with the robot' },
		],
		default: 'group',
		displayOptions: forAppRobot,
	},
	{
		displayName: 'Conversation ID',
		name: 'openConversationId',
		type: 'string',
		default: '={{ $json.conversation?.id }}',
		required: true,
		placeholder: 'cidxxxxxxxx==',
		description: 'The openConversationId of the group: a DingTalk Robot Trigger or Stream Trigger item has it in its conversation field (the default takes it from there). The robot must be in the group.',
		displayOptions: { show: { target: ['app'], appDestination: ['group'] } },
	},
	{
		displayName: 'User IDs',
		name: 'userIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. manager1234, user5678',
		description:
			'The user IDs (staff IDs) to write to, separated by commas or new lines, or an array from an expression. DingTalk takes 20 per call: larger lists are sent in several calls.',
		displayOptions: { show: { target: ['app'], appDestination: ['users'] } },
	},
	{
		displayName: 'Robot Code',
		name: 'robotCode',
		type: 'string',
		default: '',
		placeholder: 'Default: the credential\'s Robot Code, or its Client ID',
		description: 'The robot\'s code (developer console › your app › Robot). Leave empty to use the credential\'s.',
		displayOptions: forAppRobot,
	},
];
