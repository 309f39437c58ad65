// Admission control for the receivers. Past capacity a request is turned away before its body
// is read, with "retry later" (HTTP 429 + Retry-After, gRPC UNAVAILABLE + RetryInfo), which the
// OTel exporters honour: memory stays bounded however many clients send at once, the event loop
// (shared with the editor's queries) keeps answering, and nothing answered 200 is ever dropped.
import { monitorEventLoopDelay, IntervalHistogram } from 'node:perf_hooks';

export interface AdmissionLimits {
  /** Requests being read, decoded and stored at once. */
  maxRequests: number;
  /** Their (decompressed) bytes at once; a lone request is always admitted, up to the body limit. */
  maxBytes: number;
  /** Event-loop delay past which new requests wait: the engine is behind, queueing more only adds latency. */
  maxLagMs: number;
}

/**
 * Requests are decoded one at a time anyway (Ingest.receiveInTurn); reading many bodies at once
 * only holds more memory longer. Measured with 48 clients sending 1 MB requests (test/stress):
 * 4 at once held about twice the rate of 16 or 64, at a sixth of the p99 latency.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = { maxRequests: 4, maxBytes: 64 * 1024 * 1024, maxLagMs: 1000 };

/** What clients are told to wait before retrying, in whole seconds (the Retry-After unit). */
export const RETRY_AFTER_SECONDS = 1;

const LAG_SAMPLE_MS = 250;

export class Admission {
  private requests = 0;
  private bytes = 0;
  /** Requests turned away so far (for stats and tests). */
  refused = 0;
  private readonly lag: IntervalHistogram;
  private readonly lagTimer: NodeJS.Timeout;
  private recentLagMs = 0;

  constructor(private readonly limits: AdmissionLimits = DEFAULT_ADMISSION) {
    this.lag = monitorEventLoopDelay({ resolution: 20 });
    this.lag.enable();
    // The worst delay of the last interval stands for "now"; then the window starts over.
    this.lagTimer = setInterval(() => {
      this.recentLagMs = this.lag.max / 1e6;
      this.lag.reset();
    }, LAG_SAMPLE_MS);
    this.lagTimer.unref();
  }

  /** A ticket for one request that may proceed, or a reason to retry later. */
  admit(declaredBytes: number): AdmissionTicket | string {
    const idle = this.requests === 0;
    let refusal: string | undefined;
    if (this.requests >= this.limits.maxRequests) refusal = `${this.requests} requests are already being received`;
    else if (!idle && this.bytes + declaredBytes > this.limits.maxBytes) refusal = `${this.bytes} bytes are already being received`;
    else if (!idle && this.recentLagMs > this.limits.maxLagMs) refusal = `the engine is ${Math.round(this.recentLagMs)} ms behind`;
    if (refusal) {
      this.refused++;
      return `${refusal}; retry in ${RETRY_AFTER_SECONDS} s`;
    }
    this.requests++;
    this.bytes += declaredBytes;
    return new AdmissionTicket(this, declaredBytes);
  }

  /** Accounts bytes as they arrive; false when they would overrun what other requests left. */
  reserve(bytes: number): boolean {
    if (this.requests > 1 && this.bytes + bytes > this.limits.maxBytes) return false;
    this.bytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.requests--;
    this.bytes -= bytes;
  }

  close(): void {
    clearInterval(this.lagTimer);
    this.lag.disable();
  }
}

/** One admitted request; release it exactly once, when its answer is sent. */
export class AdmissionTicket {
  private released = false;

  constructor(private readonly admission: Admission, private held: number) {}

  /** Makes room for a body that turned out larger than declared; false if there is none. */
  grow(totalBytes: number): boolean {
    if (totalBytes <= this.held) return true;
    if (!this.admission.reserve(totalBytes - this.held)) return false;
    this.held = totalBytes;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.admission.release(this.held);
  }
}
