// Save as Test's two files, drafted by the engine from the whole trace (the query API's
// traceTestDraft route), so the extension host only writes them, whatever the trace's size.
import type { TraceDetail } from './spanModel';
import { draftTraceTest, slug } from './traceTests/draftTest';

/** What Save as Test writes, as the engine drafts it: the test, and the trace as its baseline (OTLP/JSON text). */
export interface TraceTestDraft {
  /** The file name's stem, from the trace's name. */
  name: string;
  test: Record<string, unknown>;
  /** Relative to the test file. */
  baselinePath: string;
  baselineJson: string;
}

/** The test of a trace and its baseline file, drafted where the trace is (the engine): the host only writes them. */
export function draftTraceTestFiles(trace: TraceDetail, otlp: object): TraceTestDraft {
  const name = slug(trace.summary.name);
  const baselinePath = `baselines/${name}.otlp.json`;
  return { name, test: draftTraceTest(trace, baselinePath), baselinePath, baselineJson: JSON.stringify(otlp, null, 2) };
}
