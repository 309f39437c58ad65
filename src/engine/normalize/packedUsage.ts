// Usage, cost and model that SDKs pack into one JSON attribute instead of one attribute per
// count: MLflow, Langfuse, the Vercel AI SDK's provider metadata, Google ADK's response blob,
// Genkit's action output. A reader runs only for a span that has its key, and parses at most
// MAX_INGEST_JSON_CHARS: this runs at ingest, for every span.
import type { AttributeValue, Attributes } from '../../shared/spanModel';
import { MAX_INGEST_JSON_CHARS, dig, isRecord, ownEntry, recordOf, toNumber } from './attributeReader';
import { claudeCodeUsage } from './conventions/codingAgents';

export type PackedField = 'requestModel' | 'provider' | 'input' | 'output' | 'total' | 'cacheRead' | 'cacheWrite' | 'reasoning' | 'cost';

/** Offers a field's value; `inputExcludesCache` says the blob's input count leaves cached tokens out. */
export type UsageOffer = (field: PackedField, value: unknown, inputExcludesCache?: boolean) => void;

type PackedReader = (value: AttributeValue, attrs: Attributes, offer: UsageOffer) => void;

const blob = (v: AttributeValue) => recordOf(v, MAX_INGEST_JSON_CHARS);

/** Offers the first key present of each field's names. */
function offerKeys(record: Record<string, unknown>, names: Partial<Record<PackedField, string[]>>, offer: UsageOffer): void {
  for (const field in names) {
    for (const name of names[field as PackedField]!) {
      if (record[name] !== undefined) { offer(field as PackedField, record[name]); break; }
    }
  }
}

/**
 * Langfuse's usage buckets: `input` and `output` leave out the cache and reasoning buckets
 * beside them (Langfuse adds every bucket into its total); provider-style keys
 * (`input_tokens`, `prompt_tokens`) come as the provider counted them.
 */
function langfuseUsage(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  const usage = blob(value);
  if (!usage) return;
  const cacheRead = toNumber(usage.input_cached_tokens ?? usage.input_cache_read ?? usage.cache_read_input_tokens);
  const cacheWrite = toNumber(usage.input_cache_creation ?? usage.input_cache_write ?? usage.cache_creation_input_tokens);
  const reasoning = toNumber(usage.output_reasoning_tokens ?? usage.output_reasoning ?? usage.reasoning_tokens);
  const bucketed = usage.input !== undefined;
  // Anthropic's own `input_tokens` also leaves the cache out.
  const anthropicStyle = usage.input_tokens !== undefined && usage.cache_read_input_tokens !== undefined;
  offer('input', usage.input ?? usage.input_tokens ?? usage.prompt_tokens, bucketed || anthropicStyle);
  const output = toNumber(usage.output ?? usage.output_tokens ?? usage.completion_tokens);
  offer('output', bucketed && output !== undefined && reasoning !== undefined ? output + reasoning : output);
  offer('total', usage.total ?? usage.total_tokens);
  offer('cacheRead', cacheRead);
  offer('cacheWrite', cacheWrite);
  offer('reasoning', reasoning);
}

/** Langfuse cost: a `total`, or the buckets (`input`, `output`, ...) added up. */
function langfuseCost(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  const cost = blob(value);
  if (!cost) return;
  if (cost.total !== undefined) { offer('cost', cost.total); return; }
  let sum: number | undefined;
  for (const key in cost) {
    const n = toNumber(cost[key]);
    if (n !== undefined) sum = (sum ?? 0) + n;
  }
  offer('cost', sum);
}

/**
 * The AI SDK's `ai.response.providerMetadata`: cache and reasoning counts in each provider's
 * own names. Its Anthropic provider (before AI SDK 5) counted input without the cache; the
 * metadata's raw `usage.input_tokens` equal to the SDK's input count, or AI SDK 4's
 * `promptTokens`, shows that case.
 */
