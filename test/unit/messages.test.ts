import type { INodeProperties } from 'n8n-workflow';

import { dingTalkRobotProperties } from '../../nodes/DingTalkRobot/descriptions';
import {
	DEFAULT_BUILD_OPTIONS,
	buildActionCardMessage,
	buildFeedCardMessage,
	buildLinkMessage,
	buildMarkdownMessage,
	buildTextMessage,
	type BuildOptions,
} from '../../nodes/DingTalkRobot/messages/build';
import { validateRobotMessageJson } from '../../nodes/DingTalkRobot/messages/checks';
import { rewriteMarkdownLinks, toSidePanelUrl } from '../../nodes/DingTalkRobot/messages/links';
import { OPTION_LABELS } from '../../nodes/DingTalkRobot/actions/send/options';
import { MENTION_FIELDS, appendMissingMentions, parseMobileList, parseUserIdList, resolveMentions } from '../../nodes/DingTalkRobot/messages/mentions';
import { caught } from './caught';

const SIDE_PANEL: BuildOptions = { addMentionsToContent: true, openLinksInSidePanel: true };
const NO_AUTO_MENTIONS: BuildOptions = { addMentionsToContent: false, openLinksInSidePanel: false };

/** Side-panel forms written out by hand (encodeURIComponent of the URL + &pc_slide=true). */
const PANEL = {
	report: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com%2Freport%3Fid%3D1%26tab%3Da&pc_slide=true',
	docs: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com%2Fdocs&pc_slide=true',
	approve: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com%2Fapprove%3Fticket%3D42&pc_slide=true',
	reject: 'dingtalk://dingtalkclient/page/link?url=http%3A%2F%2Fexample.com%2Freject&pc_slide=true',
	article: 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com%2F%E6%96%87%E7%AB%A0%3Fa%3D1&pc_slide=true',
};

const fieldOf = (fn: () => unknown) => caught(fn).field;

describe('side panel links', () => {
	test('toSidePanelUrl encodes the URL once and adds pc_slide=true', () => {
		expect(toSidePanelUrl('https://example.com/report?id=1&tab=a')).toBe(PANEL.report);
	});

	test('toSidePanelUrl leaves a dingtalk:// link alone', () => {
		const link = 'dingtalk://dingtalkclient/page/link?url=x&pc_slide=false';
		expect(toSidePanelUrl(link)).toBe(link);
	});

	test('rewriteMarkdownLinks rewrites links but not images', () => {
		expect(
			rewriteMarkdownLinks('![chart](https://example.com/c.png)\n[Docs](https://example.com/docs) and [Report](https://example.com/report?id=1&tab=a)'),
		).toBe(`![chart](https://example.com/c.png)\n[Docs](${PANEL.docs}) and [Report](${PANEL.report})`);
	});

	test('rewriteMarkdownLinks leaves non-http links and plain text alone', () => {
		const text = 'mail [me](mailto:a@example.com), [x](dingtalk://dingtalkclient/action/sendmsg) and https://example.com';
		expect(rewriteMarkdownLinks(text)).toBe(text);
	});

	// Regression: an earlier `(^|[^!])` guard consumed the character before "[", so a link right
	// after another link's ")" was not rewritten.
	test('rewriteMarkdownLinks rewrites two adjacent links', () => {
		expect(rewriteMarkdownLinks('[Docs](https://example.com/docs)[Docs](https://example.com/docs)')).toBe(
			`[Docs](${PANEL.docs})[Docs](${PANEL.docs})`,
		);
	});
	// Regression: in a linked image "[![alt](img)](target)" an earlier label pattern
	// `[^\]]*` takes "![alt" as a label, so the IMAGE source is turned into a side-panel page link
	// (the picture breaks) and the target link is left as it was.
	test('rewriteMarkdownLinks keeps the image of a linked image and rewrites its target', () => {
		expect(rewriteMarkdownLinks('[![chart](https://example.com/c.png)](https://example.com/docs)')).toBe(
			`[![chart](https://example.com/c.png)](${PANEL.docs})`,
		);
	});
});

