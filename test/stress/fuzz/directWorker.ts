// Runs fuzz cases straight into the decoders and the index, in a child process the parent
// watches (a case that never finishes is a hang, and the parent kills this process). After
// each accepted case it does what serving does: stats, queries, trace detail, OTLP export.
// Every few cases the same bytes also go through the trace-file reader, where it exists.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceIndex } from '../../../src/engine/index/traceIndex';
import { PriceTable } from '../../../src/engine/normalize/pricing';
import { encodeTracesData } from '../../../src/engine/otlp/encodeJson';
import { Ingest } from '../../../src/engine/otlp/ingest';
import type { RawSpan } from '../../../src/engine/model/rawSpan';
import { DecodeError } from '../../../src/engine/otlp/protoReader';
import { FuzzCase, fixtureSeeds, generatedCases, mutatedCase } from './cases';

export interface CaseOutcome {
  id: number;
  outcome: 'accepted' | 'rejected' | 'crash';
  ms: number;
  what?: string;
  error?: string;
  /** The trace-file reader's outcome for the same bytes, when it ran. */
  file?: 'read' | 'crash';
  fileError?: string;
}

type ReadTraceFile = (index: TraceIndex, path: string, previous: undefined, options: { final: boolean }) => Promise<unknown>;

const FRESH_INDEX_EVERY = 25;
/** Every attack, and every few mutated cases, also go through the trace-file reader. */
const FILE_EVERY = 4;

function serve(index: TraceIndex): void {
  index.stats();
  const summaries = [...index.query({ limit: 5 }), ...index.query({ sort: 'duration', minDurationMs: 0, limit: 5 }), ...index.query({ q: 'span', limit: 5 })];
  index.query({ status: 'error', sort: 'cost' });
  for (const traceId of new Set(summaries.map((s) => s.traceId))) {
    JSON.stringify(index.trace(traceId));
    JSON.stringify(encodeTracesData(index.rawSpans(traceId) as RawSpan[]));
  }
}

async function loadFileReader(): Promise<ReadTraceFile | string> {
  try {
    const module = await import('../../../src/engine/files/traceFileReader') as { readTraceFile?: ReadTraceFile };
    return module.readTraceFile ?? 'src/engine/files/traceFileReader.ts has no readTraceFile';
  } catch (error) {
    return `the trace-file reader did not load: ${(error as Error).message.split('\n')[0]}`;
  }
}

async function main(): Promise<void> {
  const [from, to, mutatedUpTo] = process.argv.slice(2).map(Number);
  const seeds = fixtureSeeds();
  const generated = generatedCases(mutatedUpTo);
  const caseOf = (id: number): FuzzCase => (id < mutatedUpTo ? mutatedCase(id, seeds) : generated[id - mutatedUpTo]);
  const prices = new PriceTable();
  const fileReader = await loadFileReader();
  if (typeof fileReader === 'string') process.send!({ fileReaderMissing: fileReader });
  const dir = mkdtempSync(join(tmpdir(), 'ati-fuzz-files-'));
  let index = new TraceIndex(prices);
  let ingest = new Ingest(index);
  try {
    for (let id = from; id < to; id++) {
      // Mutated cases share an index in runs (re-sent and overlapping traces); each attack gets its own.
      if (id % FRESH_INDEX_EVERY === 0 || id >= mutatedUpTo) {
        index = new TraceIndex(prices);
        ingest = new Ingest(index);
      }
      const c = caseOf(id);
      process.send!({ start: id });
      const begin = process.hrtime.bigint();
      const result: CaseOutcome = { id, outcome: 'accepted', ms: 0 };
      let stage = 'decode and index';
      try {
        ingest.receive(c.signal, c.encoding, c.body, { persist: false });
        stage = 'serve';
        serve(index);
      } catch (error) {
        if (error instanceof DecodeError && stage !== 'serve') result.outcome = 'rejected';
        else Object.assign(result, { outcome: 'crash', what: c.what, error: `${stage}: ${(error as Error).stack?.split('\n').slice(0, 4).join(' | ')}` });
      }
      if (typeof fileReader !== 'string' && c.signal === 'traces' && (id % FILE_EVERY === 0 || id >= mutatedUpTo)) {
        const path = join(dir, `case-${id}${c.encoding === 'protobuf' ? '.otlp.pb' : '.jsonl'}`);
        writeFileSync(path, c.body);
        try {
          await fileReader(new TraceIndex(prices), path, undefined, { final: true });
          result.file = 'read';
        } catch (error) {
          Object.assign(result, { file: 'crash', what: c.what, fileError: (error as Error).stack?.split('\n').slice(0, 4).join(' | ') });
        }
        rmSync(path, { force: true });
      }
      result.ms = Number(process.hrtime.bigint() - begin) / 1e6;
      process.send!({ done: result });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.send!({ finished: true }, () => process.exit(0));
}

void main();
