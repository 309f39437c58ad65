// The one conversion of a trace file's JSON text: parsed, each record in it (a value, or the
// values of an array) recognized by its shape and converted to raw spans and log records. It runs
// on the engine's thread for small texts and on the file record worker (recordWorker.ts) for
// large ones, so both give the same spans, problems and file shape.
import { oversized, OVERSIZED_REASON } from '../otlp/decoders';
import type { JsonDecoder } from '../otlp/decodeJson';
import { pushAll } from '../../shared/arrays';
import type { RawLog, RawSpan } from '../model/rawSpan';
import { jsonErrorOffset, jsonErrorReason, lineAndColumn } from './jsonSyntax';
import { isIgnoredShape, recordShape } from './recordShapes';
import type { RecordContext } from './shapes/shapeContext';

/** How deep arrays of documents may nest (a JSON array of documents is depth 1). */
const MAX_ARRAY_DEPTH = 8;

/** What one record of a text was, in the order read (the first record decides the file's shape). */
export type RecordPart =
  /** A record of this shape; `problems`: why its spans were refused, or why it could not be converted. */
  | { label: string; problems: string[] }
  /** JSON that is no trace record. */
  | { notRecord: true }
  | { problem: string };

export interface ConvertedText {
  /** The text is not JSON: where and why (1-based line and column in the file). */
  badJson?: { line: number; reason: string };
  /** The text is one JSON array (of records, or of arrays of them). */
  inArray: boolean;
  parts: RecordPart[];
  /** Every record's spans and log records, in order. */
  spans: RawSpan[];
  logs: RawLog[];
}

/** One JSON text of a trace file starting at `ctx.line` → its records' spans, log records and problems. */
export function convertJsonText(text: string, ctx: RecordContext, otlp: JsonDecoder): ConvertedText {
  const converted: ConvertedText = { inArray: false, parts: [], spans: [], logs: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = lineAndColumn(text, jsonErrorOffset(text), ctx.line);
    converted.badJson = { line: at.line, reason: `bad JSON at column ${at.column}: ${jsonErrorReason(error)}` };
    return converted;
  }
  converted.inArray = Array.isArray(value);
  convertValue(value, 0, ctx, otlp, converted);
  return converted;
}

/** Arrays hold records, maybe in arrays of their own (the recursion is bounded by MAX_ARRAY_DEPTH). */
function convertValue(value: unknown, depth: number, ctx: RecordContext, otlp: JsonDecoder, into: ConvertedText): void {
  if (Array.isArray(value)) {
    // Deeper than that is not traces.
    if (depth >= MAX_ARRAY_DEPTH) into.parts.push({ problem: `arrays nested more than ${MAX_ARRAY_DEPTH} deep` });
    else for (const item of value) convertValue(item, depth + 1, ctx, otlp, into);
    return;
  }
  const shape = recordShape(value);
  if (!shape) {
    into.parts.push({ notRecord: true });
    return;
  }
  if (isIgnoredShape(shape)) return;
  const part = { label: shape.label, problems: [] as string[] };
  into.parts.push(part);
  let converted;
  try {
    converted = shape.convert(value as Record<string, unknown>, ctx, otlp);
  } catch (error) {
    // A record the decoders refuse (values nested too deep, ...) is one bad record, not a failed file.
    part.problems.push((error as Error).message);
    return;
  }
  pushAll(part.problems, converted.rejected ?? []);
  // A span over the attribute limit is refused alone, as the receivers refuse it.
  const fit = converted.spans.filter((span) => !oversized(span));
  if (fit.length < converted.spans.length) part.problems.push(`${converted.spans.length - fit.length} span(s) rejected: ${OVERSIZED_REASON}`);
  pushAll(into.spans, fit);
  pushAll(into.logs, converted.logs ?? []);
}
