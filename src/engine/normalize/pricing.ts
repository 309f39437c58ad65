// Model prices: the user's overrides first, then the table bundled with @pydantic/genai-prices
// (USD; never fetched at run time). A model is looked up in the table once; its rates are
// cached, because a table lookup costs more than ingesting the span.
import { calcPrice, ModelPrice, TieredPrices } from '@pydantic/genai-prices';
import type { Tokens } from '../../shared/spanModel';

/** A user's price for a model, in USD per million tokens. */
export interface PriceOverride {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

type Rate = number | TieredPrices | undefined;

interface Rates {
  input: Rate;
  output: Rate;
  cacheRead: Rate;
  cacheWrite: Rate;
}

export class PriceTable {
  /** The user's prices, by model id in lower case. */
  private readonly overrides = new Map<string, Rates>();
  /** Rates found, by provider ('' for none) then model: two lookups of interned strings, no key built per span. */
  private readonly rates = new Map<string, Map<string, Rates | null>>();

  constructor(overrides: Record<string, PriceOverride> = {}) {
    for (const [model, price] of Object.entries(overrides)) {
      this.overrides.set(model.toLowerCase(), {
        input: price.input, output: price.output, cacheRead: price.cacheRead, cacheWrite: price.cacheWrite,
      });
    }
  }

  /** Cost in USD of one call, or undefined where the model has no price. */
  cost(model: string, provider: string | undefined, tokens: Tokens): number | undefined {
    const rates = this.lookup(model, provider);
    if (!rates) return undefined;
    const input = tokens.input ?? 0;
    let output = tokens.output ?? Math.max((tokens.total ?? 0) - input, 0);
    // Gemini counts thoughts beside the output rather than in it (the total shows which);
    // they are billed as output either way.
    const reasoning = tokens.reasoning ?? 0;
    const reasoningApart = reasoning > 0 && tokens.output !== undefined && input + output + reasoning === tokens.total;
    if (reasoningApart) output += reasoning;
    const cacheRead = tokens.cacheRead ?? 0;
    const cacheWrite = tokens.cacheWrite ?? 0;
    // Input counts include cached tokens (OTel GenAI and the price table agree on that).
    const uncached = Math.max(input - cacheRead - cacheWrite, 0);
    return (uncached * resolve(rates.input, input) + cacheRead * resolve(rates.cacheRead ?? rates.input, input)
      + cacheWrite * resolve(rates.cacheWrite ?? rates.input, input) + output * resolve(rates.output, input)) / 1e6;
  }

  private lookup(model: string, provider: string | undefined): Rates | null {
    let byModel = this.rates.get(provider ?? '');
    if (!byModel) this.rates.set(provider ?? '', (byModel = new Map()));
    let rates = byModel.get(model);
    if (rates === undefined) {
      rates = this.find(model, provider);
      byModel.set(model, rates);
    }
    return rates;
  }

  private find(model: string, provider: string | undefined): Rates | null {
    const candidates = modelIdCandidates(model);
    for (const candidate of candidates) {
      const override = this.overrides.get(candidate.toLowerCase());
      if (override) return override;
    }
    for (const candidate of candidates) {
      const found = tableRates(candidate, provider) ?? (provider ? tableRates(candidate, undefined) : null);
      if (found) return found;
    }
    return null;
  }
}

function tableRates(model: string, providerId: string | undefined): Rates | null {
  try {
    const result = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, providerId ? { providerId } : undefined);
    if (!result) return null;
    const price: ModelPrice = result.model_price;
    return { input: price.input_mtok, output: price.output_mtok, cacheRead: price.cache_read_mtok, cacheWrite: price.cache_write_mtok };
  } catch {
    return null;
  }
}

/** A tiered price applies the highest tier the prompt reaches to the whole call. */
function resolve(rate: Rate, inputTokens: number): number {
  if (rate === undefined) return 0;
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (inputTokens >= tier.start) price = tier.price;
  return price;
}

/** The id as given, then without a provider prefix (and Bedrock region), a Bedrock version or a Vertex date. */
export function modelIdCandidates(model: string): string[] {
  const candidates = [model];
  const add = (id: string) => { if (id && !candidates.includes(id)) candidates.push(id); };
  // Bedrock's cross-region inference profiles put a region before the vendor (`us.anthropic.`).
  const bare = model.replace(/^[a-z0-9_-]+\//i, '').replace(/^(us|eu|apac|jp|au|global|us-gov)\.(?=[a-z]+\.)/i, '')
    .replace(/^(anthropic|openai|meta|amazon|cohere|mistral)\./i, '');
  add(bare);
  add(bare.replace(/-v\d+(:\d+)?$/, '').replace(/@\d{8}$/, ''));
  add(bare.replace(/-\d{4}-?\d{2}-?\d{2}$/, ''));
  return candidates;
}