function aiSdkProviderMetadata(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  const meta = blob(value);
  if (!meta) return;
  const anthropic = meta.anthropic;
  if (isRecord(anthropic)) {
    const usage = isRecord(anthropic.usage) ? anthropic.usage : {};
    const read = anthropic.cacheReadInputTokens ?? usage.cache_read_input_tokens;
    const write = anthropic.cacheCreationInputTokens ?? usage.cache_creation_input_tokens;
    const reported = toNumber(attrs['ai.usage.inputTokens'] ?? attrs['ai.usage.promptTokens'] ?? attrs['gen_ai.usage.input_tokens']);
    const raw = toNumber(usage.input_tokens);
    // Without the raw usage, only AI SDK 4 (which names input `promptTokens`) left the cache out.
    const excludes = raw !== undefined ? raw === reported : attrs['ai.usage.promptTokens'] !== undefined;
    offer('cacheRead', read, excludes && toNumber(read)! > 0);
    offer('cacheWrite', write, excludes && toNumber(write)! > 0);
  }
  const openai = meta.openai ?? meta.azure;
  if (isRecord(openai)) offerKeys(openai, { cacheRead: ['cachedPromptTokens'], reasoning: ['reasoningTokens'] }, offer);
  const bedrock = dig(meta, 'bedrock', 'usage');
  if (isRecord(bedrock)) {
    // Bedrock counts input without the cache too; some SDK versions pass that count on as is.
    const excludes = toNumber(bedrock.inputTokens) === toNumber(attrs['ai.usage.inputTokens'] ?? attrs['gen_ai.usage.input_tokens']);
    const write = toNumber(bedrock.cacheWriteInputTokens) || toNumber(bedrock.cacheCreationInputTokens);
    offer('cacheRead', bedrock.cacheReadInputTokens, excludes && toNumber(bedrock.cacheReadInputTokens)! > 0);
    offer('cacheWrite', write, excludes && write! > 0);
  }
  for (const google of [dig(meta, 'google', 'usageMetadata'), dig(meta, 'vertex', 'usageMetadata')]) {
    if (isRecord(google)) offerKeys(google, { cacheRead: ['cachedContentTokenCount'], reasoning: ['thoughtsTokenCount'] }, offer);
  }
}

/** Gemini usage metadata, as Google ADK dumps it (snake case) or the API sends it (camel case). */
const GEMINI_USAGE: Partial<Record<PackedField, string[]>> = {
  input: ['prompt_token_count', 'promptTokenCount'],
  output: ['candidates_token_count', 'candidatesTokenCount'],
  total: ['total_token_count', 'totalTokenCount'],
  cacheRead: ['cached_content_token_count', 'cachedContentTokenCount'],
  reasoning: ['thoughts_token_count', 'thoughtsTokenCount'],
};

/** Google ADK before 1.x recorded usage only inside its response blob; later ones also as gen_ai.usage.*. */
function adkResponse(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  if (typeof value !== 'string' || value.length <= 2) return;
  const response = blob(value);
  const usage = response && (response.usage_metadata ?? response.usageMetadata);
  if (isRecord(usage)) offerKeys(usage, GEMINI_USAGE, offer);
}

/** Genkit's model action output: `{message, usage: {inputTokens, ...}}` (older: `{candidates, usage}`). */
function genkitOutput(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  if (attrs['genkit:metadata:subtype'] !== 'model') return;
  const usage = dig(blob(value), 'usage');
  if (isRecord(usage)) {
    offerKeys(usage, {
      input: ['inputTokens'], output: ['outputTokens'], total: ['totalTokens'],
      cacheRead: ['cachedContentTokens'], reasoning: ['thoughtsTokens'],
    }, offer);
  }
}

/** Genkit names the model in the model action's name (`googleai/gemini-2.5-flash`). */
function genkitName(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  if (attrs['genkit:metadata:subtype'] === 'model') offer('requestModel', value);
}

/** Logfire's OpenAI Agents Responses spans: the Responses API `usage` object as it came. */
function responsesUsage(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  if (attrs['gen_ai.system'] !== 'openai' || attrs.response_id === undefined) return;
  const usage = blob(value);
  if (!usage) return;
  offerKeys(usage, { input: ['input_tokens'], output: ['output_tokens'], total: ['total_tokens'] }, offer);
  const inputDetails = usage.input_tokens_details;
  if (isRecord(inputDetails)) offerKeys(inputDetails, { cacheRead: ['cached_tokens'], cacheWrite: ['cache_write_tokens'] }, offer);
  const outputDetails = usage.output_tokens_details;
  if (isRecord(outputDetails)) offerKeys(outputDetails, { reasoning: ['reasoning_tokens'] }, offer);
}

/** A Haystack generator's replies carry the provider's usage and model in their `meta`. */
function haystackOutput(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  const type = attrs['haystack.component.type'];
  if (typeof type !== 'string' || !type.endsWith('Generator')) return;
  const replies = blob(value)?.replies;
  const meta = Array.isArray(replies) ? dig(replies[0], 'meta') : undefined;
  if (!isRecord(meta)) return;
  offer('requestModel', meta.model);
  const usage = meta.usage;
  if (!isRecord(usage)) return;
  offerKeys(usage, {
    input: ['prompt_tokens', 'input_tokens'], output: ['completion_tokens', 'output_tokens'], total: ['total_tokens'],
    cacheRead: ['cache_read_input_tokens'], cacheWrite: ['cache_creation_input_tokens'],
  }, offer);
  const cached = dig(usage, 'prompt_tokens_details', 'cached_tokens');
  if (cached !== undefined) offer('cacheRead', cached);
  const reasoning = dig(usage, 'completion_tokens_details', 'reasoning_tokens');
  if (reasoning !== undefined) offer('reasoning', reasoning);
}

