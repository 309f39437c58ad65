// The replay flow in the editor: Replay… opens an LLM span as a `.replay.json` request (validated
// by the contributed schema), Run / Run ×N (editor title and code lens) stream the answer into a
// read-only document beside it and record each run in the engine, and Compare with original opens
// the recorded call and the replay in the diff editor.
import * as vscode from 'vscode';
import { REPLAY_COMMANDS } from '../../shared/commands';
import { formatDuration } from '../../shared/format';
import type { Span } from '../../shared/spanModel';
import type { TraceSource } from '../engineConnection/traceSource';
import { spanIdOf, traceIdOf, TREE_SPANS, type TreeNode } from '../views/tracesTree';
import { skeletonRows } from '../../shared/skeletonTree';
import { MAX_DETAIL_SPANS, type SpanDetails, type TraceSkeleton } from '../../shared/traceSkeleton';
import { answerFactsOfSpan, comparisonSide, outputText, type AnswerFacts, type OutputState } from './replayReport';
import { parseReplayRequest, REPLAY_FILE_SUFFIX, requestFromSpan, type ReplayRequest } from './replayRequest';
import { whyNotReplayable } from '../../shared/promptContent';
import { describeTarget, ReplayTargets } from './replayTargets';

export const REPLAY_SCHEME = 'ai-trace-replay';
/** Redraws of a streaming output document, at most this often. */
const REDRAW_MS = 100;
/** How long to wait for the engine to index a replay before showing the answer's own numbers. */
const RECORD_WAIT_MS = 5000;

interface OutputDocument {
  state: OutputState;
  request: ReplayRequest;
  targetLabel: string;
}

