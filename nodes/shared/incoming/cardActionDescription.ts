import type { INodeProperties } from 'n8n-workflow';

/**
 * Card buttons on both triggers: which events start the workflow, how a click is answered at
 * once, and which clicks this trigger takes. The logic: cardAction.ts and cardActionAnswer.ts.
 */

export type TriggerEvents = 'robotMessages' | 'cardActions' | 'both';

const withCards = { show: { events: ['cardActions', 'both'] } };

/** `cardsDescription`: which clicks reach this trigger (Stream: cards made over Stream; HTTP: to its URL). */
export function eventsProperty(cardsDescription: string): INodeProperties {
	return {
		displayName: 'Events',
		name: 'events',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Both', value: 'both', description: 'Robot messages and card button clicks; a click\'s item has event: cardAction' },
			{ name: 'Card Button Clicks', value: 'cardActions', description: cardsDescription },
			{ name: 'Robot Messages', value: 'robotMessages', description: 'Messages that @-mention the robot, or are sent to it one-to-one' },
		],
		default: 'robotMessages',
	};
}

/** How the trigger answers a click, at once (DingTalk waits 2 seconds at most). */
export const cardActionAnswerProperties: INodeProperties[] = [
	{
		displayName: 'Answer the Click',
		name: 'cardActionAnswer',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Update the Card With JSON',
				value: 'json',
				description: 'DingTalk\'s answer as JSON: cardData, userPrivateData, cardUpdateOptions',
			},
			{
				name: 'Update the Card With These Variables',
				value: 'variables',
				description: 'Set the variables below at once (e.g. show the choice, disable the buttons); the others keep their values',
			},
			{
				name: 'Without a Card Update',
				value: 'none',
				description: 'The card stays as it is; update it later with the DingTalk Robot node\'s Update Card (the item\'s outTrackId)',
			},
		],
		default: 'none',
		displayOptions: withCards,
	},
	{
		displayName:
			'DingTalk waits at most 2 seconds for the answer, so it is given before the workflow runs. Placeholders: {userId}, {actionId}, {actionIds}, {outTrackId}, {params.NAME} (single braces).',
		name: 'cardActionAnswerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { events: ['cardActions', 'both'], cardActionAnswer: ['variables', 'json'] } },
	},
	{
		displayName: 'Update For',
		name: 'cardActionUpdateFor',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Everyone', value: 'everyone', description: 'The card\'s public data (cardData): everyone who sees the card sees the change' },
			{ name: 'The Person Who Clicked', value: 'clicker', description: 'Their private data (userPrivateData): only they see the change' },
		],
		default: 'everyone',
		displayOptions: { show: { events: ['cardActions', 'both'], cardActionAnswer: ['variables'] } },
	},
	{
		displayName: 'Variables',
		name: 'cardActionVariables',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add variable',
		default: {},
		description: 'The card template\'s variables to set when someone clicks, e.g. status = "{params.choice} by {userId}"',
		displayOptions: { show: { events: ['cardActions', 'both'], cardActionAnswer: ['variables'] } },
		options: [
			{
				displayName: 'Variable',
				name: 'values',
				values: [
					{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. status' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: 'e.g. {params.choice} by {userId}' },
				],
			},
		],
	},
	{
		displayName: 'JSON',
		name: 'cardActionJson',
		type: 'json',
		default: '{\n  "cardData": { "cardParamMap": { "status": "{actionId} by {userId}" } },\n  "cardUpdateOptions": { "updateCardDataByKey": true }\n}',
		description: 'DingTalk\'s answer to a click: cardData and userPrivateData ({"cardParamMap": {…}}) and cardUpdateOptions',
		displayOptions: { show: { events: ['cardActions', 'both'], cardActionAnswer: ['json'] } },
	},
];

/** Which clicks this trigger takes (in the Options collection): several workflows can share one app's cards. */
export const cardActionFilterOptions: INodeProperties[] = [
	{
		displayName: 'Only Action IDs',
		name: 'onlyActionIds',
		type: 'string',
		default: '',
		placeholder: 'approve, reject',
		description: 'Comma-separated: only clicks on these buttons start the workflow and are answered by this trigger; empty: every click',
		displayOptions: { show: { '/events': ['cardActions', 'both'] } },
	},
	{
		displayName: 'Only Out Track IDs Starting With',
		name: 'outTrackIdPrefix',
		type: 'string',
		default: '',
		placeholder: 'vote-',
		description: 'Only clicks on cards whose outTrackId starts with this (give your cards such IDs in Create Card); empty: every card',
		displayOptions: { show: { '/events': ['cardActions', 'both'] } },
	},
];