describe('buildTextMessage', () => {
	test('content only', () => {
		expect(buildTextMessage({ content: 'Disk full on web-1' })).toEqual({
			msgtype: 'text',
			text: { content: 'Disk full on web-1' },
		});
	});

	test('a number from an expression becomes text', () => {
		expect(buildTextMessage({ content: 42 })).toEqual({ msgtype: 'text', text: { content: '42' } });
	});

	test('mentions are appended as "\\n@a @b" and put in at', () => {
		expect(
			buildTextMessage({
				content: 'Disk full',
				mentions: { atMobiles: '13800000000, 13900000000', atUserIds: ['manager1234'] },
			}),
		).toEqual({
			msgtype: 'text',
			text: { content: 'Disk full\n@13800000000 @13900000000 @manager1234' },
			at: { atMobiles: ['13800000000', '13900000000'], atUserIds: ['manager1234'], isAtAll: false },
		});
	});

	test('a mention already in the content is not repeated', () => {
		expect(
			buildTextMessage({
				content: 'Disk full, @13800000000 please look',
				mentions: { atMobiles: '13800000000\n13900000000' },
			}),
		).toEqual({
			msgtype: 'text',
			text: { content: 'Disk full, @13800000000 please look\n@13900000000' },
			at: { atMobiles: ['13800000000', '13900000000'], isAtAll: false },
		});
	});

	test('all mentions already in the content: content unchanged', () => {
		expect(
			buildTextMessage({ content: '@13800000000 @manager1234 hi', mentions: { atMobiles: '13800000000', atUserIds: 'manager1234' } }),
		).toEqual({
			msgtype: 'text',
			text: { content: '@13800000000 @manager1234 hi' },
			at: { atMobiles: ['13800000000'], atUserIds: ['manager1234'], isAtAll: false },
		});
	});

	test('addMentionsToContent: false leaves the content as it is', () => {
		expect(
			buildTextMessage({ content: 'Disk full', mentions: { atMobiles: '13800000000' } }, NO_AUTO_MENTIONS),
		).toEqual({
			msgtype: 'text',
			text: { content: 'Disk full' },
			at: { atMobiles: ['13800000000'], isAtAll: false },
		});
	});

	test('mention everyone alone: at.isAtAll, content unchanged', () => {
		expect(buildTextMessage({ content: 'Deploy done', mentions: { isAtAll: true } })).toEqual({
			msgtype: 'text',
			text: { content: 'Deploy done' },
			at: { isAtAll: true },
		});
	});

	test('empty mentions collection: no at', () => {
		expect(buildTextMessage({ content: 'x', mentions: { atMobiles: '', atUserIds: '', isAtAll: false } })).toEqual({
			msgtype: 'text',
			text: { content: 'x' },
		});
	});

	test('the default options add mentions and do not touch links', () => {
		expect(DEFAULT_BUILD_OPTIONS).toEqual({ addMentionsToContent: true, openLinksInSidePanel: false });
	});

	// Regression: "already in the content" was a substring test, so "@user12"
	// in the content hid the missing "@user1", and user1 was not highlighted by DingTalk.
	test('a mention that is a prefix of another one in the content is still appended', () => {
		expect(appendMissingMentions('ping @user12', ['user1', 'user12'])).toBe('ping @user12\n@user1');
	});
});

describe('buildMarkdownMessage', () => {
	test('title and text', () => {
		expect(buildMarkdownMessage({ title: 'Alert', text: '#### Alert\n> **db** is down' })).toEqual({
			msgtype: 'markdown',
			markdown: { title: 'Alert', text: '#### Alert\n> **db** is down' },
		});
	});

	test('mentions start a paragraph of their own: "\\n\\n@…"', () => {
		expect(
			buildMarkdownMessage({ title: 'Alert', text: '**db** is down', mentions: { atMobiles: ['13800000000'], atUserIds: '@manager1234' } }),
		).toEqual({
			msgtype: 'markdown',
			markdown: { title: 'Alert', text: '**db** is down\n\n@13800000000 @manager1234' },
			at: { atMobiles: ['13800000000'], atUserIds: ['manager1234'], isAtAll: false },
		});
	});

	test('side panel rewrites [x](https://…) but not ![img](https://…)', () => {
		expect(
			buildMarkdownMessage(
				{ title: 'Report', text: '![chart](https://example.com/c.png)\n[Open](https://example.com/report?id=1&tab=a)' },
				SIDE_PANEL,
			),
		).toEqual({
			msgtype: 'markdown',
			markdown: { title: 'Report', text: `![chart](https://example.com/c.png)\n[Open](${PANEL.report})` },
		});
	});

	test('links are kept as they are without the side panel option', () => {
		const text = '[Open](https://example.com/report?id=1&tab=a)';
		expect(buildMarkdownMessage({ title: 'R', text })).toEqual({ msgtype: 'markdown', markdown: { title: 'R', text } });
	});
});