export class ReplayController implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.Disposable {
  readonly targets: ReplayTargets;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Texts of the virtual documents (outputs and comparison sides), by path. */
  private readonly texts = new Map<string, string>();
  private readonly outputs = new Map<string, OutputDocument>();
  private readonly codeLensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.codeLensesChanged.event;
  private lastOutputPath?: string;
  private outputCount = 0;
  private readonly running = new Set<string>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly source: TraceSource, private readonly httpPort: () => number | undefined) {
    this.targets = new ReplayTargets(context);
  }

  register(): vscode.Disposable[] {
    return [
      this,
      vscode.workspace.registerTextDocumentContentProvider(REPLAY_SCHEME, this),
      vscode.languages.registerCodeLensProvider([{ pattern: `**/*${REPLAY_FILE_SUFFIX}` }, { scheme: REPLAY_SCHEME }], this),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? 'This replay output is gone (the window was reloaded). Run the request again.';
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    if (document.uri.scheme === REPLAY_SCHEME) {
      return this.outputs.has(document.uri.path) ? [new vscode.CodeLens(top, { title: '$(diff) Compare with original', command: REPLAY_COMMANDS.compareReplay, arguments: [document.uri] })] : [];
    }
    const target = this.targets.current;
    const runs = this.runCount();
    return [
      new vscode.CodeLens(top, { title: `$(play) Run${target ? ` on ${describeTarget(target)}` : ''}`, command: REPLAY_COMMANDS.runReplay, arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: `$(run-all) Run ×${runs}`, command: REPLAY_COMMANDS.runReplayTimes, arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: target ? '$(server) Change target' : '$(server) Choose target', command: REPLAY_COMMANDS.chooseReplayTarget }),
    ];
  }

  private runCount(): number {
    return Math.min(Math.max(Math.floor(vscode.workspace.getConfiguration('aiTraceInspector.replay').get<number>('runs', 5)), 2), 50);
  }

  /** Replay…: from the span detail (trace and span ids), the tree (a span row) or the chat tool. */
  async openRequest(from: string | TreeNode | undefined, spanIdArg?: string): Promise<vscode.Uri | undefined> {
    // A trace row stands for its last LLM call (a one-span trace has no span rows).
    const traceId = typeof from === 'string' ? from : from ? traceIdOf(from) : undefined;
    const spanId = typeof from === 'string' ? spanIdArg : spanIdOf(from);
    if (!traceId) {
      void vscode.window.showInformationMessage('Replay works on an LLM span: use Replay… in the span detail or on a span in the Traces view.');
      return undefined;
    }
    // One span in full (or, for a trace row, a few candidates): never the whole trace.
    const found = spanId ? { span: await spanInFull(this.source, traceId, spanId) } : await lastReplayableCall(this.source, traceId);
    const { span } = found;
    if (!span && 'loaded' in found) {
      void vscode.window.showWarningMessage(`Trace ${traceId} has no LLM call to replay${found.among ? ` among its first ${found.among} spans (open the span in the trace view and use Replay… there)` : ''}.`);
      return undefined;
    }
    if (!span) {
      void vscode.window.showErrorMessage(`Span ${spanId ?? ''} of trace ${traceId} is not loaded (cleared or evicted).`);
      return undefined;
    }
    const why = whyNotReplayable(span);
    if (why) {
      void vscode.window.showWarningMessage(why);
      return undefined;
    }
    const folder = vscode.Uri.joinPath(this.context.storageUri ?? this.context.globalStorageUri, 'replays');
    await vscode.workspace.fs.createDirectory(folder);
    const uri = vscode.Uri.joinPath(folder, `${fileSafe(span.name)}-${span.spanId}${REPLAY_FILE_SUFFIX}`);
    // An earlier edit of this span's request is kept: reopening shows it, not the recording again.
    const exists = await vscode.workspace.fs.stat(uri).then(() => true, () => false);
    if (!exists) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(requestFromSpan(span), null, 2)}\n`));
    await vscode.window.showTextDocument(uri, { preview: false });
    return uri;
  }

  /** Run ×N: `times` runs, by default aiTraceInspector.replay.runs. */
  runTimes(uri: vscode.Uri | undefined, times?: number): Promise<string | undefined> {
    return this.run(uri, times && times > 0 ? Math.min(Math.floor(times), 50) : this.runCount());
  }

  /** Run (times = 1) or Run ×N on the request in the editor; the edited text, saved or not. */
  async run(uri: vscode.Uri | undefined, times = 1): Promise<string | undefined> {
    const document = await this.requestDocument(uri);
    if (!document) return undefined;
    const parsed = parseReplayRequest(document.getText());
    if ('errors' in parsed) {
      void vscode.window.showErrorMessage(`The replay request has ${parsed.errors.length === 1 ? 'a problem' : `${parsed.errors.length} problems`}: ${parsed.errors.join(' ')}`);
      return undefined;
    }
    const { request } = parsed;
    const target = this.targets.current ?? (await this.targets.choose());
    if (!target) return undefined;
    this.codeLensesChanged.fire();
    const provider = await this.targets.provider(target, request.messages.length);
    if (!provider) return undefined;
    if (this.running.has(document.uri.toString())) {
      void vscode.window.showInformationMessage('This request is already running.');
      return undefined;
    }
    this.running.add(document.uri.toString());
    const { runAndRecord } = await import('./replayRunner');
    const path = `/output/${++this.outputCount}/${fileSafe(request.replayOf?.name ?? request.model)}.md`;
    const output: OutputDocument = {
      request,
      targetLabel: describeTarget(target),
      state: { title: request.replayOf?.name ?? 'an edited request', model: request.model, target: describeTarget(target), runs: [], planned: times },
    };
    this.outputs.set(path, output);
    this.lastOutputPath = path;
    const outputUri = vscode.Uri.from({ scheme: REPLAY_SCHEME, path });
    this.redraw(path);
    await vscode.window.showTextDocument(outputUri, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: true });
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Replaying on ${provider.endpoint}`, cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        for (let i = 0; i < times && !token.isCancellationRequested; i++) {
          if (times > 1) progress.report({ message: `run ${i + 1} of ${times}` });
          const run: OutputState['runs'][number] = { streamed: '' };
          output.state.runs.push(run);
          const redraw = throttle(() => this.redraw(path), REDRAW_MS);
          run.done = await runAndRecord(provider, request, {
            httpPort: this.httpPort(),
            signal: abort.signal,
            onText: (delta) => {
              run.streamed += delta;
              redraw();
            },
          });
          this.redraw(path);
          if (!run.done.recordError) run.recorded = await this.recordedSpan(run.done.traceId);
          this.redraw(path);
        }
      });
    } finally {
      this.running.delete(document.uri.toString());
    }
    const last = output.state.runs[output.state.runs.length - 1]?.done?.outcome;
    if (last && 'error' in last) void vscode.window.showErrorMessage(last.error);
    return path;
  }

  /** Compare with original: the recorded call and the (last) replay, side by side. */
  async compare(outputUri?: vscode.Uri): Promise<void> {
    const path = outputUri?.scheme === REPLAY_SCHEME && this.outputs.has(outputUri.path) ? outputUri.path : this.lastOutputPath;
    const output = path ? this.outputs.get(path) : undefined;
    if (!output || !path) {
      void vscode.window.showInformationMessage('Run a replay first: Compare with original shows the recorded call beside the replay.');
      return;
    }
    const replayOf = output.request.replayOf;
    const original = replayOf && await spanInFull(this.source, replayOf.traceId, replayOf.spanId).catch(() => undefined);
    const left: AnswerFacts = original
      ? answerFactsOfSpan(original, `Original: ${original.name}`)
      : { title: 'Original', text: replayOf ? `The original span ${replayOf.spanId} is no longer loaded.` : 'This request was not made from a recorded span.', toolCalls: [] };
    const runs = output.state.runs.filter((r) => r.done);
    const last = runs[runs.length - 1];
    if (!last?.done) {
      void vscode.window.showInformationMessage('The replay is still running.');
      return;
    }
    const title = `Replay${runs.length > 1 ? ` (run ${runs.length})` : ''} on ${output.targetLabel}`;
    const outcome = last.done.outcome;
    const right: AnswerFacts = last.recorded ? answerFactsOfSpan(last.recorded, title)
      : 'error' in outcome ? { title, model: output.request.model, text: '', toolCalls: [], error: outcome.error, durationMs: outcome.endMs - outcome.startMs }
        : { title, model: outcome.answer.model, text: outcome.answer.text, toolCalls: outcome.answer.toolCalls, inputTokens: outcome.answer.usage?.input, outputTokens: outcome.answer.usage?.output,
          durationMs: outcome.answer.endMs - outcome.answer.startMs, finishReason: outcome.answer.finishReason,
          firstTokenMs: outcome.answer.firstTokenMs !== undefined ? outcome.answer.firstTokenMs - outcome.answer.startMs : undefined };
    const base = path.replace(/^\/output\//, '/compare/').replace(/\.md$/, '');
    this.texts.set(`${base}/original.md`, comparisonSide(left));
    this.texts.set(`${base}/replay.md`, comparisonSide(right));
    const uri = (side: string) => vscode.Uri.from({ scheme: REPLAY_SCHEME, path: `${base}/${side}.md` });
    this.changed.fire(uri('original'));
    this.changed.fire(uri('replay'));
    await vscode.commands.executeCommand('vscode.diff', uri('original'), uri('replay'), `Original ↔ Replay (${formatDuration(left.durationMs ?? 0)} ↔ ${formatDuration(right.durationMs ?? 0)})`, { preview: true });
  }

  /** The replay's span as the engine indexed (and priced) it, once it is there. */
  private async recordedSpan(traceId: string): Promise<Span | undefined> {
    const deadline = Date.now() + RECORD_WAIT_MS;
    while (Date.now() < deadline) {
      const span = (await this.source.trace(traceId).catch(() => undefined))?.spans[0];
      if (span) return span;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return undefined;
  }

  private async requestDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
    const given = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!given || !given.path.endsWith(REPLAY_FILE_SUFFIX)) {
      void vscode.window.showInformationMessage(`Open a replay request (${REPLAY_FILE_SUFFIX}) first: use Replay… on an LLM span.`);
      return undefined;
    }
    return vscode.workspace.openTextDocument(given);
  }

  private redraw(path: string): void {
    const output = this.outputs.get(path);
    if (!output) return;
    this.texts.set(path, outputText(output.state));
    this.changed.fire(vscode.Uri.from({ scheme: REPLAY_SCHEME, path }));
  }

  /** Choose Replay Target…: the code lenses name the new target. */
  async chooseTarget(): Promise<void> {
    if (await this.targets.choose()) this.codeLensesChanged.fire();
  }

  dispose(): void {
    this.changed.dispose();
    this.codeLensesChanged.dispose();
  }
}

