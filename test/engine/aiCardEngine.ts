/**
 * Items → DingTalk AI Card, with a chat model on its Chat Model input, in n8n-core's
 * WorkflowExecute. The model node stands in for n8n's OpenAI Chat Model node: a sub-node whose
 * supplyData hands out a model with LangChain's `stream(messages)`, which streams a real
 * Chat Completions request to the simulator's OpenAI-speaking chat model (server-sent events
 * read as they come). The e2e runs n8n's own OpenAI Chat Model node instead.
 */
import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IRun,
	type ISupplyDataFunctions,
} from 'n8n-workflow';

import { DingTalkAiCard } from '../../nodes/DingTalkAiCard/DingTalkAiCard.node';
import { ITEMS_NODE_TYPE, executeWorkflow } from '../../scripts/lib/n8nEngine';
import { CHAT_MODEL_API_KEY } from '../../simulator';
import { credentialTypes } from './n8nEngine';

export const AI_CARD_NODE_TYPE = 'n8n-nodes-dingtalk-robot.dingTalkAiCard';
const CHAT_MODEL_NODE_TYPE = 'local.chatModel';

/** Reads an OpenAI Chat Completions stream (server-sent events) as LangChain's chunks: `{content}`. */
async function* readCompletionStream(response: Response): AsyncGenerator<{ content: string }> {
	const decoder = new TextDecoder();
	let buffered = '';
	for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
		buffered += decoder.decode(bytes, { stream: true });
		let end: number;
		while ((end = buffered.indexOf('\n\n')) >= 0) {
			const event = buffered.slice(0, end);
			buffered = buffered.slice(end + 2);
			const data = event.replace(/^data: /, '');
			if (data === '[DONE]') return;
			const content = (JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content;
			if (content) yield { content };
		}
	}
	throw new Error('the chat model\'s stream ended before [DONE]');
}

/** A chat model on the simulator's OpenAI API: what the AI Card node asks of LangChain's models. */
export function simulatorChatModel(baseUrl: string) {
	return {
		async stream(messages: unknown, options?: { signal?: AbortSignal }) {
			const response = await fetch(`${baseUrl}/chat/completions`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${CHAT_MODEL_API_KEY}` },
				body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages }),
				signal: options?.signal,
			});
			if (!response.ok) throw new Error(`the chat model answered HTTP ${response.status}`);
			return readCompletionStream(response);
		},
	};
}

function chatModelNodeType(baseUrl: string): INodeType {
	return {
		description: {
			displayName: 'Chat Model',
			name: CHAT_MODEL_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: 'The simulator\'s chat model',
			defaults: { name: 'Chat Model' },
			inputs: [],
			outputs: [NodeConnectionTypes.AiLanguageModel],
			properties: [],
		},
		async supplyData(this: ISupplyDataFunctions) {
			return { response: simulatorChatModel(baseUrl) };
		},
	};
}

export interface AiCardRunOptions {
	items: IDataObject[];
	parameters: INodeParameters;
	appCredential: ICredentialDataDecryptedObject;
	/** the simulator's chat model base URL; none: nothing on the Chat Model input */
	chatModelBaseUrl?: string;
	continueOnFail?: boolean;
}

export async function runAiCardWorkflow(options: AiCardRunOptions): Promise<{ run: IRun; output: INodeExecutionData[]; error?: Error & { description?: string } }> {
	const nodes: INode[] = [
		{ id: 'items', name: 'Items', type: ITEMS_NODE_TYPE, typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(options.items) } },
		{
			id: 'card',
			name: 'AI Card',
			type: AI_CARD_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters,
			credentials: { dingTalkAppApi: { id: '2', name: 'Test app' } },
			...(options.continueOnFail && { onError: 'continueRegularOutput' as const }),
		},
		...(options.chatModelBaseUrl ? [{ id: 'model', name: 'Chat Model', type: CHAT_MODEL_NODE_TYPE, typeVersion: 1, position: [200, 200] as [number, number], parameters: {} }] : []),
	];
	const run = await executeWorkflow({
		nodes,
		connections: {
			Items: { main: [[{ node: 'AI Card', type: NodeConnectionTypes.Main, index: 0 }]] },
			...(options.chatModelBaseUrl && { 'Chat Model': { [NodeConnectionTypes.AiLanguageModel]: [[{ node: 'AI Card', type: NodeConnectionTypes.AiLanguageModel, index: 0 }]] } }),
		},
		nodeTypes: { [AI_CARD_NODE_TYPE]: new DingTalkAiCard(), ...(options.chatModelBaseUrl && { [CHAT_MODEL_NODE_TYPE]: chatModelNodeType(options.chatModelBaseUrl) }) },
		credentialTypes,
		credentials: { dingTalkAppApi: options.appCredential },
	});
	const output = run.data.resultData.runData['AI Card']?.[0]?.data?.main?.[0] ?? [];
	return { run, output, error: run.data.resultData.error as Error & { description?: string } };
}
