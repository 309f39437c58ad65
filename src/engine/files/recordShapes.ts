// Which shape a parsed JSON record has, and how it becomes raw spans: OTLP documents go through
// the OTLP/JSON decoder; the other shapes through their converters in shapes/.
import type { JsonDecoder } from '../otlp/decodeJson';
import { convertDspyHistoryEntry, isDspyHistoryEntry } from './shapes/dspyHistory';
import { convertDspyLog, isDspyRequestLog, isDspyStepLog } from './shapes/dspyLogs';
import { convertJsSdkLogRecord, convertJsSdkSpan, isJsSdkLogRecord, isJsSdkSpan, isMetrics } from './shapes/jsSdkSpans';
import { convertPythonConsoleSpan, isPythonConsoleSpan } from './shapes/pythonConsoleSpans';
import { Converted, isObject, Json, RecordContext } from './shapes/shapeContext';

export interface RecordShape {
  /** What the user sees, e.g. "OTLP/JSON" or "DSPy step log". */
  label: string;
  convert(record: Json, ctx: RecordContext, otlp: JsonDecoder): Converted;
}

const otlpTraces: RecordShape = {
  label: 'OTLP/JSON',
  convert(record, _ctx, otlp) {
    const batch = otlp.traces(record);
    return { spans: batch.items, rejected: [...batch.rejectReasons].map((r) => `${batch.rejected} span(s) rejected: ${r}`) };
  },
};

const otlpLogs: RecordShape = {
  label: 'OTLP/JSON',
  convert: (record, _ctx, otlp) => ({ spans: [], logs: otlp.logs(record).items }),
};

/** Records that belong in trace files but carry nothing to show (metrics beside spans). */
const ignored: RecordShape = { label: '', convert: () => ({ spans: [] }) };

const SHAPES: [(v: Json) => boolean, RecordShape][] = [
  [(v) => 'resourceSpans' in v || 'resource_spans' in v, otlpTraces],
  [(v) => 'resourceLogs' in v || 'resource_logs' in v, otlpLogs],
  [isPythonConsoleSpan, { label: 'OTel Python console spans', convert: convertPythonConsoleSpan }],
  [isJsSdkSpan, { label: 'OTel JS span lines', convert: convertJsSdkSpan }],
  [isJsSdkLogRecord, { label: 'OTel JS span lines', convert: convertJsSdkLogRecord }],
  [isMetrics, ignored],
  [isDspyStepLog, { label: 'DSPy step log', convert: convertDspyLog }],
  [isDspyRequestLog, { label: 'DSPy request log', convert: convertDspyLog }],
  [isDspyHistoryEntry, { label: 'DSPy LM history', convert: convertDspyHistoryEntry }],
];

/** The shape of one record; undefined for JSON that is not a trace record. */
export function recordShape(record: unknown): RecordShape | undefined {
  if (!isObject(record)) return undefined;
  return SHAPES.find(([test]) => test(record))?.[1];
}

export function isIgnoredShape(shape: RecordShape): boolean {
  return shape === ignored;
}
