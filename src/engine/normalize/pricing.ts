// Model prices: the user's overrides first, then the table bundled with @pydantic/genai-prices
// (USD, dated with the package version; never fetched at run time).
import { calcPrice } from '@pydantic/genai-prices';
import type { Tokens } from '../../shared/spanModel';

/** A user's price for a model, in USD per million tokens. */
export interface PriceOverride {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export class PriceTable {
  /** Model ids the bundled table does not know, so we look each up only once. */
  private readonly unknown = new Set<string>();
  private readonly overrides: Map<string, PriceOverride>;

  constructor(overrides: Record<string, PriceOverride> = {}) {
    this.overrides = new Map(Object.entries(overrides).map(([model, price]) => [model.toLowerCase(), price]));
  }

  /** Cost in USD of one call, or undefined where the model has no price. */
  cost(model: string, provider: string | undefined, tokens: Tokens): number | undefined {
    const input = tokens.input ?? 0;
    const output = tokens.output ?? Math.max((tokens.total ?? 0) - input, 0);
    const override = this.override(model);
    if (override) {
      const cacheRead = tokens.cacheRead ?? 0;
      const cacheWrite = tokens.cacheWrite ?? 0;
      const uncached = Math.max(input - cacheRead - cacheWrite, 0);
      return (uncached * override.input + cacheRead * (override.cacheRead ?? override.input)
        + cacheWrite * (override.cacheWrite ?? override.input) + output * override.output) / 1e6;
    }
    for (const candidate of modelIdCandidates(model)) {
      const key = `${provider ?? ''}|${candidate}`;
      if (this.unknown.has(key)) continue;
      const usage = {
        input_tokens: input, output_tokens: output,
        cache_read_tokens: tokens.cacheRead, cache_write_tokens: tokens.cacheWrite,
      };
      const result = safeCalc(usage, candidate, provider) ?? (provider ? safeCalc(usage, candidate, undefined) : null);
      if (result) return result.total_price;
      this.unknown.add(key);
    }
    return undefined;
  }

  private override(model: string): PriceOverride | undefined {
    if (this.overrides.size === 0) return undefined;
    for (const candidate of modelIdCandidates(model)) {
      const price = this.overrides.get(candidate.toLowerCase());
      if (price) return price;
    }
    return undefined;
  }
}

function safeCalc(usage: Parameters<typeof calcPrice>[0], model: string, providerId: string | undefined) {
  try {
    return calcPrice(usage, model, providerId ? { providerId } : undefined);
  } catch {
    return null;
  }
}

/** The id as given, then without a provider prefix, a Bedrock version or a Vertex date. */
export function modelIdCandidates(model: string): string[] {
  const candidates = [model];
  const add = (id: string) => { if (id && !candidates.includes(id)) candidates.push(id); };
  const bare = model.replace(/^[a-z0-9_-]+\//i, '').replace(/^(anthropic|openai|meta|amazon|cohere|mistral)\./i, '');
  add(bare);
  add(bare.replace(/-v\d+(:\d+)?$/, '').replace(/@\d{8}$/, ''));
  add(bare.replace(/-\d{4}-?\d{2}-?\d{2}$/, ''));
  return candidates;
}
