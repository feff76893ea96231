/** What a received message says, per msgtype (nodes/shared/incoming/messageContent.ts): text, attachments, the quoted message. */
import { receivedFileType, sniffFileType } from '../../nodes/shared/incoming/fileTypes';
import { extensionOf, parseContent, readMessageContent } from '../../nodes/shared/incoming/messageContent';

const CODE = 'mIofN681YE3f/+m+NntqpZ0xIMkEZ2xdR4UPjjvLY0Sg==';

describe('readMessageContent', () => {
	test('text: its content, no attachments; fields unchanged for existing workflows', () => {
		expect(readMessageContent({ msgtype: 'text', text: { content: ' ping' } })).toEqual({ text: ' ping', attachments: [] });
	});

	test('richText: its text parts in order, a picture attachment per picture part', () => {
		const body = {
			msgtype: 'richText',
			content: { richText: [{ text: 'Receipt ' }, { type: 'picture', downloadCode: CODE, pictureDownloadCode: 'pic1' }, { text: 'and ' }, { type: 'picture', downloadCode: 'code2' }] },
		};
		expect(readMessageContent(body)).toEqual({
			text: 'Receipt and ',
			attachments: [
				{ type: 'picture', fileName: 'picture', extension: '', downloadCode: CODE },
				{ type: 'picture', fileName: 'picture_2', extension: '', downloadCode: 'code2' },
			],
		});
	});

	test('richText given bare or as a JSON string reads the same', () => {
		const parts = [{ text: 'a' }, { type: 'picture', downloadCode: 'c1' }];
		const expected = { text: 'a', attachments: [{ type: 'picture', fileName: 'picture', extension: '', downloadCode: 'c1' }] };
		expect(readMessageContent({ msgtype: 'richText', content: parts })).toEqual(expected);
		expect(readMessageContent({ msgtype: 'richText', content: JSON.stringify({ richText: parts }) })).toEqual(expected);
	});

	test('picture, voice (its recognition as the text, its duration), video (its type), file (its name)', () => {
		expect(readMessageContent({ msgtype: 'picture', content: { downloadCode: CODE, pictureDownloadCode: 'p' } }).attachments).toEqual([{ type: 'picture', fileName: 'picture', extension: '', downloadCode: CODE }]);
		expect(readMessageContent({ msgtype: 'audio', content: { downloadCode: 'a1', recognition: '明天上午十点开会', duration: 3200 } })).toEqual({
			text: '明天上午十点开会',
			attachments: [{ type: 'audio', fileName: 'voice', extension: '', downloadCode: 'a1', duration: 3200 }],
		});
		expect(readMessageContent({ msgtype: 'video', content: { downloadCode: 'v1', duration: '15000', videoType: 'mp4' } }).attachments).toEqual([
			{ type: 'video', fileName: 'video.mp4', extension: 'mp4', downloadCode: 'v1', duration: 15000 },
		]);
		expect(readMessageContent({ msgtype: 'file', content: { downloadCode: 'f1', fileName: 'Q3 Report.PDF' } }).attachments).toEqual([
			{ type: 'file', fileName: 'Q3 Report.PDF', extension: 'pdf', downloadCode: 'f1' },
		]);
	});

	test('a reply: the quoted message with its text or attachment, and the robot\'s own message when it was one', () => {
		const body = {
			msgtype: 'text',
			text: { content: 'what about this?', isReplyMsg: true, repliedMsg: { msgType: 'picture', msgId: 'm0', senderId: 's0', createdAt: 1796284492702, content: { downloadCode: 'q1' } } },
			originalMsgId: 'm0',
			originalProcessQueryKey: 'pqk0',
		};
		expect(readMessageContent(body)).toEqual({
			text: 'what about this?',
			attachments: [],
			quoted: {
				messageType: 'picture',
				text: '',
				messageId: 'm0',
				senderId: 's0',
				createdAt: new Date(1796284492702).toISOString(),
				attachments: [{ type: 'picture', fileName: 'picture', extension: '', downloadCode: 'q1' }],
				robotMessage: { messageId: 'm0', processQueryKey: 'pqk0' },
			},
		});
		const quotedText = readMessageContent({ msgtype: 'text', text: { content: 'yes', isReplyMsg: true, repliedMsg: { msgType: 'text', msgId: 'm1', content: { text: 'deploy now?' } } } });
		expect(quotedText.quoted).toMatchObject({ messageType: 'text', text: 'deploy now?', messageId: 'm1', attachments: [] });
	});

	test('any other msgtype is passed on with its content, never dropped', () => {
		expect(readMessageContent({ msgtype: 'interactiveCard', content: '{"cardTemplateId":"x"}' })).toEqual({ text: '', attachments: [], content: { cardTemplateId: 'x' } });
		expect(readMessageContent({ msgtype: 'unknownMsgType', content: { what: 1 } })).toEqual({ text: '', attachments: [], content: { what: 1 } });
	});

	test('parts without a downloadCode are no attachment; nonsense is read as nothing, not thrown', () => {
		expect(readMessageContent({ msgtype: 'picture', content: {} }).attachments).toEqual([]);
		expect(readMessageContent({ msgtype: 'richText', content: 'not json' })).toEqual({ text: '', attachments: [] });
		expect(readMessageContent({ msgtype: 'audio', content: null })).toEqual({ text: '', attachments: [] });
	});
});

test('parseContent and extensionOf', () => {
	expect(parseContent('{"a":1}')).toEqual({ a: 1 });
	expect(parseContent('{broken')).toBe('{broken');
	expect(parseContent('plain')).toBe('plain');
	expect(extensionOf('a.tar.GZ')).toBe('gz');
	expect(extensionOf('noext')).toBe('');
});

describe('received file types', () => {
	const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
	test.each([
		['png', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR'), 'image/png', 'png'],
		['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg', 'jpg'],
		['a voice note (AMR)', bytes('#!AMR\n'), 'audio/amr', 'amr'],
		['mp4', bytes([0, 0, 0, 0x18], 'ftypmp42'), 'video/mp4', 'mp4'],
		['m4a', bytes([0, 0, 0, 0x20], 'ftypM4A '), 'audio/mp4', 'm4a'],
		['webp', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'image/webp', 'webp'],
		['wav', bytes('RIFF', [1, 2, 3, 4], 'WAVEfmt '), 'audio/wav', 'wav'],
		['pdf', bytes('%PDF-1.7'), 'application/pdf', 'pdf'],
	])('%s by its first bytes', (_name, head, mimeType, extension) => {
		expect(receivedFileType(head, '', 'application/octet-stream')).toEqual({ mimeType, extension });
	});

	test('the sender\'s extension first (a .docx is a zip by its bytes), then the bytes, then what the server said unless octet-stream', () => {
		expect(receivedFileType(bytes('PK\u0003\u0004'), 'docx')).toEqual({ mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' });
		expect(receivedFileType(bytes('PK\u0003\u0004'), '')).toEqual({ mimeType: 'application/zip', extension: 'zip' });
		expect(receivedFileType(bytes('hello'), '', 'text/plain; charset=utf-8')).toEqual({ mimeType: 'text/plain', extension: 'txt' });
		expect(receivedFileType(bytes('hello'), 'dat', 'application/octet-stream')).toEqual({ mimeType: 'application/octet-stream', extension: 'dat' });
		expect(sniffFileType(new Uint8Array(0))).toBeUndefined();
	});
});
