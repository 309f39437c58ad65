// Code lenses, hovers and diagnostics on the lines that produced spans, served by the engine as
// a language server. Everything is answered from CodeActivity (per file and line); trace text
// shown in a hover is fenced as code, so a prompt can never inject markdown or links. In a file
// open with unsaved edits, each line's activity is shown where its text is now (anchors.ts), or
// not at all when its text is gone.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLens, CodeLensRefreshRequest, Connection, Diagnostic, DiagnosticSeverity, Hover, MarkupKind, ServerCapabilities, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import type { Span } from '../../shared/spanModel';
import { COMMANDS } from '../../shared/commands';
import { formatDuration, formatRelativeTime } from '../../shared/format';
import { lineMover, linesOf } from './anchors';
import type { TraceIndex } from '../index/traceIndex';
import { lensTitle, LineActivity } from './codeActivity';
import type { CodeLinks } from './codeLinks';

export const CODE_CAPABILITIES: ServerCapabilities = {
  codeLensProvider: { resolveProvider: false },
  hoverProvider: true,
  // The text of open code files, so lenses and warnings follow unsaved edits.
  textDocumentSync: TextDocumentSyncKind.Full,
};

const OPEN_COMMAND = COMMANDS.openTrace;
const REFRESH_MS = 1000;
/** Warnings follow edits in an open file this long after the typing stops. */
const EDIT_SETTLE_MS = 300;
const EXCERPT_CHARS = 600;

export function registerCodeFeatures(connection: Connection, links: CodeLinks, index: TraceIndex): void {
  const fileOf = (uri: string) => (uri.startsWith('file:') ? fileURLToPath(uri) : undefined);
  const published = new Set<string>();
  let refreshTimer: NodeJS.Timeout | undefined;
  const pendingFiles = new Set<string>();

  /** Open files' current lines, by path. */
  const openFiles = new Map<string, string[]>();
  /** Where a line's activity shows now: moved with its text in an open file with edits, else as recorded. */
  const shown = (file: string): { a: LineActivity; line: number }[] => {
    const current = openFiles.get(file);
    const activity = links.activity.lines(file);
    const move = current && activity.length ? lineMover(links.diskLines(file), current) : undefined;
    return activity.flatMap((a) => {
      const line = move && a.anchor !== undefined ? move(a.line, a.anchor) : a.line;
      return line === undefined ? [] : [{ a, line }];
    });
  };

  const publish = (file: string) => {
    const diagnostics = shown(file).filter(({ a }) => a.failing).map(({ a, line }) => diagnosticFor(a, line));
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

  const editTimers = new Map<string, NodeJS.Timeout>();
  const documentChanged = (uri: string, text: string | undefined) => {
    const file = fileOf(uri);
    if (!file) return;
    if (text === undefined) openFiles.delete(file);
    else openFiles.set(file, linesOf(text));
    if (!links.activity.lines(file).length) return;
    clearTimeout(editTimers.get(file));
    editTimers.set(file, setTimeout(() => {
      editTimers.delete(file);
      publish(file);
    }, EDIT_SETTLE_MS));
  };
  connection.onDidOpenTextDocument(({ textDocument }) => documentChanged(textDocument.uri, textDocument.text));
  // Full sync: each change carries the whole text.
  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const last = contentChanges[contentChanges.length - 1];
    if (last && !('range' in last)) documentChanged(textDocument.uri, last.text);
  });
  connection.onDidCloseTextDocument(({ textDocument }) => documentChanged(textDocument.uri, undefined));

  connection.onCodeLens(({ textDocument }): CodeLens[] => {
    const file = fileOf(textDocument.uri);
    if (!file) return [];
    const lenses: CodeLens[] = [];
    for (const { a, line } of shown(file).sort((x, y) => x.line - y.line)) {
      const range = { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 } };
      lenses.push({ range, command: { title: lensTitle(a, formatDuration), command: OPEN_COMMAND, arguments: [a.latest.traceId, a.latest.spanId] } });
      if (a.count > 1 && a.slowest.spanId !== a.latest.spanId) {
        lenses.push({ range, command: { title: `slowest ${formatDuration(a.slowest.durationMs)}`, command: OPEN_COMMAND, arguments: [a.slowest.traceId, a.slowest.spanId] } });
      }
    }
    return lenses;
  });

  connection.onHover(({ textDocument, position }): Hover | null => {
    const file = fileOf(textDocument.uri);
    const a = file && shown(file).find(({ line }) => line === position.line + 1)?.a;
    if (!a) return null;
    const span = index.span(a.latest.traceId, a.latest.spanId);
    return { contents: { kind: MarkupKind.Markdown, value: hoverMarkdown(a, span) } };
  });
}

function diagnosticFor(a: LineActivity, line: number): Diagnostic {
  const failing = a.failing!;
  return {
    range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: Number.MAX_SAFE_INTEGER } },
    severity: DiagnosticSeverity.Warning,
    source: 'AI Trace Inspector',
    // A warning's text stays as published: a time of day, never "just now" an hour later.
    message: `Failed at ${clockTime(failing.startMs)}: ${failing.message.slice(0, 500)} (${a.errors} of ${a.count} spans from this line failed)`,
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

/** "14:03:07", with the date when it was not today. */
export function clockTime(ms: number, now = Date.now()): string {
  const at = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return at.toDateString() === new Date(now).toDateString() ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
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
