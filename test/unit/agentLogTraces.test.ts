// Claude Code and Gemini CLI log records without span context, as the real CLIs exported them
// (test/fixtures/frameworks/*-logs.otlp.jsonl), become one browsable trace per prompt.
import assert from 'node:assert/strict';
import type { Span, TraceDetail } from '../../src/shared/spanModel';
import type { RawLog } from '../../src/engine/model/rawSpan';
import { TraceIndex } from '../../src/engine/index/traceIndex';
import { Ingest } from '../../src/engine/otlp/ingest';
import { PriceTable } from '../../src/engine/normalize/pricing';
import { ASSEMBLED_BY, ASSEMBLED_FROM_LOGS } from '../../src/engine/normalize/conventions/agentLogs';
import { MAX_OPEN_CALL_BYTES, MAX_OPEN_CALLS, MAX_ORDERED_SESSIONS, OpenCalls, SessionPrompts } from '../../src/engine/index/assembledTraces';
import { agentLogRequests } from './helpers/agentLogs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRAMEWORK_FIXTURES } from './helpers/frameworkFixtures';

function indexAll(requests: RawLog[][], index = new TraceIndex(new PriceTable())): { index: TraceIndex; notKept: number } {
  let notKept = 0;
  for (const records of requests) notKept += index.addLogs(records);
  return { index, notKept };
}

const byKind = (detail: TraceDetail, kind: Span['kind']) => detail.spans.filter((s) => s.kind === kind);

