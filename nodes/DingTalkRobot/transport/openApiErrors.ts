/**
 * What DingTalk's OpenAPI answers mean for the user, and what to do. The OpenAPI answers with an
 * HTTP status and `{code, message, requestid}` (api.dingtalk.com), the older oapi host with
 * `{errcode, errmsg}` (media upload). Codes from DingTalk's reference pages of the robot
 * message APIs, its global error table and its upload page; the match is on the code, and
 * DingTalk's own message is shown beside the explanation.
 */
import type { DingTalkErrorExplanation } from './errors';

/** The permission DingTalk names for robot messages, and where to grant it. */
const GRANT = 'In the DingTalk developer console: your app › Permissions (权限管理), search the permission, apply, and publish the app.';

/** An expired or unknown token: the node fetches a new one once and tries again; this is what remains. */
export const TOKEN_REFUSED: DingTalkErrorExplanation = {
	message: 'DingTalk refused the app\'s access token',
	description:
		'A new token was fetched with the DingTalk App credential and refused too. Check the Client ID and Client Secret of the credential (its Test button asks DingTalk), and that the app is not disabled.',
	retryable: false,
};

const THROTTLED: DingTalkErrorExplanation = {
	message: 'DingTalk throttled the app: too many calls per second',
	description: 'DingTalk allows an app about 20 calls per second to each API. The node retries with pauses; lower Options › Parallel Destinations if this persists.',
	retryable: true,
};

/** A 429 without DingTalk's body: its front (or a proxy) throttled before the request reached the API. */
export const THROTTLED_BY_FRONT: DingTalkErrorExplanation = {
	message: 'DingTalk (or a proxy in between) throttled the app: too many requests',
	description: 'The request was refused before DingTalk\'s API read it. The node retries with pauses (longer when the answer says how long to wait); lower Options › Calls per Second or Parallel Destinations if this persists.',
	retryable: true,
};

/**
 * DingTalk counts an organization's metered API calls per calendar month (its help center: errcode
 * 90020 / Forbidden.AccessDenied.ApiCountLimitForOrg once the month's allowance is used). Not
 * retried: nothing changes before the next month or an upgrade.
 */
export const MONTHLY_CALLS_USED: DingTalkErrorExplanation = {
	message: 'The organization has used its DingTalk API calls for this month',
	description:
		'DingTalk limits the metered API calls of an organization per calendar month by its edition. See the usage in the developer console (开发者后台 › 资源管理); more calls come with a higher edition or an add-on pack, or next month. Fewer calls per message: cards with a longer Time Between Updates.',
	retryable: false,
};

const ROBOT_CODE: DingTalkErrorExplanation = {
	message: 'DingTalk does not know this Robot Code for the app',
	description:
		'Robot Code must be the code of the robot of the credential\'s app (developer console › your app › Robot: RobotCode; for an enterprise internal app usually the Client ID). Set it in the DingTalk App credential or in the node.',
	retryable: false,
};

const NOT_IN_GROUP: DingTalkErrorExplanation = {
	message: 'The robot is not in this group',
	description:
		'Add the app\'s robot to the group (group settings › Bots › Add Robot), or check Conversation ID: it must be the openConversationId of a group the robot is in (a DingTalk Robot Trigger item\'s conversation.id).',
	retryable: false,
};