describe('buildLinkMessage', () => {
	test('without picture: no picUrl key', () => {
		expect(buildLinkMessage({ title: 'Weekly report', text: 'Sales up 5%', messageUrl: 'https://example.com/report?id=1&tab=a' })).toEqual({
			msgtype: 'link',
			link: { title: 'Weekly report', text: 'Sales up 5%', messageUrl: 'https://example.com/report?id=1&tab=a' },
		});
	});

	test('blank picture: no picUrl key', () => {
		expect(buildLinkMessage({ title: 'T', text: 'x', messageUrl: 'https://example.com/docs', picUrl: '  ' })).toEqual({
			msgtype: 'link',
			link: { title: 'T', text: 'x', messageUrl: 'https://example.com/docs' },
		});
	});

	test('with picture (DingTalk casing messageUrl / picUrl)', () => {
		expect(
			buildLinkMessage({ title: 'T', text: 'x', messageUrl: ' https://example.com/docs ', picUrl: 'https://example.com/cover.png' }),
		).toEqual({
			msgtype: 'link',
			link: { title: 'T', text: 'x', messageUrl: 'https://example.com/docs', picUrl: 'https://example.com/cover.png' },
		});
	});

	test('side panel: messageUrl rewritten, picUrl not', () => {
		expect(
			buildLinkMessage(
				{ title: 'T', text: 'x', messageUrl: 'https://example.com/report?id=1&tab=a', picUrl: 'https://example.com/cover.png' },
				SIDE_PANEL,
			),
		).toEqual({
			msgtype: 'link',
			link: { title: 'T', text: 'x', messageUrl: PANEL.report, picUrl: 'https://example.com/cover.png' },
		});
	});

	test('a dingtalk:// message URL is accepted and left alone', () => {
		const url = 'dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Fexample.com&pc_slide=false';
		expect(buildLinkMessage({ title: 'T', text: 'x', messageUrl: url }, SIDE_PANEL).link.messageUrl).toBe(url);
	});
});

describe('buildActionCardMessage', () => {
	test('single button, defaults: vertical, no hideAvatar key', () => {
		expect(
			buildActionCardMessage({
				title: 'Release 1.2',
				text: '### Release 1.2\nReady',
				buttonMode: 'single',
				singleTitle: 'Read more',
				singleUrl: 'https://example.com/docs',
			}),
		).toEqual({
			msgtype: 'actionCard',
			actionCard: {
				title: 'Release 1.2',
				text: '### Release 1.2\nReady',
				btnOrientation: '0',
				singleTitle: 'Read more',
				singleURL: 'https://example.com/docs',
			},
		});
	});

	test('single button, horizontal, avatar hidden, side panel on singleURL and text links', () => {
		expect(
			buildActionCardMessage(
				{
					title: 'T',
					text: 'See [docs](https://example.com/docs)',
					buttonMode: 'single',
					singleTitle: 'Read more',
					singleUrl: 'https://example.com/report?id=1&tab=a',
					btnOrientation: 'horizontal',
					hideAvatar: true,
				},
				SIDE_PANEL,
			),
		).toEqual({
			msgtype: 'actionCard',
			actionCard: {
				title: 'T',
				text: `See [docs](${PANEL.docs})`,
				btnOrientation: '1',
				hideAvatar: '1',
				singleTitle: 'Read more',
				singleURL: PANEL.report,
			},
		});
	});

	test('multiple buttons, vertical, avatar shown, mentions', () => {
		expect(
			buildActionCardMessage({
				title: 'Approval',
				text: 'Ticket 42',
				buttonMode: 'multiple',
				buttons: [
					{ title: 'Approve', url: 'https://example.com/approve?ticket=42' },
					{ title: 'Reject', url: 'http://example.com/reject' },
				],
				btnOrientation: 'vertical',
				hideAvatar: false,
				mentions: { atUserIds: 'manager1234' },
			}),
		).toEqual({
			msgtype: 'actionCard',
			actionCard: {
				title: 'Approval',
				text: 'Ticket 42\n\n@manager1234',
				btnOrientation: '0',
				hideAvatar: '0',
				btns: [
					{ title: 'Approve', actionURL: 'https://example.com/approve?ticket=42' },
					{ title: 'Reject', actionURL: 'http://example.com/reject' },
				],
			},
			at: { atUserIds: ['manager1234'], isAtAll: false },
		});
	});

	test('multiple buttons with side panel: every actionURL rewritten, dingtalk:// kept', () => {
		const dingtalk = 'dingtalk://dingtalkclient/page/link?url=x&pc_slide=false';
		expect(
			buildActionCardMessage(
				{
					title: 'Approval',
					text: 'Ticket 42',
					buttonMode: 'multiple',
					buttons: [
						{ title: 'Approve', url: 'https://example.com/approve?ticket=42' },
						{ title: 'Reject', url: 'http://example.com/reject' },
						{ title: 'Chat', url: dingtalk },
					],
					btnOrientation: 'horizontal',
				},
				SIDE_PANEL,
			),
		).toEqual({
			msgtype: 'actionCard',
			actionCard: {
				title: 'Approval',
				text: 'Ticket 42',
				btnOrientation: '1',
				btns: [
					{ title: 'Approve', actionURL: PANEL.approve },
					{ title: 'Reject', actionURL: PANEL.reject },
					{ title: 'Chat', actionURL: dingtalk },
				],
			},
		});
	});

	test('multiple mode ignores singleTitle/singleUrl', () => {
		const message = buildActionCardMessage({
			title: 'T',
			text: 'x',
			buttonMode: 'multiple',
			singleTitle: 'ignored',
			singleUrl: 'https://example.com/ignored',
			buttons: [{ title: 'A', url: 'https://example.com/docs' }],
		});
		expect(message.actionCard).toEqual({
			title: 'T',
			text: 'x',
			btnOrientation: '0',
			btns: [{ title: 'A', actionURL: 'https://example.com/docs' }],
		});
	});
});

