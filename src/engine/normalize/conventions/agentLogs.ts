// Coding agents' log records that carry no span context, made into traces. Claude Code logs its
// events (`claude_code.user_prompt`, `api_request`, `api_error`, `tool_result`, `tool_decision`,
// `assistant_response`) without trace ids unless its traces beta is on; Gemini CLI logs some
// (`gemini_cli.user_prompt`, a streamed `api_response`, `tool_call` in older versions) outside any
// span. Each names the session and the prompt it belongs to, so one prompt's records become one
// trace: a root for the prompt, an LLM span per API call, a tool span per tool run; every other
// record of the prompt is attached to the root as a log record. Ids are derived from what the
// records say, so a record read again (a store reload, a re-imported file) lands in the same place.
// Gemini CLI logs a streamed call's request inside the call's span but its response (and the
// response's details record) outside it: the response is paired with the latest request of the
// same prompt and model role, so the assembled call shows both and the call's own span gets its
// answer and usage. Claude Code before 2.1.47 logs no prompt id: its records belong to the session's latest
// `user_prompt` before them (index/assembledTraces.ts keeps each session's prompts in order).
import type { AttributeValue, Attributes } from '../../../shared/spanModel';
import { derivedId } from '../../model/derivedId';
import type { RawEvent, RawSpan } from '../../model/rawSpan';
import { firstString, ownEntry, toNumber } from '../attributeReader';
import { DETAILS_EVENT } from './genAi';

/** Every assembled span carries it: what the trace view shows was put together here, not sent as spans. */
export const ASSEMBLED_FROM_LOGS = 'ai_trace_inspector.assembled_from';
export const ASSEMBLED_SCOPE = 'ai-trace-inspector (assembled from log records)';
/** On a prompt's root where the agent logged no prompt id: what its records were grouped by. */
export const ASSEMBLED_BY = 'ai_trace_inspector.assembled_by';

/** Whether a span was put together here from a coding agent's log records (not sent as a span). */
export function isAssembled(span: { scope?: { name: string } }): boolean {
  return span.scope?.name === ASSEMBLED_SCOPE;
}

interface Agent {
  /** Event name prefix (Claude Code puts it on the body, its `event.name` lacks it). */
  prefix: string;
  service: string;
  title: string;
  promptKey: string;
  provider: string;
}

const CLAUDE_CODE: Agent = { prefix: 'claude_code.', service: 'claude-code', title: 'Claude Code', promptKey: 'prompt.id', provider: 'anthropic' };
const GEMINI_CLI: Agent = { prefix: 'gemini_cli.', service: 'gemini-cli', title: 'Gemini CLI', promptKey: 'prompt_id', provider: 'gcp.gen_ai' };

/** A coding agent's record: which agent, what it records (`api_request`), and the prompt it belongs to. */
export interface AgentRecord {
  agent: Agent;
  type: string;
  sessionId: string;
  promptId: string;
  /** The prompt is known by its place in the session (promptByOrder), not by an id the agent logged. */
  byOrder?: boolean;
  event: RawEvent;
}

/** Where a prompt stands in its session: its `user_prompt` record's time, then its place in the agent's record sequence. */
export interface PromptPlace { timeMs: number; sequence?: number }

/** A record that names no prompt, where the agent's version logs none (Claude Code before 2.1.47). */
export interface UnnamedRecord { sessionId: string; place: PromptPlace; isPrompt: boolean }

/** The record's event name with its agent prefix, however the agent sent it. */
export function agentEventName(event: { name: string; body?: AttributeValue }): string | undefined {
  if (event.name.startsWith(CLAUDE_CODE.prefix) || event.name.startsWith(GEMINI_CLI.prefix)) return event.name;
  // Claude Code: `event.name` is `user_prompt`, the body `claude_code.user_prompt`.
  const body = event.body;
  return typeof body === 'string' && body.startsWith(CLAUDE_CODE.prefix) && body.endsWith(`.${event.name}`) ? body : undefined;
}

/**
 * The agent's record with the prompt it names, or (`unnamed`) the session and place of a Claude
 * Code record that names none: its prompt is found by order. Gemini CLI's records of no prompt
 * (configuration, start-up) belong to no request.
 */
export function agentRecord(event: RawEvent): AgentRecord | { unnamed: UnnamedRecord } | undefined {
  const name = agentEventName(event);
  if (!name) return undefined;
  const agent = name.startsWith(CLAUDE_CODE.prefix) ? CLAUDE_CODE : GEMINI_CLI;
  const sessionId = firstString(event.attributes, 'session.id');
  if (!sessionId) return undefined;
  const promptId = firstString(event.attributes, agent.promptKey);
  const type = name.slice(agent.prefix.length);
  if (promptId) return { agent, type, sessionId, promptId, event };
  if (agent !== CLAUDE_CODE) return undefined;
  return { unnamed: { sessionId, place: { timeMs: event.timeMs, sequence: toNumber(event.attributes['event.sequence']) }, isPrompt: type === 'user_prompt' } };
}

