// A trace file record of OFF_THREAD_BYTES or more, of every shape the engine reads (not only
// OTLP documents), is parsed, converted and masked on the file record worker and indexed in
// slices. What the engine keeps must be exactly what the engine's own thread makes of the same
// texts: the same traces, spans, file shape and problems. Records are the public fixtures and
// what the real OTel JS SDK writes, each with one field grown past the threshold.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { convertOffThread } from '../../src/engine/files/offThreadRecords';
import { MAX_PROBLEMS } from '../../src/engine/files/recordConversion';
import { FileDecoders, RecordSink } from '../../src/engine/files/recordSink';
import { readTraceFile } from '../../src/engine/files/traceFileReader';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { MAX_SPAN_ATTRIBUTES } from '../../src/engine/model/rawSpan';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { OtlpDecoders } from '../../src/engine/otlp/decoders';
import { Ingest } from '../../src/engine/otlp/ingest';
import { OFF_THREAD_BYTES } from '../../src/engine/otlp/offThreadDecode';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import { everything, longestParsedDuring } from './helpers/offThreadChecks';
import { recordLogs, recordSpans } from './helpers/otelSenders';
import { FIXTURES } from './helpers/rawSpans';
import { collectorProto, copilotLogLines, copilotOutfile } from './helpers/traceFileWriters';

const PYTHON_CONSOLE = join(FIXTURES, 'files', 'python-console-spans.log');
const DSPY_HISTORY = join(FIXTURES, 'files', 'dspy-lm-history.json');
const STEP_TRACER = join(FIXTURES, 'seed-shapes', 'step_tracer.jsonl');
const TRACED_PROGRAM = join(FIXTURES, 'seed-shapes', 'traced_program.jsonl');
const T0 = 1_795_578_415_000;

/** A prompt past the worker's threshold, holding a secret the redaction must mask. */
const hugeText = (salt: string) => `Customer ${salt} (ops@example.com) asks: ` + 'Where is my order, and when will it arrive? '.repeat(Math.ceil(OFF_THREAD_BYTES / 40));

/** A file's JSON texts, in order. */
interface FileTexts { name: string; texts: string[] }

/** Texts one per line. */
const lines = (name: string, texts: string[]): FileTexts => ({ name, texts });
/** Pretty-printed values one after another, as Python's console exporter prints them. */
const pretty = (name: string, values: unknown[]): FileTexts => ({ name, texts: values.map((v) => JSON.stringify(v, null, 4)) });

const jsonLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

async function sdkSpanLines(attributes: Record<string, string>): Promise<{ text: string; traceId: string; spanId: string }> {
  const [span] = await recordSpans('support-bot', (tracer) => tracer.startSpan('ChatCompletion', { startTime: T0, attributes: { 'openinference.span.kind': 'LLM', ...attributes } }).end(T0 + 900));
  return { text: copilotOutfile([span]).trim(), ...span.spanContext() };
}

