// Builds raw spans (as the OTLP decoders produce them) for index and normalization tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attributes } from '../../../src/shared/spanModel';
import type { RawEvent, RawSpan } from '../../../src/engine/model/rawSpan';
import { TraceIndex } from '../../../src/engine/index/traceIndex';
import { PriceTable } from '../../../src/engine/normalize/pricing';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

export function fixtureAttributes(name: string): Attributes {
  return JSON.parse(readFileSync(join(FIXTURES, 'public', 'openinference-genai', name), 'utf8')) as Attributes;
}

let nextId = 1;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export function rawSpan(attributes: Attributes, options: Partial<RawSpan> = {}): RawSpan {
  const n = nextId++;
  return {
    traceId: hex(n, 32),
    spanId: hex(n, 16),
    name: 'span',
    otelKind: 1,
    startMs: 1_700_000_000_000,
    endMs: 1_700_000_001_000,
    attributes,
    events: [] as RawEvent[],
    statusCode: 0,
    resource: { attributes: { 'service.name': 'test-app' }, service: 'test-app' },
    scope: { name: 'test' },
    ...options,
  };
}

/** Indexes the spans and returns the normalized form of each, by span id. */
export function normalized(spans: RawSpan[], index = new TraceIndex(new PriceTable())) {
  index.addSpans(spans);
  const result = new Map<string, ReturnType<typeof normalizeOne>>();
  const normalizeOne = (traceId: string, spanId: string) => index.trace(traceId)!.spans.find((s) => s.spanId === spanId)!;
  for (const s of spans) result.set(s.spanId, normalizeOne(s.traceId, s.spanId));
  return { index, spans: result };
}

export function normalizeAttributes(attributes: Attributes, options: Partial<RawSpan> = {}) {
  const span = rawSpan(attributes, options);
  return normalized([span]).spans.get(span.spanId)!;
}
