// The few fields every span gets at ingest, because the index sorts and filters on them:
// kind, model, provider, tokens, cost, session and user. Everything else is derived when a
// trace is opened (normalizeSpan.ts), so ingest stays cheap.
import type { AttributeValue, Attributes, SpanKind, Tokens } from '../../shared/spanModel';
import { isRecord, parseJson, toNumber } from './attributeReader';
import { detectKind } from './spanKind';
import type { PriceTable } from './pricing';

export interface SpanFacts {
  kind: SpanKind;
  model?: string;
  provider?: string;
  tokens?: Tokens;
  costUsd?: number;
  costSource?: 'attribute' | 'computed';
  sessionId?: string;
  userId?: string;
}

// Each field's attributes, most preferred first (the reference's §2.9 precedence table).
const FIELD_KEYS = {
  responseModel: ['gen_ai.response.model', 'llm.response.model_name', 'ai.response.model'],
  requestModel: ['gen_ai.request.model', 'llm.request.model_name', 'langfuse.observation.model.name', 'ai.model.id',
    'mlflow.llm.model', 'llm.model_name', 'embedding.model_name', 'llm.model', 'llm.model.name'],
  provider: ['gen_ai.provider.name', 'llm.provider', 'gen_ai.system', 'llm.system', 'llm.model.provider', 'ai.model.provider',
    'mlflow.llm.provider'],
  input: ['gen_ai.usage.input_tokens', 'llm.token_count.prompt', 'gen_ai.usage.prompt_tokens', 'ai.usage.inputTokens',
    'ai.usage.promptTokens', 'ai.usage.tokens', 'llm.tokens.input', 'llm.usage.prompt_tokens'],
  output: ['gen_ai.usage.output_tokens', 'llm.token_count.completion', 'gen_ai.usage.completion_tokens',
    'ai.usage.outputTokens', 'ai.usage.completionTokens', 'llm.tokens.output', 'llm.usage.completion_tokens'],
  total: ['llm.token_count.total', 'gen_ai.usage.total_tokens', 'llm.usage.total_tokens', 'ai.usage.totalTokens', 'llm.tokens.total'],
  cacheRead: ['gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read',
    'gen_ai.usage.cache_read_input_tokens', 'ai.usage.cachedInputTokens'],
  cacheWrite: ['gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write',
    'gen_ai.usage.cache_creation_input_tokens'],
  reasoning: ['gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning',
    'gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens', 'ai.usage.reasoningTokens'],
  cost: ['llm.cost.total', 'gen_ai.usage.cost', 'cost.usd', 'llm.cost.usd', 'llm.cost_usd'],
  costPrompt: ['llm.cost.prompt'],
  costCompletion: ['llm.cost.completion'],
  sessionId: ['session.id', 'gen_ai.conversation.id', 'langfuse.session.id', 'ai.telemetry.metadata.sessionId',
    'traceloop.association.properties.session_id'],
  userId: ['user.id', 'langfuse.user.id', 'ai.telemetry.metadata.userId', 'gen_ai.user', 'llm.user',
    'traceloop.association.properties.user_id'],
};

type Field = keyof typeof FIELD_KEYS;

/** Attribute key → its field and rank, so a span's attributes are read in one pass. */
const KEY_INDEX = new Map<string, { field: Field; rank: number }>();
for (const [field, keys] of Object.entries(FIELD_KEYS) as [Field, string[]][]) {
  keys.forEach((key, rank) => KEY_INDEX.set(key, { field, rank }));
}

/** JSON-valued attributes that hold several fields at once (MLflow, Langfuse); ranked after the plain keys. */
const PACKED: Record<string, Partial<Record<Field, string>>> = {
  'mlflow.chat.tokenUsage': { input: 'input_tokens', output: 'output_tokens', total: 'total_tokens',
    cacheRead: 'cache_read_input_tokens', cacheWrite: 'cache_creation_input_tokens' },
  'langfuse.observation.usage_details': { input: 'input', output: 'output', total: 'total' },
  'langfuse.observation.cost_details': { cost: 'total' },
  'mlflow.llm.cost': { cost: 'total_cost' },
};
const PACKED_RANK = 100;

export function spanFacts(attrs: Attributes, name: string, prices: PriceTable): SpanFacts {
  const best: Partial<Record<Field, AttributeValue>> = {};
  const bestRank: Partial<Record<Field, number>> = {};
  const offer = (field: Field, rank: number, value: unknown) => {
    if (value === undefined || value === null || value === '') return;
    if (bestRank[field] === undefined || rank < bestRank[field]!) {
      best[field] = value as AttributeValue;
      bestRank[field] = rank;
    }
  };
  for (const key in attrs) {
    const hit = KEY_INDEX.get(key);
    if (hit) offer(hit.field, hit.rank, attrs[key]);
    else if (key in PACKED) {
      const packed = parseJson(attrs[key]);
      if (!isRecord(packed)) continue;
      for (const [field, inner] of Object.entries(PACKED[key]) as [Field, string][]) offer(field, PACKED_RANK, packed[inner]);
    }
  }
  const text = (field: Field) => {
    const v = best[field];
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const facts: SpanFacts = { kind: detectKind(attrs, name) };
  const model = text('responseModel') ?? text('requestModel');
  if (model) facts.model = model;
  let provider = text('provider')?.toLowerCase();
  // The AI SDK names a provider API (`openai.chat`), also in its gen_ai.system; the provider is
  // its first part. Real provider names may hold dots (`aws.bedrock`), so only the SDK's are cut.
  const aiSdkProvider = attrs['ai.model.provider'];
  if (provider && typeof aiSdkProvider === 'string' && provider === aiSdkProvider.toLowerCase()) provider = provider.split('.')[0];
  if (provider) facts.provider = provider;
  const tokens = tokensFrom(best);
  if (tokens) facts.tokens = tokens;
  const cost = toNumber(best.cost) ?? sumOrUndefined(toNumber(best.costPrompt), toNumber(best.costCompletion));
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
  const sessionId = text('sessionId');
  if (sessionId) facts.sessionId = sessionId;
  const userId = text('userId');
  if (userId) facts.userId = userId;
  return facts;
}

function tokensFrom(best: Partial<Record<Field, AttributeValue>>): Tokens | undefined {
  const input = toNumber(best.input);
  const output = toNumber(best.output);
  const total = toNumber(best.total);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const tokens: Tokens = {};
  if (input !== undefined) tokens.input = input;
  if (output !== undefined) tokens.output = output;
  tokens.total = total ?? (input ?? 0) + (output ?? 0);
  for (const field of ['cacheRead', 'cacheWrite', 'reasoning'] as const) {
    const n = toNumber(best[field]);
    if (n !== undefined) tokens[field] = n;
  }
  return tokens;
}

/** A cost recorded in parts only (`llm.cost.prompt` / `.completion`). */
function sumOrUndefined(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

