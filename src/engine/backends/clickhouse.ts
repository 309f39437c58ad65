// ClickHouse, as the OpenTelemetry Collector's ClickHouse exporter writes it: one row per span in
// `otel_traces` (database and table configurable), attributes as Map(String, String), kind and
// status as names ("Server", "Error"), Duration in nanoseconds. Rows become OTLP/JSON, so they
// are decoded and normalized like any received trace. Every query is parameterized: the user's
// values (and the database and table names) travel as ClickHouse query parameters, never in the
// SQL text, which is assembled only from the fixed fragments below.
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { BackendConfig, RemoteTraceHit } from '../../shared/backends';
import { BackendError, OtlpTracesJson, TraceBackend } from './backendTypes';
import { timeoutOf } from './backendHttp';
import { parseDurationMs, parseKeyValues } from './keyValueQuery';
import { nanosToMs } from './otlpJsonShapes';

/** Runs one parameterized query and answers its rows (JSONEachRow). Tests run the same SQL on chdb. */
export type SqlRunner = (sql: string, params: Record<string, unknown>) => Promise<Record<string, unknown>[]>;

/** Spans read for one trace; a trace with more is refused as too large rather than shown cut. */
export const MAX_TRACE_ROWS = 100_000;

const COLUMNS = `TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes,
  ScopeName, ScopeVersion, SpanAttributes, toString(toUnixTimestamp64Nano(Timestamp)) AS StartNs, toString(Duration) AS DurationNs,
  StatusCode, StatusMessage, arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS EventNs,
  Events.Name AS EventNames, Events.Attributes AS EventAttributes, Links.TraceId AS LinkTraceIds, Links.SpanId AS LinkSpanIds,
  Links.TraceState AS LinkTraceStates, Links.Attributes AS LinkAttributes`;

export const TRACE_SQL = `SELECT ${COLUMNS}
FROM {database:Identifier}.{table:Identifier}
WHERE TraceId = {traceId:String}
ORDER BY Timestamp
LIMIT {maxRows:UInt32}`;

/** Search filters: the key a user writes, and the condition it adds with its parameter. */
const FILTERS: Record<string, { sql: string; param: string; value: (text: string, backend: string) => unknown }> = {
  service: { sql: 'ServiceName = {service:String}', param: 'service', value: (v) => v },
  name: { sql: 'SpanName = {name:String}', param: 'name', value: (v) => v },
  status: { sql: 'StatusCode = {status:String}', param: 'status', value: statusName },
  minDuration: { sql: 'Duration >= {minDurationNs:UInt64}', param: 'minDurationNs', value: (v, b) => Math.round(parseDurationMs(b, v) * 1e6) },
  maxDuration: { sql: 'Duration <= {maxDurationNs:UInt64}', param: 'maxDurationNs', value: (v, b) => Math.round(parseDurationMs(b, v) * 1e6) },
};
const MAX_ATTRIBUTE_FILTERS = 8;
const DEFAULT_SINCE_MS = 24 * 60 * 60 * 1000;

/** Trace ids matching the conditions (one span is enough), newest first; then each trace's extent and root. */
export function searchSql(conditions: string[]): string {
  return `SELECT TraceId AS traceId, toString(min(toUnixTimestamp64Nano(Timestamp))) AS startNs,
  toString(max(toUnixTimestamp64Nano(Timestamp) + Duration)) AS endNs, count() AS spans,
  argMinIf(SpanName, Timestamp, ParentSpanId = '') AS rootName, argMinIf(ServiceName, Timestamp, ParentSpanId = '') AS rootService
FROM {database:Identifier}.{table:Identifier}
WHERE TraceId IN (
  SELECT TraceId FROM {database:Identifier}.{table:Identifier}
  WHERE ${conditions.join(' AND ')}
  GROUP BY TraceId ORDER BY max(Timestamp) DESC LIMIT {limit:UInt32}
)
GROUP BY TraceId
ORDER BY startNs DESC`;
}

export class ClickHouseBackend implements TraceBackend {
  private readonly run: SqlRunner;
  private readonly closeClient?: () => Promise<void>;

  constructor(readonly config: BackendConfig, runner?: SqlRunner) {
    if (runner) this.run = runner;
    else {
      const client = clickHouseClient(config);
      this.run = async (sql, params) => {
        const result = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
        return result.json<Record<string, unknown>>();
      };
      this.closeClient = () => client.close();
    }
  }

  private get location() {
    return { database: this.config.database || 'otel', table: this.config.table || 'otel_traces' };
  }

  async trace(traceId: string): Promise<OtlpTracesJson | undefined> {
    const rows = await this.query(TRACE_SQL, { ...this.location, traceId: traceId.toLowerCase(), maxRows: MAX_TRACE_ROWS });
    if (rows.length >= MAX_TRACE_ROWS) throw new BackendError(this.config.name, `the trace has over ${MAX_TRACE_ROWS} spans; too large to open`, 413);
    return rows.length ? rowsToOtlp(rows) : undefined;
  }

  async search(query: string, limit: number): Promise<RemoteTraceHit[]> {
    const { sql, params } = this.searchQuery(query, limit);
    const rows = await this.query(sql, params);
    return rows.map((row) => {
      const startMs = nanosToMs(row.startNs);
      const endMs = nanosToMs(row.endNs);
      return {
        traceId: String(row.traceId), name: String(row.rootName ?? '') || undefined, service: String(row.rootService ?? '') || undefined,
        startMs, durationMs: startMs !== undefined && endMs !== undefined ? endMs - startMs : undefined, spanCount: Number(row.spans),
      };
    });
  }