/** A Claude Code record that names no prompt, given the place of the session's prompt it belongs to. */
export function recordOfPromptAt(event: RawEvent, unnamed: UnnamedRecord, prompt: PromptPlace): AgentRecord {
  const type = agentEventName(event)!.slice(CLAUDE_CODE.prefix.length);
  return { agent: CLAUDE_CODE, type, sessionId: unnamed.sessionId, promptId: `user_prompt@${prompt.timeMs}#${prompt.sequence ?? ''}`, byOrder: true, event };
}

/** Whether a prompt stands before (or at) a place in its session: by time, then by the agent's record sequence. */
export function placedBefore(prompt: PromptPlace, place: PromptPlace): boolean {
  if (prompt.timeMs !== place.timeMs) return prompt.timeMs < place.timeMs;
  return prompt.sequence === undefined || place.sequence === undefined || prompt.sequence <= place.sequence;
}

/** The trace of the record's prompt and its root span. */
export function promptTrace(record: AgentRecord): { traceId: string; rootId: string } {
  const traceId = derivedId(`${record.agent.service}\u0000${record.sessionId}\u0000${record.promptId}`, 32);
  return { traceId, rootId: derivedId(`${traceId}\u0000root`, 16) };
}

type SpanRole = 'llm' | 'llmError' | 'tool';

const SPAN_ROLES: Record<string, Record<string, SpanRole>> = {
  [CLAUDE_CODE.prefix]: { api_request: 'llm', api_error: 'llmError', tool_result: 'tool' },
  [GEMINI_CLI.prefix]: { api_response: 'llm', api_error: 'llmError', tool_call: 'tool' },
};

/** The span a record makes (an API call, a tool run), or undefined: it is attached to the prompt's root. */
export function recordSpan(record: AgentRecord, traceId: string, rootId: string): RawSpan | undefined {
  const role = ownEntry(SPAN_ROLES[record.agent.prefix], record.type);
  if (!role) return undefined;
  const attrs = record.event.attributes;
  const failed = role === 'llmError' || attrs.success === false || attrs.success === 'false';
  const error = firstString(attrs, 'error', 'error_type');
  const tool = role === 'tool' ? firstString(attrs, 'tool_name', 'function_name') : undefined;
  const attributes: Attributes = { ...attrs, [ASSEMBLED_FROM_LOGS]: 'log records' };
  if (role === 'tool') Object.assign(attributes, toolAttributes(attrs, tool));
  else Object.assign(attributes, record.agent === CLAUDE_CODE ? claudeCodeCall(attrs) : geminiCliCall(attrs));
  return {
    traceId,
    spanId: derivedId(`${traceId}\u0000${recordKey(record.event)}`, 16),
    parentSpanId: rootId,
    name: tool ? `execute_tool ${tool}` : `${record.agent.prefix}${record.type}`,
    otelKind: role === 'tool' ? 1 : 3,
    startMs: recordStartMs(record),
    endMs: record.event.timeMs,
    attributes,
    events: [],
    statusCode: failed ? 2 : 0,
    ...(failed && error ? { statusMessage: error } : {}),
    resource: { attributes: { 'service.name': record.agent.service }, service: record.agent.service },
    scope: { name: ASSEMBLED_SCOPE },
  };
}

/** A Gemini CLI call's request or response (or error) record, and what pairs them: the session, the prompt and the model role (`main`, `utility_router`). */
export function geminiCallRecord(event: RawEvent): { key: string; isRequest: boolean } | undefined {
  const name = agentEventName(event);
  if (name !== 'gemini_cli.api_request' && name !== 'gemini_cli.api_response' && name !== 'gemini_cli.api_error') return undefined;
  const attrs = event.attributes;
  const session = firstString(attrs, 'session.id');
  const prompt = firstString(attrs, GEMINI_CLI.promptKey);
  if (!session || !prompt) return undefined;
  return { key: `${session}\u0000${prompt}\u0000${firstString(attrs, 'role') ?? ''}`, isRequest: name === 'gemini_cli.api_request' };
}

/** Puts what a call's request record sent (the Gemini contents, when prompt logging is on) on the call's span. */
export function setRequest(span: { attributes: Attributes }, request: RawEvent): void {
  const text = request.attributes.request_text;
  if (typeof text === 'string' && text !== '') span.attributes['gen_ai.input.messages'] = text;
}

/** Whether a record is the details record Gemini CLI logs with a response (its model and usage): same session, same instant. */
export function isResponseDetails(event: RawEvent, response: RawEvent): boolean {
  return event.name === DETAILS_EVENT && event.timeMs === response.timeMs
    && firstString(event.attributes, 'session.id') === firstString(response.attributes, 'session.id');
}

/**
 * The answer a record of an API call carries where the agent logs it nowhere else: Gemini CLI's
 * `api_response` text (Claude Code logs its answer as a record of its own, attached to the root).
 */