/** Every shape but OTLP documents, each with a record past the threshold (named as in CASES). */
async function cases(): Promise<FileTexts[]> {
  const python = readFileSync(PYTHON_CONSOLE, 'utf8').trim().split(/\n(?=\{)/).map((text) => JSON.parse(text) as { attributes: Record<string, unknown> });
  python[1].attributes['llm.input_messages.0.message.content'] = hugeText('python');
  const history = JSON.parse(readFileSync(DSPY_HISTORY, 'utf8')) as { messages: { content: string }[] }[];
  history[0].messages[1].content = hugeText('history');
  const [steps] = jsonLines(STEP_TRACER) as { steps: { outputs: unknown }[] }[];
  // Many steps (spans) in one record, one of them huge: indexed in slices too.
  const manySteps = { ...steps, steps: [...Array.from({ length: 3000 }, (_, i) => ({ ...steps.steps[i % 2], outputs: { result: `step ${i}` } })), { ...steps.steps[1], outputs: { result: hugeText('steps') } }] };
  const [request] = jsonLines(TRACED_PROGRAM);
  const sdkSpan = await sdkSpanLines({ 'llm.input_messages.0.message.content': hugeText('sdk') });
  const small = await sdkSpanLines({ 'llm.model_name': 'gpt-4o-mini' });
  const [log] = await recordLogs('support-bot', (logger) => logger.emit({
    eventName: 'gen_ai.user.message', body: { content: hugeText('log') }, timestamp: T0 + 150,
    context: trace.setSpan(context.active(), trace.wrapSpanContext({ traceId: small.traceId, spanId: small.spanId, traceFlags: 1 })),
  }));
  // The SDK keeps 128 attributes; a writer of its own may keep any number.
  const oversized = { ...JSON.parse((await sdkSpanLines({})).text) as object,
    attributes: Object.fromEntries(Array.from({ length: MAX_SPAN_ATTRIBUTES + 1 }, (_, i) => [`tool.argument.${i}`, 'x'.repeat(220)])) };
  return [
    pretty('python-console.log', python),
    lines('copilot-spans.jsonl', [sdkSpan.text, small.text]),
    lines('copilot-logs.jsonl', [small.text, copilotLogLines([log]).trim()]),
    lines('steps.jsonl', [JSON.stringify(manySteps), JSON.stringify(steps)]),
    lines('requests.jsonl', [JSON.stringify({ ...request, inputs: { question: hugeText('request') } }), JSON.stringify(request)]),
    pretty('history.json', [history]),
    // One line holding an array of records of three shapes.
    lines('mixed.json', [JSON.stringify([python[0], { ...request, outputs: { answer: hugeText('mixed') } }, history[1]])]),
    // A span over the attribute limit is refused alone; the next line is kept.
    lines('refused.jsonl', [JSON.stringify(oversized), small.text]),
    lines('bad-steps.jsonl', [JSON.stringify(steps), JSON.stringify(manySteps).slice(0, -100), JSON.stringify(request)]),
  ];
}

/** File, what it holds, and the one problem it has. */
const CASES: [string, string, string?][] = [
  ['python-console.log', 'OTel Python console spans, pretty-printed'],
  ['copilot-spans.jsonl', 'OTel JS span lines'],
  ['copilot-logs.jsonl', 'OTel JS log record lines, attached to their span'],
  ['steps.jsonl', 'a DSPy step log of 3,001 steps'],
  ['requests.jsonl', 'a DSPy request log'],
  ['history.json', 'a saved DSPy LM history (a JSON array)'],
  ['mixed.json', 'one line holding an array of records of three shapes'],
  ['refused.jsonl', 'a span over the attribute limit, refused alone', `1 span(s) rejected: a span carries more than ${MAX_SPAN_ATTRIBUTES} attributes`],
  ['bad-steps.jsonl', 'a large line that is not JSON, between good ones', 'bad JSON'],
];

describe('large records in trace files', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'large-file-records-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('a large trace file record of every shape', () => {
    let files: Map<string, string[]>;
    before(async () => {
      files = new Map((await cases()).map(({ name, texts }) => [name, texts]));
    });

    for (const [name, what, problem] of CASES) {
      it(`${what}: converted on the worker exactly as on the engine's thread, masked, never parsed whole here`, async () => {
        const texts = files.get(name)!;
        assert.ok(texts.some((text) => text.length >= OFF_THREAD_BYTES), 'holds a large record');
        const path = join(dir, name);
        writeFileSync(path, texts.join('\n') + '\n');
        const offThread = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
        const { result: state, longestParsed } = await longestParsedDuring(() => readTraceFile(offThread, path, undefined, { final: true }));
        assert.ok(longestParsed < OFF_THREAD_BYTES, `${longestParsed} characters parsed on the engine's thread`);

        // The same texts, each converted whole on this thread.
        const onThread = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
        const sink = new RecordSink(new FileDecoders(onThread), path, state.mtimeMs);
        sink.layout = state.sink.layout;
        let line = 1;
        for (const text of texts) {
          sink.jsonText(text, line);
          line += text.split('\n').length;
        }
        sink.flush();

        assert.equal(state.sink.label(), sink.label());
        assert.deepEqual(state.sink.reportedProblems(), sink.reportedProblems());
        assert.deepEqual(state.sink.reportedProblems().map((p) => p.reason.replace(/ at column \d+.*/, '')), problem ? [problem] : []);
        assert.deepEqual([state.sink.spans, state.sink.traceIds.size], [sink.spans, sink.traceIds.size]);
        const kept = everything(offThread);
        assert.ok(kept.length > 0, 'traces kept');
        assert.deepEqual(kept, everything(onThread));
        assert.ok(!JSON.stringify(kept).includes('ops@example.com'), 'masked');
      });
    }
  });

  describe('a large protobuf record in a trace file', () => {
    /** Reads `path`, noting the largest body decoded whole on this thread and the bytes Buffer.concat copied. */
    async function watchedRead(index: TraceIndex, path: string) {
      const decode = OtlpDecoders.prototype.decode;
      const concat = Buffer.concat;
      let largestDecoded = 0;
      let joined = 0;
      OtlpDecoders.prototype.decode = function (this: OtlpDecoders, signal, encoding, body) {
        largestDecoded = Math.max(largestDecoded, body.length);
        return decode.call(this, signal, encoding, body);
      } as typeof decode;
      Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
        const out = concat(list, length);
        joined += out.length;
        return out;
      }) as typeof Buffer.concat;
      try {
        return { state: await readTraceFile(index, path, undefined, { final: true }), largestDecoded, joined };
      } finally {
        OtlpDecoders.prototype.decode = decode;
        Buffer.concat = concat;
      }
    }

    it('is decoded and masked on the worker, then indexed in slices, the same as the request taken whole on this thread', async () => {
      const spans = await recordSpans('support-bot', (tracer) => {
        // About 10 MB over ten chunks of the reader: joined once, where it was joined again at every chunk.
        const messages = Object.fromEntries([0, 1, 2, 3].map((i) => [`llm.input_messages.${i}.message.content`, hugeText(`proto ${i}`)]));
        tracer.startSpan('ChatCompletion', { startTime: T0, attributes: { 'openinference.span.kind': 'LLM', ...messages } }).end(T0 + 900);
        tracer.startSpan('small', { startTime: T0 + 1000 }).end(T0 + 1100);
      });
      const logs = await recordLogs('support-bot', (logger) => logger.emit({
        eventName: 'gen_ai.user.message', body: { content: hugeText('proto log') }, timestamp: T0 + 150,
        context: trace.setSpan(context.active(), trace.wrapSpanContext(spans[0].spanContext())),
      }));
      const bodies: [string, Buffer][] = [
        ['traces', Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(1))!)],
        ['traces', Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.slice(0, 1))!)],
        ['logs', Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!)],
      ];
      const whole = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
      for (const [signal, body] of bodies) new Ingest(whole).receive(signal as 'traces' | 'logs', 'protobuf', Buffer.from(body), { persist: false });

      // The Collector's file exporter (each record after its length), and a request saved whole.
      const collector = join(dir, 'collector.pb');
      writeFileSync(collector, collectorProto(bodies.map(([, body]) => body)));
      const saved = join(dir, 'request.pb');
      writeFileSync(saved, bodies[1][1]);
      for (const path of [collector, saved]) {
        const index = new TraceIndex(new PriceTable(), { redaction: DEFAULT_REDACTIONS });
        const { state, largestDecoded, joined } = await watchedRead(index, path);
        assert.deepEqual(state.sink.reportedProblems(), []);
        assert.equal(state.sink.label(), 'OTLP protobuf');
        assert.ok(largestDecoded < OFF_THREAD_BYTES, `${largestDecoded} bytes decoded whole on the engine's thread`);
        // A record split over many chunks is joined once, not again at every chunk.
        assert.ok(joined < 3 * state.size, `${joined} bytes joined for a file of ${state.size}`);
        const kept = everything(index);
        if (path === collector) assert.deepEqual(kept, everything(whole));
        assert.ok(kept.length > 0 && !JSON.stringify(kept).includes('ops@example.com'), 'kept, masked');
      }
    });
  });

  describe('a large line that is an array of millions of values that are no records (an embeddings dump)', () => {
    const NOT_A_RECORD = 'not a trace record (expected an OTLP document, a span, or a DSPy log entry)';
    const values = 1_000_000;
    const embeddings = '[' + Array.from({ length: values }, (_, i) => (i % 7) / 10).join(',') + ']';

    it('comes back from the worker as a count, not one part per value', async () => {
      assert.ok(embeddings.length >= OFF_THREAD_BYTES);
      const reply = await convertOffThread(Buffer.from(embeddings), { file: 'embeddings.json', line: 1, fileTimeMs: 0 });
      assert.deepEqual(reply.parts, [{ notRecords: MAX_PROBLEMS }]);
      assert.equal(reply.unlistedProblems, values - MAX_PROBLEMS);
    });

    it('makes a file not traces; after a trace record, its first problems are listed and the rest counted', async () => {
      const path = join(dir, 'embeddings.json');
      writeFileSync(path, embeddings + '\n');
      const alone = await readTraceFile(new TraceIndex(new PriceTable()), path, undefined, { final: true });
      assert.deepEqual([alone.sink.label(), alone.sink.reportedProblems()], [null, []]);

      const [record] = readFileSync(TRACED_PROGRAM, 'utf8').split('\n');
      writeFileSync(path, [record, embeddings, embeddings].join('\n') + '\n');
      const after = await readTraceFile(new TraceIndex(new PriceTable()), path, undefined, { final: true });
      assert.equal(after.sink.label(), 'DSPy request log');
      assert.equal(after.sink.spans, 1);
      const problems = after.sink.reportedProblems();
      assert.deepEqual(problems.slice(0, MAX_PROBLEMS), Array.from({ length: MAX_PROBLEMS }, () => ({ file: path, line: 2, reason: NOT_A_RECORD })));
      assert.deepEqual(problems.slice(MAX_PROBLEMS), [{ file: path, reason: `${2 * values - MAX_PROBLEMS} more problem(s) not listed` }]);
    });
  });

  describe('an engine closed while a 50 MB record of a file converts on the worker thread', () => {
    let path: string;
    before(() => {
      const [small, next] = readFileSync(TRACED_PROGRAM, 'utf8').split('\n');
      const large = JSON.stringify({ ...JSON.parse(small) as object, inputs: { question: 'Where is my order? '.repeat(2_700_000) } });
      path = join(dir, 'closing.jsonl');
      writeFileSync(path, [small, large, next].join('\n') + '\n');
    });

    /** Runs closeWhileConverting.ts on the file; what it printed. */
    async function closeWhileConverting(...args: string[]): Promise<unknown> {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'helpers', 'closeWhileConverting.ts'), path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      const code = await new Promise((resolve) => child.once('exit', resolve));
      assert.equal(code, 0);
      return JSON.parse(out);
    }

    for (const when of ['imported', 'at-start']) {
      it(`${when === 'at-start' ? 'read while the engine starts' : 'imported'}: close() does not wait for the conversion, stops the worker, and the process exits by itself`, async () => {
        // The line before the large one was read; the large one and the rest were not waited for.
        assert.deepEqual(await closeWhileConverting(when), { atClose: 'stopped', atExit: 'stopped', spans: 1 });
      });
    }
  });

  describe('a trace file line nested a million arrays deep', () => {
    it('is one bad line, not the end of the file', async () => {
      const path = join(dir, 'deep.jsonl');
      const good = readFileSync(TRACED_PROGRAM, 'utf8').trim().split('\n');
      writeFileSync(path, [good[0], '['.repeat(1_000_000), ...good.slice(1)].join('\n') + '\n');
      const index = new TraceIndex(new PriceTable());
      const state = await readTraceFile(index, path, undefined, { final: true });
      assert.deepEqual(state.sink.reportedProblems().map((p) => [p.line, p.reason.replace(/: .*/, '')]), [[2, 'bad JSON at column 1000001']]);
      assert.equal(state.sink.spans, good.length);
    });
  });
});