describe('Claude Code log records (no span context) as traces', () => {
  const requests = agentLogRequests('claude-code-logs.otlp.jsonl');

  it('make one trace per prompt: its prompt and answer, session and user, tokens with the cache, the cost it logged', () => {
    const { index, notKept } = indexAll(requests);
    assert.equal(notKept, 5, 'the start-up records (settings, plugins) belong to no prompt');
    const [summary, ...others] = index.query({});
    assert.equal(others.length, 0);
    assert.equal(summary.name, 'Claude Code prompt (assembled from log records)');
    assert.equal(summary.service, 'claude-code');
    assert.equal(summary.sessionId, 'f8303ba4-fd9f-44c5-9604-ed616edd37c1');
    assert.equal(summary.userId, 'bd99435ad805629b31465eae8f1ae9f785c034e2c0b9564d8c42efc33560233d');
    assert.equal(summary.input, 'What does note.txt say?');
    assert.equal(summary.output, 'The note says the keeper logs the weather at dawn.');
    assert.deepEqual(summary.models, ['claude-sonnet-4-5-20250929']);
    // Anthropic's input leaves the cache out (13 and 14): the 14,000 read and 2,100 written count in.
    assert.deepEqual(summary.tokens, { input: 16113 + 16114, output: 41 + 42, total: 16113 + 41 + 16114 + 42 });
    assert.ok(Math.abs(summary.costUsd - (0.012729 + 0.012747)) < 1e-12, `cost ${summary.costUsd}`);
    assert.equal(summary.spanCount, 4);
  });

  it('has an LLM span per API request and a tool span per tool result, under the prompt, marked as assembled', () => {
    const { index } = indexAll(requests, new TraceIndex(new PriceTable(), { doctorGraceMs: 0 }));
    const detail = index.trace(index.query({})[0].traceId)!;
    const [root] = byKind(detail, 'AGENT');
    assert.deepEqual(root.inputMessages, [{ role: 'user', content: 'What does note.txt say?' }]);
    assert.deepEqual(root.outputMessages, [{ role: 'assistant', content: 'The note says the keeper logs the weather at dawn.' }]);
    assert.ok(root.events?.some((e) => e.name === 'tool_decision' && e.attributes.decision === 'accept'), 'the decision is on the prompt');
    const calls = byKind(detail, 'LLM');
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0].tokens, { input: 16113, output: 41, total: 16154, cacheRead: 14000, cacheWrite: 2100 });
    assert.equal(calls[0].costUsd, 0.012729);
    assert.equal(calls[0].costSource, 'attribute');
    assert.equal(calls[0].durationMs, 31);
    assert.equal(calls[0].provider, 'anthropic');
    const [tool] = byKind(detail, 'TOOL');
    assert.equal(tool.tool?.name, 'Read');
    assert.equal(tool.tool?.callId, 'toolu_fake1');
    assert.match(String((tool.tool?.arguments as Record<string, unknown>).file_path), /note\.txt$/);
    assert.equal(tool.durationMs, 10);
    assert.equal(detail.diagnoses, undefined, 'the CLI never logs what it sent: nothing to turn on');
    for (const span of detail.spans) {
      assert.equal(span.parentSpanId, span === root ? undefined : root.spanId);
      assert.equal(span.attributes[ASSEMBLED_FROM_LOGS], 'log records');
    }
  });

  it('shows a failed API request (api_error) and a failed tool run as failures', () => {
    const records = requests.flat();
    const request = records.find((r) => r.event.name === 'api_request')!;
    const result = records.find((r) => r.event.name === 'tool_result')!;
    const shared = { 'session.id': request.event.attributes['session.id'], 'prompt.id': 'failing-prompt' };
    const { index } = indexAll([[
      { event: { name: 'api_error', body: 'claude_code.api_error', timeMs: request.event.timeMs, fromLog: true,
        attributes: { ...shared, 'event.name': 'api_error', model: 'claude-sonnet-4-5-20250929', error: 'Overloaded', status_code: '529', duration_ms: 800, attempt: 1 } } },
      { event: { ...result.event, attributes: { ...result.event.attributes, ...shared, success: 'false', error: 'File does not exist.' } } },
    ]]);
    const detail = index.trace(index.query({})[0].traceId)!;
    const [call] = byKind(detail, 'LLM');
    assert.deepEqual([call.status, call.statusMessage, call.durationMs], ['error', 'Overloaded', 800]);
    const [tool] = byKind(detail, 'TOOL');
    assert.deepEqual([tool.status, tool.statusMessage], ['error', 'File does not exist.']);
    assert.equal(detail.summary.errorCount, 2);
  });

  it('starts a span where its record ends when the logged duration is negative or longer than the time itself', () => {
    const request = requests.flat().find((r) => r.event.name === 'api_request')!;
    for (const duration of [-3_600_000, request.event.timeMs + 1]) {
      const { index } = indexAll([[{ event: { ...request.event, attributes: { ...request.event.attributes, duration_ms: duration } } }]]);
      const detail = index.trace(index.query({})[0].traceId)!;
      const [call] = byKind(detail, 'LLM');
      assert.deepEqual([call.startMs, call.durationMs], [request.event.timeMs, 0], `duration ${duration}`);
      assert.equal(detail.summary.durationMs, 0);
    }
  });

  it('lands each record in the same place when read again (a store reload, a re-imported file)', () => {
    const { index } = indexAll([...requests, ...requests]);
    const [summary, ...others] = index.query({});
    assert.equal(others.length, 0);
    assert.equal(summary.spanCount, 4);
    assert.deepEqual(summary.tokens, { input: 16113 + 16114, output: 41 + 42, total: 16113 + 41 + 16114 + 42 });
    const root = index.trace(summary.traceId)!.spans.find((s) => s.kind === 'AGENT')!;
    assert.equal(root.events?.filter((e) => e.name === 'user_prompt').length, 1);
  });

  it('widen the prompt\'s root as its records keep coming, one request at a time', () => {
    const records = requests.flat();
    const { index } = indexAll(records.map((r) => [r]));
    const [summary] = index.query({});
    const times = records.filter((r) => r.event.attributes['prompt.id']).map((r) => r.event.timeMs);
    assert.equal(summary.startMs + summary.durationMs, Math.max(...times));
    assert.equal(summary.spanCount, 4);
    assert.equal(summary.input, 'What does note.txt say?');
  });

  it('are counted as kept by the receiver, the start-up records as not kept', () => {
    const index = new TraceIndex(new PriceTable());
    const ingest = new Ingest(index);
    const lines = readFileSync(join(FRAMEWORK_FIXTURES, 'claude-code-logs.otlp.jsonl'), 'utf8').trim().split('\n');
    const results = lines.map((line) => ingest.receive('logs', 'json', Buffer.from(line), { persist: false }));
    assert.deepEqual(results.map((r) => r.message), ['5 log record(s) carried no trace and span id and were not kept']);
    assert.equal(index.stats().traces, 1);
  });
});

