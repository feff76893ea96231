import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

export const textProperties: INodeProperties[] = [
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		placeholder: 'e.g. Disk usage on {{ $json.host }} is {{ $json.usage }}%',
		description: 'The text of the message',
		displayOptions: forMessageTypes('text'),
	},
];
