/** The socket budget of one app's Stream connection (socketBudget.ts): pure decisions. */
import {
	MAX_SOCKETS_PER_APP,
	RETIRED_GRACE_MS,
	retiredGraceMs,
	retiredToCloseAtHandover,
	retiredToCloseBeforeOpening,
} from '../../nodes/DingTalkStreamTrigger/stream/socketBudget';

test('two sockets at most: the new one and the one it replaces', () => {
	expect(MAX_SOCKETS_PER_APP).toBe(2);
	// a handover: the one just retired stays while the new one opens
	expect(retiredToCloseBeforeOpening(1, ['retired'])).toEqual([]);
	// nothing open (a first connect, a reconnect after a drop)
	expect(retiredToCloseBeforeOpening(0, [])).toEqual([]);
	// two retired still there (one lingering in its grace): the oldest goes first
	expect(retiredToCloseBeforeOpening(2, ['older', 'newer'])).toEqual(['older']);
	expect(retiredToCloseBeforeOpening(3, ['a', 'b', 'c'])).toEqual(['a', 'b']);
});

test('one retired socket at most: a handover closes the older ones', () => {
	expect(retiredToCloseAtHandover(['just retired'])).toEqual([]);
	expect(retiredToCloseAtHandover(['older', 'just retired'])).toEqual(['older']);
	expect(retiredToCloseAtHandover(['a', 'b', 'just retired'])).toEqual(['a', 'b']);
	expect(retiredToCloseAtHandover([])).toEqual([]);
});

test('once the new one is open: a silent one goes at once, one DingTalk asked to go after a short grace', () => {
	expect(retiredGraceMs('idle')).toBe(0);
	expect(retiredGraceMs('disconnect')).toBe(RETIRED_GRACE_MS);
	// shorter than DingTalk's own 10 s before it closes a connection it asked to go
	expect(RETIRED_GRACE_MS).toBeLessThan(10_000);
});
