// The ClickHouse backend on a real ClickHouse engine (chdb, ClickHouse embedded, from npm): the
// Collector exporter's own DDL, rows written as the exporter writes them from spans the
// OpenTelemetry JS SDK made, and the backend's SQL run as it is, through @clickhouse/client over
// ClickHouse's HTTP interface, and directly.
import assert from 'node:assert/strict';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ClickHouseBackend, SqlRunner } from '../../src/engine/backends/clickhouse';
import { TeamBackends } from '../../src/engine/backends/teamBackends';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { Ingest } from '../../src/engine/otlp/ingest';
import type { BackendConfig } from '../../src/shared/backends';
import { ChdbClickHouse, ClickHouseHttp, exporterRow, serveClickHouseHttp } from './helpers/chdbClickHouse';
import { recordSpans } from './helpers/otelSenders';

const DATABASE = 'team_otel';
const TABLE = 'otel_traces_v2';
const NOW = Date.now();

/** A chat request whose model call failed; a slow one for another customer; an old one; another service. */
async function teamTraffic(): Promise<{ failed: ReadableSpan[]; slow: ReadableSpan[]; old: ReadableSpan[]; billing: ReadableSpan[] }> {
  const chat = (customer: string, startMs: number, llmMs: number, fail: boolean) => recordSpans('checkout', (tracer) => {
    const root = tracer.startSpan('POST /chat', { kind: SpanKind.SERVER, startTime: startMs, attributes: { 'customer.id': customer, 'http.status_code': fail ? 500 : 200 } });
    const llm = tracer.startSpan('chat gpt-4o-mini', {
      kind: SpanKind.CLIENT, startTime: startMs + 10,
      attributes: {
        'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 5, 'gen_ai.request.temperature': 0.2, 'app.tags': ['a', 'b'],
      },
      links: [{ context: { traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), traceFlags: 1 }, attributes: { reason: 'retry of' } }],
    }, trace.setSpan(ROOT_CONTEXT, root));
    llm.addEvent('retry', { attempt: 2 }, startMs + 20);
    if (fail) llm.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
    llm.end(startMs + 10 + llmMs);
    root.end(startMs + 20 + llmMs);
  });
  return {
    failed: await chat('c-42', NOW - 60_000, 356, true),
    slow: await chat('c-7', NOW - 30_000, 3_000, false),
    old: await chat('c-42', NOW - 3 * 86_400_000, 100, false),
    billing: await recordSpans('billing', (tracer) => context.with(ROOT_CONTEXT, () => {
      tracer.startSpan('charge', { startTime: NOW - 10_000 }).end(NOW - 9_000);
    })),
  };
}

const traceIdOf = (spans: ReadableSpan[]) => spans[0].spanContext().traceId;

