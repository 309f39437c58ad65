import { makeWorkload } from './workload';
import { TraceIndex } from '../src/engine/index/traceIndex';
import { PriceTable } from '../src/engine/normalize/pricing';
import { Ingest } from '../src/engine/otlp/ingest';
const w = makeWorkload(200, 100);
for (let k = 0; k < 6; k++) {
  const index = new TraceIndex(new PriceTable());
  const ingest = new Ingest(index);
  const t = process.hrtime.bigint();
  for (const b of w.requests) ingest.receive('traces', 'protobuf', b);
  console.log('full ingest', (w.spans / (Number(process.hrtime.bigint() - t) / 1e9)).toFixed(0));
}
