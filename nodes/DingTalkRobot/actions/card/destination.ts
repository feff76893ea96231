/**
 * Where a card goes, the same form on Create Card and on the DingTalk AI Card node: a group, a
 * user's one-to-one chat with the robot, or where the answered message came from (the trigger
 * item's conversation type picks one of the two).
 */
import type { INodeProperties } from 'n8n-workflow';

export function cardDestinationProperties(show: Record<string, string[]> = {}): INodeProperties[] {
	const when = (...destinations: string[]) => ({ show: { ...show, cardDestination: destinations } });
	return [
		{
			displayName: 'Conversation Type',
			name: 'cardDestination',
			type: 'options',
			options: [
				{ name: 'Group', value: 'group' },
				{ name: 'User (One-to-One)', value: 'user' },
				{ name: 'Where the Message Came From', value: 'message', description: 'The group or one-to-one chat of the trigger item, by its conversation type' },
			],
			default: 'message',
			...(Object.keys(show).length > 0 && { displayOptions: { show } }),
		},
		{
			displayName: 'Message Conversation Type',
			name: 'messageConversationType',
			type: 'string',
			default: '={{ $json.conversation?.type }}',
			required: true,
			description: 'The conversation type of the message answered: "group" answers in its group (Conversation ID), "oneToOne" to its sender (User ID)',
			displayOptions: when('message'),
		},
		{
			displayName: 'Conversation ID',
			name: 'cardOpenConversationId',
			type: 'string',
			default: '={{ $json.conversation?.id }}',
			required: true,
			description: 'The openConversationId of a group the robot is in: by default the group of the trigger item',
			displayOptions: when('group', 'message'),
		},
		{
			displayName: 'User ID',
			name: 'cardUserId',
			type: 'string',
			default: '={{ $json.sender?.staffId }}',
			required: true,
			description: 'The user to show the card to in the robot\'s one-to-one chat: by default the sender of the trigger item',
			displayOptions: when('user', 'message'),
		},
	];
}
