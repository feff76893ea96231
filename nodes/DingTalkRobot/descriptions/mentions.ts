import type { INodeProperties } from 'n8n-workflow';

export const mentionsProperty: INodeProperties = {
	displayName: 'Mentions',
	name: 'mentions',
	type: 'collection',
	placeholder: 'Add Mention',
	default: {},
	description: 'People to @-mention. DingTalk only highlights a mention that also appears as @… in the message; the node adds the missing ones (see Options).',
	displayOptions: { show: { messageType: ['text', 'markdown', 'actionCard', 'image'] }, hide: { target: ['app'] } },
	options: [
		{
			displayName: 'Mention Everyone',
			name: 'isAtAll',
			type: 'boolean',
			default: false,
			description: 'Whether to mention everyone in the group (@all)',
		},
		{
			displayName: 'Mobiles',
			name: 'atMobiles',
			type: 'string',
			default: '',
			placeholder: 'e.g. 13800000000, 13900000000',
			description:
				'Mobile numbers of the people to mention, separated by commas or new lines (13800000000, +86 138 0013 8000; or an array from an expression). Anything that is not a mobile number is refused.',
		},
		{
			displayName: 'User IDs',
			name: 'atUserIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. manager1234, user5678',
			description: 'DingTalk user IDs of the people to mention, separated by commas, spaces or new lines (or an array from an expression)',
		},
	],
};
