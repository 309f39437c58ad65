// The views across traces, over one index: sessions, the LLM calls table and each call's context
// window. The engine keeps one, so their caches live as long as the index.
import type { CacheBreak, ContextXray } from '../../shared/sessionModel';
import { spanContext } from './contextXray';
import { LlmCalls } from './llmCalls';
import { Sessions } from './sessions';
import type { TraceIndex } from './traceIndex';

export class AcrossTraces {
  readonly sessions: Sessions;
  readonly calls: LlmCalls;
  /** Context limits by model from the user's settings (aiTraceInspector.contextLimits), over the catalog's. */
  contextLimits: Record<string, number> = {};

  constructor(private readonly index: TraceIndex) {
    this.sessions = new Sessions(index, () => this.contextLimits);
    this.calls = new LlmCalls(index);
  }

  /** One LLM span's context window, with where the cache broke since the call before it; undefined: no such span. */
  spanContext(traceId: string, spanId: string): { xray: ContextXray; cacheBreak?: CacheBreak } | undefined {
    const trace = this.index.traceOf(traceId.toLowerCase());
    const span = trace?.spans.get(spanId.toLowerCase());
    if (!trace || !span) return undefined;
    return spanContext(trace, span, this.sessions.traces(span.facts.sessionId ?? trace.summary.sessionId), this.contextLimits);
  }
}
