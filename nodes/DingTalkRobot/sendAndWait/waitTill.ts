/**
 * Options › Limit Wait Time, as n8n's own Send and Wait nodes read it: none set, the execution
 * waits until someone answers (n8n's WAIT_INDEFINITELY); otherwise until an amount of minutes,
 * hours or days from now, or a date and time. When the time comes, n8n resumes the execution and
 * the node passes its input items on unchanged (no `data`), as n8n's own nodes do.
 */
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { MessageInputError, describeValue, readNumber } from '../messages/fields';

const FIELD = 'Options › Limit Wait Time';

const UNIT_MS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** The time the execution waits until, read from the operation's options (`options.limitWaitTime.values`). */
export function readWaitTill(options: Record<string, unknown>, nowMs: number): Date {
	const limit = options.limitWaitTime as { values?: Record<string, unknown> } | undefined;
	const values = limit?.values;
	if (!values || Object.keys(values).length === 0) return WAIT_INDEFINITELY;
	const limitType = values.limitType ?? 'afterTimeInterval';
	if (limitType === 'afterTimeInterval') {
		const amount = readNumber(values.resumeAmount, `${FIELD} › Amount`, { min: 0 }, 1);
		const unit = String(values.resumeUnit ?? 'hours');
		const unitMs = UNIT_MS[unit];
		if (unitMs === undefined) throw new MessageInputError(`${FIELD} › Unit`, `must be minutes, hours or days, got ${describeValue(values.resumeUnit)}`);
		return new Date(nowMs + amount * unitMs);
	}
	if (limitType === 'atSpecifiedTime') {
		const raw = values.maxDateAndTime;
		const date = raw instanceof Date ? raw : typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : new Date(NaN);
		if (raw === '' || raw === undefined || raw === null || Number.isNaN(date.getTime())) {
			throw new MessageInputError(`${FIELD} › Max Date and Time`, `must be a date and time, got ${describeValue(raw)}`);
		}
		return date;
	}
	throw new MessageInputError(`${FIELD} › Limit Type`, `must be After Time Interval or At Specified Time, got ${describeValue(limitType)}`);
}
