import {
	combineItems,
	splitLongMessage,
	type CombinableMessage,
	type CombineEntry,
	type CombineSettings,
} from '../../nodes/DingTalkRobot/messages/combine';
import { messageByteLength } from '../../nodes/DingTalkRobot/messages/checks';
import { MessageInputError } from '../../nodes/DingTalkRobot/messages/fields';

/** combine.ts keeps this much room for the msgUuid and the " (12/34)" numbering */
const RESERVED = 96;

const TEXT: CombineSettings = {
	msgtype: 'text',
	title: '',
	header: 'HEADER',
	maxBytes: 20000,
	addMentionsToContent: true,
	field: 'Content',
};

const MARKDOWN: CombineSettings = {
	msgtype: 'markdown',
	title: 'Alerts',
	header: '#### 3 alerts',
	maxBytes: 20000,
	addMentionsToContent: true,
	field: 'Text',
};

const entries = (texts: string[]): CombineEntry[] => texts.map((text, itemIndex) => ({ itemIndex, text }));

/** The messages of a combine that rejects nothing. */
function combine(given: CombineEntry[], settings: CombineSettings) {
	const { messages, rejected } = combineItems(given, settings);
	expect(rejected).toEqual([]);
	return messages;
}

const bodyText = (message: CombinableMessage) => (message.msgtype === 'text' ? message.text.content : message.markdown.text);


describe('combineItems: small batches', () => {
	test('text: three entries become one message under the header', () => {
		expect(combine(entries(['a', 'b', 'c']), TEXT)).toEqual([
			{ message: { msgtype: 'text', text: { content: 'HEADER\na\nb\nc' } }, itemIndices: [0, 1, 2] },
		]);
	});

	test('text without header: just the lines', () => {
		expect(combine(entries(['a', 'b', 'c']), { ...TEXT, header: '' })).toEqual([
			{ message: { msgtype: 'text', text: { content: 'a\nb\nc' } }, itemIndices: [0, 1, 2] },
		]);
	});

	test('markdown: blocks joined by a blank line, title from the settings', () => {
		expect(combine(entries(['- a', '- b', '- c']), MARKDOWN)).toEqual([
			{
				message: { msgtype: 'markdown', markdown: { title: 'Alerts', text: '#### 3 alerts\n\n- a\n\n- b\n\n- c' } },
				itemIndices: [0, 1, 2],
			},
		]);
	});

	test('keeps the item indices it was given (not positions)', () => {
		const given: CombineEntry[] = [
			{ itemIndex: 4, text: 'x' },
			{ itemIndex: 9, text: 'y' },
		];
		expect(combine(given, TEXT)).toEqual([
			{ message: { msgtype: 'text', text: { content: 'HEADER\nx\ny' } }, itemIndices: [4, 9] },
		]);
	});

	test('no entries: no messages', () => {
		expect(combine([], TEXT)).toEqual([]);
	});
});

/** Checks what every split must hold: size, order, each entry whole in exactly one message. */
function checkSplit(result: ReturnType<typeof combine>, texts: string[], maxBytes: number) {
	for (const { message } of result) expect(messageByteLength(message) + RESERVED).toBeLessThanOrEqual(maxBytes);
	expect(result.flatMap((part) => part.itemIndices)).toEqual(texts.map((_, index) => index));
	for (const { message, itemIndices } of result) {
		const lines = bodyText(message).split('\n');
		// each message holds its items whole, as lines of their own, in order
		expect(lines.filter((line) => texts.includes(line))).toEqual(itemIndices.map((index) => texts[index]));
	}
	texts.forEach((text) => {
		expect(result.filter(({ message }) => bodyText(message).split('\n').includes(text))).toHaveLength(1);
	});
}

