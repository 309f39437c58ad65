import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine';
import { EngineApiClient } from './helpers/engineApiClient';
import { exportSpans, recordSpans, withIds } from './helpers/otelSenders';
import { DEFAULT_REDACTIONS } from '../../src/shared/redaction';
import { Redactor } from '../../src/engine/normalize/redaction';
import { rawSpan } from './helpers/rawSpans';

describe('redaction', () => {
  const redactor = new Redactor(DEFAULT_REDACTIONS);

  it('masks API keys, bearer tokens, emails and card numbers, and leaves other text alone', () => {
    assert.equal(redactor.text('key sk-proj-abcdefghijklmnop1234 used'), 'key [REDACTED:api-key] used');
    assert.equal(redactor.text('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig'), 'Authorization: [REDACTED:bearer]');
    assert.equal(redactor.text('write to dana.smith@example.com today'), 'write to [REDACTED:email] today');
    assert.equal(redactor.text('card 4111 1111 1111 1111 expires'), 'card [REDACTED:card] expires');
    assert.equal(redactor.text('order 1234567890123 shipped'), 'order 1234567890123 shipped', 'not a card: fails the Luhn check');
    assert.equal(redactor.text('Customer #12345 asked about a refund.'), 'Customer #12345 asked about a refund.');
  });

  it('reaches every string of a span: name, status, keys and values deep inside, events, resource, scope', () => {
    const span = rawSpan({
      'llm.input_messages.0.message.content': 'My email is lee@example.org',
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'token Bearer abcdefghijkl' }] }],
      'llm.token_count.total': 42,
      'score.by.judge@example.edu': 0.9,
      nested: { 'owner@example.io': 'yes' },
    }, {
      name: 'call for ops@example.net', statusMessage: 'auth failed for sk-abcdefghijklmnopqrstu',
      events: [{ name: 'sent to bob@example.org', timeMs: 0, attributes: { note: 'cc a@b.io' }, body: { content: 'reply to x@y.dev' } }],
      resource: { attributes: { 'service.name': 'bot', owner: 'team@example.com' }, service: 'bot' },
      scope: { name: 'lib', version: 'built by dev@example.com' },
    });
    redactor.spans([span]);
    const all = JSON.stringify(span);
    assert.doesNotMatch(all, /@example|@b\.io|@y\.dev|sk-abcdef|Bearer abc/);
    assert.equal(span.attributes['[REDACTED:email]'], 0.9, 'a key is masked and keeps its value');
    assert.equal(span.attributes['llm.token_count.total'], 42);
    assert.match(all, /\[REDACTED:email\]/);
  });

  it('keeps both values when two keys mask alike', () => {
    const span = rawSpan({ 'score for alice@example.com': 1, 'score for bob@example.com': 2 });
    redactor.spans([span]);
    assert.deepEqual(span.attributes, { 'score for [REDACTED:email]': 1, 'score for [REDACTED:email] (2)': 2 });
  });

  it('names a user pattern that is not a valid regular expression', () => {
    assert.throws(() => Redactor.validate([{ name: 'ticket', pattern: 'TICKET-(' }]), /redaction pattern "ticket" is not a valid regular expression/);
  });
});

describe('redaction in the engine', () => {
  const secret = 'sk-proj-abcdefghijklmnop1234';
  const email = 'dana.smith@example.com';

  it('masks what is shown, exported and stored, and the store never holds the raw value', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'redaction-store-'));
    const engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir, redaction: DEFAULT_REDACTIONS });
    const chat = (name: string, content: string) => recordSpans('support-bot', (tracer) => {
      tracer.startSpan(name, { attributes: {
        'openinference.span.kind': 'LLM', 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': content,
      } }).end();
    });
    try {
      await exportSpans(engine, 'http/protobuf', await chat('chat', `My key is ${secret}, mail me at ${email}`));
      // The same secret again (masked from the redactor's cache this time), and a secret only in a
      // span that is refused (an all-zero trace id), in a request whose other span is clean.
      await exportSpans(engine, 'http/protobuf', await chat('the-same-secret-again', `My key is ${secret}, mail me at ${email}`));
      const refused = withIds((await chat('refused', `My key is ${secret}`))[0], { traceId: '0'.repeat(32) });
      await exportSpans(engine, 'http/protobuf', [...await chat('nothing-to-mask', 'Where is my order?'), refused]);
      const api = new EngineApiClient(engine.httpPort);
      const [summary] = (await api.listTraces()).filter((t) => t.name === 'chat');
      const shown = JSON.stringify(await api.trace(summary.traceId));
      assert.match(shown, /My key is \[REDACTED:api-key\], mail me at \[REDACTED:email\]/);
      const exported = await (await fetch(`http://127.0.0.1:${engine.httpPort}/api/traces/${summary.traceId}/otlp`)).text();
      for (const text of [shown, exported]) assert.ok(!text.includes(secret) && !text.includes(email));
    } finally {
      await engine.close();
    }
    const files = readdirSync(storeDir);
    const stored = files.map((f) => readFileSync(join(storeDir, f)).toString('latin1')).join('');
    assert.ok(stored.includes('[REDACTED:api-key]'), 'the masked request is stored');
    assert.ok(!stored.includes(secret) && !stored.includes(email), 'the raw values never reach the disk');
    const restarted = await startEngine({ httpPort: 0, grpcPort: null, storeDir, redaction: DEFAULT_REDACTIONS });
    try {
      await restarted.ready;
      assert.equal((await new EngineApiClient(restarted.httpPort).listTraces()).length, 3, 'the masked copies load after a restart');
    } finally {
      await restarted.close();
    }
  });
});
