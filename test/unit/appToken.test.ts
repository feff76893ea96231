/** How the answer of DingTalk's token endpoint is read: the token, or a message that says what to fix. */
import { accessTokenExpired, renewalMarginMs } from '../../credentials/appCredential';
import { INVALID_CLIENT_MESSAGE, readTokenAnswer } from '../../credentials/appToken';

const NOW = 1_790_000_000_000;
const notTheOpenApi = (status: number) =>
	`The API Base URL did not answer like DingTalk's OpenAPI (HTTP ${status}, no access token came back): leave it at https://api.dingtalk.com`;

test('a token with its life, or DingTalk\'s 7200 s when the life is missing or nonsense', () => {
	expect(readTokenAnswer({ statusCode: 200, body: { accessToken: 'abc', expireIn: 60 } }, NOW)).toEqual({ accessToken: 'abc', accessTokenExpiresAt: NOW + 60_000, accessTokenIssuedAt: NOW });
	for (const expireIn of [undefined, 'soon', -5, 0]) {
		expect(readTokenAnswer({ statusCode: 200, body: { accessToken: 'abc', expireIn } }, NOW)).toEqual({ accessToken: 'abc', accessTokenExpiresAt: NOW + 7_200_000, accessTokenIssuedAt: NOW });
	}
});

test('renewed a tenth of its life before its end, at most five minutes: never a margin as long as the life', () => {
	const token = (lifeS: number, extra: Record<string, unknown> = {}) => ({ accessToken: 'abc', accessTokenIssuedAt: NOW, accessTokenExpiresAt: NOW + lifeS * 1000, ...extra });
	expect(renewalMarginMs(token(7200))).toBe(300_000);
	expect(renewalMarginMs(token(60))).toBe(6_000);
	expect(accessTokenExpired(token(60), NOW + 53_000)).toBe(false);
	expect(accessTokenExpired(token(60), NOW + 54_000)).toBe(true);
	// stored by an older version, without its issue time: DingTalk's two hours assumed
	expect(renewalMarginMs(token(7200, { accessTokenIssuedAt: undefined }))).toBe(300_000);
	expect(accessTokenExpired(token(7200), NOW + 6_899_000)).toBe(false);
	expect(accessTokenExpired({ accessToken: '' }, NOW)).toBe(true);
});

test('a redirect instead of a token is never followed, and says so', () => {
	expect(readTokenAnswer({ statusCode: 307, body: '' }, NOW)).toBe(
		'The API Base URL answered the token request with a redirect (HTTP 307), which is never followed (it would carry the Client Secret to another host): leave it at https://api.dingtalk.com, or check the proxy in between',
	);
});

test('a wrong Client ID or Secret', () => {
	expect(readTokenAnswer({ statusCode: 400, body: { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' } }, NOW)).toBe(INVALID_CLIENT_MESSAGE);
});

test('a server that is not DingTalk\'s OpenAPI: a path it does not have, or a success without a token', () => {
	expect(readTokenAnswer({ statusCode: 404, body: '<html>Not Found</html>' }, NOW)).toBe(notTheOpenApi(404));
	expect(readTokenAnswer({ statusCode: 405, body: {} }, NOW)).toBe(notTheOpenApi(405));
	expect(readTokenAnswer({ statusCode: 200, body: { ok: true } }, NOW)).toBe(notTheOpenApi(200));
	expect(readTokenAnswer({ statusCode: 200, body: { accessToken: '' } }, NOW)).toBe(notTheOpenApi(200));
});

test('DingTalk\'s other refusals and outages keep their status and code (cleaned), never more', () => {
	expect(readTokenAnswer({ statusCode: 403, body: { code: 'Forbidden.AccessDenied', message: 'x' } }, NOW)).toBe(
		'DingTalk did not give the app an access token (HTTP 403, Forbidden.AccessDenied): check the DingTalk App credential, or try again later',
	);
	expect(readTokenAnswer({ statusCode: 503, body: 'Service Unavailable' }, NOW)).toBe(
		'DingTalk did not give the app an access token (HTTP 503): check the DingTalk App credential, or try again later',
	);
	expect(readTokenAnswer({ statusCode: 500, body: { code: 'bad"<script>code' } }, NOW)).toBe(
		'DingTalk did not give the app an access token (HTTP 500, badscriptcode): check the DingTalk App credential, or try again later',
	);
});
