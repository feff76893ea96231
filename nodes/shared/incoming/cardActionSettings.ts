/**
 * The card settings of a trigger, read once when it starts (or, for the HTTP trigger, with each
 * call): which events it takes, how it answers a click, which clicks are its own. A mistake is an
 * error naming the field, never a silent default.
 */
import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { MessageInputError, describeValue } from '../../DingTalkRobot/messages/fields';
import type { CardActionFilters } from './cardAction';
import { readClickAnswer, type ClickAnswer } from './cardActionAnswer';
import type { TriggerEvents } from './cardActionDescription';

/** What a trigger's context offers here (a trigger's and a webhook's alike). */
export interface SettingsContext {
	getNode(): INode;
	getNodeParameter(name: string, fallback?: unknown): unknown;
}

export interface EventsChoice {
	robotMessages: boolean;
	cardActions: boolean;
}

const EVENTS: Record<TriggerEvents, EventsChoice> = {
	robotMessages: { robotMessages: true, cardActions: false },
	cardActions: { robotMessages: false, cardActions: true },
	both: { robotMessages: true, cardActions: true },
};

/** Events: robot messages (the default, as before the option existed), card clicks, or both. */
export function readEvents(ctx: SettingsContext): EventsChoice {
	const value = ctx.getNodeParameter('events', 'robotMessages');
	if (typeof value === 'string' && Object.hasOwn(EVENTS, value)) return EVENTS[value as TriggerEvents];
	throw new NodeOperationError(ctx.getNode(), `"Events" is ${describeValue(value)}: choose Robot Messages, Card Button Clicks or Both`);
}

export interface CardActionSettings {
	answer: ClickAnswer;
	filters: CardActionFilters;
}

function text(value: unknown, field: string): string {
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string') throw new MessageInputError(field, `must be text, got ${describeValue(value)}`);
	return value;
}

/** How clicks are answered and which are this trigger's, checked. */
export function readCardActionSettings(ctx: SettingsContext, options: IDataObject): CardActionSettings {
	try {
		return {
			answer: readClickAnswer({
				cardActionAnswer: ctx.getNodeParameter('cardActionAnswer', 'none'),
				cardActionVariables: ctx.getNodeParameter('cardActionVariables', {}),
				cardActionUpdateFor: ctx.getNodeParameter('cardActionUpdateFor', 'everyone'),
				cardActionJson: ctx.getNodeParameter('cardActionJson', '{}'),
			}),
			filters: {
				onlyActionIds: text(options.onlyActionIds, 'Options › Only Action IDs'),
				outTrackIdPrefix: text(options.outTrackIdPrefix, 'Options › Only Out Track IDs Starting With'),
			},
		};
	} catch (error) {
		const description =
			error instanceof MessageInputError ? 'Fix the card settings of the trigger: they answer every click at once, so they are checked before any click.' : undefined;
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, { description });
	}
}
