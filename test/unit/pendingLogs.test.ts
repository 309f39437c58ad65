import assert from 'node:assert/strict';
import type { RawEvent } from '../../src/engine/model/rawSpan';
import { MAX_PENDING_LOGS, nthAlike, PendingLogs } from '../../src/engine/index/pendingLogs';

const record = (body: string, timeMs = 1): RawEvent => ({ name: 'gen_ai.user.message', timeMs, attributes: {}, body, fromLog: true });

/** Keeps a record with its key numbered among alike ones of the same span. */
function keep(pending: PendingLogs, span: string, event: RawEvent, bytes = 100, text = 40, alike = new Map<string, number>()): void {
  pending.keep(span, event, nthAlike(alike, span, event), bytes - text, text);
}

describe('pending log records', () => {
  it('hands a span the records that waited for it, and stops counting them', () => {
    const pending = new PendingLogs();
    keep(pending, 't1/s1', record('hello'));
    keep(pending, 't1/s1', record('again', 2));
    keep(pending, 't1/s2', record('other'));
    assert.equal(pending.count, 3);
    assert.equal(pending.bytes, 300);
    assert.equal(pending.text, 120);
    const taken = pending.take('t1', 's1');
    assert.deepEqual(taken?.events.map((e) => e.body), ['hello', 'again']);
    assert.equal(taken?.bytes, 200);
    assert.equal(pending.count, 1);
    assert.equal(pending.bytes, 100);
    assert.equal(pending.take('t1', 's1'), undefined);
  });

  it('keeps a record read twice once, yet two alike records of one request both', () => {
    const pending = new PendingLogs();
    const alike = new Map<string, number>();
    keep(pending, 't/s', record('yes'), 100, 40, alike);
    keep(pending, 't/s', record('yes'), 100, 40, alike); // the second "yes" of one request
    keep(pending, 't/s', record('yes')); // the first one, read again
    assert.equal(pending.count, 2);
  });

  it('drops the oldest waiting records past its byte bound, and never keeps one larger than the bound', () => {
    const pending = new PendingLogs();
    pending.maxBytes = 250;
    keep(pending, 't/a', record('a'));
    keep(pending, 't/b', record('b'));
    keep(pending, 't/c', record('c'));
    assert.equal(pending.count, 2);
    assert.equal(pending.take('t', 'a'), undefined, 'the oldest went');
    keep(pending, 't/d', record('huge'), 251);
    assert.equal(pending.take('t', 'd'), undefined);
    assert.ok(pending.bytes <= 250);
  });

  it('holds at most MAX_PENDING_LOGS records', () => {
    const pending = new PendingLogs();
    for (let i = 0; i <= MAX_PENDING_LOGS; i++) pending.keep(`t/${i}`, record(String(i)), String(i), 1, 0);
    assert.equal(pending.count, MAX_PENDING_LOGS);
    assert.equal(pending.take('t', '0'), undefined);
    pending.clear();
    assert.deepEqual([pending.count, pending.bytes, pending.text], [0, 0, 0]);
  });

  it('knows the records a span already holds by their keys', () => {
    const pending = new PendingLogs();
    const events = [record('held')];
    const owner = {};
    assert.equal(pending.isNew(owner, events, nthAlike(new Map(), '', record('held'))), false);
    assert.equal(pending.isNew(owner, events, nthAlike(new Map(), '', record('new'))), true);
    assert.equal(pending.isNew(owner, events, nthAlike(new Map(), '', record('new'))), false);
  });
});
