/** A card's data as DingTalk takes it (messages/cardData.ts). */
import { newOutTrackId, openSpaceId, readOutTrackId, toCardParamMap } from '../../nodes/DingTalkRobot/messages/cardData';
import { caught } from './caught';

describe('toCardParamMap: every value a string', () => {
	test('strings as given, numbers and booleans written out, lists and objects as JSON, nothing as empty', () => {
		expect(toCardParamMap({ title: 'Deploy?', count: 3, urgent: true, items: ['a', 'b'], meta: { id: 1 }, none: null }, 'Card Data')).toEqual({
			title: 'Deploy?',
			count: '3',
			urgent: 'true',
			items: '["a","b"]',
			meta: '{"id":1}',
			none: '',
		});
	});

	test('JSON text is read; an empty one is no variables', () => {
		expect(toCardParamMap('{"content": "hi", "flowStatus": 1}', 'Card Data')).toEqual({ content: 'hi', flowStatus: '1' });
		expect(toCardParamMap('  ', 'Card Data')).toEqual({});
	});

	test.each([
		['invalid JSON', '{content:', /^"Card Data" is not valid JSON: /],
		['a list', ['a'], /^"Card Data" must be an object of the card's variables, got \["a"\]$/],
		['a variable name with a space', { 'my var': 'x' }, /^"Card Data" has the variable name "my var": a card variable is a name/],
	])('%s is refused, naming the field', (_name, input, message) => {
		expect(caught(() => toCardParamMap(input, 'Card Data')).message).toMatch(message);
	});
});

test('open spaces and outTrackIds', () => {
	expect(openSpaceId({ kind: 'group', openConversationId: 'cid123==' })).toBe('dtv1.card//IM_GROUP.cid123==');
	expect(openSpaceId({ kind: 'user', userId: 'manager4521' })).toBe('dtv1.card//IM_ROBOT.manager4521');
	expect(newOutTrackId()).toMatch(/^n8n-[0-9a-f]{24}$/);
	expect(newOutTrackId()).not.toBe(newOutTrackId());
	expect(readOutTrackId(' order-42 ', 'Out Track ID')).toBe('order-42');
	expect(caught(() => readOutTrackId('a b', 'Out Track ID')).message).toBe('"Out Track ID" is "a b": an outTrackId is 1 to 64 letters, digits, _ or -');
});
