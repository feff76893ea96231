/**
 * The pure parts of Send and Wait for Response: until when to wait, which requests are link
 * previews, the group robot's card and its links, the form's fields, the page's data, the answer.
 */
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { ATTRIBUTION, buildSendAndWaitCard, buttonLink, readOpenButtonsIn } from '../../nodes/DingTalkRobot/messages/sendAndWaitCard';
import { formAnswer } from '../../nodes/DingTalkRobot/sendAndWait/formAnswer';
import { parseFormFields } from '../../nodes/DingTalkRobot/sendAndWait/formFields';
import { formPageData } from '../../nodes/DingTalkRobot/sendAndWait/formPage';
import { messageText } from '../../nodes/DingTalkRobot/sendAndWait/request';
import { readWaitTill } from '../../nodes/DingTalkRobot/sendAndWait/waitTill';
import { isLinkPreview } from '../../nodes/DingTalkRobot/sendAndWait/webhook';

const NOW = Date.parse('2026-01-02T03:04:05.000Z');
const limit = (values: Record<string, unknown>) => ({ limitWaitTime: { values } });

describe('Limit Wait Time', () => {
	test('not set: n8n\'s WAIT_INDEFINITELY', () => {
		expect(readWaitTill({}, NOW)).toBe(WAIT_INDEFINITELY);
		expect(readWaitTill(limit({}), NOW)).toBe(WAIT_INDEFINITELY);
	});
	test.each([
		[{ resumeAmount: 3, resumeUnit: 'minutes' }, 3 * 60_000],
		[{ limitType: 'afterTimeInterval', resumeAmount: 0.5, resumeUnit: 'hours' }, 1_800_000],
		[{ resumeAmount: 2, resumeUnit: 'days' }, 2 * 86_400_000],
		[{ resumeAmount: 1 }, 3_600_000],
	])('after %j', (values, ms) => {
		expect(readWaitTill(limit(values), NOW).getTime()).toBe(NOW + ms);
	});
	test('at a date and time', () => {
		expect(readWaitTill(limit({ limitType: 'atSpecifiedTime', maxDateAndTime: '2026-02-01T10:00:00Z' }), NOW).toISOString()).toBe('2026-02-01T10:00:00.000Z');
	});
	test.each([
		[{ resumeAmount: -1, resumeUnit: 'hours' }, /Limit Wait Time › Amount/],
		[{ resumeAmount: 1, resumeUnit: 'weeks' }, /Limit Wait Time › Unit.*"weeks"/],
		[{ limitType: 'atSpecifiedTime', maxDateAndTime: 'soon' }, /Max Date and Time.*"soon"/],
		[{ limitType: 'atSpecifiedTime' }, /Max Date and Time/],
		[{ limitType: 'whenever' }, /Limit Type/],
	])('refused: %j', (values, message) => {
		expect(() => readWaitTill(limit(values), NOW)).toThrow(message);
	});
});

describe('link previews record nothing', () => {
	test.each([undefined, '', '   ', 'Slackbot-LinkExpanding 1.0', 'TelegramBot (like TwitterBot)', 'Mozilla/5.0 (compatible; Googlebot/2.1)', 'curl/8.5.0', 'node-fetch', 'Mozilla/5.0 HeadlessChrome/120.0'])('%j is a preview', (agent) => {
		expect(isLinkPreview(agent)).toBe(true);
	});
	test.each([
		'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.6.10)',
		'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
	])('%j is a person', (agent) => {
		expect(isLinkPreview(agent)).toBe(false);
	});
});