describe('buildFeedCardMessage', () => {
	const links = [
		{ title: '文章一', messageUrl: 'https://example.com/文章?a=1', picUrl: 'https://example.com/1.png' },
		{ title: 'Second', messageUrl: 'https://example.com/docs', picUrl: 'https://example.com/2.png' },
	];

	test('DingTalk casing messageURL / picURL', () => {
		expect(buildFeedCardMessage({ links })).toEqual({
			msgtype: 'feedCard',
			feedCard: {
				links: [
					{ title: '文章一', messageURL: 'https://example.com/文章?a=1', picURL: 'https://example.com/1.png' },
					{ title: 'Second', messageURL: 'https://example.com/docs', picURL: 'https://example.com/2.png' },
				],
			},
		});
	});

	test('side panel: messageURL rewritten, picURL not', () => {
		expect(buildFeedCardMessage({ links }, SIDE_PANEL)).toEqual({
			msgtype: 'feedCard',
			feedCard: {
				links: [
					{ title: '文章一', messageURL: PANEL.article, picURL: 'https://example.com/1.png' },
					{ title: 'Second', messageURL: PANEL.docs, picURL: 'https://example.com/2.png' },
				],
			},
		});
	});
});

describe('parseMobileList', () => {
	const F = 'Mentions › Mobiles';

	test.each([
		['commas', '13800000000,13900000000', ['13800000000', '13900000000']],
		['full-width commas', '13800000000，13900000000', ['13800000000', '13900000000']],
		['、', '13800000000、13900000000', ['13800000000', '13900000000']],
		['semicolons', '13800000000;13900000000；13700000000', ['13800000000', '13900000000', '13700000000']],
		['spaces between mobiles', '13800000000 13900000000', ['13800000000', '13900000000']],
		['new lines', '13800000000\n13900000000\r\n13700000000', ['13800000000', '13900000000', '13700000000']],
		['mixed with padding', ' 13800000000 ,\t13900000000 ，\n', ['13800000000', '13900000000']],
		['+86 with spaces is one mobile', '+86 138 0013 8000', ['13800138000']],
		['dashes, +86-, 0086 and 86 prefixes', '138-0013-8000, +86-139 0013 9000, 008613700137000, 8613600136000', ['13800138000', '13900139000', '13700137000', '13600136000']],
		['a spaced mobile among others', '+86 138 0013 8000\n13900000000', ['13800138000', '13900000000']],
		['leading @ stripped', '@13800000000, @@13900000000', ['13800000000', '13900000000']],
		['international numbers kept in + form', '+852 6123 4567', ['+85261234567']],
		['duplicates (also in other spellings) and empties removed', '13800138000,,+86 138 0013 8000, ,13800138000', ['13800138000']],
		['a JSON array held as text', '["13800000000", "+86 139 0000 0000"]', ['13800000000', '13900000000']],
		['an array', ['13800000000', '13900000000'], ['13800000000', '13900000000']],
		['an array of separated strings', ['13800000000, 13900000000', '13700000000'], ['13800000000', '13900000000', '13700000000']],
		['nested arrays', [['13800000000', ['13900000000']], [[['13700000000']]], null], ['13800000000', '13900000000', '13700000000']],
		['a number (mobile mapped as a number)', 13800000000, ['13800000000']],
		['undefined', undefined, []],
		['null', null, []],
		['empty string', '', []],
		['blank string', '  ,  ', []],
	])('%s', (_name, input, expected) => {
		expect(parseMobileList(input, F)).toEqual(expected);
	});

	test.each([
		['a word', 'abc-not-a-phone', '"Mentions › Mobiles" has "abc-not-a-phone", which is not a mobile number'],
		['too short', '138', '"Mentions › Mobiles" has "138", which is not a mobile number'],
		['a landline-like 10 digits', '0101234567', '"Mentions › Mobiles" has "0101234567", which is not a mobile number'],
		['+86 and a digit short', '+86 138 0013 800', '"Mentions › Mobiles" has "+86 138 0013 800", which is not a mobile number'],
		['+86 and a digit too many', '+86 138 0013 80000', '"Mentions › Mobiles" has "+86 138 0013 80000", which is not a mobile number'],
		['+86 and no mainland mobile prefix', '+86 238 0013 8000', '"Mentions › Mobiles" has "+86 238 0013 8000", which is not a mobile number'],
		['0086 and a digit short', '0086 138 0013 800', '"Mentions › Mobiles" has "0086 138 0013 800", which is not a mobile number'],
		['a user ID among mobiles', '13800000000, manager1234', '"Mentions › Mobiles" has "manager1234", which is not a mobile number'],
		['a broken JSON array', '["13800000000",', '"Mentions › Mobiles" has "[\\"13800000000\\"", which is not a mobile number'],
		['an object', { mobile: '13800000000' }, '"Mentions › Mobiles" must be a list of mobiles, got {"mobile":"13800000000"}'],
		['an object inside an array', ['13800000000', { id: 1 }], '"Mentions › Mobiles" must be a list of mobiles, got ["13800000000",{"id":1}]'],
		['a boolean', true, '"Mentions › Mobiles" must be a list of mobiles, got true'],
		['NaN', Number.NaN, '"Mentions › Mobiles" must be a list of mobiles, got null'],
	])('%s → MessageInputError with the value', (_name, input, message) => {
		const error = caught(() => parseMobileList(input, F));
		expect(error.field).toBe(F);
		expect(error.message).toBe(message);
	});
});

