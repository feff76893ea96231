import type { INodeProperties } from 'n8n-workflow';

/**
 * Send and Wait for Response › Options: n8n's own (Limit Wait Time, Append n8n Attribution, and
 * for the forms Message Button Label and the Response Form's title, description, button and
 * styling), same names and defaults, plus where DingTalk opens the buttons' links.
 */

const limitWaitTimeValues: INodeProperties[] = [
	{
		displayName: 'Limit Type',
		name: 'limitType',
		type: 'options',
		default: 'afterTimeInterval',
		description: 'Sets the condition for the execution to resume. Can be a specified date or after some time.',
		options: [
			{ name: 'After Time Interval', description: 'Waits for a certain amount of time', value: 'afterTimeInterval' },
			{ name: 'At Specified Time', description: 'Waits until the set date and time to continue', value: 'atSpecifiedTime' },
		],
	},
	{
		displayName: 'Amount',
		name: 'resumeAmount',
		type: 'number',
		displayOptions: { show: { limitType: ['afterTimeInterval'] } },
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 1,
		description: 'The time to wait',
	},
	{
		displayName: 'Unit',
		name: 'resumeUnit',
		type: 'options',
		displayOptions: { show: { limitType: ['afterTimeInterval'] } },
		options: [
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		default: 'hours',
		description: 'Unit of the interval value',
	},
	{
		displayName: 'Max Date and Time',
		name: 'maxDateAndTime',
		type: 'dateTime',
		displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
		default: '',
		description: 'Continue execution after the specified date and time',
	},
];

const limitWaitTime: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description:
		'Whether to limit the time this node waits for an answer. When the time is up the execution resumes, and the node passes its input items on unchanged (no "data"), as n8n\'s own nodes do.',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [{ displayName: 'Values', name: 'values', values: limitWaitTimeValues }],
};

const appendAttribution: INodeProperties = {
	// eslint-disable-next-line n8n-nodes-base/node-param-display-name-miscased -- n8n's own name of this option, kept so that habits carry over
	displayName: 'Append n8n Attribution',
	name: 'appendAttribution',
	type: 'boolean',
	default: true,
	description: 'Whether to include the phrase "This message was sent automatically with n8n" to the end of the message',
};

const openButtonsIn: INodeProperties = {
	displayName: 'Open Buttons In',
	name: 'openButtonsIn',
	type: 'options',
	default: 'dingTalk',
	description: 'Where DingTalk opens the buttons\' links on a desktop computer (phones open them in DingTalk). Whatever opens them must reach n8n.',
	options: [
		{
			name: 'Browser on Desktop',
			value: 'browser',
			description: 'The computer\'s web browser (its proxy and VPN settings apply)',
		},
		{
			name: 'DingTalk\'s Default',
			value: 'dingTalk',
			description: 'The plain link; DingTalk opens it as it opens any link',
		},
		{
			name: 'Side Panel on Desktop',
			value: 'sidePanel',
			description: 'DingTalk\'s side panel, beside the chat',
		},
	],
};

export const approvalOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [appendAttribution, limitWaitTime, openButtonsIn],
	displayOptions: { show: { responseType: ['approval'] } },
};

export const formOptionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		appendAttribution,
		limitWaitTime,
		{ displayName: 'Message Button Label', name: 'messageButtonLabel', type: 'string', default: 'Respond' },
		openButtonsIn,
		{
			displayName: 'Response Form Button Label',
			name: 'responseFormButtonLabel',
			type: 'string',
			default: 'Submit',
		},
		{
			displayName: 'Response Form Custom Styling',
			name: 'responseFormCustomCss',
			type: 'string',
			typeOptions: { rows: 10 },
			default: '',
			description: 'Override default styling of the response form with CSS',
		},
		{
			displayName: 'Response Form Description',
			name: 'responseFormDescription',
			type: 'string',
			default: '',
			description: 'Description of the form that the user can access to provide their response (default: the message)',
		},
		{
			displayName: 'Response Form Title',
			name: 'responseFormTitle',
			type: 'string',
			default: '',
			description: 'Title of the form that the user can access to provide their response',
		},
	],
	displayOptions: { show: { responseType: ['freeText', 'customForm'] } },
};
