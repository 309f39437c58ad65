// ClickHouse for tests, with no server to install: chdb (npm) embeds the ClickHouse engine. The
// exporter's own DDL creates the table; rows are written as the Collector's ClickHouse exporter
// writes them; and a loopback HTTP server speaks enough of ClickHouse's HTTP interface (query in
// the body, `param_*` query parameters, Basic credentials) for the real
// @clickhouse/client to run its queries on it.
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, type AttributeValue, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { homedir } from 'node:os';
import { FIXTURES } from './rawSpans';

/** The part of chdb's Session these tests use. */
interface ChdbSession {
  query(sql: string, format?: string): string;
  queryBind(sql: string, params: Record<string, unknown>, format?: string): string;
  cleanup(): void;
}

/**
 * chdb comes from `npm run setup` (it lists optional packages for other platforms that the
 * registry does not serve, which `npm ci` refuses in a lock file but `npm install` skips).
 */
export const CHDB_HOME = process.env.CHDB_HOME ?? join(homedir(), '.cache', 'chdb');

function newSession(): ChdbSession {
  let chdb: { Session: new () => ChdbSession };
  try {
    chdb = require(join(CHDB_HOME, 'node_modules', 'chdb')) as typeof chdb;
  } catch (error) {
    throw new Error(`chdb (ClickHouse embedded) is not in ${CHDB_HOME}: run npm run setup (${(error as Error).message})`);
  }
  return new chdb.Session();
}

export class ChdbClickHouse {
  readonly session = newSession();

  /** The exporter's traces_table.sql with its placeholders filled as the exporter fills them for a single node. */
  createTracesTable(database: string, table: string): void {
    const template = readFileSync(join(FIXTURES, 'backends', 'clickhouse-traces_table.sql'), 'utf8');
    const values = [database, table, '', 'MergeTree()', ''];
    const ddl = template.replace(/%s/g, () => values.shift()!);
    this.session.query(`CREATE DATABASE IF NOT EXISTS "${database}"`);
    this.session.query(ddl);
  }

  insert(database: string, table: string, rows: Record<string, unknown>[]): void {
    this.session.query(`INSERT INTO "${database}"."${table}" FORMAT JSONEachRow ${rows.map((r) => JSON.stringify(r)).join('\n')}`);
  }

  /** Runs a parameterized query the way ClickHouse's server does, answering JSONEachRow rows. */
  run(sql: string, params: Record<string, unknown>): Record<string, unknown>[] {
    const text = this.session.queryBind(sql, params, 'JSONEachRow');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  close(): void {
    this.session.cleanup();
  }
}

export interface ClickHouseHttp {
  url: string;
  requests: { headers: IncomingHttpHeaders; query: string; params: Record<string, string> }[];
  close(): Promise<void>;
}

/** ClickHouse's HTTP interface in front of chdb; refuses a wrong user/key like the server (516). */
export async function serveClickHouseHttp(chdb: ChdbClickHouse, credentials: { user: string; key: string }): Promise<ClickHouseHttp> {
  const requests: ClickHouseHttp['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://clickhouse');
      const params = Object.fromEntries([...url.searchParams].filter(([k]) => k.startsWith('param_')).map(([k, v]) => [k.slice(6), v]));
      const query = Buffer.concat(chunks).toString('utf8');
      requests.push({ headers: req.headers, query, params });
      // The server takes credentials as Basic authorization or as X-ClickHouse-User / -Key headers.
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [user, key] = basic ? Buffer.from(basic[1], 'base64').toString().split(/:(.*)/s)
        : [req.headers['x-clickhouse-user'], req.headers['x-clickhouse-key']];
      if (user !== credentials.user || key !== credentials.key) {
        res.writeHead(516, { 'X-ClickHouse-Exception-Code': '516' });
        res.end(`Code: 516. DB::Exception: ${String(user)}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`);
        return;
      }
      try {
        const text = chdb.session.queryBind(query.replace(/\s*FORMAT\s+JSONEachRow\s*$/i, ''), params, 'JSONEachRow');
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.end(text);
      } catch (error) {
        res.writeHead(500, { 'X-ClickHouse-Exception-Code': '60' });
        res.end(String((error as Error).message));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

// ---- rows as the exporter writes them (exporter/clickhouseexporter, traces) ----

const KIND_NAMES: Record<number, string> = {
  [SpanKind.INTERNAL]: 'Internal', [SpanKind.SERVER]: 'Server', [SpanKind.CLIENT]: 'Client', [SpanKind.PRODUCER]: 'Producer', [SpanKind.CONSUMER]: 'Consumer',
};
const STATUS_NAMES: Record<number, string> = { [SpanStatusCode.UNSET]: 'Unset', [SpanStatusCode.OK]: 'Ok', [SpanStatusCode.ERROR]: 'Error' };

/** pcommon.Value.AsString: strings as they are, other scalars printed, arrays and maps as JSON. */
function asString(value: AttributeValue | undefined): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function stringMap(attributes: Record<string, AttributeValue | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, asString(v)]));
}

/** DateTime64(9) as ClickHouse reads it from text: seconds with nine decimals. */
function seconds([s, ns]: HrTime): string {
  return `${s}.${String(ns).padStart(9, '0')}`;
}

const nanos = ([s, ns]: HrTime) => BigInt(s) * 1_000_000_000n + BigInt(ns);

export function exporterRow(span: ReadableSpan): Record<string, unknown> {
  const resource = stringMap(span.resource.attributes as Record<string, AttributeValue>);
  return {
    Timestamp: seconds(span.startTime),
    TraceId: span.spanContext().traceId,
    SpanId: span.spanContext().spanId,
    ParentSpanId: span.parentSpanContext?.spanId ?? '',
    TraceState: '',
    SpanName: span.name,
    SpanKind: KIND_NAMES[span.kind],
    ServiceName: resource['service.name'] ?? '',
    ResourceAttributes: resource,
    ScopeName: span.instrumentationScope.name,
    ScopeVersion: span.instrumentationScope.version ?? '',
    SpanAttributes: stringMap(span.attributes),
    Duration: (nanos(span.endTime) - nanos(span.startTime)).toString(),
    StatusCode: STATUS_NAMES[span.status.code],
    StatusMessage: span.status.message ?? '',
    'Events.Timestamp': span.events.map((e) => seconds(e.time)),
    'Events.Name': span.events.map((e) => e.name),
    'Events.Attributes': span.events.map((e) => stringMap(e.attributes ?? {})),
    'Links.TraceId': span.links.map((l) => l.context.traceId),
    'Links.SpanId': span.links.map((l) => l.context.spanId),
    'Links.TraceState': span.links.map(() => ''),
    'Links.Attributes': span.links.map((l) => stringMap(l.attributes ?? {})),
  };
}
