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

/** Problems kept per file (the sink's list); past this only their number is. */
export const MAX_PROBLEMS = 100;

/**
 * What the records of a text were, in the order read, as far as it can matter to the file: the
 * first record of a trace shape (it decides the file's shape, when nothing before did), and the
 * first MAX_PROBLEMS problems. A text of millions of values (an embeddings dump on one line) gives
 * a few parts and counts, never one object per value.
 */
export type RecordPart =
  /** The text's first record of a trace shape. */
  | { label: string }
  /** `count` JSON values in a row that are no trace record. */
  | { notRecords: number }
  /** Why a record's spans were refused, or why it could not be converted. */
  | { problem: string };

export interface ConvertedText {
  /** The text is not JSON: where and why (1-based line and column in the file). */
  badJson?: { line: number; reason: string };
  /** The text is one JSON array (of records, or of arrays of them). */
  inArray: boolean;
  parts: RecordPart[];
  /** Problems (values that are no record included) past the first MAX_PROBLEMS: counted, not listed. */
  unlistedProblems: number;
  /** Every record's spans and log records, in order. */
  spans: RawSpan[];
  logs: RawLog[];
}

/** One JSON text of a trace file starting at `ctx.line` → its records' spans, log records and problems. */
export function convertJsonText(text: string, ctx: RecordContext, otlp: JsonDecoder): ConvertedText {
  const converted: ConvertedText = { inArray: false, parts: [], unlistedProblems: 0, spans: [], logs: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = lineAndColumn(text, jsonErrorOffset(text), ctx.line);
    converted.badJson = { line: at.line, reason: `bad JSON at column ${at.column}: ${jsonErrorReason(error)}` };
    return converted;
  }
  converted.inArray = Array.isArray(value);
  convertValue(value, 0, ctx, otlp, { into: converted, listed: 0, labelled: false });
  return converted;
}

/** A conversion under way: its result, the problems listed in it so far, whether a record's shape is. */
interface Conversion {
  into: ConvertedText;
  listed: number;
  labelled: boolean;
}

/** Arrays hold records, maybe in arrays of their own (the recursion is bounded by MAX_ARRAY_DEPTH). */
function convertValue(value: unknown, depth: number, ctx: RecordContext, otlp: JsonDecoder, conversion: Conversion): void {
  if (Array.isArray(value)) {
    // Deeper than that is not traces.
    if (depth >= MAX_ARRAY_DEPTH) addProblem(conversion, `arrays nested more than ${MAX_ARRAY_DEPTH} deep`);
    else for (const item of value) convertValue(item, depth + 1, ctx, otlp, conversion);
    return;
  }
  const shape = recordShape(value);
  if (!shape) {
    addProblem(conversion, NOT_A_RECORD);
    return;
  }
  if (isIgnoredShape(shape)) return;
  const { into } = conversion;
  // Only the text's first record can decide the file's shape: later ones are not listed.
  if (!conversion.labelled) into.parts.push({ label: shape.label });
  conversion.labelled = true;
  let converted;
  try {
    converted = shape.convert(value as Record<string, unknown>, ctx, otlp);
  } catch (error) {
    // A record the decoders refuse (values nested too deep, ...) is one bad record, not a failed file.
    addProblem(conversion, (error as Error).message);
    return;
  }
  for (const reason of converted.rejected ?? []) addProblem(conversion, reason);
  // A span over the attribute limit is refused alone, as the receivers refuse it.
  const fit = converted.spans.filter((span) => !oversized(span));
  if (fit.length < converted.spans.length) addProblem(conversion, `${converted.spans.length - fit.length} span(s) rejected: ${OVERSIZED_REASON}`);
  pushAll(into.spans, fit);
  pushAll(into.logs, converted.logs ?? []);
}

const NOT_A_RECORD = Symbol('not a record');

/** A problem, or a value that is no record: listed among the first MAX_PROBLEMS, counted after them. */
function addProblem(conversion: Conversion, problem: string | typeof NOT_A_RECORD): void {
  const { parts } = conversion.into;
  if (conversion.listed >= MAX_PROBLEMS) {
    conversion.into.unlistedProblems++;
    return;
  }
  conversion.listed++;
  const last = parts[parts.length - 1];
  if (problem !== NOT_A_RECORD) parts.push({ problem });
  else if (last && 'notRecords' in last) last.notRecords++;
  else parts.push({ notRecords: 1 });
}
