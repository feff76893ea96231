// Recalling an app robot's messages through the simulated OpenAPI: groupMessages/recall and otoMessages/batchRecall.
import type { DingTalkSimulator } from '../../simulator';
import { APP, CID, OTHER, OTHER_CID, PATHS, REQUEST_ID, USERS, call, getToken, groupSend, simulatorPool } from './openApiHelpers';

const startSim = simulatorPool();
const HOUR = 3_600_000;
const TEXT = { content: 'deploy started' };

const groupRecall = (sim: DingTalkSimulator, token: string, processQueryKeys: unknown, extra: Record<string, unknown> = {}) =>
	call(sim, PATHS.groupRecall, { robotCode: APP.clientId, openConversationId: CID, processQueryKeys, ...extra }, token);
const otoRecall = (sim: DingTalkSimulator, token: string, processQueryKeys: unknown, extra: Record<string, unknown> = {}) =>
	call(sim, PATHS.otoRecall, { robotCode: APP.clientId, processQueryKeys, ...extra }, token);
const sendText = async (sim: DingTalkSimulator, token: string) => (await groupSend(sim, token, 'sampleText', TEXT)).json.processQueryKey as string;
const sendOto = async (sim: DingTalkSimulator, token: string, userIds = USERS.slice(0, 2)) =>
	(await call(sim, PATHS.otoSend, { robotCode: APP.clientId, userIds, msgKey: 'sampleText', msgParam: JSON.stringify(TEXT) }, token)).json
		.processQueryKey as string;

describe('POST /v1.0/robot/groupMessages/recall', () => {
	it('recalls within 24 hours: successResult and failedResult per key, the record and the group page marked', async () => {
		let clock = 1_700_000_000_000;
		const sim = await startSim({ now: () => clock });
		let token = await getToken(sim);
		const old = await sendText(sim, token);
		clock += 24 * HOUR + 1; // "超过24小时则无法撤回消息"
		token = await getToken(sim); // a token lives 2 hours
		const fresh = await sendText(sim, token);
		const edge = await sendText(sim, token);
		clock += 24 * HOUR; // exactly 24 hours after `fresh` and `edge`: still within
		token = await getToken(sim);
		const res = await groupRecall(sim, token, [fresh, 'notAKey', old]);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			successResult: [fresh],
			failedResult: { notAKey: '无效的processQueryKey', [old]: 'processQueryKey已过期，无法撤回消息' },
		});
		const again = await groupRecall(sim, token, [fresh, edge]);
		expect(again.json).toEqual({ successResult: [edge], failedResult: { [fresh]: '消息已撤回' } });
		expect(sim.groupMessages(CID).map((m) => [m.processQueryKey, m.recalled, m.recalledAt])).toEqual([
			[old, false, undefined],
			[fresh, true, clock],
			[edge, true, clock],
		]);
		expect(sim.recalls()).toEqual([
			{
				at: clock,
				kind: 'group',
				robotCode: APP.clientId,
				openConversationId: CID,
				processQueryKeys: [fresh, 'notAKey', old],
				successResult: [fresh],
				failedResult: res.json.failedResult,
			},
			expect.objectContaining({ processQueryKeys: [fresh, edge], successResult: [edge] }),
		]);
		const page = await (await fetch(`${sim.baseUrl}/`)).text();
		expect(page.match(/This message was recalled/g)).toHaveLength(2);
		expect(page.match(/deploy started/g)).toHaveLength(1);
	});

	it('fails the keys of another group, of another robot, and of one-to-one messages', async () => {
		const sim = await startSim();
		sim.addGroup({ openConversationId: OTHER_CID, title: 'Dev', robotCodes: [OTHER.clientId, APP.clientId] });
		const token = await getToken(sim);
		const otherToken = await getToken(sim, OTHER);
		const inOps = await sendText(sim, token);
		const inDev = (await groupSend(sim, token, 'sampleText', TEXT, { openConversationId: OTHER_CID })).json.processQueryKey as string;
		const byOther = (
			await call(sim, PATHS.groupSend, { robotCode: OTHER.clientId, openConversationId: OTHER_CID, msgKey: 'sampleText', msgParam: '{"content":"x"}' }, otherToken)
		).json.processQueryKey as string;
		const oto = await sendOto(sim, token);
		const res = await groupRecall(sim, token, [inDev, oto], {});
		expect(res.json).toEqual({ successResult: [], failedResult: { [inDev]: '无效的processQueryKey', [oto]: '无效的processQueryKey' } });
		// a key of the robot's own message in its other group (Ops) is no key of Dev
		const dev = await groupRecall(sim, token, [byOther, inDev, inOps], { openConversationId: OTHER_CID });
		expect(dev.json).toEqual({
			successResult: [inDev],
			failedResult: { [byOther]: '待撤回的消息不是robotCode对应的机器人发出的，无权限撤回消息', [inOps]: '无效的processQueryKey' },
		});
		expect((dev.json.failedResult as Record<string, string>)[byOther]).toEqual(expect.stringContaining('不是robotCode对应的机器人发出的'));
		expect(sim.groupMessages(CID).map((m) => m.recalled)).toEqual([false]);
		expect(inOps).toBeDefined();
	});

	it('refuses a robot not in the group, another app\'s robot, no keys and more than 20 keys', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const key = await sendText(sim, token);
		const notIn = await groupRecall(sim, token, [key], { openConversationId: OTHER_CID });
		expect(notIn.status).toBe(400);
		expect(notIn.json).toEqual({ requestid: REQUEST_ID, code: 'invalidParameter.robotCode', message: '无效的robotCode，请检查机器人是否在群内' });
		expect((await groupRecall(sim, token, [key], { robotCode: OTHER.clientId })).json.code).toBe('not.allowed.robotCode');
		expect((await groupRecall(sim, token, [key], { robotCode: undefined })).json.code).toBe('miss.chatbotId');
		expect((await groupRecall(sim, token, [key], { openConversationId: 'cidNoSuchGroup==' })).json.code).toBe('invalid.openConversationId');
		expect((await groupRecall(sim, token, [])).json.code).toBe('invalidParameter.processQueryKey.missing');
		expect((await groupRecall(sim, token, key)).json.code).toBe('invalidParameter.processQueryKey.missing');
		const over = await groupRecall(sim, token, [key, ...Array.from({ length: 20 }, (_, i) => `k${i}`)]);
		expect(over.status).toBe(400);
		expect(over.json.code).toBe('invalidParameter.processQueryKeys.overMax');
		expect(sim.groupMessages(CID)[0].recalled).toBe(false);
		expect(sim.recalls()).toEqual([]);
		const twenty = await groupRecall(sim, token, [key, ...Array.from({ length: 19 }, (_, i) => `k${i}`)]);
		expect(twenty.json.successResult).toEqual([key]);
	});
});

