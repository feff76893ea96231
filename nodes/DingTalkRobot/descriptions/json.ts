import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

export const jsonProperties: INodeProperties[] = [
	{
		displayName: 'JSON Body',
		name: 'jsonBody',
		type: 'json',
		default: '{\n  "msgtype": "text",\n  "text": { "content": "Hello from n8n" }\n}',
		required: true,
		description:
			'A complete DingTalk robot message (msgtype text, markdown, link, actionCard or feedCard, with DingTalk\'s field casing). It is checked before sending; a msgUuid is added when it has none.',
		displayOptions: forMessageTypes('json'),
	},
];
