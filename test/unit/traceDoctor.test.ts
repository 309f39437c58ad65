// Trace Doctor end to end: real instrumentations from npm, set up wrong on purpose (content
// capture off, logs not exported, a sub-agent that lost its context, usage on parent and child,
// a stream without usage, usage the instrumentation dropped or recorded under a legacy key, skewed
// clocks, a parent that never ended), exporting over OTLP into a
// running engine. Each diagnosis must come back from the query API with its evidence and fix,
// and each must go away when the app is set up right.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context, metrics, propagation, ROOT_CONTEXT, SpanKind, trace as otelTrace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OpenAIInstrumentation as OtelGenAiInstrumentation } from '@opentelemetry/instrumentation-openai';
import { OpenAIInstrumentation as OpenLlmetryInstrumentation } from '@traceloop/instrumentation-openai';
// OpenLLMetry-JS 0.19.0, installed under an alias: it records usage under the older keys.
import { OpenAIInstrumentation as OpenLlmetry019Instrumentation } from 'openllmetry-openai-0.19';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import * as openaiModule from 'openai';
import { startEngine, type Engine } from '../../src/engine/engine';
import { compareVersions, knownBadVersion } from '../../src/engine/index/doctor/instrumentations';
import { applyInferredParents, type Diagnosis, type DiagnosisKind, type ServiceDiagnosis } from '../../src/shared/doctor';
import { queryApiPath } from '../../src/shared/queryApi';
import type { EngineStats, TraceDetail } from '../../src/shared/spanModel';
import { buildSpanTree } from '../../src/shared/spanTree';
import { EngineApiClient } from './helpers/engineApiClient';
import { buildEngineBundles } from './helpers/engineBundles';
import { rawSpan } from './helpers/rawSpans';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { startFakeOpenAiServer, type FakeOpenAiServer } from './helpers/fakeOpenAiServer';
import { moduleDefinition, patchOtelGenAi, REQUEST_MODEL } from './helpers/instrumentedLlmApps';
import { startOtlpExportPipeline, type OtlpExportPipeline } from './helpers/otlpExportPipeline';

type Patch = (pipeline: OtlpExportPipeline) => () => void;

const openInference = (traceConfig?: { hideInputs?: boolean; hideOutputs?: boolean }): Patch => (pipeline) => {
  const instrumentation = new OpenInferenceInstrumentation({ tracerProvider: pipeline.tracerProvider, traceConfig });
  instrumentation.manuallyInstrument(openaiModule.OpenAI);
  return () => instrumentation.disable();
};

const otelGenAi = (captureMessageContent: boolean, exportLogs: boolean): Patch => (pipeline) => patchOtelGenAi(pipeline, captureMessageContent, exportLogs);

const openLlmetry = (traceContent: boolean): Patch => (pipeline) => {
  const instrumentation = new OpenLlmetryInstrumentation({ traceContent });
  instrumentation.setTracerProvider(pipeline.tracerProvider);
  instrumentation.manuallyInstrument(openaiModule.OpenAI);
  return () => {
    moduleDefinition(instrumentation).unpatch(openaiModule);
    instrumentation.disable();
  };
};

const openLlmetry019: Patch = (pipeline) => {
  const instrumentation = new OpenLlmetry019Instrumentation({ traceContent: true });
  instrumentation.setTracerProvider(pipeline.tracerProvider);
  instrumentation.manuallyInstrument(openaiModule.OpenAI);
  return () => {
    moduleDefinition(instrumentation).unpatch(openaiModule);
    instrumentation.disable();
  };
};

