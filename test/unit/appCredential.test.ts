/** The DingTalk App credential's fields (appCredential.ts) and where the Stream may connect (gateway.ts). */
import { readDingTalkApp } from '../../credentials/appCredential';
import { endpointProblem } from '../../nodes/DingTalkStreamTrigger/stream/gateway';

const GOOD = { clientId: 'dingabc', clientSecret: 'sec ret'.replace(' ', '') };

test('defaults to DingTalk\'s OpenAPI and the Client ID as robot code, and trims what was pasted', () => {
	expect(readDingTalkApp({ clientId: ' dingabc ', clientSecret: 'secret\n' })).toEqual({
		clientId: 'dingabc',
		clientSecret: 'secret',
		robotCode: 'dingabc',
		baseUrl: 'https://api.dingtalk.com',
		plainHttpHosts: [],
	});
	expect(readDingTalkApp({ ...GOOD, baseUrl: 'https://proxy.example.com/dingtalk/' }).baseUrl).toBe('https://proxy.example.com/dingtalk');
	expect(readDingTalkApp({ ...GOOD, robotCode: ' dingrobot7 ' }).robotCode).toBe('dingrobot7');
});

test('readable refusals that never repeat the secret', () => {
	const secret = 'Sup3rSecret';
	const refusal = (data: Record<string, unknown>) => {
		try {
			readDingTalkApp(data);
		} catch (error) {
			expect((error as Error).message).not.toContain(secret);
			return (error as Error).message;
		}
		return 'accepted';
	};
	expect(refusal({ clientSecret: secret })).toMatch(/^The DingTalk App credential has no Client ID: copy it from the DingTalk developer console/);
	expect(refusal({ clientId: 'a' })).toMatch(/has no Client Secret/);
	expect(refusal({ clientId: 'a b', clientSecret: secret })).toBe('The Client ID in the DingTalk App credential contains spaces or line breaks: copy it again');
	expect(refusal({ clientId: 'a', clientSecret: secret, baseUrl: 'http://api.dingtalk.com' })).toMatch(/uses plain http:\/\/ to api\.dingtalk\.com; DingTalk is reached only over https:\/\//);
	expect(refusal({ clientId: 'a', clientSecret: secret, baseUrl: 'http://10.0.0.5:8080' })).toMatch(/which is not listed as a plain-HTTP host; the Client Secret would travel unencrypted/);
	expect(refusal({ clientId: 'a', clientSecret: secret, baseUrl: 'http://10.0.0.5:8080', plainHttpHosts: '10.0.0.5:8080' })).toBe('accepted');
	expect(refusal({ clientId: 'a', clientSecret: secret, baseUrl: 'ftp://x' })).toMatch(/is not an http\(s\) URL/);
	expect(refusal({ clientId: 'a', clientSecret: secret, baseUrl: 'https://u:p@x.example.com' })).toMatch(/no user, query or #/);
});

test('the Stream endpoint: wss to DingTalk on 443, ws only to a listed host', () => {
	expect(endpointProblem('wss://wss-open-connection.dingtalk.com:443/connect', [])).toBeUndefined();
	expect(endpointProblem('wss://wss-open-connection.dingtalk.com/connect', [])).toBeUndefined();
	expect(endpointProblem('ws://wss-open-connection.dingtalk.com/connect', ['wss-open-connection.dingtalk.com'])).toMatch(/plain ws:\/\/ to wss-open-connection\.dingtalk\.com/);
	expect(endpointProblem('wss://wss-open-connection.dingtalk.com:8443/connect', [])).toMatch(/port 8443/);
	expect(endpointProblem('ws://127.0.0.1:9000/connect', [])).toMatch(/plain ws:\/\/ to 127\.0\.0\.1:9000, which is not listed.*the ticket would travel unencrypted/);
	expect(endpointProblem('ws://127.0.0.1:9000/connect', ['127.0.0.1:9000'])).toBeUndefined();
	expect(endpointProblem('https://x.example.com/connect', [])).toMatch(/a Stream endpoint is wss:\/\//);
	expect(endpointProblem('::', [])).toBe('is not a URL');
});

test('the Stream endpoint: wss:// to a host that is not DingTalk\'s only when it is listed (a trusted proxy)', () => {
	expect(endpointProblem('wss://stream-gateway.example.com/connect', [])).toBe(
		"is not on DingTalk's domain (dingtalk.com) and its host:port is not listed under Plain HTTP Hosts",
	);
	// a name that only looks like DingTalk's
	expect(endpointProblem('wss://wss-open-connection.dingtalk.com.example.net/connect', [])).toMatch(/is not on DingTalk's domain/);
	expect(endpointProblem('wss://dingtalk.com@stream.example.net/connect', [])).toMatch(/is not on DingTalk's domain/);
	expect(endpointProblem('wss://stream-gateway.example.com/connect', ['stream-gateway.example.com'])).toBeUndefined();
	expect(endpointProblem('wss://proxy.corp:8443/connect', ['proxy.corp:8443'])).toBeUndefined();
	// an entry without a port names wss://'s own, 443
	expect(endpointProblem('wss://proxy.corp:8443/connect', ['proxy.corp'])).toMatch(/is not listed under Plain HTTP Hosts/);
	expect(endpointProblem('wss://PROXY.CORP.:8443/connect', ['proxy.corp:8443'])).toBeUndefined();
	// DingTalk's own, however written
	expect(endpointProblem('wss://WSS-OPEN-CONNECTION.DINGTALK.COM./connect', [])).toBeUndefined();
});