const EXPLANATIONS: Record<string, DingTalkErrorExplanation> = {
	InvalidAuthentication: TOKEN_REFUSED,
	'AuthenticationFailed.MissingParameter': TOKEN_REFUSED,
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi': THROTTLED,
	'Forbidden.AccessDenied.ApiCountLimitForOrg': MONTHLY_CALLS_USED,
	'Forbidden.AccessDenied.QpsLimitForApi': {
		...THROTTLED,
		message: 'DingTalk throttled calls from this server (platform limit)',
	},
	'invalidParameter.robotCode.missing': ROBOT_CODE,
	'invalidParameter.robotCode.empty': ROBOT_CODE,
	'invalidParameter.robotCode.notExsit': ROBOT_CODE,
	'invalidParameter.robotCode.auth': ROBOT_CODE,
	'miss.chatbotId': ROBOT_CODE,
	'not.allowed.robotCode': ROBOT_CODE,
	'invalidParameter.robotCode': NOT_IN_GROUP,
	'resource.not.found': NOT_IN_GROUP,
	'miss.openConversationId': {
		message: 'Conversation ID is missing',
		description: 'Map Conversation ID to the group\'s openConversationId, e.g. a DingTalk Robot Trigger item\'s conversation.id.',
		retryable: false,
	},
	'invalid.openConversationId': {
		message: 'DingTalk does not know this group (openConversationId)',
		description: 'Conversation ID must be an openConversationId (cid…), e.g. a DingTalk Robot Trigger item\'s conversation.id, of a group of the app\'s organization.',
		retryable: false,
	},
	'invalidParameter.userIds.empty': {
		message: 'No user IDs to send to',
		description: 'Give the user IDs (staff IDs) of the people to write to.',
		retryable: false,
	},
	'invalidParameter.userIds.overMax': {
		message: 'Too many user IDs in one call',
		description: 'DingTalk takes at most 20 users per call; the node splits larger lists, so this means a proxy changed the request.',
		retryable: false,
	},
	'staffId.notExisted': {
		message: 'None of these user IDs is a member of the app\'s organization',
		description: 'Use the user IDs (staffId, 员工 userId) of people in the organization, e.g. a DingTalk Robot Trigger item\'s sender.staffId.',
		retryable: false,
	},
	'invalidParameter.msgParam.tooLong': {
		message: 'The message is too long for DingTalk (over 15000 bytes for an app robot)',
		description: 'Shorten the text.',
		retryable: false,
	},
	'invalid.media.id': {
		message: 'DingTalk does not know the media id of the picture or file',
		description: 'The upload may have expired or belong to another app. Send the binary data again so the node uploads it.',
		retryable: false,
	},
	// cards (the codes DingTalk's card API is seen to answer; see the simulator's cards.js for which are documented)
	'param.templateUnpublished': {
		message: 'The card template is not published',
		description: 'Publish the template in DingTalk\'s card platform (卡片平台 › your template › Publish), then use its ID.',
		retryable: false,
	},
	'param.templateNotExist': {
		message: 'DingTalk does not know this card template',
		description: 'Copy Card Template ID (….schema) from DingTalk\'s card platform, from a template of this app\'s organization.',
		retryable: false,
	},
	'param.cardNotExist': {
		message: 'DingTalk does not know a card with this outTrackId',
		description: 'Map Out Track ID to the outTrackId Create Card output (the card must have been created by this app).',
		retryable: false,
	},
	'param.invalidKey': {
		message: 'The card template has no streaming variable of this name',
		description: 'Set Variable to the template\'s streaming variable (DingTalk\'s public AI card: msgContent).',
		retryable: false,
	},
	'param.streamFinalized': {
		message: 'The card\'s text was already finalized',
		description: 'A finalized text takes no more: create a new card for a new answer.',
		retryable: false,
	},
	'param.outTrackIdExist': {
		message: 'A card with this outTrackId exists already',
		description: 'Leave Out Track ID empty (the node chooses a new one) or give one not used before.',
		retryable: false,
	},
	MissingStringValue: {
		message: 'DingTalk wants every card variable as text',
		description: 'The node sends every value as text; a proxy in between may have changed the request.',
		retryable: false,
	},
	unknownError: {
		message: 'DingTalk could not apply the card update',
		description: 'DingTalk answers this when the card does not exist (its creation failed) or when its template has no failed state for Mark as Failed.',
		retryable: false,
	},
	'system.error': {
		message: 'DingTalk had a server error',
		description: 'Try again later.',
		retryable: true,
	},
};

