// The configured team backends, and remote traces loaded from them: a trace opened from a
// backend is decoded and indexed like one received (same decoder, same normalization, redaction
// included), remembered with the backend it came from, and kept until the traces are cleared. It
// is not written to the local store nor forwarded: it already lives in the team's backend.
import { BACKEND_TYPES, BackendConfig, BackendListing, BackendType, isFullTraceId, RemoteTraceHit } from '../../shared/backends';
import type { Ingest } from '../otlp/ingest';
import type { TraceIndex } from '../index/traceIndex';
import { BackendError, MAX_SEARCH_LIMIT, TraceBackend } from './backendTypes';
import { ClickHouseBackend } from './clickhouse';
import { JaegerBackend } from './jaeger';
import { LangfuseBackend } from './langfuse';
import { PhoenixBackend } from './phoenix';
import { TempoBackend } from './tempo';

const CLIENTS: Record<BackendType, (config: BackendConfig) => TraceBackend> = {
  tempo: (c) => new TempoBackend(c),
  jaeger: (c) => new JaegerBackend(c),
  clickhouse: (c) => new ClickHouseBackend(c),
  phoenix: (c) => new PhoenixBackend(c),
  langfuse: (c) => new LangfuseBackend(c),
};

/** What a lookup across backends found: where (`backend`), and per backend tried before why not. */
export interface RemoteLookup {
  backend?: string;
  problems: string[];
}

export class TeamBackends {
  private clients = new Map<string, TraceBackend>();
  /** Trace id → the backend it was loaded from. */
  private readonly origins = new Map<string, string>();

  constructor(configs: BackendConfig[], private readonly index: TraceIndex, private readonly ingest: () => Ingest,
    private readonly log: (message: string) => void = () => undefined, makeClient?: (config: BackendConfig) => TraceBackend) {
    if (makeClient) this.makeClient = makeClient;
    this.configure(configs);
  }

  private makeClient = (config: BackendConfig): TraceBackend => CLIENTS[config.type](config);

  /** Takes a new list; a backend whose settings did not change keeps its client. */
  configure(configs: BackendConfig[]): void {
    const next = new Map<string, TraceBackend>();
    for (const config of configs) {
      checkConfig(config);
      const current = this.clients.get(config.name);
      next.set(config.name, current && JSON.stringify(current.config) === JSON.stringify(config) ? current : this.makeClient(config));
    }
    for (const [name, client] of this.clients) if (next.get(name) !== client) void client.close?.();
    this.clients = next;
  }

  list(): BackendListing[] {
    return [...this.clients.values()].map(({ config }) => ({
      name: config.name, type: config.type, url: config.url, ...(config.traceUrl ? { traceUrl: config.traceUrl } : {}),
    }));
  }

  get size(): number {
    return this.clients.size;
  }

  /** The backend a trace in the index was loaded from; undefined for local traces. */
  originOf(traceId: string): string | undefined {
    return this.origins.get(traceId);
  }

  /** Forgets where traces came from (with the index's clear). */
  clear(): void {
    this.origins.clear();
  }

  /**
   * Loads a trace from the first backend (in the configured order, or only `only`) that has it.
   * An id that is not 32 hex is refused before any request goes out.
   */
  async open(traceId: string, only?: string): Promise<RemoteLookup> {
    if (!isFullTraceId(traceId)) throw new BackendError(only ?? 'backends', `"${traceId.slice(0, 64)}" is not a trace id (32 hex characters)`, 400);
    const id = traceId.toLowerCase();
    const problems: string[] = [];
    const clients = only ? [this.client(only)] : [...this.clients.values()];
    for (const client of clients) {
      try {
        const doc = await client.trace(id);
        if (!doc) {
          problems.push(`${client.config.name}: not found`);
          continue;
        }
        this.load(client.config.name, id, doc);
        return { backend: client.config.name, problems };
      } catch (error) {
        if (only) throw error;
        problems.push((error as Error).message);
      }
    }
    return { problems };
  }

  async search(name: string, query: string, limit = 20): Promise<RemoteTraceHit[]> {
    const client = this.client(name);
    if (query.length > 4000) throw new BackendError(name, 'the query is over 4000 characters', 400);
    const bounded = Math.max(1, Math.min(MAX_SEARCH_LIMIT, Math.floor(limit) || 20));
    return client.search(query, bounded);
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close?.()));
    this.clients.clear();
  }

  private client(name: string): TraceBackend {
    const client = this.clients.get(name);
    if (!client) throw new BackendError(name, `no such backend; configured: ${[...this.clients.keys()].join(', ') || 'none'}`, 404);
    return client;
  }

  /** Through the engine's own OTLP/JSON decoder and ingest: the same normalization as received traces. */
  private load(backend: string, traceId: string, doc: object): void {
    let result;
    try {
      result = this.ingest().receive('traces', 'json', Buffer.from(JSON.stringify(doc)), { persist: false });
    } catch (error) {
      throw new BackendError(backend, `answered a trace that cannot be decoded: ${(error as Error).message}`);
    }
    if (!this.index.trace(traceId)) {
      throw new BackendError(backend, `answered no usable span of trace ${traceId}${result.message ? ` (${result.message})` : ''}`);
    }
    this.origins.set(traceId, backend);
    this.log(`opened trace ${traceId} from ${backend}${result.rejected ? `; ${result.message}` : ''}`);
  }
}

/** A clear message for a wrong entry in aiTraceInspector.backends or --backend. */
export function checkConfig(config: BackendConfig): void {
  if (!config || typeof config.name !== 'string' || !config.name.trim()) throw new Error('a backend needs a name');
  if (!/^[\w.-]{1,64}$/.test(config.name)) throw new Error(`backend name "${config.name}" may only hold letters, digits, "-", "_" and "."`);
  if (!BACKEND_TYPES.includes(config.type)) throw new Error(`backend ${config.name}: type must be one of ${BACKEND_TYPES.join(', ')}, got "${config.type}"`);
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new Error(`backend ${config.name}: "${config.url}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`backend ${config.name}: the URL must be http:// or https://`);
  if (url.username || url.password) throw new Error(`backend ${config.name}: put credentials in headers (kept in SecretStorage), not in the URL`);
}
