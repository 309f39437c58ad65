// A request path comes from whoever connects: one that does not decode names no route.
import assert from 'node:assert/strict';
import { matchQueryApiRoute } from '../../src/shared/queryApi';

describe('query API paths that do not decode', () => {
  it('names no route for a trace id with a broken percent escape (was a URIError, answered 500)', () => {
    assert.equal(matchQueryApiRoute('/api/traces/%E0%A4%A'), undefined);
    assert.equal(matchQueryApiRoute('/api/traces/%/otlp'), undefined);
    assert.deepEqual(matchQueryApiRoute('/api/traces/a%2Fb'), { route: 'trace', traceId: 'a/b' });
  });
});
