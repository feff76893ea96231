import { buildActionCardMessage, buildFeedCardMessage, buildLinkMessage, buildMarkdownMessage, buildTextMessage } from '../../nodes/DingTalkRobot/messages/build';
import { assertMsgParamSize, fileTemplate, imageTemplate, readAppRobotJson, toAppRobotMessage } from '../../nodes/DingTalkRobot/messages/appTemplates';
import { MessageInputError } from '../../nodes/DingTalkRobot/messages/fields';
import { caught } from './caught';

const M = 'Mentions';
const button = (n: number) => ({ title: `B${n}`, url: `https://example.com/${n}` });
const card = (count: number, btnOrientation: 'vertical' | 'horizontal' = 'vertical') =>
	buildActionCardMessage({ title: 'T', text: 'x', buttonMode: 'multiple', buttons: Array.from({ length: count }, (_, n) => button(n + 1)), btnOrientation });

describe('toAppRobotMessage: the template DingTalk has for each message', () => {
	test.each([
		['text', buildTextMessage({ content: 'hi' }), { msgKey: 'sampleText', msgParam: { content: 'hi' } }],
		['markdown', buildMarkdownMessage({ title: 'T', text: '**x**' }), { msgKey: 'sampleMarkdown', msgParam: { title: 'T', text: '**x**' } }],
		[
			'link with a picture',
			buildLinkMessage({ title: 'T', text: 'x', messageUrl: 'https://e.com', picUrl: 'https://e.com/p.png' }),
			{ msgKey: 'sampleLink', msgParam: { title: 'T', text: 'x', messageUrl: 'https://e.com', picUrl: 'https://e.com/p.png' } },
		],
		['link without', buildLinkMessage({ title: 'T', text: 'x', messageUrl: 'https://e.com' }), { msgKey: 'sampleLink', msgParam: { title: 'T', text: 'x', messageUrl: 'https://e.com' } }],
		[
			'a card that jumps as a whole',
			buildActionCardMessage({ title: 'T', text: 'x', buttonMode: 'single', singleTitle: 'Go', singleUrl: 'https://e.com' }),
			{ msgKey: 'sampleActionCard', msgParam: { title: 'T', text: 'x', singleTitle: 'Go', singleURL: 'https://e.com' } },
		],
		['one button', card(1), { msgKey: 'sampleActionCard', msgParam: { title: 'T', text: 'x', singleTitle: 'B1', singleURL: 'https://example.com/1' } }],
		[
			'two buttons side by side',
			card(2, 'horizontal'),
			{ msgKey: 'sampleActionCard6', msgParam: { title: 'T', text: 'x', buttonTitle1: 'B1', buttonUrl1: 'https://example.com/1', buttonTitle2: 'B2', buttonUrl2: 'https://example.com/2' } },
		],
		[
			'three buttons',
			card(3),
			{
				msgKey: 'sampleActionCard3',
				msgParam: { title: 'T', text: 'x', actionTitle1: 'B1', actionURL1: 'https://example.com/1', actionTitle2: 'B2', actionURL2: 'https://example.com/2', actionTitle3: 'B3', actionURL3: 'https://example.com/3' },
			},
		],
	])('%s', (_name, message, expected) => {
		expect(toAppRobotMessage(message, M)).toEqual(expected);
	});

	test('five buttons side by side are shown one under the other (sampleActionCard5)', () => {
		expect(toAppRobotMessage(card(5, 'horizontal'), M).msgKey).toBe('sampleActionCard5');
	});

	test('a feedCard has no template: refused, saying what to use', () => {
		const error = caught(() => toAppRobotMessage(buildFeedCardMessage({ links: [{ title: 'a', messageUrl: 'https://e.com', picUrl: 'https://e.com/p.png' }] }), M));
		expect(error.message).toBe('"Message Type" FeedCard cannot be sent by an app robot: DingTalk has no such template for app robots');
	});

	test('mentions have no place in the templates: refused, not dropped', () => {
		const error = caught(() => toAppRobotMessage(buildTextMessage({ content: 'x', mentions: { atUserIds: 'u1' } }), M));
		expect(error.field).toBe(M);
		expect(error.problem).toContain('cannot be used by an app robot');
		expect(() => toAppRobotMessage(buildTextMessage({ content: 'x', mentions: { isAtAll: true } }), M)).toThrow(MessageInputError);
	});
});

describe('images, files and hand-written templates', () => {
	test('an image by URL or media id; a file with its type from the name', () => {
		expect(imageTemplate('@lADPxxx')).toEqual({ msgKey: 'sampleImageMsg', msgParam: { photoURL: '@lADPxxx' } });
		expect(fileTemplate('@media1', 'Q3 report.PDF')).toEqual({ msgKey: 'sampleFile', msgParam: { mediaId: '@media1', fileName: 'Q3 report.PDF', fileType: 'pdf' } });
	});

	test('JSON: msgParam as an object or as DingTalk\'s JSON string', () => {
		expect(readAppRobotJson('{"msgKey":"sampleText","msgParam":{"content":"x"}}', 'JSON Body')).toEqual({ msgKey: 'sampleText', msgParam: { content: 'x' } });
		expect(readAppRobotJson({ msgKey: 'sampleText', msgParam: '{"content":"x"}' }, 'JSON Body')).toEqual({ msgKey: 'sampleText', msgParam: { content: 'x' } });
	});

	test.each([
		['not JSON', '{"msgKey":', '"JSON Body" must be {"msgKey": "sampleText", "msgParam": {…}} for an app robot'],
		['an unknown template', { msgKey: 'sampleNews', msgParam: {} }, '"JSON Body › msgKey" must be one of sampleText'],
		['msgParam not an object', { msgKey: 'sampleText', msgParam: 'x' }, '"JSON Body › msgParam" must be an object of the template\'s fields'],
	])('JSON refused: %s', (_name, value, message) => {
		expect(caught(() => readAppRobotJson(value, 'JSON Body')).message.startsWith(message)).toBe(true);
	});

	test('msgParam over 15,000 bytes is refused before sending', () => {
		expect(() => assertMsgParamSize({ msgKey: 'sampleText', msgParam: { content: '钉'.repeat(4990) } }, 'Content')).not.toThrow();
		expect(caught(() => assertMsgParamSize({ msgKey: 'sampleText', msgParam: { content: '钉'.repeat(5000) } }, 'Content')).problem).toBe(
			'makes the message 15014 bytes long; DingTalk accepts at most 15000 bytes for an app robot',
		);
	});
});
