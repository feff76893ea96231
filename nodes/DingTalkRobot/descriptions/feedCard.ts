import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

export const feedCardProperties: INodeProperties[] = [
	{
		displayName: 'Links',
		name: 'links',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Link',
		default: {},
		required: true,
		description: 'The entries of the card, in order; the first one is shown large',
		displayOptions: forMessageTypes('feedCard'),
		options: [
			{
				displayName: 'Link',
				name: 'values',
				values: [
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						required: true,
					},
					{
						displayName: 'Message URL',
						name: 'messageUrl',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'https://example.com/article',
					},
					{
						displayName: 'Picture URL',
						name: 'picUrl',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'https://example.com/cover.png',
					},
				],
			},
		],
	},
];