  /** The search's SQL (fixed fragments only) and its parameters (everything the user wrote). */
  searchQuery(query: string, limit: number): { sql: string; params: Record<string, unknown> } {
    const name = this.config.name;
    const { since, ...pairs } = parseKeyValues(name, query);
    const sinceMs = since ? parseDurationMs(name, since) : DEFAULT_SINCE_MS;
    const conditions = ['Timestamp >= fromUnixTimestamp64Nano({sinceNs:Int64})'];
    const params: Record<string, unknown> = { ...this.location, limit, sinceNs: String(BigInt(Date.now() - Math.round(sinceMs)) * 1_000_000n) };
    let attributes = 0;
    for (const [key, text] of Object.entries(pairs)) {
      const filter = FILTERS[key];
      if (filter) {
        conditions.push(filter.sql);
        params[filter.param] = filter.value(text, name);
        continue;
      }
      if (++attributes > MAX_ATTRIBUTE_FILTERS) throw new BackendError(name, `at most ${MAX_ATTRIBUTE_FILTERS} attribute filters`, 400);
      // An attribute of the span, or else of its resource.
      const n = attributes - 1;
      conditions.push(`(SpanAttributes[{attrKey${n}:String}] = {attrValue${n}:String} OR ResourceAttributes[{attrKey${n}:String}] = {attrValue${n}:String})`);
      params[`attrKey${n}`] = key.replace(/^attr\./, '');
      params[`attrValue${n}`] = text;
    }
    return { sql: searchSql(conditions), params };
  }

  async close(): Promise<void> {
    await this.closeClient?.();
  }

  private async query(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    try {
      return await this.run(sql, params);
    } catch (error) {
      if (error instanceof BackendError) throw error;
      const message = (error as Error).message.split('\n')[0];
      const auth = /AUTHENTICATION_FAILED|Authentication failed|ACCESS_DENIED|\b(401|403)\b/.test(message);
      throw new BackendError(this.config.name, auth
        ? `refused the credentials (${message.slice(0, 160)}); check the backend's headers (X-ClickHouse-User, X-ClickHouse-Key)`
        : `query failed: ${message.slice(0, 300)}`);
    }
  }
}

function clickHouseClient(config: BackendConfig) {
  // ClickHouse takes credentials as X-ClickHouse-User / X-ClickHouse-Key headers; the client
  // would otherwise send its own Basic "default" user beside them.
  const headers = { ...(config.headers ?? {}) };
  const username = take(headers, 'x-clickhouse-user');
  const password = take(headers, 'x-clickhouse-key');
  // The client's own log prints each failed request (its settings and parameters) to stderr;
  // failures reach the user as a BackendError instead, and nothing about the request is logged.
  return createClient({
    url: config.url, username: username ?? 'default', password: password ?? '', http_headers: headers, request_timeout: timeoutOf(config),
    log: { level: ClickHouseLogLevel.OFF },
  });
}

function take(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  if (key === undefined) return undefined;
  const value = headers[key];
  delete headers[key];
  return value;
}

function statusName(text: string, backend: string): string {
  const status = { error: 'Error', ok: 'Ok', unset: 'Unset' }[text.toLowerCase()];
  if (!status) throw new BackendError(backend, `status is error, ok or unset, got "${text}"`, 400);
  return status;
}

const KINDS: Record<string, number> = { Unspecified: 0, Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 };
const STATUS_CODES: Record<string, number> = { Unset: 0, Ok: 1, Error: 2 };

/** The exporter's rows as OTLP/JSON TracesData, one resourceSpans per distinct resource and scope. */
export function rowsToOtlp(rows: Record<string, unknown>[]): OtlpTracesJson {
  const groups = new Map<string, { resource: unknown; scope: unknown; spans: unknown[] }>();
  for (const row of rows) {
    const key = JSON.stringify([row.ResourceAttributes, row.ScopeName, row.ScopeVersion]);
    let group = groups.get(key);
    if (!group) {
      group = {
        resource: { attributes: attributes(row.ResourceAttributes) },
        scope: { name: String(row.ScopeName ?? ''), version: String(row.ScopeVersion ?? '') },
        spans: [],
      };
      groups.set(key, group);
    }
    const start = BigInt(String(row.StartNs ?? '0'));
    const eventNs = list(row.EventNs);
    const eventNames = list(row.EventNames);
    const eventAttributes = list(row.EventAttributes);
    const linkTraceIds = list(row.LinkTraceIds);
    group.spans.push({
      traceId: row.TraceId, spanId: row.SpanId, parentSpanId: row.ParentSpanId || undefined, traceState: row.TraceState || undefined,
      name: row.SpanName, kind: KINDS[String(row.SpanKind)] ?? 0,
      startTimeUnixNano: start.toString(), endTimeUnixNano: (start + BigInt(String(row.DurationNs ?? '0'))).toString(),
      attributes: attributes(row.SpanAttributes),
      status: { code: STATUS_CODES[String(row.StatusCode)] ?? 0, message: row.StatusMessage || undefined },
      events: eventNs.map((ns, i) => ({ timeUnixNano: String(ns), name: eventNames[i], attributes: attributes(eventAttributes[i]) })),
      links: linkTraceIds.map((traceId, i) => ({
        traceId, spanId: list(row.LinkSpanIds)[i], traceState: list(row.LinkTraceStates)[i] || undefined, attributes: attributes(list(row.LinkAttributes)[i]),
      })),
    });
  }
  return { resourceSpans: [...groups.values()].map((g) => ({ resource: g.resource, scopeSpans: [{ scope: g.scope, spans: g.spans }] })) };
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A Map(String, String) column as OTLP attributes; the exporter wrote every value as a string. */
function attributes(map: unknown): { key: string; value: { stringValue: string } }[] {
  if (!map || typeof map !== 'object') return [];
  return Object.entries(map as Record<string, unknown>).map(([key, value]) => ({ key, value: { stringValue: String(value) } }));
}
