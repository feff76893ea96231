import type { INodeProperties } from 'n8n-workflow';

/**
 * Which messages start the workflow, and how their text is cleaned: the same for the HTTP
 * trigger and the Stream trigger, whose items are the same.
 */
export const messageFilterOptions: INodeProperties[] = [
	{
		displayName: 'Conversation Types',
		name: 'conversationTypes',
		type: 'multiOptions',
		options: [
			{ name: 'Group Chat', value: 'group' },
			{ name: 'One-to-One Chat', value: 'oneToOne' },
		],
		default: ['group', 'oneToOne'],
		description: 'Run the workflow only for messages from these kinds of conversations; others start nothing',
	},
	{
		displayName: 'Only When the Robot Is Mentioned',
		name: 'onlyWhenMentioned',
		type: 'boolean',
		default: false,
		description:
			'Whether to run the workflow only for messages that @-mention the robot (one-to-one messages always count as mentioning it)',
	},
	{
		displayName: 'Robot Name',
		name: 'robotName',
		type: 'string',
		default: '',
		placeholder: 'n8n bot',
		description: 'The robot\'s name in the group. A leading "@Robot Name" is removed from the text if DingTalk left it there.',
	},
];

/** Download Attachments: the switch (with what it needs, per trigger) and its notice. */
export function downloadAttachmentsProperties(needs: string): INodeProperties[] {
	return [
		{
			displayName: 'Download Attachments',
			name: 'downloadAttachments',
			type: 'boolean',
			default: false,
			description: 'Whether to download each picture, voice note, video and file of a message as binary data on its item (attachment_0, attachment_1, …)',
		},
		{
			displayName: `${needs} DingTalk delivers pictures and rich text from groups; voice notes, videos and files only in one-to-one chats with the robot. A file that cannot be downloaded (too large, its code expired, the storage refusing) is marked not downloaded, with the reason, and the workflow still runs.`,
			name: 'downloadNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { downloadAttachments: [true] } },
		},
	];
}

/** The limits of Download Attachments, in the trigger's Options (their defaults: DEFAULT_DOWNLOAD_OPTIONS in receivedFiles.ts). */
export const downloadLimitOptions: INodeProperties[] = [
	{
		displayName: 'Max File Size (MB)',
		name: 'maxFileSizeMb',
		type: 'number',
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		default: 20,
		description: 'A larger file is not downloaded (and no more of it is read); its attachment says so',
		displayOptions: { show: { '/downloadAttachments': [true] } },
	},
	{
		displayName: 'Max Size per Message (MB)',
		name: 'maxMessageSizeMb',
		type: 'number',
		typeOptions: { minValue: 0.001, numberPrecision: 3 },
		default: 50,
		description: 'Files of one message are downloaded, in order, until they add up to this',
		displayOptions: { show: { '/downloadAttachments': [true] } },
	},
	{
		displayName: 'Download Timeout (Seconds)',
		name: 'downloadTimeoutSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		description: 'How long one file may take; past it the file is marked not downloaded and the workflow runs',
		displayOptions: { show: { '/downloadAttachments': [true] } },
	},
];
