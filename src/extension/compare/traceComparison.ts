// Two traces side by side: steps aligned by kind, name and order (the 2nd "chat" with the 2nd
// "chat"), latency and token deltas, and each side's prompts and responses written in the same
// layout, so VS Code's diff editor shows exactly what changed between "yesterday" and "today".
// Pure, so it is unit tested.
import type { Span, TraceDetail } from '../../shared/spanModel';
import { formatDuration } from '../../shared/format';
import { buildSpanTree, SpanNode } from '../../shared/spanTree';

export interface AlignedStep {
  key: string;
  depth: number;
  a?: Span;
  b?: Span;
}

export function alignSteps(a: TraceDetail, b: TraceDetail): AlignedStep[] {
  const left = keyedSteps(a);
  const right = new Map(keyedSteps(b).map((s) => [s.key, s]));
  const steps: AlignedStep[] = [];
  for (const step of left) {
    const match = right.get(step.key);
    right.delete(step.key);
    steps.push({ key: step.key, depth: step.depth, a: step.span, b: match?.span });
  }
  for (const step of right.values()) steps.push({ key: step.key, depth: step.depth, b: step.span });
  return steps;
}

/** The step table (the same on both sides) and each side's text for the diff editor. */
export function compareTraces(a: TraceDetail, b: TraceDetail): { left: string; right: string } {
  const steps = alignSteps(a, b);
  const table = [
    `# Compare ${a.summary.name} (A) with ${b.summary.name} (B)`,
    '',
    `A: ${a.summary.traceId} · ${new Date(a.summary.startMs).toISOString()} · ${formatDuration(a.summary.durationMs)} · ${a.summary.tokens.total} tokens`,
    `B: ${b.summary.traceId} · ${new Date(b.summary.startMs).toISOString()} · ${formatDuration(b.summary.durationMs)} · ${b.summary.tokens.total} tokens`,
    '',
    '| step | A | B | Δ time | A tokens | B tokens | Δ tokens |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...steps.map((s) => {
      const tokens = (span?: Span) => span?.tokens?.total ?? (span?.tokens ? (span.tokens.input ?? 0) + (span.tokens.output ?? 0) : undefined);
      const [ta, tb] = [tokens(s.a), tokens(s.b)];
      return `| ${'· '.repeat(s.depth)}${cell(s.key)}${s.a?.status === 'error' || s.b?.status === 'error' ? ' ⚠' : ''} | ${s.a ? formatDuration(s.a.durationMs) : '—'} | ${s.b ? formatDuration(s.b.durationMs) : '—'} | `
        + `${s.a && s.b ? signed(s.b.durationMs - s.a.durationMs, formatDuration) : s.a ? 'only in A' : 'only in B'} | ${ta ?? '—'} | ${tb ?? '—'} | ${ta !== undefined && tb !== undefined ? signed(tb - ta, String) : ''} |`;
    }),
    '',
  ].join('\n');
  return { left: table + transcript(steps, 'a'), right: table + transcript(steps, 'b') };
}

function keyedSteps(detail: TraceDetail): { key: string; depth: number; span: Span }[] {
  const seen = new Map<string, number>();
  const out: { key: string; depth: number; span: Span }[] = [];
  const visit = (node: SpanNode, depth: number) => {
    const base = `${node.span.kind} ${node.span.name}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.push({ key: n > 1 ? `${base} #${n}` : base, depth, span: node.span });
    for (const child of node.children) visit(child, depth + 1);
  };
  for (const root of buildSpanTree(detail.spans)) visit(root, 0);
  return out;
}

/** Each step's prompt, response, tool call and documents, in the aligned order on both sides. */
function transcript(steps: AlignedStep[], side: 'a' | 'b'): string {
  const out: string[] = [];
  for (const step of steps) {
    const span = step[side];
    out.push(`\n## ${step.key}`);
    if (!span) {
      out.push('(not in this trace)');
      continue;
    }
    out.push(`status: ${span.status}${span.statusMessage ? ` (${span.statusMessage})` : ''}${span.model ? ` · model: ${span.model}` : ''}`);
    for (const m of span.inputMessages ?? []) out.push(`[${m.role}]`, m.content, ...toolCalls(m.toolCalls));
    if (!span.inputMessages?.length && span.input !== undefined) out.push('[input]', text(span.input));
    for (const m of span.outputMessages ?? []) out.push(`[${m.role} response]`, m.content, ...toolCalls(m.toolCalls));
    if (!span.outputMessages?.length && span.output !== undefined) out.push('[output]', text(span.output));
    if (span.tool) out.push(`[tool ${span.tool.name}]`, text(span.tool.arguments), '[result]', text(span.tool.result));
    span.documents?.forEach((d, i) => out.push(`[document ${i + 1}${d.score !== undefined ? ` score ${d.score}` : ''}]`, d.content ?? d.id ?? ''));
  }
  return out.join('\n') + '\n';
}

function toolCalls(calls: { name: string; arguments: unknown }[] | undefined): string[] {
  return (calls ?? []).map((c) => `→ ${c.name}(${text(c.arguments)})`);
}

function text(value: unknown): string {
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function signed(delta: number, format: (n: number) => string): string {
  return delta === 0 ? '0' : `${delta > 0 ? '+' : '−'}${format(Math.abs(delta))}`;
}
