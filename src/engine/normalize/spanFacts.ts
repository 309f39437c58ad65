// The few fields every span gets at ingest, because the index sorts and filters on them:
// kind, model, provider, tokens, cost, session and user. Everything else is derived when a
// trace is opened (normalizeSpan.ts), so ingest stays cheap.
import type { AttributeValue, Attributes, Tokens } from '../../shared/spanModel';
import type { SpanFacts } from '../model/storedSpan';
import { MAX_INGEST_JSON_CHARS, parseJson, toNumber } from './attributeReader';
import { PACKED_USAGE, UsageOffer } from './packedUsage';
import type { SpanContext } from './spanContext';
import { detectKind, isMessageEventName } from './spanKind';
import type { PriceTable } from './pricing';

// Each field's attributes, most preferred first (the reference's §2.9 precedence table).
const FIELD_KEYS = {
  responseModel: ['gen_ai.response.model', 'llm.response.model_name', 'ai.response.model'],
  requestModel: ['gen_ai.request.model', 'llm.request.model_name', 'langfuse.observation.model.name', 'ai.model.id',
    'mlflow.llm.model', 'llm.model_name', 'embedding.model_name', 'llm.model', 'llm.model.name',
    // Pydantic AI's agent run (instrumentation v1-v2) and the bare `model` of smaller SDKs.
    'model_name', 'model'],
  provider: ['gen_ai.provider.name', 'llm.provider', 'gen_ai.system', 'llm.system', 'llm.model.provider', 'ai.model.provider',
    'mlflow.llm.provider'],
  input: ['gen_ai.usage.input_tokens', 'llm.token_count.prompt', 'gen_ai.usage.prompt_tokens', 'ai.usage.inputTokens',
    'ai.usage.promptTokens', 'ai.usage.tokens', 'llm.tokens.input', 'llm.usage.prompt_tokens', 'braintrust.metrics.prompt_tokens'],
  output: ['gen_ai.usage.output_tokens', 'llm.token_count.completion', 'gen_ai.usage.completion_tokens',
    'ai.usage.outputTokens', 'ai.usage.completionTokens', 'llm.tokens.output', 'llm.usage.completion_tokens',
    'braintrust.metrics.completion_tokens'],
  total: ['llm.token_count.total', 'gen_ai.usage.total_tokens', 'llm.usage.total_tokens', 'ai.usage.totalTokens', 'llm.tokens.total',
    'braintrust.metrics.tokens'],
  cacheRead: ['gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read',
    'gen_ai.usage.cache_read_input_tokens', 'ai.usage.cachedInputTokens', 'ai.usage.inputTokenDetails.cacheReadTokens',
    // LiveKit Agents; Pydantic AI's details; OpenLLMetry before its GenAI move.
    'gen_ai.usage.input_cached_tokens', 'gen_ai.usage.details.cache_read_tokens', 'gen_ai.usage.cache_read_tokens',
    'gen_ai.usage.details.cache_read_input_tokens', 'llm.usage.cache_read_input_tokens', 'gen_ai.usage.cached_tokens'],
  cacheWrite: ['gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write',
    'gen_ai.usage.cache_creation_input_tokens', 'ai.usage.inputTokenDetails.cacheWriteTokens',
    'gen_ai.usage.details.cache_write_tokens', 'gen_ai.usage.cache_write_tokens', 'gen_ai.usage.cache_write_input_tokens',
    'gen_ai.usage.input_cache_creation',
    'gen_ai.usage.details.cache_creation_input_tokens', 'llm.usage.cache_creation_input_tokens'],
  reasoning: ['gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning',
    'gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens', 'ai.usage.reasoningTokens',
    'ai.usage.outputTokenDetails.reasoningTokens', 'gen_ai.usage.details.reasoning_tokens'],
  cost: ['llm.cost.total', 'gen_ai.usage.cost', 'cost.usd', 'llm.cost.usd', 'llm.cost_usd',
    // Logfire's LLM instrumentations (priced with genai-prices, or the Claude Agent SDK's own total).
    'operation.cost'],
  costPrompt: ['llm.cost.prompt'],
  costCompletion: ['llm.cost.completion'],
  // Langfuse's own keys first, as Langfuse reads them; then the standard ones; then SDKs' own.
  sessionId: ['langfuse.session.id', 'session.id', 'gen_ai.conversation.id',
    'langfuse.observation.metadata.langfuse_session_id', 'langfuse.trace.metadata.langfuse_session_id',
    'ai.telemetry.metadata.sessionId', 'traceloop.association.properties.session_id', 'gcp.vertex.agent.session_id',
    'genkit:sessionId', 'mcp.session.id', 'ai.settings.context.sessionId',
    // LangSmith's thread keys in its run metadata (its `langsmith.trace.session_id` is the project).
    'langsmith.metadata.session_id', 'langsmith.metadata.thread_id', 'langsmith.metadata.conversation_id'],
  userId: ['langfuse.user.id', 'user.id', 'langfuse.observation.metadata.langfuse_user_id',
    'langfuse.trace.metadata.langfuse_user_id', 'ai.telemetry.metadata.userId', 'gen_ai.user', 'llm.user',
    'traceloop.association.properties.user_id', 'enduser.id',
    // The AI SDK from v7 records its runtime context (which took over from telemetry metadata).
    'ai.settings.context.userId', 'langsmith.metadata.user_id'],
};

