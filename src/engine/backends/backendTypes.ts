// What every team backend client does (one file per backend type beside this one), and the
// error each one throws: a message that names the backend, for the tree, the log and the API.
import type { BackendConfig, RemoteTraceHit } from '../../shared/backends';

/** An OTLP/JSON TracesData document: what every backend's answer becomes before decoding. */
export interface OtlpTracesJson {
  resourceSpans: unknown[];
}

export interface TraceBackend {
  readonly config: BackendConfig;
  /** The trace as OTLP/JSON, or undefined when the backend does not have it. The id is 32 hex, checked by the caller. */
  trace(traceId: string): Promise<OtlpTracesJson | undefined>;
  /** Traces matching the backend's own query language (TraceQL, key=value, SQL filters...), newest first. */
  search(query: string, limit: number): Promise<RemoteTraceHit[]>;
  close?(): Promise<void>;
}

/** Whatever went wrong talking to a backend, said so the user knows which backend and what to do. */
export class BackendError extends Error {
  constructor(readonly backend: string, message: string, readonly status = 502) {
    super(`${backend}: ${message}`);
  }
}

/** A remote trace is read whole into memory: past this it is refused, not half-shown. */
export const MAX_TRACE_BYTES = 64 * 1024 * 1024;
/** Each request to a backend gets this long before it counts as unreachable. */
export const BACKEND_TIMEOUT_MS = 15_000;
/** Searches answer at most this many traces whatever the caller asks. */
export const MAX_SEARCH_LIMIT = 200;
