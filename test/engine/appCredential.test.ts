/**
 * The DingTalk App credential's "Test" button, run the way n8n runs it (credentialTester.ts),
 * against the simulator's OpenAPI token endpoint: no Stream connection is opened.
 */
import type { IHttpRequestHelper } from 'n8n-workflow';
import { httpRequest } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';

import { DingTalkAppApi } from '../../credentials/DingTalkAppApi.credentials';
import { testCredential } from './credentialTester';
import { useSimulator } from './simulatorFixture';
import { appCredential } from './streamTrigger';

const APP = { clientId: 'dingcredtest0001', clientSecret: 'credTestSecret-4Hk9' };
const sim = useSimulator({}, []);
sim.addApp(APP);

/** The app's credential (its Client ID and Secret, the simulator's base URL) with `changes`. */
const credential = ({ clientId, clientSecret, ...changes }: { clientId: string; clientSecret: string } & Record<string, string>) => ({
	...appCredential(sim, { clientId, clientSecret }),
	...changes,
});

afterEach(() => {
	expect(sim.streamOpenRequests()).toEqual([]);
	expect(sim.streamConnections()).toEqual([]);
});

test('passes for the app\'s Client ID and Secret: a token for n8n (preAuthentication, which a test always runs), then the test request', async () => {
	const result = await testCredential('dingTalkAppApi', credential(APP));
	expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	expect(sim.accessTokenRequests()).toEqual([
		expect.objectContaining({ appKey: APP.clientId, outcome: 'issued', status: 200 }),
		expect.objectContaining({ appKey: APP.clientId, outcome: 'renewed', status: 200 }),
	]);
});

test('a wrong secret and an unknown Client ID get the readable message', async () => {
	for (const data of [{ ...APP, clientSecret: 'notTheSecret' }, { clientId: 'dingunknown', clientSecret: APP.clientSecret }]) {
		const result = await testCredential('dingTalkAppApi', credential(data));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^DingTalk does not accept this Client ID and Client Secret \(invalidClientIdOrSecret\): copy both again/);
		expect(result.message).not.toContain(data.clientSecret);
	}
	expect(sim.accessTokenRequests().map((r) => r.outcome)).toEqual(['invalidClientIdOrSecret', 'invalidClientIdOrSecret']);
});

test('plain http to a host that is not listed is refused before any request', async () => {
	const result = await testCredential('dingTalkAppApi', credential({ ...APP, plainHttpHosts: '' }));
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/uses plain http:\/\/ to 127\.0\.0\.1:\d+, which is not listed as a plain-HTTP host; the Client Secret would travel unencrypted/);
	expect(sim.accessTokenRequests()).toEqual([]);
});

test('an API Base URL that is not DingTalk\'s OpenAPI says so', async () => {
	const result = await testCredential('dingTalkAppApi', credential({ ...APP, baseUrl: `${sim.baseUrl}/not-the-api` }));
	expect(result).toEqual({ status: 'Error', message: `The API Base URL did not answer like DingTalk's OpenAPI (HTTP 404, no access token came back): leave it at https://api.dingtalk.com` });
});

test('the token fields n8n stores in the credential are text: n8n lists credentials with their data by calling startsWith on every password field', async () => {
	// n8n 1.123's GET /rest/credentials?includeData=true (the editor's first request when it opens a
	// workflow) failed with "data[dataKey].startsWith is not a function" once the token's times were stored as numbers
	const type = new DingTalkAppApi();
	const stored = await type.preAuthentication.call({ helpers: { httpRequest } } as unknown as IHttpRequestHelper, credential(APP));
	const passwordFields = type.properties.filter((property) => property.typeOptions?.password).map((property) => property.name);
	expect(Object.keys(stored).sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'accessTokenIssuedAt']);
	for (const [name, value] of Object.entries(stored)) {
		expect(passwordFields).toContain(name);
		expect({ name, type: typeof value }).toEqual({ name, type: 'string' });
	}
	expect(Number(stored.accessTokenExpiresAt) - Number(stored.accessTokenIssuedAt)).toBe(7_200_000);
});
