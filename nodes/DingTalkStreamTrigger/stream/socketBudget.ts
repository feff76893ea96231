/**
 * How many WebSockets one app's connection may hold, and when a retired one goes. Pure:
 * connection.ts applies it. A handover needs two sockets for a moment (the new one opens before
 * the old one goes, so nothing pushed meanwhile is lost); more than that only piles up, as a
 * gateway that told every new connection to go showed (hundreds open at once). So:
 * - at most MAX_SOCKETS_PER_APP open or opening at any moment: before one more is opened, the
 *   oldest retired ones are closed first;
 * - at most MAX_RETIRED_SOCKETS retired one lingers: a handover closes the older ones;
 * - once the new one is open, a retired one goes: at once when it was silent (idle); after a
 *   short grace when DingTalk asked it to go, so that frames already on their way are still read
 *   (DingTalk closes it itself about 10 s after its disconnect).
 */

export const MAX_SOCKETS_PER_APP = 2;
export const MAX_RETIRED_SOCKETS = 1;
export const RETIRED_GRACE_MS = 3_000;

/** Why a socket was retired: DingTalk asked it to go, or the watchdog found it silent. */
export type RetireReason = 'disconnect' | 'idle';

/** At a handover: which of the retired sockets (oldest first, the one just retired last) to close now. */
export function retiredToCloseAtHandover<T>(retired: T[]): T[] {
	return retired.slice(0, Math.max(0, retired.length - MAX_RETIRED_SOCKETS));
}

/**
 * Before one more socket is opened, with `live` open or opening (the retired ones among them):
 * which retired sockets (oldest first) to close first, so that the new one stays within the cap.
 */
export function retiredToCloseBeforeOpening<T>(live: number, retired: T[]): T[] {
	const excess = live + 1 - MAX_SOCKETS_PER_APP;
	return excess > 0 ? retired.slice(0, excess) : [];
}

/** Once the new socket is open: how long a retired one may stay (0: close it now). */
export function retiredGraceMs(why: RetireReason): number {
	return why === 'idle' ? 0 : RETIRED_GRACE_MS;
}
