// The CLI's team backend and forwarding options: what they set, and the messages a wrong one
// gets (never repeating a header's value, which may be a secret).
import assert from 'node:assert/strict';
import { parseServeArgs } from '../../src/engine/cli';

describe('CLI: --backend, --backend-header, --backend-option, --forward', () => {
  it('builds each backend with its headers and options, in any order', () => {
    const args = parseServeArgs([
      '--backend-header', 'tempo:Authorization=Bearer abc:def=1',
      '--backend', 'tempo=tempo:http://tempo:3200',
      '--backend', 'ch=clickhouse:http://clickhouse:8123',
      '--backend-option', 'ch:database=otel2', '--backend-option', 'ch:table=traces',
      '--backend-option', 'tempo:traceUrl=https://grafana/explore?traceId={traceId}',
      '--forward', 'http://collector:4318', '--forward', 'https://otlp.example.com/v1/traces',
    ]);
    assert.deepEqual(args.backends, [
      { name: 'tempo', type: 'tempo', url: 'http://tempo:3200', headers: { Authorization: 'Bearer abc:def=1' }, traceUrl: 'https://grafana/explore?traceId={traceId}' },
      { name: 'ch', type: 'clickhouse', url: 'http://clickhouse:8123', database: 'otel2', table: 'traces' },
    ]);
    assert.deepEqual(args.forward, ['http://collector:4318', 'https://otlp.example.com/v1/traces']);
  });

  it('says what is wrong, without echoing a header value', () => {
    const wrong = (argv: string[], message: RegExp) => assert.throws(() => parseServeArgs(argv), message);
    wrong(['--backend', 'tempo'], /--backend takes NAME=TYPE:URL/);
    wrong(['--backend', 'z=zipkin:http://z:9411'], /type must be one of tempo, jaeger, clickhouse, phoenix, langfuse, got "zipkin"/);
    wrong(['--backend', 't=tempo:ftp://x'], /must be http:\/\/ or https:\/\//);
    wrong(['--backend', 't=tempo:http://user:pw@tempo:3200'], /put credentials in headers/);
    wrong(['--backend', 't=tempo:http://a', '--backend', 't=jaeger:http://b'], /backend t is given twice/);
    wrong(['--backend-option', 't:colour=red'], /KEY one of database, table, project, traceUrl/);
    wrong(['--forward', 'collector:4317'], /must be http/);
    assert.throws(() => parseServeArgs(['--backend-header', 'nope:Authorization=Bearer s3cret']), (error: Error) => {
      assert.match(error.message, /--backend-header names backend "nope", which no --backend defines/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });
});
