import type { INodeProperties } from 'n8n-workflow';

import { cardDestinationProperties } from '../card/destination';

/**
 * Send and Wait for Response › Send To: App Robot. Approval: an interactive card of the user's
 * template whose buttons come back over the app's Stream connection (the README's "Approvals" section
 * describes the template); Free Text and Custom Form: the app robot's actionCard linking to n8n's
 * form page. Where it goes (a group, one person, or where the trigger item came from) and who may decide.
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
	// where the card goes: the same form as Create Card's and the AI Card node's
	...cardDestinationProperties(forApp().show),
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
