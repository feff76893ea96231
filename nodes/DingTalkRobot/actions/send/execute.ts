/**
 * What the node does with its input: every item becomes one DingTalk message, posted to the
 * credential's robot, posted to the conversation a trigger item came from (its session webhook),
 * or given as the answer to the trigger's call. All items are built and checked first
 * (prepare.ts), so a bad item stops the run before anything is posted; then the messages are
 * sent in item order. Each item ends as a sent message, an error item (Continue On Fail) or a
 * failed execution naming it (outputs.ts).
 */
import { NodeOperationError, type ICredentialsDecrypted, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { parseRobotWebhook, type RobotWebhook } from '../../../../credentials/signing';
import { parseKeywords } from '../../messages/checks';
import type { RobotMessageBody } from '../../messages/types';
import { defaultNodeOptions, deliverySettings, readNodeOptions, type NodeOptions } from './options';
import { afterPartsPosted, errorItems, itemLabel, sentItems, toNodeError } from './outputs';
import { prepareCombined, prepareItem, refuseConflictingIds, type Outgoing, type RunSettings, type Target } from './prepare';
import { CREDENTIAL_TYPE, sendRobotMessage, type DeliverySettings, type Destination, type DingTalkAnswer } from '../../transport';
import { runPerDestination } from '../../transport/destinations';
import { robotKey } from '../../transport/rateLimiter';
import { createRedactor } from '../../../shared/redact';
import { sendAsAppRobot } from './sendAsApp';

/** The credential's robot: its webhook, keywords and secrets (an unusable webhook fails the run before any request). */
export async function readRobotCredential(ctx: IExecuteFunctions): Promise<{ webhook: RobotWebhook; keywords: string[]; secrets: unknown[]; credentials: ICredentialsDecrypted }> {
	const data = await ctx.getCredentials(CREDENTIAL_TYPE);
	const stored = ctx.getNode().credentials?.[CREDENTIAL_TYPE];
	try {
		const webhook = parseRobotWebhook(data.accessToken, data.plainHttpHosts);
		return {
			webhook,
			keywords: parseKeywords(data.keywords),
			secrets: [webhook.accessToken, data.secret],
			credentials: { id: stored?.id ?? '', name: stored?.name ?? '', type: CREDENTIAL_TYPE, data },
		};
	} catch (error) {
		// the message never repeats the webhook
		throw new NodeOperationError(ctx.getNode(), (error as Error).message);
	}
}

const TRIGGER_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkRobotTrigger';

/**
 * Answer the Trigger Call: there is one call to answer, and only a trigger set to wait for it
 * (Respond: From a Later Node) takes the answer; anything else would drop the message silently.
 */
function assertTriggerWaitsForAnswer(ctx: IExecuteFunctions, ready: Outgoing[]): void {
	const trigger = ctx
		.getParentNodes(ctx.getNode().name, { includeNodeParameters: true })
		.find((node) => node.type === TRIGGER_NODE_TYPE && !node.disabled);
	if (!trigger || trigger.parameters?.response !== 'responseNode') {
		throw new NodeOperationError(ctx.getNode(), 'Send To "Answer the Trigger Call" needs a DingTalk Robot Trigger set to Respond: From a Later Node', {
			description: trigger
				? `Set "${trigger.name}" › Respond to "From a Later Node (Synchronous Reply)", or use Send To: Reply in the Conversation.`
				: 'This node does not run after a DingTalk Robot Trigger. Use Send To: Group Robot, or put a DingTalk Robot Trigger before it.',
		});
	}
	const messages = ready.reduce((count, outgoing) => count + outgoing.parts.length, 0);
	if (messages > 1) {
		throw new NodeOperationError(ctx.getNode(), `Send To "Answer the Trigger Call" sends one message, but the ${ready.length} input items make ${messages}`, {
			description: 'DingTalk takes one message as the answer to its call. Turn on Options › Combine Items, or use Send To: Reply in the Conversation to send several.',
		});
	}
}

/**
 * The options that hold for the whole run: the first item's whose options are valid. Each
 * item's own are checked in prepare, so when none is valid every item fails there on its own.
 */
function runOptions(ctx: IExecuteFunctions, itemCount: number): NodeOptions {
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		const options = readValidOptions(ctx, itemIndex);
		if (options) return options;
	}
	return defaultNodeOptions();
}

function readValidOptions(ctx: IExecuteFunctions, itemIndex: number): NodeOptions | undefined {
	try {
		return readNodeOptions(ctx, itemIndex);
	} catch {
		return undefined;
	}
}

