// Team backends over HTTP: Tempo, Jaeger, Phoenix and Langfuse clients against loopback servers
// answering with responses from each project's own repository (test/fixtures/backends, provenance
// in test/fixtures/README.md), read through the engine's query API as a user's script would. A
// remote trace must come out normalized like a received one, marked with its origin.
import assert from 'node:assert/strict';
import { Engine, startEngine } from '../../src/engine/engine';
import type { BackendConfig } from '../../src/shared/backends';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import type { TraceDetail, TraceSummary } from '../../src/shared/spanModel';
import { backendFixture, FakeBackend, startFakeBackend } from './helpers/fakeBackend';
import { deadPort } from './helpers/deadPort';

const VULTURE_TRACE = '3149195ffb0bec05347b48efe8ecc1b0'; // MUkZX/sL7AU0e0jv6OzBsA== in Tempo's base64
const TEMPO_V1_TRACE = '5b8efff798038103d269b633813fc60c';
const JAEGER_TRACE = '00000000000000000000000000000001';
const PHOENIX_TRACE = '649993371fa95c788177f739b7423818';
const LANGFUSE_TRACE = '25f4bdeebaab60e6e1bee7e8469554bc';

async function get(engine: Engine, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${engine.httpPort}${path}`);
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

async function openTrace(engine: Engine, traceId: string): Promise<TraceDetail> {
  const { status, body } = await get(engine, `/api/traces/${traceId}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body as unknown as TraceDetail;
}

