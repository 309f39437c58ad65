// Reads an engine that another window (or `npm start`) already runs, through its HTTP API:
// what "Attach" uses when the receiver port is taken by one of ours.
import * as vscode from 'vscode';
import type { EngineStats, TraceDetail, TraceQuery, TraceReport, TraceSummary } from '../../shared/spanModel';
import type { TraceSource } from './traceSource';

const POLL_MS = 1000;
/** Polls in a row that must fail before the other window's engine counts as gone. */
const POLLS_BEFORE_GONE = 3;

export class HttpTraceSource implements TraceSource, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<EngineStats | undefined>();
  private readonly gone = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** The engine stopped answering (its window closed): time for this window to take over. */
  readonly onDidDisconnect = this.gone.event;
  private readonly timer: NodeJS.Timeout;
  private lastStats = '';
  private failedPolls = 0;

  constructor(private readonly port: number) {
    // The API has no push channel; a cheap stats poll tells when to refresh.
    this.timer = setInterval(() => {
      this.stats().then((stats) => {
        this.failedPolls = 0;
        const key = JSON.stringify(stats);
        if (key !== this.lastStats) {
          this.lastStats = key;
          this.changed.fire(stats);
        }
      }, () => {
        if (++this.failedPolls === POLLS_BEFORE_GONE) this.gone.fire();
      });
    }, POLL_MS);
  }

  get description(): string {
    return `attached to port ${this.port}`;
  }

  /** Whether an AI Trace Inspector engine answers on this port. */
  static async isEngineAt(port: number): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/stats`, { signal: AbortSignal.timeout(1500) });
      const body = (await response.json()) as Partial<EngineStats>;
      return response.ok && typeof body.traces === 'number' && typeof body.spans === 'number';
    } catch {
      return false;
    }
  }

  async query(query: TraceQuery): Promise<TraceSummary[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return (await this.get<{ traces: TraceSummary[] }>(`/api/traces?${params}`)).traces;
  }

  trace(traceId: string): Promise<TraceDetail | undefined> {
    return this.get<TraceDetail>(`/api/traces/${encodeURIComponent(traceId)}`).catch(() => undefined);
  }

  /** The API answers JSON text already; only the attached (secondary) path parses it for the summary. */
  async traceJson(traceId: string): Promise<{ summary: TraceSummary; json: string } | undefined> {
    const response = await fetch(`http://127.0.0.1:${this.port}/api/traces/${encodeURIComponent(traceId)}`).catch(() => undefined);
    if (!response?.ok) return undefined;
    const json = await response.text();
    return { summary: (JSON.parse(json) as TraceDetail).summary, json };
  }

  exportOtlp(traceId: string): Promise<object | undefined> {
    return this.get<object>(`/api/traces/${encodeURIComponent(traceId)}/otlp`).catch(() => undefined);
  }

  stats(): Promise<EngineStats> {
    return this.get<EngineStats>('/api/stats');
  }

  report(sinceMs: number): Promise<TraceReport> {
    return this.get<TraceReport>(`/api/report?sinceMs=${sinceMs}`);
  }

  async clear(): Promise<void> {
    throw new Error('Clearing is done in the window that runs the engine.');
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
    this.gone.dispose();
  }

  private async get<T>(path: string): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${this.port}${path}`);
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return (await response.json()) as T;
  }
}
