// Small typed readers over raw attributes, shared by every convention's normalizer.
import type { AttributeValue, Attributes } from '../../shared/spanModel';

/** The first key present with a non-empty string value. */
export function firstString(attrs: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** The first key present with a finite numeric value (numeric strings count). */
export function firstNumber(attrs: Attributes, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const n = toNumber(attrs[key]);
    if (n !== undefined) return n;
  }
  return undefined;
}

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * The longest JSON string parsed when a trace is opened. Trace content is hostile; the OTLP
 * decoder already caps an attribute, this keeps one parse from holding the event loop for long.
 */
export const MAX_JSON_CHARS = 8_000_000;
/** The longest JSON string parsed at ingest (usage packed in a blob): ingest runs for every span. */
export const MAX_INGEST_JSON_CHARS = 1_000_000;

/**
 * The deepest nesting a parsed value may have: what is parsed is later walked, shown and sent
 * as JSON by recursive code, which a hostile `[[[[...]]]]` would overflow.
 */
export const MAX_JSON_DEPTH = 100;

/** Parses JSON held in a string attribute; other values pass through, bad, oversized or too deep JSON yields undefined. */
export function parseJson(v: unknown, maxChars = MAX_JSON_CHARS): unknown {
  if (typeof v !== 'string') return v;
  if (v.length > maxChars) return undefined;
  const trimmed = v.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[') && !trimmed.startsWith('"')) return undefined;
  if (nestsDeeperThan(v, MAX_JSON_DEPTH)) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** Whether JSON text opens more than `limit` arrays or objects inside each other (strings skipped). */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) { if (++depth > limit) return true; }
    else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** A value as display text: strings as they are, anything else as JSON. */
export function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Flattened lists (OpenInference `a.b.0.c`, OpenLLMetry `gen_ai.prompt.0.role`) are rebuilt
// with a cap, so a hostile index like `.99999999.` cannot allocate a huge sparse array.
const MAX_LIST_ITEMS = 10_000;

/**
 * Rebuilds `prefix.N.rest` keys into an array of records keyed by `rest`, in index order.
 * Holes are dropped.
 */
export function indexedList(attrs: Record<string, AttributeValue>, prefix: string): Record<string, AttributeValue>[] {
  // Made at the first key that matches: most spans have no list under most prefixes asked for.
  let byIndex: Map<number, Record<string, AttributeValue>> | undefined;
  const head = prefix + '.';
  for (const key in attrs) {
    if (!key.startsWith(head)) continue;
    const dot = key.indexOf('.', head.length);
    const indexText = dot < 0 ? key.slice(head.length) : key.slice(head.length, dot);
    if (!/^\d+$/.test(indexText)) continue;
    const index = Number(indexText);
    if (index >= MAX_LIST_ITEMS) continue;
    byIndex ??= new Map();
    let item = byIndex.get(index);
    if (!item) byIndex.set(index, (item = {}));
    item[dot < 0 ? '' : key.slice(dot + 1)] = attrs[key];
  }
  if (!byIndex) return [];
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
}

/** Whether any key starts with `prefix.<digit>`. */
export function hasIndexedList(attrs: Attributes, prefix: string): boolean {
  const head = prefix + '.';
  for (const key in attrs) {
    if (key.startsWith(head)) {
      const c = key.charCodeAt(head.length);
      if (c >= 48 && c <= 57) return true;
    }
  }
  return false;
}

/** A record held as an object or as a JSON string (an instrumentation's serialized blob), else undefined. */
export function recordOf(v: unknown, maxChars = MAX_JSON_CHARS): Record<string, unknown> | undefined {
  const parsed = typeof v === 'string' ? parseJson(v, maxChars) : v;
  return isRecord(parsed) ? parsed : undefined;
}

/** Reads `path` (keys) through nested records; undefined where any step is missing. */
export function dig(v: unknown, ...path: string[]): unknown {
  let at = v;
  for (const key of path) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}

/** A table's own entry for a key from trace content: `constructor` or `__proto__` finds nothing. */
export function ownEntry<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
