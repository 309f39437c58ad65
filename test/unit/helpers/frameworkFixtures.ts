// Loads a fixture of test/fixtures/frameworks/: spans as an SDK emits them (attributes, span
// events, log records), taken from the SDK's source or made by running it. Each span is indexed
// as the OTLP receivers would hand it over, and comes back normalized, by its fixture id.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue, Attributes, Span } from '../../../src/shared/spanModel';
import type { RawLog, RawSpan } from '../../../src/engine/model/rawSpan';
import { TraceIndex } from '../../../src/engine/index/traceIndex';
import { PriceTable } from '../../../src/engine/normalize/pricing';

export const FRAMEWORK_FIXTURES = join(__dirname, '..', '..', 'fixtures', 'frameworks');

interface FixtureSpan {
  id: string;
  parent?: string;
  name: string;
  scope?: string;
  service?: string;
  otelKind?: number;
  statusCode?: number;
  attributes: Attributes;
  events?: { name: string; attributes?: Attributes }[];
  logs?: { name: string; body?: AttributeValue; attributes?: Attributes }[];
}

export interface FrameworkFixture {
  source: Record<string, unknown>;
  spans: FixtureSpan[];
}

export function frameworkFixtureNames(): string[] {
  return readdirSync(FRAMEWORK_FIXTURES).filter((f) => f.endsWith('.json')).sort();
}

let nextTrace = 1;

/** Indexes every span of the fixture in one trace and returns them normalized, by fixture id. */
export function loadFramework(file: string): Map<string, Span> {
  const fixture = JSON.parse(readFileSync(join(FRAMEWORK_FIXTURES, file), 'utf8')) as FrameworkFixture;
  const traceId = (0xf000 + nextTrace++).toString(16).padStart(32, '0');
  const spanIds = new Map(fixture.spans.map((s, i) => [s.id, (i + 1).toString(16).padStart(16, '0')]));
  const t = 1_700_000_000_000;
  const raw: RawSpan[] = fixture.spans.map((s, i) => ({
    traceId, spanId: spanIds.get(s.id)!, parentSpanId: s.parent ? spanIds.get(s.parent) : undefined,
    name: s.name, otelKind: s.otelKind ?? 1, startMs: t + i, endMs: t + 1000 + i, attributes: s.attributes,
    events: (s.events ?? []).map((e) => ({ name: e.name, timeMs: t + i, attributes: e.attributes ?? {} })),
    statusCode: s.statusCode ?? 1,
    resource: { attributes: { 'service.name': s.service ?? 'framework-app' }, service: s.service ?? 'framework-app' },
    scope: { name: s.scope ?? '' },
  }));
  const logs: RawLog[] = fixture.spans.flatMap((s) => (s.logs ?? []).map((l) => ({
    traceId, spanId: spanIds.get(s.id), event: { name: l.name, timeMs: t, attributes: l.attributes ?? { 'event.name': l.name }, body: l.body, fromLog: true },
  })));
  const index = new TraceIndex(new PriceTable());
  index.addSpans(raw);
  if (logs.length) index.addLogs(logs);
  const spans = index.trace(traceId)!.spans;
  return new Map(fixture.spans.map((s) => [s.id, spans.find((n) => n.spanId === spanIds.get(s.id))!]));
}
