// A test's baseline: the good trace saved with it (OTLP/JSON, as Export Trace writes it), read
// into an index of its own so it never mixes with the traces the engine received.
import type { TraceDetail } from '../../shared/spanModel';
import { TraceFiles } from '../files/traceFiles';
import { TraceIndex } from '../index/traceIndex';
import { PriceTable } from '../normalize/pricing';

/** The baseline's traces, oldest first; throws with the reason when the file cannot be read as traces. */
export async function readBaseline(file: string): Promise<TraceDetail[]> {
  const index = new TraceIndex(new PriceTable());
  const files = new TraceFiles(index, undefined, () => undefined);
  try {
    const [result] = await files.import([file]);
    if (result.problems.length) throw new Error(`${result.problems[0].reason}${result.problems[0].line ? ` (line ${result.problems[0].line})` : ''}`);
    if (result.shape === null || result.traces === 0) throw new Error('holds no traces');
  } finally {
    await files.close();
  }
  const details: TraceDetail[] = [];
  for (const trace of index.tracesSince(-Infinity)) {
    const detail = index.trace(trace.traceId);
    if (detail) details.push(detail);
  }
  return details.reverse();
}
