// Traces as compact text for a language model: what the chat tools answer, and what the engine
// builds for "Copy trace for AI". Every answer names trace ids (which Open Trace by ID opens) and
// stays within a character budget. Pure, so it is unit tested without an editor.
import type { Message, Span, TraceDetail, TraceReport, TraceSummary } from './spanModel';
import { formatCost, formatDuration, formatTokens } from './format';
import { buildSpanTree } from './spanTree';

/** One line per trace: id, name, duration, outcome, usage, time, and its slowest step. */
export function traceLines(traces: TraceSummary[]): string {
  return traces.map((t) => {
    const parts = [t.traceId, t.name, formatDuration(t.durationMs), t.status === 'error' ? `FAILED: ${clip(t.errorMessage ?? 'error', 160)}` : 'ok'];
    if (t.tokens.total) parts.push(formatTokens(t.tokens.total));
    if (t.costUsd) parts.push(formatCost(t.costUsd));
    if (t.models.length) parts.push(t.models.join(', '));
    parts.push(new Date(t.startMs).toISOString());
    if (t.slowestStep) parts.push(`slowest step: ${t.slowestStep.name} ${formatDuration(t.slowestStep.durationMs)}`);
    return `- ${parts.join(' | ')}`;
  }).join('\n');
}

export function reportText(report: TraceReport, topSteps = 8): string {
  if (report.traces === 0) return `No traces since ${new Date(report.sinceMs).toISOString()}.`;
  const lines = [
    `Since ${new Date(report.sinceMs).toISOString()}: ${report.traces} traces, ${report.errorTraces} failed (${percent(report.errorTraces / report.traces)} error rate).`,
    `Trace duration p50 ${formatDuration(report.p50Ms)}, p95 ${formatDuration(report.p95Ms)}.`,
    `Tokens ${report.tokens.input} in / ${report.tokens.output} out; cost ${formatCost(report.costUsd)}.`,
  ];
  if (report.byModel.length) {
    lines.push('By model:');
    for (const m of report.byModel) {
      lines.push(`- ${m.model}: ${m.calls} calls, ${m.errors} failed, ${m.inputTokens} in / ${m.outputTokens} out tokens, ${formatCost(m.costUsd)}, p50 ${formatDuration(m.p50Ms)}`);
    }
  }
  lines.push('Steps by total latency (p95 × count):');
  for (const s of report.steps.slice(0, topSteps)) {
    lines.push(`- ${s.kind} ${s.name} (${s.service}): ${s.count}×, ${s.errors} failed, p50 ${formatDuration(s.p50Ms)}, p95 ${formatDuration(s.p95Ms)}, max ${formatDuration(s.maxMs)}, ${percent(s.shareOfTime)} of time${s.slowestInFailed ? `, slowest step in ${s.slowestInFailed} failed traces` : ''}`);
  }
  return lines.join('\n');
}

/** Less room than this left and no step line fits. */
const MIN_STEP_CHARS = 40;
/** Indentation stops growing here: deeper steps are still below their parents, and a line stays a line. */
const MAX_INDENT = 30;

/**
 * One trace as an indented step list with durations and errors, then what the model saw and
 * said at each LLM step, the documents retrieved and the tools called, truncated to fit.
 */
export function traceDigest(detail: TraceDetail, maxChars: number): string {
  return digestWithCount(detail, maxChars).text;
}

/** The digest, and how many spans it left out to fit. */
export function digestWithCount(detail: TraceDetail, maxChars: number): { text: string; omitted: number } {
  const { summary } = detail;
  const header = `Trace ${summary.traceId}: ${summary.name} (${summary.service}), ${formatDuration(summary.durationMs)}, ${summary.spanCount} spans, ` +
    `${summary.status === 'error' ? `FAILED: ${summary.errorMessage ?? 'error'}` : 'ok'}, ${formatTokens(summary.tokens.total)}, ${formatCost(summary.costUsd)}, started ${new Date(summary.startMs).toISOString()}.`;
  const out: string[] = [header];
  let used = header.length;
  let omitted = 0;
  // Content gets a share of the budget per span, so a long first prompt cannot crowd out the rest.
  const contentChars = Math.max(120, Math.floor(maxChars / Math.max(4, detail.spans.length)));
  // Depth first with a stack of its own: a hostile chain of spans is as deep as it is long.
  const stack = buildSpanTree(detail.spans).reverse().map((node) => ({ node, depth: 0 }));
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
    // Nearly full: the rest of a huge trace is only counted, not written out to be dropped.
    if (maxChars - used < MIN_STEP_CHARS) {
      omitted++;
      continue;
    }
    const indent = '  '.repeat(Math.min(depth, MAX_INDENT));
    const text = [`${indent}- ${stepLine(node.span)}`, ...contentLines(node.span, contentChars).map((l) => `${indent}  ${l}`)].join('\n');
    if (used + text.length + 1 > maxChars) omitted++;
    else {
      out.push(text);
      used += text.length + 1;
    }
  }
  if (omitted) out.push(`(${omitted} more spans left out to stay within ${maxChars} characters; ask for a larger maxChars to see them)`);
  return { text: out.join('\n'), omitted };
}

function stepLine(span: Span): string {
  const parts = [`${span.kind} ${span.name}`, formatDuration(span.durationMs)];
  if (span.model) parts.push(span.model);
  if (span.tokens?.total) parts.push(formatTokens(span.tokens.total));
  if (span.costUsd) parts.push(formatCost(span.costUsd));
  if (span.status === 'error') parts.push(`ERROR: ${clip(span.statusMessage ?? span.exceptions?.[0]?.message ?? 'failed', 200)}`);
  if (span.source) parts.push(`at ${span.source.file}${span.source.line ? `:${span.source.line}` : ''}`);
  return parts.join(' | ');
}

function contentLines(span: Span, budget: number): string[] {
  const lines: string[] = [];
  const say = (label: string, value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text) lines.push(`${label}: ${clip(text, budget)}`);
  };
  if (span.inputMessages?.length) {
    for (const m of pickPromptMessages(span.inputMessages)) say(m.role, messageText(m));
  } else if (span.input !== undefined && span.kind !== 'TOOL') say('input', span.input);
  if (span.outputMessages?.length) for (const m of span.outputMessages) say(`${m.role} (response)`, messageText(m));
  else if (span.output !== undefined && span.kind !== 'TOOL') say('output', span.output);
  if (span.tool) {
    if (span.tool.arguments !== undefined) say(`tool ${span.tool.name} arguments`, span.tool.arguments);
    if (span.tool.result !== undefined) say('tool result', span.tool.result);
  }
  span.documents?.slice(0, 5).forEach((d, i) => say(`document ${i + 1}${d.score !== undefined ? ` (score ${d.score})` : ''}`, d.content ?? d.id ?? ''));
  return lines;
}

/** The system prompt and the last user turn say most about what the model was asked. */
function pickPromptMessages(messages: Message[]): Message[] {
  const system = messages.find((m) => m.role === 'system');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const picked = [system, lastUser].filter((m): m is Message => !!m);
  return picked.length ? picked : messages.slice(-1);
}

function messageText(m: Message): string {
  const calls = m.toolCalls?.map((c) => `${c.name}(${JSON.stringify(c.arguments)})`).join(', ');
  return [m.content, calls && `tool calls: ${calls}`].filter(Boolean).join(' ');
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}
