import type { INodeProperties } from 'n8n-workflow';

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Send Message',
			value: 'send',
			action: 'Send a message',
			description: 'Post a message as a group robot, an app robot, or as a reply in the conversation of a trigger item',
		},
		{
			name: 'Recall Message',
			value: 'recall',
			action: 'Recall a message',
			description: 'Take back messages an app robot sent (DingTalk allows it within 24 hours)',
		},
		{
			name: 'Download File',
			value: 'downloadFile',
			action: 'Download a file sent to the robot',
			description: 'Get a picture, voice note, video or file someone sent the app robot, by its downloadCode, as binary data',
		},
	],
	default: 'send',
};
