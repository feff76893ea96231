/**
 * Send and Wait for Response inside n8n's WorkflowExecute, sending to the DingTalk simulator: the
 * execution is put to wait, the group receives an actionCard whose buttons are n8n's signed resume
 * URLs (nothing of the credential in it), a bad form fails the node before anything is sent.
 */
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { runRobotWorkflow } from './n8nEngine';
import { SIGNED_ROBOT, simulatorWebhook, useSimulator } from './simulatorFixture';

const sim = useSimulator();
const credential = () => ({ ...simulatorWebhook(sim, SIGNED_ROBOT.accessToken), secret: SIGNED_ROBOT.secret });

type Card = { title: string; text: string; btns: Array<{ title: string; actionURL: string }> };
const cards = () => sim.messages(SIGNED_ROBOT.accessToken).map((message) => (message as unknown as { actionCard: Card }).actionCard);

describe('Send and Wait for Response in the engine', () => {
	test('Approve and Decline: one card for the first item, the buttons link n8n\'s signed resume URL, the execution waits', async () => {
		const { run, output, error } = await runRobotWorkflow({
			items: [{ ticket: 'T-1' }, { ticket: 'T-2' }],
			parameters: {
				operation: 'sendAndWait',
				title: '=Refund {{ $json.ticket }}',
				message: '=Refund ticket **{{ $json.ticket }}**?',
				approvalOptions: { values: { approvalType: 'double' } },
				options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' } } },
			},
			credential: credential(),
		});
		expect(error).toBeUndefined();
		expect(run.status).toBe('waiting');
		const waitTill = run.waitTill?.getTime() ?? 0;
		expect(Math.abs(waitTill - (Date.now() + 2 * 3_600_000))).toBeLessThan(60_000);
		expect(output.map((item) => item.json)).toEqual([{ ticket: 'T-1' }, { ticket: 'T-2' }]);
		expect(cards()).toHaveLength(1);
		const [card] = cards();
		expect(card.title).toBe('Refund T-1');
		expect(card.text).toContain('Refund ticket **T-1**?');
		expect(card.btns.map((button) => button.title)).toEqual(['Decline', 'Approve']);
		for (const [button, approved] of [[card.btns[0], 'false'], [card.btns[1], 'true']] as const) {
			const url = new URL(button.actionURL);
			expect(url.origin + url.pathname).toMatch(/^http:\/\/127\.0\.0\.1\/webhook-waiting\/[^/]+\/robot$/);
			expect(url.searchParams.get('approved')).toBe(approved);
			expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
			expect([...url.searchParams.keys()].sort()).toEqual(['approved', 'signature']);
		}
		const sent = JSON.stringify(sim.messages(SIGNED_ROBOT.accessToken));
		for (const secret of [SIGNED_ROBOT.accessToken, SIGNED_ROBOT.secret]) expect(sent).not.toContain(secret);
	});

	test('no Limit Wait Time: the execution waits indefinitely (n8n\'s WAIT_INDEFINITELY)', async () => {
		const { run } = await runRobotWorkflow({ items: [{}], parameters: { operation: 'sendAndWait', message: 'Go?' }, credential: credential() });
		expect(run.status).toBe('waiting');
		expect(run.waitTill?.getTime()).toBe(WAIT_INDEFINITELY.getTime());
		expect(cards()[0].btns.map((button) => button.title)).toEqual(['Approve']);
	});

	test('a form that cannot be shown fails the node, naming the field, and nothing is sent', async () => {
		const { run, error } = await runRobotWorkflow({
			items: [{}],
			parameters: { operation: 'sendAndWait', message: 'Details?', responseType: 'customForm', defineForm: 'json', jsonOutput: '[{ "fieldLabel": "Kind", "fieldType": "dropdown" }]' },
			credential: credential(),
		});
		expect(run.status).toBe('error');
		expect(error?.message).toBe('Item 0: "Form Fields (JSON) › field 0 › fieldOptions" needs at least one option ({ "values": [{ "option": "…" }] })');
		expect(sim.messages(SIGNED_ROBOT.accessToken)).toHaveLength(0);
	});

	test('a refused send with Continue On Fail: an error item, no waiting', async () => {
		const { run, output } = await runRobotWorkflow({
			items: [{}],
			parameters: { operation: 'sendAndWait', message: 'Go?' },
			credential: { ...credential(), secret: 'SECnotTheSecret' },
			continueOnFail: true,
		});
		expect(run.status).not.toBe('waiting');
		expect(run.waitTill).toBeUndefined();
		expect(output).toHaveLength(1);
		expect(output[0].json.error).toBeDefined();
		expect(JSON.stringify(output)).not.toContain('SECnotTheSecret');
	});
});