describe('combineItems: splitting by size', () => {
	// ~60 bytes each, all distinct
	const texts = Array.from({ length: 1000 }, (_, i) => `item ${String(i).padStart(4, '0')}: ${'x'.repeat(49)}`);

	test('1,000 entries of ~60 bytes: several messages within the limit, order kept, numbered (k/N)', () => {
		expect(Buffer.byteLength(texts[0])).toBe(60);
		const result = combine(entries(texts), TEXT);
		// 1000 * 61 bytes ≈ 61000 bytes: at least 4 messages of <= 19904 bytes
		expect(result.length).toBeGreaterThanOrEqual(4);
		expect(result.length).toBeLessThanOrEqual(5);
		checkSplit(result, texts, 20000);
		result.forEach(({ message }, index) => {
			expect(bodyText(message).startsWith(`HEADER (${index + 1}/${result.length})\n`)).toBe(true);
		});
		// packed greedily: each message but the last could not take the next item
		for (let i = 0; i < result.length - 1; i++) {
			const withNext = [...result[i].itemIndices, result[i + 1].itemIndices[0]].map((index) => texts[index]);
			const single = combine(entries(withNext), TEXT);
			expect(single.length).toBe(2);
		}
	});

	test('markdown: numbering goes on the title (and the header)', () => {
		const result = combine(entries(texts), MARKDOWN);
		expect(result.length).toBeGreaterThan(1);
		checkSplit(result, texts, 20000);
		result.forEach(({ message }, index) => {
			if (message.msgtype !== 'markdown') throw new Error('expected markdown');
			expect(message.markdown.title).toBe(`Alerts (${index + 1}/${result.length})`);
			expect(message.markdown.text.startsWith(`#### 3 alerts (${index + 1}/${result.length})\n\n`)).toBe(true);
		});
	});

	test('no numbering when everything fits in one message', () => {
		const result = combine(entries(texts.slice(0, 10)), MARKDOWN);
		expect(result).toHaveLength(1);
		const { message } = result[0];
		if (message.msgtype !== 'markdown') throw new Error('expected markdown');
		expect(message.markdown.title).toBe('Alerts');
		expect(message.markdown.text.startsWith('#### 3 alerts\n\n')).toBe(true);
	});

	test('Chinese text counts 3 bytes a character', () => {
		// 200 Chinese characters = 600 bytes each; 100 of them = 60,000 bytes
		const chinese = Array.from({ length: 100 }, (_, i) => `${i}号告警${'磁盘空间不足'.repeat(33)}`.slice(0, 200));
		expect(Buffer.byteLength(chinese[5])).toBeGreaterThan(590);
		const result = combine(entries(chinese), TEXT);
		expect(result.length).toBeGreaterThanOrEqual(4); // 60 kB cannot fit in 3 messages
		checkSplit(result, chinese, 20000);
		for (const { message } of result) expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(20000 - RESERVED);
	});

	test('a small maxBytes is honoured exactly', () => {
		const result = combine(entries(texts.slice(0, 50)), { ...TEXT, maxBytes: 1000 });
		expect(result.length).toBeGreaterThan(1);
		checkSplit(result, texts.slice(0, 50), 1000);
	});
});

describe('combineItems: mentions', () => {
	const withMentions: CombineEntry[] = [
		{ itemIndex: 0, text: 'disk full', mentions: { atMobiles: '13800000138,13800000139' } },
		{ itemIndex: 1, text: 'cpu high', mentions: { atMobiles: ['13800000139', '13800000140'], atUserIds: 'u1' } },
		{ itemIndex: 2, text: 'mem low', mentions: { isAtAll: true } },
	];

	test('merged and deduplicated, appended to the text content', () => {
		expect(combine(withMentions, TEXT)).toEqual([
			{
				message: {
					msgtype: 'text',
					text: { content: 'HEADER\ndisk full\ncpu high\nmem low\n@13800000138 @13800000139 @13800000140 @u1' },
					at: { atMobiles: ['13800000138', '13800000139', '13800000140'], atUserIds: ['u1'], isAtAll: true },
				},
				itemIndices: [0, 1, 2],
			},
		]);
	});

	test('markdown appends them as a block of their own', () => {
		const [{ message }] = combine(withMentions, MARKDOWN);
		expect(bodyText(message)).toBe('#### 3 alerts\n\ndisk full\n\ncpu high\n\nmem low\n\n@13800000138 @13800000139 @13800000140 @u1');
	});

	test('not appended when addMentionsToContent is false; at still set', () => {
		expect(combine(withMentions, { ...TEXT, addMentionsToContent: false })).toEqual([
			{
				message: {
					msgtype: 'text',
					text: { content: 'HEADER\ndisk full\ncpu high\nmem low' },
					at: { atMobiles: ['13800000138', '13800000139', '13800000140'], atUserIds: ['u1'], isAtAll: true },
				},
				itemIndices: [0, 1, 2],
			},
		]);
	});

	test('a name already in the content is not repeated', () => {
		const given: CombineEntry[] = [{ itemIndex: 0, text: 'ping @13800000138', mentions: { atMobiles: '13800000138,13800000139' } }];
		expect(bodyText(combine(given, TEXT)[0].message)).toBe('HEADER\nping @13800000138\n@13800000139');
	});

	// Regression: fits() used to compose the chunk (which refuses over 50 mentions) before
	// counting, so the 51st distinct mention aborted the whole batch instead of starting a message.
	test('a message never mentions more than 50 people: 60 distinct mobiles make 2 messages', () => {
		const many: CombineEntry[] = Array.from({ length: 60 }, (_, i) => ({
			itemIndex: i,
			text: `alert ${i}`,
			mentions: { atMobiles: `1380000${String(i).padStart(4, '0')}` },
		}));
		const result = combine(many, TEXT);
		expect(result.length).toBeGreaterThanOrEqual(2);
		expect(result.flatMap((part) => part.itemIndices)).toEqual(many.map((entry) => entry.itemIndex));
		for (const { message, itemIndices } of result) {
			const count = (message.at?.atMobiles?.length ?? 0) + (message.at?.atUserIds?.length ?? 0);
			expect(count).toBeLessThanOrEqual(50);
			expect(count).toBe(itemIndices.length);
		}
		expect(result[0].itemIndices).toHaveLength(50);
	});
});

