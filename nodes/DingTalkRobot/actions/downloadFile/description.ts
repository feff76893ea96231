import type { INodeProperties } from 'n8n-workflow';

const forDownload = { show: { operation: ['downloadFile'] } };

export const downloadFileProperties: INodeProperties[] = [
	{
		displayName:
			'Downloads a file someone sent the app robot (a picture, voice note, video or file of a DingTalk trigger item, or of a message it quotes) by its downloadCode, with the DingTalk App credential of the robot that received it. DingTalk keeps the code valid for a while, not for ever.',
		name: 'downloadNotice',
		type: 'notice',
		default: '',
		displayOptions: forDownload,
	},
	{
		displayName: 'Download Code',
		name: 'downloadCode',
		type: 'string',
		default: '={{ $json.attachments?.[0]?.downloadCode ?? $json.quoted?.attachments?.[0]?.downloadCode }}',
		required: true,
		description: 'The downloadCode of the file, as a trigger item\'s attachments (or quoted.attachments) give it',
		displayOptions: forDownload,
	},
	{
		displayName: 'File Name',
		name: 'downloadFileName',
		type: 'string',
		default: '={{ $json.attachments?.[0]?.fileName ?? "" }}',
		description: 'The name to give the file. Empty: "file", with the extension its content shows.',
		displayOptions: forDownload,
	},
	{
		displayName: 'Put Output File in Field',
		name: 'downloadBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the output item to put the file in',
		displayOptions: forDownload,
	},
	{
		displayName: 'Robot Code',
		name: 'robotCode',
		type: 'string',
		default: '={{ $json.robotCode ?? "" }}',
		placeholder: 'Default: the credential\'s Robot Code, or its Client ID',
		description: 'The code of the robot that received the file (a trigger item\'s robotCode). Empty: the credential\'s.',
		displayOptions: forDownload,
	},
	{
		displayName: 'Options',
		name: 'downloadOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: forDownload,
		options: [
			{
				displayName: 'Max File Size (MB)',
				name: 'maxFileSizeMb',
				type: 'number',
				typeOptions: { minValue: 0.001, numberPrecision: 3 },
				default: 20,
				description: 'A larger file is not downloaded (and no more of it is read): the item fails saying so',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 60,
				description: 'How long the link and the file may take together',
			},
		],
	},
];
