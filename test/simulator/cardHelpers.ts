// Shared by the card tests of the simulator: the card API calls an app robot makes, and a small
// Stream client written here from the protocol (not the simulator's code) that answers frames
// (streamClient.ts).
import WebSocket from 'ws';
import type { DingTalkSimulator } from '../../simulator';
import { APP, CID, call } from './openApiHelpers';
import type { Answer } from './openApiHelpers';
import { streamClient, type StreamClient } from './streamClient';

export const AI_TEMPLATE = '382e4302-551d-4880-bf29-a30acfab2e71.schema';
/** The template of the package's button-card example, in the simulator from the start. */
export const EXAMPLE_TEMPLATE = 'n8n-example-question.schema';
export const CARD_PATHS = {
	createAndDeliver: '/v1.0/card/instances/createAndDeliver',
	update: '/v1.0/card/instances',
	streaming: '/v1.0/card/streaming',
	register: '/v1.0/card/callbacks/register',
} as const;
export const CARD_TOPIC = '/v1.0/card/instances/callback';
/** An approval card made in the card builder: two buttons that call back. */
export const APPROVAL = {
	cardTemplateId: 'a1b2c3d4-0000-4000-8000-approval0001.schema',
	title: 'Approval',
	variables: ['title', 'detail', 'result'],
	buttons: [
		{ actionId: 'approve', text: 'Approve' },
		{ actionId: 'reject', text: 'Reject' },
	],
};

/** The body of createAndDeliver to group CID as APP's robot; `extra` fields replace its own. */
export function groupCard(outTrackId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		cardTemplateId: AI_TEMPLATE,
		outTrackId,
		callbackType: 'STREAM',
		cardData: { cardParamMap: { flowStatus: '1', msgTitle: 'Answer' } },
		openSpaceId: `dtv1.card//IM_GROUP.${CID}`,
		imGroupOpenSpaceModel: { supportForward: true },
		imGroupOpenDeliverModel: { robotCode: APP.clientId },
		userIdType: 1,
		...extra,
	};
}

export const createAndDeliver = (sim: DingTalkSimulator, token: string, body: unknown): Promise<Answer> =>
	call(sim, CARD_PATHS.createAndDeliver, body, token);

export const updateCard = (sim: DingTalkSimulator, token: string, body: unknown): Promise<Answer> => call(sim, CARD_PATHS.update, body, token, 'PUT');

let guids = 0;
/** PUT /v1.0/card/streaming with a fresh guid unless the body has one. */
export const streamCard = (sim: DingTalkSimulator, token: string, body: Record<string, unknown>): Promise<Answer> =>
	call(sim, CARD_PATHS.streaming, { guid: `guid-${++guids}`, key: 'msgContent', isFull: true, isFinalize: false, isError: false, ...body }, token, 'PUT');

export const groupPage = async (sim: DingTalkSimulator): Promise<string> => (await fetch(`${sim.baseUrl}/`)).text();

export type { StreamClient };

const sockets: WebSocket[] = [];
afterEach(() => {
	for (const ws of sockets.splice(0)) ws.terminate();
});

/** Registers APP with connections/open and opens the WebSocket, subscribed to these topics. */
export async function connectStream(sim: DingTalkSimulator, topics: string[] = [CARD_TOPIC]): Promise<StreamClient> {
	const subscriptions = topics.map((topic) => ({ type: 'CALLBACK', topic }));
	const res = await fetch(`${sim.baseUrl}/v1.0/gateway/connections/open`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify({ ...APP, subscriptions, ua: 'card-test/1.0', localIp: '10.0.0.9' }),
	});
	const { endpoint, ticket } = (await res.json()) as { endpoint: string; ticket: string };
	const ws = new WebSocket(`${endpoint}?ticket=${encodeURIComponent(ticket)}`);
	sockets.push(ws);
	return await streamClient(ws);
}
