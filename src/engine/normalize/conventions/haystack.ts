// Haystack's own tracing: one `haystack.component.run` span per component with its class in
// `haystack.component.type` and, with content tracing on, its inputs and outputs as JSON in
// `haystack.component.input` / `.output` (ChatMessage dicts: `{role, content: [{text} |
// {tool_call} | {tool_call_result}], meta}`); the pipeline's own in `haystack.pipeline.*_data`.
import type { Attributes, Message, RetrievalDocument, SpanKind } from '../../../shared/spanModel';
import { asText, isRecord, recordOf, toNumber } from '../attributeReader';
import { messageFrom, messagesFromJson } from '../messageParts';

const INPUT = 'haystack.component.input';
const OUTPUT = 'haystack.component.output';

/** What a component class does, by the suffix Haystack's naming gives it. */
const KIND_BY_SUFFIX: [RegExp, SpanKind][] = [
  [/Generator$/, 'LLM'], [/Retriever$/, 'RETRIEVER'], [/Embedder$/, 'EMBEDDING'], [/Ranker$/, 'RERANKER'],
  [/^ToolInvoker$/, 'TOOL'], [/^Agent$/, 'AGENT'], [/Evaluator$/, 'EVALUATOR'],
];

export function kind(attrs: Attributes, spanName: string): SpanKind | undefined {
  const type = attrs['haystack.component.type'];
  if (typeof type === 'string') return KIND_BY_SUFFIX.find(([suffix]) => suffix.test(type))?.[1] ?? 'CHAIN';
  return spanName === 'haystack.pipeline.run' ? 'CHAIN' : undefined;
}

export function isGenerator(attrs: Attributes): boolean {
  const type = attrs['haystack.component.type'];
  return typeof type === 'string' && type.endsWith('Generator');
}

export function inputMessages(attrs: Attributes): Message[] | undefined {
  if (attrs[INPUT] === undefined || !isGenerator(attrs)) return undefined;
  const input = recordOf(attrs[INPUT]);
  const messages = messagesFromJson(input?.messages, 'user');
  if (messages) return messages;
  return typeof input?.prompt === 'string' ? [{ role: 'user', content: input.prompt }] : undefined;
}

export function outputMessages(attrs: Attributes): Message[] | undefined {
  if (attrs[OUTPUT] === undefined || !isGenerator(attrs)) return undefined;
  const replies = recordOf(attrs[OUTPUT])?.replies;
  if (!Array.isArray(replies)) return undefined;
  const messages = replies.map((reply) => {
    const message = messageFrom(reply, 'assistant');
    const finish = isRecord(reply) && isRecord(reply.meta) ? reply.meta.finish_reason : undefined;
    if (message && typeof finish === 'string') message.finishReason = finish;
    return message;
  }).filter((m): m is Message => m !== undefined);
  return messages.length ? messages : undefined;
}

/** A retriever's `documents`: Haystack Documents `{id, content, score, meta}`. */
export function documents(attrs: Attributes): RetrievalDocument[] | undefined {
  if (attrs[OUTPUT] === undefined || attrs['haystack.component.type'] === undefined) return undefined;
  const docs = recordOf(attrs[OUTPUT])?.documents;
  if (!Array.isArray(docs)) return undefined;
  return docs.filter(isRecord).map((d) => {
    const doc: RetrievalDocument = {};
    if (d.id !== undefined && d.id !== null) doc.id = asText(d.id);
    if (typeof d.content === 'string') doc.content = d.content;
    const score = toNumber(d.score);
    if (score !== undefined) doc.score = score;
    if (isRecord(d.meta) && Object.keys(d.meta).length) doc.metadata = d.meta;
    return doc;
  });
}
