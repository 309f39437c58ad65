// Code lenses, hovers and diagnostics on the lines that produced spans, served by the engine as
// a language server. Everything is answered from CodeActivity (per file and line); trace text
// shown in a hover is fenced as code, so a prompt can never inject markdown or links.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLens, CodeLensRefreshRequest, Connection, Diagnostic, DiagnosticSeverity, Hover, MarkupKind, ServerCapabilities,
} from 'vscode-languageserver/node';
import type { Span } from '../../shared/spanModel';
import { COMMANDS } from '../../shared/commands';
import { formatDuration, formatRelativeTime } from '../../shared/format';
import type { TraceIndex } from '../index/traceIndex';
import { lensTitle, LineActivity } from './codeActivity';
import type { CodeLinks } from './codeLinks';

export const CODE_CAPABILITIES: ServerCapabilities = {
  codeLensProvider: { resolveProvider: false },
  hoverProvider: true,
};

const OPEN_COMMAND = COMMANDS.openTrace;
const REFRESH_MS = 1000;
const EXCERPT_CHARS = 600;

export function registerCodeFeatures(connection: Connection, links: CodeLinks, index: TraceIndex): void {
  const fileOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : undefined);
  const published = new Set<string>();
  let refreshTimer: NodeJS.Timeout | undefined;
  const pendingFiles = new Set<string>();

  const publish = (file: string) => {
    const diagnostics = links.activity.lines(file).filter((a) => a.failing).map((a) => diagnosticFor(a));
    if (!diagnostics.length && !published.has(file)) return;
    if (diagnostics.length) published.add(file);
    else published.delete(file);
    void connection.sendDiagnostics({ uri: pathToFileURL(file).toString(), diagnostics });
  };

  // Lenses and diagnostics follow arriving spans, at most once a second whatever the load.
  links.onFilesChanged = (files) => {
    for (const file of files) pendingFiles.add(file);
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      for (const file of pendingFiles) publish(file);
      pendingFiles.clear();
      connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }, REFRESH_MS);
  };

  connection.onCodeLens(({ textDocument }): CodeLens[] => {
    const file = fileOf(textDocument.uri);
    if (!file) return [];
    const lenses: CodeLens[] = [];
    for (const a of links.activity.lines(file)) {
      const range = { start: { line: a.line - 1, character: 0 }, end: { line: a.line - 1, character: 0 } };
      lenses.push({ range, command: { title: lensTitle(a, formatDuration), command: OPEN_COMMAND, arguments: [a.latest.traceId, a.latest.spanId] } });
      if (a.count > 1 && a.slowest.spanId !== a.latest.spanId) {
        lenses.push({ range, command: { title: `slowest ${formatDuration(a.slowest.durationMs)}`, command: OPEN_COMMAND, arguments: [a.slowest.traceId, a.slowest.spanId] } });
      }
    }
    return lenses;
  });

  connection.onHover(({ textDocument, position }): Hover | null => {
    const file = fileOf(textDocument.uri);
    const a = file && links.activity.line(file, position.line + 1);
    if (!a) return null;
    const span = index.span(a.latest.traceId, a.latest.spanId);
    return { contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(a, span) } };
  });
}

function diagnosticFor(a: LineActivity): Diagnostic {
  const failing = a.failing!;
  return {
    range: { start: { line: a.line - 1, character: 0 }, end: { line: a.line - 1, character: Number.MAX_SAFE_INTEGER } },
    severity: DiagnosticSeverity.Warning,
    source: 'AI Trace Inspector',
    message: `Failed ${formatRelativeTime(failing.startMs)}: ${failing.message.slice(0, 500)} (${a.errors} of ${a.count} spans from this line failed)`,
    data: { traceId: failing.traceId, spanId: failing.spanId },
  };
}

function hoverMarkdown(a: LineActivity, span: Span | undefined): string {
  const open = (label: string, ref: { traceId: string; spanId: string }) =>
    `[${label}](command:${OPEN_COMMAND}?${encodeURIComponent(JSON.stringify([ref.traceId, ref.spanId]))})`;
  const lines = [`**AI Trace Inspector** · ${lensTitle(a, formatDuration)}`];
  if (a.how === 'prompt') lines.push(`This prompt text matches spans' prompts (${Math.round((a.confidence ?? 0) * 100)}% of it found).`);
  if (a.how === 'stack') lines.push('Found from the stack trace of a failure on this line.');
  if (span) {
    const prompt = lastOf(span.inputMessages?.filter((m) => m.role !== 'system'))?.content ?? textOf(span.input);
    const response = span.outputMessages?.[0]?.content ?? textOf(span.output);
    lines.push(`Latest: ${inlineCode(span.name)}, ${formatDuration(span.durationMs)}, ${formatRelativeTime(span.startMs)}${span.model ? `, ${inlineCode(span.model)}` : ''}`);
    if (prompt) lines.push('Prompt:', fenced(prompt));
    if (response) lines.push('Response:', fenced(response));
    if (a.failing) lines.push('Last failure:', fenced(a.failing.message));
  } else {
    lines.push('The latest span is no longer loaded (cleared or evicted).');
  }
  lines.push([open('Open latest span', a.latest), a.count > 1 ? open(`Open slowest (${formatDuration(a.slowest.durationMs)})`, a.slowest) : ''].filter(Boolean).join(' · '));
  return lines.join('\n\n');
}

/** A code fence longer than any backtick run inside, so the text cannot break out of it. */
function fenced(text: string): string {
  const excerpt = text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  const longest = Math.max(2, ...[...excerpt.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${excerpt}\n${fence}`;
}

/** Trace text inside a line of markdown: inline code that no backtick in it can close. */
function inlineCode(text: string): string {
  const flat = text.replace(/\s+/g, ' ').slice(0, 200);
  const fence = '`'.repeat(Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return `${fence} ${flat} ${fence}`;
}

function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function lastOf<T>(list: T[] | undefined): T | undefined {
  return list?.[list.length - 1];
}