describe('combineItems: an item too big on its own', () => {
	test('is rejected with a MessageInputError naming settings.field and its itemIndex; the others are combined without it', () => {
		const given: CombineEntry[] = [
			{ itemIndex: 0, text: 'small' },
			{ itemIndex: 7, text: 'y'.repeat(20000) },
			{ itemIndex: 8, text: 'small too' },
		];
		const { messages, rejected } = combineItems(given, { ...TEXT, field: 'Content' });
		expect(rejected).toHaveLength(1);
		expect(rejected[0]).toBeInstanceOf(MessageInputError);
		expect(rejected[0].field).toBe('Content');
		expect(rejected[0].itemIndex).toBe(7);
		expect(rejected[0].message).toBe('"Content" is too long to combine: this item alone makes a message over 20000 bytes');
		expect(messages).toEqual([{ message: { msgtype: 'text', text: { content: 'HEADER\nsmall\nsmall too' } }, itemIndices: [0, 8] }]);
	});

	test('markdown names its own field; the first entry can be the culprit', () => {
		const { messages, rejected } = combineItems(entries(['z'.repeat(5000)]), { ...MARKDOWN, maxBytes: 4000 });
		expect(rejected.map((error) => [error.field, error.itemIndex])).toEqual([['Text', 0]]);
		expect(messages).toEqual([]);
	});

	test('an item that just fits alone is accepted', () => {
		// {"msgtype":"text","text":{"content":"HEADER\n<x>"}} is 48 bytes + x (the new line is escaped)
		const limit = 1000 - RESERVED;
		const x = 'q'.repeat(limit - 48);
		const [{ message }] = combine(entries([x]), { ...TEXT, maxBytes: 1000 });
		expect(messageByteLength(message)).toBe(limit);
		expect(combineItems(entries([`${x}q`]), { ...TEXT, maxBytes: 1000 }).rejected.map((error) => error.itemIndex)).toEqual([0]);
	});
});

/** The text of a part without its "(k/n) " prefix (text) */
function stripPrefix(content: string, k: number, n: number): string {
	const prefix = `(${k}/${n}) `;
	expect(content.startsWith(prefix)).toBe(true);
	return content.slice(prefix.length);
}

