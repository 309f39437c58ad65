// What fills an LLM call's context window: its prompt split into parts (system, tool definitions,
// retrieved documents, earlier turns, tool results, the new user message), counted by the
// model family's tokenizer and scaled to the recorded input tokens where there are any, against
// the model's context limit. Across a session's (or an agent loop's) calls: how each part grows,
// and where consecutive prompts stopped sharing a prefix, which is where the prompt cache broke.
import {
  CONTEXT_PART_LABELS, CONTEXT_PARTS, type CacheBreak, type ContextGrowth, type ContextPart, type ContextXray,
} from '../../shared/sessionModel';
import type { Message, Span } from '../../shared/spanModel';
import type { StoredSpan } from '../model/storedSpan';
import type { Trace } from '../model/traceSummary';
import { contextLimitOf } from '../normalize/contextLimits';
import { normalizeSpan } from '../normalize/normalizeSpan';
import { tokenCounterFor } from '../normalize/tokenCounts';
import { llmCallSpans } from './llmCalls';

/** Attributes that carry the tool definitions sent with a prompt, by convention. */
const TOOL_DEFINITION_KEYS = ['gen_ai.tool.definitions', 'ai.prompt.tools', 'llm.request.functions', 'gen_ai.request.tools'];
const TOOL_DEFINITION_PREFIXES = ['llm.tools.', 'llm.request.functions.'];
/** Documents shorter than this are not looked for in prompts (a title would match by chance). */
const MIN_DOCUMENT_CHARS = 40;
const MAX_DOCUMENTS_CHECKED = 200;
/** A part at least this share of the prompt is named among the largest. */
const LARGEST_SHARE = 0.1;

/** The tool definitions sent with the call, as one text. */
export function toolDefinitionsText(span: Span): string {
  const parts: string[] = [];
  const add = (value: unknown) => {
    if (value === undefined || value === null) return;
    parts.push(typeof value === 'string' ? value : JSON.stringify(value));
  };
  for (const key of TOOL_DEFINITION_KEYS) add(span.attributes[key]);
  for (const key in span.attributes) if (TOOL_DEFINITION_PREFIXES.some((p) => key.startsWith(p))) add(span.attributes[key]);
  add(span.invocationParameters?.tools ?? span.invocationParameters?.functions);
  return parts.join('\n');
}

function messageText(message: Message): string {
  const calls = message.toolCalls?.map((c) => `${c.name}(${typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments)})`) ?? [];
  return [message.content, ...calls].filter(Boolean).join('\n');
}

/** Which part each message of a prompt belongs to. */
function partOfMessage(message: Message, index: number, newMessageIndex: number): ContextPart {
  if (message.role === 'system' || message.role === 'developer') return 'system';
  if (message.role === 'tool' || message.role === 'function' || message.toolCallId) return 'toolResults';
  return index === newMessageIndex ? 'newMessage' : 'history';
}

function emptyParts(): Record<ContextPart, number> {
  return Object.fromEntries(CONTEXT_PARTS.map((p) => [p, 0])) as Record<ContextPart, number>;
}

/**
 * The X-ray of one call. `documents` are the texts retrieved in its trace: where one appears in
 * a message, its tokens count as retrieved documents, not as that message's part.
 */
export function contextXray(span: Span, documents: string[], limits: Record<string, number> = {}): ContextXray {
  const counter = tokenCounterFor(span.model);
  const messages = span.inputMessages ?? [];
  let newMessageIndex = -1;
  for (let i = messages.length - 1; i >= 0 && newMessageIndex < 0; i--) if (messages[i].role === 'user') newMessageIndex = i;
  const counted = emptyParts();
  counted.tools = counter.count(toolDefinitionsText(span));
  const candidates = documents.filter((d) => d.length >= MIN_DOCUMENT_CHARS).slice(0, MAX_DOCUMENTS_CHECKED);
  messages.forEach((message, i) => {
    const text = messageText(message);
    const part = partOfMessage(message, i, newMessageIndex);
    let tokens = counter.count(text);
    for (const document of candidates) {
      if (!text.includes(document)) continue;
      const documentTokens = Math.min(tokens, counter.count(document));
      counted.documents += documentTokens;
      tokens -= documentTokens;
    }
    counted[part] += tokens;
  });
  const countedTotal = CONTEXT_PARTS.reduce((n, p) => n + counted[p], 0);
  const recorded = span.tokens?.input;
  const parts = recorded !== undefined && countedTotal > 0 ? scaleTo(counted, countedTotal, recorded) : counted;
  const inputTokens = recorded ?? countedTotal;
  const limit = contextLimitOf(span.model, limits);
  const xray: ContextXray = {
    traceId: span.traceId, spanId: span.spanId, model: span.model, inputTokens, parts,
    largest: CONTEXT_PARTS.filter((p) => parts[p] > 0 && parts[p] >= inputTokens * LARGEST_SHARE).sort((a, b) => parts[b] - parts[a]),
    counting: !counter.exact ? 'estimate' : recorded !== undefined ? 'usage' : 'tokenizer',
    tokenizer: counter.name,
  };
  if (limit) {
    xray.contextLimit = limit.tokens;
    xray.limitSource = limit.source;
  }
  const cached = span.tokens?.cacheRead;
  if (cached !== undefined) {
    xray.cachedTokens = cached;
    xray.uncachedTokens = Math.max(0, inputTokens - cached);
  }
  return xray;
}