/** One span in full, from the engine's paged trace routes; undefined: not loaded. */
async function spanInFull(source: TraceSource, traceId: string, spanId: string): Promise<Span | undefined> {
  const json = await source.spanDetails(traceId, [spanId]);
  return json ? (JSON.parse(json) as SpanDetails).spans.find((s) => s.spanId === spanId) : undefined;
}

/**
 * What a trace row's Replay… opens: the last LLM call that can be replayed among the trace's first
 * spans (the page the Traces view shows), read in full a few at a time: bounded whatever the trace's size.
 * `among` is set when the page did not hold the whole trace.
 */
async function lastReplayableCall(source: TraceSource, traceId: string): Promise<{ span?: Span; loaded?: true; among?: number }> {
  const page = await source.traceSkeleton(traceId, undefined, TREE_SPANS);
  if (!page) return {};
  const skeleton = JSON.parse(page.json) as TraceSkeleton;
  const calls = skeletonRows(skeleton).filter((row) => row.kind === 'LLM').sort((a, b) => b.startMs - a.startMs).slice(0, MAX_DETAIL_SPANS);
  const json = calls.length ? await source.spanDetails(traceId, calls.map((row) => row.spanId)) : undefined;
  const span = json ? (JSON.parse(json) as SpanDetails).spans.find((s) => !whyNotReplayable(s)) : undefined;
  return { span, loaded: true, among: skeleton.rest ? TREE_SPANS : undefined };
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'llm-call';
}

/** Calls `fn` at most once per `ms`, and once more after the last call. */
function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