describe('Trace Doctor, on real instrumentation traffic set up wrong on purpose', () => {
  let engine: Engine;
  let api: EngineApiClient;
  let fakeApi: FakeOpenAiServer;
  let serviceCounter = 0;

  before(async () => {
    // No grace: a missing parent or log record counts as lost as soon as the test reads the trace.
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: 0, doctorGraceMs: 0 });
    api = new EngineApiClient(engine.httpPort);
    fakeApi = await startFakeOpenAiServer();
  });
  after(async () => {
    await fakeApi?.close();
    await engine?.close();
  });

  /** Runs `app` in a service of its own with the instrumentation patched in; returns the service name. */
  async function runApp(patch: Patch | undefined, app: (client: openaiModule.OpenAI, pipeline: OtlpExportPipeline) => Promise<void>): Promise<string> {
    const service = `doctor-app-${++serviceCounter}`;
    const pipeline = startOtlpExportPipeline(engine.httpPort, service);
    const unpatch = patch?.(pipeline);
    try {
      const client = new openaiModule.OpenAI({ apiKey: 'sk-test-local-only', baseURL: fakeApi.baseURL, maxRetries: 0 });
      await app(client, pipeline);
      await pipeline.flush();
    } finally {
      unpatch?.();
      await pipeline.shutdown();
    }
    return service;
  }

  async function ask(client: openaiModule.OpenAI, marker: string): Promise<void> {
    await client.chat.completions.create({ model: REQUEST_MODEL, messages: [{ role: 'user', content: `How tall is Hornbjargsviti? (ref ${marker})` }] });
  }

  async function tracesOf(service: string): Promise<TraceDetail[]> {
    const summaries = await api.listTraces({ service });
    assert.ok(summaries.length > 0, `no traces from ${service}`);
    return Promise.all(summaries.map((s) => api.trace(s.traceId)));
  }

  async function diagnosesOf(service: string): Promise<Diagnosis[]> {
    return (await tracesOf(service)).flatMap((t) => t.diagnoses ?? []);
  }

  function only(diagnoses: Diagnosis[], kind: DiagnosisKind): Diagnosis {
    const found = diagnoses.filter((d) => d.kind === kind);
    assert.equal(found.length, 1, `expected one ${kind}, got ${JSON.stringify(diagnoses, null, 1)}`);
    return found[0];
  }

  const kinds = (diagnoses: Diagnosis[]) => diagnoses.map((d) => d.kind);

  async function stats(): Promise<EngineStats> {
    const response = await fetch(`http://127.0.0.1:${engine.httpPort}${queryApiPath.stats()}`);
    return await response.json() as EngineStats;
  }

  /** The stats' per-service diagnoses once one matches: they fold settled traces a few milliseconds a call, so a backlog takes a few calls on a loaded machine. */
  async function statsSaying(wanted: (d: ServiceDiagnosis) => boolean): Promise<ServiceDiagnosis[]> {
    let diagnoses: ServiceDiagnosis[] = [];
    for (let call = 0; call < 100 && !diagnoses.some(wanted); call++) diagnoses = (await stats()).diagnoses ?? [];
    return diagnoses;
  }

  it('content capture off names the exact setting of the instrumentation in the scope, and the stats carry it per service', async () => {
    const genAi = await runApp(otelGenAi(false, true), (client) => ask(client, 'capoffgenai'));
    const diagnosis = only(await diagnosesOf(genAi), 'contentCaptureOff');
    assert.match(diagnosis.fix, /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true/);
    assert.match(diagnosis.evidence, /@opentelemetry\/instrumentation-openai/);
    assert.deepEqual(diagnosis.setting?.env, { name: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', value: 'true' });
    assert.equal(diagnosis.spanIds?.length, 1);

    const traceloop = await runApp(openLlmetry(false), (client) => ask(client, 'capofftraceloop'));
    assert.match(only(await diagnosesOf(traceloop), 'contentCaptureOff').fix, /TRACELOOP_TRACE_CONTENT=true/);

    const perService = await statsSaying((d) => d.service === genAi && d.kind === 'contentCaptureOff');
    const entry = perService.find((d) => d.service === genAi && d.kind === 'contentCaptureOff');
    assert.ok(entry, `stats carry the service's diagnosis: ${JSON.stringify(perService)}`);
    assert.equal(entry.traces, 1);

    const fixed = await runApp(otelGenAi(true, true), (client) => ask(client, 'capon1'));
    assert.deepEqual(kinds(await diagnosesOf(fixed)), [], 'capture on and logs exported: nothing to say');
  });

  it('content sent as log records that are never exported is told apart from capture off', async () => {
    const service = await runApp(otelGenAi(true, false), (client) => ask(client, 'nologs'));
    const diagnosis = only(await diagnosesOf(service), 'contentLogsMissing');
    assert.match(diagnosis.fix, /OTLP log exporter/);
    assert.ok(!kinds(await diagnosesOf(service)).includes('contentCaptureOff'));
  });

  it('content hidden by OpenInference before export', async () => {
    const service = await runApp(openInference({ hideInputs: true, hideOutputs: true }), (client) => ask(client, 'hidden'));
    assert.match(only(await diagnosesOf(service), 'contentRedacted').fix, /OPENINFERENCE_HIDE_INPUTS/);
  });

  it('a sub-agent run in another async context without the parent context is adopted by its parent, marked as inferred', async () => {
    let agentSpanId = '';
    const service = await runApp(openInference(), async (client, pipeline) => {
      const tracer = pipeline.tracerProvider.getTracer('my-agent');
      await tracer.startActiveSpan('research-agent', { attributes: { 'openinference.span.kind': 'AGENT' } }, async (agent) => {
        agentSpanId = agent.spanContext().spanId;
        // The sub-agent's call runs where the active context was lost (a pool, a queue callback).
        await context.with(ROOT_CONTEXT, () => ask(client, 'subagent'));
        agent.end();
      });
    });
    const traces = await tracesOf(service);
    assert.equal(traces.length, 2, 'the lost call started a trace of its own');
    const parentTrace = traces.find((t) => t.spans.some((s) => s.spanId === agentSpanId))!;
    const lostTrace = traces.find((t) => t !== parentTrace)!;
    assert.match(only(lostTrace.diagnoses ?? [], 'detachedTrace').fix, /context/);
    assert.equal(parentTrace.inferredParents?.length, 1);
    const [inferred] = parentTrace.inferredParents!;
    assert.equal(inferred.parentSpanId, agentSpanId);
    assert.equal(inferred.traceId, lostTrace.summary.traceId);
    assert.match(inferred.reason, /^inferred:/);

    const repaired = buildSpanTree(applyInferredParents(parentTrace.spans, parentTrace.inferredParents, parentTrace.adoptedSpans, true));
    assert.equal(repaired.length, 1, 'one tree');
    const child = repaired[0].children[0];
    assert.equal(child.span.kind, 'LLM');
    assert.match((child.span as { inferredParent?: string }).inferredParent ?? '', /inferred/);
    const asReceived = buildSpanTree(applyInferredParents(parentTrace.spans, parentTrace.inferredParents, parentTrace.adoptedSpans, false));
    assert.equal(asReceived[0].children.length, 0, 'reversible: as received, the agent has no child');

    const propagated = await runApp(openInference(), async (client, pipeline) => {
      await pipeline.tracerProvider.getTracer('my-agent').startActiveSpan('research-agent', { attributes: { 'openinference.span.kind': 'AGENT' } }, async (agent) => {
        await ask(client, 'subagentok');
        agent.end();
      });
    });
    assert.deepEqual(kinds(await diagnosesOf(propagated)), []);
  });

  it('a burst of one-span traces from one service says no context propagates', async () => {
    const service = await runApp(openInference(), async (client) => {
      await Promise.all([1, 2, 3, 4, 5, 6].map((n) => context.with(ROOT_CONTEXT, () => ask(client, `burst${n}`))));
    });
    const diagnoses = await diagnosesOf(service);
    assert.ok(diagnoses.filter((d) => d.kind === 'noContextPropagation').length >= 5, JSON.stringify(kinds(diagnoses)));
  });

  it('usage reported at a wrapper and its provider call is counted once and said so', async () => {
    // The AI SDK records the call's usage on ai.generateText and again on its ai.generateText.doGenerate.
    const service = await runApp(undefined, async (_client, pipeline) => {
      const provider = createOpenAI({ apiKey: 'sk-test-local-only', baseURL: fakeApi.baseURL });
      await generateText({
        model: provider.chat(REQUEST_MODEL),
        prompt: 'How tall is Hornbjargsviti?',
        maxRetries: 0,
        experimental_telemetry: { isEnabled: true, functionId: 'usage-twice', tracer: pipeline.tracerProvider.getTracer('ai') },
      });
    });
    const [detail] = await tracesOf(service);
    const diagnosis = only(detail.diagnoses ?? [], 'usageCountedTwice');
    assert.match(diagnosis.evidence, /ai\.generateText reports 45 tokens and its descendant ai\.generateText\.doGenerate 45/);
    assert.equal(detail.summary.tokens.total, 45, 'the totals count the usage once');
  });

  const consume = async (stream: AsyncIterable<{ usage?: { total_tokens?: number } | null }>) => {
    let reportedTokens: number | undefined;
    for await (const chunk of stream) reportedTokens = chunk.usage?.total_tokens ?? reportedTokens;
    return reportedTokens;
  };

  it('a stream that did not ask for usage, and not when it did and the instrumentation read it', async () => {
    const service = await runApp(openInference(), async (client) => {
      await consume(await client.chat.completions.create({ model: REQUEST_MODEL, stream: true, messages: [{ role: 'user', content: 'stream no usage' }] }));
    });
    assert.match(only(await diagnosesOf(service), 'streamWithoutUsage').fix, /include_usage: true/);
    // The OTel GenAI instrumentation reads the usage chunk of a stream.
    const asked = await runApp(otelGenAi(true, true), async (client) => {
      await consume(await client.chat.completions.create({ model: REQUEST_MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream usage' }] }));
    });
    assert.deepEqual(kinds(await diagnosesOf(asked)), []);
  });

  it('usage missing where the provider returned it: OpenInference reads no usage chunk of a stream that asked for one', async () => {
    // @arizeai/openinference-instrumentation-openai 4.2.7 skips every stream chunk without choices,
    // and the usage chunk (stream_options.include_usage) has none.
    let reportedTokens: number | undefined;
    const service = await runApp(openInference(), async (client) => {
      reportedTokens = await consume(await client.chat.completions.create({
        model: REQUEST_MODEL, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream usage dropped' }],
      }));
    });
    assert.equal(reportedTokens, 45, 'the provider sent usage in the stream');
    const diagnoses = await diagnosesOf(service);
    const diagnosis = only(diagnoses, 'usageMissing');
    assert.match(diagnosis.evidence, /^OpenAI Chat Completions \(gpt-4o-mini[^)]*\) asked for usage on its stream \(stream_options\.include_usage\)/);
    assert.ok(!kinds(diagnoses).includes('streamWithoutUsage'), 'it did ask for usage');
  });

  it('an instrumentation version known to drop data, with its source', async () => {
    const service = await runApp(openLlmetry(true), async (client) => {
      const stream = await client.chat.completions.create({ model: REQUEST_MODEL, stream: true, messages: [{ role: 'user', content: 'stream via openllmetry' }] });
      for await (const _ of stream) { /* read to the end */ }
    });
    const diagnosis = only(await diagnosesOf(service), 'knownBadVersion');
    assert.equal(diagnosis.source, 'https://github.com/traceloop/openllmetry-js/issues/940');
    assert.match(diagnosis.evidence, /@traceloop\/instrumentation-openai 0\.27\.0/);
    assert.ok(!kinds(await diagnosesOf(service)).includes('usageMissing'), 'the version says why usage is missing');
  });

  it('usage under a key no convention uses: Sentry\'s legacy AI attributes, with the usage of a real response', async () => {
    // The app records the call the way Sentry's manual AI monitoring documented it (attribute names
    // from getsentry/sentry-conventions, model/attributes/ai/ai__*_tokens__used.json, deprecated for
    // gen_ai.usage.*), with the usage the fake server returned to the real openai client.
    const service = await runApp(undefined, async (client, pipeline) => {
      await pipeline.tracerProvider.getTracer('sentry-style-app').startActiveSpan(`chat ${REQUEST_MODEL}`, async (span) => {
        const completion = await client.chat.completions.create({ model: REQUEST_MODEL, messages: [{ role: 'user', content: 'How tall is Hornbjargsviti? (ref sentrykeys)' }] });
        span.setAttributes({
          'sentry.op': 'ai.chat_completions.create.openai',
          'ai.model_id': completion.model,
          'ai.streaming': false,
          'ai.prompt_tokens.used': completion.usage!.prompt_tokens,
          'ai.completion_tokens.used': completion.usage!.completion_tokens,
          'ai.total_tokens.used': completion.usage!.total_tokens,
        });
        span.end();
      });
    });
    const diagnosis = only(await diagnosesOf(service), 'usageNonStandardKey');
    assert.match(diagnosis.evidence, /^chat gpt-4o-mini has ai\.prompt_tokens\.used = 31 and none of the standard usage attributes\.$/);
  });

  it('usage under OpenLLMetry\'s older keys (gen_ai.usage.prompt_tokens, llm.usage.total_tokens) is counted, not flagged', async () => {
    const service = await runApp(openLlmetry019, (client) => ask(client, 'legacykeys'));
    const [detail] = await tracesOf(service);
    const llm = detail.spans.find((s) => s.kind === 'LLM')!;
    assert.deepEqual([llm.attributes['gen_ai.usage.prompt_tokens'], llm.attributes['gen_ai.usage.completion_tokens'], llm.attributes['llm.usage.total_tokens']], [31, 14, 45],
      'the package recorded the older keys');
    assert.equal(detail.summary.tokens.total, 45);
    assert.deepEqual(kinds(detail.diagnoses ?? []), []);
  });

  it('a child in another service whose clock runs behind its parent\'s: the shift is shown, not corrected', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const gateway = startOtlpExportPipeline(engine.httpPort, 'doctor-gateway');
    const toolServer = startOtlpExportPipeline(engine.httpPort, 'doctor-tool-server');
    const parent = gateway.tracerProvider.getTracer('gateway').startSpan('call tool server', { kind: SpanKind.CLIENT });
    const headers: Record<string, string> = {};
    propagation.inject(otelTrace.setSpan(context.active(), parent), headers);
    const received = propagation.extract(ROOT_CONTEXT, headers);
    const started = Date.now();
    // The tool server's clock is 250 ms behind the gateway's.
    toolServer.tracerProvider.getTracer('tool-server').startSpan('handle tool call', { kind: SpanKind.SERVER, startTime: started - 250 }, received).end(started - 200);
    parent.end();
    await toolServer.flush();
    await gateway.flush();
    await Promise.all([toolServer.shutdown(), gateway.shutdown()]);
    const [detail] = await tracesOf('doctor-tool-server');
    const diagnosis = only(detail.diagnoses ?? [], 'clockSkew');
    assert.equal(diagnosis.service, 'doctor-tool-server');
    assert.match(diagnosis.evidence, /starts 2\d\d(\.\d)? ms before its parent call tool server/);
    const child = detail.spans.find((s) => s.service === 'doctor-tool-server')!;
    assert.ok(child.startMs < detail.spans.find((s) => s.service === 'doctor-gateway')!.startMs, 'times as received');
  });

  it('a service called without the trace context starts traces of its own: shown under the call, and said per service', async () => {
    const caller = startOtlpExportPipeline(engine.httpPort, 'doctor-caller');
    const callee = startOtlpExportPipeline(engine.httpPort, 'doctor-callee');
    const call = caller.tracerProvider.getTracer('caller').startSpan('POST /lookup', { kind: SpanKind.CLIENT });
    // The callee never reads a traceparent header: its request span starts a trace of its own.
    callee.tracerProvider.getTracer('callee').startSpan('POST /lookup', { kind: SpanKind.SERVER }, ROOT_CONTEXT).end();
    call.end();
    await callee.flush();
    await caller.flush();
    await Promise.all([caller.shutdown(), callee.shutdown()]);
    const [calleeTrace] = await tracesOf('doctor-callee');
    const diagnosis = only(calleeTrace.diagnoses ?? [], 'contextLostBetweenServices');
    assert.equal(diagnosis.service, 'doctor-callee');
    assert.match(diagnosis.fix, /propagation\.extract/);
    const [callerTrace] = await tracesOf('doctor-caller');
    assert.equal(callerTrace.inferredParents?.[0].parentSpanId, call.spanContext().spanId);
    assert.equal(callerTrace.adoptedSpans?.[0].service, 'doctor-callee');
    const perService = await statsSaying((d) => d.kind === 'contextLostBetweenServices' && d.service === 'doctor-callee');
    assert.ok(perService.some((d) => d.kind === 'contextLostBetweenServices' && d.service === 'doctor-callee'), `the stats say it of doctor-callee: ${JSON.stringify(perService)}`);
  });

  it('a span whose parent never ended is shown under the closest span that contains it, marked and reversible', async () => {
    let rootId = '';
    const service = await runApp(undefined, async (_client, pipeline) => {
      const tracer = pipeline.tracerProvider.getTracer('worker');
      // Times given, not read: the OTel JS SDK starts each span at Date.now() (whole milliseconds)
      // and measures its end with performance.now(), so when the millisecond ticks between the root's
      // start and the orphan's, the root can seem to end before the orphan starts (seen under load).
      const t = Date.now();
      tracer.startActiveSpan('handle job', { startTime: t }, (root) => {
        rootId = root.spanContext().spanId;
        // The middle span is never ended (its process died), so it is never exported.
        tracer.startActiveSpan('step', { startTime: t + 1 }, () => tracer.startSpan('write result', { startTime: t + 2 }).end(t + 3));
        root.end(t + 10);
      });
    });
    const [detail] = await tracesOf(service);
    assert.equal(only(detail.diagnoses ?? [], 'orphanSpans').spanIds?.length, 1);
    assert.equal(detail.inferredParents?.[0].parentSpanId, rootId);
    const tree = buildSpanTree(applyInferredParents(detail.spans, detail.inferredParents, detail.adoptedSpans, true));
    assert.equal(tree.length, 1);
    assert.equal(buildSpanTree(detail.spans).length, 2, 'as received, the orphan is a root of its own');
  });

  it('node dist/cli.js doctor prints them per service for trace files, exit code 1 when any', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'doctor-cli-'));
    try {
      const { cli } = await buildEngineBundles(dir);
      const exportOf = async (service: string, file: string) => {
        const [summary] = await api.listTraces({ service });
        const response = await fetch(`http://127.0.0.1:${engine.httpPort}${queryApiPath.traceOtlp(summary.traceId)}`);
        writeFileSync(join(dir, file), await response.text());
        return join(dir, file);
      };
      const skewed = await exportOf('doctor-tool-server', 'skewed.json');
      const clean = await exportOf((await api.listTraces({ q: 'subagentok' }))[0].service, 'clean.json');
      const run = (args: string[]) => new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [cli, 'doctor', ...args], (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
      });
      const found = await run([skewed, clean]);
      assert.equal(found.code, 1, found.stdout);
      assert.match(found.stdout, /^Trace Doctor: 1 problem\(s\) in 2 trace\(s\)\n\ndoctor-tool-server\n  clock skew: doctor-tool-server's clock looks behind doctor-gateway's\.\n    1 trace\(s\), e\.g\. [0-9a-f]{32}\n    evidence: handle tool call/);
      const json = await run(['--json', skewed]);
      assert.deepEqual((JSON.parse(json.stdout) as Diagnosis[]).map((d) => d.kind), ['clockSkew']);
      const none = await run([clean]);
      assert.deepEqual([none.code, none.stdout], [0, 'Trace Doctor: nothing wrong found in 1 trace(s).\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Trace Doctor known bad versions table', () => {
  it('matches by scope, version and what the span lacks, each entry with its source', () => {
    assert.equal(knownBadVersion('opentelemetry.instrumentation.openai', '0.2.0', true)?.source, 'https://github.com/traceloop/openllmetry/issues/165');
    assert.equal(knownBadVersion('opentelemetry.instrumentation.openai', '0.2.1', true), undefined);
    assert.equal(knownBadVersion('@traceloop/instrumentation-openai', '0.27.0', true), undefined, 'a span with usage lost nothing');
    assert.equal(knownBadVersion('@traceloop/instrumentation-openai', '0.27.0', false)?.source, 'https://github.com/traceloop/openllmetry-js/issues/940');
    assert.ok(compareVersions('0.10.0', '0.9.9') > 0);
  });
});

describe('Trace Doctor on hostile traces', () => {
  it('stays bounded: a sample of span ids, cut evidence, a bounded number of repairs, long chains walked once', () => {
    const index = new TraceIndex(new PriceTable(), { doctorGraceMs: 0 });
    const traceId = 'd0c7'.padEnd(32, '0');
    const hex = (n: number) => n.toString(16).padStart(16, '0');
    const longName = 'x'.repeat(100_000);
    // 3000 orphans (parents that never arrive) and a 3000-deep chain that reports usage at every level.
    const spans = [rawSpan({}, { traceId, spanId: hex(1), name: 'root', startMs: 0, endMs: 10_000 })];
    for (let i = 0; i < 3000; i++) spans.push(rawSpan({}, { traceId, spanId: hex(10_000 + i), parentSpanId: hex(90_000 + i), name: longName, startMs: 1 + i, endMs: 2 + i }));
    for (let i = 0; i < 3000; i++) {
      spans.push(rawSpan({ 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 }, { traceId, spanId: hex(20_000 + i), parentSpanId: hex(i ? 20_000 + i - 1 : 1), name: `level ${i}`, startMs: 1, endMs: 9_000 }));
    }
    index.addSpans(spans);
    const detail = index.trace(traceId)!;
    const orphans = detail.diagnoses!.find((d) => d.kind === 'orphanSpans')!;
    assert.equal(orphans.spanIds!.length, 20);
    assert.ok(orphans.evidence.length < 1100, `evidence cut, got ${orphans.evidence.length} characters`);
    assert.match(orphans.evidence, /\(3000 spans like this\)$/);
    assert.equal(detail.inferredParents!.length, 200);
    assert.ok(detail.diagnoses!.some((d) => d.kind === 'usageCountedTwice'));
    assert.ok((index.stats().diagnoses ?? []).some((d) => d.kind === 'orphanSpans' && d.traces === 1));
  });
});

