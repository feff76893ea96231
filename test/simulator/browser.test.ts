/**
 * The simulator's person tapping a card button (simulator/browser.js): the button's link opened
 * with DingTalk's User-Agent (a `dingtalk://…/page/link` link: its page), a form page read the way
 * n8n draws it, required fields held back in the page, the answer posted as multipart to the
 * page's own URL. A small server here plays the page (the e2e plays it with n8n's real one).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { DingTalkSimulator } from '../../simulator';

const FORM_PAGE = `<!DOCTYPE html><html><body>
<div style="display: none;"><h1>Got it, thanks</h1></div>
<form id='n8n-form'><h1>Refund &amp; details</h1>
<label for='field-0'>Reason</label><textarea id='field-0' name='field-0' class='form-required'></textarea>
<label for='field-1'>Amount</label><input id='field-1' name='field-1' type='number' class='form-required' />
<label>Notify</label><div class='multiselect form-required' id='field-2'>
<input type='checkbox' class='multiselect-checkbox' value='Email' /><input type='checkbox' class='multiselect-checkbox' value='DingTalk' checked /></div>
<input type='hidden' name='field-3' value='dingtalk' />
<button id='submit-btn' type='submit'>Send</button></form></body></html>`;

interface Seen {
	method: string;
	url: string;
	userAgent: string | undefined;
	contentType: string | undefined;
	body: string;
}

const seen: Seen[] = [];
const server = http.createServer((req, res) => {
	let body = '';
	req.on('data', (chunk) => (body += chunk));
	req.on('end', () => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', userAgent: req.headers['user-agent'], contentType: req.headers['content-type'], body });
		res.setHeader('content-type', 'text/html; charset=utf-8');
		res.end(req.method === 'POST' ? '<h1>Got it, thanks</h1>' : req.url?.startsWith('/form') ? FORM_PAGE : '<h1>Recorded</h1>');
	});
});
let base = '';
const sim = new DingTalkSimulator();
sim.addRobot({ accessToken: 'browserToken' });

beforeAll(async () => {
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	await sim.start({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
	await sim.stop();
	await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => (seen.length = 0));

async function postCard(btns: Array<{ title: string; actionURL: string }>) {
	const response = await fetch(sim.webhookUrl('browserToken'), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ msgtype: 'actionCard', actionCard: { title: 'Refund', text: 'Refund?', btns } }),
	});
	expect(((await response.json()) as { errcode: number }).errcode).toBe(0);
}

test('tapping a button opens its link with DingTalk\'s User-Agent; a DingTalk page link opens its page', async () => {
	sim.reset();
	await postCard([
		{ title: 'Decline', actionURL: `${base}/resume?approved=false&signature=abc` },
		{ title: 'Approve', actionURL: `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(`${base}/resume?approved=true&signature=abc`)}&pc_slide=false` },
	]);
	expect(sim.buttons('browserToken').map((button: { title: string }) => button.title)).toEqual(['Decline', 'Approve']);
	const page = await sim.clickButton('browserToken', 'Approve');
	expect(page.heading).toBe('Recorded');
	expect(seen).toHaveLength(1);
	expect(seen[0].url).toBe('/resume?approved=true&signature=abc');
	expect(seen[0].userAgent).toMatch(/AliApp\(DingTalk\//);
	await expect(sim.clickButton('browserToken', 'Maybe')).rejects.toThrow(/no actionCard .* has a button "Maybe"/);
});

test('a link preview: an empty User-Agent', async () => {
	await sim.openLink(`${base}/resume?x=1`, { userAgent: '' });
	expect(seen[0].userAgent ?? '').toBe('');
});

test('a form page: fields read as drawn, required fields held back, the answer posted to the page\'s URL', async () => {
	const page = await sim.openLink(`${base}/form?signature=abc`);
	expect(page.heading).toBe('Refund & details');
	expect(page.form?.submitLabel).toBe('Send');
	expect(page.form?.fields.map((field) => `${field.label}:${field.kind}:${field.required}`)).toEqual(['Reason:textarea:true', 'Amount:input:true', 'Notify:choices:true', 'field-3:hidden:false']);
	const held = await sim.submitForm(page, { Amount: 3 });
	expect(held.refused).toEqual(['Reason']);
	expect(seen).toHaveLength(1);
	await expect(sim.submitForm(page, { Reason: 'x', Colour: 'red' })).rejects.toThrow(/no field Colour/);
	const sent = await sim.submitForm(page, { Reason: 'Broken', Amount: 3, Notify: ['Email', 'DingTalk'] });
	expect(sent.heading).toBe('Got it, thanks');
	const post = seen[1];
	expect(post.method).toBe('POST');
	expect(post.url).toBe('/form?signature=abc');
	expect(post.contentType).toMatch(/^multipart\/form-data; boundary=/);
	for (const [name, value] of [['field-0', 'Broken'], ['field-1', '3'], ['field-2', '["Email","DingTalk"]'], ['field-3', 'dingtalk']]) {
		expect(post.body).toContain(`name="${name}"\r\n\r\n${value}\r\n`);
	}
});
