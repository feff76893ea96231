// @ts-check
'use strict';

/**
 * Answers held back for a while (a slow fault, the OpenAPI's injected latency): timers, never a
 * blocking wait, each dropped when its response is gone, and all cut on the simulator's stop() so
 * that no timer or socket outlives it. Shared by the oapi host (oapiHost.js) and the OpenAPI gate
 * (openApiGate.js).
 */

class HeldAnswers {
	constructor() {
		/** @type {Set<{ timer: NodeJS.Timeout, res: import('node:http').ServerResponse }>} */
		this._held = new Set();
	}

	/**
	 * Runs `answer` after `delayMs` (at once when 0) unless the response is gone by then.
	 * @param {import('node:http').ServerResponse} res
	 * @param {number} delayMs
	 * @param {() => void} answer
	 */
	after(res, delayMs, answer) {
		const run = () => {
			if (!res.destroyed) answer();
		};
		if (delayMs <= 0) {
			run();
			return;
		}
		const held = {
			timer: setTimeout(() => {
				this._held.delete(held);
				run();
			}, delayMs),
			res,
		};
		this._held.add(held);
	}

	/** Cuts every answer still held: its timer cleared, its connection destroyed. */
	cut() {
		for (const held of this._held) {
			clearTimeout(held.timer);
			held.res.destroy();
		}
		this._held.clear();
	}
}

module.exports = { HeldAnswers };
