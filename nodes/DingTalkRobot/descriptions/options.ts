import type { INodeProperties } from 'n8n-workflow';

import { DINGTALK_SESSION_HOSTS } from '../messages/sessionWebhook';

// Items of one execution may come from different conversations: only robot posts and the one
// answer to the trigger's call combine them.
const combinable = { show: { '/messageType': ['text', 'markdown'], '/target': ['robot', 'response'] } };
// An answer to the trigger's call is not posted: retries and parts do not apply.
const posted = { show: { '/target': ['robot', 'session', 'app'] } };
// DingTalk's webhooks (robot, session): msgUuid, the 20-a-minute pacing, the 20,000-byte limit.
const webhooks = { show: { '/target': ['robot', 'session', 'response'] } };
const pacedWebhooks = { show: { '/target': ['robot', 'session'] } };

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
			displayOptions: { show: { '/messageType': ['text', 'markdown', 'actionCard', 'image'], '/target': ['robot', 'session', 'response'] } },
		},
		{
			displayName: 'Calls per Second',
			name: 'callsPerSecond',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: 20,
			description:
				'How many calls this n8n makes to DingTalk\'s OpenAPI per second for the app (across executions). DingTalk allows an internal app 20 per second in a standard organization and throttles it past that; raise it only if DingTalk granted the app more.',
			displayOptions: { show: { '/target': ['app'] } },
		},
		{
			displayName: 'Combine Items',
			name: 'combineItems',
			type: 'boolean',
			default: false,
			description:
				'Whether to send all items of the execution as few messages as possible: each item\'s Content (text) or Text (markdown) becomes a line or block of one message, split between items to stay under the size limit. A burst of alerts becomes a handful of messages.',
			displayOptions: combinable,
		},
		{
			displayName: 'Combined Header',
			name: 'combinedHeader',
			type: 'string',
			default: '',
			placeholder: 'e.g. #### {{ $items().length }} alerts',
			description: 'With Combine Items: a line put above the items of every combined message',
			displayOptions: combinable,
		},
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10 },
			default: 5,
			description:
				'How often to try a message when DingTalk is busy, throttled, answers HTTP 5xx, times out or drops the connection. Every attempt is signed anew and reuses the message\'s msgUuid, so DingTalk never posts it twice.',
			displayOptions: posted,
		},
		{
			displayName: 'Max Message Size (Bytes)',
			name: 'maxMessageBytes',
			type: 'number',
			typeOptions: { minValue: 1000, maxValue: 20000 },
			default: 20000,
			description: 'The largest message body to send; DingTalk refuses bodies over about 20000 bytes',
			displayOptions: webhooks,
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 86400 },
			default: 900,
			description:
				'The longest this execution may wait in all for the rate limit and for retries of one robot or conversation (the default waits out a 10-minute throttle). Items that would need to wait longer fail with a clear error instead of being sent into DingTalk\'s throttle.',
			displayOptions: posted,
		},
		{
			displayName: 'Message ID (msgUuid)',
			name: 'messageId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.alertId }}',
			description:
				'DingTalk posts a message only once per ID and answers "ok" to any later message with the same ID, even if its text differs. By default every item gets a new random ID; set one per event (e.g. an alert ID) so that the same event is never posted twice, also when the workflow runs again. Items of one run that share an ID but differ are refused.',
			displayOptions: webhooks,
		},
		{
			displayName: 'Messages per Minute',
			name: 'messagesPerMinute',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 20,
			description: 'How many messages this n8n may send to the robot in any minute (DingTalk allows 20). Lower it when other senders share the robot.',
			displayOptions: pacedWebhooks,
		},
		{
			displayName: 'Open Links in DingTalk Side Panel',
			name: 'openLinksInSidePanel',
			type: 'boolean',
			default: false,
			description: 'Whether links open in the side panel of the DingTalk desktop client instead of the browser',
			displayOptions: { hide: { '/messageType': ['text', 'json'] } },
		},
		{
			displayName: 'Pace to the Rate Limit',
			name: 'pacing',
			type: 'boolean',
			default: true,
			description:
				'Whether to hold messages that would exceed Messages per Minute until the robot may post again (across all executions of this n8n process), instead of sending them into DingTalk\'s 10-minute throttle',
			displayOptions: pacedWebhooks,
		},
		{
			displayName: 'Parallel Destinations',
			name: 'parallelDestinations',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100 },
			default: 50,
			description:
				'How many different conversations are sent to at the same time when items go to different places (replies to many sessions, an app robot writing to many groups or users). Messages to the same conversation are always sent one after the other, in item order.',
			displayOptions: { show: { '/target': ['session', 'app'] } },
		},
		{
			displayName: 'Session Webhook Hosts',
			name: 'sessionWebhookHosts',
			type: 'string',
			default: DINGTALK_SESSION_HOSTS,
			description:
				'The hosts a Session Webhook may point at, separated by commas. Replies to any other host are refused before sending, so a forged item cannot make n8n post elsewhere. DingTalk\'s hosts are reached over https on port 443 only. Add a host only for a proxy or a test simulator, as host:port unless it uses port 443 (https) or 80 (http); such a host may use plain http.',
			displayOptions: { show: { '/target': ['session'] } },
		},
		{
			displayName: 'Split Long Messages',
			name: 'splitLongMessages',
			type: 'boolean',
			default: false,
			description: 'Whether to send a text or markdown message over the size limit as numbered parts, split at line boundaries, instead of failing',
			displayOptions: { show: { '/messageType': ['text', 'markdown'], '/target': ['robot', 'session'] } },
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 600 },
			default: 15,
			description: 'How long to wait for DingTalk\'s answer to one attempt',
			displayOptions: posted,
		},
	],
};
