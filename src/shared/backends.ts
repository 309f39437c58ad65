// Team backends: the trace stores a team already runs, which the engine reads traces from
// (engine/backends/). Shared by the engine, the CLI and the extension's settings.

export const BACKEND_TYPES = ['tempo', 'jaeger', 'clickhouse', 'phoenix', 'langfuse'] as const;
export type BackendType = typeof BACKEND_TYPES[number];

export interface BackendConfig {
  /** How the user names it: in messages, the tree and `/api/backends/{name}/search`. */
  name: string;
  type: BackendType;
  /** Base URL of its HTTP API (ClickHouse: its HTTP interface, e.g. http://clickhouse:8123). */
  url: string;
  /** Sent with every request (Authorization, X-Scope-OrgID, ...). Secrets: kept in SecretStorage, never logged. */
  headers?: Record<string, string>;
  /** ClickHouse: the exporter's database and traces table (default otel, otel_traces). */
  database?: string;
  table?: string;
  /** Phoenix: the project (default "default"). */
  project?: string;
  /** A link to the trace in the backend's own UI, `{traceId}` replaced: offered as "Open in <name>". */
  traceUrl?: string;
  /** How long each request may take before the backend counts as unreachable (default 15 s). */
  timeoutMs?: number;
}

/** A backend as the API and the extension list it: never its headers. */
export interface BackendListing {
  name: string;
  type: BackendType;
  url: string;
  traceUrl?: string;
}

/** One trace a backend's search found: enough for a pick list; open it by id for the whole trace. */
export interface RemoteTraceHit {
  traceId: string;
  name?: string;
  service?: string;
  startMs?: number;
  durationMs?: number;
  spanCount?: number;
}

/** A full trace id: 32 lowercase or uppercase hex characters, not all zero. */
export function isFullTraceId(id: string): boolean {
  return /^[0-9a-f]{32}$/i.test(id) && !/^0+$/.test(id);
}