describe('parseUserIdList', () => {
	const F = 'Mentions › User IDs';

	test.each([
		['commas, semicolons and new lines', 'manager1234, user5678; u9\nu10；u11，u12、u13', ['manager1234', 'user5678', 'u9', 'u10', 'u11', 'u12', 'u13']],
		['a JSON array held as text', '["manager1234","user5678"]', ['manager1234', 'user5678']],
		['leading @ and duplicates', '@u1, u1, @@u2', ['u1', 'u2']],
		['numbers', [123456, '0123'], ['123456', '0123']],
	])('%s', (_name, input, expected) => {
		expect(parseUserIdList(input, F)).toEqual(expected);
	});

	test.each([
		['leftover JSON quotes', '"u1", "u2"'],
		['ids glued with @', 'u1@u2'],
		['an object', { id: 'u1' }],
	])('%s → refused', (_name, input) => {
		expect(caught(() => parseUserIdList(input, F)).field).toBe(F);
	});

	test.each([
		['a space inside an ID', 'manager 4521', '"manager 4521"'],
		['IDs separated by spaces', 'u1, user5678 u9', '"user5678 u9"'],
		['a tab inside an ID', 'u1\tu2', '"u1\\tu2"'],
	])('%s is refused, naming the entry, never split into several people', (_name, input, named) => {
		expect(caught(() => parseUserIdList(input, F)).message).toBe(`"${F}" has ${named}, which has a space inside: DingTalk user IDs have none`);
	});
});

describe('resolveMentions', () => {
	const numbers = (count: number, start = 13800000000) => Array.from({ length: count }, (_, i) => String(start + i));

	test('nothing → no at', () => {
		expect(resolveMentions(undefined, MENTION_FIELDS)).toEqual({ names: [] });
		expect(resolveMentions({}, MENTION_FIELDS)).toEqual({ names: [] });
	});

	test('isAtAll alone', () => {
		expect(resolveMentions({ isAtAll: true }, MENTION_FIELDS)).toEqual({ at: { isAtAll: true }, names: [] });
	});

	test('mobiles and user IDs, with isAtAll', () => {
		expect(resolveMentions({ atMobiles: '13800000000', atUserIds: 'u1, u2', isAtAll: true }, MENTION_FIELDS)).toEqual({
			at: { atMobiles: ['13800000000'], atUserIds: ['u1', 'u2'], isAtAll: true },
			names: ['13800000000', 'u1', 'u2'],
		});
	});

	test('50 mentions are accepted', () => {
		const result = resolveMentions({ atMobiles: numbers(30).join(','), atUserIds: numbers(20, 1).map((n) => `u${n}`) }, MENTION_FIELDS);
		expect(result.names).toHaveLength(50);
		expect(result.at?.atMobiles).toHaveLength(30);
		expect(result.at?.atUserIds).toHaveLength(20);
	});

	test('51 mobiles → MessageInputError on Mobiles', () => {
		const error = caught(() => resolveMentions({ atMobiles: numbers(51) }, MENTION_FIELDS));
		expect(error.field).toBe('Mentions › Mobiles');
		expect(error.message).toBe('"Mentions › Mobiles" mentions 51 people; DingTalk allows at most 50 in one message');
	});

	test('30 mobiles + 21 user IDs → MessageInputError on User IDs', () => {
		const error = caught(() =>
			resolveMentions({ atMobiles: numbers(30), atUserIds: numbers(21, 1).map((n) => `u${n}`) }, MENTION_FIELDS),
		);
		expect(error.field).toBe('Mentions › User IDs');
		expect(error.problem).toBe('mentions 51 people; DingTalk allows at most 50 in one message');
	});

	test('duplicates are counted once', () => {
		expect(resolveMentions({ atMobiles: [...numbers(50), numbers(1)[0]] }, MENTION_FIELDS).names).toHaveLength(50);
	});

	test('a build with 51 mentions fails', () => {
		expect(fieldOf(() => buildTextMessage({ content: 'x', mentions: { atUserIds: numbers(51) } }))).toBe('Mentions › User IDs');
	});
});

