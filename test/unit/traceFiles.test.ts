// Trace files on real disk: every shape the engine recognizes, from the public fixtures and from
// files the real OTel JS SDK's serializers write (as the OTLP file exporter, the Collector's file
// exporter and Copilot Chat's outfile write them); bad lines, unrelated JSON, gzip, arrays;
// tailing while the file is appended, half-written, truncated, rotated and deleted; the
// workspace watcher; a restart; and the CLI as a real child process.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import {
  appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { EngineSettings, FileProblem, FileProblems, ImportFiles, ImportProgress, ImportResult } from '../../src/shared/engineProtocol';
import type { TraceSummary } from '../../src/shared/spanModel';
import { Engine } from '../../src/engine/engine';
import { TIMING_SYNTHETIC } from '../../src/engine/files/shapes/dspyLogs';
import { importResult, readTraceFile } from '../../src/engine/files/traceFileReader';
import { describeRead } from '../../src/engine/files/traceFiles';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { buildEngineBundles } from './helpers/engineBundles';
import { recordLogs, recordSpans } from './helpers/otelSenders';
import { collectorProto, copilotOutfile } from './helpers/traceFileWriters';
import { FIXTURES } from './helpers/rawSpans';

const REPO = join(__dirname, '..', '..');
const OWN_FIXTURES = join(REPO, 'test', 'fixtures', 'files');
const TUTORIAL_JSONL = join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.jsonl');
const TUTORIAL_PB = join(FIXTURES, 'otel-js', 'tutorial-adhoc.otlp.pb');
const STEP_TRACER = join(FIXTURES, 'seed-shapes', 'step_tracer.jsonl');
const TRACED_PROGRAM = join(FIXTURES, 'seed-shapes', 'traced_program.jsonl');
const PROTO_EXAMPLE = join(FIXTURES, 'public', 'opentelemetry-proto', 'trace.json');
const PYTHON_CONSOLE = join(OWN_FIXTURES, 'python-console-spans.log');
const DSPY_HISTORY = join(OWN_FIXTURES, 'dspy-lm-history.json');

// ---- files as their producers write them, from spans the real SDK made ----

const T0 = 1_795_578_415_000;

