import type { INodeProperties } from 'n8n-workflow';

import { downloadAttachmentsProperties, downloadLimitOptions, messageFilterOptions } from '../shared/incoming/description';

export const dingTalkRobotTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Set this node\'s Production URL as the robot\'s message receiving address in DingTalk (app robot: Robot configuration › Message receiving mode: HTTP; custom robot: Outgoing). Every call is checked with the credential before the workflow runs.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName:
			'Prefer the App Secret in the credential: with an Outgoing Token only, a call carries no time and no signature, so a token that leaked once is accepted for ever. With the App Secret, a call must be signed within the hour, and a signature seen with another message is refused.',
		name: 'secretNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Respond',
		name: 'response',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Immediately, Without a Message',
				value: 'empty',
				description: 'Answer {"msgtype":"empty"} at once; reply later with a DingTalk Robot node (Send To: Reply in the Conversation)',
			},
			{
				name: 'Immediately, With a Fixed Text',
				value: 'text',
				description: 'Answer with the same text message every time, then run the workflow',
			},
			{
				name: 'From a Later Node (Synchronous Reply)',
				value: 'responseNode',
				description:
					'Wait for a DingTalk Robot node with Send To: Answer the Trigger Call. Only for quick answers: DingTalk does not wait long.',
			},
		],
		default: 'empty',
	},
	{
		displayName: 'Reply Text',
		name: 'responseText',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		required: true,
		placeholder: 'Got it, working on it…',
		displayOptions: { show: { response: ['text'] } },
	},
	...downloadAttachmentsProperties(
		'Needs the DingTalk App credential of the robot (its Client ID and Client Secret; a custom robot\'s Outgoing calls carry no files).',
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [...messageFilterOptions, ...downloadLimitOptions],
	},
];
