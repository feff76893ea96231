import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

export const markdownProperties: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		description: 'Shown in the notification and the chat list; not in the message itself',
		displayOptions: forMessageTypes('markdown'),
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 8 },
		default: '',
		required: true,
		placeholder: '#### Alert\n> **{{ $json.service }}** is down\n\n[Open the dashboard](https://example.com)',
		description:
			'The message in DingTalk\'s markdown: headings (#), quotes (>), **bold**, *italic*, [links](https://…), ![images](https://…), - and 1. lists. Use new lines for line breaks.',
		displayOptions: forMessageTypes('markdown'),
	},
];