/** The parts in proportion, summing to exactly the recorded total (the rounding goes to the largest part). */
function scaleTo(counted: Record<ContextPart, number>, countedTotal: number, total: number): Record<ContextPart, number> {
  const scaled = emptyParts();
  let sum = 0;
  for (const part of CONTEXT_PARTS) sum += scaled[part] = Math.round((counted[part] * total) / countedTotal);
  const largest = CONTEXT_PARTS.reduce((best, p) => (scaled[p] > scaled[best] ? p : best), CONTEXT_PARTS[0]);
  scaled[largest] = Math.max(0, scaled[largest] + total - sum);
  return scaled;
}

/** Where `next` stopped sharing `previous`'s prefix, or undefined when it extends it. */
export function cacheBreak(previous: Span, next: Span): CacheBreak | undefined {
  const at = { traceId: next.traceId, spanId: next.spanId, previousSpanId: previous.spanId };
  if (toolDefinitionsText(previous) !== toolDefinitionsText(next)) {
    return { ...at, messageIndex: -1, reason: 'the tool definitions changed, and they come before every message' };
  }
  const before = previous.inputMessages ?? [];
  const after = next.inputMessages ?? [];
  const same = (a: Message, b: Message) => a.role === b.role && messageText(a) === messageText(b);
  for (let i = 0; i < before.length; i++) {
    if (i < after.length && same(before[i], after[i])) continue;
    const role = after[i]?.role ?? before[i].role;
    const what = i >= after.length ? `the prompt is shorter: message ${i + 1} (${before[i].role}) of the previous call is gone`
      : `message ${i + 1} (${role}) differs from the previous call's${role === 'system' ? ': the system prompt changed' : ''}`;
    return { ...at, messageIndex: i, role, reason: what };
  }
  return undefined;
}

/** The texts of a trace's retrieved documents. */
export function retrievedTexts(trace: Trace): string[] {
  const texts: string[] = [];
  for (const span of trace.spans.values()) {
    if (span.facts.kind !== 'RETRIEVER' && span.facts.kind !== 'RERANKER') continue;
    for (const document of normalizeSpan(span).documents ?? []) if (document.content) texts.push(document.content);
  }
  return texts;
}

/** The X-rays of a sequence of traces' calls (a session's turns, or one agent loop), with the cache breaks between them. */
export function contextGrowth(traces: Trace[], limits: Record<string, number> = {}): ContextGrowth {
  const calls: ContextXray[] = [];
  const breaks: CacheBreak[] = [];
  let previous: Span | undefined;
  for (const trace of traces) {
    const documents = retrievedTexts(trace);
    for (const stored of llmCallSpans(trace)) {
      const span = normalizeSpan(stored);
      calls.push(contextXray(span, documents, limits));
      const broke = previous && cacheBreak(previous, span);
      if (broke) breaks.push(broke);
      previous = span;
    }
  }
  return { calls, breaks };
}

/** One call's X-ray, with the break from the call before it in its session (or its trace). */
export function spanContext(trace: Trace, span: StoredSpan, sessionTraces: Trace[], limits: Record<string, number> = {}): { xray: ContextXray; cacheBreak?: CacheBreak } {
  const normalized = normalizeSpan(span);
  const xray = contextXray(normalized, retrievedTexts(trace), limits);
  const sequence = (sessionTraces.length ? sessionTraces : [trace]).flatMap(llmCallSpans);
  const at = sequence.findIndex((s) => s === span);
  const broke = at > 0 ? cacheBreak(normalizeSpan(sequence[at - 1]), normalized) : undefined;
  return broke ? { xray, cacheBreak: broke } : { xray };
}

/** "system 1.2k (40%), retrieved documents 900 (30%)": the largest parts in words. */
export function largestPartsText(xray: ContextXray): string {
  return xray.largest.map((p) => `${CONTEXT_PART_LABELS[p]} ${xray.parts[p]} (${Math.round((xray.parts[p] / Math.max(1, xray.inputTokens)) * 100)}%)`).join(', ');
}
