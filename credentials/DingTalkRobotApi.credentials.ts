import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { parseRobotWebhook, signWebhookUrl } from './signing';

/**
 * DingTalk answers every webhook call with HTTP 200 and an `errcode`. The credential test posts
 * a body with a message type DingTalk does not know, so nothing ever reaches the group:
 * - 400105 (unsupported msgtype), 40035/400402 (missing parameter) or 410100 (throttled) mean
 *   the token and the signature were accepted: the test passes;
 * - the codes listed in `rules` mean the credential is wrong: the test fails with their message.
 * The body carries the credential's keywords, so a keyword-protected robot does not reject it
 * for lacking one.
 */
const tokenNotFound =
	'DingTalk does not know this access token: copy the Webhook URL again from the group\'s robot settings (Group settings > Bots > your robot)';
const securityCheckFailed =
	'DingTalk refused the security check (errcode 310000): the secret ("加签", starts with SEC) is wrong or missing, this n8n host\'s IP is not in the robot\'s IP whitelist, the server clock is more than an hour off, or the robot uses keywords that are not listed in Keywords';

export class DingTalkRobotApi implements ICredentialType {
	name = 'dingTalkRobotApi';

	displayName = 'DingTalk Robot API';

	icon: Icon = { light: 'file:../icons/dingtalk.svg', dark: 'file:../icons/dingtalk.dark.svg' };

	documentationUrl = 'https://open.dingtalk.com/document/orgapp/customize-robot-security-settings';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook URL or Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://oapi.dingtalk.com/robot/send?access_token=...',
			description:
				'The robot\'s Webhook URL from the group\'s robot settings, or only its access token. The host is kept, so a proxy works too.',
		},
		{
			displayName: 'Secret (加签)',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'SEC...',
			description:
				'The signing secret shown when "Additional Signature" (加签) is enabled in the robot\'s security settings. Leave empty if the robot does not use signing.',
		},
		{
			displayName: 'Keywords',
			name: 'keywords',
			type: 'string',
			default: '',
			placeholder: 'alert, 监控报警',
			description:
				'The robot\'s custom keywords, if its security settings use them (comma-separated). Every message is checked for one of them before it is sent.',
		},
		{
			displayName: 'Plain HTTP Hosts',
			name: 'plainHttpHosts',
			type: 'string',
			default: '',
			placeholder: 'e.g. 10.0.0.5:8080',
			description:
				'Only for a proxy or a local test server without TLS: the hosts (host:port) the webhook URL may reach over plain http://. The access token and signature then travel unencrypted. DingTalk itself is always reached over https.',
		},
	];

	/** Signs every request with a fresh timestamp: never reuse a signed URL. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const webhook = parseRobotWebhook(credentials.accessToken, credentials.plainHttpHosts);
		const secret = typeof credentials.secret === 'string' ? credentials.secret : undefined;
		return {
			...requestOptions,
			baseURL: undefined,
			url: signWebhookUrl(webhook, secret, Date.now()),
		};
	}

	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			url: '',
			headers: { 'Content-Type': 'application/json; charset=utf-8' },
			body: {
				msgtype: 'n8nCredentialTest',
				n8nCredentialTest: { content: '={{ "n8n credential test " + $credentials.keywords }}' },
			},
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'errcode', value: 300001, message: tokenNotFound } },
			{ type: 'responseSuccessBody', properties: { key: 'errcode', value: 300005, message: tokenNotFound } },
			{ type: 'responseSuccessBody', properties: { key: 'errcode', value: 400101, message: tokenNotFound } },
			{
				type: 'responseSuccessBody',
				properties: { key: 'errcode', value: 400106, message: 'This robot does not exist any more: add it to the group again and copy its new Webhook URL' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'errcode', value: 400102, message: 'This robot is disabled: enable it in the group\'s robot settings' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'errcode', value: 400013, message: 'The group of this robot was dissolved' },
			},
			{ type: 'responseSuccessBody', properties: { key: 'errcode', value: 310000, message: securityCheckFailed } },
			{
				type: 'responseSuccessBody',
				properties: { key: 'errcode', value: 43004, message: 'DingTalk refused the request\'s Content-Type: a proxy between n8n and DingTalk may be rewriting it' },
			},
		],
	};
}
