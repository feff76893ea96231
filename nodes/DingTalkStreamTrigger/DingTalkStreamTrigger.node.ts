import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { dingTalkStreamTriggerProperties } from './description';
import { startStreamTrigger } from './startStreamTrigger';

export class DingTalkStreamTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Stream Trigger',
		name: 'dingTalkStreamTrigger',
		icon: { light: 'file:../../icons/dingtalk.svg', dark: 'file:../../icons/dingtalk.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'On @-mention, no public URL',
		description: 'Starts the workflow when someone @-mentions the app robot in DingTalk, or clicks a button of its cards, over DingTalk\'s Stream mode: no public URL needed',
		defaults: {
			name: 'DingTalk Stream Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkAppApi', required: true }],
		properties: dingTalkStreamTriggerProperties,
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startStreamTrigger.call(this);
	}
}
