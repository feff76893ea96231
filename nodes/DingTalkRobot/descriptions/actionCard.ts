import type { INodeProperties } from 'n8n-workflow';

import { forMessageTypes } from './messageType';

const forButtonMode = (buttonMode: string) => ({
	show: { messageType: ['actionCard'], buttonMode: [buttonMode] },
});

export const actionCardProperties: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		description: 'Shown in the notification and the chat list',
		displayOptions: forMessageTypes('actionCard'),
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		required: true,
		description: 'The body of the card, in DingTalk\'s markdown',
		displayOptions: forMessageTypes('actionCard'),
	},
	{
		displayName: 'Button Mode',
		name: 'buttonMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'One Button for the Whole Card',
				value: 'single',
				description: 'A single button; the whole card opens its URL',
			},
			{
				name: 'One URL per Button',
				value: 'multiple',
				description: 'Several buttons, each opening its own URL',
			},
		],
		default: 'single',
		displayOptions: forMessageTypes('actionCard'),
	},
	{
		displayName: 'Button Title',
		name: 'singleTitle',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Read more',
		displayOptions: forButtonMode('single'),
	},
	{
		displayName: 'Button URL',
		name: 'singleUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/details',
		displayOptions: forButtonMode('single'),
	},
	{
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Button',
		default: {},
		displayOptions: forButtonMode('multiple'),
		options: [
			{
				displayName: 'Button',
				name: 'values',
				values: [
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'e.g. Approve',
					},
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'https://example.com/approve?ticket=42',
					},
				],
			},
		],
	},
	{
		displayName: 'Button Orientation',
		name: 'btnOrientation',
		type: 'options',
		options: [
			{ name: 'Horizontal', value: 'horizontal' },
			{ name: 'Vertical', value: 'vertical' },
		],
		default: 'vertical',
		displayOptions: forMessageTypes('actionCard'),
	},
	{
		displayName: 'Hide Robot Avatar',
		name: 'hideAvatar',
		type: 'boolean',
		default: false,
		description: 'Whether to hide the robot\'s avatar in the card',
		displayOptions: forMessageTypes('actionCard'),
	},
];