describe('Claude Code 2.1.45 and before: log records that name no prompt', () => {
  // Two prompts in one session; the records carry session.id and event.sequence, no prompt.id.
  const requests = agentLogRequests('claude-code-2.1.45-session-logs.otlp.jsonl');
  const SESSION = 'd00e8db6-4e0d-4c96-9bb9-a7c8a7d4077a';

  /** The session's traces, oldest prompt first, with their spans. */
  function promptTraces(index: TraceIndex) {
    return index.query({}).sort((a, b) => a.startMs - b.startMs).map((summary) => ({ summary, detail: index.trace(summary.traceId)! }));
  }

  it('make one trace per user prompt, by the session and the order of its user_prompt records: LLM spans, tools, usage, logged cost', () => {
    const { index, notKept } = indexAll(requests, new TraceIndex(new PriceTable(), { doctorGraceMs: 0 }));
    assert.equal(notKept, 0);
    const traces = promptTraces(index);
    assert.deepEqual(traces.map((t) => t.summary.input), ['What does note.txt say?', 'Read note.txt again, please.']);
    for (const [i, { summary, detail }] of traces.entries()) {
      assert.equal(summary.name, 'Claude Code prompt (assembled from log records)');
      assert.equal(summary.sessionId, SESSION);
      assert.equal(summary.output, undefined, 'this version logs no answer');
      assert.equal(summary.spanCount, 4);
      const [root] = byKind(detail, 'AGENT');
      assert.match(String(root.attributes[ASSEMBLED_BY]), /^session\.id and the order of its user_prompt records/);
      assert.equal(root.attributes['prompt.id'], undefined, 'no id is made up for it');
      assert.equal(root.events?.filter((e) => e.name === 'user_prompt').length, 1);
      const calls = byKind(detail, 'LLM');
      assert.deepEqual(calls.map((c) => c.tokens?.input), [16113 + 2 * i, 16114 + 2 * i], 'Anthropic\'s input plus the cache read and written');
      assert.deepEqual(calls.map((c) => c.model), ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929']);
      assert.deepEqual(calls.map((c) => c.costSource), ['attribute', 'attribute']);
      const [tool] = byKind(detail, 'TOOL');
      assert.equal(tool.tool?.name, 'Read');
      for (const span of detail.spans) assert.equal(span.attributes[ASSEMBLED_FROM_LOGS], 'log records');
      assert.equal(detail.diagnoses, undefined);
    }
    assert.deepEqual(traces.map((t) => t.summary.costUsd), [0.021214999999999998 + 0.021245, 0.021275000000000002 + 0.021304999999999998]);
  });

  it('find each record\'s prompt when the records come one request at a time, and land in the same place when read again', () => {
    const records = requests.flat();
    const { index } = indexAll([...records.map((r) => [r]), ...requests]);
    const traces = promptTraces(index);
    assert.deepEqual(traces.map((t) => [t.summary.input, t.summary.spanCount, t.summary.tokens.output]), [
      ['What does note.txt say?', 4, 41 + 42], ['Read note.txt again, please.', 4, 43 + 44]]);
  });

  it('tell records apart by their sequence where they share a millisecond with the next prompt', () => {
    const records = requests.flat();
    const second = records.find((r) => r.event.attributes.prompt === 'Read note.txt again, please.')!;
    const before = records[records.indexOf(second) - 1];
    const sameTime = records.map((r) => (r === before ? { event: { ...r.event, timeMs: second.event.timeMs, attributes: { ...r.event.attributes, duration_ms: 0 } } } : r));
    const traces = promptTraces(indexAll([sameTime]).index);
    assert.deepEqual(traces.map((t) => t.summary.spanCount), [4, 4]);
  });

  it('keep no records of a session before its first prompt', () => {
    const records = requests.flat().filter((r) => r.event.attributes.prompt !== 'What does note.txt say?');
    const { index, notKept } = indexAll([records]);
    assert.equal(notKept, 3, 'the first prompt\'s API requests and tool result');
    assert.deepEqual(index.query({}).map((s) => s.input), ['Read note.txt again, please.']);
  });

  it('find the prompt by time alone where the version numbers no records (2.0.76), across its two logs requests', () => {
    const older = agentLogRequests('claude-code-2.0.76-session-logs.otlp.jsonl');
    assert.equal(older.length, 2, 'the first prompt\'s record came alone');
    assert.ok(older.flat().every((r) => r.event.attributes['event.sequence'] === undefined && r.event.attributes['prompt.id'] === undefined));
    const { index, notKept } = indexAll(older);
    assert.equal(notKept, 0);
    const traces = promptTraces(index);
    // The first prompt's calls: the CLI's own Haiku call among them.
    assert.deepEqual(traces.map((t) => [t.summary.input, byKind(t.detail, 'LLM').length, byKind(t.detail, 'TOOL').length]), [
      ['What does note.txt say?', 4, 1], ['Read note.txt again, please.', 2, 1]]);
    assert.deepEqual(traces[0].summary.models, ['claude-haiku-4-5-20251001', 'claude-sonnet-4-5-20250929']);
  });

  it('keep the prompts of so many sessions, the least recently used going first', () => {
    const prompts = new SessionPrompts();
    prompts.add('first', { timeMs: 10 });
    for (let i = 0; i < MAX_ORDERED_SESSIONS; i++) prompts.add(`session-${i}`, { timeMs: 10 });
    assert.equal(prompts.at('first', { timeMs: 20 }), undefined);
    assert.deepEqual(prompts.at('session-0', { timeMs: 20 }), { timeMs: 10 });
  });
});

describe('Gemini CLI log records (no span context) as traces', () => {
  const requests = agentLogRequests('gemini-cli-logs.otlp.jsonl');

  it('make the prompt a trace with an LLM span per logged API response: usage with cache and thoughts, the answer', () => {
    const { index } = indexAll(requests);
    const [summary, ...others] = index.query({});
    assert.equal(others.length, 0, 'records with span context wait for their spans, not in a trace of their own');
    assert.equal(summary.name, 'Gemini CLI prompt (assembled from log records)');
    assert.equal(summary.sessionId, '1fd9b108-50f3-42f3-b7cd-72b2133ce85e');
    assert.equal(summary.input, 'What does note.txt say?');
    const detail = index.trace(summary.traceId)!;
    const calls = byKind(detail, 'LLM');
    assert.equal(calls.length, 2, 'the streamed responses, logged outside their spans');
    assert.deepEqual(calls[0].tokens, { input: 902, output: 22, total: 932, cacheRead: 512, reasoning: 8 });
    assert.equal(calls[0].model, 'gemini-2.5-flash');
    assert.ok(calls[0].costUsd! > 0, 'priced from the bundled table');
    assert.equal(calls[0].outputMessages?.[0].toolCalls?.[0].name, 'read_file');
    assert.equal(calls[1].outputMessages?.[0].content, 'The note says the keeper logs the weather at dawn.');
    assert.equal(calls[1].durationMs, 5);
    assert.equal(index.stats().pendingLogs > 0, true, 'records logged inside spans wait for them');
  });

  it('pair each logged API response with its request: the LLM span shows what the call sent and what it got', () => {
    for (const batches of [requests, requests.flat().map((r) => [r])]) {
      const { index } = indexAll(batches);
      const calls = byKind(index.trace(index.query({})[0].traceId)!, 'LLM');
      assert.match(calls[0].inputMessages?.[0].content ?? '', /<session_context>[^]*What does note\.txt say\?$/);
      assert.deepEqual(calls[1].inputMessages?.map((m) => m.role), ['user', 'assistant', 'tool'], 'the prompt, the read_file call and its result');
      assert.match(String(calls[1].inputMessages?.[2].content), /The lighthouse keeper logs the weather at dawn/);
      assert.equal(calls[1].outputMessages?.[0].content, 'The note says the keeper logs the weather at dawn.');
    }
  });

  it('pair a response only with a request logged before it for the same prompt and model role', () => {
    const records = requests.flat();
    const responses = records.filter((r) => r.event.name === 'gemini_cli.api_response' && !r.spanId);
    const { index } = indexAll([responses]);
    assert.ok(byKind(index.trace(index.query({})[0].traceId)!, 'LLM').every((call) => call.inputMessages === undefined), 'no request: nothing to pair');
    const mainRequests = records.filter((r) => r.event.name === 'gemini_cli.api_request' && r.event.attributes.role === 'main');
    const late = mainRequests.map((r) => ({ ...r, event: { ...r.event, timeMs: r.event.timeMs + 60_000 } }));
    const { index: lateIndex } = indexAll([[...late, ...responses]]);
    assert.ok(byKind(lateIndex.trace(lateIndex.query({})[0].traceId)!, 'LLM').every((call) => call.inputMessages === undefined), 'requests after the responses');
  });

  it('leave no call open once its response came, inside its span or out, and keep so many open', () => {
    const records = requests.flat();
    const router = records.filter((r) => r.event.attributes.role === 'utility_router');
    const response = router.find((r) => r.event.name === 'gemini_cli.api_response')!;
    // The router's request and response were logged inside its span; a response like it outside pairs with nothing.
    const { index } = indexAll([[...router, { event: { ...response.event, timeMs: response.event.timeMs + 1 } }]]);
    assert.equal(byKind(index.trace(index.query({})[0].traceId)!, 'LLM')[0].inputMessages, undefined);
    const calls = new OpenCalls();
    const request = router.find((r) => r.event.name === 'gemini_cli.api_request')!.event;
    for (let i = 0; i <= MAX_OPEN_CALLS; i++) calls.add(`call-${i}`, { request });
    assert.equal(calls.take('call-0', response.event), undefined, 'the oldest went');
    assert.equal(calls.take(`call-${MAX_OPEN_CALLS}`, response.event)?.request, request);
    // Requests carry the whole conversation: past MAX_OPEN_CALL_BYTES of it the oldest go too, however few.
    const conversation = { ...request, attributes: { ...request.attributes, request_text: 'x'.repeat(2 ** 20) } };
    const big = new OpenCalls();
    const fit = MAX_OPEN_CALL_BYTES / (2 * 2 ** 20);
    for (let i = 0; i <= fit; i++) big.add(`call-${i}`, { request: conversation });
    assert.equal(big.take('call-0', response.event), undefined, 'the oldest went');
    assert.equal(big.take(`call-${fit}`, response.event)?.request, conversation);
  });

  it('puts the answer (the last API call\'s) on the prompt\'s root, whether the records come together or one by one', () => {
    const answer = 'The note says the keeper logs the weather at dawn.';
    for (const batches of [requests, requests.flat().map((r) => [r])]) {
      const { index } = indexAll(batches);
      const [summary] = index.query({});
      assert.equal(summary.output, answer);
      const [root] = byKind(index.trace(summary.traceId)!, 'AGENT');
      assert.deepEqual(root.outputMessages?.map((m) => [m.role, m.content]), [['assistant', answer]]);
    }
  });

  it('counts the tool-use prompt as input, so the total adds up and thoughts are priced as output', () => {
    // Gemini CLI's tool_token_count is the API's toolUsePromptTokenCount (google-gemini/gemini-cli
    // packages/core/src/telemetry/types.ts, ApiResponseEvent): the total counts it beside the prompt.
    const withTools = requests.map((records) => records.map((r) => (r.event.name === 'gemini_cli.api_response' && !r.spanId
      ? { ...r, event: { ...r.event, attributes: { ...r.event.attributes, tool_token_count: 100,
        total_token_count: Number(r.event.attributes.total_token_count) + 100 } } }
      : r)));
    const { index } = indexAll(withTools);
    const [call] = byKind(index.trace(index.query({})[0].traceId)!, 'LLM');
    assert.deepEqual(call.tokens, { input: 1002, output: 22, total: 1032, cacheRead: 512, reasoning: 8 });
    const prices = new PriceTable();
    assert.equal(call.costUsd, prices.cost('gemini-2.5-flash', call.provider, { input: 1002, output: 22 + 8, cacheRead: 512 }));
  });
});

describe('Gemini CLI log records beside its traces (the same run)', () => {
  /** The run's spans and its log records, as the CLI exported them. */
  function ingestRun(order: 'traces first' | 'logs first' = 'traces first'): TraceIndex {
    const index = new TraceIndex(new PriceTable(), { doctorGraceMs: 0 });
    const ingest = new Ingest(index);
    const files = ['gemini-cli-traces.otlp.jsonl', 'gemini-cli-logs.otlp.jsonl'];
    for (const file of order === 'traces first' ? files : files.reverse()) {
      const signal = file.includes('traces') ? 'traces' : 'logs';
      for (const line of readFileSync(join(FRAMEWORK_FIXTURES, file), 'utf8').trim().split('\n')) ingest.receive(signal, 'json', Buffer.from(line), { persist: false });
    }
    return index;
  }

  it('attach to its spans where they carry a span context, and the rest make the prompt\'s trace beside its per-call traces', () => {
    const index = ingestRun();
    assert.equal(index.stats().pendingLogs, 0, 'every record with a span context found its span');
    const summaries = index.query({});
    const assembled = summaries.filter((s) => s.name === 'Gemini CLI prompt (assembled from log records)');
    assert.equal(assembled.length, 1);
    assert.equal(summaries.length, 5, 'the CLI starts a trace per model call and per tool batch; the prompt\'s is ours');
    const calls = summaries.filter((s) => s.name === 'llm_call').map((s) => index.trace(s.traceId)!.spans[0]);
    assert.ok(calls.every((span) => span.kind === 'LLM' && span.events?.some((e) => e.name === 'gemini_cli.api_request')),
      'each call span holds the request record logged inside it');
    // The classifier's call logged its response (and the response's details record) inside its
    // span: the response's model and usage, not the request's model.
    const byId = new Map(calls.map((span) => [span.spanId, span]));
    // Its answer is the response's text, not the API's JSON around it.
    assert.deepEqual(byId.get('004cb3d004739e7a')?.outputMessages?.map((m) => m.content), ['{"reasoning": "simple", "model_choice": "flash"}']);
    assert.deepEqual([byId.get('004cb3d004739e7a')?.model, byId.get('004cb3d004739e7a')?.tokens], ['gemini-2.5-flash', { input: 901, output: 21, total: 922 }]);
  });

  it('give the streamed calls\' spans the response and its details record logged outside them: the answer, model and usage', () => {
    for (const order of ['traces first', 'logs first'] as const) {
      const index = ingestRun(order);
      assert.equal(index.stats().pendingLogs, 0, order);
      const spans = index.query({}).filter((s) => s.name === 'llm_call').map((s) => index.trace(s.traceId)!.spans[0]);
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const first = byId.get('a87c32ccde2c10f5')!;
      const second = byId.get('ba1f3d34602b4344')!;
      assert.deepEqual([first.model, first.tokens], ['gemini-2.5-flash', { input: 902, output: 22, total: 924 }], order);
      assert.deepEqual([second.model, second.tokens], ['gemini-2.5-flash', { input: 903, output: 23, total: 926 }], order);
      assert.equal(first.outputMessages?.[0].toolCalls?.[0].name, 'read_file');
      assert.equal(second.outputMessages?.[0].content, 'The note says the keeper logs the weather at dawn.');
      // What the call sent: the Gemini contents of its request record, the user's prompt in them.
      assert.match(first.inputMessages?.find((m) => m.role === 'user')?.content ?? '', /What does note\.txt say\?$/);
      assert.equal(second.inputMessages?.at(-1)?.role, 'tool', 'the read_file result sent back');
    }
  });

  it('leave Trace Doctor nothing to say of the streamed calls\' content or usage (they were logged, outside their spans)', () => {
    const index = ingestRun();
    const calls = index.query({}).filter((s) => s.name === 'llm_call');
    assert.ok(calls.length > 0, 'the run has llm_call traces');
    for (const summary of calls) {
      const kinds = (index.trace(summary.traceId)!.diagnoses ?? []).map((d) => d.kind);
      assert.ok(!kinds.includes('contentCaptureOff') && !kinds.includes('usageMissing'), `${summary.traceId}: ${kinds.join(', ')}`);
    }
  });

  it('leave Trace Doctor\'s context inference alone: the assembled trace neither adopts the CLI\'s traces of the same calls nor is adopted', () => {
    const index = ingestRun();
    const summaries = index.query({});
    const assembled = summaries.find((s) => s.name === 'Gemini CLI prompt (assembled from log records)')!;
    const detail = index.trace(assembled.traceId)!;
    assert.equal(detail.inferredParents, undefined, 'one call is not shown twice (its llm_call trace under its api_response span)');
    assert.equal(detail.adoptedSpans, undefined);
    assert.equal(detail.diagnoses?.filter((d) => d.kind === 'detachedTrace').length ?? 0, 0);
    const assembledSpans = new Set(detail.spans.map((s) => s.spanId));
    for (const summary of summaries) {
      const other = index.trace(summary.traceId)!;
      for (const inferred of other.inferredParents ?? []) assert.ok(!assembledSpans.has(inferred.parentSpanId), `${summary.name} adopted under an assembled span`);
      for (const d of other.diagnoses ?? []) assert.ok(!(d.spanIds ?? []).some((id) => assembledSpans.has(id)), `${d.kind} on an assembled span`);
    }
    // The classifier's call, which only the assembled root could have held, is a trace of its own.
    const classifier = summaries.find((s) => s.traceId === '190ed23aee5d89e6c296346b0cf0c440')!;
    assert.equal(index.trace(classifier.traceId)!.diagnoses?.some((d) => d.kind === 'detachedTrace') ?? false, false);
  });
});

describe('assembled traces and memory', () => {
  it('are capped and evicted like any trace', () => {
    const index = new TraceIndex(new PriceTable(), { maxBytes: 2_000_000 });
    const [prompt] = agentLogRequests('claude-code-logs.otlp.jsonl').flat()
      .filter((r) => r.event.name === 'api_request');
    for (let i = 0; i < 3_000; i++) {
      const attributes = { ...prompt.event.attributes, 'prompt.id': `prompt-${i}`, 'event.sequence': i };
      index.addLogs([{ event: { ...prompt.event, attributes } }]);
    }
    const stats = index.stats();
    assert.ok(stats.evictedTraces > 0, 'old prompts went');
    assert.ok(stats.memoryBytes <= 2_000_000, `memory ${stats.memoryBytes}`);
    assert.equal(stats.traces + stats.evictedTraces, 3_000);
  });
});

describe('assembled spans the index fails on (its own failure, injected)', () => {
  const requests = agentLogRequests('claude-code-logs.otlp.jsonl');
  /** An index whose detectors fail on spans with this name. */
  function failingOn(name: RegExp): TraceIndex {
    const index = new TraceIndex(new PriceTable());
    const detectors = (index as unknown as { detectors: { inspect(span: { name: string }): void } }).detectors;
    const inspect = detectors.inspect.bind(detectors);
    detectors.inspect = (span) => {
      if (name.test(span.name)) throw new RangeError('injected');
      inspect(span);
    };
    return index;
  }

  it('count a refused API call\'s record as not kept', () => {
    const { index, notKept } = indexAll(requests, failingOn(/^claude_code\.api_request$/));
    assert.equal(notKept, 5 + 2, 'the start-up records and the two API requests');
    assert.equal(index.query({})[0].spanCount, 2, 'the root and the tool run');
  });

  it('count the records of a refused prompt root as not kept, none left waiting', () => {
    const { index, notKept } = indexAll(requests, failingOn(/prompt \(assembled from log records\)$/));
    const onRoot = requests.flat().filter((r) => r.event.attributes['prompt.id'] && !['api_request', 'tool_result'].includes(r.event.name)).length;
    assert.ok(onRoot > 0);
    assert.equal(notKept, 5 + onRoot);
    assert.equal(index.stats().pendingLogs, 0);
  });
});

describe('a trace that cannot be summarized when read (the index\'s own failure, injected)', () => {
  it('is dropped and counted, and the queries after it answer', () => {
    const index = new TraceIndex(new PriceTable());
    // The prompt's records attached to its root: the trace is summarized again when next read.
    indexAll(agentLogRequests('claude-code-logs.otlp.jsonl'), index);
    const detectors = (index as unknown as { detectors: { traceFindings(): unknown } }).detectors;
    detectors.traceFindings = () => {
      throw new RangeError('injected');
    };
    assert.deepEqual(index.query({}), []);
    assert.deepEqual(index.query({}), []);
    assert.equal(index.stats().rejectedSpans, 1);
  });
});