describe('required fields and URLs: MessageInputError names the form field', () => {
	const single = { title: 'T', text: 'x', buttonMode: 'single' as const, singleTitle: 'Go', singleUrl: 'https://example.com/docs' };
	const multiple = (buttons: Array<{ title?: unknown; url?: unknown }>) => ({
		title: 'T',
		text: 'x',
		buttonMode: 'multiple' as const,
		buttons,
	});
	const link = { title: 'T', text: 'x', messageUrl: 'https://example.com/docs' };
	const feed = { title: 'A', messageUrl: 'https://example.com/docs', picUrl: 'https://example.com/1.png' };

	test.each([
		['text: content missing', () => buildTextMessage({ content: undefined }), 'Content', 'is required'],
		['text: content null', () => buildTextMessage({ content: null }), 'Content', 'is required'],
		['text: content empty', () => buildTextMessage({ content: '' }), 'Content', 'is required'],
		['text: content blank', () => buildTextMessage({ content: ' \n\t' }), 'Content', 'is required'],
		['text: content an object', () => buildTextMessage({ content: { a: 1 } }), 'Content', 'must be text, got {"a":1}'],
		['markdown: title blank', () => buildMarkdownMessage({ title: ' ', text: 'x' }), 'Title', 'is required'],
		['markdown: text missing', () => buildMarkdownMessage({ title: 'T', text: undefined }), 'Text', 'is required'],
		['link: title missing', () => buildLinkMessage({ ...link, title: '' }), 'Title', 'is required'],
		['link: text missing', () => buildLinkMessage({ ...link, text: '  ' }), 'Text', 'is required'],
		['link: message URL missing', () => buildLinkMessage({ ...link, messageUrl: '' }), 'Message URL', 'is required'],
		[
			'link: message URL ftp',
			() => buildLinkMessage({ ...link, messageUrl: 'ftp://example.com/x' }),
			'Message URL',
			'must be an http(s) or dingtalk:// URL, got "ftp://example.com/x"',
		],
		[
			'link: message URL javascript:',
			() => buildLinkMessage({ ...link, messageUrl: 'javascript:alert(1)' }),
			'Message URL',
			'must be an http(s) or dingtalk:// URL, got "javascript:alert(1)"',
		],
		[
			'link: message URL without scheme',
			() => buildLinkMessage({ ...link, messageUrl: 'example.com' }),
			'Message URL',
			'must be an http(s) or dingtalk:// URL, got "example.com"',
		],
		[
			'link: picture URL dingtalk://',
			() => buildLinkMessage({ ...link, picUrl: 'dingtalk://dingtalkclient/page/link?url=x' }),
			'Picture URL',
			'must be an http(s) URL, got "dingtalk://dingtalkclient/page/link?url=x"',
		],
		[
			'link: picture URL ftp',
			() => buildLinkMessage({ ...link, picUrl: 'ftp://example.com/p.png' }),
			'Picture URL',
			'must be an http(s) URL, got "ftp://example.com/p.png"',
		],
		['actionCard: title missing', () => buildActionCardMessage({ ...single, title: '' }), 'Title', 'is required'],
		['actionCard: text missing', () => buildActionCardMessage({ ...single, text: null }), 'Text', 'is required'],
		['actionCard: button title missing', () => buildActionCardMessage({ ...single, singleTitle: '' }), 'Button Title', 'is required'],
		['actionCard: button URL missing', () => buildActionCardMessage({ ...single, singleUrl: undefined }), 'Button URL', 'is required'],
		[
			'actionCard: button URL javascript:',
			() => buildActionCardMessage({ ...single, singleUrl: 'javascript:alert(1)' }),
			'Button URL',
			'must be an http(s) or dingtalk:// URL, got "javascript:alert(1)"',
		],
		['actionCard: no buttons', () => buildActionCardMessage(multiple([])), 'Buttons', 'needs at least one button'],
		[
			'actionCard: buttons undefined',
			() => buildActionCardMessage({ title: 'T', text: 'x', buttonMode: 'multiple' }),
			'Buttons',
			'needs at least one button',
		],
		[
			'actionCard: button 1 title missing',
			() => buildActionCardMessage(multiple([{ url: 'https://example.com/docs' }])),
			'Buttons › Button 1 › Title',
			'is required',
		],
		[
			'actionCard: button 2 URL missing',
			() => buildActionCardMessage(multiple([{ title: 'A', url: 'https://example.com/docs' }, { title: 'B', url: '' }])),
			'Buttons › Button 2 › URL',
			'is required',
		],
		[
			'actionCard: button 2 URL ftp',
			() => buildActionCardMessage(multiple([{ title: 'A', url: 'https://example.com/docs' }, { title: 'B', url: 'ftp://x.example' }])),
			'Buttons › Button 2 › URL',
			'must be an http(s) or dingtalk:// URL, got "ftp://x.example"',
		],
		['feedCard: no links', () => buildFeedCardMessage({ links: [] }), 'Links', 'needs at least one link'],
		['feedCard: link 1 title missing', () => buildFeedCardMessage({ links: [{ ...feed, title: '' }] }), 'Links › Link 1 › Title', 'is required'],
		[
			'feedCard: link 1 message URL missing',
			() => buildFeedCardMessage({ links: [{ ...feed, messageUrl: undefined }] }),
			'Links › Link 1 › Message URL',
			'is required',
		],
		[
			'feedCard: link 1 picture URL missing',
			() => buildFeedCardMessage({ links: [{ ...feed, picUrl: '' }] }),
			'Links › Link 1 › Picture URL',
			'is required',
		],
		[
			'feedCard: link 1 picture URL dingtalk://',
			() => buildFeedCardMessage({ links: [{ ...feed, picUrl: 'dingtalk://dingtalkclient/page/link?url=x' }] }),
			'Links › Link 1 › Picture URL',
			'must be an http(s) URL, got "dingtalk://dingtalkclient/page/link?url=x"',
		],
		[
			'feedCard: link 2 message URL example.com',
			() => buildFeedCardMessage({ links: [feed, { ...feed, messageUrl: 'example.com' }] }),
			'Links › Link 2 › Message URL',
			'must be an http(s) or dingtalk:// URL, got "example.com"',
		],
	])('%s', (_name, build, field, problem) => {
		const error = caught(build);
		expect(error.field).toBe(field);
		expect(error.problem).toBe(problem);
		expect(error.message).toBe(`"${field}" ${problem}`);
		expect(error.name).toBe('MessageInputError');
	});

	test('a long bad value is cut to 80 characters in the message', () => {
		const url = `ftp://example.com/${'a'.repeat(200)}`;
		const error = caught(() => buildLinkMessage({ ...link, messageUrl: url }));
		expect(error.problem).toBe(`must be an http(s) or dingtalk:// URL, got "${url.slice(0, 76)}...`);
	});
});

