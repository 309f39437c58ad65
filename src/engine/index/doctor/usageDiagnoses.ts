// Token usage that is missing, under a key we do not read, counted at a parent and a child, or
// absent from a stream that never asked for it.
import type { Span } from '../../../shared/spanModel';
import type { StoredSpan } from '../../model/storedSpan';
import type { DiagnosisList } from './diagnosisList';

/** A numeric attribute whose name says tokens, where no known usage key was found. */
const TOKEN_KEY = /tokens?(?:[._]|$)|token_?count|usage/i;

function isStreamed(span: Span): boolean {
  const a = span.attributes;
  return span.invocationParameters?.stream === true || a['gen_ai.request.stream'] === true || a['llm.is_streaming'] === true
    || a['gen_ai.is_streaming'] === true || span.timeToFirstTokenMs !== undefined || /\.doStream$|streamText|streamObject/.test(span.name);
}

/** Whether the request asked the provider to report usage on its stream. */
function askedForStreamUsage(span: Span): boolean {
  const options = span.invocationParameters?.stream_options as { include_usage?: unknown } | undefined;
  return options?.include_usage === true || /"include_usage"\s*:\s*true/.test(String(span.attributes['llm.invocation_parameters'] ?? ''));
}

/**
 * Usage its instrumentation marks partial (Logfire's Claude Agent SDK turns: the stream's first
 * counts), left uncounted on purpose: the run's span reports the whole.
 */
function hasPartialUsage(span: Span): boolean {
  for (const key in span.attributes) if (key.startsWith('gen_ai.usage.partial.')) return true;
  return false;
}

const USAGE_MISSING_TITLE = 'An LLM call that got a response recorded no token usage.';

export function diagnoseUsage(span: Span, out: DiagnosisList): void {
  if (span.kind !== 'LLM' || span.status === 'error' || span.tokens || hasPartialUsage(span)) return;
  const odd = Object.entries(span.attributes).find(([key, value]) => TOKEN_KEY.test(key) && typeof value === 'number' && !/max_?tokens|\.request\./i.test(key));
  if (odd) {
    out.add('usageNonStandardKey', span.service, span.spanId, {
      title: 'Token usage was recorded under a key no convention uses, so it is not counted.',
      evidence: `${span.name} has ${odd[0]} = ${odd[1]} and none of the standard usage attributes.`,
      fix: 'Record usage as gen_ai.usage.input_tokens and gen_ai.usage.output_tokens (OTel GenAI) or llm.token_count.prompt / llm.token_count.completion (OpenInference).',
    });
    return;
  }
  if (isStreamed(span)) {
    if (askedForStreamUsage(span)) {
      // The provider sent usage in the stream's last chunk; the instrumentation did not record it.
      out.add('usageMissing', span.service, span.spanId, {
        title: USAGE_MISSING_TITLE,
        evidence: `${span.name}${span.model ? ` (${span.model})` : ''} asked for usage on its stream (stream_options.include_usage), so the provider sent it in the last chunk, and the span has none: the instrumentation did not read it.`,
        fix: 'Upgrade the instrumentation to a version that reads usage from the stream\'s last chunk, or record gen_ai.usage.input_tokens / gen_ai.usage.output_tokens on the span yourself.',
      });
      return;
    }
    out.add('streamWithoutUsage', span.service, span.spanId, {
      title: 'A streamed call reported no token usage, so its tokens and cost are unknown.',
      evidence: `${span.name} streamed its response and did not ask for usage (no stream_options.include_usage).`,
      fix: 'OpenAI-compatible APIs report usage on a stream only when asked: pass stream_options: { include_usage: true } with the request.',
      setting: { option: { name: 'stream_options', value: '{ include_usage: true }' } },
    });
    return;
  }
  out.add('usageMissing', span.service, span.spanId, {
    title: USAGE_MISSING_TITLE,
    evidence: `${span.name}${span.model ? ` (${span.model})` : ''} finished without any usage attribute; providers return usage with every non-streamed response.`,
    fix: 'Upgrade the instrumentation (older versions drop usage), or record gen_ai.usage.input_tokens / gen_ai.usage.output_tokens on the span yourself.',
  });
}

/** Steps walked up the tree per trace, in all: a hostile trace's chains cannot make this quadratic. */
const MAX_ANCESTOR_STEPS = 200_000;

/**
 * Usage reported at a span and again at one of its ancestors (a framework wrapper and its provider
 * call). The summary counts only the lowest; this says which pairs were deduplicated.
 */
export function diagnoseUsageTwice(spans: Map<string, StoredSpan>, out: DiagnosisList): void {
  let steps = 0;
  for (const span of spans.values()) {
    if (!span.facts.tokens?.total) continue;
    let parent = span.parentSpanId ? spans.get(span.parentSpanId) : undefined;
    while (parent && steps++ < MAX_ANCESTOR_STEPS) {
      if (parent.facts.tokens?.total) {
        out.add('usageCountedTwice', parent.resource.service, parent.spanId, {
          title: 'Usage is reported at a parent and again at its child; totals count it once.',
          evidence: `${parent.name} reports ${parent.facts.tokens.total} tokens and its descendant ${span.name} ${span.facts.tokens.total}; the trace's totals count only ${span.name}.`,
          fix: 'Nothing to change for the totals here; other tools that add every span\'s usage will count it twice.',
        });
        break;
      }
      parent = parent.parentSpanId && parent.parentSpanId !== parent.spanId ? spans.get(parent.parentSpanId) : undefined;
    }
  }
}
