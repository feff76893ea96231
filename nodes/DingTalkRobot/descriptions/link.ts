import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

export const linkProperties: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		displayOptions: forMessageTypes('link'),
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'A short text under the title; long texts are cut by DingTalk',
		displayOptions: forMessageTypes('link'),
	},
	{
		displayName: 'Message URL',
		name: 'messageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/report',
		description: 'The page opened when the message is clicked',
		displayOptions: forMessageTypes('link'),
	},
	{
		displayName: 'Picture URL',
		name: 'picUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/cover.png',
		description: 'An image shown beside the text',
		displayOptions: forMessageTypes('link'),
	},
];
