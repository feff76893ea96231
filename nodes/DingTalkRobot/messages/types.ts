/** DingTalk robot message bodies, with DingTalk's exact casing (see the API doc, section 3). */

export interface RobotAt {
	atMobiles?: string[];
	atUserIds?: string[];
	isAtAll?: boolean;
}

export interface TextRobotMessage {
	msgtype: 'text';
	text: { content: string };
	at?: RobotAt;
}

export interface MarkdownRobotMessage {
	msgtype: 'markdown';
	markdown: { title: string; text: string };
	at?: RobotAt;
}

export interface LinkRobotMessage {
	msgtype: 'link';
	link: { title: string; text: string; messageUrl: string; picUrl?: string };
}

export interface ActionCardButton {
	title: string;
	actionURL: string;
}

export interface ActionCardRobotMessage {
	msgtype: 'actionCard';
	actionCard: {
		title: string;
		text: string;
		btnOrientation: '0' | '1';
		hideAvatar?: '0' | '1';
		singleTitle?: string;
		singleURL?: string;
		btns?: ActionCardButton[];
	};
	at?: RobotAt;
}

export interface FeedCardLink {
	title: string;
	messageURL: string;
	picURL: string;
}

export interface FeedCardRobotMessage {
	msgtype: 'feedCard';
	feedCard: { links: FeedCardLink[] };
}

export type RobotMessage =
	| TextRobotMessage
	| MarkdownRobotMessage
	| LinkRobotMessage
	| ActionCardRobotMessage
	| FeedCardRobotMessage;

export type RobotMessageType = RobotMessage['msgtype'];

/** What is sent: a message plus the idempotency key DingTalk deduplicates on. */
export type RobotMessageBody = RobotMessage & { msgUuid: string };

export const ROBOT_MESSAGE_TYPES: readonly RobotMessageType[] = [
	'text',
	'markdown',
	'link',
	'actionCard',
	'feedCard',
];
