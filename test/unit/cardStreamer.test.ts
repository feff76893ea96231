/** Coalescing a card's streamed text (transport/cardStreamer.ts): one update in flight, in order, the whole text, the last one and the finalize always sent. */
import { CardStreamer, cardStreamer, type CardTextUpdate } from '../../nodes/DingTalkRobot/transport/cardStreamer';

/** A sender whose calls wait until released, recording what each carried. */
function heldSender() {
	const calls: Array<{ update: CardTextUpdate; release: (error?: Error) => void }> = [];
	let open = 0;
	let most = 0;
	const send = async (update: CardTextUpdate) => {
		open++;
		most = Math.max(most, open);
		try {
			await new Promise<void>((resolve, reject) => calls.push({ update, release: (error) => (error ? reject(error) : resolve()) }));
		} finally {
			open--;
		}
	};
	const releaseNext = async (error?: Error) => {
		for (let i = 0; i < 20 && calls.filter((c) => c.release).length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
		const call = calls.find((c) => c.release);
		if (!call) throw new Error('no call waiting');
		const release = call.release;
		(call as { release?: unknown }).release = undefined;
		release(error);
		await new Promise((resolve) => setImmediate(resolve));
	};
	return { send, calls, releaseNext, most: () => most };
}

test('200 chunks while one update is in flight become a few calls, each the whole text so far, in order; the finalize last', async () => {
	const sender = heldSender();
	const streamer = new CardStreamer({ minIntervalMs: 0 });
	const chunks = Array.from({ length: 200 }, (_, n) => `w${n} `);
	const pushed = chunks.map((chunk, n) => streamer.push({ text: chunk, mode: 'append', finalize: n === 199 }, sender.send));
	await sender.releaseNext(); // carried the first chunk; the other 199 came meanwhile
	await sender.releaseNext(); // all 200, finalized
	await Promise.all(pushed);
	expect(sender.calls.map((c) => [c.update.content.length, c.update.isFinalize])).toEqual([
		['w0 '.length, false],
		[chunks.join('').length, true],
	]);
	expect(sender.most()).toBe(1);
	expect(streamer.text).toBe(chunks.join(''));
	expect(streamer.done).toBe(true);
	expect(streamer.calls).toBe(2);
});

test('a finalize asked with no new text still goes out once; nothing can be added after it', async () => {
	const sender = heldSender();
	const streamer = new CardStreamer({ minIntervalMs: 0 });
	const first = streamer.push({ text: 'Hello', mode: 'full' }, sender.send);
	await sender.releaseNext();
	await first;
	const end = streamer.push({ text: 'Hello', mode: 'full', finalize: true }, sender.send);
	await sender.releaseNext();
	await end;
	expect(sender.calls.map((c) => c.update)).toEqual([
		{ content: 'Hello', isFinalize: false, isError: false },
		{ content: 'Hello', isFinalize: true, isError: false },
	]);
	await expect(streamer.push({ text: 'more', mode: 'append' }, sender.send)).rejects.toThrow('already finalized');
});

test('an error ends the card in its failed state, with the text so far', async () => {
	const sender = heldSender();
	const streamer = new CardStreamer({ minIntervalMs: 0 });
	const pushed = streamer.push({ text: 'partial answer', mode: 'append', error: true }, sender.send);
	await sender.releaseNext();
	await pushed;
	expect(sender.calls[0].update).toEqual({ content: 'partial answer', isFinalize: true, isError: true });
});

test('a failed update rejects those waiting for its text; text that came later is sent again, whole', async () => {
	const sender = heldSender();
	const streamer = new CardStreamer({ minIntervalMs: 0 });
	const a = streamer.push({ text: 'a', mode: 'append' }, sender.send).then(
		() => 'sent',
		(error: Error) => error.message,
	);
	const b = streamer.push({ text: 'b', mode: 'append' }, sender.send);
	await sender.releaseNext(new Error('throttled'));
	expect(await a).toBe('throttled');
	await sender.releaseNext();
	await b;
	expect(sender.calls.map((c) => c.update.content)).toEqual(['a', 'ab']);
});

test('one streamer per card for the whole process', () => {
	expect(cardStreamer('track-1')).toBe(cardStreamer('track-1'));
	expect(cardStreamer('track-1')).not.toBe(cardStreamer('track-2'));
});

test('updates of a card go out at least minIntervalMs apart, text arriving meanwhile joins the next; the finalize does not wait', async () => {
	let now = 1000;
	const sleeps: number[] = [];
	const pendingSleeps: Array<() => void> = [];
	const clock = {
		now: () => now,
		sleep: async (ms: number) => {
			sleeps.push(ms);
			await new Promise<void>((resolve) => pendingSleeps.push(resolve));
		},
	};
	const sent: CardTextUpdate[] = [];
	const send = async (update: CardTextUpdate) => {
		sent.push(update);
	};
	const streamer = new CardStreamer({ minIntervalMs: 300, clock });
	const first = streamer.push({ text: 'a', mode: 'append' }, send);
	await first;
	now += 100;
	const second = streamer.push({ text: 'b', mode: 'append' }, send);
	const third = streamer.push({ text: 'c', mode: 'append' }, send);
	await new Promise((resolve) => setImmediate(resolve));
	// 100 ms after the first update: it waits the 200 ms left, and 'c' joins 'b'
	expect(sleeps).toEqual([200]);
	expect(sent.map((u) => u.content)).toEqual(['a']);
	now += 200;
	pendingSleeps.shift()!();
	await Promise.all([second, third]);
	expect(sent.map((u) => u.content)).toEqual(['a', 'abc']);
	// the finalize, 10 ms later: sent at once, no wait for the interval
	now += 10;
	const tail = streamer.push({ text: 'd', mode: 'append' }, send);
	await new Promise((resolve) => setImmediate(resolve));
	const end = streamer.push({ text: '', mode: 'append', finalize: true }, send);
	await Promise.all([tail, end]);
	expect(sent.slice(2)).toEqual([{ content: 'abcd', isFinalize: true, isError: false }]);
	expect(streamer.calls).toBe(3);
});

test('a nonsense interval (NaN, negative) falls back to the default', () => {
	expect(new CardStreamer({ minIntervalMs: Number.NaN }).minIntervalMs).toBe(300);
	expect(new CardStreamer({ minIntervalMs: -5 }).minIntervalMs).toBe(300);
	expect(new CardStreamer({ minIntervalMs: 0 }).minIntervalMs).toBe(0);
});
