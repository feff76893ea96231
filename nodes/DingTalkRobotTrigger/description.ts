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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: messageFilterOptions,
	},
];
