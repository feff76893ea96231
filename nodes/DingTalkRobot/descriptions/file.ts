import type { INodeProperties } from 'n8n-workflow';

/** A file from the item's binary data, uploaded to DingTalk and sent by its media id (app robots only). */
export const fileProperties: INodeProperties[] = [
	{
		displayName: 'Only an app robot can send files: set Send To to App Robot',
		name: 'fileNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { messageType: ['file'], target: ['robot', 'session', 'response'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary field of the input item that holds the file (e.g. from Read/Write Files from Disk or an HTTP Request)',
		displayOptions: { show: { messageType: ['file'], target: ['app'] } },
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'Default: the binary data\'s file name',
		description: 'The name DingTalk shows; its extension says the kind of file (pdf, docx, xlsx, pptx, zip, rar, doc, xls, ppt)',
		displayOptions: { show: { messageType: ['file'], target: ['app'] } },
	},
];
