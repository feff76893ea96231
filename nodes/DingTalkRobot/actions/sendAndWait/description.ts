import { SEND_AND_WAIT_OPERATION, updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { formFieldsProperties } from '../../descriptions/formFields';
import { mentionsProperty } from '../../descriptions/mentions';
import { sendAndWaitAppProperties } from './appDescription';
import { approvalOptionsProperty, formOptionsProperty } from './options';

/**
 * Send and Wait for Response: n8n's form for its own Send and Wait nodes (Response Type,
 * Approval Options, Custom Form fields, Options), with the message as DingTalk shows it (a
 * title for the notification, markdown text, mentions). Send To lists where the message goes.
 */

const targetProperty: INodeProperties = {
	displayName: 'Send To',
	name: 'target',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Group Robot (Webhook Credential)',
			value: 'robot',
			description: 'An actionCard in the robot\'s group; its buttons open n8n, which must be reachable from where people click',
		},
		{
			name: 'App Robot (App Credential)',
			value: 'app',
			description: 'A card of the app robot in a group or one-to-one; approval clicks come back over the app\'s Stream connection',
		},
	],
	default: 'robot',
};

const approvalOptionsValues: INodeProperties[] = [
	{
		displayName: 'Type of Approval',
		name: 'approvalType',
		type: 'options',
		placeholder: 'Add option',
		default: 'single',
		options: [
			{ name: 'Approve Only', value: 'single' },
			{ name: 'Approve and Disapprove', value: 'double' },
		],
	},
	{
		displayName: 'Approve Button Label',
		name: 'approveLabel',
		type: 'string',
		default: 'Approve',
		displayOptions: { show: { approvalType: ['single', 'double'] } },
	},
	{
		displayName: 'Disapprove Button Label',
		name: 'disapproveLabel',
		type: 'string',
		default: 'Decline',
		displayOptions: { show: { approvalType: ['double'] } },
	},
];

export const sendAndWaitProperties: INodeProperties[] = updateDisplayOptions({ show: { operation: [SEND_AND_WAIT_OPERATION] } }, [
	targetProperty,
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		placeholder: 'e.g. Approval required',
		description: 'Shown in the notification and the chat list; empty: the first line of the message',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		description: 'The text above the buttons, in DingTalk\'s markdown',
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		options: [
			{ name: 'Approval', value: 'approval', description: 'User can approve/disapprove from within the message' },
			{ name: 'Free Text', value: 'freeText', description: 'User can submit a response via a form' },
			{ name: 'Custom Form', value: 'customForm', description: 'User can submit a response via a custom form' },
		],
	},
	...updateDisplayOptions({ show: { responseType: ['customForm'] } }, formFieldsProperties),
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add option',
		default: {},
		options: [{ displayName: 'Values', name: 'values', values: approvalOptionsValues }],
		displayOptions: { show: { responseType: ['approval'] } },
	},
	...sendAndWaitAppProperties,
	// the app robot's cards and templates take no mentions
	{ ...mentionsProperty, displayOptions: { show: { target: ['robot'] } } },
	approvalOptionsProperty,
	formOptionsProperty,
]);
