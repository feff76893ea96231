import type { NodeApiError } from 'n8n-workflow';

/**
 * What each DingTalk errcode means for the user and what to do about it. DingTalk's own errmsg
 * varies over the years (and is often Chinese), so the match is on errcode and the errmsg is
 * shown alongside.
 */
export interface DingTalkErrorExplanation {
	message: string;
	description: string;
	/** a later attempt of the same request may succeed */
	retryable: boolean;
}

const TOKEN_UNKNOWN: DingTalkErrorExplanation = {
	message: 'DingTalk does not know this robot\'s access token',
	description:
		'Copy the Webhook URL again from the group\'s robot settings (Group settings > Bots > your robot) into the DingTalk Robot credential. A robot that was removed and added again has a new token.',
	retryable: false,
};

const FIELD_MISSING: DingTalkErrorExplanation = {
	message: 'DingTalk says a required field of the message is missing',
	description:
		'Check the message fields named in DingTalk\'s answer. In JSON mode, check the casing: link uses messageUrl/picUrl, feedCard messageURL/picURL, actionCard singleURL and actionURL.',
	retryable: false,
};

const THROTTLED: DingTalkErrorExplanation = {
	message: 'DingTalk throttled the robot: more than 20 messages in one minute',
	description:
		'A robot may send 20 messages per minute; past that DingTalk rejects everything it is sent for about 10 minutes. Send fewer messages (combine items into one message), or spread them out, and try again after the throttle has passed.',
	retryable: true,
};

const TOO_LONG: DingTalkErrorExplanation = {
	message: 'The message is too long for DingTalk (over 20000 bytes)',
	description: 'Shorten the text or split it across several messages.',
	retryable: false,
};

const EXPLANATIONS: Record<number, DingTalkErrorExplanation> = {
	[-1]: {
		message: 'DingTalk is busy',
		description: 'DingTalk answered "system busy". Try again in a moment.',
		retryable: true,
	},
	40035: {
		message: 'DingTalk says a parameter is missing',
		description:
			'The request lacked the message body or the access token. Check the webhook in the DingTalk Robot credential; if it is right, a proxy between n8n and DingTalk may be dropping the body.',
		retryable: false,
	},
	43002: {
		message: 'DingTalk requires a POST request',
		description: 'A proxy between n8n and DingTalk may be changing the request method.',
		retryable: false,
	},
	43004: {
		message: 'DingTalk refused the request\'s Content-Type',
		description: 'The body must be sent as application/json; a proxy between n8n and DingTalk may be rewriting the header.',
		retryable: false,
	},
	300001: TOKEN_UNKNOWN,
	300005: TOKEN_UNKNOWN,
	400101: TOKEN_UNKNOWN,
	400106: {
		message: 'This DingTalk robot does not exist any more',
		description: 'Add the robot to the group again and put its new Webhook URL in the DingTalk Robot credential.',
		retryable: false,
	},
	400102: {
		message: 'This DingTalk robot is disabled',
		description: 'Enable the robot again in the group\'s robot settings.',
		retryable: false,
	},
	400013: {
		message: 'The DingTalk group of this robot was dissolved',
		description: 'Messages cannot be sent to a dissolved group. Use a robot of another group.',
		retryable: false,
	},
	400105: {
		message: 'DingTalk does not support this message type',
		description: 'Robots accept text, markdown, link, actionCard and feedCard messages (msgtype with this exact casing).',
		retryable: false,
	},
	400402: FIELD_MISSING,
	410100: THROTTLED,
	130101: THROTTLED,
	430101: {
		message: 'DingTalk refused a link in the message as unsafe',
		description: 'Remove or replace the link DingTalk considers unsafe.',
		retryable: false,
	},
	430102: {
		message: 'DingTalk refused the message text as inappropriate',
		description: 'DingTalk\'s content check rejected the text. Rephrase the message.',
		retryable: false,
	},
	430103: {
		message: 'DingTalk refused an image in the message as inappropriate',
		description: 'Replace the image.',
		retryable: false,
	},
	430104: {
		message: 'DingTalk refused the message content as inappropriate',
		description: 'DingTalk\'s content check rejected the message. Change its content.',
		retryable: false,
	},
	460101: TOO_LONG,
	101002: TOO_LONG,
};

