// Content missing from an LLM span, and why: the instrumentation (found by the span's scope name)
// was told not to capture it, its content went out as log records that never arrived, or it was
// redacted before export.
import { isAssembled } from '../../normalize/conventions/agentLogs';
import type { Message, Span } from '../../../shared/spanModel';
import type { DiagnosisList } from './diagnosisList';
import { instrumentationOf, messagesOnParentStep } from './instrumentations';

/** What OpenInference writes in place of hidden content. */
const HIDDEN = '__REDACTED__';

const LOG_EXPORTER_FIX = 'Export logs too: next to the span exporter, add a LoggerProvider with an OTLP log exporter sending to this receiver '
  + '(Node: new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })] }) given to the instrumentation; '
  + 'Python: set_logger_provider(LoggerProvider()) with BatchLogRecordProcessor(OTLPLogExporter())), to http://127.0.0.1:4318/v1/logs.';

/**
 * `logsSettled`: long enough since the trace last changed for late log records to have arrived;
 * until then a span without them is not yet called a problem.
 */
export function diagnoseContent(span: Span, hasLogRecords: boolean, logsSettled: boolean, out: DiagnosisList): void {
  if (span.kind !== 'LLM') return;
  // Put together from a coding agent's log records, which never hold what was sent: no setting to turn on.
  if (isAssembled(span)) return;
  const scope = span.scope?.name ?? '';
  const instrumentation = instrumentationOf(scope);
  if (isHidden(span)) {
    out.add('contentRedacted', span.service, span.spanId, {
      title: 'Prompts or responses were hidden by the instrumentation before export.',
      evidence: `${span.name} (scope ${scope || 'unknown'}) carries ${HIDDEN} where the content would be.`,
      fix: instrumentationOf('openinference')!.captureFix,
      setting: { env: { name: 'OPENINFERENCE_HIDE_INPUTS', value: 'false' } },
    });
    return;
  }
  const onStep = messagesOnParentStep(scope);
  const hasPrompt = hasContent(span.inputMessages) || hasValue(span.input) || onStep;
  const hasResponse = hasContent(span.outputMessages) || hasValue(span.output) || span.status === 'error'
    || (onStep && !!span.outputMessages?.length && !!span.finishReasons?.some((r) => /tool/i.test(r)));
  if (hasPrompt && hasResponse) return;
  const missing = !hasPrompt && !hasResponse ? 'prompt and response' : !hasPrompt ? 'prompt' : 'response';
  if (instrumentation?.contentInLogs && !hasLogRecords) {
    if (!logsSettled) return;
    out.add('contentLogsMissing', span.service, span.spanId, {
      title: `The ${missing} went out as log records that never arrived: logs are not exported.`,
      evidence: `${span.name} comes from ${instrumentation.label} (scope ${scope}), which sends messages as log events; no log record for it arrived.`,
      fix: LOG_EXPORTER_FIX,
    });
    return;
  }
  out.add('contentCaptureOff', span.service, span.spanId, {
    title: `No ${missing} recorded: content capture is off${instrumentation ? ` in ${instrumentation.label}` : ''}.`,
    evidence: `${span.name} (scope ${scope || 'unknown'}) has no ${missing}${instrumentation?.contentInLogs ? ' in its log events' : ' on the span'}.`,
    fix: instrumentation?.captureFix
      ?? 'Turn content capture on in the instrumentation: OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true (OTel GenAI), TRACELOOP_TRACE_CONTENT=true (OpenLLMetry), or unset OPENINFERENCE_HIDE_INPUTS/OUTPUTS (OpenInference).',
    setting: instrumentation?.capture,
  });
}

function isHidden(span: Span): boolean {
  if (span.input === HIDDEN || span.output === HIDDEN) return true;
  for (const key in span.attributes) if (span.attributes[key] === HIDDEN) return true;
  return false;
}

/** Messages with something in them: capture off still records their roles, with empty content. */
function hasContent(messages: Message[] | undefined): boolean {
  return !!messages?.some((m) => m.content || m.toolCalls?.length || m.parts?.length);
}

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== HIDDEN;
}
