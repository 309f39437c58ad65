// Trace Doctor's quick fixes on real set-up code: a small Node app traced by
// @opentelemetry/instrumentation-openai, set up wrong (content capture off, logs not exported),
// runs against the fake OpenAI API and a running engine; the diagnosis comes back; the fix is
// applied to the app's source; the app runs again and the problem is gone. The Python edits are
// checked as text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine, type Engine } from '../../src/engine/engine';
import type { Diagnosis, DiagnosisKind } from '../../src/shared/doctor';
import { applyFixEdits, doctorFixes } from '../../src/shared/doctorFixes';
import { EngineApiClient } from './helpers/engineApiClient';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './helpers/fakeOpenAiServer';
import { runTracedApp, tracedAppSource as appSource } from './helpers/tracedNodeApp';

const REPO = join(__dirname, '..', '..');

describe('Trace Doctor quick fixes, applied to a real app that then runs again', () => {
  let engine: Engine;
  let api: EngineApiClient;
  let fakeApi: FakeOpenAiServer;
  // Inside the repository, so the app resolves the same node_modules as the tests.
  let dir = '';
  let runs = 0;

  before(async () => {
    dir = mkdtempSync(join(REPO, 'test', 'unit', '.doctor-app-'));
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, doctorGraceMs: 0 });
    api = new EngineApiClient(engine.httpPort);
    fakeApi = await startFakeOpenAiServer();
  });
  after(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await fakeApi?.close();
    await engine?.close();
  });

  /** Runs the app's source as a process of its own; returns the diagnoses of the trace it sent. */
  async function run(source: string): Promise<Diagnosis[]> {
    const service = `fixed-app-${++runs}`;
    const file = join(dir, `app${runs}.ts`);
    writeFileSync(file, source);
    await runTracedApp(file, REPO, { SERVICE_NAME: service, FAKE_OPENAI: fakeApi.baseURL, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${engine.httpPort}` });
    const [summary] = await api.listTraces({ service });
    assert.ok(summary, `the app's trace arrived (${service})`);
    return (await api.trace(summary.traceId)).diagnoses ?? [];
  }

  function fixed(source: string, diagnoses: Diagnosis[], kind: DiagnosisKind): string {
    const diagnosis = diagnoses.find((d) => d.kind === kind);
    assert.ok(diagnosis, `expected ${kind}, got ${JSON.stringify(diagnoses.map((d) => d.kind))}`);
    const [fix] = doctorFixes(source, 'javascript', diagnosis);
    assert.ok(fix, `a fix for ${kind}`);
    return applyFixEdits(source, fix.edits);
  }

  it('content capture off (logs exported): the fix turns the option on, and the app then records the prompt', async function () {
    this.timeout(60_000);
    const source = appSource(false, true);
    const after = fixed(source, await run(source), 'contentCaptureOff');
    assert.equal(after, appSource(true, true), 'the one option changed, nothing else');
    const kinds = (await run(after)).map((d) => d.kind);
    assert.ok(!kinds.includes('contentCaptureOff'), JSON.stringify(kinds));
  });

  it('content logs not exported: the fix adds a log exporter next to the span exporter, and the content then arrives', async function () {
    this.timeout(60_000);
    const source = appSource(true, false);
    const after = fixed(source, await run(source), 'contentLogsMissing');
    assert.match(after, /^import \{ logs \} from '@opentelemetry\/api-logs';\n/);
    assert.match(after, /logs\.setGlobalLoggerProvider\(new LoggerProvider\(\{ processors: \[new BatchLogRecordProcessor\(\{ exporter: new OTLPLogExporter\(\) \}\)\] \}\)\);\nconst provider = new BasicTracerProvider/);
    assert.deepEqual((await run(after)).map((d) => d.kind), []);
  });

  it('Python set-up: env var before the tracer provider (with import os), threading context, stream usage', () => {
    const python = 'from openinference.instrumentation.openai import OpenAIInstrumentor\nfrom opentelemetry.sdk.trace import TracerProvider\n\n'
      + 'provider = TracerProvider()\nOpenAIInstrumentor().instrument(tracer_provider=provider)\nclient.chat.completions.create(model="m", stream=True, messages=[])\n';
    const diagnosis = (kind: DiagnosisKind, setting?: Diagnosis['setting']): Diagnosis => ({ kind, service: 's', title: '', evidence: '', fix: '', setting });
    const capture = doctorFixes(python, 'python', diagnosis('contentCaptureOff', { env: { name: 'OPENINFERENCE_HIDE_INPUTS', value: 'false' } }))[0];
    assert.equal(applyFixEdits(python, capture.edits).split('\n').slice(0, 5).join('\n'),
      'import os\nfrom openinference.instrumentation.openai import OpenAIInstrumentor\nfrom opentelemetry.sdk.trace import TracerProvider\n\nos.environ["OPENINFERENCE_HIDE_INPUTS"] = "false"');
    const threads = applyFixEdits(python, doctorFixes(python, 'python', diagnosis('detachedTrace'))[0].edits);
    assert.match(threads, /^from opentelemetry\.instrumentation\.threading import ThreadingInstrumentor\n/);
    assert.match(threads, /ThreadingInstrumentor\(\)\.instrument\(\)\nprovider = TracerProvider\(\)/);
    const stream = applyFixEdits(python, doctorFixes(python, 'python', diagnosis('streamWithoutUsage'))[0].edits);
    assert.match(stream, /stream=True, stream_options=\{"include_usage": True\}, messages=\[\]/);
    assert.deepEqual(doctorFixes('print("no tracing here")\n', 'python', diagnosis('detachedTrace')), [], 'no set-up, no fix');
  });
});
