// What the detail sections need from outside: the settings and the host actions.
import type { SourceLocation } from '../../src/shared/spanModel';

export interface DetailContext {
  traceId: string;
  traceStartMs: number;
  lowScoreThreshold: number;
  copy(text: string, what: string): void;
  openSource(location: SourceLocation): void;
}

export function describeLocation(location: SourceLocation): string {
  const where = `${location.file}${location.line ? `:${location.line}` : ''}${location.line && location.column ? `:${location.column}` : ''}`;
  return location.function ? `${where} (${location.function})` : where;
}
