/**
 * How errors name a credential: as its user named it ("the DingTalk App credential 'Ops bot'"),
 * so that someone with several apps or robots sees which one DingTalk refused, not only its type.
 */
import type { INode } from 'n8n-workflow';

/** Long names are cut: a label is part of a sentence. */
const MAX_NAME_LENGTH = 60;

/** "the DingTalk App credential 'Ops bot'", or "the DingTalk App credential" when the node names none. */
export function credentialLabel(node: INode, credentialType: string, typeName: string): string {
	const name = node.credentials?.[credentialType]?.name;
	const clean = typeof name === 'string' ? name.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim() : '';
	if (!clean) return `the ${typeName} credential`;
	return `the ${typeName} credential '${clean.length > MAX_NAME_LENGTH ? `${clean.slice(0, MAX_NAME_LENGTH)}…` : clean}'`;
}

/** The label at the start of a sentence. */
export function capitalized(label: string): string {
	return label.charAt(0).toUpperCase() + label.slice(1);
}

/** The node's credential types as errors name them ("the DingTalk Robot credential"). */
const NAMED_TYPES: Record<string, string> = { 'DingTalk Robot': 'dingTalkRobotApi', 'DingTalk App': 'dingTalkAppApi' };

/**
 * A text about the node's credentials with each named as its user named it: "the DingTalk App
 * credential" becomes "the DingTalk App credential 'Ops bot'" (once: a name already given stays).
 * The texts that explain DingTalk's answers stay generic; this is where they meet the node.
 */
export function nameCredentials(node: INode, text: string): string {
	return text.replace(/\b([Tt])he (DingTalk Robot|DingTalk App) credential\b(?! ')/g, (_whole, the: string, typeName: string) => {
		const label = credentialLabel(node, NAMED_TYPES[typeName], typeName);
		return the === 'T' ? capitalized(label) : label;
	});
}