type Field = keyof typeof FIELD_KEYS;
const FIELDS = Object.keys(FIELD_KEYS) as Field[];
const FIELD_NUMBER = Object.fromEntries(FIELDS.map((field, i) => [field, i])) as Record<Field, number>;

/** Attribute key → its field's number and the key's rank, so a span's attributes are read in one pass. */
const KEY_INDEX = new Map<string, { field: number; rank: number }>();
for (const field of FIELDS) FIELD_KEYS[field].forEach((key, rank) => KEY_INDEX.set(key, { field: FIELD_NUMBER[field], rank }));

/** Fields read out of a JSON blob rank after every plain key. */
const PACKED_RANK = 100;
/** Keys of the span's GenAI details event rank after its own attributes, before its blobs. */
const DETAILS_RANK = 50;
const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

/** The fields a details event brings that make it worth recomputing a span's facts for. */
const CALL_FIELDS = new Set<number>((['responseModel', 'requestModel', 'input', 'output', 'total', 'cacheRead', 'cacheWrite', 'reasoning', 'cost'] as Field[])
  .map((field) => FIELD_NUMBER[field]));

/**
 * Whether attaching this event may change a span's facts: a message event may make the span an
 * LLM call (the first one does: `kindOnly`), and every details event with a model or usage may
 * change them (a later one wins: Gemini CLI logs its request's, then its response's).
 */
export function changesFactsOf(event: { name: string; attributes?: Attributes }): 'kindOnly' | 'always' | undefined {
  if (event.name === DETAILS_EVENT) {
    for (const key in event.attributes) {
      const hit = KEY_INDEX.get(key);
      const value = event.attributes[key];
      if (hit && CALL_FIELDS.has(hit.field) && value !== undefined && value !== null && value !== '') return 'always';
    }
  }
  return isMessageEventName(event.name) ? 'kindOnly' : undefined;
}

/** The best value offered so far for each field (by field number), and its rank. */
class Offers {
  private readonly values: (AttributeValue | undefined)[] = new Array(FIELDS.length).fill(undefined);
  private readonly ranks: number[] = new Array(FIELDS.length).fill(Infinity);

  clear(): void {
    this.values.fill(undefined);
    this.ranks.fill(Infinity);
  }

  /** Says whether the value is now the field's best. */
  offer(field: number, rank: number, value: unknown): boolean {
    if (value === undefined || value === null || value === '' || rank >= this.ranks[field]) return false;
    this.values[field] = value as AttributeValue;
    this.ranks[field] = rank;
    return true;
  }

  rank(field: Field): number {
    return this.ranks[FIELD_NUMBER[field]];
  }

  get(field: Field): AttributeValue | undefined {
    return this.values[FIELD_NUMBER[field]];
  }

  text(field: Field): string | undefined {
    const v = this.get(field);
    return typeof v === 'string' ? unquoted(v) : typeof v === 'number' ? String(v) : undefined;
  }
}

/** A string sent as its JSON (MLflow stores every attribute so: `"gpt-4o"` with the quotes). */
function unquoted(v: string): string {
  if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') return v;
  const parsed = parseJson(v, MAX_INGEST_JSON_CHARS);
  return typeof parsed === 'string' ? parsed : v;
}

/** One for all calls: spanFacts runs for every span and never re-enters. */
const best = new Offers();
/** Set by a blob saying the span's input count (whichever attribute gives it) leaves the cached tokens out. */
let inputExcludesCache = false;
/**
 * Set by a blob whose own input count leaves the cache out: that holds only while the blob's
 * count is the one used, not when a plain count (GenAI's, which includes the cache) wins.
 */
let packedInputExcludesCache = false;

const offerPacked: UsageOffer = (field, value, excludesCache) => {
  const taken = best.offer(FIELD_NUMBER[field], PACKED_RANK, value);
  if (field === 'input') {
    if (taken) packedInputExcludesCache = !!excludesCache;
  } else if (excludesCache) inputExcludesCache = true;
};

