import type { INodeProperties } from 'n8n-workflow';

import { AI_CARD_TEMPLATE_ID } from '../../messages/cardData';
import { cardDestinationProperties } from './destination';

const on = (...operations: string[]) => ({ show: { operation: operations } });

/** The card's variables, from fields or from JSON: Create Card and Update Card. */
function cardDataProperties(operation: string): INodeProperties[] {
	return [
		{
			displayName: 'Card Data',
			name: 'cardDataMode',
			type: 'options',
			options: [
				{ name: 'Using Fields Below', value: 'fields' },
				{ name: 'Using JSON', value: 'json' },
			],
			default: 'fields',
			displayOptions: on(operation),
		},
		{
			displayName: 'Variables',
			name: 'cardVariables',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true, sortable: true },
			placeholder: 'Add variable',
			default: {},
			description: 'The card template\'s variables and their values; lists and objects are sent as JSON text, as DingTalk requires',
			displayOptions: { show: { operation: [operation], cardDataMode: ['fields'] } },
			options: [
				{
					displayName: 'Variable',
					name: 'values',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. msgTitle' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: 'JSON',
			name: 'cardDataJson',
			type: 'json',
			default: '{}',
			description: 'An object of the card template\'s variables, e.g. {"msgTitle": "Answer", "choices": ["Yes", "No"]}',
			displayOptions: { show: { operation: [operation], cardDataMode: ['json'] } },
		},
	];
}

const aiCardState = (operation: string, fallback: string): INodeProperties => ({
	displayName: 'AI Card State',
	name: 'aiCardState',
	type: 'options',
	options: [
		{ name: 'Do Not Set', value: 'none', description: 'A card of your own template without an AI state' },
		{ name: 'Failed', value: 'failed' },
		{ name: 'Finished', value: 'finished' },
		{ name: 'Inputting (Answer Coming In)', value: 'inputting' },
		{ name: 'Processing (Thinking…)', value: 'processing' },
	],
	default: fallback,
	description: 'The state an AI card shows (its flowStatus variable)',
	displayOptions: on(operation),
});

export const cardProperties: INodeProperties[] = [
	{
		displayName:
			'Cards are sent by an app robot (DingTalk App credential). The app needs the permissions Card.Instance.Write and, to stream text, Card.Streaming.Write; a template of your own must be published in DingTalk\'s card platform.',
		name: 'cardNotice',
		type: 'notice',
		default: '',
		displayOptions: on('createCard', 'updateCard', 'streamCardText'),
	},
	{
		displayName: 'Card Template ID',
		name: 'cardTemplateId',
		type: 'string',
		default: AI_CARD_TEMPLATE_ID,
		required: true,
		description: 'The template\'s ID (….schema) from DingTalk\'s card platform. The default is DingTalk\'s public AI card (msgTitle, msgContent streaming markdown, flowStatus).',
		displayOptions: on('createCard'),
	},
	...cardDestinationProperties({ operation: ['createCard'] }),
	...cardDataProperties('createCard'),
	aiCardState('createCard', 'processing'),
	{
		displayName: 'Out Track ID',
		name: 'outTrackId',
		type: 'string',
		default: '',
		placeholder: 'Empty: one the node chooses',
		description: 'The ID you update and stream into the card with (1 to 64 letters, digits, _ or -). Empty: the node chooses one and outputs it.',
		displayOptions: on('createCard'),
	},
	{
		displayName: 'Out Track ID',
		name: 'outTrackId',
		type: 'string',
		default: '={{ $json.outTrackId }}',
		required: true,
		description: 'The card\'s outTrackId, as Create Card output it',
		displayOptions: on('updateCard', 'streamCardText'),
	},
	...cardDataProperties('updateCard'),
	{
		displayName: 'Update',
		name: 'cardUpdateMode',
		type: 'options',
		options: [
			{ name: 'Only These Variables', value: 'merge', description: 'The other variables keep their values' },
			{ name: 'All Variables', value: 'replace', description: 'Variables not given are emptied' },
		],
		default: 'merge',
		displayOptions: on('updateCard'),
	},
	aiCardState('updateCard', 'none'),
	{
		displayName: 'Variable',
		name: 'streamKey',
		type: 'string',
		default: 'msgContent',
		required: true,
		description: 'The card variable that streams (the public AI card\'s is msgContent)',
		displayOptions: on('streamCardText'),
	},
	{
		displayName: 'Text',
		name: 'streamText',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Markdown: each item\'s text, in item order. Updates are combined: a fast producer makes one call per round trip, not one per chunk.',
		displayOptions: on('streamCardText'),
	},
	{
		displayName: 'Text Is',
		name: 'streamTextMode',
		type: 'options',
		options: [
			{ name: 'A Chunk to Append', value: 'append' },
			{ name: 'The Whole Text So Far', value: 'full' },
		],
		default: 'append',
		displayOptions: on('streamCardText'),
	},
	{
		displayName: 'Finalize',
		name: 'streamFinalize',
		type: 'boolean',
		default: false,
		description: 'Whether this is the end of the text: the card shows it finished (sent with the last item, or with each item where it is true)',
		displayOptions: on('streamCardText'),
	},
	{
		displayName: 'Mark as Failed',
		name: 'streamFailed',
		type: 'boolean',
		default: false,
		description: 'Whether the answer failed: the card shows its failed state with the text so far (ends the text too)',
		displayOptions: on('streamCardText'),
	},
	{
		displayName: 'Robot Code',
		name: 'robotCode',
		type: 'string',
		default: '',
		placeholder: 'Default: the credential\'s Robot Code, or its Client ID',
		displayOptions: on('createCard'),
	},
	{
		displayName: 'Options',
		name: 'cardOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: on('createCard'),
		options: [
			{
				displayName: 'Button Clicks Come Back',
				name: 'callback',
				type: 'options',
				options: [
					{ name: 'Over Stream (DingTalk Stream Trigger)', value: 'stream' },
					{ name: 'Over HTTP (a Registered Route)', value: 'http' },
				],
				default: 'stream',
			},
			{
				displayName: 'HTTP Route Key',
				name: 'callbackRouteKey',
				type: 'string',
				default: '',
				description: 'The callbackRouteKey registered with DingTalk for the URL your clicks go to (Over HTTP)',
			},
			{
				displayName: 'Fall Back to Markdown',
				name: 'fallbackToMarkdown',
				type: 'boolean',
				default: false,
				description: 'Whether to send Fallback Text as a markdown message when DingTalk cannot create or deliver the card, so that the person still gets it',
			},
			{
				displayName: 'Fallback Text',
				name: 'fallbackText',
				type: 'string',
				typeOptions: { rows: 3 },
				default: '',
				description: 'The markdown sent instead of the card',
			},
		],
	},
];
