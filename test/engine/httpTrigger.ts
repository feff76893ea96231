/**
 * The DingTalk Robot Trigger's webhook in n8n-core's WebhookContext, behind a real HTTP server on
 * 127.0.0.1 that does, for each call, what n8n's webhook handler does around a node's webhook():
 * - n8n's body parser: the bytes are kept as req.rawBody and a JSON body is parsed into req.body
 *   (a body that is not JSON is answered 422 before the node sees it);
 * - express's res.status().json() for the node to answer itself with (its refusals);
 * - the node's result: `noWebhookResponse` (the node answered), else its `webhookResponse` as the
 *   JSON answer (Respond: onReceived); `workflowData` is an execution n8n would start, recorded
 *   in `runs`; a thrown error is answered 500 and recorded in `errors`.
 * The credential is read through n8n-core's getCredentials from a credentials helper whose data
 * a test can change (`credential`), as a user editing it in n8n would; `readLog` records each read
 * as it begins (the value is taken then, as n8n reads it from its database), and `holdReads()`
 * keeps the reads begun from then on waiting until released.
 */
import * as http from 'node:http';

import { WebhookContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IWebhookData,
	type IWorkflowBase,
} from 'n8n-workflow';

import { DingTalkAppApi } from '../../credentials/DingTalkAppApi.credentials';
import { DingTalkRobotCallbackApi } from '../../credentials/DingTalkRobotCallbackApi.credentials';
import { DingTalkRobotTrigger } from '../../nodes/DingTalkRobotTrigger/DingTalkRobotTrigger.node';
import { CredentialsHelper, NodeTypes, buildAdditionalData } from '../../scripts/lib/n8nEngine';

export const TRIGGER_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobotTrigger';

export interface RunningTrigger {
	/** the production URL DingTalk would be given */
	url: string;
	/** the item of each execution the trigger started, in order */
	runs: IDataObject[];
	/** the same items whole, with their binary data */
	runItems: INodeExecutionData[];
	errors: Error[];
	/** the decrypted credential getCredentials hands out; replace its fields to edit it */
	credential: ICredentialDataDecryptedObject;
	/** each read of the credential, as it began: whether the call that read had been answered already */
	readLog: Array<{ answered: boolean }>;
	/** Reads begun from now on wait until the returned function is called. */
	holdReads(): () => void;
	/** calls whose webhook() was entered, and those not returned yet */
	counts: { arrived: number; pending: number };
	/** Resolves once `test` holds (checked at every arrival, read and return of webhook()). */
	until(test: () => boolean): Promise<void>;
	close(): Promise<void>;
}

const triggers: RunningTrigger[] = [];

/** Closes every trigger started by startTrigger (call in afterEach). */
export async function closeTriggers(): Promise<void> {
	await Promise.all(triggers.splice(0).map((trigger) => trigger.close()));
}

class RecordingCredentialsHelper extends CredentialsHelper {
	readLog: Array<{ answered: boolean }> = [];
	held: Promise<void> | undefined;
	onRead = () => {};

	async getDecrypted(...args: Parameters<CredentialsHelper['getDecrypted']>) {
		const [additionalData] = args as unknown as [{ httpResponse?: http.ServerResponse }];
		const held = this.held;
		const value = super.getDecrypted(...args);
		this.readLog.push({ answered: additionalData.httpResponse?.writableEnded === true });
		this.onRead();
		await held;
		return await value;
	}
}

interface ExpressResponse extends http.ServerResponse {
	status(code: number): ExpressResponse;
	json(body: unknown): ExpressResponse;
}

/** An express-like response: n8n hands nodes express' res, whose status() and json() the trigger uses. */
function expressResponse(res: http.ServerResponse): ExpressResponse {
	const response = res as ExpressResponse;
	response.status = (code) => {
		res.statusCode = code;
		return response;
	};
	response.json = (body) => {
		res.setHeader('content-type', 'application/json; charset=utf-8');
		res.end(JSON.stringify(body));
		return response;
	};
	return response;
}

/**
 * Starts a trigger node of a workflow (its options and response in `parameters`), with the
 * given decrypted credential, listening on 127.0.0.1.
 */
