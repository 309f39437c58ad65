// A span as the index holds it: the raw span with the few facts computed at ingest (normalize/
// spanFacts.ts) and what the detectors noticed. A type of the model so every layer above can hold one.
import type { Finding, SpanKind, SpanStatus, Tokens } from '../../shared/spanModel';
import type { RawSpan } from './rawSpan';

/** The fields every span gets at ingest, because the index sorts and filters on them. */
export interface SpanFacts {
  kind: SpanKind;
  model?: string;
  provider?: string;
  tokens?: Tokens;
  costUsd?: number;
  costSource?: 'attribute' | 'computed';
  sessionId?: string;
  userId?: string;
  /** Token counts and costs the span carried that cannot be right (negative, not a number, absurd): ignored, and a finding says so. */
  ignoredUsage?: string[];
}

export interface StoredSpan extends RawSpan {
  facts: SpanFacts;
  /** What the detectors noticed (index/detectors.ts). */
  findings?: Finding[];
  /** The trace's revision when this span arrived or last changed (a late log record). */
  revision?: number;
  /** Identifies "the same call" (kind, name, model) for loop detection... */
  callKey?: string;
  /** ...and its arguments: the attribute's own string, never a copy. */
  callArgs?: string;
  /** Its usage is in its step's recent values (detectors.ts): a span inspected again counts once. */
  inStepHistory?: true;
}

export function spanStatus(code: number): SpanStatus {
  return code === 2 ? 'error' : code === 1 ? 'ok' : 'unset';
}
