import {
	assertHasKeyword,
	assertMessageSize,
	messageByteLength,
	parseKeywords,
	validateRobotMessageJson,
} from '../../nodes/DingTalkRobot/messages/checks';
import { MessageInputError } from '../../nodes/DingTalkRobot/messages/fields';
import { caught } from './caught';

const LABEL = 'JSON Body';

const VALID: Array<[string, Record<string, unknown>]> = [
	['text', { msgtype: 'text', text: { content: 'hello' } }],
	[
		'text with at',
		{ msgtype: 'text', text: { content: 'hello @13800000000' }, at: { atMobiles: ['13800000000'], atUserIds: ['u1'], isAtAll: false } },
	],
	['markdown', { msgtype: 'markdown', markdown: { title: 'T', text: '# Hi' }, at: { isAtAll: true } }],
	['link', { msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://example.com/r' } }],
	[
		'link with picUrl',
		{ msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://example.com/r', picUrl: 'https://example.com/p.png' } },
	],
	['link with empty picUrl', { msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://example.com/r', picUrl: '' } }],
	[
		'actionCard single',
		{
			msgtype: 'actionCard',
			actionCard: { title: 'T', text: 'x', singleTitle: 'Go', singleURL: 'https://example.com/go', btnOrientation: '0' },
		},
	],
	[
		'actionCard btns',
		{
			msgtype: 'actionCard',
			actionCard: {
				title: 'T',
				text: 'x',
				btnOrientation: '1',
				btns: [
					{ title: 'A', actionURL: 'https://example.com/a' },
					{ title: 'B', actionURL: 'dingtalk://dingtalkclient/page/link?url=x&pc_slide=true' },
				],
			},
		},
	],
	[
		'feedCard',
		{
			msgtype: 'feedCard',
			feedCard: { links: [{ title: 'A', messageURL: 'https://example.com/a', picURL: 'https://example.com/a.png' }] },
		},
	],
	['with msgUuid', { msgtype: 'text', text: { content: 'x' }, msgUuid: 'alert-42' }],
];

describe('validateRobotMessageJson: valid bodies', () => {
	test.each(VALID)('%s as an object', (_name, body) => {
		expect(validateRobotMessageJson(body, LABEL)).toEqual(body);
	});

	test.each(VALID)('%s as a JSON string', (_name, body) => {
		expect(validateRobotMessageJson(JSON.stringify(body, null, 2), LABEL)).toEqual(body);
	});

	test('50 mentions are accepted', () => {
		const atMobiles = Array.from({ length: 30 }, (_, i) => String(13800000000 + i));
		const atUserIds = Array.from({ length: 20 }, (_, i) => `u${i}`);
		const body = { msgtype: 'text', text: { content: 'x' }, at: { atMobiles, atUserIds } };
		expect(validateRobotMessageJson(body, LABEL)).toEqual({ ...body, at: { atMobiles, atUserIds, isAtAll: false } });
	});

	test('mentions are read like the form\'s: spaced mobiles, JSON arrays as text, "true" for isAtAll; the item\'s own object is not changed', () => {
		const at = { atMobiles: '+86 138 0013 8000', atUserIds: '["u1","u2"]', isAtAll: 'true' };
		const body = { msgtype: 'text', text: { content: 'x' }, at };
		expect(validateRobotMessageJson(body, LABEL).at).toEqual({ atMobiles: ['13800138000'], atUserIds: ['u1', 'u2'], isAtAll: true });
		expect(body.at).toBe(at);
		expect(at.atMobiles).toBe('+86 138 0013 8000');
	});

	test('links are percent-encoded where they hold raw spaces', () => {
		const body = { msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://example.com/a report.pdf' } };
		expect(validateRobotMessageJson(body, LABEL)).toEqual({ msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://example.com/a%20report.pdf' } });
	});
});

describe('validateRobotMessageJson: invalid bodies', () => {
	test('invalid JSON string', () => {
		const error = caught(() => validateRobotMessageJson('{"msgtype": "text",', LABEL));
		expect(error.field).toBe('JSON Body');
		expect(error.problem.startsWith('is not valid JSON: ')).toBe(true);
	});

	test.each([
		['an array', [1, 2], 'must be an object, got [1,2]'],
		['a JSON array string', '[1,2]', 'must be an object, got [1,2]'],
		['a JSON string literal', '"text"', 'must be an object, got "text"'],
		['a number', 42, 'must be an object, got 42'],
		['null', null, 'must be an object, got null'],
		['the JSON null', 'null', 'must be an object, got null'],
	])('not an object: %s', (_name, value, problem) => {
		const error = caught(() => validateRobotMessageJson(value, LABEL));
		expect(error.field).toBe('JSON Body');
		expect(error.problem).toBe(problem);
	});

	test.each([
		['image (undocumented for webhooks)', { msgtype: 'image', image: { picURL: 'https://example.com/p.png' } }, '"image"'],
		['wrong casing Text', { msgtype: 'Text', Text: { content: 'x' } }, '"Text"'],
		['wrong casing actioncard', { msgtype: 'actioncard', actioncard: {} }, '"actioncard"'],
		['missing', { text: { content: 'x' } }, 'undefined'],
		['not a string', { msgtype: 1 }, '1'],
	])('unknown msgtype: %s', (_name, body, got) => {
		const error = caught(() => validateRobotMessageJson(body, LABEL));
		expect(error.field).toBe('JSON Body › msgtype');
		expect(error.problem).toBe(`must be one of text, markdown, link, actionCard, feedCard (exact casing), got ${got}`);
	});

	test.each([
		['text part missing', { msgtype: 'text', content: 'x' }, 'JSON Body › text'],
		['text.content missing', { msgtype: 'text', text: { Content: 'x' } }, 'JSON Body › text.content'],
		['text.content blank', { msgtype: 'text', text: { content: '  ' } }, 'JSON Body › text.content'],
		['markdown.title missing', { msgtype: 'markdown', markdown: { text: 'x' } }, 'JSON Body › markdown.title'],
		['markdown.text missing', { msgtype: 'markdown', markdown: { title: 'T' } }, 'JSON Body › markdown.text'],
		[
			'link with messageURL instead of messageUrl',
			{ msgtype: 'link', link: { title: 'T', text: 'x', messageURL: 'https://example.com/r' } },
			'JSON Body › link.messageUrl',
		],
		['link.text missing', { msgtype: 'link', link: { title: 'T', messageUrl: 'https://example.com/r' } }, 'JSON Body › link.text'],
		[
			'link.picUrl dingtalk://',
			{ msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://example.com/r', picUrl: 'dingtalk://x' } },
			'JSON Body › link.picUrl',
		],
		[
			'feedCard link with messageUrl instead of messageURL',
			{ msgtype: 'feedCard', feedCard: { links: [{ title: 'A', messageUrl: 'https://example.com/a', picURL: 'https://example.com/a.png' }] } },
			'JSON Body › feedCard.links[0].messageURL',
		],
		[
			'feedCard link with picUrl instead of picURL',
			{ msgtype: 'feedCard', feedCard: { links: [{ title: 'A', messageURL: 'https://example.com/a', picUrl: 'https://example.com/a.png' }] } },
			'JSON Body › feedCard.links[0].picURL',
		],
		[
			'feedCard second link without title',
			{
				msgtype: 'feedCard',
				feedCard: {
					links: [
						{ title: 'A', messageURL: 'https://example.com/a', picURL: 'https://example.com/a.png' },
						{ messageURL: 'https://example.com/b', picURL: 'https://example.com/b.png' },
					],
				},
			},
			'JSON Body › feedCard.links[1].title',
		],
		['feedCard without links', { msgtype: 'feedCard', feedCard: { links: [] } }, 'JSON Body › feedCard.links'],
		['feedCard link not an object', { msgtype: 'feedCard', feedCard: { links: ['x'] } }, 'JSON Body › feedCard.links[0]'],
		[
			'actionCard btns item without actionURL',
			{
				msgtype: 'actionCard',
				actionCard: {
					title: 'T',
					text: 'x',
					btns: [
						{ title: 'A', actionURL: 'https://example.com/a' },
						{ title: 'B', actionUrl: 'https://example.com/b' },
					],
				},
			},
			'JSON Body › actionCard.btns[1].actionURL',
		],
		[
			'actionCard btns item without title',
			{ msgtype: 'actionCard', actionCard: { title: 'T', text: 'x', btns: [{ actionURL: 'https://example.com/a' }] } },
			'JSON Body › actionCard.btns[0].title',
		],
		[
			'actionCard singleTitle without singleURL',
			{ msgtype: 'actionCard', actionCard: { title: 'T', text: 'x', singleTitle: 'Go', singleUrl: 'https://example.com/go' } },
			'JSON Body › actionCard.singleURL',
		],
		[
			'actionCard singleURL without singleTitle',
			{ msgtype: 'actionCard', actionCard: { title: 'T', text: 'x', singleURL: 'https://example.com/go' } },
			'JSON Body › actionCard.singleTitle',
		],
		['actionCard with neither single nor btns', { msgtype: 'actionCard', actionCard: { title: 'T', text: 'x' } }, 'JSON Body › actionCard.btns'],
		['actionCard.title missing', { msgtype: 'actionCard', actionCard: { text: 'x', btns: [] } }, 'JSON Body › actionCard.title'],
		['at not an object', { msgtype: 'text', text: { content: 'x' }, at: ['13800000000'] }, 'JSON Body › at'],
		['at.atMobiles an object', { msgtype: 'text', text: { content: 'x' }, at: { atMobiles: { a: 1 } } }, 'JSON Body › at.atMobiles'],
	])('%s', (_name, body, field) => {
		expect(caught(() => validateRobotMessageJson(body, LABEL)).field).toBe(field);
		// the same when it comes as text
		expect(caught(() => validateRobotMessageJson(JSON.stringify(body), LABEL)).field).toBe(field);
	});

	test('at with 51 mentions', () => {
		const atMobiles = Array.from({ length: 31 }, (_, i) => String(13800000000 + i));
		const atUserIds = Array.from({ length: 20 }, (_, i) => `u${i}`);
		const error = caught(() => validateRobotMessageJson({ msgtype: 'markdown', markdown: { title: 'T', text: 'x' }, at: { atMobiles, atUserIds } }, LABEL));
		expect(error.field).toBe('JSON Body › at.atUserIds');
		expect(error.problem).toBe('mentions 51 people; DingTalk allows at most 50 in one message');
	});

	test('the label prefixes every field', () => {
		expect(caught(() => validateRobotMessageJson({ msgtype: 'text', text: {} }, 'Body')).field).toBe('Body › text.content');
	});
});

describe('assertMessageSize', () => {
	// {"msgtype":"text","text":{"content":""}} is 40 bytes
	const body = (content: string) => ({ msgtype: 'text', text: { content } });

	test('the byte length is that of the JSON, in UTF-8', () => {
		expect(messageByteLength(body(''))).toBe(40);
		expect(messageByteLength(body('中'))).toBe(43);
	});

	test('20000 bytes are accepted', () => {
		expect(() => assertMessageSize(body('a'.repeat(19960)), 'Content')).not.toThrow();
	});

	test('20001 bytes are refused', () => {
		const error = caught(() => assertMessageSize(body('a'.repeat(19961)), 'Content'));
		expect(error.field).toBe('Content');
		expect(error.problem).toBe(
			'makes the message 20001 bytes long; DingTalk accepts at most 20000 bytes (UTF-8; a Chinese character takes 3)',
		);
		expect(error.hint).toBe('Shorten the text, or split it across several items.');
	});

	test('Chinese characters count 3 bytes each', () => {
		// 6653 × 3 + 1 + 40 = 20000 bytes, but only 6694 characters
		expect(() => assertMessageSize(body(`${'中'.repeat(6653)}a`), 'Text')).not.toThrow();
		// 6654 × 3 + 40 = 20002 bytes
		const error = caught(() => assertMessageSize(body('中'.repeat(6654)), 'Text'));
		expect(error.field).toBe('Text');
		expect(error.problem).toContain('20002 bytes');
	});

	test('a custom limit', () => {
		expect(() => assertMessageSize(body('abcdefghij'), 'Content', 50)).not.toThrow();
		expect(caught(() => assertMessageSize(body('abcdefghijk'), 'Content', 50)).problem).toContain('51 bytes long; DingTalk accepts at most 50 bytes');
	});
});

describe('parseKeywords', () => {
	test.each([
		['commas', 'alert,监控报警', ['alert', '监控报警']],
		['comma and space', 'alert, 监控报警', ['alert', '监控报警']],
		['full-width commas and 、', 'alert，监控、报警', ['alert', '监控', '报警']],
		['semicolons', 'a;b；c', ['a', 'b', 'c']],
		['new lines', 'alert\n监控报警\r\nops', ['alert', '监控报警', 'ops']],
		['spaces inside a keyword are kept', 'disk full, cpu high', ['disk full', 'cpu high']],
		['duplicates and empties removed', 'a,,a, ,b\n\n', ['a', 'b']],
		['empty', '', []],
		['blank', '  ', []],
	])('%s', (_name, input, expected) => {
		expect(parseKeywords(input)).toEqual(expected);
	});

	test.each([undefined, null, 42, ['a']])('not a string (%p) → none', (input) => {
		expect(parseKeywords(input)).toEqual([]);
	});
});

describe('assertHasKeyword', () => {
	const text = (content: string) => ({ msgtype: 'text', text: { content }, msgUuid: 'uuid-1' });
	/** The start of the keyword refusal's message (not another refusal of the body). */
	const noKeyword = (field: string, keywords: string[]) => `"${field}" contains none of the robot's keywords (${keywords.join(', ')}) in the text DingTalk checks`;

	test('no keywords: anything passes', () => {
		expect(() => assertHasKeyword(text('anything'), [], 'Content')).not.toThrow();
	});

	test('passes when one of the keywords appears', () => {
		expect(() => assertHasKeyword(text('[监控报警] disk full'), ['alert', '监控报警'], 'Content')).not.toThrow();
		expect(() => assertHasKeyword(text('an alert!'), ['alert', '监控报警'], 'Content')).not.toThrow();
	});

	test('a keyword with a space must appear as a whole', () => {
		expect(() => assertHasKeyword(text('the disk is full'), ['disk full'], 'Content')).toThrow(MessageInputError);
		expect(() => assertHasKeyword(text('the disk is full'), ['disk full'], 'Content')).toThrow(noKeyword('Content', ['disk full']));
		expect(() => assertHasKeyword(text('disk full on web-1'), ['disk full'], 'Content')).not.toThrow();
	});

	test('passes when the keyword is in the text DingTalk reads: titles and texts, feedCard link titles', () => {
		const card = {
			msgtype: 'actionCard',
			actionCard: {
				title: 'Ticket 42',
				text: 'Please decide',
				btnOrientation: '0',
				btns: [
					{ title: 'Reject', actionURL: 'https://example.com/r' },
					{ title: 'Approve', actionURL: 'https://example.com/a' },
				],
			},
			msgUuid: 'uuid-2',
		};
		expect(() => assertHasKeyword(card, ['Ticket'], 'Text')).not.toThrow();
		expect(() => assertHasKeyword(card, ['decide'], 'Text')).not.toThrow();

		const markdown = { msgtype: 'markdown', markdown: { title: '监控报警', text: 'db down' }, msgUuid: 'u' };
		expect(() => assertHasKeyword(markdown, ['监控报警'], 'Text')).not.toThrow();

		const feed = {
			msgtype: 'feedCard',
			feedCard: { links: [{ title: 'x', messageURL: 'https://e.com', picURL: 'https://e.com/p.png' }, { title: 'Weekly alert', messageURL: 'https://e.com', picURL: 'https://e.com/p.png' }] },
			msgUuid: 'u',
		};
		expect(() => assertHasKeyword(feed, ['alert'], 'Links')).not.toThrow();
	});

	test('fails when no keyword appears, listing the keywords', () => {
		const error = caught(() => assertHasKeyword(text('disk full'), ['alert', '监控报警'], 'Content'));
		expect(error.field).toBe('Content');
		expect(error.problem).toBe(
			"contains none of the robot's keywords (alert, 监控报警) in the text DingTalk checks (the title and text, not links, buttons or mentions); DingTalk would reject the message",
		);
		expect(error.hint).toBe('Add one of the keywords to the message text or title, or correct the Keywords of the DingTalk Robot credential.');
	});

	test.each([
		['a button title', { msgtype: 'actionCard', actionCard: { title: 'T', text: 'x', btnOrientation: '0', btns: [{ title: 'alert', actionURL: 'https://e.com/a' }] } }],
		['the single button title', { msgtype: 'actionCard', actionCard: { title: 'T', text: 'x', btnOrientation: '0', singleTitle: 'alert', singleURL: 'https://e.com/a' } }],
		['a URL', { msgtype: 'link', link: { title: 'T', text: 'x', messageUrl: 'https://e.com/alert' } }],
		['a picture URL', { msgtype: 'feedCard', feedCard: { links: [{ title: 'x', messageURL: 'https://e.com', picURL: 'https://e.com/alert.png' }] } }],
		['the mentioned user IDs', { msgtype: 'text', text: { content: 'x' }, at: { atUserIds: ['alert'] } }],
	])('a keyword only in %s does not count: DingTalk does not read it', (_where, body) => {
		expect(() => assertHasKeyword({ ...body, msgUuid: 'u' }, ['alert'], 'Text')).toThrow(MessageInputError);
		expect(() => assertHasKeyword({ ...body, msgUuid: 'u' }, ['alert'], 'Text')).toThrow(noKeyword('Text', ['alert']));
	});

	test('the msgtype value does not count as a keyword', () => {
		expect(() => assertHasKeyword(text('hello'), ['text'], 'Content')).toThrow(MessageInputError);
		expect(() => assertHasKeyword(text('hello'), ['text'], 'Content')).toThrow(noKeyword('Content', ['text']));
		expect(() =>
			assertHasKeyword({ msgtype: 'markdown', markdown: { title: 'T', text: 'x' } }, ['markdown'], 'Text'),
		).toThrow(MessageInputError);
		expect(() => assertHasKeyword({ msgtype: 'markdown', markdown: { title: 'T', text: 'x' } }, ['markdown'], 'Text')).toThrow(noKeyword('Text', ['markdown']));
	});

	test('the msgUuid value does not count as a keyword', () => {
		const body = { msgtype: 'text', text: { content: 'hello' }, msgUuid: 'alert-42' };
		expect(caught(() => assertHasKeyword(body, ['alert'], 'Content')).field).toBe('Content');
		expect(() => assertHasKeyword(body, ['alert'], 'Content')).toThrow(noKeyword('Content', ['alert']));
	});

	test('keys are not text: a keyword equal to a key name does not match', () => {
		expect(() => assertHasKeyword(text('hello'), ['content'], 'Content')).toThrow(MessageInputError);
		expect(() => assertHasKeyword(text('hello'), ['content'], 'Content')).toThrow(noKeyword('Content', ['content']));
	});
});
