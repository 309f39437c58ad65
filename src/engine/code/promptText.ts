// What of an LLM span's prompt a template may have made, and what the trace credits to something
// else: retrieved documents and tool results (from the trace's other spans and the prompt's tool
// messages) and earlier turns of the conversation. PromptSources takes the latter out before it
// asks which workspace text explains the rest.
import type { Span } from '../../shared/spanModel';
import type { PromptText } from './promptSources';

const MIN_PROMPT_CHARS = 20;

/** The prompt of an LLM span, or undefined when it has none worth matching. */
export function promptTextOf(span: Span, elsewhere: readonly string[]): PromptText | undefined {
  if (span.kind !== 'LLM') return undefined;
  const input = span.inputMessages ?? [];
  const lastUser = input.map((m) => m.role).lastIndexOf('user');
  const messages = input.filter((m, i) => m.role === 'system' || m.role === 'developer' || i === lastUser).map((m) => m.content);
  if (!input.length && typeof span.input === 'string') messages.push(span.input);
  if (!messages.some((m) => m && m.length >= MIN_PROMPT_CHARS)) return undefined;
  const earlierTurns = input.filter((m, i) => m.role !== 'system' && m.role !== 'developer' && i !== lastUser).map((m) => m.content);
  return { messages: messages.filter(Boolean), attributed: [...elsewhere, ...earlierTurns].filter(Boolean) };
}

/** Text this span contributes that a later prompt may quote: its documents and its tool result. */
export function quotableTextsOf(span: Span): string[] {
  const out: string[] = [];
  for (const document of span.documents ?? []) if (document.content) out.push(document.content);
  if (span.kind === 'TOOL' && span.tool?.result !== undefined) out.push(textOf(span.tool.result));
  else if (span.kind === 'TOOL' && span.output !== undefined) out.push(textOf(span.output));
  return out;
}

/** Spans whose text a prompt may quote: worth normalizing when another span's prompt is matched. */
export const QUOTABLE_KINDS = new Set(['RETRIEVER', 'TOOL', 'RERANKER']);

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