export async function sendMessages(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const target = this.getNodeParameter('target', 0, 'robot') as Target | 'app';
	if (target === 'app') return await sendAsAppRobot.call(this);
	const items = this.getInputData();
	let robot: Awaited<ReturnType<typeof readRobotCredential>> | undefined;
	try {
		robot = target === 'robot' ? await readRobotCredential(this) : undefined;
	} catch (caught) {
		// a credential no message can be sent with: every item fails with it, none is dropped
		const error = toNodeError(this, caught, 0);
		if (!this.continueOnFail()) throw error;
		return [items.flatMap((_, itemIndex) => errorItems(error, [itemIndex]))];
	}
	const run: RunSettings = {
		target,
		messageType: this.getNodeParameter('messageType', 0) as string,
		keywords: robot?.keywords ?? [],
		first: runOptions(this, items.length),
	};

	// Outputs are collected by item: a sent message or an error item, in input order.
	const outputs = new Map<number, INodeExecutionData>();
	const fail = (itemIndices: number[], caught: unknown, body?: RobotMessageBody, progress?: { parts: number; posted: number }) => {
		const error = toNodeError(this, caught, itemIndices[0]);
		if (!this.continueOnFail()) throw error;
		errorItems(error, itemIndices, body, progress).forEach((item, position) => outputs.set(itemIndices[position], item));
	};

	// Phase 1: build and check every message, so a bad item stops the run before anything is sent.
	let ready: Outgoing[] = [];
	if (target !== 'session' && run.first.combineItems && (run.messageType === 'text' || run.messageType === 'markdown')) {
		ready = prepareCombined(this, items.length, { ...run, messageType: run.messageType }, (index, error) => fail([index], error));
	} else {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				ready.push(prepareItem(this, itemIndex, run));
			} catch (caught) {
				fail([itemIndex], caught);
			}
		}
	}
	const robotDestination: Destination | undefined = robot && { key: robotKey(robot.webhook.endpoint, robot.webhook.accessToken), credentials: robot.credentials };
	ready = refuseConflictingIds(ready, robotDestination?.key ?? '', (outgoing, error) => fail(outgoing.itemIndices, error, outgoing.parts[0]));
	const inOrder = () => [...outputs.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);

	if (target === 'response') {
		assertTriggerWaitsForAnswer(this, ready);
		for (const { itemIndices, parts } of ready) {
			this.sendResponse({ body: parts[0], headers: { 'content-type': 'application/json; charset=utf-8' }, statusCode: 200 });
			sentItems(itemIndices, { answered: true, msgtype: parts[0].msgtype, msgUuid: parts[0].msgUuid }).forEach((item, position) => outputs.set(itemIndices[position], item));
		}
		return [inOrder()];
	}

	// Phase 2: send, in item order per destination, destinations in parallel, paced and retried (transport).
	const secrets = robot?.secrets ?? ready.map((outgoing) => outgoing.session?.session);
	const redact = createRedactor(secrets);
	const jobs = ready.map((outgoing) => {
		const { itemIndices, session } = outgoing;
		const destination = session ? { key: robotKey(session.endpoint, session.session), sessionWebhook: session.url } : robotDestination;
		if (!destination) throw new NodeOperationError(this.getNode(), `${itemLabel(itemIndices)}: nowhere to send the message to`); // a robot target always has its credential, a session target its webhook
		return { key: destination.key, run: async (delivery: DeliverySettings) => await sendOutgoing(outgoing, destination, delivery) };
	});
	const sendOutgoing = async ({ itemIndices, parts, fixedId }: Outgoing, destination: Destination, delivery: DeliverySettings) => {
		const progress = { parts: parts.length, posted: 0 };
		let attempts = 0;
		let answer: DingTalkAnswer = { errcode: 0, errmsg: 'ok' };
		try {
			for (const part of parts) {
				const label = parts.length > 1 ? `${itemLabel(itemIndices)} (part ${progress.posted + 1} of ${parts.length})` : itemLabel(itemIndices);
				const delivered = await sendRobotMessage(this, part, { index: itemIndices[0], label }, delivery, destination);
				attempts += delivered.attempts;
				answer = delivered.answer;
				progress.posted++;
			}
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndices[0]);
			afterPartsPosted(error, progress, fixedId);
			fail(itemIndices, error, parts[progress.posted], progress);
			return;
		}
		const json: IDataObject = { errcode: answer.errcode, errmsg: answer.errmsg, msgtype: parts[0].msgtype, msgUuid: parts[0].msgUuid, attempts };
		if (parts.length > 1) json.parts = parts.length;
		sentItems(itemIndices, json).forEach((item, position) => outputs.set(itemIndices[position], item));
	};
	// each destination waits on its own: its rate limit, its throttle, its retries
	await runPerDestination(jobs, run.first.parallelDestinations, () => deliverySettings(run.first, redact));

	return [inOrder()];
}