describe('every field a builder reports is a field the user sees in the form', () => {
	type Node = { displayName?: string; options?: unknown[]; values?: unknown[]; displayOptions?: INodeProperties['displayOptions'] };

	const children = (node: Node): Node[] =>
		[...(node.options ?? []), ...(node.values ?? [])].filter(
			(child): child is Node => typeof child === 'object' && child !== null && 'displayName' in child,
		);

	const visibleFor = (messageType: string) =>
		dingTalkRobotProperties.filter((property) => {
			const shown = property.displayOptions?.show?.messageType as string[] | undefined;
			return shown === undefined || shown.includes(messageType);
		});

	/** "Buttons › Button 2 › URL" → Buttons (fixedCollection) › Button (option group) › URL (value). */
	function resolves(label: string, properties: Node[]): boolean {
		const segments = label.split(' › ').map((segment) => segment.replace(/ \d+$/, ''));
		let level: Node[] = properties;
		for (const segment of segments) {
			const matches = level.filter((node) => node.displayName === segment);
			if (matches.length === 0) return false;
			level = matches.flatMap(children);
		}
		return true;
	}

	test('the walker finds nested options and refuses unknown labels (self-check)', () => {
		expect(resolves('Mentions › Mobiles', dingTalkRobotProperties)).toBe(true);
		expect(resolves('Links › Link 3 › Picture URL', dingTalkRobotProperties)).toBe(true);
		expect(resolves('Mentions › Phone Numbers', dingTalkRobotProperties)).toBe(false);
		expect(resolves('Video URL', dingTalkRobotProperties)).toBe(false);
		expect(resolves('Content', visibleFor('markdown'))).toBe(false);
	});

	test.each([
		'Content',
		'Title',
		'Text',
		'Message URL',
		'Picture URL',
		'Button Title',
		'Button URL',
		'Buttons',
		'Links',
		'Mentions › Mobiles',
		'Mentions › User IDs',
		'JSON Body',
		'Message Type',
		'Buttons › Button 1 › Title',
		'Buttons › Button 2 › URL',
		'Links › Link 1 › Title',
		'Links › Link 1 › Message URL',
		'Links › Link 1 › Picture URL',
		'Image URL',
		'Caption',
		'Hide Robot Avatar',
		...Object.values(MENTION_FIELDS),
		...Object.values(OPTION_LABELS),
	])('%s is a displayName in the node properties', (label) => {
		expect(resolves(label, dingTalkRobotProperties)).toBe(true);
	});

	test('MENTION_FIELDS are real fields', () => {
		expect(resolves(MENTION_FIELDS.mobiles, dingTalkRobotProperties)).toBe(true);
		expect(resolves(MENTION_FIELDS.userIds, dingTalkRobotProperties)).toBe(true);
	});

	const single = { title: 'T', text: 'x', buttonMode: 'single' as const, singleTitle: 'Go', singleUrl: 'https://example.com/docs' };
	const feed = { title: 'A', messageUrl: 'https://example.com/docs', picUrl: 'https://example.com/1.png' };
	const many = Array.from({ length: 51 }, (_, i) => `u${i}`);

	test.each([
		['text', () => buildTextMessage({ content: '' })],
		['text', () => buildTextMessage({ content: 'x', mentions: { atMobiles: many } })],
		['text', () => buildTextMessage({ content: 'x', mentions: { atUserIds: many } })],
		['text', () => buildTextMessage({ content: 'x', mentions: { atUserIds: { a: 1 } } })],
		['markdown', () => buildMarkdownMessage({ title: '', text: 'x' })],
		['markdown', () => buildMarkdownMessage({ title: 'T', text: '' })],
		['markdown', () => buildMarkdownMessage({ title: 'T', text: 'x', mentions: { atMobiles: many } })],
		['link', () => buildLinkMessage({ title: '', text: 'x', messageUrl: 'https://example.com' })],
		['link', () => buildLinkMessage({ title: 'T', text: '', messageUrl: 'https://example.com' })],
		['link', () => buildLinkMessage({ title: 'T', text: 'x', messageUrl: '' })],
		['link', () => buildLinkMessage({ title: 'T', text: 'x', messageUrl: 'https://example.com', picUrl: 'ftp://x' })],
		['actionCard', () => buildActionCardMessage({ ...single, title: '' })],
		['actionCard', () => buildActionCardMessage({ ...single, text: '' })],
		['actionCard', () => buildActionCardMessage({ ...single, singleTitle: '' })],
		['actionCard', () => buildActionCardMessage({ ...single, singleUrl: '' })],
		['actionCard', () => buildActionCardMessage({ ...single, mentions: { atUserIds: many } })],
		['actionCard', () => buildActionCardMessage({ ...single, buttonMode: 'multiple', buttons: [] })],
		['actionCard', () => buildActionCardMessage({ ...single, buttonMode: 'multiple', buttons: [{ title: '', url: 'https://e.com' }] })],
		['actionCard', () => buildActionCardMessage({ ...single, buttonMode: 'multiple', buttons: [{ title: 'a', url: 'https://e.com' }, { title: 'b' }] })],
		['feedCard', () => buildFeedCardMessage({ links: [] })],
		['feedCard', () => buildFeedCardMessage({ links: [{ ...feed, title: '' }] })],
		['feedCard', () => buildFeedCardMessage({ links: [feed, { ...feed, messageUrl: '' }] })],
		['feedCard', () => buildFeedCardMessage({ links: [{ ...feed, picUrl: '' }] })],
		['json', () => validateRobotMessageJson('{', 'JSON Body')],
		['json', () => validateRobotMessageJson({ msgtype: 'text', text: {} }, 'JSON Body')],
	])('%s: the reported field is visible for that message type (%#)', (messageType, build) => {
		const field = fieldOf(build);
		// in JSON mode the part after the form label is a path inside the JSON
		const formLabel = messageType === 'json' ? field.split(' › ')[0] : field;
		expect(formLabel).not.toBe('');
		expect({ field: formLabel, found: resolves(formLabel, visibleFor(messageType)) }).toEqual({ field: formLabel, found: true });
	});
});