describe('POST /v1.0/robot/otoMessages/batchRecall', () => {
	it('recalls a one-to-one message for every user who got it, within 24 hours', async () => {
		let clock = 1_000;
		const sim = await startSim({ now: () => clock });
		let token = await getToken(sim);
		const first = await sendOto(sim, token);
		clock += 25 * HOUR;
		token = await getToken(sim);
		const second = await sendOto(sim, token, [USERS[2]]);
		const group = await sendText(sim, token);
		const res = await otoRecall(sim, token, [first, second, group]);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			successResult: [second],
			failedResult: { [first]: 'processQueryKey已过期，无法撤回消息', [group]: '无效的processQueryKey' },
		});
		expect(sim.userMessages(USERS[2])[0]).toMatchObject({ processQueryKey: second, recalled: true, recalledAt: clock });
		expect(sim.userMessages(USERS[0])[0]).toMatchObject({ processQueryKey: first, recalled: false });
		expect(sim.recalls()[0]).toMatchObject({ kind: 'oto', openConversationId: undefined, successResult: [second] });
	});

	it('refuses another app\'s robot, an unknown robot and no keys', async () => {
		const sim = await startSim();
		const token = await getToken(sim);
		const key = await sendOto(sim, token);
		expect((await otoRecall(sim, token, [key], { robotCode: OTHER.clientId })).json.code).toBe('not.allowed.robotCode');
		expect((await otoRecall(sim, token, [key], { robotCode: 'dingnobody' })).json.code).toBe('invalidParameter.robotCode');
		expect((await otoRecall(sim, token, undefined)).json.code).toBe('invalidParameter.processQueryKey.missing');
		expect(sim.userMessages(USERS[0])[0].recalled).toBe(false);
	});
});
