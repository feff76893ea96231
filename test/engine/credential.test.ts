/**
 * The credential's "Test" button, run the way n8n runs it, against the simulator: it must pass
 * for a good robot, fail with a reason for a bad one, and never post into the group.
 */
import { testCredential } from './credentialTester';
import { KEYWORD_ROBOT, SIGNED_ROBOT, simulatorWebhook, useSimulator } from './simulatorFixture';

const WHITELISTED_ROBOT = { accessToken: 'whitelistRobotToken', ipWhitelist: ['203.0.113.7'] };
const sim = useSimulator(undefined, [SIGNED_ROBOT, KEYWORD_ROBOT, WHITELISTED_ROBOT]);

afterEach(() => {
	// whatever the outcome, the test request never becomes a message in the group
	expect(sim.stats().delivered).toBe(0);
});

test('passes for the right webhook URL and secret, with one signed request', async () => {
	const result = await testCredential('dingTalkRobotApi', { ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: SIGNED_ROBOT.secret });
	expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
	expect(sim.requests).toHaveLength(1);
	expect(sim.requests[0]).toMatchObject({ signatureValid: true, errcode: 400105 });
});

test('passes for a keyword robot when its keywords are in the credential', async () => {
	const result = await testCredential('dingTalkRobotApi', { ...simulatorWebhook(sim, KEYWORD_ROBOT.accessToken), keywords: '监控报警' });
	expect(result.status).toBe('OK');
	expect(sim.requests[0].rawBody).toContain('监控报警');
});

test('fails for a wrong secret, saying what to check', async () => {
	const result = await testCredential('dingTalkRobotApi', { ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: 'SECnotTheRightOne' });
	expect(result.status).toBe('Error');
	expect(result.message).toMatch(/^DingTalk refused the security check \(errcode 310000\): the secret/);
	expect(sim.requests[0].errmsg).toBe('sign not match');
});

test('fails for an unknown token', async () => {
	const result = await testCredential('dingTalkRobotApi', { ...simulatorWebhook(sim, 'unknownToken') });
	expect(result).toEqual({
		status: 'Error',
		message: expect.stringMatching(/^DingTalk does not know this access token/),
	});
});

test('fails for an IP that is not whitelisted', async () => {
	const result = await testCredential('dingTalkRobotApi', { ...simulatorWebhook(sim, WHITELISTED_ROBOT.accessToken) });
	expect(result.status).toBe('Error');
	expect(result.message).toContain('IP whitelist');
	expect(sim.requests[0].errmsg).toBe('ip 127.0.0.1 not in whitelist');
});

test('fails for a webhook that is neither a URL nor a token, without any request', async () => {
	const result = await testCredential('dingTalkRobotApi', { accessToken: 'https://oapi.dingtalk.com/robot/send' });
	expect(result).toEqual({ status: 'Error', message: expect.stringContaining('has no access_token parameter') });
	expect(sim.requests).toHaveLength(0);
});
