// What the doctor knows about the instrumentations it meets, found by the span's scope name: the
// exact setting that turns content capture on, where their content travels, and the versions known
// to drop data (a small table kept by hand; each entry names its source).
import type { SettingFix } from '../../../shared/doctor';

export interface Instrumentation {
  /** How users know it. */
  label: string;
  /** Sends prompts and responses as log records (OTel GenAI events), not on the span. */
  contentInLogs: boolean;
  /** What to set for content to be recorded, in words... */
  captureFix: string;
  /** ...and as a setting a quick fix can add. */
  capture: SettingFix;
}

const OPENINFERENCE: Instrumentation = {
  label: 'OpenInference',
  contentInLogs: false,
  captureFix: 'Unset OPENINFERENCE_HIDE_INPUTS and OPENINFERENCE_HIDE_OUTPUTS (and OPENINFERENCE_HIDE_INPUT_MESSAGES / OPENINFERENCE_HIDE_OUTPUT_MESSAGES) in the app\'s environment, or set them to false.',
  capture: { env: { name: 'OPENINFERENCE_HIDE_INPUTS', value: 'false' } },
};
const OTEL_GENAI_JS: Instrumentation = {
  label: 'OpenTelemetry GenAI (@opentelemetry/instrumentation-openai)',
  contentInLogs: true,
  captureFix: 'Set OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true in the app\'s environment, or pass { captureMessageContent: true } to the instrumentation.',
  capture: { env: { name: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', value: 'true' }, option: { name: 'captureMessageContent', value: 'true' } },
};
const OTEL_GENAI_PY: Instrumentation = {
  label: 'OpenTelemetry GenAI (opentelemetry-instrumentation-*-v2 / genai)',
  contentInLogs: true,
  captureFix: 'Set OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true in the app\'s environment.',
  capture: { env: { name: 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', value: 'true' } },
};
const OPENLLMETRY: Instrumentation = {
  label: 'OpenLLMetry (Traceloop)',
  contentInLogs: false,
  captureFix: 'Set TRACELOOP_TRACE_CONTENT=true (or remove TRACELOOP_TRACE_CONTENT=false) in the app\'s environment, or pass { traceContent: true } to the instrumentation.',
  capture: { env: { name: 'TRACELOOP_TRACE_CONTENT', value: 'true' }, option: { name: 'traceContent', value: 'true' } },
};
const VERCEL_AI: Instrumentation = {
  label: 'Vercel AI SDK telemetry',
  contentInLogs: false,
  captureFix: 'Pass experimental_telemetry: { isEnabled: true, recordInputs: true, recordOutputs: true } with the call.',
  capture: { option: { name: 'recordInputs', value: 'true' } },
};

/** Scope-name patterns, most specific first. */
const BY_SCOPE: [RegExp, Instrumentation][] = [
  [/openinference/i, OPENINFERENCE],
  [/^@opentelemetry\/instrumentation-(openai|anthropic|google|bedrock|vertex)/, OTEL_GENAI_JS],
  [/^opentelemetry\.instrumentation\.[a-z_]+_v2$|^opentelemetry\.instrumentation\.(google_genai|vertexai)|genai/i, OTEL_GENAI_PY],
  [/traceloop|^opentelemetry\.instrumentation\.(openai|anthropic|langchain|llamaindex|bedrock|cohere|mistralai|ollama|groq)(\.|$)/, OPENLLMETRY],
  [/^ai$/, VERCEL_AI],
];

/**
 * Instrumentations whose model-call spans leave the conversation to the step span around them:
 * Mastra's `chat` spans carry no input, and a call that ended in tool calls records an empty
 * answer (its `model_step` parent has the prompt and the tool calls).
 */
const MESSAGES_ON_PARENT_STEP = /^@mastra\/otel-exporter$/;

export function messagesOnParentStep(scopeName: string): boolean {
  return MESSAGES_ON_PARENT_STEP.test(scopeName);
}

export function instrumentationOf(scopeName: string): Instrumentation | undefined {
  for (const [pattern, found] of BY_SCOPE) if (pattern.test(scopeName)) return found;
  return undefined;
}

export interface KnownBadVersion {
  scope: RegExp;
  /** Versions below this one are affected; none: every version seen so far. */
  fixedIn?: string;
  /** Only spans that carry no token usage are affected (the data it drops). */
  withoutUsageOnly?: boolean;
  what: string;
  fix: string;
  source: string;
}

export const KNOWN_BAD_VERSIONS: KnownBadVersion[] = [
  {
    scope: /^opentelemetry\.instrumentation\.openai(\.|$)/,
    fixedIn: '0.2.1',
    what: 'OpenLLMetry\'s OpenAI instrumentation before 0.2.1 broke streaming: with it on, streamed calls did not stream and were recorded without their output.',
    fix: 'Upgrade opentelemetry-instrumentation-openai (traceloop-sdk) to 0.2.1 or later.',
    source: 'https://github.com/traceloop/openllmetry/issues/165',
  },
  {
    scope: /^@traceloop\/instrumentation-openai$/,
    withoutUsageOnly: true,
    what: 'OpenLLMetry-JS\'s OpenAI instrumentation records no provider-reported usage for a streamed call (it can only estimate tokens, with enrichTokens on), even when the stream carries it (stream_options.include_usage).',
    fix: 'Pass { enrichTokens: true } to the instrumentation for estimated counts, or record gen_ai.usage.* yourself; reading the reported usage is proposed upstream (openllmetry-js pull request 941).',
    source: 'https://github.com/traceloop/openllmetry-js/issues/940',
  },
];

/** The table's entry for this scope and version, if any. */
export function knownBadVersion(scopeName: string, version: string | undefined, hasUsage: boolean): KnownBadVersion | undefined {
  return KNOWN_BAD_VERSIONS.find((entry) => entry.scope.test(scopeName) && (!entry.withoutUsageOnly || !hasUsage)
    && (!entry.fixedIn || (version !== undefined && compareVersions(version, entry.fixedIn) < 0)));
}

/** Compares dotted versions by their numbers (1.10 > 1.9); anything after a number is ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((p) => parseInt(p, 10) || 0);
  const pb = b.split('.').map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
