/**
 * msgUuid, DingTalk's idempotency key: DingTalk posts one message per msgUuid and answers
 * "ok" to every later request with the same one, whatever its content. So an ID must be text
 * (an object from an expression would become "[object Object]", the same for every item), and
 * two different messages must never share one: the second would be reported sent while
 * DingTalk dropped it. Pure functions.
 */
import { randomUUID } from 'crypto';

import { MessageInputError, describeValue } from './fields';
import type { RobotMessageBody } from './types';

/** DingTalk does not document a limit; an ID longer than this is surely a mapping mistake (a whole item). */
const MAX_MESSAGE_ID_LENGTH = 128;

/** The Message ID option: text or a number, trimmed; undefined when blank (a random ID is used). */
export function readMessageId(value: unknown, field: string): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
		throw new MessageInputError(field, `must be text, got ${describeValue(value)}`, 'Map it to one value of the item, e.g. {{ $json.alertId }}, not to an object.');
	}
	const id = String(value).trim();
	if (id.length > MAX_MESSAGE_ID_LENGTH) {
		throw new MessageInputError(field, `is ${id.length} characters long; use an ID of at most ${MAX_MESSAGE_ID_LENGTH}`, 'Map it to one value of the item, e.g. {{ $json.alertId }}.');
	}
	return id === '' ? undefined : id;
}

/** The ID of a message: the user's Message ID, a msgUuid already in a JSON body, or a random one. */
export function chooseMessageUuid(messageId: string | undefined, message?: object): string {
	if (messageId) return messageId;
	const existing = (message as { msgUuid?: unknown } | undefined)?.msgUuid;
	if (existing === undefined) return randomUUID();
	return readMessageId(existing, 'JSON Body › msgUuid') ?? randomUUID();
}

/** What is compared: the message without its ID. */
const contentOf = ({ msgUuid: _id, ...content }: RobotMessageBody) => JSON.stringify(content);

export interface IdentifiedMessage {
	/** the first input item of the message, for the error */
	itemIndex: number;
	/** where it goes: IDs only collide at the same robot or session */
	destination: string;
	parts: RobotMessageBody[];
}

/**
 * For every message that reuses an earlier message's ID (same destination) with different
 * content, the error to fail it with. Messages equal to the earlier one are left alone:
 * DingTalk posts that content once, which is what both items asked for.
 */
export function findConflictingMessageIds(messages: IdentifiedMessage[], field: string): Map<number, MessageInputError> {
	const seen = new Map<string, { itemIndex: number; content: string }>();
	const conflicts = new Map<number, MessageInputError>();
	messages.forEach((message, position) => {
		for (const part of message.parts) {
			const key = `${message.destination}\n${part.msgUuid}`;
			const earlier = seen.get(key);
			if (!earlier) {
				seen.set(key, { itemIndex: message.itemIndex, content: contentOf(part) });
				continue;
			}
			if (earlier.content !== contentOf(part)) {
				conflicts.set(
					position,
					new MessageInputError(
						field,
						`gives this message the ID ${describeValue(part.msgUuid)}, which item ${earlier.itemIndex}'s different message already has; DingTalk would post only the first and answer "ok" to this one`,
						'Give every message its own ID, e.g. {{ $json.alertId }}, or {{ $json.alertId }}-{{ $itemIndex }} when one alert makes several items.',
					),
				);
				return;
			}
		}
	});
	return conflicts;
}