/** errcode 310000 covers four different security checks: errmsg says which. */
function explainSecurityFailure(errmsg: string): DingTalkErrorExplanation {
	const text = errmsg.toLowerCase();
	if (text.includes('keyword') || errmsg.includes('关键词') || errmsg.includes('关键字')) {
		return {
			message: 'DingTalk refused the message: it contains none of the robot\'s keywords',
			description:
				'The robot\'s security settings require a custom keyword in every message. Add one to the message, and list the keywords in the DingTalk Robot credential so the node checks them before sending.',
			retryable: false,
		};
	}
	if (text.includes('whitelist') || errmsg.includes('白名单')) {
		const ip = /ip\s+([0-9.]+)/i.exec(errmsg)?.[1];
		return {
			message: `DingTalk refused the request: ${ip ? `this n8n host's IP ${ip}` : 'this n8n host\'s IP'} is not in the robot's IP whitelist`,
			description:
				'Add the public IP address (or range) n8n sends from to the robot\'s security settings (IP address (segment)), or use signing (加签) instead.',
			retryable: false,
		};
	}
	if (text.includes('sign') || errmsg.includes('签名')) {
		return {
			message: 'DingTalk refused the signature: the secret does not match',
			description:
				'Copy the secret (加签, starts with SEC) again from the robot\'s security settings into the DingTalk Robot credential. If the robot does not use signing, leave the secret empty.',
			retryable: false,
		};
	}
	// after the signature: a newer errmsg about the sign may name the timestamp in its solution
	if (text.includes('timestamp') || errmsg.includes('时间戳')) {
		return {
			message: 'DingTalk refused the request\'s timestamp',
			description:
				'Signed requests must be within one hour of DingTalk\'s clock. Check the clock of the n8n server (NTP).',
			retryable: false,
		};
	}
	return {
		message: 'DingTalk refused the request in its security check',
		description:
			'The robot\'s security settings (keywords, signing secret or IP whitelist) rejected the request: check them against the DingTalk Robot credential.',
		retryable: false,
	};
}

/** What DingTalk's "unknown token" codes mean on a session webhook: the session is gone. */
const SESSION_GONE: DingTalkErrorExplanation = {
	message: 'DingTalk does not accept replies to this conversation\'s session',
	description:
		'The session webhook expired (DingTalk keeps it about 90 minutes) or is not a real one. Reply sooner after the trigger, or post to the group with Send To › Group Robot.',
	retryable: false,
};

/**
 * `via` says where the message went: the credential's robot webhook, or a conversation's session
 * webhook, whose only token is the session itself.
 */
export function explainDingTalkError(errcode: number, errmsg: string, via: 'robot' | 'session' = 'robot'): DingTalkErrorExplanation {
	if (via === 'session' && EXPLANATIONS[errcode] === TOKEN_UNKNOWN) return SESSION_GONE;
	if (errcode === 310000) return explainSecurityFailure(errmsg);
	if (EXPLANATIONS[errcode]) return EXPLANATIONS[errcode];
	if (errcode >= 430100 && errcode <= 430199) return EXPLANATIONS[430104];
	return {
		message: `DingTalk refused the message (errcode ${errcode})`,
		description: 'DingTalk answered with an error code this node does not know. Its message is shown as is.',
		retryable: false,
	};
}

/**
 * Says on the error how many attempts were made and, when an attempt's answer could not be
 * read, that DingTalk may have posted the message: the truth the output must not hide.
 * `beforeSendingAgain` tells whether sending again is safe (the webhook's msgUuid) or not (the OpenAPI).
 */
export function afterAttempts(error: NodeApiError, attempts: number, ambiguous: string | undefined, beforeSendingAgain: string): NodeApiError {
	error.context.attempts = attempts;
	if (attempts > 1) error.message = `${error.message} (after ${attempts} attempts)`;
	if (ambiguous) {
		error.context.mayHaveBeenPosted = true;
		error.message = `${error.message}; DingTalk may have posted the message`;
		error.description =
			`An attempt got ${ambiguous} instead of DingTalk's answer, so DingTalk may have posted the message. ${beforeSendingAgain} ` +
			(error.description ?? '');
	}
	return error;
}
