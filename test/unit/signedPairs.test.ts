import { CALLBACK_TIMESTAMP_TOLERANCE_MS, MAX_CALLBACK_BODY_BYTES, declaredBodyLength, receivedBody } from '../../nodes/DingTalkRobotTrigger/callback';
import {
	COLLISION_WINDOW_MS,
	MAX_BODIES_PER_PAIR,
	PAIR_MEMORY_MS,
	SignedPairMemory,
	bodyDigest,
	judgeSignedPair,
	type PairRecord,
} from '../../nodes/DingTalkRobotTrigger/signedPairs';

const body = (msgId: string, text = 'ping') => ({ digest: bodyDigest(JSON.stringify({ msgId, text })), msgId });

describe('judgeSignedPair: first, retry, collision or replay', () => {
	const first = body('msg-1');
	const record: PairRecord = { firstAt: 10_000, bodies: [first] };

	it('a pair never seen is its first arrival', () => {
		expect(judgeSignedPair(undefined, first, 0)).toEqual({ kind: 'first' });
	});

	it('the identical body again is a retry, however late', () => {
		expect(judgeSignedPair(record, { ...first }, 10_000 + PAIR_MEMORY_MS)).toEqual({ kind: 'retry' });
	});

	it('another body with another msgId within the collision window is a collision (a genuine message of the same millisecond)', () => {
		expect(judgeSignedPair(record, body('msg-2'), 10_000)).toEqual({ kind: 'collision' });
		expect(judgeSignedPair(record, body('msg-2'), 10_000 + COLLISION_WINDOW_MS)).toEqual({ kind: 'collision' });
	});

	it('another body after the window is a replay', () => {
		expect(judgeSignedPair(record, body('msg-2'), 10_000 + COLLISION_WINDOW_MS + 1)).toEqual({
			kind: 'replay',
			reason: 'sign was already used for another message',
		});
	});

	it('the msgId of a body already carried, with another body, is a replay even at once (the message altered)', () => {
		expect(judgeSignedPair(record, body('msg-1', 'altered'), 10_000)).toMatchObject({ kind: 'replay' });
	});

	it(`at most ${MAX_BODIES_PER_PAIR} bodies per pair`, () => {
		const full: PairRecord = { firstAt: 0, bodies: Array.from({ length: MAX_BODIES_PER_PAIR }, (_, n) => body(`m${n}`)) };
		expect(judgeSignedPair(full, body('one-more'), 1)).toMatchObject({ kind: 'replay' });
		expect(judgeSignedPair(full, body('m3'), 1)).toEqual({ kind: 'retry' });
	});
});

describe('SignedPairMemory', () => {
	it('remembers a pair for two hours (its whole validity), with every body it accepted', () => {
		expect(PAIR_MEMORY_MS).toBe(2 * CALLBACK_TIMESTAMP_TOLERANCE_MS);
		const memory = new SignedPairMemory();
		expect(memory.check('1000', 'signA', body('a'), 0).kind).toBe('first');
		expect(memory.check('1000', 'signA', body('b'), 1000).kind).toBe('collision');
		expect(memory.check('1000', 'signA', body('b'), PAIR_MEMORY_MS).kind).toBe('retry');
		expect(memory.check('1000', 'signA', body('c'), PAIR_MEMORY_MS).kind).toBe('replay');
		expect(memory.check('1000', 'signB', body('c'), PAIR_MEMORY_MS).kind).toBe('first');
		// two hours after its first arrival the pair is forgotten (its timestamp is refused by then)
		expect(memory.check('1000', 'signA', body('c'), PAIR_MEMORY_MS + 1).kind).toBe('first');
	});

	it('a refused replay is not remembered as one of the pair\'s bodies', () => {
		const memory = new SignedPairMemory();
		memory.check('1', 's', body('a'), 0);
		expect(memory.check('1', 's', body('forged'), COLLISION_WINDOW_MS + 1).kind).toBe('replay');
		expect(memory.check('1', 's', body('forged'), COLLISION_WINDOW_MS + 2).kind).toBe('replay');
	});

	it('stays bounded under a flood of distinct pairs: the oldest are forgotten first', () => {
		const memory = new SignedPairMemory(PAIR_MEMORY_MS, 3);
		for (const n of [1, 2, 3, 4]) memory.check(String(n), 's', body(`m${n}`), n);
		expect(memory.size).toBe(3);
		expect(memory.check('1', 's', body('m1'), 5).kind).toBe('first');
		expect(memory.check('4', 's', body('m4'), 6).kind).toBe('retry');
	});
});

describe('the body as received', () => {
	it('is n8n\'s raw body when there is one, else the text, else the parsed body serialized', () => {
		const raw = Buffer.from('{"msgId":"m", "msgtype":"text"}');
		expect(receivedBody(raw, { msgId: 'm', msgtype: 'text' })).toBe(raw);
		expect(receivedBody(undefined, '{"a":1}')).toBe('{"a":1}');
		expect(receivedBody(undefined, { a: 1 })).toBe('{"a":1}');
		expect(receivedBody(undefined, undefined)).toBe('null');
	});

	it('its digest tells bodies apart by their bytes', () => {
		expect(bodyDigest(Buffer.from('{"a":1}'))).toBe(bodyDigest('{"a":1}'));
		expect(bodyDigest('{"a":1}')).not.toBe(bodyDigest('{"a":2}'));
		// computed with sha256sum | base64, not with the code under test
		expect(bodyDigest('{"a":1}')).toBe('AVq9f1zFei3ZS3WQ8ErYCEJzkF7jPsXOvq5iJ2qX+GI=');
	});

	it('the declared length is Content-Length when it is a number', () => {
		expect(MAX_CALLBACK_BODY_BYTES).toBe(1024 * 1024);
		expect(declaredBodyLength({ 'content-length': '1048577' })).toBe(1048577);
		expect(declaredBodyLength({ 'content-length': ' 12 ' })).toBe(12);
		expect(declaredBodyLength({})).toBeUndefined();
		expect(declaredBodyLength({ 'content-length': 'lots' })).toBeUndefined();
	});
});
