// Forwarding: every request the receivers accept is also exported, as OTLP/HTTP protobuf, to
// upstream receivers the user names (a Collector, Tempo, Jaeger, another engine). The local
// answer never waits for an upstream: a request is queued in memory and sent from there, a few at
// a time, with retries. The queue is bounded (requests and bytes); past it the oldest queued
// request is dropped and counted, so a dead upstream costs a bounded amount of memory, not the
// engine.
import type { ForwardTargetStats } from '../../shared/spanModel';
import { fetchFailure } from '../../shared/fetchFailure';

export type ForwardSignal = 'traces' | 'logs';

export interface ForwardLimits {
  /** Bytes waiting per target; past it the oldest waiting request is dropped. */
  maxQueuedBytes: number;
  /** Requests waiting per target, the same way. */
  maxQueuedRequests: number;
  /** Requests sent to one target at once. */
  maxInFlight: number;
  /** An upstream that takes longer to answer is retried. */
  timeoutMs: number;
  /** The first retry waits this long, each next one twice as long, up to maxBackoffMs. */
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_FORWARD_LIMITS: ForwardLimits = {
  maxQueuedBytes: 64 * 1024 * 1024,
  maxQueuedRequests: 10_000,
  maxInFlight: 4,
  timeoutMs: 10_000,
  minBackoffMs: 500,
  maxBackoffMs: 30_000,
};

interface Queued {
  signal: ForwardSignal;
  /** The request, or how to encode it: only once it is about to be sent. */
  body: Buffer | (() => Buffer);
  /** What it counts against the queue's byte bound. */
  bytes: number;
}

/** The OTLP/HTTP base URL of an upstream, checked: `http(s)://host:port[/prefix]` (a trailing /v1/traces is taken off). */
export function forwardBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`forward target "${text}" is not a URL; give an OTLP/HTTP base URL such as http://collector:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`forward target "${text}" must be http:// or https:// (OTLP/HTTP)`);
  }
  if (url.username || url.password) throw new Error(`forward target "${url.host}" must not carry credentials in its URL`);
  return `${url.origin}${url.pathname.replace(/\/v1\/(traces|logs)\/?$/, '').replace(/\/+$/, '')}`;
}

/** One upstream: its queue, its sender and its counts. */
class ForwardTarget {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private inFlight = 0;
  /** What stats() reports: acknowledged, given up, and attempts tried again. */
  private readonly counts = { sent: 0, dropped: 0, retries: 0 };
  /** Failed attempts in a row: the backoff grows with them. */
  private failures = 0;
  private lastError?: string;
  private retryTimer?: NodeJS.Timeout;
  private readonly aborts = new Set<AbortController>();
  private closed = false;

  constructor(readonly url: string, private readonly limits: ForwardLimits, private readonly log: (message: string) => void) {}

  enqueue(item: Queued): void {
    if (this.closed) return;
    if (item.bytes > this.limits.maxQueuedBytes) {
      this.counts.dropped++;
      return;
    }
    while (this.queue.length && (this.queue.length >= this.limits.maxQueuedRequests
      || this.queuedBytes + item.bytes > this.limits.maxQueuedBytes)) {
      this.queuedBytes -= this.queue.shift()!.bytes;
      this.counts.dropped++;
    }
    this.queue.push(item);
    this.queuedBytes += item.bytes;
    this.pump();
  }

  stats(): ForwardTargetStats {
    return {
      url: this.url, sent: this.counts.sent, queued: this.queue.length + this.inFlight, dropped: this.counts.dropped,
      retries: this.counts.retries, ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    for (const abort of this.aborts) abort.abort();
  }

  private pump(): void {
    while (!this.closed && !this.retryTimer && this.inFlight < this.limits.maxInFlight && this.queue.length) {
      const item = this.queue.shift()!;
      this.queuedBytes -= item.bytes;
      this.inFlight++;
      void this.send(item).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(item: Queued): Promise<void> {
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.limits.timeoutMs / 1000} s`)), this.limits.timeoutMs);
    let outcome: { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };
    try {
      // Encoded once, on its first attempt; a retry sends the same bytes.
      if (typeof item.body === 'function') item.body = item.body();
      const response = await fetch(`${this.url}/v1/${item.signal}`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: item.body, signal: abort.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) outcome = { ok: true };
      else {
        // OTLP/HTTP: 429, 502, 503 and 504 are "try again"; other refusals will not change.
        const retry = [408, 429, 502, 503, 504].includes(response.status);
        const retryAfter = Number(response.headers.get('retry-after'));
        outcome = { ok: false, retry, reason: `HTTP ${response.status}`, retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined };
      }
    } catch (error) {
      outcome = { ok: false, retry: true, reason: abort.signal.aborted ? String((abort.signal.reason as Error)?.message ?? 'aborted') : fetchFailure(error, this.limits.timeoutMs) };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
    if (this.closed) return;
    if (outcome.ok) {
      this.counts.sent++;
      if (this.failures) this.log(`forward to ${this.url}: delivering again after ${this.failures} failed attempt(s)`);
      this.failures = 0;
      return;
    }
    this.lastError = outcome.reason;
    if (!outcome.retry) {
      this.counts.dropped++;
      this.log(`forward to ${this.url}: the upstream refused a ${item.signal} request (${outcome.reason}); dropped it`);
      return;
    }
    // Back to the front, so the upstream still gets requests in the order they arrived.
    this.queue.unshift(item);
    this.queuedBytes += item.bytes;
    this.counts.retries++;
    if (this.failures++ === 0) this.log(`forward to ${this.url}: ${outcome.reason}; keeping requests queued and retrying`);
    const backoff = Math.min(this.limits.maxBackoffMs, this.limits.minBackoffMs * 2 ** Math.min(this.failures - 1, 16));
    if (!this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, Math.max(backoff, outcome.retryAfterMs ?? 0));
      this.retryTimer.unref();
    }
  }
}

/** Every upstream target; the receivers hand it each accepted request. */
export class Forwarder {
  private targets = new Map<string, ForwardTarget>();

  constructor(urls: string[], private readonly log: (message: string) => void = () => undefined,
    private readonly limits: ForwardLimits = DEFAULT_FORWARD_LIMITS) {
    this.setTargets(urls);
  }

  /** New targets start empty; targets kept keep their queues; removed ones stop. */
  setTargets(urls: string[]): void {
    const wanted = new Set(urls.map(forwardBaseUrl));
    for (const [url, target] of this.targets) {
      if (!wanted.has(url)) {
        target.close();
        this.targets.delete(url);
      }
    }
    for (const url of wanted) {
      if (!this.targets.has(url)) this.targets.set(url, new ForwardTarget(url, this.limits, this.log));
    }
  }

  get active(): boolean {
    return this.targets.size > 0;
  }

  /**
   * `body` is an OTLP protobuf export request, or a function that encodes one (called at most
   * once, when a target first sends it); it is only read, never changed. `bytes` counts against
   * each target's queue bound (default: the body's length).
   */
  forward(signal: ForwardSignal, body: Buffer | (() => Buffer), bytes = typeof body === 'function' ? 0 : body.length): void {
    // Targets share one encoding.
    let encoded: Buffer | undefined;
    const shared = typeof body === 'function' ? () => (encoded ??= body()) : body;
    for (const target of this.targets.values()) target.enqueue({ signal, body: shared, bytes });
  }

  stats(): ForwardTargetStats[] {
    return [...this.targets.values()].map((t) => t.stats());
  }

  close(): void {
    for (const target of this.targets.values()) target.close();
    this.targets.clear();
  }
}
