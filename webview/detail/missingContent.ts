// Why an LLM span shows no prompt, response or usage: the instrumentation's setting that
// turned content capture off, content sent as log events that never arrived, or a stream
// without usage. Pure, so it is unit tested; the reasons name the exact setting to change.
import { hasNoContent } from '../../src/shared/promptContent';
import type { Message, Span } from '../../src/shared/spanModel';

export const REDACTED = '__REDACTED__';

export interface ContentNote {
  /** One line: what is missing and the likely reason. */
  title: string;
  /** What to change, naming the setting. */
  fix: string;
}

type Producer = 'openinference' | 'openllmetry' | 'vercel-ai' | 'otel-genai' | 'unknown';

export function missingContentNotes(span: Span): ContentNote[] {
  if (span.kind !== 'LLM') return [];
  const notes: ContentNote[] = [];
  const hasPrompt = hasContent(span.inputMessages) || hasValue(span.input);
  // A failed call has no response to capture; only a missing prompt needs explaining then.
  const hasResponse = hasContent(span.outputMessages) || hasValue(span.output) || span.status === 'error';
  const redacted = Object.values(span.attributes).some((v) => v === REDACTED) || span.input === REDACTED || span.output === REDACTED;
  if (redacted) {
    notes.push({
      title: 'Some content was redacted by the OpenInference instrumentation.',
      fix: 'Unset OPENINFERENCE_HIDE_INPUTS, OPENINFERENCE_HIDE_OUTPUTS, OPENINFERENCE_HIDE_INPUT_MESSAGES or OPENINFERENCE_HIDE_OUTPUT_MESSAGES in the app\'s environment to record it.',
    });
  } else if (!hasPrompt || !hasResponse) {
    const missing = !hasPrompt && !hasResponse ? 'No prompt or response was' : !hasPrompt ? 'No prompt was' : 'No response was';
    // Messages with roles and no text came in the log events: those arrived, capture was off.
    const rolesArrived = !!span.inputMessages?.length || !!span.outputMessages?.length;
    notes.push(...captureNotes(producer(span), missing, rolesArrived));
  }
  if (!span.tokens?.input && !span.tokens?.output && !span.tokens?.total && isStreamed(span)) {
    // Advice to ask for usage is wrong when the request already did: then the recording lost it.
    notes.push(askedForUsage(span) ? {
      title: 'This streamed response has no token usage recorded, so tokens and cost are unknown.',
      fix: 'The request asked for usage (stream_options.include_usage), so the API sent it, but the instrumentation did not record it: update the instrumentation package, or record usage from the last chunk yourself.',
    } : {
      title: 'This streamed response carried no token usage, so tokens and cost are unknown.',
      fix: 'OpenAI-compatible APIs report usage on a stream only when asked: pass stream_options: { include_usage: true } with the request.',
    });
  }
  return notes;
}

/** A message of which only the role was recorded: capture off keeps roles and drops the text. */
/**
 * Why a span's content-less messages are empty: undefined when other messages of the span have
 * content (capture was on, so these were recorded as ""), else the setting that turns capture on.
 */
export function notRecordedFix(span: Span): string | undefined {
  const messages = [...span.inputMessages ?? [], ...span.outputMessages ?? []];
  if (messages.some((m) => !hasNoContent(m))) return undefined;
  return captureNotes(producer(span), 'No content was', true)[0].fix;
}

function hasContent(messages: Message[] | undefined): boolean {
  return !!messages?.some((m) => !hasNoContent(m));
}

function captureNotes(from: Producer, missing: string, rolesArrived: boolean): ContentNote[] {
  const recorded = `${missing} recorded`;
  const openInference = { title: `${recorded}: OpenInference can hide content.`, fix: 'Unset OPENINFERENCE_HIDE_INPUTS / OPENINFERENCE_HIDE_OUTPUTS (and OPENINFERENCE_HIDE_INPUT_MESSAGES / OPENINFERENCE_HIDE_OUTPUT_MESSAGES) in the app\'s environment.' };
  const openLlmetry = { title: `${recorded}: OpenLLMetry (Traceloop) content tracing is off.`, fix: 'Set TRACELOOP_TRACE_CONTENT=true (or remove TRACELOOP_TRACE_CONTENT=false) in the app\'s environment.' };
  const vercel = { title: `${recorded}: the AI SDK records inputs and outputs only when telemetry asks for them.`, fix: 'Pass experimental_telemetry: { isEnabled: true, recordInputs: true, recordOutputs: true }.' };
  const genAiCapture = { title: `${recorded}: OpenTelemetry GenAI instrumentations capture message content only when told to.`, fix: 'Set OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true in the app\'s environment, or pass { captureMessageContent: true } to the instrumentation.' };
  const genAiLogs = {
    title: 'The content may have been sent as log events that never arrived: GenAI instrumentations (conventions v1.28–v1.36) put prompts and responses in log records, not on the span.',
    fix: 'Export logs too: add a LoggerProvider with an OTLP log exporter sending to the same receiver as your traces, at /v1/logs (by default http://127.0.0.1:4318/v1/logs, or gRPC port 4317).',
  };
  switch (from) {
    case 'openinference': return [openInference];
    case 'openllmetry': return [openLlmetry];
    case 'vercel-ai': return [vercel];
    case 'otel-genai': return rolesArrived ? [genAiCapture] : [genAiCapture, genAiLogs];
    default: return [{ ...genAiCapture, title: `${recorded}: the instrumentation did not capture content.` }, ...rolesArrived ? [] : [genAiLogs], openLlmetry, openInference];
  }
}

/** Which instrumentation family wrote the span, from its scope and attribute names. */
function producer(span: Span): Producer {
  const keys = Object.keys(span.attributes);
  const scope = span.scope?.name ?? '';
  if (scope.startsWith('openinference') || keys.includes('openinference.span.kind')) return 'openinference';
  if (scope.includes('traceloop') || keys.some((k) => k.startsWith('traceloop.') || k === 'llm.request.type')) return 'openllmetry';
  if (scope === 'ai' || keys.some((k) => k.startsWith('ai.'))) return 'vercel-ai';
  if (keys.some((k) => k.startsWith('gen_ai.'))) return 'otel-genai';
  return 'unknown';
}

function isStreamed(span: Span): boolean {
  const a = span.attributes;
  return span.invocationParameters?.stream === true || a['gen_ai.request.stream'] === true || a['llm.is_streaming'] === true
    || a['gen_ai.is_streaming'] === true || span.timeToFirstTokenMs !== undefined || /\.doStream$|streamText|streamObject/.test(span.name);
}

/** The request's parameters (or their recorded JSON) ask for usage on the stream. */
function askedForUsage(span: Span): boolean {
  const options = span.invocationParameters?.stream_options;
  if (options && typeof options === 'object' && (options as Record<string, unknown>).include_usage === true) return true;
  const recorded = span.attributes['llm.invocation_parameters'] ?? span.attributes['gen_ai.request.stream_options'];
  return typeof recorded === 'string' && /"include_usage"\s*:\s*true/.test(recorded);
}

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== REDACTED;
}