describe('splitLongMessage', () => {
	test('a short message is returned unchanged, as the same object', () => {
		const message: CombinableMessage = { msgtype: 'text', text: { content: 'hello' }, at: { atMobiles: ['138'], isAtAll: false } };
		const parts = splitLongMessage(message, 20000);
		expect(parts).toHaveLength(1);
		expect(parts[0]).toBe(message);
	});

	const lines = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, '0')} ${'-'.repeat(49)}`);
	const long = lines.join('\n'); // 1000 * 60 - 1 bytes

	test('a 60,000-byte text is split at line boundaries into numbered parts', () => {
		expect(Buffer.byteLength(long)).toBe(59_999);
		const message: CombinableMessage = {
			msgtype: 'text',
			text: { content: long },
			at: { atMobiles: ['13800000000'], isAtAll: false },
		};
		const parts = splitLongMessage(message, 20000);
		expect(parts.length).toBeGreaterThanOrEqual(4);
		expect(parts.length).toBeLessThanOrEqual(5);
		const n = parts.length;
		const texts = parts.map((part, index) => {
			if (part.msgtype !== 'text') throw new Error('expected text');
			// the limit holds without the numbering, which fits in the reserved room
			expect(messageByteLength({ ...part, text: { content: stripPrefix(part.text.content, index + 1, n) } })).toBeLessThanOrEqual(
				20000 - RESERVED,
			);
			expect(messageByteLength(part)).toBeLessThanOrEqual(20000);
			return stripPrefix(part.text.content, index + 1, n);
		});
		// every part is whole lines of the original, in order
		let next = 0;
		for (const text of texts) {
			for (const line of text.split('\n')) expect(line).toBe(lines[next++]);
		}
		expect(next).toBe(lines.length);
		expect(texts.join('\n')).toBe(long);
		// mentions only on the last part
		parts.slice(0, -1).forEach((part) => expect(part.at).toBeUndefined());
		expect(parts[n - 1].at).toEqual({ atMobiles: ['13800000000'], isAtAll: false });
		expect(message.text.content).toBe(long); // the input is not changed
	});

	test('markdown parts keep the text as is and get " (k/n)" on the title', () => {
		const message: CombinableMessage = { msgtype: 'markdown', markdown: { title: 'Report', text: long }, at: { isAtAll: true } };
		const parts = splitLongMessage(message, 20000);
		const n = parts.length;
		expect(n).toBeGreaterThan(1);
		const texts = parts.map((part, index) => {
			if (part.msgtype !== 'markdown') throw new Error('expected markdown');
			expect(part.markdown.title).toBe(`Report (${index + 1}/${n})`);
			expect(messageByteLength({ ...part, markdown: { ...part.markdown, title: 'Report' } })).toBeLessThanOrEqual(20000 - RESERVED);
			expect(part.at).toEqual(index === n - 1 ? { isAtAll: true } : undefined);
			return part.markdown.text;
		});
		expect(texts.join('\n')).toBe(long);
	});

	test('markdown paragraphs separated by blank lines: nothing is lost at the cuts', () => {
		const paragraphs = Array.from({ length: 400 }, (_, i) => `para ${i} ${'-'.repeat(140)}`);
		const text = paragraphs.join('\n\n');
		const parts = splitLongMessage({ msgtype: 'markdown', markdown: { title: 'R', text } }, 20000);
		expect(parts.length).toBe(4);
		const texts = parts.map(bodyText);
		expect(texts.join('\n')).toBe(text);
		// a part never starts inside a paragraph
		texts.forEach((part) => expect(part).toMatch(/^para \d+ -{140}/));
	});

	test('one line longer than the limit is cut between characters', () => {
		const line = 'abcdefghij'.repeat(3000); // 30,000 bytes, no new line
		const parts = splitLongMessage({ msgtype: 'text', text: { content: line } }, 10000);
		const n = parts.length;
		expect(n).toBe(4); // 30,000 bytes in parts of < 9,904 bytes of text
		const texts = parts.map((part, index) => {
			if (part.msgtype !== 'text') throw new Error('expected text');
			const text = stripPrefix(part.text.content, index + 1, n);
			expect(messageByteLength({ msgtype: 'text', text: { content: text } })).toBeLessThanOrEqual(10000 - RESERVED);
			return text;
		});
		expect(texts.join('')).toBe(line);
		// each cut part but the last is as long as fits: {"msgtype":"text","text":{"content":""}} is 40 bytes
		texts.slice(0, -1).forEach((text) => expect(text.length).toBe(10000 - RESERVED - 40));
	});

	test('cutting emoji never breaks a surrogate pair', () => {
		const line = '😀'.repeat(10000); // 40,000 bytes
		const parts = splitLongMessage({ msgtype: 'text', text: { content: line } }, 20000);
		const n = parts.length;
		expect(n).toBe(3);
		const texts = parts.map((part, index) => {
			if (part.msgtype !== 'text') throw new Error('expected text');
			const text = stripPrefix(part.text.content, index + 1, n);
			expect(text).toMatch(/^(?:😀)+$/u);
			// a lone surrogate would be escaped by JSON.stringify as \\udXXX
			expect(JSON.stringify(part)).not.toMatch(/\\ud[89a-f]/i);
			expect(messageByteLength(part)).toBeLessThanOrEqual(20000);
			return text;
		});
		expect(texts.join('')).toBe(line);
	});

	test('a long line between short ones: the short ones stay whole', () => {
		const message: CombinableMessage = { msgtype: 'text', text: { content: `first\n${'w'.repeat(2500)}\nlast` } };
		const parts = splitLongMessage(message, 1000);
		const texts = parts.map((part, index) => stripPrefix(bodyText(part), index + 1, parts.length));
		// "first" cannot share a part with the long line; the long line's last piece takes "last"
		expect(texts[0]).toBe('first');
		expect(texts.slice(1).join('')).toBe(`${'w'.repeat(2500)}\nlast`);
		expect(texts[texts.length - 1]).toMatch(/^w+\nlast$/);
		for (const part of parts) expect(messageByteLength(part)).toBeLessThanOrEqual(1000);
	});
});
