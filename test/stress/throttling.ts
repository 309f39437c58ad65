// Throttling with a tiny admission limit (one request at a time): the real OTel JS exporters
// (OTLP/HTTP protobuf and JSON) get 429 + Retry-After, retry on their own, and every span they
// were asked to export arrives. Over gRPC the answer is UNAVAILABLE with a RetryInfo delay.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createHttpServer } from '../../src/engine/http/httpServer';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { Admission } from '../../src/engine/otlp/admission';
import { startGrpcReceiver } from '../../src/engine/otlp/grpcReceiver';
import { Ingest } from '../../src/engine/otlp/ingest';
import type { Section } from './figures';
import { GrpcTraceClient, newTally } from './senders';
import { RequestTemplate } from './workload';

const EXPORTERS_PER_ENCODING = 4;
const BATCHES_PER_EXPORTER = 5;
const SPANS_PER_BATCH = 200;

async function sdkSpans(count: number, service: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('stress');
  for (let i = 0; i < count; i++) tracer.startSpan(`call ${i}`, { attributes: { 'llm.input_messages.0.message.content': `prompt ${i} `.repeat(50) } }).end();
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

export async function runThrottling(section: Section): Promise<void> {
  const index = new TraceIndex(new PriceTable());
  const ingest = new Ingest(index);
  const admission = new Admission({ maxRequests: 1, maxBytes: 1, maxLagMs: 1000 });
  const server = createHttpServer({ ingest, index, maxBodyBytes: 64 * 2 ** 20, allowedHosts: [], log: () => undefined, admission });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  try {
    const exporters = [
      ...Array.from({ length: EXPORTERS_PER_ENCODING }, () => new ProtoTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` })),
      ...Array.from({ length: EXPORTERS_PER_ENCODING }, () => new JsonTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` })),
    ];
    const batches = await Promise.all(exporters.map((_, e) => Promise.all(
      Array.from({ length: BATCHES_PER_EXPORTER }, (__, b) => sdkSpans(SPANS_PER_BATCH, `exporter-${e}-${b}`)))));
    const outcomes = await Promise.all(exporters.map(async (exporter, e) => {
      const results: number[] = [];
      // Each exporter sends its batches one after another, as a BatchSpanProcessor does.
      for (const batch of batches[e]) results.push(await new Promise<number>((resolve) => exporter.export(batch, (r) => resolve(r.code))));
      await exporter.shutdown();
      return results;
    }));
    const sent = exporters.length * BATCHES_PER_EXPORTER * SPANS_PER_BATCH;
    const succeeded = outcomes.flat().filter((code) => code === 0).length;
    section.figure('OTel exporters (HTTP protobuf + JSON) sending at once against a limit of 1 request', exporters.length);
    section.figure('requests answered 429 + Retry-After', admission.refused);
    section.check('the limit was hit (429 answered)', admission.refused > 0, `${admission.refused}`);
    section.check('every export succeeded after the exporters\' own retries', succeeded === outcomes.flat().length,
      `${succeeded} of ${outcomes.flat().length}`);
    section.check('every span the exporters were given arrived', index.stats().spans === sent, `${index.stats().spans} of ${sent}`);
    await grpcThrottling(section, ingest);
  } finally {
    server.close();
    server.closeAllConnections();
    admission.close();
  }
}

async function grpcThrottling(section: Section, ingest: Ingest): Promise<void> {
  const admission = new Admission({ maxRequests: 1, maxBytes: 1, maxLagMs: 1000 });
  const receiver = await startGrpcReceiver(ingest, '127.0.0.1', 0, 64 * 2 ** 20, () => undefined, admission);
  const template = await RequestTemplate.build(Array.from({ length: 20 }, () => 'normal'));
  const clients = Array.from({ length: 8 }, () => new GrpcTraceClient(receiver.port));
  try {
    const first = await Promise.all(clients.map((c, i) => c.export(template.render('protobuf', i))));
    const refused = first.filter((r) => r.code === grpc.status.UNAVAILABLE);
    section.check('gRPC past the limit answers UNAVAILABLE with a RetryInfo delay', refused.length > 0 && refused.every((r) => r.retryDelayMs === 1000),
      `${refused.length} of ${first.length} refused, delays ${[...new Set(refused.map((r) => r.retryDelayMs))].join(',')} ms`);
    const tally = newTally();
    const retried = await Promise.all(first.map((r, i) => r.code === grpc.status.OK || clients[i].exportUntilAccepted(template.render('protobuf', i), tally)));
    section.check('gRPC clients that wait the RetryInfo delay get everything in', retried.every(Boolean));
  } finally {
    clients.forEach((c) => c.close());
    await receiver.close();
    admission.close();
  }
}
