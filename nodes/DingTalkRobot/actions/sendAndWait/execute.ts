/**
 * Send and Wait for Response as n8n's own Send and Wait nodes do it: one message per execution,
 * built from the first input item; the execution then waits (n8n shows it as waiting) until
 * someone answers through the node's webhook (sendAndWait/webhook.ts) or Limit Wait Time is up.
 * Everything is read and checked before anything is sent: a bad field fails the node, naming
 * it, and nothing is posted. With Continue On Fail a failed send is an error item and the
 * execution goes on without waiting.
 *
 * The group robot (webhook credential): an actionCard whose buttons open n8n's signed resume
 * URL. The card carries nothing of the credential; the URLs carry what n8n's own nodes put in
 * theirs (execution ID, node ID, `approved`, n8n's signature).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { chooseMessageUuid } from '../../messages/messageIds';
import { assertHasKeyword, assertMessageSize } from '../../messages/checks';
import type { MentionInput } from '../../messages/mentions';
import type { RobotMessageBody } from '../../messages/types';
import { readSendAndWaitRequest } from '../../sendAndWait/request';
import { requireSignedResumes } from '../../sendAndWait/resumeUrl';
import { sendRobotMessage } from '../../transport';
import { robotKey } from '../../transport/rateLimiter';
import { createRedactor } from '../../../shared/redact';
import { readRobotCredential } from '../send/execute';
import { defaultNodeOptions, deliverySettings } from '../send/options';
import { errorItems, toNodeError } from '../send/outputs';
import { sendAndWaitAsApp } from './app';
import { buildResumeLinkCard } from './resumeLinkCard';

/** The field a size or keyword problem is reported on: where the user would shorten the text. */
const MESSAGE_FIELD = 'Message';

export async function sendAndWait(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (this.getNodeParameter('target', 0, 'robot') === 'app') return await sendAndWaitAsApp.call(this);
	const items = this.getInputData();
	const itemIndex = 0;
	let waitTill: Date;
	try {
		const robot = await readRobotCredential(this);
		const request = readSendAndWaitRequest(this, itemIndex, Date.now());
		waitTill = request.waitTill;
		requireSignedResumes(this);
		const card = buildResumeLinkCard(this, request, this.getNodeParameter('mentions', itemIndex, {}) as MentionInput);
		const body = { ...card, msgUuid: chooseMessageUuid(undefined) } as RobotMessageBody;
		assertMessageSize(body, MESSAGE_FIELD);
		assertHasKeyword(body, robot.keywords, MESSAGE_FIELD);
		const destination = { key: robotKey(robot.webhook.endpoint, robot.webhook.accessToken), credentials: robot.credentials };
		await sendRobotMessage(this, body, { index: itemIndex, label: `Item ${itemIndex}` }, deliverySettings(defaultNodeOptions(), createRedactor(robot.secrets)), destination);
	} catch (caught) {
		const error = toNodeError(this, caught, itemIndex);
		if (!this.continueOnFail()) throw error;
		return [errorItems(error, [itemIndex])];
	}
	await this.putExecutionToWait(waitTill);
	return [items];
}
