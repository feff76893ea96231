import type { INodeProperties } from 'n8n-workflow';

/**
 * Send and Wait for Response › Send To: App Robot. Approval: an interactive card of the user's
 * template whose buttons come back over the app's Stream connection (docs/send-and-wait-app.draft.md
 * describes the template); Free Text and Custom Form: the app robot's actionCard linking to n8n's
 * form page. Where it goes (a group or one person) and who may decide.
 */

const forApp = (extra: Record<string, string[]> = {}) => ({ show: { operation: ['sendAndWait'], target: ['app'], ...extra } });

export const sendAndWaitAppProperties: INodeProperties[] = [
	{
		displayName:
			'Approval clicks come back over the app\'s Stream connection: an active workflow with a DingTalk Stream Trigger for the same app, Events "Card Button Clicks" or "Both", must run in this n8n (it holds the connection; the people clicking need not reach n8n). Free Text and Custom Form open n8n\'s form page, which they must reach.',
		name: 'sendAndWaitAppNotice',
		type: 'notice',
		default: '',
		displayOptions: forApp(),
	},
	{
		displayName: 'Card Template ID',
		name: 'approvalCardTemplateId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 3c0de2a1-….schema',
		description:
			'Your Send and Wait card template from DingTalk\'s card platform: variables title, message, status, approveLabel, declineLabel, approveDisabled, declineDisabled, notice (private), n8nResumeUrl; buttons n8n_approve and n8n_decline passing back n8nResumeUrl',
		displayOptions: forApp({ responseType: ['approval'] }),
	},
	{
		displayName: 'Conversation Type',
		name: 'cardDestination',
		type: 'options',
		options: [
			{ name: 'Group', value: 'group' },
			{ name: 'User (One-to-One)', value: 'user' },
		],
		default: 'group',
		displayOptions: forApp(),
	},
	{
		displayName: 'Conversation ID',
		name: 'cardOpenConversationId',
		type: 'string',
		default: '={{ $json.conversation?.id }}',
		required: true,
		description: 'The openConversationId of a group the robot is in: by default the group of the trigger item',
		displayOptions: forApp({ cardDestination: ['group'] }),
	},
	{
		displayName: 'User ID',
		name: 'cardUserId',
		type: 'string',
		default: '={{ $json.sender?.staffId }}',
		required: true,
		description: 'The person to ask in the robot\'s one-to-one chat (a trigger item\'s sender.staffId)',
		displayOptions: forApp({ cardDestination: ['user'] }),
	},
	{
		displayName: 'Approvers',
		name: 'approvers',
		type: 'string',
		default: '',
		placeholder: 'e.g. manager4521, 0143225561',
		description:
			'DingTalk user IDs of the people who may decide, separated by commas; empty: anyone who sees the card. Anyone else who clicks is told so in the card, and the execution keeps waiting.',
		displayOptions: forApp({ responseType: ['approval'] }),
	},
];
