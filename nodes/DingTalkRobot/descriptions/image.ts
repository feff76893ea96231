import type { INodeProperties } from 'n8n-workflow';

export const imageProperties: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'URL', value: 'url', description: 'A picture DingTalk downloads from an http(s) URL' },
			{ name: 'Binary Data', value: 'binary', description: 'A picture in the item\'s binary data, uploaded to DingTalk' },
		],
		default: 'url',
		displayOptions: { show: { messageType: ['image'], target: ['app'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'imageBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the input item that holds the picture (jpg, png, gif or bmp, up to 20 MB)',
		displayOptions: { show: { messageType: ['image'], target: ['app'], imageSource: ['binary'] } },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/chart.png',
		description:
			'An http(s) picture DingTalk can download (a chart, a dashboard screenshot). A group robot sends it as a markdown image, the way DingTalk documents pictures for webhooks; an app robot as a picture message.',
		displayOptions: { show: { messageType: ['image'] }, hide: { imageSource: ['binary'] } },
	},
	{
		displayName: 'Title',
		name: 'imageTitle',
		type: 'string',
		default: '',
		placeholder: 'e.g. CPU last 24 h',
		description: 'Shown in the notification and the chat list (default: Image)',
		displayOptions: { show: { messageType: ['image'] }, hide: { target: ['app'] } },
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Markdown text shown below the picture',
		displayOptions: { show: { messageType: ['image'] }, hide: { target: ['app'] } },
	},
];
