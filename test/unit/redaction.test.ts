import assert from 'node:assert/strict';
import { DEFAULT_REDACTIONS, Redactor } from '../../src/engine/normalize/redaction';
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

  it('reaches every string of a span: name, status, attributes deep inside, events, resource', () => {
    const span = rawSpan({
      'llm.input_messages.0.message.content': 'My email is lee@example.org',
      'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'token Bearer abcdefghijkl' }] }],
      'llm.token_count.total': 42,
    }, {
      name: 'call for ops@example.net', statusMessage: 'auth failed for sk-abcdefghijklmnopqrstu',
      events: [{ name: 'log', timeMs: 0, attributes: { note: 'cc a@b.io' }, body: { content: 'reply to x@y.dev' } }],
      resource: { attributes: { 'service.name': 'bot', owner: 'team@example.com' }, service: 'bot' },
    });
    redactor.spans([span]);
    const all = JSON.stringify(span);
    assert.doesNotMatch(all, /@example|@b\.io|@y\.dev|sk-abcdef|Bearer abc/);
    assert.equal(span.attributes['llm.token_count.total'], 42);
    assert.match(all, /\[REDACTED:email\]/);
  });

  it('names a user pattern that is not a valid regular expression', () => {
    assert.throws(() => Redactor.validate([{ name: 'ticket', pattern: 'TICKET-(' }]), /redaction pattern "ticket" is not a valid regular expression/);
  });
});
