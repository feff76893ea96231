// @ts-check
'use strict';
/**
 * A chat model sub-node for n8n-core's WorkflowExecute (scripts/lib/n8nEngine.js), standing in for
 * n8n's OpenAI Chat Model node where the langchain nodes are not installed (the engine tests, the
 * card screenshots): its supplyData hands out a model with LangChain's `stream(messages)`, which
 * streams a real Chat Completions request to the simulator's OpenAI-speaking chat model and reads
 * the server-sent events as they come. The e2e and the bench run n8n's own node instead.
 */
const { NodeConnectionTypes } = require('n8n-workflow');

const CHAT_MODEL_NODE_TYPE = 'local.chatModel';

/**
 * Reads an OpenAI Chat Completions stream as LangChain's chunks: `{ content }`.
 * @param {Response} response
 * @returns {AsyncGenerator<{ content: string }>}
 */
async function* readCompletionStream(response) {
	const decoder = new TextDecoder();
	let buffered = '';
	for await (const bytes of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (response.body))) {
		buffered += decoder.decode(bytes, { stream: true });
		let end;
		while ((end = buffered.indexOf('\n\n')) >= 0) {
			const data = buffered.slice(0, end).replace(/^data: /, '');
			buffered = buffered.slice(end + 2);
			if (data === '[DONE]') return;
			const content = JSON.parse(data).choices?.[0]?.delta?.content;
			if (content) yield { content };
		}
	}
	throw new Error("the chat model's stream ended before [DONE]");
}

/**
 * A model on an OpenAI-compatible API: what the DingTalk AI Card node asks of LangChain's models.
 * @param {string} baseUrl e.g. the simulator's chatModelBaseUrl
 * @param {string} apiKey
 */
function openAiStreamingModel(baseUrl, apiKey) {
	return {
		/**
		 * @param {unknown} messages
		 * @param {{ signal?: AbortSignal }} [options]
		 */
		async stream(messages, options) {
			const response = await fetch(`${baseUrl}/chat/completions`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
				body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages }),
				signal: options?.signal,
			});
			if (!response.ok) throw new Error(`the chat model answered HTTP ${response.status}`);
			return readCompletionStream(response);
		},
	};
}

/**
 * The sub-node type, supplying that model on the ai_languageModel connection.
 * @param {string} baseUrl
 * @param {string} apiKey
 * @returns {import('n8n-workflow').INodeType}
 */
function chatModelNodeType(baseUrl, apiKey) {
	return {
		description: {
			displayName: 'Chat Model',
			name: CHAT_MODEL_NODE_TYPE,
			group: ['transform'],
			version: 1,
			description: "The simulator's chat model",
			defaults: { name: 'Chat Model' },
			inputs: [],
			outputs: [NodeConnectionTypes.AiLanguageModel],
			properties: [],
		},
		async supplyData() {
			return { response: openAiStreamingModel(baseUrl, apiKey) };
		},
	};
}

module.exports = { CHAT_MODEL_NODE_TYPE, chatModelNodeType, openAiStreamingModel };
