import type { INodeProperties } from 'n8n-workflow';

export const messageTypeProperty: INodeProperties = {
	displayName: 'Message Type',
	name: 'messageType',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'ActionCard',
			value: 'actionCard',
			description: 'A card with markdown text and one link for the whole card or one per button',
		},
		{
			name: 'FeedCard',
			value: 'feedCard',
			description: 'A list of links, each with a title and a picture',
		},
		{
			name: 'File',
			value: 'file',
			description: 'A file from the item\'s binary data (App Robot only)',
		},
		{
			name: 'Image',
			value: 'image',
			description: 'A picture from a URL, with a title and a caption (sent as markdown)',
		},
		{
			name: 'JSON',
			value: 'json',
			description: 'A raw DingTalk message body, for what the forms do not cover',
		},
		{
			name: 'Link',
			value: 'link',
			description: 'A title, a short text and a picture that open a URL',
		},
		{
			name: 'Markdown',
			value: 'markdown',
			description: 'Formatted text: headings, bold, links, images, lists',
		},
		{
			name: 'Text',
			value: 'text',
			description: 'Plain text',
		},
	],
	default: 'text',
};

/** Shows a property only for the given message types. */
export const forMessageTypes = (...types: string[]) => ({ show: { messageType: types } });
