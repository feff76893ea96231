import type { INodeProperties } from 'n8n-workflow';

import { cardActionAnswerProperties, cardActionFilterOptions, eventsProperty } from '../shared/incoming/cardActionDescription';
import { downloadAttachmentsProperties, downloadLimitOptions, messageFilterOptions } from '../shared/incoming/description';

/** Default of the idle watchdog: no frame from DingTalk for this long and the connection is renewed. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 180;

export const dingTalkStreamTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Receives the robot\'s messages (and, with Events, the clicks on its cards\' buttons) over a connection n8n opens to DingTalk: no public URL needed. In the DingTalk developer console, set the app robot\'s message receiving mode to Stream. Every workflow using the same app shares one connection and gets every message.',
		name: 'setupNotice',
		type: 'notice',
		default: '',
	},
	eventsProperty('Clicks on the buttons of the app robot\'s cards made with Button Clicks Come Back: Over Stream (Create Card\'s default)'),
	...cardActionAnswerProperties,
	...downloadAttachmentsProperties('Uses the trigger\'s DingTalk App credential.'),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			...messageFilterOptions,
			...cardActionFilterOptions,
			...downloadLimitOptions,
			{
				displayName: 'Reconnect When Silent For (Seconds)',
				name: 'idleTimeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_IDLE_TIMEOUT_SECONDS,
				description:
					'How long the connection may stay without any frame from DingTalk before it is taken for dead and renewed (the new connection is opened before the old one is closed)',
			},
		],
	},
];