describe('the group robot\'s card', () => {
	const BUILD = { addMentionsToContent: true, openLinksInSidePanel: false };
	const signed = 'http://n8n.internal:5678/webhook-waiting/42/node-1?approved=true&signature=' + 'a'.repeat(64);
	test('buttons in n8n\'s order, each its own button, the attribution appended', () => {
		const card = buildSendAndWaitCard(
			{ title: 'Refund', message: 'Refund **T-1**?', buttons: [{ label: 'Decline', url: signed.replace('true', 'false') }, { label: 'Approve', url: signed }], appendAttribution: true, openButtonsIn: 'dingTalk' },
			BUILD,
		);
		expect(card.msgtype).toBe('actionCard');
		expect(card.actionCard.text).toBe(`Refund **T-1**?\n\n${ATTRIBUTION}`);
		expect(card.actionCard.btns).toEqual([
			{ title: 'Decline', actionURL: signed.replace('true', 'false') },
			{ title: 'Approve', actionURL: signed },
		]);
		expect(card.actionCard.btnOrientation).toBe('1');
	});
	test('one button is still a button (not the whole card as a link)', () => {
		const card = buildSendAndWaitCard({ title: 'Go', message: 'Go?', buttons: [{ label: 'Approve', url: signed }], appendAttribution: false, openButtonsIn: 'dingTalk' }, BUILD);
		expect(card.actionCard.text).toBe('Go?');
		expect(card.actionCard.singleURL).toBeUndefined();
		expect(card.actionCard.btns).toEqual([{ title: 'Approve', actionURL: signed }]);
	});
	test.each([
		['dingTalk', signed],
		['browser', `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(signed)}&pc_slide=false`],
		['sidePanel', `dingtalk://dingtalkclient/page/link?url=${encodeURIComponent(signed)}&pc_slide=true`],
	] as const)('Open Buttons In %s', (openIn, link) => {
		expect(buttonLink(signed, openIn)).toBe(link);
		expect(new URL(link.startsWith('dingtalk:') ? (new URL(link).searchParams.get('url') ?? '') : link).toString()).toBe(signed);
	});
	test('an unknown Open Buttons In is refused', () => {
		expect(() => readOpenButtonsIn('popup')).toThrow(/Open Buttons In.*"popup"/);
	});
	test('n8n\'s text line breaks', () => {
		expect(messageText('  a\\nb<br>c<br/>d  ')).toBe('a\nb\nc\nd');
	});
});

describe('the form', () => {
	const fields = parseFormFields('json', JSON.stringify([
		{ fieldLabel: 'Reason', fieldType: 'textarea', requiredField: true },
		{ fieldLabel: 'Amount', fieldType: 'number' },
		{ fieldLabel: 'Email', fieldType: 'email' },
		{ fieldLabel: 'Notify', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'Email' }, { option: 'DingTalk' }] } },
		{ fieldLabel: 'Kind', fieldType: 'radio', fieldOptions: { values: [{ option: 'Full' }, { option: 'Partial' }] } },
		{ fieldType: 'hiddenField', fieldName: 'source', fieldValue: 'dingtalk' },
		{ fieldType: 'html', html: '<b>Note</b><script>alert(1)</script>', elementName: 'note' },
	]));

	test('the answer: by label, numbers as numbers, text trimmed, choices as lists, a radio as its value, a missing field as null', () => {
		const answer = formAnswer(fields, {
			'field-0': ' as is ',
			'field-1': '120.5',
			'field-2': ' a@b.c ',
			'field-3': '["Email","DingTalk"]',
			'field-4': '["Partial"]',
			'field-5': 'dingtalk',
		});
		expect(answer).toEqual({ Reason: ' as is ', Amount: 120.5, Email: 'a@b.c', Notify: ['Email', 'DingTalk'], Kind: 'Partial', source: 'dingtalk', note: null });
	});

	test('the page: nothing of the workflow taken as HTML', () => {
		const data = formPageData({ title: 'T', description: '<img src=x onerror=alert(1)>', buttonLabel: 'Send', customCss: 'body{} </style><script>', fields, appendAttribution: false });
		expect(data.formDescription).toBe('&lt;img src=x onerror=alert(1)&gt;');
		expect(data.dangerousCustomCss).not.toContain('<');
		const html = (data.formFields as Array<Record<string, unknown>>).find((field) => field.isHtml);
		expect(html?.html).toBe('Note ');
	});

	test.each([
		[[{ fieldLabel: 'A' }, { fieldLabel: 'A' }], /field 1.*same name as .*field 0/],
		[[{ fieldLabel: 'F', fieldType: 'file' }], /field 0 › fieldType.*"file"/],
		[[{ fieldType: 'hiddenField' }], /field 0 › fieldName/],
		[[{ fieldLabel: 'X', colour: 'red' }], /field 0.*"colour"/],
		[[], /needs at least one field/],
	])('refused: %j', (list, message) => {
		expect(() => parseFormFields('json', JSON.stringify(list))).toThrow(message);
	});
});
