/**
 * Registering a Stream connection: `POST ${baseUrl}/v1.0/gateway/connections/open` with the app's
 * Client ID and Secret and the subscriptions answers `{endpoint, ticket}`; the WebSocket URL is
 * `${endpoint}?ticket=…`. The subscriptions are the connection's one CALLBACK topic (frames.ts).
 * A ticket is valid 90 s for one connection, so every (re)connect asks
 * again. Errors say what to do and never carry the secret or the ticket: n8n's own HTTP errors
 * would (they quote the request), so the status is read here instead of thrown; every ticket is
 * handed to the connection's redactor (`learn`) as soon as it arrives, before any text is made
 * from the answer (a hostile gateway may echo it anywhere); the connection redacts every failure.
 * Errors name the credential as its user named it (`label`).
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { appApiHost, appApiUrl, type DingTalkApp } from '../../../credentials/appCredential';
import {
	SECRET_REQUEST_OPTIONS,
	dingTalkErrorCode,
	hostAndPort,
	insecureTransportReason,
	isDingTalkHost,
	isHostListed,
	networkErrorCode,
} from '../../../credentials/endpoints';
import { streamSubscriptions, type StreamTopic } from './frames';

const OPEN_CONNECTION_PATH = '/v1.0/gateway/connections/open';
const STREAM_USER_AGENT = 'n8n-nodes-dingtalk-robot';

export type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

/**
 * Why a connect failed. `permanent`: trying again cannot help until the user changes something
 * (credentials refused, an endpoint we must not connect to); otherwise the gateway or the
 * network may recover, and the connection tries again with backoff.
 */
export interface StreamFailure {
	message: string;
	permanent: boolean;
	/** what to do about it */
	description: string;
}

export function streamFailure(message: string, permanent: boolean, description: string): StreamFailure {
	return { message, permanent, description };
}

interface FullResponse {
	statusCode: number;
	body: unknown;
}

const CONSOLE_HINT = 'Copy the Client ID and Client Secret again from the DingTalk developer console › your app › Credentials & Basic Info.';

/**
 * Why the gateway's WebSocket endpoint must not be used, or undefined. The ticket in its query
 * opens a connection that receives the app's messages, so it goes only where DingTalk puts its
 * gateway, wss:// on a DingTalk host on port 443, or to a host the user listed under Plain HTTP
 * Hosts (a proxy in the company network, the simulator): ws:// or wss:// there. Any other host is
 * refused even over wss://: a gateway (or whatever answers for it) that points elsewhere would
 * hand the app's messages to someone else.
 */
export function endpointProblem(endpoint: string, plainHttpHosts: string[]): string | undefined {
	if (!URL.canParse(endpoint)) return 'is not a URL';
	const url = new URL(endpoint);
	const scheme = url.protocol.toLowerCase();
	if (scheme !== 'wss:' && scheme !== 'ws:') return `uses ${scheme.replace(/:$/, '')}://; a Stream endpoint is wss://`;
	if (isDingTalkHost(url.hostname) || scheme === 'ws:') return insecureTransportReason(url, plainHttpHosts, 'the ticket');
	if (isHostListed(url, plainHttpHosts)) return undefined;
	return "is not on DingTalk's domain (dingtalk.com) and its host:port is not listed under Plain HTTP Hosts";
}

/**
 * The WebSocket URL with a fresh ticket, or why there is none. `label` names the credential
 * ("the DingTalk App credential 'Ops bot'"); `learn` is told every ticket in an answer.
 */
export async function openStreamConnection(
	request: HttpRequest,
	app: DingTalkApp,
	label: string,
	learn: (ticket: string) => void,
	topic: StreamTopic,
): Promise<{ url: string } | { failure: StreamFailure }> {
	const where = appApiHost(app);
	let response: FullResponse;
	try {
		response = (await request({
			method: 'POST',
			url: appApiUrl(app, OPEN_CONNECTION_PATH),
			// without Accept: application/json the gateway answers XML
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			body: { clientId: app.clientId, clientSecret: app.clientSecret, subscriptions: streamSubscriptions(topic), ua: STREAM_USER_AGENT },
			json: true,
			...SECRET_REQUEST_OPTIONS,
			timeout: 30_000,
		})) as FullResponse;
	} catch (error) {
		const networkCode = networkErrorCode(error);
		const code = networkCode ? ` (${networkCode})` : '';
		return { failure: streamFailure(
			`Could not reach DingTalk's Stream gateway at ${where}${code}`,
			false,
			`n8n needs outbound HTTPS to api.dingtalk.com:443 and wss-open-connection.dingtalk.com:443. The trigger keeps trying.`,
		) };
	}
	const { statusCode, body } = response;
	const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
	if (typeof answer.ticket === 'string') learn(answer.ticket);
	if (statusCode === 401 || statusCode === 403 || (statusCode === 400 && /clientid|secret|auth/i.test(dingTalkErrorCode(body)))) {
		return { failure: streamFailure(
			`DingTalk refused the Client ID or Client Secret of ${label} (HTTP ${statusCode}${dingTalkErrorCode(body) ? `, ${dingTalkErrorCode(body)}` : ''})`,
			true,
			`${CONSOLE_HINT} The app must be an enterprise internal app whose robot uses message receiving mode "Stream".`,
		) };
	}
	if (statusCode === 404 || statusCode === 405) {
		return { failure: streamFailure(
			`${where} has no DingTalk Stream gateway (HTTP ${statusCode})`,
			true,
			`Leave the API Base URL of ${label} at https://api.dingtalk.com.`,
		) };
	}
	if (statusCode >= 400 && statusCode < 500) {
		return { failure: streamFailure(
			`DingTalk's Stream gateway refused the registration (HTTP ${statusCode}${dingTalkErrorCode(body) ? `, ${dingTalkErrorCode(body)}` : ''})`,
			true,
			'Check that the app\'s robot uses message receiving mode "Stream" in the DingTalk developer console.',
		) };
	}
	if (statusCode !== 200) {
		return { failure: streamFailure(`DingTalk's Stream gateway is unavailable (HTTP ${statusCode})`, false, 'The trigger keeps trying.') };
	}
	const { endpoint, ticket } = answer;
	if (typeof endpoint !== 'string' || typeof ticket !== 'string' || ticket === '') {
		return { failure: streamFailure(
			`DingTalk's Stream gateway answered without an endpoint and a ticket${typeof body === 'string' ? ' (not JSON)' : ''}`,
			false,
			'A proxy between n8n and DingTalk may be changing the answer. The trigger keeps trying.',
		) };
	}
	const problem = endpointProblem(endpoint, app.plainHttpHosts);
	if (problem) {
		const host = URL.canParse(endpoint) ? ` (${hostAndPort(new URL(endpoint))})` : '';
		return { failure: streamFailure(
			`The Stream endpoint the gateway gave${host} ${problem}`,
			true,
			`The trigger does not send the ticket there. If n8n reaches DingTalk through a trusted proxy, list its host:port under Plain HTTP Hosts in ${label}; otherwise leave the API Base URL at https://api.dingtalk.com.`,
		) };
	}
	const url = new URL(endpoint);
	url.searchParams.set('ticket', ticket);
	return { url: url.toString() };
}
