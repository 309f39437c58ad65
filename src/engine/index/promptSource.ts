// Where an LLM call's prompt comes from, as one label ("file:line"): the Steps view groups calls by
// it, the calls table shows it and the filter language matches it (prompt_source). The engine
// knows better once the code links match prompts to workspace templates (code/codeLinks.ts).
import type { SourceLocation } from '../../shared/spanModel';
import type { StoredSpan } from '../model/storedSpan';
import { sourceOf } from '../normalize/normalizeSpan';

export type PromptSourceOf = (span: StoredSpan) => string | undefined;

export function locationLabel(location: Pick<SourceLocation, 'file' | 'line'> | undefined): string | undefined {
  return location?.file ? `${location.file}${location.line ? `:${location.line}` : ''}` : undefined;
}

/** The call site the span records itself (code.file.path and code.line.number), without a workspace. */
export const recordedPromptSource: PromptSourceOf = (span) => locationLabel(sourceOf(span.attributes));