export function loggedAnswer(record: AgentRecord): string | undefined {
  const text = record.agent === GEMINI_CLI && record.type === 'api_response' ? record.event.attributes.response_text : undefined;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** Puts the prompt's answer (its latest API call's, as logged) on its root. */
export function setAnswer(root: { attributes: Attributes }, text: string): void {
  root.attributes['gen_ai.output.messages'] = text;
}

/** The prompt's root span over these times, with what every record of the prompt says of its session and user, and its answer. */
export function promptRoot(record: AgentRecord, traceId: string, rootId: string, startMs: number, endMs: number, answer?: string): RawSpan {
  const attrs = record.event.attributes;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': record.agent.service,
    'session.id': record.sessionId,
    [ASSEMBLED_FROM_LOGS]: 'log records',
  };
  // An older version's prompt has no id: say how its records were put together instead.
  if (record.byOrder) attributes[ASSEMBLED_BY] = 'session.id and the order of its user_prompt records (this version logs no prompt.id)';
  else attributes[record.agent.promptKey] = record.promptId;
  const user = firstString(attrs, 'user.id', 'user.email', 'user.account_uuid');
  if (user) attributes['user.id'] = user;
  if (answer !== undefined) setAnswer({ attributes }, answer);
  return {
    traceId,
    spanId: rootId,
    name: `${record.agent.title} prompt (assembled from log records)`,
    otelKind: 1,
    startMs,
    endMs,
    attributes,
    events: [],
    statusCode: 0,
    resource: { attributes: { 'service.name': record.agent.service }, service: record.agent.service },
    scope: { name: ASSEMBLED_SCOPE },
  };
}

/**
 * Where a record's span starts: an API call or tool run is logged when it ends. A duration that
 * is negative or longer than the time itself is not one (the span would end before it starts).
 */
export function recordStartMs(record: AgentRecord): number {
  const duration = toNumber(record.event.attributes.duration_ms);
  return duration !== undefined && duration >= 0 && duration <= record.event.timeMs ? record.event.timeMs - duration : record.event.timeMs;
}

/** Claude Code's usage: Anthropic counts input without the cache; GenAI's input count includes it. */
function claudeCodeCall(attrs: Attributes): Attributes {
  const input = toNumber(attrs.input_tokens);
  const cacheRead = toNumber(attrs.cache_read_tokens);
  const cacheWrite = toNumber(attrs.cache_creation_tokens);
  return defined({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': CLAUDE_CODE.provider,
    'gen_ai.request.model': attrs.model,
    'gen_ai.usage.input_tokens': input === undefined ? undefined : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    'gen_ai.usage.output_tokens': toNumber(attrs.output_tokens),
    'gen_ai.usage.cache_read.input_tokens': cacheRead,
    'gen_ai.usage.cache_creation.input_tokens': cacheWrite,
    'gen_ai.usage.cost': toNumber(attrs.cost_usd),
  });
}

/**
 * Gemini CLI's usage and its answer, as the API sent it. Gemini's prompt count includes the cache
 * but not the tool-use prompt (`toolUsePromptTokenCount`, the CLI's `tool_token_count`), which is
 * prompt all the same: its total is prompt + candidates + thoughts + tool-use prompt.
 */
function geminiCliCall(attrs: Attributes): Attributes {
  const input = toNumber(attrs.input_token_count);
  return defined({
    'gen_ai.operation.name': 'llm_call',
    'gen_ai.agent.name': GEMINI_CLI.service,
    'gen_ai.provider.name': GEMINI_CLI.provider,
    'gen_ai.request.model': attrs.model,
    'gen_ai.usage.input_tokens': input === undefined ? undefined : input + (toNumber(attrs.tool_token_count) ?? 0),
    'gen_ai.usage.output_tokens': toNumber(attrs.output_token_count),
    'gen_ai.usage.total_tokens': toNumber(attrs.total_token_count),
    'gen_ai.usage.cache_read.input_tokens': toNumber(attrs.cached_content_token_count),
    'gen_ai.usage.reasoning.output_tokens': toNumber(attrs.thoughts_token_count),
    'gen_ai.output.messages': attrs.response_text,
  });
}

function toolAttributes(attrs: Attributes, tool: string | undefined): Attributes {
  return defined({
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': tool,
    'gen_ai.tool.call.id': attrs.tool_use_id,
    // Claude Code's input (with OTEL_LOG_TOOL_DETAILS; older versions: `tool_parameters`), Gemini CLI's args.
    'gen_ai.tool.call.arguments': attrs.tool_input ?? attrs.tool_parameters ?? attrs.function_args,
  });
}

function defined(attrs: Record<string, AttributeValue | undefined>): Attributes {
  const out: Attributes = {};
  for (const key in attrs) if (attrs[key] !== undefined && attrs[key] !== '') out[key] = attrs[key]!;
  return out;
}

/** What tells one record from another: its name, time and every attribute (Claude Code numbers its records, too). */
function recordKey(event: RawEvent): string {
  return `${event.name}\u0000${event.timeMs}\u0000${JSON.stringify(event.attributes)}`;
}
