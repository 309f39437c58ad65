// The engine's own span model, as every decoder (OTLP protobuf and JSON, the trace file shapes)
// produces it: spans and log records as they came, ids as lowercase hex, times in epoch milliseconds.
// Normalization happens later (normalize/); the index keeps them as StoredSpan (storedSpan.ts).
import type { AttributeValue, Attributes } from '../../shared/spanModel';

/** Shared by every span of one ResourceSpans, so a batch holds it once. */
export interface ResourceInfo {
  attributes: Attributes;
  service: string;
}

export interface ScopeInfo {
  name: string;
  version?: string;
}

export interface RawEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
  body?: AttributeValue;
  /** Set on events that arrived as OTLP log records rather than span events. */
  fromLog?: boolean;
}

export interface RawLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface RawSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  otelKind: number;
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: RawEvent[];
  links?: RawLink[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage?: string;
  resource: ResourceInfo;
  scope: ScopeInfo;
}

export interface RawLog {
  traceId?: string;
  spanId?: string;
  event: RawEvent;
}

export interface DecodedBatch<T> {
  items: T[];
  rejected: number;
  /** Why items were rejected, one phrase per cause. */
  rejectReasons: Set<string>;
}

export function newBatch<T>(): DecodedBatch<T> {
  return { items: [], rejected: 0, rejectReasons: new Set() };
}

/**
 * A span with more attributes than this (its own, its events' and links') is refused alone
 * (partial_success): the OTel SDKs keep 128 by default, and 200,000 scores on one retrieval cost
 * seconds of the engine's one thread to index.
 */
export const MAX_SPAN_ATTRIBUTES = 10_000;
/** Decoders stop decoding a span's attributes here: one more than allowed marks it for refusal. */
export const OVERSIZED_SPAN = MAX_SPAN_ATTRIBUTES + 1;

/** Keys that must never land on a plain object as-is. */
export function setAttribute(target: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

// Decoders produce lowercase hex, so the common case is a length check and a compare.
export function isValidTraceId(id: string | undefined): id is string {
  return id !== undefined && id.length === 32 && id !== ZERO_TRACE_ID && HEX_TRACE_ID.test(id);
}

export function isValidSpanId(id: string | undefined): id is string {
  return id !== undefined && id.length === 16 && id !== ZERO_SPAN_ID && HEX_SPAN_ID.test(id);
}

/** Checks a decoded span's ids; returns the reason it is unusable, or undefined. */
export function spanProblem(span: { traceId?: string; spanId?: string }): string | undefined {
  if (!isValidTraceId(span.traceId)) return 'trace id is not 16 non-zero bytes';
  if (!isValidSpanId(span.spanId)) return 'span id is not 8 non-zero bytes';
  return undefined;
}

export const NANOS_PER_MS = 1e6;

/** Times are fixed64 nanoseconds: the most they hold, in milliseconds (in the year 2554). */
export const MAX_TIME_MS = 2 ** 64 / NANOS_PER_MS;