describe('ClickHouse backend on the exporter\'s table (chdb)', function () {
  // ClickHouse runs in this process: on a loaded machine a query can take seconds.
  this.timeout(60_000);
  let chdb: ChdbClickHouse;
  let http: ClickHouseHttp;
  let traffic: Awaited<ReturnType<typeof teamTraffic>>;
  const config: BackendConfig = { name: 'ch', type: 'clickhouse', url: '', database: DATABASE, table: TABLE };

  before(async function () {
    this.timeout(60_000);
    chdb = new ChdbClickHouse();
    chdb.createTracesTable(DATABASE, TABLE);
    traffic = await teamTraffic();
    chdb.insert(DATABASE, TABLE, Object.values(traffic).flat().map(exporterRow));
    http = await serveClickHouseHttp(chdb, { user: 'reader', key: 's3cret' });
    config.url = http.url;
    config.headers = { 'X-ClickHouse-User': 'reader', 'X-ClickHouse-Key': 's3cret' };
  });
  after(async () => {
    await http?.close();
    chdb?.close();
  });

  const direct: SqlRunner = async (sql, params) => chdb.run(sql, params);

  function registry(client: (c: BackendConfig) => ClickHouseBackend) {
    const index = new TraceIndex(new PriceTable());
    const ingest = new Ingest(index);
    return { index, backends: new TeamBackends([config], index, () => ingest, () => undefined, client) };
  }

  it('opens a trace through @clickhouse/client, normalized like a received one', async () => {
    const { index, backends } = registry((c) => new ClickHouseBackend(c));
    const traceId = traceIdOf(traffic.failed);
    assert.deepEqual(await backends.open(traceId.toUpperCase()), { backend: 'ch', problems: [] });
    const detail = index.trace(traceId)!;
    assert.equal(detail.summary.name, 'POST /chat');
    assert.equal(detail.summary.service, 'checkout');
    assert.equal(detail.summary.status, 'error');
    assert.equal(detail.summary.durationMs, 376);
    assert.deepEqual(detail.summary.tokens, { input: 12, output: 5, total: 17 });
    assert.deepEqual(detail.summary.models, ['gpt-4o-mini']);
    const llm = detail.spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    assert.equal(llm.kind, 'LLM');
    assert.equal(llm.otelKind, 'CLIENT');
    assert.equal(llm.statusMessage, 'rate limited');
    assert.equal(llm.parentSpanId, traffic.failed.find((s) => s.name === 'POST /chat')!.spanContext().spanId);
    assert.equal(llm.durationMs, 356);
    assert.deepEqual(llm.events.map((e) => [e.name, e.attributes.attempt, e.timeMs - llm.startMs]), [['retry', '2', 10]]);
    assert.equal(llm.attributes['app.tags'], '["a","b"]', 'arrays arrive as the exporter wrote them, JSON text');
    // The query went as parameters, with the user's credentials as ClickHouse headers.
    const asked = http.requests.at(-1)!;
    assert.equal(asked.params.traceId, traceId);
    assert.equal(asked.params.database, DATABASE);
    assert.doesNotMatch(asked.query, new RegExp(`${traceId}|${DATABASE}`));
    assert.equal(asked.headers.authorization, `Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    await backends.close();
  });

  it('searches by service, span name, status, attributes, duration and time range', async () => {
    const client = new ClickHouseBackend(config, direct);
    const ids = async (query: string) => (await client.search(query, 20)).map((hit) => hit.traceId);
    const [failed, slow, old, billing] = [traffic.failed, traffic.slow, traffic.old, traffic.billing].map(traceIdOf);
    assert.deepEqual(await ids('service=checkout'), [slow, failed], 'newest first, the last day by default');
    assert.deepEqual(await ids('service=checkout since=7d'), [slow, failed, old]);
    assert.deepEqual(await ids('status=error'), [failed]);
    assert.deepEqual(await ids('customer.id=c-42 since=7d'), [failed, old]);
    assert.deepEqual(await ids('attr.gen_ai.request.model=gpt-4o-mini minDuration=2s'), [slow]);
    assert.deepEqual(await ids('name=charge'), [billing]);
    assert.deepEqual(await ids('service=checkout maxDuration=400ms status=error'), [failed]);
    const [hit] = await client.search('name=charge', 5);
    assert.deepEqual(hit, { traceId: billing, name: 'charge', service: 'billing', startMs: NOW - 10_000, durationMs: 1000, spanCount: 1 });
  });

  it('keeps every value out of the SQL text: quotes and SQL in values match nothing and break nothing', async () => {
    const client = new ClickHouseBackend(config, direct);
    const hostile = `x' OR '1'='1`;
    assert.deepEqual(await client.search(`service="${hostile}"`, 5), []);
    assert.deepEqual(await client.search(`customer.id')]=x'--`, 5), []);
    const { sql, params } = client.searchQuery(`service="${hostile}" customer.id=c-42 minDuration=1s`, 5);
    assert.doesNotMatch(sql, /OR '1'|c-42|customer/);
    assert.equal(params.service, hostile);
    const wrongTable = new ClickHouseBackend({ ...config, table: 'otel_traces_v2; DROP TABLE team_otel.otel_traces_v2' }, direct);
    await assert.rejects(wrongTable.trace(traceIdOf(traffic.failed)), /^Error: ch: query failed: .*Unknown table expression identifier 'team_otel\.otel_traces_v2; DROP TABLE/);
    assert.equal((await client.search('service=checkout', 5)).length, 2, 'the table is still there');
  });

  it('names the backend when credentials are refused, and refuses a bad status', async () => {
    const refused = new ClickHouseBackend({ ...config, headers: { 'X-ClickHouse-User': 'reader', 'X-ClickHouse-Key': 'wrong' } });
    await assert.rejects(refused.trace(traceIdOf(traffic.failed)), /^Error: ch: refused the credentials \(reader: Authentication failed.*\); check the backend's headers \(X-ClickHouse-User, X-ClickHouse-Key\)/);
    await refused.close();
    await assert.rejects(new ClickHouseBackend(config, direct).search('status=broken', 5), /^Error: ch: status is error, ok or unset, got "broken"/);
  });

  it('answers undefined (not found) for an id it does not hold', async () => {
    assert.equal(await new ClickHouseBackend(config, direct).trace('ab'.repeat(16)), undefined);
  });
});