/**
 * MLflow's usage keeps the provider's counts: for Anthropic's messages (`mlflow.message.format`,
 * stored as JSON like every MLflow attribute) the input and so the total leave the cache out;
 * the total is then the input with the cache added, plus the output.
 */
function mlflowTokenUsage(value: AttributeValue, attrs: Attributes, offer: UsageOffer): void {
  const usage = blob(value);
  if (!usage) return;
  const format = attrs['mlflow.message.format'];
  const anthropic = format === '"anthropic"' || format === 'anthropic';
  offer('input', usage.input_tokens, anthropic);
  if (!anthropic) offer('total', usage.total_tokens);
  offerKeys(usage, {
    output: ['output_tokens'], cacheRead: ['cache_read_input_tokens'], cacheWrite: ['cache_creation_input_tokens'],
  }, offer);
}

function mlflowCost(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  offer('cost', blob(value)?.total_cost);
}

/**
 * Logfire keeps the provider's own usage object beside the GenAI counts (`gen_ai.usage.raw`):
 * the cache and reasoning counts are only there. Its counts stay the span's: Logfire's input
 * already adds Anthropic's cache buckets in.
 */
function logfireRawUsage(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  const usage = blob(value);
  if (!usage) return;
  offer('cacheRead', usage.cache_read_input_tokens ?? dig(usage, 'prompt_tokens_details', 'cached_tokens')
    ?? dig(usage, 'input_tokens_details', 'cached_tokens'));
  offer('cacheWrite', usage.cache_creation_input_tokens);
  offer('reasoning', dig(usage, 'completion_tokens_details', 'reasoning_tokens') ?? dig(usage, 'output_tokens_details', 'reasoning_tokens'));
}

/**
 * LangSmith passes LangChain's usage details on as the text of a Python dict (`{'cache_read': 5}`),
 * or JSON: their counts are read by name from either.
 */
const DETAIL_COUNT = /["'](\w+)["']\s*:\s*(\d+)/g;
const LANGCHAIN_DETAILS: Record<string, PackedField> = { cache_read: 'cacheRead', cache_creation: 'cacheWrite', reasoning: 'reasoning' };

function langChainTokenDetails(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  if (typeof value !== 'string' || value.length > MAX_INGEST_JSON_CHARS) return;
  for (const [, name, count] of value.matchAll(DETAIL_COUNT)) {
    const field = ownEntry(LANGCHAIN_DETAILS, name);
    if (field) offer(field, Number(count));
  }
}

/** Braintrust's SDKs: the model and provider in `braintrust.metadata`, usage in `braintrust.metrics` (as JSON). */
const BRAINTRUST_METRICS: Partial<Record<PackedField, string[]>> = {
  input: ['prompt_tokens'], output: ['completion_tokens'], total: ['tokens'],
  cacheRead: ['prompt_cached_tokens'], cacheWrite: ['prompt_cache_creation_tokens'], reasoning: ['completion_reasoning_tokens'],
};

function braintrustMetadata(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  const metadata = blob(value);
  if (metadata) offerKeys(metadata, { requestModel: ['model'], provider: ['provider'] }, offer);
}

function braintrustMetrics(value: AttributeValue, _attrs: Attributes, offer: UsageOffer): void {
  const metrics = blob(value);
  if (metrics) offerKeys(metrics, BRAINTRUST_METRICS, offer);
}

/** A Map, not an object: an attribute named `__proto__` or `toString` must find nothing. */
export const PACKED_USAGE = new Map<string, PackedReader>([
  ['mlflow.chat.tokenUsage', mlflowTokenUsage],
  ['mlflow.llm.cost', mlflowCost],
  ['langfuse.observation.usage_details', langfuseUsage],
  ['langfuse.observation.cost_details', langfuseCost],
  ['ai.response.providerMetadata', aiSdkProviderMetadata],
  ['gcp.vertex.agent.llm_response', adkResponse],
  ['genkit:output', genkitOutput],
  ['genkit:name', genkitName],
  ['usage', responsesUsage],
  ['haystack.component.output', haystackOutput],
  ['span.type', claudeCodeUsage],
  ['gen_ai.usage.raw', logfireRawUsage],
  ['gen_ai.usage.input_token_details', langChainTokenDetails],
  ['braintrust.metadata', braintrustMetadata],
  ['braintrust.metrics', braintrustMetrics],
  ['gen_ai.usage.output_token_details', langChainTokenDetails],
]);
