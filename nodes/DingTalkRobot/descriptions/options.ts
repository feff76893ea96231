import type { INodeProperties } from 'n8n-workflow';

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Add Mentions to Content',
			name: 'addMentionsToContent',
			type: 'boolean',
			default: true,
			description: 'Whether to append the @mobile / @userId of each mention that the message does not contain yet, so that DingTalk highlights it',
			displayOptions: { show: { '/messageType': ['text', 'markdown', 'actionCard'] } },
		},
		{
			displayName: 'Message ID (msgUuid)',
			name: 'messageId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.alertId }}',
			description: 'DingTalk posts a message only once per ID. By default every item gets a new random ID; set one (e.g. an alert ID) to make sure the same event is never posted twice.',
		},
		{
			displayName: 'Open Links in DingTalk Side Panel',
			name: 'openLinksInSidePanel',
			type: 'boolean',
			default: false,
			description: 'Whether links open in the side panel of the DingTalk desktop client instead of the browser',
			displayOptions: { hide: { '/messageType': ['text', 'json'] } },
		},
	],
};
