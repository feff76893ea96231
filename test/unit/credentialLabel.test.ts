/** How errors name a credential (nodes/shared/credentialLabel.ts) and the App credential's checks that use it. */
import type { INode } from 'n8n-workflow';

import { readDingTalkApp } from '../../credentials/appCredential';
import { capitalized, credentialLabel } from '../../nodes/shared/credentialLabel';

const node = (credentials?: INode['credentials']): INode =>
	({ id: '1', name: 'DingTalk Robot', type: 'dingTalkRobot', typeVersion: 1, position: [0, 0], parameters: {}, credentials }) as INode;

test('names the credential as the user named it, and its type', () => {
	expect(credentialLabel(node({ dingTalkAppApi: { id: '7', name: 'Ops bot' } }), 'dingTalkAppApi', 'DingTalk App')).toBe("the DingTalk App credential 'Ops bot'");
	expect(capitalized("the DingTalk App credential 'Ops bot'")).toBe("The DingTalk App credential 'Ops bot'");
});

test('only its type when the node names none, a blank name, or the name of another type', () => {
	expect(credentialLabel(node(), 'dingTalkAppApi', 'DingTalk App')).toBe('the DingTalk App credential');
	expect(credentialLabel(node({ dingTalkAppApi: { id: '7', name: '  ' } }), 'dingTalkAppApi', 'DingTalk App')).toBe('the DingTalk App credential');
	expect(credentialLabel(node({ dingTalkRobotApi: { id: '7', name: 'Alerts' } }), 'dingTalkAppApi', 'DingTalk App')).toBe('the DingTalk App credential');
});

test('a name with line breaks or of any length stays one short phrase', () => {
	const label = credentialLabel(node({ dingTalkAppApi: { id: '7', name: `Ops\nbot ${'x'.repeat(100)}` } }), 'dingTalkAppApi', 'DingTalk App');
	expect(label).not.toContain('\n');
	expect(label).toMatch(/^the DingTalk App credential 'Ops bot x+…'$/);
	expect(label.length).toBeLessThan(100);
});

test('the App credential\'s checks say which credential', () => {
	expect(() => readDingTalkApp({ clientId: 'dingabc' }, "the DingTalk App credential 'Ops bot'")).toThrow(
		"The DingTalk App credential 'Ops bot' has no Client Secret",
	);
	expect(() => readDingTalkApp({ clientId: 'ding abc', clientSecret: 's' }, "the DingTalk App credential 'Ops bot'")).toThrow(
		"The Client ID in the DingTalk App credential 'Ops bot' contains spaces",
	);
});
