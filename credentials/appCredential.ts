/**
 * The DingTalk App credential as the nodes use it: an enterprise internal app's Client ID and
 * Client Secret (formerly AppKey / AppSecret), its robot's code, and where DingTalk's OpenAPI is
 * (https://api.dingtalk.com, or a proxy / the local simulator). The secret travels in request
 * bodies (the Stream gateway's connections/open, the OpenAPI's accessToken), so it goes only over
 * https, or over plain http to a host the user listed (credentials/endpoints.ts). Messages never
 * repeat the secret.
 */
import { hostAndPort, insecureTransportReason, parseHostList } from './endpoints';

/** The credential type's name (DingTalkAppApi), as the nodes ask n8n for it. */
export const APP_CREDENTIAL_TYPE = 'dingTalkAppApi';

export const DINGTALK_OPENAPI_BASE_URL = 'https://api.dingtalk.com';

export interface DingTalkApp {
	clientId: string;
	clientSecret: string;
	/** the credential's Robot Code, or else the Client ID (an enterprise internal app's robot code usually is) */
	robotCode: string;
	/** scheme, host, port and path prefix, without a trailing slash */
	baseUrl: string;
	plainHttpHosts: string[];
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** How messages name the credential when the caller does not know the user's name for it. */
export const APP_CREDENTIAL_LABEL = 'the DingTalk App credential';

/**
 * The credential's fields, checked; throws an Error saying what to fix. `label` names the
 * credential in that message as the user named it ("the DingTalk App credential 'Ops bot'").
 */
export function readDingTalkApp(data: Record<string, unknown>, label = APP_CREDENTIAL_LABEL): DingTalkApp {
	const The = label.charAt(0).toUpperCase() + label.slice(1);
	const clientId = text(data.clientId);
	const clientSecret = text(data.clientSecret);
	if (!clientId || !clientSecret) {
		throw new Error(
			`${The} has no ${!clientId ? 'Client ID' : 'Client Secret'}: copy it from the DingTalk developer console › your app › Credentials & Basic Info`,
		);
	}
	for (const [field, value] of [['Client ID', clientId], ['Client Secret', clientSecret]]) {
		if (/\s/.test(value)) throw new Error(`The ${field} in ${label} contains spaces or line breaks: copy it again`);
	}
	const base = text(data.baseUrl) || DINGTALK_OPENAPI_BASE_URL;
	if (!URL.canParse(base) || !/^https?:\/\//i.test(base)) {
		throw new Error(`The API Base URL in ${label} is not an http(s) URL: leave it at ${DINGTALK_OPENAPI_BASE_URL}`);
	}
	const url = new URL(base);
	if (url.username || url.password || url.search || url.hash) {
		throw new Error(`The API Base URL in ${label} must be scheme, host and path only (no user, query or #)`);
	}
	const plainHttpHosts = parseHostList(data.plainHttpHosts);
	const insecure = insecureTransportReason(url, plainHttpHosts, 'the Client Secret');
	if (insecure) {
		throw new Error(
			`The API Base URL in ${label} ${insecure}. Use ${DINGTALK_OPENAPI_BASE_URL}, or list a trusted proxy's host:port under Plain HTTP Hosts.`,
		);
	}
	return {
		clientId,
		clientSecret,
		robotCode: text(data.robotCode) || clientId,
		baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
		plainHttpHosts,
	};
}

/** `${baseUrl}${path}`: the base URL was checked by readDingTalkApp. */
export function appApiUrl(app: DingTalkApp, path: string): string {
	return `${app.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
}

/** DingTalk's older API host, where media are uploaded (the token goes in the query there). */
const DINGTALK_OAPI_BASE_URL = 'https://oapi.dingtalk.com';

/** The paths of the older API (oapi.dingtalk.com) the nodes call. */
export const OAPI_PATHS = ['/media/upload'];

/**
 * Where a path of the older API is: oapi.dingtalk.com beside DingTalk's OpenAPI; a proxy or the
 * simulator serves both under the one API Base URL.
 */
export function appOapiUrl(app: DingTalkApp, path: string): string {
	return app.baseUrl === DINGTALK_OPENAPI_BASE_URL ? `${DINGTALK_OAPI_BASE_URL}${path}` : appApiUrl(app, path);
}

/** At most this long before its end a token is renewed (DingTalk's tokens live 7200 s). */
const MAX_RENEWAL_MARGIN_MS = 5 * 60 * 1000;

/**
 * How long before its end a token is renewed: a tenth of its life as DingTalk gave it, at most
 * five minutes. A margin in proportion to the life, never as long as the life itself: a token
 * that lives a minute serves 54 s, rather than being renewed for every call. Without its issue
 * time (stored by an older version) the life is taken to be DingTalk's two hours.
 */
export function renewalMarginMs(data: Record<string, unknown>): number {
	const life = Number(data.accessTokenExpiresAt) - Number(data.accessTokenIssuedAt);
	return Number.isFinite(life) && life > 0 ? Math.min(MAX_RENEWAL_MARGIN_MS, life / 10) : MAX_RENEWAL_MARGIN_MS;
}

/** Whether the stored token must be renewed before it is used: none yet, or it ends within the margin. */
export function accessTokenExpired(data: Record<string, unknown>, nowMs: number): boolean {
	const token = typeof data.accessToken === 'string' ? data.accessToken : '';
	const expiresAt = Number(data.accessTokenExpiresAt);
	return token === '' || !Number.isFinite(expiresAt) || expiresAt - renewalMarginMs(data) <= nowMs;
}

/** Where the app's requests go, for messages: host:port, never a path or query. */
export function appApiHost(app: DingTalkApp): string {
	return hostAndPort(new URL(app.baseUrl));
}