export function spanFacts(attrs: Attributes, name: string, prices: PriceTable, context?: SpanContext): SpanFacts {
  best.clear();
  inputExcludesCache = false;
  packedInputExcludesCache = false;
  for (const key in attrs) {
    const hit = KEY_INDEX.get(key);
    if (hit) best.offer(hit.field, hit.rank, attrs[key]);
    else {
      const reader = PACKED_USAGE.get(key);
      if (reader) reader(attrs[key], attrs, offerPacked);
    }
  }
  // The latest GenAI conventions put a call's model and usage on its details event too, which
  // may come as a log record (and after the span).
  if (context?.events?.length) offerDetails(context.events);
  const facts: SpanFacts = { kind: detectKind(attrs, name, context) };
  const model = namedModel(best.text('responseModel')) ?? namedModel(best.text('requestModel'));
  if (model) facts.model = model;
  let provider = best.text('provider')?.toLowerCase();
  // The AI SDK names a provider API (`openai.chat`), also in its gen_ai.system; the provider is
  // its first part. Real provider names may hold dots (`aws.bedrock`), so only the SDK's are cut.
  const aiSdkProvider = attrs['ai.model.provider'];
  if (provider && typeof aiSdkProvider === 'string' && provider === aiSdkProvider.toLowerCase()) provider = provider.split('.')[0];
  // Mastra passes the AI SDK's provider API on as the GenAI provider (`openai.chat`).
  else if (provider && attrs['mastra.span.type'] !== undefined) provider = provider.split('.')[0];
  if (provider) facts.provider = provider;
  const ignored: string[] = [];
  const tokens = tokensFrom(ignored);
  if (tokens) facts.tokens = tokens;
  const cost = usable('cost', MAX_COST_USD, ignored)
    ?? sumOrUndefined(usable('costPrompt', MAX_COST_USD, ignored), usable('costCompletion', MAX_COST_USD, ignored));
  if (ignored.length) facts.ignoredUsage = ignored;
  if (cost !== undefined) {
    facts.costUsd = cost;
    facts.costSource = 'attribute';
  } else if (tokens && model) {
    const computed = prices.cost(model, provider, tokens);
    if (computed !== undefined) {
      facts.costUsd = computed;
      facts.costSource = 'computed';
    }
  }
  const sessionId = best.text('sessionId');
  if (sessionId) facts.sessionId = sessionId;
  const userId = best.text('userId');
  if (userId) facts.userId = userId;
  return facts;
}

/**
 * Offers what the span's details events say, each field from the latest event that has it (a
 * response's model and usage over its request's). One pass from the end: the span's events are
 * in the order they arrived.
 */
function offerDetails(events: NonNullable<SpanContext['events']>): void {
  let claimed = 0; // fields a later details event gave, by bit
  for (let i = events.length - 1; i >= 0; i--) {
    const { name, attributes } = events[i];
    if (name !== DETAILS_EVENT || !attributes) continue;
    let given = 0;
    for (const key in attributes) {
      const hit = KEY_INDEX.get(key);
      if (!hit || claimed & (1 << hit.field)) continue;
      const value = attributes[key];
      if (value === undefined || value === null || value === '') continue;
      given |= 1 << hit.field;
      best.offer(hit.field, DETAILS_RANK + hit.rank, value);
    }
    claimed |= given;
  }
}

/** Names SDKs record when they do not know the model (Microsoft Agent Framework's agent spans say `unknown`). */
const PLACEHOLDER_MODELS = new Set(['unknown', 'none', 'null', 'undefined']);

function namedModel(model: string | undefined): string | undefined {
  return model && !PLACEHOLDER_MODELS.has(model.toLowerCase()) ? model : undefined;
}

/** Beyond these a recorded count or cost is a bug in the app or an attack, not usage: one call, a trillion tokens or $100,000. */
const MAX_TOKENS = 1e12;
const MAX_COST_USD = 1e5;

/** The field's recorded token count or cost, or undefined (with the reason in `ignored`) when it is negative, not a number or absurd. */
function usable(field: Field, max: number, ignored: string[]): number | undefined {
  const value = best.get(field);
  if (value === undefined || value === null || value === '') return undefined;
  const n = toNumber(value);
  const reason = n === undefined ? 'not a number' : n < 0 ? 'negative' : n > max ? 'impossibly large' : undefined;
  if (reason === undefined) return n;
  ignored.push(`${field} ${JSON.stringify(value)?.slice(0, 40)} (${reason})`);
  return undefined;
}

const TOKEN_FIELDS = ['input', 'output', 'total', 'cacheRead', 'cacheWrite', 'reasoning'] as const;

function tokensFrom(ignored: string[]): Tokens | undefined {
  const tokens: Tokens = {};
  for (const field of TOKEN_FIELDS) {
    const n = usable(field, MAX_TOKENS, ignored);
    if (n !== undefined) tokens[field] = n;
  }
  if (tokens.input === undefined && tokens.output === undefined && tokens.total === undefined) {
    // Reasoning or cache counts alone are still usage worth showing.
    return tokens.cacheRead !== undefined || tokens.cacheWrite !== undefined || tokens.reasoning !== undefined ? tokens : undefined;
  }
  const excludesCache = inputExcludesCache || (packedInputExcludesCache && best.rank('input') === PACKED_RANK);
  if (excludesCache && tokens.input !== undefined) tokens.input += (tokens.cacheRead ?? 0) + (tokens.cacheWrite ?? 0);
  tokens.total ??= (tokens.input ?? 0) + (tokens.output ?? 0);
  return tokens;
}

/** A cost recorded in parts only (`llm.cost.prompt` / `.completion`). */
function sumOrUndefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

