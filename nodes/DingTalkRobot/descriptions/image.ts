import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

export const imageProperties: INodeProperties[] = [
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/chart.png',
		description:
			'An http(s) picture DingTalk can download (a chart, a dashboard screenshot). It is sent as a markdown image, the way DingTalk documents pictures for robots.',
		displayOptions: forMessageTypes('image'),
	},
	{
		displayName: 'Title',
		name: 'imageTitle',
		type: 'string',
		default: '',
		placeholder: 'e.g. CPU last 24 h',
		description: 'Shown in the notification and the chat list (default: Image)',
		displayOptions: forMessageTypes('image'),
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Markdown text shown below the picture',
		displayOptions: forMessageTypes('image'),
	},
];
