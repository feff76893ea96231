import {
	APPROVE_ACTION_ID,
	DECLINE_ACTION_ID,
	PROOF_MAX_AGE_MS,
	checkClickPost,
	clickPost,
	readSendAndWaitClick,
	readSendAndWaitOutTrackId,
	sendAndWaitOutTrackId,
} from '../../nodes/shared/sendAndWaitClick';
import { readApprovers } from '../../nodes/DingTalkRobot/sendAndWait/appWebhook';

const SECRET = 'unitClientSecret-Pq4Zr8';
const NODE_ID = '3f2a9c1e-1b7d-4c55-9a0e-6d2b8f1c0a77';
const NOW = Date.UTC(2026, 11, 3, 10, 0, 0);

function clickOn(outTrackId: string, actionId = APPROVE_ACTION_ID, resumeUrl = `http://127.0.0.1:5678/webhook-waiting/4711/${NODE_ID}?signature=abc`) {
	return { outTrackId, userId: 'manager4521', corpId: 'dingcorp', actionIds: [actionId], params: { n8nResumeUrl: resumeUrl } };
}

test('the outTrackId names the execution and a digest of the node, fits DingTalk\'s 64 characters', () => {
	const id = sendAndWaitOutTrackId('4711', NODE_ID);
	expect(id).toMatch(/^n8nsaw-4711-[0-9a-f]{8}-[0-9a-f]{10}$/);
	expect(id.length).toBeLessThanOrEqual(64);
	expect(readSendAndWaitOutTrackId(id)).toEqual({ executionId: '4711', nodeDigest: id.split('-')[2] });
	expect(sendAndWaitOutTrackId('4711', 'other-node').split('-')[2]).not.toBe(id.split('-')[2]);
	expect(readSendAndWaitOutTrackId('n8n-0123abcd')).toBeUndefined();
});

test('a click is a send-and-wait click only on such a card, with a known action and a resume URL of its execution', () => {
	const id = sendAndWaitOutTrackId('4711', NODE_ID);
	expect(readSendAndWaitClick(clickOn(id))).toMatchObject({ action: 'approve', userId: 'manager4521', corpId: 'dingcorp' });
	expect(readSendAndWaitClick(clickOn(id, DECLINE_ACTION_ID))?.action).toBe('decline');
	expect(readSendAndWaitClick(clickOn(id, 'approve'))).toBeUndefined();
	expect(readSendAndWaitClick(clickOn('n8n-0123abcd'))).toBeUndefined();
	// a URL of another execution, or not http(s), is never posted to
	expect(readSendAndWaitClick(clickOn(id, APPROVE_ACTION_ID, `http://127.0.0.1:5678/webhook-waiting/4712/${NODE_ID}`))).toBeUndefined();
	expect(readSendAndWaitClick(clickOn(id, APPROVE_ACTION_ID, `file:///webhook-waiting/4711/${NODE_ID}`))).toBeUndefined();
	expect(readSendAndWaitClick({ ...clickOn(id), params: {} })).toBeUndefined();
});

test('the waiting node accepts its own card\'s click with the right proof, refuses every change', () => {
	const id = sendAndWaitOutTrackId('4711', NODE_ID);
	const post = clickPost(SECRET, readSendAndWaitClick(clickOn(id))!, NOW);
	const waiting = { executionId: '4711', nodeId: NODE_ID };
	expect(checkClickPost(post, SECRET, waiting, NOW + 1000)).toMatchObject({ ok: true, post: { action: 'approve', userId: 'manager4521' } });
	const refused = (body: unknown, w = waiting, now = NOW) => {
		const checked = checkClickPost(body, SECRET, w, now);
		return checked.ok ? 'accepted' : checked.reason;
	};
	expect(refused({ ...post, action: 'decline' })).toMatch(/proof is wrong/);
	expect(refused({ ...post, userId: 'staff0042' })).toMatch(/proof is wrong/);
	expect(refused({ ...post, timestamp: NOW + 1 })).toMatch(/proof is wrong/);
	expect(refused(clickPost('anotherSecret', readSendAndWaitClick(clickOn(id))!, NOW))).toMatch(/proof is wrong/);
	expect(refused(post, { executionId: '4712', nodeId: NODE_ID })).toMatch(/not the one this execution and node sent/);
	expect(refused(post, { executionId: '4711', nodeId: 'other-node' })).toMatch(/not the one this execution and node sent/);
	expect(refused(post, waiting, NOW + PROOF_MAX_AGE_MS + 1)).toMatch(/at most 300 s/);
	expect(refused({ ...post, proof: undefined })).toMatch(/no proof/);
	expect(refused('approve')).toMatch(/not a JSON object/);
	expect(JSON.stringify(checkClickPost({ ...post, action: 'decline' }, SECRET, waiting, NOW))).not.toContain(SECRET);
});

test('Approvers: user IDs separated by commas, semicolons, spaces or new lines', () => {
	expect(readApprovers(' manager4521, 0143225561;staff0042\nboss ')).toEqual(['manager4521', '0143225561', 'staff0042', 'boss']);
	expect(readApprovers('')).toEqual([]);
	expect(readApprovers(undefined)).toEqual([]);
	// as every user-ID field: a space inside an entry is a typo or a name, not two people
	expect(() => readApprovers('manager 4521, boss')).toThrow(/Approvers.*space inside/);
});
