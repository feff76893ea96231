/**
 * Answer with an AI card: for each item, an AI card appears in the conversation at once
 * (processing: "thinking…"), the connected chat model's answer is written into it as its tokens
 * come (inputting; coalesced by the card's streamer: one call in flight, the whole text so far),
 * and the card ends finished, or failed with the text so far when the model fails. The final text
 * is the item's output for the rest of the workflow. A card DingTalk cannot create or deliver
 * falls back (option) to the answer as a markdown message, so that the person still gets it.
 *
 * The model is n8n's own (a Chat Model node on the "Chat Model" input), asked through what
 * every LangChain chat model offers, `stream(messages)`, with plain `{role, content}` messages
 * (content parts for pictures): nothing is imported.
 */
import { randomUUID } from 'crypto';
import { NodeConnectionTypes, NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { AI_CARD_STATE_KEY, AI_CARD_STATES, AI_CARD_TEMPLATE_ID, AI_CARD_TITLE_KEY, newOutTrackId } from '../DingTalkRobot/messages/cardData';
import { MessageInputError, optionalText, readBoolean, requireText } from '../DingTalkRobot/messages/fields';
import { readCardDestination } from '../DingTalkRobot/actions/card/params';
import { errorItems, toNodeError } from '../DingTalkRobot/actions/send/outputs';
import { sendAppMessage } from '../DingTalkRobot/transport/appSend';
import { CardStreamer, DEFAULT_CARD_UPDATE_INTERVAL_MS } from '../DingTalkRobot/transport/cardStreamer';
import { createAndDeliverCard, streamCardText, updateCard } from '../DingTalkRobot/transport/cards';
import type { DeliverySettings } from '../DingTalkRobot/transport';
import { AppSession } from '../DingTalkRobot/transport/openapi';
import type { ItemRef } from '../DingTalkRobot/transport/post';
import { openAppCalls } from '../DingTalkRobot/actions/appCalls';

/** What this node needs of a chat model: LangChain's `stream`. */
interface StreamingChatModel {
	stream(messages: unknown, options?: { signal?: AbortSignal }): Promise<AsyncIterable<{ content?: unknown }>>;
}

/** Pictures given to the model, at most this many bytes in all (a prompt is no file store). */
const MAX_PICTURE_BYTES = 20 * 1024 * 1024;

/** The text of a streamed chunk: a string, or the text parts of a content list (OpenAI's Responses API, Anthropic). */
export function chunkText(chunk: { content?: unknown } | undefined): string {
	const content = chunk?.content;
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content.map((part: unknown) => (typeof part === 'string' ? part : (part as { type?: unknown; text?: unknown })?.type === 'text' ? String((part as { text?: unknown }).text ?? '') : '')).join('');
}

/** The user's message: the prompt, and the item's pictures as data URLs when asked. */
async function userMessage(ctx: IExecuteFunctions, itemIndex: number, prompt: string, includePictures: boolean): Promise<unknown> {
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
	const pictures = includePictures ? Object.entries(binary).filter(([, data]) => String(data.mimeType).startsWith('image/')) : [];
	if (pictures.length === 0) return { role: 'user', content: prompt };
	const parts: unknown[] = [{ type: 'text', text: prompt }];
	let total = 0;
	for (const [property, data] of pictures) {
		const bytes = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
		total += bytes.length;
		if (total > MAX_PICTURE_BYTES) break;
		parts.push({ type: 'image_url', image_url: { url: `data:${data.mimeType};base64,${bytes.toString('base64')}` } });
	}
	return { role: 'user', content: parts };
}

/** Time Between Updates: a number of milliseconds, at least 0. */
function readUpdateInterval(value: unknown): number {
	if (value === undefined || value === '') return DEFAULT_CARD_UPDATE_INTERVAL_MS;
	const ms = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
	if (!Number.isFinite(ms) || ms < 0) throw new MessageInputError('Options › Time Between Updates (Ms)', `must be a number of milliseconds, 0 or more, got ${JSON.stringify(value)?.slice(0, 40)}`);
	return ms;
}

interface Answer {
	text: string;
	chunks: number;
}

/** Streams the model's answer, handing each chunk to `onChunk`. */
async function streamAnswer(model: StreamingChatModel, messages: unknown[], signal: AbortSignal | undefined, onChunk: (text: string) => void): Promise<Answer> {
	let text = '';
	let chunks = 0;
	for await (const chunk of await model.stream(messages, signal ? { signal } : undefined)) {
		const piece = chunkText(chunk);
		if (!piece) continue;
		text += piece;
		chunks++;
		onChunk(piece);
	}
	return { text, chunks };
}

/** One item: the card, the streamed answer, the end state; or the fallback message. */
async function answerItem(ctx: IExecuteFunctions, itemIndex: number, model: StreamingChatModel, session: AppSession, settings: DeliverySettings, robotCodeDefault: string): Promise<IDataObject> {
	const item: ItemRef = { index: itemIndex, label: `Item ${itemIndex}` };
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const destination = readCardDestination(ctx, itemIndex);
	const prompt = requireText(ctx.getNodeParameter('prompt', itemIndex, ''), 'Prompt');
	const system = optionalText(ctx.getNodeParameter('systemMessage', itemIndex, ''), 'System Message');
	const title = optionalText(ctx.getNodeParameter('cardTitle', itemIndex, ''), 'Card Title');
	const contentKey = requireText(options.contentKey ?? 'msgContent', 'Options › Content Variable').trim();
	const robotCode = optionalText(options.robotCode, 'Options › Robot Code').trim() || robotCodeDefault;
	const fallback = readBoolean(options.fallbackToMarkdown, 'Options › Fall Back to Markdown', true);
	const messages = [...(system.trim() ? [{ role: 'system', content: system }] : []), await userMessage(ctx, itemIndex, prompt, readBoolean(options.includePictures, 'Options › Include Pictures', true))];

	const outTrackId = newOutTrackId();
	const cardParamMap = { [AI_CARD_STATE_KEY]: AI_CARD_STATES.processing, ...(title.trim() && { [AI_CARD_TITLE_KEY]: title }) };
	const card = { cardTemplateId: requireText(options.cardTemplateId ?? AI_CARD_TEMPLATE_ID, 'Options › Card Template ID').trim(), outTrackId, cardParamMap, destination, robotCode, callback: { type: 'STREAM' as const } };
	// a card that cannot be made is the item's error, or (option) the reason the answer comes as markdown
	const cardFailure: unknown = await createAndDeliverCard(ctx, session, card, item, settings).then(
		() => undefined,
		(error: unknown) => {
			if (!fallback) throw toNodeError(ctx, error, itemIndex);
			return error ?? new Error('the card could not be created');
		},
	);

	const streamer = new CardStreamer({ minIntervalMs: readUpdateInterval(options.updateIntervalMs) });
	let typing = false;
	const send = async (update: { content: string; isFinalize: boolean; isError: boolean }) => {
		// the card says "inputting" once the first words are on their way (DingTalk's SDKs do the same)
		if (!typing && !update.isFinalize) {
			typing = true;
			await updateCard(ctx, session, { outTrackId, cardParamMap: { [AI_CARD_STATE_KEY]: AI_CARD_STATES.inputting }, merge: true }, item, settings);
		}
		await streamCardText(ctx, session, { outTrackId, key: contentKey, guid: randomUUID(), ...update }, item, settings);
	};
	const pushes: Array<Promise<void>> = [];
	const push = (update: Parameters<CardStreamer['push']>[0]) => {
		const pushed = streamer.push(update, send);
		pushed.catch(() => undefined);
		pushes.push(pushed);
	};
	let answer: Answer;
	try {
		answer = await streamAnswer(model, messages, ctx.getExecutionCancelSignal?.(), (piece) => {
			if (cardFailure === undefined) push({ text: piece, mode: 'append' });
		});
	} catch (error) {
		// the person sees the card fail, with what was written so far
		if (cardFailure === undefined) {
			push({ text: '', mode: 'append', error: true });
			await Promise.allSettled(pushes);
			await updateCard(ctx, session, { outTrackId, cardParamMap: { [AI_CARD_STATE_KEY]: AI_CARD_STATES.failed }, merge: true }, item, settings).catch(() => undefined);
		}
		throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: the chat model failed: ${session.redact(String((error as Error).message))}`, { itemIndex });
	}

	if (cardFailure !== undefined) {
		const sent = await sendAppMessage(ctx, session, { msgKey: 'sampleMarkdown', msgParam: { title: title.trim() || 'Answer', text: answer.text || '…' } }, robotCode, destination.kind === 'group' ? destination : { kind: 'users', userIds: [destination.userId] }, item, settings);
		return { text: answer.text, fallback: true, reason: toNodeError(ctx, cardFailure, itemIndex).message, processQueryKey: String(sent.body.processQueryKey), chunks: answer.chunks };
	}
	push({ text: '', mode: 'append', finalize: true });
	const results = await Promise.allSettled(pushes);
	const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
	if (failed) throw toNodeError(ctx, failed.reason, itemIndex);
	// the finished state, also on templates whose finalize does not set it
	await updateCard(ctx, session, { outTrackId, cardParamMap: { [AI_CARD_STATE_KEY]: AI_CARD_STATES.finished }, merge: true }, item, settings);
	return { text: answer.text, outTrackId, chunks: answer.chunks, updates: streamer.calls };
}

export async function answerWithAiCard(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const model = (await this.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, 0)) as StreamingChatModel | undefined;
	if (!model || typeof model.stream !== 'function') {
		throw new NodeOperationError(this.getNode(), 'Connect a chat model to the Chat Model input', {
			description: 'Any of n8n\'s Chat Model nodes (OpenAI, Anthropic, DeepSeek, Qwen, Ollama …) that can stream.',
		});
	}
	const { session, app, settings } = await openAppCalls(this);
	const items = this.getInputData();
	const outputs: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			outputs.push({ json: await answerItem(this, itemIndex, model, session, settings, app.robotCode), pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = toNodeError(this, caught, itemIndex);
			if (!this.continueOnFail()) throw error;
			outputs.push(...errorItems(error, [itemIndex]));
		}
	}
	return [outputs];
}
