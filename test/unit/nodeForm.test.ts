/**
 * The DingTalk Robot node's form as n8n reads it: which credential each choice asks for (with
 * n8n-workflow's own getNodeParameters and displayParameter, as the editor and the engine use
 * them), and that the editor shows Operation and Send To at all. The same for the HTTP trigger's
 * two credentials (the App credential only with Download Attachments).
 */
import { NodeHelpers, type INodeCredentialDescription, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';

import { DingTalkRobot } from '../../nodes/DingTalkRobot/DingTalkRobot.node';
import { DingTalkRobotTrigger } from '../../nodes/DingTalkRobotTrigger/DingTalkRobotTrigger.node';

const description: INodeTypeDescription = new DingTalkRobot().description;
const triggerDescription: INodeTypeDescription = new DingTalkRobotTrigger().description;

/** The credentials n8n asks for with these parameters (defaults filled in, hidden fields dropped, as n8n does). */
function credentialsAskedFor(parameters: INodeParameters, of: INodeTypeDescription = description): string[] {
	const node = { id: 'n', name: of.displayName, type: `n8n-nodes-dingtalk-robot.${of.name}`, typeVersion: 1, position: [0, 0] as [number, number], parameters };
	const resolved = NodeHelpers.getNodeParameters(of.properties, parameters, true, false, node, of) ?? {};
	return (of.credentials ?? [])
		.filter((credential: INodeCredentialDescription) => NodeHelpers.displayParameter(resolved, credential, node, of, resolved))
		.map((credential) => credential.name);
}

/**
 * n8n's editor (editor-ui, nodeTypesUtils getMainAuthField / findAlternativeAuthField) takes a
 * field for the node's "authentication" field when every one of its values is named in some
 * credential's displayOptions.show; it then hides that field from the form, and every field whose
 * displayOptions name it, and lets the credential choice set it. Our choices (Operation, Send To)
 * must never qualify: they are not authentication methods, and Reply in the Conversation has no
 * credential at all. A one-choice "Sent By: App Robot" on Recall did qualify, and hid both. A
 * boolean (no options) qualifies too: the HTTP trigger's Download Attachments did, and the editor
 * then offered DingTalk App credentials in the Callback credential's place (each credential
 * without displayOptions lists the credentials of the "authentication" field's types).
 */
function fieldsTheEditorTakesForAuthentication(of: INodeTypeDescription = description): string[] {
	const valuesShowingACredential = new Map<string, Set<string>>();
	for (const credential of of.credentials ?? []) {
		for (const [field, values] of Object.entries(credential.displayOptions?.show ?? {})) {
			const known = valuesShowingACredential.get(field) ?? new Set<string>();
			(values ?? []).forEach((value) => known.add(String(value)));
			valuesShowingACredential.set(field, known);
		}
	}
	return of.properties
		.filter((property) => valuesShowingACredential.has(property.name))
		.filter((property) => (property.options ?? []).every((option) => 'value' in option && valuesShowingACredential.get(property.name)?.has(String(option.value))))
		.map((property) => `${property.displayName} (${property.name})`);
}

describe('the DingTalk Robot node form in n8n', () => {
	it('has no field the editor would take for an authentication choice and hide', () => {
		expect(fieldsTheEditorTakesForAuthentication()).toEqual([]);
	});

	it.each([
		['Send To: Group Robot', { operation: 'send', target: 'robot' }, ['dingTalkRobotApi']],
		['Send To: Group Robot (the default, not in the saved parameters)', {}, ['dingTalkRobotApi']],
		['Send To: App Robot', { operation: 'send', target: 'app' }, ['dingTalkAppApi']],
		['Send To: Reply in the Conversation', { operation: 'send', target: 'session' }, []],
		['Send To: Answer the Trigger Call', { operation: 'send', target: 'response' }, []],
		['Recall', { operation: 'recall' }, ['dingTalkAppApi']],
		['Recall, with a Send To left over from the send form', { operation: 'recall', target: 'robot' }, ['dingTalkAppApi']],
		['Send and Wait for Response (Send To: Group Robot, the default, not in the saved parameters)', { operation: 'sendAndWait' }, ['dingTalkRobotApi']],
		['Send and Wait for Response, Send To: Group Robot', { operation: 'sendAndWait', target: 'robot' }, ['dingTalkRobotApi']],
		['Send and Wait for Response, Send To: App Robot', { operation: 'sendAndWait', target: 'app' }, ['dingTalkAppApi']],
		['Create Card', { operation: 'createCard' }, ['dingTalkAppApi']],
		['Update Card, with a Send To left over from the send form', { operation: 'updateCard', target: 'robot' }, ['dingTalkAppApi']],
		['Stream Card Text', { operation: 'streamCardText' }, ['dingTalkAppApi']],
		['Download File', { operation: 'downloadFile' }, ['dingTalkAppApi']],
	])('%s', (_label, parameters, expected) => {
		expect(credentialsAskedFor(parameters as INodeParameters)).toEqual(expected);
	});

	it('shows Operation always, and Send To on the send and the Send and Wait forms only', () => {
		const shown = (name: string, parameters: INodeParameters) =>
			description.properties.filter((property) => property.name === name).some((property) => NodeHelpers.displayParameter(parameters, property, null, description, parameters));
		expect(shown('operation', { operation: 'send' })).toBe(true);
		expect(shown('target', { operation: 'send' })).toBe(true);
		expect(shown('target', { operation: 'recall' })).toBe(false);
		expect(shown('target', { operation: 'sendAndWait' })).toBe(true);
	});
});

describe('the DingTalk Robot Trigger form in n8n', () => {
	it('has no field the editor would take for an authentication choice: each credential choice lists credentials of its own type', () => {
		expect(fieldsTheEditorTakesForAuthentication(triggerDescription)).toEqual([]);
	});

	it.each([
		['Download Attachments off (the default, not in the saved parameters)', {}, ['dingTalkRobotCallbackApi']],
		['Download Attachments off', { downloadAttachments: false }, ['dingTalkRobotCallbackApi']],
		['Download Attachments on', { downloadAttachments: true }, ['dingTalkRobotCallbackApi', 'dingTalkAppApi']],
	])('%s', (_label, parameters, expected) => {
		expect(credentialsAskedFor(parameters as INodeParameters, triggerDescription)).toEqual(expected);
	});
});