/** The permission DingTalk says is missing, from `accessdenieddetail.requiredScopes` or `…：[scope]` in its message. */
export function requiredScope(answer: { message?: unknown; accessdenieddetail?: { requiredScopes?: unknown } }): string | undefined {
	const scopes = answer.accessdenieddetail?.requiredScopes;
	if (Array.isArray(scopes) && typeof scopes[0] === 'string') return scopes[0];
	return /\[([A-Za-z0-9_.]+)\]/.exec(String(answer.message ?? ''))?.[1];
}

/** What an OpenAPI error means; `scope` is the missing permission DingTalk named, if any. */
export function explainOpenApiError(code: string, status: number, scope?: string): DingTalkErrorExplanation {
	if (code === 'Forbidden.AccessDenied.AccessTokenPermissionDenied' || code.startsWith('Forbidden.AccessDenied.AccessTokenPermission')) {
		return {
			message: `The app has no permission for this API${scope ? ` (${scope})` : ''}`,
			description: `Grant the app the permission ${scope ? `"${scope}"` : 'DingTalk names'}${scope === 'qyapi_robot_sendmsg' ? ' (企业内机器人发送消息权限, robot message sending)' : ''}. ${GRANT}`,
			retryable: false,
		};
	}
	if (EXPLANATIONS[code]) return EXPLANATIONS[code];
	if (code.startsWith('miss.param') || code.startsWith('invalidParameter.msg') || code === 'invalidParameter.param.invalid') {
		return {
			message: 'DingTalk says a field of the message is missing or wrong',
			description: 'Check the message\'s fields (in JSON mode, msgKey and the template\'s msgParam fields with DingTalk\'s casing).',
			retryable: false,
		};
	}
	return {
		message: `DingTalk refused the call (HTTP ${status}, ${code || 'no code'})`,
		description: 'DingTalk answered with a code this node does not know. Its message is shown as is.',
		retryable: status >= 500,
	};
}

/** The media upload's errcodes (oapi style, HTTP 200). */
const UPLOAD_EXPLANATIONS: Record<number, DingTalkErrorExplanation> = {
	40004: { message: 'DingTalk refused the upload\'s media type', description: 'Pictures are sent as image, everything else as file.', retryable: false },
	40005: {
		message: 'DingTalk does not take this kind of file',
		description: 'Pictures: jpg, gif, png, bmp. Files: doc, docx, xls, xlsx, ppt, pptx, zip, pdf, rar. Give the binary data a file name with one of these extensions.',
		retryable: false,
	},
	40006: { message: 'The file is too large for DingTalk', description: 'Pictures and files up to 20 MB.', retryable: false },
	44001: { message: 'The file is empty', description: 'The binary data of the item has no bytes.', retryable: false },
	40014: TOKEN_REFUSED,
	41001: TOKEN_REFUSED,
	60011: {
		message: 'The app has no permission to upload media (qyapi_base)',
		description: `Grant the app the permission to upload media. ${GRANT}`,
		retryable: false,
	},
	90018: THROTTLED,
	90020: MONTHLY_CALLS_USED,
	90002: { ...THROTTLED, message: 'DingTalk throttled calls from this server (platform limit)' },
	[-1]: { message: 'DingTalk is busy', description: 'Try again in a moment.', retryable: true },
};

export function explainUploadError(errcode: number): DingTalkErrorExplanation {
	return (
		UPLOAD_EXPLANATIONS[errcode] ?? {
			message: `DingTalk refused the upload (errcode ${errcode})`,
			description: 'DingTalk answered with an error code this node does not know. Its message is shown as is.',
			retryable: false,
		}
	);
}

/** Answers after which a new access token may help: the token expired or is unknown. */
export const TOKEN_EXPIRED_CODES = new Set(['InvalidAuthentication']);
export const TOKEN_EXPIRED_ERRCODES = new Set([40014, 42001]);
