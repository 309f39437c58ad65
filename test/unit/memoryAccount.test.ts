import assert from 'node:assert/strict';
import { eventBytes, MEMORY, MemoryAccount, type RetentionClass, spanBytes } from '../../src/engine/index/memoryAccount';
import { StringTable } from '../../src/engine/model/stringTable';
import { newTrace, type Trace } from '../../src/engine/model/traceSummary';
import { storedSpan } from './helpers/storedSpans';

function account() {
  const strings = new StringTable<Trace>();
  const waiting = { bytes: 0, text: 0 };
  return { strings, waiting, memory: new MemoryAccount(strings, waiting) };
}

/** A trace with `spans` spans charged `bytes` in all. */
function heldTrace(memory: MemoryAccount, id: string, spans: number, bytes: number): Trace {
  const trace = newTrace(id.padStart(32, '0'));
  for (let i = 0; i < spans; i++) trace.spans.set(String(i), storedSpan({ traceId: trace.traceId, spanId: String(i).padStart(16, '0') }));
  memory.spans += spans;
  memory.charge(trace, bytes, 0);
  return trace;
}

describe('memory account', () => {
  it('estimates a span by its attributes and events', () => {
    const span = storedSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { a: 1, b: 2 },
      events: [{ name: 'e', timeMs: 0, attributes: { c: 3 } }] });
    assert.equal(eventBytes(span.events[0]), MEMORY.event + MEMORY.attribute);
    assert.equal(spanBytes(span), MEMORY.span + 2 * MEMORY.attribute + MEMORY.event + MEMORY.attribute);
  });

  it('counts what traces hold and what waiting log records hold against the caps', () => {
    const { memory, waiting } = account();
    const trace = heldTrace(memory, '1', 2, 1000);
    memory.charge(trace, 0, 24);
    assert.equal(trace.bytes, 1024);
    assert.equal(trace.text, 24);
    waiting.bytes = 100;
    assert.equal(memory.bytes, 1124);
    assert.equal(memory.within({ maxSpans: 2, maxBytes: 1124 }), true);
    assert.equal(memory.within({ maxSpans: 1, maxBytes: Infinity }), false);
    assert.equal(memory.within({ maxSpans: Infinity, maxBytes: 1123 }), false);
    memory.release(trace);
    assert.equal(memory.bytes, 100);
    assert.equal(memory.spans, 0);
  });

  it('charges a batch the string-table text that came in since the last charge', () => {
    const { memory, strings } = account();
    const owner = newTrace('1'.padStart(32, '0'));
    strings.post('a prompt of some length', owner);
    const first = memory.newText();
    assert.ok(first > 0);
    assert.equal(memory.newText(), 0);
    strings.post('a prompt of some length', owner); // held once already
    assert.equal(memory.newText(), 0);
  });

  it('chooses victims of one class, oldest first, sparing the batch just added, until the excess is covered', () => {
    const { memory } = account();
    const classes = new Map<Trace, RetentionClass>();
    const traces = ['1', '2', '3', '4'].map((id) => heldTrace(memory, id, 1, 1000));
    classes.set(traces[0], 'normal').set(traces[1], 'error').set(traces[2], 'normal').set(traces[3], 'normal');
    const classOf = (t: Trace) => classes.get(t)!;
    const caps = { maxSpans: Infinity, maxBytes: 2500 };
    assert.deepEqual(memory.victims(traces, 'normal', classOf, new Map(), caps), [traces[0], traces[2]]);
    assert.deepEqual(memory.victims(traces, 'normal', classOf, new Map([[traces[0], true]]), caps), [traces[2], traces[3]]);
    assert.deepEqual(memory.victims(traces, 'error', classOf, new Map(), caps), [traces[1]]);
    assert.deepEqual(memory.victims(traces, 'normal', classOf, new Map(), { maxSpans: 4, maxBytes: 4000 }), []);
  });

  it('compacts the string table once a quarter of the traces were evicted', () => {
    const { memory, strings } = account();
    const gone = newTrace('1'.padStart(32, '0'));
    const kept = newTrace('2'.padStart(32, '0'));
    strings.post('only the evicted trace said this', gone);
    strings.post('the kept trace said this', kept);
    memory.charge(gone, 0, memory.newText());
    gone.live = false;
    memory.release(gone);
    const before = strings.heldTextBytes;
    memory.compactIfStale(1, Infinity);
    assert.ok(strings.heldTextBytes < before, 'the evicted trace\'s text was dropped');
    assert.equal(strings.search((s) => s.includes('evicted'), (t) => t.live).size, 0);
    assert.equal(strings.search((s) => s.includes('kept'), (t) => t.live).size, 1);
  });

  it('walks a large string table a few thousand strings per call, each batch going on with the pass under way', () => {
    const { memory, strings } = account();
    const kept = newTrace('2'.padStart(32, '0'));
    const traces = Array.from({ length: 100 }, (_, n) => newTrace(String(n + 10).padStart(32, '0')));
    for (let i = 0; i < 50_000; i++) strings.post(`prompt ${i}`, traces[i % 100]);
    strings.post('the kept trace said this', kept);
    for (const trace of traces) {
      memory.charge(trace, 0, memory.newText());
      trace.live = false;
      memory.release(trace);
    }
    // Strings looked at per call, counted by the liveness test the table asks of each owner.
    let looked = 0;
    const lookedPerCall: number[] = [];
    const isLive = (t: Trace) => { looked++; return t.live; };
    const compactSome = strings.compactSome.bind(strings);
    strings.compactSome = (_isLive, slots) => compactSome(isLive, slots);
    for (let call = 0; call < 100 && (call === 0 || strings.compactionUnderWay); call++) {
      looked = 0;
      memory.compactIfStale(1, Infinity);
      lookedPerCall.push(looked);
    }
    assert.ok(lookedPerCall.length > 5, `${lookedPerCall.length} calls`);
    assert.ok(Math.max(...lookedPerCall) <= 8192, `at most ${Math.max(...lookedPerCall)} strings in one call`);
    assert.equal(strings.size, 1, 'every string of the evicted traces was dropped in the end');
    assert.equal(strings.search((s) => s.includes('kept'), (t) => t.live).size, 1);
    assert.equal(memory.newText(), 0, 'text forgotten is not charged to the next batch');
  });
});
