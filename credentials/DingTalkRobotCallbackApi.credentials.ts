import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * What the DingTalk Robot Trigger checks incoming callbacks with. It signs nothing and calls
 * nothing: DingTalk proves each callback with a `sign` header made from the App Secret (app
 * robots, HTTP mode) or, for a custom robot's Outgoing mode, with its `token` header; and each
 * click on a card's button with an `x-ddpaas-signature` header made from the apiSecret registered
 * for the trigger's URL (/v1.0/card/callbacks/register).
 */
export class DingTalkRobotCallbackApi implements ICredentialType {
	name = 'dingTalkRobotCallbackApi';

	displayName = 'DingTalk Robot Callback API';

	icon: Icon = { light: 'file:../icons/dingtalk.svg', dark: 'file:../icons/dingtalk.dark.svg' };

	documentationUrl = 'https://open.dingtalk.com/document/orgapp/receive-message';

	properties: INodeProperties[] = [
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The AppSecret of the robot\'s app (DingTalk developer console › your app › Credentials). Every callback\'s "sign" header is checked with it. Leave empty only for a custom robot\'s Outgoing mode with a token.',
		},
		{
			displayName: 'Outgoing Token',
			name: 'outgoingToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The Token of a custom robot\'s Outgoing setting. When set, every callback must carry it in its "token" header. At least one of App Secret and Outgoing Token is needed. A token alone has no time check: anyone who saw one call can send more at any time, so use the App Secret where DingTalk offers it.',
		},
		{
			displayName: 'Card Callback API Secret',
			name: 'cardApiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For clicks on card buttons (trigger Events: Card Button Clicks): the apiSecret you registered with DingTalk for the trigger\'s URL (POST /v1.0/card/callbacks/register). Every click\'s "x-ddpaas-signature" header is checked with it; clicks without it are refused.',
		},
	];
}
