import { MessageInputError } from '../../nodes/DingTalkRobot/messages/fields';

/** The MessageInputError `fn` throws; fails the test when it throws nothing, or something else. */
export function caught(fn: () => unknown): MessageInputError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(MessageInputError);
		return error as MessageInputError;
	}
	throw new Error('expected the call to throw a MessageInputError');
}