describe('team backends: traces opened and searched in Tempo, Jaeger, Phoenix and Langfuse', () => {
  let tempo: FakeBackend;
  let jaeger: FakeBackend;
  let phoenix: FakeBackend;
  let langfuse: FakeBackend;
  let engine: Engine;

  before(async () => {
    const vulture = backendFixture('tempo-vulture-trace.json');
    tempo = await startFakeBackend({
      // TraceByIDResponse (pkg/tempopb/tempo.proto): the trace under "trace".
      [`/api/v2/traces/${VULTURE_TRACE}`]: { body: { trace: vulture, status: 'COMPLETE' } },
      // The v1 route with Tempo's historical "batches" (pkg/tempopb/trace.json).
      [`/api/traces/${TEMPO_V1_TRACE}`]: { body: backendFixture('tempo-v1-batches-trace.json') },
      '/api/search': { body: backendFixture('tempo-search-tags.json') },
    });
    jaeger = await startFakeBackend({
      [`/api/v3/traces/${JAEGER_TRACE}`]: { body: backendFixture('jaeger-v3-GetTrace.json') },
      '/api/v3/traces': { body: backendFixture('jaeger-v3-FindTraces.json') },
    });
    const phoenixSpans = backendFixture('phoenix-otlpv1-spans.json') as { data: { trace_id: string }[] };
    phoenix = await startFakeBackend({
      // Filtered by trace_id as Phoenix's query does.
      '/v1/projects/project-name/spans/otlpv1': (url) => {
        const traceIds = url.searchParams.getAll('trace_id');
        return { body: { ...phoenixSpans, data: phoenixSpans.data.filter((s) => !traceIds.length || traceIds.includes(s.trace_id)) } };
      },
    });
    langfuse = await startFakeBackend({
      [`/api/public/traces/${LANGFUSE_TRACE}`]: { body: backendFixture('langfuse-pydantic-ai-trace.json') },
      '/api/public/traces': { body: { data: [backendFixture('langfuse-pydantic-ai-trace.json')], meta: { page: 1, limit: 50, totalItems: 1, totalPages: 1 } } },
    });
    const backends: BackendConfig[] = [
      { name: 'tempo', type: 'tempo', url: tempo.url, headers: { 'X-Scope-OrgID': 'team-a' }, traceUrl: 'https://grafana/explore?traceId={traceId}' },
      { name: 'jaeger', type: 'jaeger', url: jaeger.url },
      { name: 'phoenix', type: 'phoenix', url: phoenix.url, project: 'project-name' },
      { name: 'langfuse', type: 'langfuse', url: langfuse.url, headers: { Authorization: 'Basic cGstbGYtMTpzay1sZi0x' } },
    ];
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, backends, redaction: DEFAULT_REDACTIONS });
  });
  after(async () => {
    await engine?.close();
    await Promise.all([tempo, jaeger, phoenix, langfuse].map((b) => b?.close()));
  });

  it('lists the backends without their headers', async () => {
    const { body } = await get(engine, '/api/backends');
    assert.deepEqual((body.backends as { name: string }[]).map((b) => b.name), ['tempo', 'jaeger', 'phoenix', 'langfuse']);
    assert.doesNotMatch(JSON.stringify(body), /team-a|Basic/);
  });

  it('Tempo: opens a trace by id from /api/v2/traces (base64 ids), sending the configured headers', async () => {
    const detail = await openTrace(engine, VULTURE_TRACE.toUpperCase());
    assert.equal(detail.summary.origin, 'tempo');
    assert.equal(detail.summary.traceId, VULTURE_TRACE);
    assert.equal(detail.summary.spanCount, 6);
    assert.equal(detail.summary.service, 'tempo-vulture');
    const asked = tempo.requests.find((r) => r.url.pathname === `/api/v2/traces/${VULTURE_TRACE}`);
    assert.equal(asked?.headers['x-scope-orgid'], 'team-a');
    // Kept until cleared: listed with its origin, answered without asking again.
    const before = tempo.requests.length;
    const { body } = await get(engine, '/api/traces?limit=50');
    assert.equal((body.traces as TraceSummary[]).find((t) => t.traceId === VULTURE_TRACE)?.origin, 'tempo');
    await openTrace(engine, VULTURE_TRACE);
    assert.equal(tempo.requests.length, before);
  });

  it('Tempo: falls back to /api/traces and its "batches" shape', async () => {
    const detail = await openTrace(engine, TEMPO_V1_TRACE);
    assert.equal(detail.summary.origin, 'tempo');
    assert.equal(detail.spans[0].name, "I'm a server span");
    assert.equal(detail.spans[0].attributes['my.span.attr'], 'some value');
    assert.deepEqual(tempo.requests.filter((r) => r.url.pathname.endsWith(TEMPO_V1_TRACE)).map((r) => r.url.pathname),
      [`/api/v2/traces/${TEMPO_V1_TRACE}`, `/api/traces/${TEMPO_V1_TRACE}`]);
  });

  it('Tempo: searches with TraceQL, ids padded to 32 hex as Tempo shortens them', async () => {
    const { status, body } = await get(engine, `/api/backends/tempo/search?q=${encodeURIComponent('{ resource.service.name = "cartservice" }')}&limit=5`);
    assert.equal(status, 200);
    assert.deepEqual(body.traces, [
      { traceId: '0000000000000000d6e9329d67b6146a', name: '/cart', service: 'frontend', startMs: 1634727903545, durationMs: 611 },
      { traceId: '00000000000000001b1ba462b409200d', name: '/cart', service: 'frontend', startMs: 1634727775935, durationMs: 611 },
    ]);
    const asked = tempo.requests.at(-1)!.url.searchParams;
    assert.equal(asked.get('q'), '{ resource.service.name = "cartservice" }');
    assert.equal(asked.get('limit'), '5');
  });

  it('Jaeger: opens a trace from API v3 and searches by service, operation, attributes and time', async () => {
    const detail = await openTrace(engine, JAEGER_TRACE);
    assert.equal(detail.summary.origin, 'jaeger');
    assert.equal(detail.spans[0].name, 'foobar');
    assert.equal(detail.summary.status, 'error');
    const { body } = await get(engine, `/api/backends/jaeger/search?q=${encodeURIComponent('service=frontend operation="HTTP GET /" customer.id=12345 since=2h minDuration=1s')}`);
    assert.deepEqual((body.traces as { traceId: string; name: string }[]).map((t) => [t.traceId, t.name]), [[JAEGER_TRACE, 'foobar']]);
    const asked = jaeger.requests.at(-1)!.url.searchParams;
    assert.equal(asked.get('query.service_name'), 'frontend');
    assert.equal(asked.get('query.operation_name'), 'HTTP GET /');
    assert.equal(asked.get('query.attributes'), '{"customer.id":"12345"}');
    assert.equal(asked.get('query.duration_min'), '1000ms');
    const window = Date.parse(asked.get('query.start_time_max')!) - Date.parse(asked.get('query.start_time_min')!);
    assert.equal(window, 2 * 3600 * 1000);
    const missing = await get(engine, '/api/backends/jaeger/search?q=operation=x');
    assert.equal(missing.status, 400);
    assert.match(String(missing.body.error), /^jaeger: a Jaeger search needs service=NAME/);
  });

  it('Phoenix: opens a trace from a project\'s spans (OpenInference input and output, events)', async () => {
    const detail = await openTrace(engine, PHOENIX_TRACE);
    assert.equal(detail.summary.origin, 'phoenix');
    assert.equal(detail.summary.service, 'project-name');
    const [span] = detail.spans;
    assert.equal(span.name, 'chain span');
    assert.equal(span.input, 'chain-span-input-value');
    assert.equal(span.output, 'chain-span-output-value');
    assert.equal(span.durationMs, 30_000);
    assert.equal(span.events[0].name, 'test_event');
    assert.equal(span.events[0].attributes.int_attr, 42);
    const asked = phoenix.requests.find((r) => r.url.searchParams.get('trace_id') === PHOENIX_TRACE);
    assert.ok(asked, 'asked Phoenix for the trace by trace_id');
  });

  it('Langfuse: opens a trace and its observations as spans the usual normalization reads, redacted', async () => {
    const detail = await openTrace(engine, LANGFUSE_TRACE);
    assert.equal(detail.summary.origin, 'langfuse');
    assert.equal(detail.summary.name, 'pydantic-ai-qa-trace');
    assert.equal(detail.summary.sessionId, 'session_abc');
    assert.equal(detail.summary.userId, 'user_123');
    assert.deepEqual(detail.summary.tokens, { input: 31, output: 96, total: 127 });
    assert.deepEqual(detail.summary.models, ['gpt-4o']);
    const llm = detail.spans.find((s) => s.name === 'chat gpt-4o')!;
    assert.equal(llm.kind, 'LLM');
    const parent = detail.spans.find((s) => s.spanId === llm.parentSpanId);
    assert.equal(parent?.name, 'qa_agent run');
    assert.doesNotMatch(JSON.stringify(detail), /user@langfuse\.com/, 'the email in the trace metadata is masked');
    assert.equal(langfuse.requests.find((r) => r.url.pathname.endsWith(LANGFUSE_TRACE))?.headers.authorization, 'Basic cGstbGYtMTpzay1sZi0x');
  });

  it('Langfuse: searches the trace list by name, user and session', async () => {
    const { body } = await get(engine, '/api/backends/langfuse/search?q=userId=user_123%20since=1d&limit=3');
    assert.deepEqual(body.traces, [{ traceId: LANGFUSE_TRACE, name: 'pydantic-ai-qa-trace', startMs: Date.parse('2025-06-06T14:40:28.562Z'), durationMs: 4795 }]);
    const asked = langfuse.requests.at(-1)!.url.searchParams;
    assert.equal(asked.get('userId'), 'user_123');
    assert.equal(asked.get('limit'), '3');
    const wrong = await get(engine, '/api/backends/langfuse/search?q=customer=1');
    assert.equal(wrong.status, 400);
    assert.match(String(wrong.body.error), /^langfuse: unknown filter "customer"/);
  });

  it('refuses an id that is not 32 hex before any request goes out', async () => {
    const counts = () => [tempo, jaeger, phoenix, langfuse].map((b) => b.requests.length);
    const before = counts();
    for (const id of ['abc', '5b8efff798038103', `${'g'.repeat(32)}`, `${'0'.repeat(32)}`, '../../admin']) {
      const { status, body } = await get(engine, `/api/backends/tempo/traces/${encodeURIComponent(id)}`);
      assert.equal(status, 400, id);
      assert.match(String(body.error), /is not a trace id \(32 hex characters\)/);
      assert.equal((await get(engine, `/api/traces/${encodeURIComponent(id)}`)).status, 400, id);
    }
    assert.deepEqual(counts(), before);
  });

  it('says per backend why a trace was not found', async () => {
    const { status, body } = await get(engine, `/api/traces/${'ab'.repeat(16)}`);
    assert.equal(status, 404);
    assert.match(String(body.error), /here or in tempo, jaeger, phoenix, langfuse/);
    assert.deepEqual(body.backends, ['tempo: not found', 'jaeger: not found', 'phoenix: not found', 'langfuse: not found']);
  });

  it('names an unknown backend', async () => {
    const { status, body } = await get(engine, '/api/backends/zipkin/search?q=x');
    assert.equal(status, 404);
    assert.match(String(body.error), /^zipkin: no such backend; configured: tempo, jaeger, phoenix, langfuse/);
  });
});

