import { SEND_AND_WAIT_OPERATION, type INodeProperties } from 'n8n-workflow';

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Create Card',
			value: 'createCard',
			action: 'Create a card',
			description: 'Send a card (an AI card, or one of your templates with buttons) into a group or one-to-one, as the app robot',
		},
		{
			name: 'Download File',
			value: 'downloadFile',
			action: 'Download a file sent to the robot',
			description: 'Get a picture, voice note, video or file someone sent the app robot, by its downloadCode, as binary data',
		},
		{
			name: 'Recall Message',
			value: 'recall',
			action: 'Recall a message',
			description: 'Take back messages an app robot sent (DingTalk allows it within 24 hours)',
		},
		{
			name: 'Send and Wait for Response',
			value: SEND_AND_WAIT_OPERATION,
			action: 'Send message and wait for response',
			description: 'Post a message with buttons (approve, decline, or a form to fill in) and pause the workflow until someone answers',
		},
		{
			name: 'Send Message',
			value: 'send',
			action: 'Send a message',
			description: 'Post a message as a group robot, an app robot, or as a reply in the conversation of a trigger item',
		},
		{
			name: 'Stream Card Text',
			value: 'streamCardText',
			action: 'Stream text into a card',
			description: 'Write an answer into an AI card as it comes, chunk by chunk or whole, then finalize it',
		},
		{
			name: 'Update Card',
			value: 'updateCard',
			action: 'Update a card',
			description: 'Change a card\'s variables, or an AI card\'s state, by its outTrackId',
		},
	],
	default: 'send',
};

/** The operations that send as the group robot, with its webhook credential; every other one uses the app's. */
export const ROBOT_WEBHOOK_OPERATIONS = ['send', SEND_AND_WAIT_OPERATION];

/** The operations that never use the group robot's webhook (all the others). */
export const OPERATIONS_WITHOUT_ROBOT_WEBHOOK = (operationProperty.options ?? [])
	.map((option) => String((option as { value: unknown }).value))
	.filter((value) => !ROBOT_WEBHOOK_OPERATIONS.includes(value));
