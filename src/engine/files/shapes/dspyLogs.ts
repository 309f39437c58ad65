// Hand-rolled DSPy request logs (reference §3.1; no spec): one request per line with `inputs`,
// `outputs`, `total_latency_ms` and `timestamp`, optionally `steps[]` of `{step, inputs, outputs,
// latency_ms}`. Each line becomes a trace: a root span for the request and one child per step,
// laid end to end from the request's start (the log has no step start times), so durations, the
// waterfall and Show Slow Traces work on them.
import type { Attributes, AttributeValue } from '../../../shared/spanModel';
import type { RawSpan } from '../../model/rawSpan';
import { setAttribute } from '../../model/rawSpan';
import { Converted, derivedIds, finiteNumber, ioText, isObject, isoToMs, Json, RecordContext, resourceOf } from './shapeContext';

/** Set on step spans whose start time was laid out, not recorded. */
export const TIMING_SYNTHETIC = 'ai_trace_inspector.timing_synthetic';

const DSPY_RESOURCE = { 'service.name': 'dspy' };

export function isDspyStepLog(v: Json): boolean {
  return Array.isArray(v.steps) && v.steps.length > 0 && v.steps.every(isObject) && hasRequestFields(v);
}

export function isDspyRequestLog(v: Json): boolean {
  return 'inputs' in v && 'outputs' in v && hasRequestFields(v) && !('messages' in v);
}

function hasRequestFields(v: Json): boolean {
  return 'total_latency_ms' in v || 'trace_id' in v || 'timestamp' in v;
}

export function convertDspyLog(v: Json, ctx: RecordContext): Converted {
  // A request with its own time or id is the same request under any file name: a rotated log
  // read again (app.log.1) must not double it.
  const ids = derivedIds(ctx, v, 'timestamp' in v || 'trace_id' in v ? `dspy-log:${JSON.stringify(v)}` : undefined);
  const steps = (Array.isArray(v.steps) ? v.steps : []).filter(isObject);
  const startMs = isoToMs(v.timestamp) ?? ctx.fileTimeMs;
  const stepsMs = steps.reduce((sum, s) => sum + (finiteNumber(s.latency_ms) ?? 0), 0);
  const resource = resourceOf({ ...DSPY_RESOURCE });
  const scope = { name: 'dspy' };
  const rootId = ids.spanId(0);
  const span = (spanId: string, name: string, kind: string, io: Json, from: number, durationMs: number): RawSpan => {
    const attributes: Attributes = {};
    const set = (key: string, value: AttributeValue) => setAttribute(attributes, ctx.strings.intern(key), value);
    set('openinference.span.kind', kind);
    if ('inputs' in io) { set('input.value', ctx.strings.intern(ioText(io.inputs))); set('input.mime_type', 'application/json'); }
    if ('outputs' in io) { set('output.value', ctx.strings.intern(ioText(io.outputs))); set('output.mime_type', 'application/json'); }
    const error = errorIn(io);
    return {
      traceId: ids.traceId, spanId, name: ctx.strings.intern(name), otelKind: 1, startMs: from, endMs: from + Math.max(0, durationMs),
      attributes, events: [], statusCode: error ? 2 : 0, statusMessage: error, resource, scope,
    };
  };
  const root = span(rootId, String(v.program ?? v.module ?? 'dspy program'), 'CHAIN', v, startMs, finiteNumber(v.total_latency_ms) ?? stepsMs);
  if (typeof v.trace_id === 'string' || typeof v.trace_id === 'number') setAttribute(root.attributes, 'dspy.trace_id', String(v.trace_id));
  let at = startMs;
  const children = steps.map((step, i) => {
    const latency = finiteNumber(step.latency_ms) ?? 0;
    const name = String(step.step ?? step.name ?? `step ${i + 1}`);
    const child = span(ids.spanId(i + 1), name, stepKind(name), step, at, latency);
    child.parentSpanId = rootId;
    setAttribute(child.attributes, TIMING_SYNTHETIC, true);
    at += latency;
    return child;
  });
  const failed = children.find((c) => c.statusCode === 2);
  if (failed && root.statusCode !== 2) {
    root.statusCode = 2;
    root.statusMessage = `${failed.name}: ${failed.statusMessage}`;
  }
  return { spans: [root, ...children] };
}

// The reference's name heuristics: retriev… is a retriever; predict…, generate… and lm are LLM calls.
function stepKind(name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith('retriev')) return 'RETRIEVER';
  if (lower.startsWith('predict') || lower.startsWith('generate') || lower === 'lm') return 'LLM';
  return 'CHAIN';
}

/** An `error` field, or an output that is an error message (the DSPy guide logs `Error: ...`). */
function errorIn(io: Json): string | undefined {
  const explicit = io.error ?? io.exception;
  if (typeof explicit === 'string' && explicit) return explicit;
  if (isObject(explicit)) return String(explicit.message ?? JSON.stringify(explicit));
  const outputs = io.outputs;
  const values = isObject(outputs) ? Object.values(outputs) : [outputs];
  const message = values.find((x): x is string => typeof x === 'string' && /^(Error|Exception|Traceback)\b/.test(x));
  return message;
}