/** Two traces: a chain with an LLM call (tokens, prompt), and a failed LLM call. */
function buildTraces(tracer: Tracer): void {
  const root = tracer.startSpan('answer_customer', { startTime: T0, attributes: { 'openinference.span.kind': 'CHAIN', 'session.id': 's-1' } });
  const llm = tracer.startSpan('ChatCompletion', {
    kind: SpanKind.CLIENT, startTime: T0 + 100,
    attributes: {
      'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini',
      'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'Where is order 12345?',
      'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'It shipped yesterday.',
      'llm.token_count.prompt': 40, 'llm.token_count.completion': 8, 'llm.token_count.total': 48,
    },
  }, trace.setSpan(context.active(), root));
  llm.end(T0 + 2600);
  root.end(T0 + 2700);
  const failed = tracer.startSpan('ChatCompletion', { kind: SpanKind.CLIENT, startTime: T0 + 5000, attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o' } });
  failed.recordException(new Error('rate limited'), T0 + 5100);
  failed.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  failed.end(T0 + 5100);
}

const sdkSpans = () => recordSpans('support-bot', buildTraces);

/** The OTLP File Exporter spec / Collector `format: json`: one TracesData per line. */
function otlpJsonLines(batches: ReadableSpan[][]): Buffer {
  return Buffer.concat(batches.map((spans) => Buffer.concat([Buffer.from(JsonTraceSerializer.serializeRequest(spans)!), Buffer.from('\n')])));
}

const protoSpans = (batches: ReadableSpan[][]) => collectorProto(batches.map((spans) => ProtobufTraceSerializer.serializeRequest(spans)!));

// ---- helpers ----

let dir: string;
let engine: Engine;

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function importOne(path: string, options: { watch?: boolean } = {}): Promise<ImportResult> {
  const [result] = await engine.files.import([path], options);
  return result;
}

function summaries(): TraceSummary[] {
  return engine.index.query({ limit: 1000 }).sort((a, b) => a.traceId.localeCompare(b.traceId));
}

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves when the engine has looked at `path` at its current size (a watcher reported the change). */
async function readUpTo(path: string): Promise<{ size: number; consumed: number }> {
  const size = statSync(path).size;
  await waitFor(`${path} to be read up to ${size} bytes`, () => engine.files.readPosition(path)?.size === size);
  return engine.files.readPosition(path)!;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trace-files-'));
  engine = new Engine({});
});

afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('trace files: every shape, recognized by content', () => {
  it('reads the same traces from OTLP/JSON lines, the Collector protobuf file and Copilot Chat\'s outfile', async () => {
    const spans = await sdkSpans();
    const shapes: Record<string, string> = {};
    const seen: TraceSummary[][] = [];
    // Names that say nothing: the content decides.
    for (const [name, content] of [['a.data', otlpJsonLines([spans.slice(0, 1), spans.slice(1)])], ['b.data', protoSpans([spans.slice(0, 2), spans.slice(2)])],
      ['c.data', copilotOutfile(spans)]] as const) {
      engine.index.clear();
      const result = await importOne(file(name, content));
      shapes[name] = result.shape!;
      assert.deepEqual({ spans: result.spans, traces: result.traces, problems: result.problems }, { spans: 3, traces: 2, problems: [] }, name);
      seen.push(summaries());
    }
    assert.deepEqual(shapes, { 'a.data': 'OTLP/JSON lines', 'b.data': 'OTLP protobuf', 'c.data': 'OTel JS span lines' });
    assert.deepEqual(seen[1], seen[0]);
    assert.deepEqual(seen[2], seen[0]);
    const [chain, failed] = [...seen[0]].sort((a, b) => a.startMs - b.startMs);
    assert.equal(chain.durationMs, 2700);
    assert.deepEqual(chain.tokens, { input: 40, output: 8, total: 48 });
    assert.equal(chain.sessionId, 's-1');
    assert.equal(failed.status, 'error');
    const detail = engine.index.trace(failed.traceId)!;
    assert.equal(detail.spans[0].exceptions?.[0].message, 'rate limited');
  });

  it('reads the public fixtures: OTLP/JSON lines, a protobuf request body, a pretty-printed OTLP document', async () => {
    const results = await engine.files.import([TUTORIAL_JSONL, TUTORIAL_PB, PROTO_EXAMPLE]);
    assert.deepEqual(results.map((r) => [r.shape, r.spans, r.traces, r.problems.length]), [
      ['OTLP/JSON lines', 6, 3, 0], ['OTLP protobuf', 6, 3, 0], ['OTLP/JSON', 1, 1, 0],
    ]);
    assert.equal(engine.index.stats().spans, 7, 'the .jsonl and the .pb hold the same spans, indexed once');
    const example = engine.index.trace('5b8efff798038103d269b633813fc60c')!;
    assert.equal(example.spans[0].service, 'my.service');
    assert.equal(example.spans[0].attributes['my.span.attr'], 'some value');
  });

  it('turns DSPy step logs into a root with its steps laid end to end, so slow traces and errors show', async () => {
    const result = await importOne(STEP_TRACER);
    assert.deepEqual([result.shape, result.spans, result.traces, result.problems], ['DSPy step log', 9, 3, []]);
    const slow = engine.index.query({ sort: 'duration', minDurationMs: 2000 });
    assert.deepEqual(slow.map((t) => t.durationMs), [15115, 5110]);
    assert.deepEqual(slow[1].slowestStep, { name: 'retrieve', durationMs: 4200 });
    assert.equal(slow[0].status, 'error');
    assert.match(slow[0].errorMessage ?? '', /division by zero/);
    const { spans } = engine.index.trace(slow[1].traceId)!;
    const [root, retrieve, answer] = spans;
    assert.equal(root.name, 'dspy program');
    assert.equal(root.attributes['dspy.trace_id'], 'd23f0824');
    assert.deepEqual([retrieve.name, retrieve.kind, retrieve.parentSpanId], ['retrieve', 'RETRIEVER', root.spanId]);
    assert.equal(retrieve.startMs, root.startMs);
    assert.equal(answer.startMs, retrieve.startMs + 4200, 'the second step starts where the first ended');
    assert.equal(answer.durationMs, 910);
    assert.equal(answer.attributes[TIMING_SYNTHETIC], true);
    assert.deepEqual(JSON.parse(String(retrieve.input)), { question: 'Why was my order late?' });
  });

  it('turns DSPy request logs into one span per request, failed ones as errors', async () => {
    const result = await importOne(TRACED_PROGRAM);
    assert.deepEqual([result.shape, result.spans, result.traces], ['DSPy request log', 4, 4]);
    const all = engine.index.query({ sort: 'duration' });
    assert.deepEqual(all.map((t) => t.durationMs), [9120, 2630, 1840, 760]);
    assert.equal(all[0].status, 'error');
    const detail = engine.index.trace(all[3].traceId)!;
    assert.deepEqual(JSON.parse(String(detail.spans[0].output)), { answer: 'Yes, shipping to Canada takes 5-7 business days.' });
  });

  it('reads the Python ConsoleSpanExporter\'s concatenated pretty-printed spans', async () => {
    const result = await importOne(PYTHON_CONSOLE);
    assert.deepEqual([result.shape, result.spans, result.traces, result.problems], ['OTel Python console spans', 4, 2, []]);
    const { summary, spans } = engine.index.trace('5b8efff798038103d269b633813fc60c')!;
    assert.equal(summary.name, 'rag_pipeline');
    assert.equal(summary.service, 'rag-bot');
    assert.deepEqual(summary.tokens, { input: 52, output: 9, total: 61 });
    const llm = spans.find((s) => s.name === 'ChatCompletion')!;
    assert.deepEqual([llm.kind, llm.otelKind, llm.parentSpanId, llm.model], ['LLM', 'CLIENT', '000000000000aaaa', 'gpt-4o-mini']);
    assert.equal(llm.durationMs, 900);
    assert.equal(llm.outputMessages?.[0].content, 'Refunds are accepted within 30 days.');
    const failed = engine.index.trace('0af7651916cd43dd8448eb211c80319c')!.spans[0];
    assert.equal(failed.status, 'error');
    assert.equal(failed.statusMessage, 'RateLimitError: quota exceeded');
    assert.equal(failed.exceptions?.[0].type, 'RateLimitError');
    assert.deepEqual(failed.links?.[0], { traceId: '5b8efff798038103d269b633813fc60c', spanId: '000000000000aaaa', attributes: { reason: 'retry of' } });
  });

  it('reads DSPy LM history saved as a JSON array: each entry an LLM call with messages, tokens and cost', async () => {
    const result = await importOne(DSPY_HISTORY);
    assert.deepEqual([result.shape, result.spans, result.traces], ['JSON array of DSPy LM history', 2, 2]);
    const calls = engine.index.query({ sort: 'start' }).map((t) => engine.index.trace(t.traceId)!.spans[0]);
    const [second, first] = calls;
    assert.deepEqual([first.kind, first.model, first.tokens], ['LLM', 'openai/gpt-4o-mini', { input: 96, output: 18, total: 114 }]);
    assert.equal(first.costUsd, 2.52e-5);
    assert.deepEqual(first.inputMessages?.map((m) => m.role), ['system', 'user']);
    assert.match(first.outputMessages?.[0].content ?? '', /Refunds are accepted/);
    assert.equal(first.invocationParameters?.max_tokens, 1000);
    assert.deepEqual(second.inputMessages, [{ role: 'user', content: 'Summarize: shipping takes 5 days.' }]);
    assert.equal(second.outputMessages?.[0].content, 'Shipping takes five days.');
  });

  it('reads any of them gzip-compressed, and a pretty-printed JSON array of OTLP documents', async () => {
    const jsonl = readFileSync(TUTORIAL_JSONL);
    const gzipped = await engine.files.import([file('t.jsonl.gz', gzipSync(jsonl)), file('p.log.gz', gzipSync(readFileSync(PYTHON_CONSOLE)))]);
    assert.deepEqual(gzipped.map((r) => [r.shape, r.spans]), [['OTLP/JSON lines, gzip', 6], ['OTel Python console spans, gzip', 4]]);
    engine.index.clear();
    const documents = jsonl.toString().trim().split('\n').map((line) => JSON.parse(line) as unknown);
    const array = await importOne(file('export.json', JSON.stringify(documents, null, 2)));
    assert.deepEqual([array.shape, array.spans, array.traces, array.problems], ['JSON array of OTLP/JSON', 6, 3, []]);
  });

  it('attaches OTLP log records from logs files (JSON lines, protobuf) to their spans, once however often they are read', async () => {
    const spans = await sdkSpans();
    const llm = spans.find((s) => s.name === 'ChatCompletion' && s.parentSpanContext)!;
    const logs = await recordLogs('support-bot', (logger) => {
      const spanContext = trace.setSpan(context.active(), trace.wrapSpanContext(llm.spanContext()));
      logger.emit({ eventName: 'gen_ai.user.message', body: { content: 'from a log record' }, timestamp: T0 + 150, context: spanContext });
    });
    const logsFile = file('logs.jsonl', Buffer.concat([Buffer.from(JsonLogsSerializer.serializeRequest(logs)!), Buffer.from('\n')]));
    const protoLogsFile = file('logs.bin', collectorProto([ProtobufLogsSerializer.serializeRequest(logs)!]));
    await importOne(file('spans.jsonl', otlpJsonLines([spans])));
    for (let i = 0; i < 2; i++) {
      assert.equal((await importOne(logsFile)).shape, 'OTLP/JSON lines');
      assert.equal((await importOne(protoLogsFile)).shape, 'OTLP protobuf');
    }
    const stored = engine.index.rawSpans(llm.spanContext().traceId)!.find((s) => s.spanId === llm.spanContext().spanId)!;
    assert.equal(stored.events.filter((e) => e.fromLog).length, 1);
  });
});

describe('trace files: bad input', () => {
  it('reports a broken line with its number and column, and loads every other line', async () => {
    const lines = readFileSync(TUTORIAL_JSONL, 'utf8').trim().split('\n');
    lines.splice(1, 0, '{"resourceSpans": [ {"resource": }');
    const path = file('broken.jsonl', lines.join('\n') + '\n');
    const result = await importOne(path);
    assert.equal(result.shape, 'OTLP/JSON lines');
    assert.equal(result.spans, 6);
    assert.equal(result.problems.length, 1);
    assert.equal(result.problems[0].file, path);
    assert.equal(result.problems[0].line, 2);
    assert.match(result.problems[0].reason, /^bad JSON at column 34: /);
    assert.doesNotMatch(result.problems[0].reason, /resourceSpans/, 'the text itself is not repeated');
    assert.equal(engine.index.stats().traces, 3);
  });

  it('reports a line that is JSON but not a trace record, and a pretty-printed value broken in the middle', async () => {
    const jsonl = readFileSync(STEP_TRACER, 'utf8') + '{"hello": "world"}\n';
    const [records] = await engine.files.import([file('steps.jsonl', jsonl)]);
    assert.deepEqual(records.problems.map((p) => [p.line, p.reason.split(' (')[0]]), [[4, 'not a trace record']]);
    const capture = readFileSync(PYTHON_CONSOLE, 'utf8').split('\n');
    capture[40] = '    "kind": SpanKind.CLIENT,';
    const broken = await importOne(file('capture.log', capture.join('\n')));
    assert.equal(broken.spans, 3);
    assert.deepEqual(broken.problems.map((p) => p.line), [41]);
    assert.match(broken.problems[0].reason, /^bad JSON at column 13/);
  });

  it('leaves unrelated JSON and text alone: no shape, no problems, nothing indexed', async () => {
    const npmLog = [
      '{"level":30,"time":1732512000000,"pid":42,"msg":"server started"}',
      '{"level":40,"time":1732512000100,"pid":42,"msg":"slow request","path":"/api"}',
      'not json at all',
    ].join('\n');
    const results = await engine.files.import([
      file('app.jsonl', npmLog), file('package.json', readFileSync(join(REPO, 'package.json'))), file('notes.txt', 'hello\n'), file('empty.jsonl', ''),
    ]);
    assert.deepEqual(results.map((r) => [r.shape, r.spans, r.problems]), [[null, 0, []], [null, 0, []], [null, 0, []], [null, 0, []]]);
    assert.equal(engine.index.stats().spans, 0);
  });

  it('reports a last line cut short in a one-off import, and a missing file', async () => {
    const jsonl = readFileSync(TUTORIAL_JSONL, 'utf8');
    const cut = await importOne(file('cut.jsonl', jsonl.slice(0, jsonl.length - 100)));
    assert.equal(cut.spans, 5);
    assert.deepEqual(cut.problems.map((p) => p.line), [6]);
    const gone = await importOne(join(dir, 'nope.jsonl'));
    assert.deepEqual([gone.shape, gone.problems[0].reason], [null, 'no such file or folder']);
  });

  it('says why a record too large to hold skipped a file, or the rest of it (the limit lowered from 512 MB)', async () => {
    const skipped = async (path: string, maxRecordBytes: number) => {
      const index = new TraceIndex(new PriceTable());
      const result = importResult(await readTraceFile(index, path, undefined, { final: true, maxRecordBytes }));
      return { result, log: describeRead(result, 'imported', false), spans: index.stats().spans };
    };
    const message = await skipped(TUTORIAL_PB, 1024);
    const tooLong = 'the file is one protobuf message longer than 1024 bytes and was skipped';
    assert.deepEqual(message.result, { file: TUTORIAL_PB, shape: null, spans: 0, traces: 0, problems: [{ file: TUTORIAL_PB, reason: tooLong }] });
    assert.equal(message.log, `imported ${TUTORIAL_PB}: not read: ${tooLong}`);

    // A pretty-printed value too large (past a 256 KB read): before any trace record the file is not read; after one, the rest is skipped.
    const values = readFileSync(PYTHON_CONSOLE, 'utf8').trim().split(/\n(?=\{)/);
    const large = JSON.stringify({ ...JSON.parse(values[1]) as object, padding: 'x'.repeat(300_000) }, null, 4);
    const valueTooLong = 'a JSON value longer than 4096 bytes; the rest of the file is skipped';
    const first = await skipped(file('first.log', [large, values[0]].join('\n') + '\n'), 4096);
    assert.deepEqual([first.result.shape, first.result.problems.map((p) => [p.line, p.reason]), first.spans], [null, [[1, valueTooLong]], 0]);
    const rest = await skipped(file('rest.log', [values[0], large, values[2]].join('\n') + '\n'), 4096);
    const line = values[0].split('\n').length + 1;
    assert.deepEqual([rest.result.shape, rest.result.problems.map((p) => [p.line, p.reason]), rest.spans], ['OTel Python console spans', [[line, valueTooLong]], 1]);
  });

  it('imports a folder by content: the trace files in it, not the rest, never node_modules', async () => {
    file('run/steps.log', readFileSync(STEP_TRACER));
    file('run/otlp.bin', readFileSync(TUTORIAL_PB));
    file('run/readme.md', '# notes\n');
    file('run/node_modules/pkg/traces.jsonl', readFileSync(TRACED_PROGRAM));
    const results = await engine.files.import([join(dir, 'run')]);
    assert.deepEqual(results.map((r) => [r.file.slice(dir.length), r.shape]), [['/run/otlp.bin', 'OTLP protobuf'], ['/run/steps.log', 'DSPy step log']]);
  });
});

describe('trace files: read again', () => {
  it('reading a file again never duplicates its traces', async () => {
    const paths = [TUTORIAL_JSONL, STEP_TRACER, TRACED_PROGRAM, PYTHON_CONSOLE, DSPY_HISTORY, TUTORIAL_PB];
    await engine.files.import(paths);
    const first = { stats: engine.index.stats(), summaries: summaries() };
    await engine.files.import(paths);
    assert.deepEqual({ stats: engine.index.stats(), summaries: summaries() }, first);
    assert.equal(first.stats.spans, 6 + 9 + 4 + 4 + 2);
  });

  it('reads imported files again after a restart, when there is a store', async () => {
    const store = join(dir, 'store');
    await engine.close();
    engine = new Engine({ storeDir: store });
    await engine.ready;
    const steps = file('logs/steps.jsonl', readFileSync(STEP_TRACER));
    await engine.files.import([steps], { remember: true });
    const before = summaries();
    await engine.close();
    engine = new Engine({ storeDir: store });
    await engine.ready;
    assert.deepEqual(summaries(), before);
    assert.equal(before.length, 3);
  });
});

describe('trace files: tailing', () => {
  const jsonlLines = () => readFileSync(TUTORIAL_JSONL, 'utf8').trim().split('\n').map((l) => l + '\n');

  it('indexes an appended line without reading the file again; a half-written line waits for its newline', async () => {
    const [first, second, third] = jsonlLines();
    const path = file('live.jsonl', first + '{"broken\n');
    const problems: FileProblem[][] = [];
    engine.files.onProblems = (f, list) => { if (f === path) problems.push(list); };
    const result = await importOne(path, { watch: true });
    assert.deepEqual([result.spans, result.problems.length], [1, 1]);
    assert.deepEqual(problems.map((p) => p.length), [1]);

    appendFileSync(path, second);
    await readUpTo(path);
    assert.equal(engine.index.stats().spans, 2);
    assert.deepEqual(problems.map((p) => p.length), [1], 'the broken line 2 was not read (nor reported) again');

    appendFileSync(path, third.slice(0, 200));
    const position = await readUpTo(path);
    assert.equal(position.consumed, position.size - 200, 'half a line is not consumed');
    assert.equal(engine.index.stats().spans, 2, 'nor indexed');
    assert.deepEqual(problems.map((p) => p.length), [1], 'nor reported');
    appendFileSync(path, third.slice(200));
    await waitFor('the completed line', () => engine.index.stats().spans === 3);
  });

  it('reads a truncated file from the start, and a rotated one (renamed, a new file in its place)', async () => {
    const [first, second, third] = jsonlLines();
    const path = file('live.jsonl', first + 'garbage\n');
    const problems: FileProblem[][] = [];
    engine.files.onProblems = (f, list) => { if (f === path) problems.push(list); };
    await importOne(path, { watch: true });
    assert.equal(engine.index.stats().spans, 1);

    writeFileSync(path, second); // shorter than before: truncated and rewritten
    await waitFor('the rewritten file', () => engine.index.stats().spans === 2);
    await waitFor('its problems to clear', () => problems.at(-1)?.length === 0);

    renameSync(path, `${path}.1`);
    writeFileSync(path, third);
    await waitFor('the new file in the old one\'s place', () => engine.index.stats().spans === 3);
    appendFileSync(path, first);
    await engine.files.idle();
    assert.equal(engine.index.stats().spans, 3, 'reading the same span again replaces it');
  });

  it('stops tailing a deleted file: its traces stay, its problems clear', async () => {
    const path = file('live.jsonl', jsonlLines()[0] + 'garbage\n');
    const problems: FileProblem[][] = [];
    engine.files.onProblems = (f, list) => { if (f === path) problems.push(list); };
    await importOne(path, { watch: true });
    unlinkSync(path);
    await waitFor('the problems to clear', () => problems.at(-1)?.length === 0);
    assert.equal(engine.index.stats().spans, 1);
    writeFileSync(path, jsonlLines()[1]);
    await waitFor('a new file at the path to be read', () => engine.index.stats().spans === 2);
  });

  it('survives a watched file replaced by a directory: its traces stay, tailing goes on elsewhere', async () => {
    const path = file('swapped.jsonl', jsonlLines()[0]);
    await importOne(path, { watch: true });
    unlinkSync(path);
    mkdirSync(path);
    writeFileSync(join(path, 'inside.txt'), 'not a trace file');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await engine.files.idle();
    assert.equal(engine.index.stats().spans, 1);
    const other = file('other.jsonl', jsonlLines()[1]);
    await importOne(other, { watch: true });
    appendFileSync(other, jsonlLines()[2]);
    await waitFor('the other file to be tailed', () => engine.index.stats().spans === 3);
  });

  it('tails a pretty-printed console capture and a Collector protobuf file as they grow', async () => {
    const consoleText = readFileSync(PYTHON_CONSOLE, 'utf8');
    const cut = consoleText.indexOf('{\n    "name": "ChatCompletion"', consoleText.indexOf('rag_pipeline'));
    const consolePath = file('spans.log', consoleText.slice(0, cut + 100));
    const spans = await sdkSpans();
    const proto = protoSpans([spans.slice(0, 1), spans.slice(1)]);
    const protoPath = file('spans.otlp.pb', proto.subarray(0, proto.length - 10));
    await engine.files.import([consolePath, protoPath], { watch: true });
    assert.equal(engine.index.stats().spans, 3 + 1);
    appendFileSync(consolePath, consoleText.slice(cut + 100));
    appendFileSync(protoPath, proto.subarray(proto.length - 10));
    await waitFor('the rest of both files', () => engine.index.stats().spans === 4 + 3);
  });

  it('watches workspace folders for files matching the globs, never in node_modules', async () => {
    await engine.close();
    engine = new Engine({ watch: { roots: [dir], globs: ['**/*.jsonl', '**/traces/**/*.json'] } });
    await engine.ready;
    file('out/run.jsonl', readFileSync(STEP_TRACER));
    file('out/run.jsonl.gz', gzipSync(readFileSync(TRACED_PROGRAM)));
    file('traces/today/export.json', readFileSync(PROTO_EXAMPLE));
    file('out/ignored.json', readFileSync(PROTO_EXAMPLE).toString().replace(/5B8EFFF7/, 'AAAAAAAA'));
    file('node_modules/x/run.jsonl', readFileSync(TUTORIAL_JSONL));
    await waitFor('the matching files', () => engine.index.stats().spans === 9 + 4 + 1);
    appendFileSync(join(dir, 'out/run.jsonl'), readFileSync(TUTORIAL_JSONL, 'utf8').split('\n')[0] + '\n');
    await waitFor('the appended line', () => engine.index.stats().spans === 9 + 4 + 1 + 1);
    await engine.files.idle();
    assert.equal(engine.index.trace('aaaaaaaa98038103d269b633813fc60c'), undefined);
    assert.equal(engine.index.stats().traces, 3 + 4 + 1 + 1);
  });
});

describe('trace files: the CLI and the engine process', () => {
  const bundles = mkdtempSync(join(tmpdir(), 'trace-files-dist-'));
  const cli = join(bundles, 'cli.js');
  const server = join(bundles, 'server.js');

  before(async function () {
    this.timeout(60_000);
    await buildEngineBundles(bundles);
  });

  after(() => rmSync(bundles, { recursive: true, force: true }));

  function run(args: string[]): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [cli, ...args], (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
    });
  }

  it('prints each file\'s shape, spans, traces and problems as FILE:LINE: reason; exit code 1 on problems', async () => {
    const lines = readFileSync(TUTORIAL_JSONL, 'utf8').split('\n');
    lines[2] = '{oops';
    const broken = file('broken.jsonl', lines.join('\n'));
    const bad = await run(['import', STEP_TRACER, broken]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, `${STEP_TRACER}: DSPy step log, 9 span(s) in 3 trace(s)\n`
      + `${broken}: OTLP/JSON lines, 5 span(s) in 3 trace(s)\n  ${broken}:3: bad JSON at column 2: Expected property name or '}'\n`);
    const good = await run(['import', '--json', TUTORIAL_PB]);
    assert.equal(good.code, 0);
    assert.deepEqual(JSON.parse(good.stdout), [{ file: TUTORIAL_PB, shape: 'OTLP protobuf', spans: 6, traces: 3, problems: [] }]);
    const notTraces = await run(['import', join(REPO, 'package.json')]);
    assert.deepEqual([notTraces.code, notTraces.stdout], [1, `${join(REPO, 'package.json')}: not traces\n`]);
  });

  it('import and doctor wait for a record of 2 MB or more converted on a worker thread', async () => {
    const [line] = readFileSync(TRACED_PROGRAM, 'utf8').split('\n');
    const large = JSON.parse(line) as Record<string, unknown>;
    const path = file('large.jsonl', [line, JSON.stringify({ ...large, inputs: { question: 'Where is my order? '.repeat(150_000) } })].join('\n') + '\n');
    assert.ok(statSync(path).size > 2 * 2 ** 20 + 1000);
    const imported = await run(['import', '--json', path]);
    assert.equal(imported.code, 0);
    assert.deepEqual(JSON.parse(imported.stdout), [{ file: path, shape: 'DSPy request log', spans: 2, traces: 2, problems: [] }]);
    const doctor = await run(['doctor', path]);
    assert.match(doctor.stdout, /^Trace Doctor: .* in 2 trace\(s\)/);
  });

  it('serve --watch reads a file and tails it, served by the query API', async () => {
    const path = file('live.jsonl', readFileSync(STEP_TRACER));
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--no-grpc', '--watch', path], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /OTLP\/HTTP\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      let spans = 0;
      const stats = async () => { spans = ((await (await fetch(`http://127.0.0.1:${port}/api/stats`)).json()) as { spans: number }).spans; };
      for (await stats(); spans < 9; await stats()) await new Promise((resolve) => setTimeout(resolve, 50));
      appendFileSync(path, readFileSync(TRACED_PROGRAM, 'utf8').split('\n')[0] + '\n');
      for (await stats(); spans < 10; await stats()) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(spans, 10);
    } finally {
      child.kill();
    }
  });

  it('import --store remembers the files, so serve --store reads them at start', async () => {
    const store = join(dir, 'store');
    assert.equal((await run(['import', '--store', store, TRACED_PROGRAM])).code, 0);
    await engine.close();
    engine = new Engine({ storeDir: store });
    await engine.ready;
    assert.equal(engine.index.stats().traces, 4);
  });

  it('answers ImportFiles over LSP, with progress and problems as notifications', async () => {
    const lines = readFileSync(TUTORIAL_JSONL, 'utf8').split('\n');
    lines[1] = 'oops';
    const path = file('live.jsonl', lines.join('\n'));
    const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const problems: { file: string; problems: FileProblem[] }[] = [];
    const progress: { file: string; bytesRead: number; totalBytes: number }[] = [];
    connection.onNotification(FileProblems, (p) => problems.push(p));
    connection.onNotification(ImportProgress, (p) => progress.push(p));
    connection.listen();
    try {
      const settings: EngineSettings = {
        host: '127.0.0.1', httpPort: 0, grpcPort: null, maxSpans: 100_000, maxMemoryMb: 0, slowMs: 2000, priceOverrides: {},
        retention: { normalDays: 7, slowDays: 30, errorDays: 90, maxBytes: 1e9 },
      };
      await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: settings });
      await connection.sendNotification('initialized', {});
      const [result] = await connection.sendRequest(ImportFiles, { paths: [path], watch: true });
      assert.deepEqual([result.shape, result.spans, result.problems.map((p) => p.line)], ['OTLP/JSON lines', 5, [2]]);
      await waitFor('the problems notification', () => problems.length === 1);
      assert.deepEqual(problems[0], { file: path, problems: result.problems });
      assert.deepEqual(progress.at(-1), { file: path, bytesRead: statSync(path).size, totalBytes: statSync(path).size });
      appendFileSync(path, '\n{"resourceSpans": [}\n');
      await waitFor('the new problem', () => problems.at(-1)?.problems.length === 2);
      assert.equal(problems.at(-1)!.problems[1].line, lines.length + 1);
      await connection.sendRequest('shutdown');
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});
