import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { DINGTALK_OPENAPI_BASE_URL, OAPI_PATHS, appApiUrl, appOapiUrl, readDingTalkApp } from './appCredential';
import { GRANT_PATH, INVALID_CLIENT_MESSAGE, fetchAccessToken } from './appToken';

/**
 * An enterprise internal app of DingTalk, for its robot: the Stream trigger authenticates with
 * its Client ID and Client Secret; sending as the app robot uses the app's access token, which
 * this credential gets (preAuthentication) and keeps until shortly before it runs out.
 */
export class DingTalkAppApi implements ICredentialType {
	name = 'dingTalkAppApi';

	displayName = 'DingTalk App API';

	icon: Icon = { light: 'file:../icons/dingtalk.svg', dark: 'file:../icons/dingtalk.dark.svg' };

	documentationUrl = 'https://open.dingtalk.com/document/orgapp/the-robot-receives-messages-in-stream-mode';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'dingxxxxxxxxxxxxxxxx',
			description: 'The app\'s Client ID (formerly AppKey): DingTalk developer console › your app › Credentials & Basic Info',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The app\'s Client Secret (formerly AppSecret), on the same page',
		},
		{
			displayName: 'Robot Code',
			name: 'robotCode',
			type: 'string',
			default: '',
			description: 'The robot\'s code (robot configuration page). Optional: for an enterprise internal app it is usually the Client ID.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DINGTALK_OPENAPI_BASE_URL,
			description: 'Where DingTalk\'s OpenAPI is. Change it only for a proxy in your network or a local test server.',
		},
		{
			displayName: 'Plain HTTP Hosts',
			name: 'plainHttpHosts',
			type: 'string',
			default: '',
			placeholder: 'e.g. 10.0.0.5:8080',
			description:
				'Only for a proxy or a local test server without TLS: the hosts (host:port) that may be reached over plain http:// and ws://. The Client Secret then travels unencrypted. DingTalk itself is always reached over https:// and wss://.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Access Token Expires At',
			name: 'accessTokenExpiresAt',
			type: 'hidden',
			// not a secret (a time), but the lint takes every "token" field for one
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Access Token Issued At',
			name: 'accessTokenIssuedAt',
			type: 'hidden',
			// not a secret (a time), but the lint takes every "token" field for one
			typeOptions: { password: true },
			default: '',
		},
	];

	/**
	 * n8n calls this when the expirable Access Token is empty: a new token from DingTalk, with its end.
	 * Stored as text, as the fields are: n8n reads every password field of a credential as a string
	 * (listing credentials with their data, the editor's first request, failed on a number).
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { accessToken, accessTokenExpiresAt, accessTokenIssuedAt } = await fetchAccessToken(this.helpers, credentials, Date.now());
		return { accessToken, accessTokenExpiresAt: String(accessTokenExpiresAt), accessTokenIssuedAt: String(accessTokenIssuedAt) };
	}

	/**
	 * Puts the request on the credential's API Base URL (a path of the older API on its host),
	 * refuses one that would carry a secret unencrypted (readDingTalkApp), and adds the access
	 * token the way each API takes it: the OpenAPI as header `x-acs-dingtalk-access-token`, the
	 * older API as query parameter `access_token`. The secret itself goes in the bodies that need it.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const app = readDingTalkApp(credentials);
		const absolute = /^https?:\/\//i.test(requestOptions.url);
		const oapi = !absolute && OAPI_PATHS.includes(requestOptions.url);
		const url = absolute ? requestOptions.url : oapi ? appOapiUrl(app, requestOptions.url) : appApiUrl(app, requestOptions.url);
		const token = typeof credentials.accessToken === 'string' ? credentials.accessToken : '';
		// every request of the app carries a secret (the token, or the Client Secret in a test's
		// body): a redirect is never followed, it would carry them to a host nobody checked
		const request = { ...requestOptions, baseURL: undefined, url, disableFollowRedirect: true };
		if (!token) return request;
		return oapi
			? { ...request, qs: { ...requestOptions.qs, access_token: token } }
			: { ...request, headers: { ...requestOptions.headers, 'x-acs-dingtalk-access-token': token } };
	}

	/**
	 * DingTalk answers a wrong secret or an unknown Client ID with HTTP 400. n8n's credential test
	 * shows only "Bad request - please check your parameters" for an HTTP error (its responseCode
	 * rules did not apply in n8n 1.123.50), so the answer is read as a success and judged by its
	 * body: DingTalk's error code, or no access token at all (not DingTalk's OpenAPI).
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'POST',
			// the OpenAPI's token endpoint: the one place that says whether a Client ID and Secret are right
			url: GRANT_PATH,
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: { appKey: '={{ $credentials.clientId.trim() }}', appSecret: '={{ $credentials.clientSecret.trim() }}' },
			ignoreHttpStatusErrors: true,
			// the body carries the Client Secret: a redirect must not take it elsewhere
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'code',
					value: 'invalidClientIdOrSecret',
					message: INVALID_CLIENT_MESSAGE,
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'accessToken',
					value: undefined,
					message:
						'The API Base URL did not answer like DingTalk\'s OpenAPI (no access token came back; a redirect is never followed, as it would carry the Client Secret elsewhere): leave it at https://api.dingtalk.com',
				},
			},
		],
	};
}
