// What every non-OTLP shape converter gets and shares: where the record came from, the string
// table, and helpers to turn plain JSON into the raw span form the OTLP decoders produce.
import type { AttributeValue, Attributes } from '../../../shared/spanModel';
import { derivedId } from '../../model/derivedId';
import type { StringTable } from '../../model/stringTable';
import { serviceName } from '../../otlp/decodeProto';
import { RawLog, RawSpan, ResourceInfo, setAttribute } from '../../model/rawSpan';

export type Json = Record<string, unknown>;

export interface RecordContext {
  file: string;
  /** 1-based line where the record starts. */
  line: number;
  /** The file's modification time: the start of records that carry no time. */
  fileTimeMs: number;
  strings: StringTable;
}

/** What one record turned into; `rejected` lists why spans were refused (bad ids). */
export interface Converted {
  spans: RawSpan[];
  logs?: RawLog[];
  rejected?: string[];
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Ids for shapes that have none, derived from the file, the line and the record itself: reading
 * the file again yields the same ids (the index replaces, never duplicates), while a different
 * record at the same line (a rotated file) gets new ones.
 */
export function derivedIds(ctx: RecordContext, record: unknown, stableKey?: string): { traceId: string; spanId: (n: number) => string } {
  const key = stableKey ?? `${ctx.file}\n${ctx.line}\n${JSON.stringify(record)}`;
  const digest = derivedId(key, 64);
  return { traceId: digest.slice(0, 32), spanId: (n) => derivedId(`${digest}/${n}`, 16) };
}

/** Plain JSON values (Python's and the JS SDK's attribute maps) as attributes, strings interned. */
export function plainAttributes(value: unknown, strings: StringTable): Attributes {
  const attributes: Attributes = {};
  if (!isObject(value)) return attributes;
  for (const key in value) setAttribute(attributes, strings.intern(key), plainValue(value[key], strings));
  return attributes;
}

function plainValue(v: unknown, strings: StringTable): AttributeValue {
  if (typeof v === 'string') return strings.intern(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v)) return v.map((x) => plainValue(x, strings));
  if (isObject(v)) return plainAttributes(v, strings);
  return null;
}

export function resourceOf(attributes: Attributes): ResourceInfo {
  return { attributes, service: serviceName(attributes) };
}

/** A JSON value as the text an `input.value` / `output.value` attribute holds. */
export function ioText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v ?? null);
}

/**
 * ISO-8601 time → epoch ms, keeping microseconds (Python writes `...:05.123456Z`). A time
 * without a zone is local, as Python's `datetime.now().isoformat()` writes it.
 */
export function isoToMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(v.trim());
  if (!m) {
    const parsed = Date.parse(v);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  const whole = Date.parse(m[1].replace(' ', 'T') + (m[3] ?? ''));
  return Number.isFinite(whole) ? whole + (m[2] ? Number(`0${m[2]}`) * 1000 : 0) : undefined;
}

export function finiteNumber(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** `0x`-prefixed or bare hex id of the given byte length, lowercase; undefined otherwise. */
export function hexId(v: unknown, bytes: 8 | 16): string | undefined {
  if (typeof v !== 'string') return undefined;
  const bare = v.startsWith('0x') ? v.slice(2) : v;
  return bare.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(bare) ? bare.toLowerCase() : undefined;
}