describe('team backends: faults give a clear message naming the backend', () => {
  let fake: FakeBackend;
  let engine: Engine;
  const id = 'cd'.repeat(16);

  let down: string;

  before(async () => {
    fake = await startFakeBackend();
    down = `http://127.0.0.1:${await deadPort()}`;
    engine = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, backends: [
      { name: 'down', type: 'tempo', url: down },
      { name: 'flaky', type: 'jaeger', url: fake.url },
    ] });
  });
  after(async () => {
    await engine?.close();
    await fake?.close();
  });

  async function failure(answer: Parameters<FakeBackend['answers']['set']>[1]): Promise<string> {
    fake.answers.set(`/api/v3/traces/${id}`, answer);
    const { status, body } = await get(engine, `/api/backends/flaky/traces/${id}`);
    assert.notEqual(status, 200);
    return String(body.error);
  }

  it('unreachable', async () => {
    const { status, body } = await get(engine, `/api/backends/down/traces/${id}`);
    assert.equal(status, 504);
    assert.equal(String(body.error), `down: cannot reach ${down} (ECONNREFUSED)`);
  });

  it('timeouts', async () => {
    const silent = await startFakeBackend();
    silent.answers.set(`/api/v3/traces/${id}`, { hang: true });
    const slow = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, backends: [{ name: 'slow', type: 'jaeger', url: silent.url, timeoutMs: 200 }] });
    try {
      const { status, body } = await get(slow, `/api/traces/${id}`);
      assert.equal(status, 404);
      assert.deepEqual(body.backends, [`slow: cannot reach ${silent.url} (no answer within 0.2 s)`]);
    } finally {
      await slow.close();
      await silent.close();
    }
  });

  it('a remote trace opened into a full memory cap stays, though older than everything held', async () => {
    const tempo = await startFakeBackend({ [`/api/v2/traces/${VULTURE_TRACE}`]: { body: { trace: backendFixture('tempo-vulture-trace.json') } } });
    const full = await startEngine({ host: '127.0.0.1', httpPort: 0, grpcPort: null, maxSpans: 8, backends: [{ name: 'tempo', type: 'tempo', url: tempo.url }] });
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const spans = Array.from({ length: 8 }, (_, i) => ({
        traceId: `${'1'.repeat(31)}${i}`, spanId: `${'2'.repeat(15)}${i}`, name: `recent ${i}`,
        startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n),
      }));
      const posted = await fetch(`http://127.0.0.1:${full.httpPort}/v1/traces`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
      });
      assert.equal(posted.status, 200);
      const { status, body } = await get(full, `/api/backends/tempo/traces/${VULTURE_TRACE}`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal((body as unknown as TraceDetail).summary.spanCount, 6);
      assert.ok((await get(full, '/api/stats')).body.evictedTraces as number > 0, 'recent local traces made room');
    } finally {
      await full.close();
      await tempo.close();
    }
  });

  it('401 and 403', async () => {
    assert.match(await failure({ status: 401, body: { message: 'no' } }), /^flaky: refused the request \(HTTP 401\); check the backend's headers/);
    assert.match(await failure({ status: 403, body: {} }), /^flaky: refused the request \(HTTP 403\)/);
  });

  it('malformed answers', async () => {
    assert.match(await failure({ body: '<html>proxy error</html>' }), /^flaky: answered something that is not JSON: <html>proxy error<\/html>/);
    assert.match(await failure({ body: { result: { resourceSpans: 'x' } } }), /^flaky: answered a trace whose spans are not a list/);
    assert.match(await failure({ body: { result: { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ef'.repeat(16), spanId: '01'.repeat(8), name: 'other trace' }] }] }] } } }),
      new RegExp(`^flaky: answered no usable span of trace ${id}`));
    assert.match(await failure({ status: 500, body: 'internal' }), /^flaky: answered HTTP 500: internal/);
  });

  it('a trace too large', async () => {
    assert.match(await failure({ headers: { 'Content-Length': String(100 * 2 ** 20) }, body: '' }), /^flaky: the answer is over 64 MB; too large to open/);
  });

  it('the fallback of GET /api/traces/{id} lists each backend\'s problem and the engine keeps serving', async () => {
    fake.answers.set(`/api/v3/traces/${id}`, { status: 401 });
    const { status, body } = await get(engine, `/api/traces/${id}`);
    assert.equal(status, 404);
    const problems = body.backends as string[];
    assert.match(problems[0], /^down: cannot reach/);
    assert.match(problems[1], /^flaky: refused the request \(HTTP 401\)/);
    assert.equal((await get(engine, '/api/stats')).status, 200);
  });
});
