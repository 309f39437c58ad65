// Trace Doctor's quick fixes: what to change in the app's tracer set-up for a diagnosis, as text
// edits on the set-up file (Python or JavaScript/TypeScript). Pure, so it is unit tested; the
// extension offers them as code actions and shows each as a diff before it applies.
import type { Diagnosis } from './doctor';

export interface TextInsert {
  /** 0-based line; the text goes at the start of it (or replaces `replace` characters from `character`). */
  line: number;
  character: number;
  replace: number;
  text: string;
}

export interface DoctorFix {
  title: string;
  kind: Diagnosis['kind'];
  edits: TextInsert[];
}

export type SetupLanguage = 'python' | 'javascript';

/** Where tracing is set up: the tracer provider, the SDK, or an instrumentation being created. */
const SETUP_LINE: Record<SetupLanguage, RegExp> = {
  python: /^(\s*)(?:\w+\s*=\s*)?(?:TracerProvider\(|trace\.set_tracer_provider\(|\w+Instrumentor\(\)\.instrument\(|register\(|Traceloop\.init\()/,
  javascript: /^(\s*)(?:(?:const|let|var)\s+\w+\s*=\s*)?new\s+(?:NodeTracerProvider|BasicTracerProvider|WebTracerProvider|NodeSDK|\w+Instrumentation)\(/,
};

/** The first line that sets tracing up, and its indentation; none: not a set-up file. */
function setupLine(lines: string[], language: SetupLanguage): { line: number; indent: string } | undefined {
  for (let i = 0; i < lines.length; i++) {
    const match = SETUP_LINE[language].exec(lines[i]);
    if (match) return { line: i, indent: match[1] };
  }
  return undefined;
}

const insertLines = (line: number, indent: string, texts: string[]): TextInsert =>
  ({ line, character: 0, replace: 0, text: texts.map((t) => `${indent}${t}\n`).join('') });

/** An import the file lacks, added at its top (after a shebang or `from __future__`). */
function importLine(lines: string[], statement: string): TextInsert | undefined {
  if (lines.some((l) => l.trim() === statement)) return undefined;
  let at = 0;
  while (at < lines.length && (/^#!/.test(lines[at]) || /^from __future__ /.test(lines[at]) || /^['"]use strict['"];?$/.test(lines[at]))) at++;
  return { line: at, character: 0, replace: 0, text: `${statement}\n` };
}

/** The fixes a diagnosis has in this file; none when the file sets nothing up or the fix is not an edit. */
export function doctorFixes(text: string, language: SetupLanguage, diagnosis: Diagnosis): DoctorFix[] {
  const lines = text.split('\n');
  const fix = (title: string, edits: (TextInsert | undefined)[]): DoctorFix[] =>
    [{ title: `Trace Doctor: ${title}`, kind: diagnosis.kind, edits: edits.filter((e): e is TextInsert => !!e) }];
  if (diagnosis.kind === 'streamWithoutUsage') {
    const pattern = language === 'python' ? /stream\s*=\s*True/ : /stream\s*:\s*true/;
    const line = lines.findIndex((l) => pattern.test(l));
    if (line < 0) return [];
    const match = pattern.exec(lines[line])!;
    const withUsage = language === 'python' ? 'stream=True, stream_options={"include_usage": True}' : 'stream: true, stream_options: { include_usage: true }';
    return fix('ask for usage on the stream', [{ line, character: match.index, replace: match[0].length, text: withUsage }]);
  }
  const setup = setupLine(lines, language);
  if (!setup) return [];
  const before = (texts: string[]) => insertLines(setup.line, setup.indent, texts);
  switch (diagnosis.kind) {
    case 'contentCaptureOff':
    case 'contentRedacted': {
      const option = diagnosis.setting?.option;
      const off = option && new RegExp(`\\b${option.name}\\s*:\\s*false\\b`);
      const optionLine = off ? lines.findIndex((l) => off.test(l)) : -1;
      if (off && optionLine >= 0) {
        const match = off.exec(lines[optionLine])!;
        return fix(`set ${option.name}: ${option.value}`, [{ line: optionLine, character: match.index, replace: match[0].length, text: `${option.name}: ${option.value}` }]);
      }
      const env = diagnosis.setting?.env;
      if (!env) return [];
      if (language === 'python') {
        return fix(`set ${env.name}=${env.value} before tracing starts`, [importLine(lines, 'import os'), before([`os.environ["${env.name}"] = "${env.value}"`])]);
      }
      return fix(`set ${env.name}=${env.value} before tracing starts`, [before([`process.env.${env.name} = '${env.value}';`])]);
    }
    case 'contentLogsMissing':
      if (language === 'python') {
        return fix('export logs next to the spans', [
          importLine(lines, 'from opentelemetry._logs import set_logger_provider'),
          importLine(lines, 'from opentelemetry.sdk._logs import LoggerProvider'),
          importLine(lines, 'from opentelemetry.sdk._logs.export import BatchLogRecordProcessor'),
          importLine(lines, 'from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter'),
          before(['# GenAI instrumentations send prompts and responses as log records: export them too.',
            'logger_provider = LoggerProvider()',
            'logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))',
            'set_logger_provider(logger_provider)']),
        ]);
      }
      return fix('export logs next to the spans', [
        importLine(lines, "import { logs } from '@opentelemetry/api-logs';"),
        importLine(lines, "import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';"),
        importLine(lines, "import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';"),
        before(['// GenAI instrumentations send prompts and responses as log records: export them too.',
          'logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] }));']),
      ]);
    case 'detachedTrace':
    case 'noContextPropagation':
      if (language === 'python') {
        return fix('carry the context into threads', [
          importLine(lines, 'from opentelemetry.instrumentation.threading import ThreadingInstrumentor'),
          before(['# Threads started from here continue the trace of the code that started them.', 'ThreadingInstrumentor().instrument()']),
        ]);
      }
      return fix('keep the active context across async calls', [
        importLine(lines, "import { context } from '@opentelemetry/api';"),
        importLine(lines, "import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';"),
        before(['// Spans started in callbacks and promises continue the trace of the code that started them.',
          'context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());']),
      ]);
    default:
      return [];
  }
}

/** The text with the edits applied (what the diff shows, and what tests run). */
export function applyFixEdits(text: string, edits: TextInsert[]): string {
  const lines = text.split('\n');
  // Last first, so earlier positions stay valid; of inserts at one place, the first listed ends up first.
  const ordered = edits.map((edit, i) => ({ edit, i })).sort((a, b) => b.edit.line - a.edit.line || b.edit.character - a.edit.character || b.i - a.i);
  for (const { edit } of ordered) {
    const line = lines[edit.line] ?? '';
    lines[edit.line] = line.slice(0, edit.character) + edit.text + line.slice(edit.character + edit.replace);
  }
  return lines.join('\n');
}
