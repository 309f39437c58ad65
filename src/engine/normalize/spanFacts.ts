// The few fields every span gets at ingest, because the index sorts and filters on them:
// kind, model, provider, tokens, cost, session and user. Everything else is derived when a
// trace is opened (normalizeSpan.ts), so ingest stays cheap.
import type { Attributes, SpanKind, Tokens } from '../../shared/spanModel';
import { firstNumber, firstString, isRecord, parseJson, toNumber } from './attributeReader';
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

export function spanFacts(attrs: Attributes, name: string, prices: PriceTable): SpanFacts {
  const facts: SpanFacts = { kind: detectKind(attrs, name) };
  const model = responseModel(attrs) ?? requestModel(attrs);
  if (model) facts.model = model;
  const provider = providerOf(attrs);
  if (provider) facts.provider = provider;
  const tokens = tokensOf(attrs);
  if (tokens) facts.tokens = tokens;
  const cost = recordedCost(attrs);
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
  const sessionId = firstString(attrs, 'session.id', 'gen_ai.conversation.id', 'langfuse.session.id',
    'ai.telemetry.metadata.sessionId', 'traceloop.association.properties.session_id');
  if (sessionId) facts.sessionId = sessionId;
  const userId = firstString(attrs, 'user.id', 'langfuse.user.id', 'ai.telemetry.metadata.userId', 'gen_ai.user',
    'llm.user', 'traceloop.association.properties.user_id');
  if (userId) facts.userId = userId;
  return facts;
}

export function requestModel(attrs: Attributes): string | undefined {
  return firstString(attrs, 'gen_ai.request.model', 'llm.request.model_name', 'langfuse.observation.model.name',
    'ai.model.id', 'mlflow.llm.model', 'llm.model_name', 'embedding.model_name', 'llm.model', 'llm.model.name');
}

export function responseModel(attrs: Attributes): string | undefined {
  return firstString(attrs, 'gen_ai.response.model', 'llm.response.model_name', 'ai.response.model');
}

function providerOf(attrs: Attributes): string | undefined {
  const direct = firstString(attrs, 'gen_ai.provider.name', 'llm.provider', 'gen_ai.system', 'llm.system', 'llm.model.provider');
  if (direct) return direct.toLowerCase();
  const aiSdk = firstString(attrs, 'ai.model.provider');
  if (aiSdk) return aiSdk.split('.')[0].toLowerCase();
  return firstString(attrs, 'mlflow.llm.provider')?.toLowerCase();
}

function jsonRecord(v: unknown): Record<string, unknown> | undefined {
  const parsed = parseJson(v);
  return isRecord(parsed) ? parsed : undefined;
}

export function tokensOf(attrs: Attributes): Tokens | undefined {
  const mlflow = jsonRecord(attrs['mlflow.chat.tokenUsage']) ?? {};
  const langfuse = jsonRecord(attrs['langfuse.observation.usage_details']) ?? {};
  const tokens: Tokens = {
    input: firstNumber(attrs, 'gen_ai.usage.input_tokens', 'llm.token_count.prompt', 'gen_ai.usage.prompt_tokens',
      'ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens') ?? toNumber(langfuse.input)
      ?? toNumber(mlflow.input_tokens) ?? firstNumber(attrs, 'llm.tokens.input', 'llm.usage.prompt_tokens'),
    output: firstNumber(attrs, 'gen_ai.usage.output_tokens', 'llm.token_count.completion', 'gen_ai.usage.completion_tokens',
      'ai.usage.outputTokens', 'ai.usage.completionTokens') ?? toNumber(langfuse.output)
      ?? toNumber(mlflow.output_tokens) ?? firstNumber(attrs, 'llm.tokens.output', 'llm.usage.completion_tokens'),
    total: firstNumber(attrs, 'llm.token_count.total', 'gen_ai.usage.total_tokens', 'llm.usage.total_tokens',
      'ai.usage.totalTokens') ?? toNumber(mlflow.total_tokens) ?? toNumber(langfuse.total) ?? firstNumber(attrs, 'llm.tokens.total'),
    cacheRead: firstNumber(attrs, 'gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read',
      'gen_ai.usage.cache_read_input_tokens', 'ai.usage.cachedInputTokens') ?? toNumber(mlflow.cache_read_input_tokens),
    cacheWrite: firstNumber(attrs, 'gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write',
      'gen_ai.usage.cache_creation_input_tokens') ?? toNumber(mlflow.cache_creation_input_tokens),
    reasoning: firstNumber(attrs, 'gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning',
      'gen_ai.usage.reasoning_tokens', 'llm.usage.reasoning_tokens', 'ai.usage.reasoningTokens'),
  };
  if (tokens.input === undefined && tokens.output === undefined && tokens.total === undefined) return undefined;
  tokens.total ??= (tokens.input ?? 0) + (tokens.output ?? 0);
  for (const key of Object.keys(tokens) as (keyof Tokens)[]) if (tokens[key] === undefined) delete tokens[key];
  return tokens;
}

/** A cost the application recorded itself wins over the price table. */
function recordedCost(attrs: Attributes): number | undefined {
  const total = firstNumber(attrs, 'llm.cost.total')
    ?? toNumber(jsonRecord(attrs['langfuse.observation.cost_details'])?.total)
    ?? toNumber(jsonRecord(attrs['mlflow.llm.cost'])?.total_cost)
    ?? firstNumber(attrs, 'gen_ai.usage.cost', 'cost.usd', 'llm.cost.usd', 'llm.cost_usd');
  if (total !== undefined) return total;
  const prompt = firstNumber(attrs, 'llm.cost.prompt');
  const completion = firstNumber(attrs, 'llm.cost.completion');
  return prompt === undefined && completion === undefined ? undefined : (prompt ?? 0) + (completion ?? 0);
}
