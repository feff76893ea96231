import type { INodeProperties } from 'n8n-workflow';

import { cardDestinationProperties } from '../DingTalkRobot/actions/card/destination';
import { DEFAULT_CARD_UPDATE_INTERVAL_MS } from '../DingTalkRobot/transport/cardStreamer';
import { AI_CARD_CONTENT_KEY, AI_CARD_TEMPLATE_ID } from '../DingTalkRobot/messages/cardData';

export const DEFAULT_SYSTEM_MESSAGE =
	'You are the team\'s assistant in DingTalk. Answer in the language of the question, briefly, in DingTalk markdown (headings, bold, lists, links).';

export const dingTalkAiCardProperties: INodeProperties[] = [
	{
		displayName:
			'Shows an AI card in the conversation at once ("thinking…"), writes the connected chat model\'s answer into it as the tokens come, and ends it finished (or failed, with the error). Sent by the app robot of the DingTalk App credential; the app needs Card.Instance.Write and Card.Streaming.Write.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	...cardDestinationProperties(),
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.text }}',
		required: true,
		description: 'What the model answers: by default the text of the trigger item (a voice note\'s recognition too)',
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 3 },
		default: DEFAULT_SYSTEM_MESSAGE,
	},
	{
		displayName: 'Card Title',
		name: 'cardTitle',
		type: 'string',
		default: '',
		placeholder: 'e.g. Answer for {{ $json.sender.nick }}',
		description: 'Shown above the answer (the card\'s msgTitle); empty for none',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Card Template ID',
				name: 'cardTemplateId',
				type: 'string',
				default: AI_CARD_TEMPLATE_ID,
				description: 'An AI card template of your own (published, with a streaming variable and a failed state); the default is DingTalk\'s public AI card',
			},
			{
				displayName: 'Content Variable',
				name: 'contentKey',
				type: 'string',
				default: AI_CARD_CONTENT_KEY,
				description: 'The template\'s streaming variable the answer is written into',
			},
			{
				displayName: 'Fall Back to Markdown',
				name: 'fallbackToMarkdown',
				type: 'boolean',
				default: true,
				description: 'Whether to send the answer as a markdown message when DingTalk cannot create or deliver the card, so that the person still gets it',
			},
			{
				displayName: 'Include Pictures',
				name: 'includePictures',
				type: 'boolean',
				default: true,
				description: 'Whether to give the model the item\'s pictures (binary data such as attachment_0 from Download Attachments), for models that read images',
			},
			{
				displayName: 'Robot Code',
				name: 'robotCode',
				type: 'string',
				default: '',
				placeholder: 'Default: the credential\'s Robot Code, or its Client ID',
			},
			{
				displayName: 'Time Between Updates (Ms)',
				name: 'updateIntervalMs',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_CARD_UPDATE_INTERVAL_MS,
				description: 'The card is updated at most this often while the answer comes in (each update is an OpenAPI call, counted against the app\'s calls per second and quota); the final text is sent at once',
			},
		],
	},
];
