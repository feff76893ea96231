import type { INodeProperties } from 'n8n-workflow';

import { cardActionAnswerProperties, cardActionFilterOptions, eventsProperty } from '../shared/incoming/cardActionDescription';
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
	eventsProperty('Clicks on the buttons of the app robot\'s cards made with Button Clicks Come Back: Over HTTP, whose route key is registered with DingTalk for this URL'),
	{
		displayName:
			'Card clicks over HTTP: register this node\'s Production URL with DingTalk for a route key and an apiSecret (POST /v1.0/card/callbacks/register), put the apiSecret in the credential\'s Card Callback API Secret, and create the cards with that route key (Create Card › Options › Button Clicks Come Back: Over HTTP).',
		name: 'cardSetupNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { events: ['cardActions', 'both'] } },
	},
	...cardActionAnswerProperties,
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
		description: 'How robot messages are answered (a card click gets its card answer at once)',
		displayOptions: { hide: { events: ['cardActions'] } },
	},
	{
		displayName: 'Reply Text',
		name: 'responseText',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		required: true,
		placeholder: 'Got it, working on it…',
		displayOptions: { show: { response: ['text'] }, hide: { events: ['cardActions'] } },
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
		options: [...messageFilterOptions, ...cardActionFilterOptions, ...downloadLimitOptions],
	},
];