export async function startTrigger(
	credential: ICredentialDataDecryptedObject,
	{
		workflowId = 'wf-trigger',
		nodeId = 'trigger-node',
		parameters = {},
		credentialName = 'DingTalk Robot Callback',
		appCredential,
	}: { workflowId?: string; nodeId?: string; parameters?: INodeParameters; credentialName?: string; appCredential?: ICredentialDataDecryptedObject } = {},
): Promise<RunningTrigger> {
	const node: INode = {
		id: nodeId,
		name: 'DingTalk Robot Trigger',
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		webhookId: `${workflowId}-webhook`,
		parameters: { response: 'empty', options: {}, ...parameters },
		credentials: {
			dingTalkRobotCallbackApi: { id: `${workflowId}-credential`, name: credentialName },
			...(appCredential && { dingTalkAppApi: { id: `${workflowId}-app`, name: 'DingTalk App' } }),
		},
	};
	const nodeType = new DingTalkRobotTrigger();
	const helper = new RecordingCredentialsHelper(
		{ dingTalkRobotCallbackApi: new DingTalkRobotCallbackApi(), dingTalkAppApi: new DingTalkAppApi() },
		{ dingTalkRobotCallbackApi: credential, ...(appCredential && { dingTalkAppApi: appCredential }) },
	);
	const runs: IDataObject[] = [];
	const runItems: INodeExecutionData[] = [];
	const errors: Error[] = [];
	const counts = { arrived: 0, pending: 0 };
	const waiters: Array<{ test: () => boolean; resolve: () => void }> = [];
	const changed = () => {
		for (const waiter of [...waiters]) {
			if (!waiter.test()) continue;
			waiters.splice(waiters.indexOf(waiter), 1);
			waiter.resolve();
		}
	};
	helper.onRead = changed;

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void (async () => {
				const response = expressResponse(res);
				const rawBody = Buffer.concat(chunks);
				let body: unknown = {};
				if (String(req.headers['content-type'] ?? '').startsWith('application/json') && rawBody.length) {
					try {
						body = JSON.parse(rawBody.toString('utf8'));
					} catch {
						response.status(422).json({ code: 422, message: 'Failed to parse request body' });
						return;
					}
				}
				// a new Workflow per call, as n8n builds one from the database for every webhook call
				const workflow = new Workflow({
					id: workflowId,
					name: workflowId,
					nodes: [node],
					connections: {},
					active: true,
					nodeTypes: new NodeTypes({ [TRIGGER_TYPE]: nodeType }),
					settings: { executionOrder: 'v1' },
				});
				const additionalData = buildAdditionalData(helper, { id: workflowId, nodes: [node], connections: {} } as unknown as IWorkflowBase);
				Object.assign(additionalData, { httpRequest: Object.assign(req, { body, rawBody }), httpResponse: response });
				const webhookData = {
					httpMethod: 'POST',
					node: node.name,
					path: 'dingtalk',
					webhookDescription: nodeType.description.webhooks?.[0],
					workflowId,
				} as unknown as IWebhookData;
				const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
				counts.arrived++;
				counts.pending++;
				changed();
				try {
					const result = await nodeType.webhook.call(context);
					if (result.workflowData) {
						runs.push(result.workflowData[0][0].json);
						runItems.push(result.workflowData[0][0]);
					}
					if (result.noWebhookResponse) {
						// n8n sends nothing more; a node that said so and did not answer would hang the caller
						if (!res.writableEnded) response.status(599).json({ message: 'the node did not answer' });
					} else {
						response.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
					}
				} catch (error) {
					errors.push(error as Error);
					if (!res.headersSent) response.status(500).json({ code: 0, message: 'Error in workflow' });
				} finally {
					counts.pending--;
					changed();
				}
			})();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	const trigger: RunningTrigger = {
		url: `http://127.0.0.1:${port}/webhook/${workflowId}/dingtalk`,
		runs,
		runItems,
		errors,
		credential: helper.data.dingTalkRobotCallbackApi,
		readLog: helper.readLog,
		holdReads: () => {
			let release = () => {};
			helper.held = new Promise<void>((resolve) => (release = resolve));
			return () => {
				helper.held = undefined;
				release();
			};
		},
		counts,
		until: (test) => (test() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }))),
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
	triggers.push(trigger);
	return trigger;
}
