// Admission control for the receivers. Past capacity a request is turned away before its body
// is read, with "retry later" (HTTP 429 + Retry-After, gRPC UNAVAILABLE + RetryInfo), which the
// OTel exporters honour: memory stays bounded however many clients send at once, the event loop
// (shared with the editor's queries) keeps answering, and nothing answered 200 is ever dropped.
import { monitorEventLoopDelay, IntervalHistogram } from 'node:perf_hooks';

export interface AdmissionLimits {
  /**
   * Requests received whole and waiting for their turn to be decoded (or being decoded). Work,
   * not waiting: a body still arriving holds no place here, so slow uploads cannot lock out
   * other exporters.
   */
  maxRequests: number;
  /** Bytes in flight (bodies arriving, waiting and being decoded); a lone request is always admitted, up to the body limit. */
  maxBytes: number;
  /** Event-loop delay past which new requests wait: the engine is behind, queueing more only adds latency. */
  maxLagMs: number;
  /**
   * Bodies of unknown size arriving at once (gRPC messages, chunked HTTP): each may grow to the
   * body limit before it can be counted, so their number bounds memory in flight. Default: maxRequests.
   */
  maxUnsized?: number;
  /** An HTTP body that stops arriving for this long is given up (408). */
  bodyIdleMs?: number;
  /** A gRPC message not received whole this long after its call began is given up (DEADLINE_EXCEEDED): its progress cannot be seen. */
  grpcMessageMs?: number;
}

/**
 * Requests are decoded one at a time anyway (Ingest.receiveInTurn); queueing many bodies only
 * holds more memory longer. Measured with 48 clients sending 1 MB requests (test/stress): 4 at
 * once held about twice the rate of 16 or 64, at a sixth of the p99 latency.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = { maxRequests: 4, maxBytes: 64 * 1024 * 1024, maxLagMs: 1000, bodyIdleMs: 10_000, grpcMessageMs: 60_000 };

/** What clients are told to wait before retrying, in whole seconds (the Retry-After unit). */
export const RETRY_AFTER_SECONDS = 1;

const LAG_SAMPLE_MS = 250;

export class Admission {
  /** Requests admitted and not answered yet (arriving, waiting or decoding). */
  private requests = 0;
  /** Of them, received whole: waiting for their turn or being decoded. */
  private received = 0;
  /** Of them, of unknown size and still arriving. */
  private unsized = 0;
  private bytes = 0;
  /** Requests turned away so far (for stats and tests). */
  refused = 0;
  /** The most bytes in flight at once (for tests and the stress suite). */
  peakBytes = 0;
  private readonly lag: IntervalHistogram;
  private readonly lagTimer: NodeJS.Timeout;
  private recentLagMs = 0;

  constructor(readonly limits: AdmissionLimits = DEFAULT_ADMISSION) {
    this.lag = monitorEventLoopDelay({ resolution: 20 });
    this.lag.enable();
    // The worst delay of the last interval stands for "now"; then the window starts over.
    this.lagTimer = setInterval(() => {
      this.recentLagMs = this.lag.max / 1e6;
      this.lag.reset();
    }, LAG_SAMPLE_MS);
    this.lagTimer.unref();
  }

  get bodyIdleMs(): number {
    return this.limits.bodyIdleMs ?? DEFAULT_ADMISSION.bodyIdleMs!;
  }

  get grpcMessageMs(): number {
    return this.limits.grpcMessageMs ?? DEFAULT_ADMISSION.grpcMessageMs!;
  }

  /**
   * A ticket for one request about to send its body, or a reason to retry later. `declaredBytes`:
   * the body's announced size, or undefined when it is not known before it arrives.
   */
  admit(declaredBytes: number | undefined): AdmissionTicket | string {
    const idle = this.requests === 0;
    const bytes = declaredBytes ?? 0;
    let refusal: string | undefined;
    if (this.received >= this.limits.maxRequests) refusal = `${this.received} requests are already waiting to be decoded`;
    else if (declaredBytes === undefined && this.unsized >= (this.limits.maxUnsized ?? this.limits.maxRequests)) {
      refusal = `${this.unsized} requests of unknown size are already arriving`;
    } else if (!idle && this.bytes + bytes > this.limits.maxBytes) refusal = `${this.bytes} bytes are already being received`;
    else if (!idle && this.recentLagMs > this.limits.maxLagMs) refusal = `the engine is ${Math.round(this.recentLagMs)} ms behind`;
    if (refusal) {
      this.refused++;
      return `${refusal}; retry in ${RETRY_AFTER_SECONDS} s`;
    }
    this.requests++;
    if (declaredBytes === undefined) this.unsized++;
    this.add(bytes);
    return new AdmissionTicket(this, bytes, declaredBytes === undefined);
  }

  /** Accounts bytes as they arrive; false when they would overrun what other requests left. */
  reserve(bytes: number): boolean {
    if (this.requests > 1 && this.bytes + bytes > this.limits.maxBytes) return false;
    this.add(bytes);
    return true;
  }

  /** A body arrived whole: it takes a place among those waiting to be decoded, if there is one. */
  takeTurn(wasUnsized: boolean): boolean {
    if (this.received >= this.limits.maxRequests) return false;
    this.received++;
    if (wasUnsized) this.unsized--;
    return true;
  }

  release(bytes: number, state: { received: boolean; unsized: boolean }): void {
    this.requests--;
    this.bytes -= bytes;
    if (state.received) this.received--;
    else if (state.unsized) this.unsized--;
  }

  close(): void {
    clearInterval(this.lagTimer);
    this.lag.disable();
  }

  private add(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
  }
}

/** One admitted request; release it exactly once, when its answer is sent. */
export class AdmissionTicket {
  private released = false;
  private received = false;

  constructor(private readonly admission: Admission, private held: number, private readonly unsized: boolean) {}

  /** Makes room for a body that turned out larger than declared; false if there is none. */
  grow(totalBytes: number): boolean {
    if (totalBytes <= this.held) return true;
    if (!this.admission.reserve(totalBytes - this.held)) return false;
    this.held = totalBytes;
    return true;
  }

  /** The body is in: wait for a turn to be decoded; false when too many already wait (retry later). */
  bodyReceived(): boolean {
    if (this.received) return true;
    this.received = this.admission.takeTurn(this.unsized);
    return this.received;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.admission.release(this.held, { received: this.received, unsized: this.unsized });
  }
}
