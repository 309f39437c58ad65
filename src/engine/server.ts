// The engine as the extension runs it: a separate Node process speaking LSP over IPC
// (vscode-languageserver), plus the trace requests of shared/engineProtocol.ts. A flood of
// spans is decoded and indexed here, never on the editor's extension host.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import {
  ClearTraces, DeleteStoredTraces, EngineSettings, ExportTrace, FileProblems, GetReport, GetStats, GetTrace, GetTraceJson, ImportFiles, ImportProgress, QueryApiGet,
  QueryTraces, ListBackends, OpenRemoteTrace, ReceiverStatus, ReceiverStatusChanged, SearchBackend, SetReceiving, TakeOver, TracesChanged, UpdateSettings,
} from '../shared/engineProtocol';
import { BackendError } from './backends/backendTypes';
import type { CodeLinks } from './code/codeLinks';
import { CODE_CAPABILITIES, registerCodeFeatures } from './code/codeLspFeatures';
import { Engine, EngineOptions, receiverProblem } from './engine';
import { buildTraceReport } from './index/traceReport';
import { answerApi } from './http/api';
import { TextRedactor } from '../shared/redaction';
import { encodeTracesData } from './otlp/encodeJson';
import { registerTraceTestRequests } from './traceTests/traceTestRequests';
import { checkConfig } from './backends/teamBackends';
import { forwardBaseUrl } from './forward/forwarder';
import { GetSpanDetails, GetTraceSkeleton, SearchTraceSpans } from '../shared/pagedTraceRequests';
import { pagedTraceOf } from './index/pagedTrace';
import { spansWithSources } from './http/pagedTraceApi';

/** Change notifications are coalesced to at most one per this many milliseconds. */
const CHANGE_THROTTLE_MS = 250;

const connection = createConnection(ProposedFeatures.all);
const log = (message: string) => connection.console.log(message);

let settings: EngineSettings;
let engine: Engine;
let codeLinks: CodeLinks;
let status: ReceiverStatus = { receiving: false, host: '127.0.0.1' };

function engineOptions(s: EngineSettings): EngineOptions {
  return {
    host: s.host, httpPort: s.httpPort, grpcPort: s.grpcPort, storeDir: s.storeDir, maxSpans: s.maxSpans, maxMemoryMb: s.maxMemoryMb,
    slowMs: s.slowMs, retention: s.retention, priceOverrides: s.priceOverrides, watch: s.watch, detectors: s.detectors, redaction: validPatterns(s.redaction),
    forward: validForwardTargets(s.forward), backends: validBackends(s.backends), contextLimits: s.contextLimits, log,
  };
}

/** A user's pattern that is not a valid regular expression is left out, and the log says which. */
function validPatterns(patterns: EngineSettings['redaction']): EngineSettings['redaction'] {
  return patterns?.filter((p) => {
    try {
      TextRedactor.validate([p]);
      return true;
    } catch (error) {
      log((error as Error).message);
      return false;
    }
  });
}

/** Forward targets and backends with a wrong URL or type are left out, and the log says which. */
function validForwardTargets(urls: EngineSettings['forward']): string[] {
  return (urls ?? []).filter((url) => {
    try {
      forwardBaseUrl(url);
      return true;
    } catch (error) {
      log((error as Error).message);
      return false;
    }
  });
}

function validBackends(backends: EngineSettings['backends']): NonNullable<EngineSettings['backends']> {
  return (backends ?? []).filter((backend) => {
    try {
      checkConfig(backend);
      return true;
    } catch (error) {
      log(`aiTraceInspector.backends: ${(error as Error).message}`);
      return false;
    }
  });
}

function createEngine(s: EngineSettings): Engine {
  const created = new Engine(engineOptions(s));
  let pending: NodeJS.Timeout | undefined;
  let settled: NodeJS.Timeout | undefined;
  const notify = () => void connection.sendNotification(TracesChanged, created.stats());
  created.index.onChange = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      notify();
    }, CHANGE_THROTTLE_MS);
    // Traces settle (Trace Doctor's grace period) with no new spans: the stats then carry their diagnoses.
    clearTimeout(settled);
    settled = setTimeout(notify, created.index.doctor.graceMs + CHANGE_THROTTLE_MS);
  };
  // Both are already limited per file (progress a few times a second, problems when they change).
  created.files.onProblems = (file, problems) => void connection.sendNotification(FileProblems, { file, problems });
  created.files.onProgress = (file, bytesRead, totalBytes) => void connection.sendNotification(ImportProgress, { file, bytesRead, totalBytes });
  return created;
}

/**
 * Receiver changes (start, stop, new settings) run one after another: a settings change that
 * arrives while the receivers start must not be lost, nor see our own port as taken.
 */
let receiverChanges: Promise<unknown> = Promise.resolve();
function inTurn<T>(change: () => Promise<T>): Promise<T> {
  const result = receiverChanges.then(change);
  receiverChanges = result.catch(() => undefined);
  return result;
}

async function setReceiving(receiving: boolean): Promise<ReceiverStatus> {
  const host = settings.host;
  try {
    if (receiving) await engine.startReceivers();
    else await engine.stopReceivers();
    status = engine.receiving
      ? { receiving: true, host, httpPort: engine.httpPort, grpcPort: engine.grpcPort }
      : { receiving: false, host };
    log(status.receiving
      ? `receiving OTLP on http://${host}:${status.httpPort}/v1/traces${status.grpcPort ? ` and gRPC ${host}:${status.grpcPort}` : ''}`
      : 'receivers stopped');
  } catch (error) {
    status = { receiving: false, host, problem: receiverProblem(error) };
    log(`receivers did not start: ${(error as Error).message}`);
  }
  void connection.sendNotification(ReceiverStatusChanged, status);
  return status;
}

/** Code lenses, hovers and diagnostics follow spans to the lines that made them (code/). */
function linkCode(s: EngineSettings, previous?: EngineSettings): void {
  const where = (x?: EngineSettings) => JSON.stringify([x?.watch?.roots ?? [], x?.pathMappings ?? {}]);
  if (previous && where(previous) === where(s)) return;
  void codeLinks.configure(s.watch?.roots ?? [], s.pathMappings ?? {});
}

connection.onInitialize((params) => {
  settings = params.initializationOptions as EngineSettings;
  engine = createEngine(settings);
  codeLinks = engine.code;
  registerCodeFeatures(connection, codeLinks, engine.index);
  linkCode(settings);
  return { capabilities: CODE_CAPABILITIES };
});

connection.onInitialized(() => {
  void inTurn(() => setReceiving(true));
  void engine.ready.then(() => connection.sendNotification(TracesChanged, engine.stats()));
});

connection.onRequest(QueryTraces, (query) => engine.index.query(query).map((t) => engine.withOrigin(t)));
// The span detail's Go to source: every span's line, however it was found (code/codeLinks.ts);
// a trace opened from a team backend says which.
const traceWithSources = (traceId: string) => {
  const found = engine.index.trace(traceId);
  return found && codeLinks.withSources({ ...found, summary: engine.withOrigin(found.summary) });
};
connection.onRequest(GetTrace, ({ traceId }) => traceWithSources(traceId) ?? null);
connection.onRequest(GetTraceJson, ({ traceId }) => {
  const detail = traceWithSources(traceId);
  return detail ? { summary: detail.summary, json: JSON.stringify(detail) } : null;
});
// The trace view's pages: JSON text the extension host relays to the webview without parsing.
connection.onRequest(GetTraceSkeleton, ({ traceId, after, first }) => {
  const skeleton = pagedTraceOf(engine.index, traceId)?.skeleton(after, first);
  if (!skeleton) return null;
  const summary = engine.withOrigin(skeleton.summary);
  return { name: summary.name, revision: skeleton.revision, json: JSON.stringify({ ...skeleton, summary }), rest: skeleton.rest };
});
connection.onRequest(GetSpanDetails, ({ traceId, spanIds }) => {
  const details = pagedTraceOf(engine.index, traceId)?.spans(spanIds);
  if (!details) return null;
  return { json: JSON.stringify({ ...details, spans: spansWithSources((detail) => codeLinks.withSources(detail), details.spans) }) };
});
connection.onRequest(SearchTraceSpans, ({ traceId, text }) => pagedTraceOf(engine.index, traceId)?.search(text) ?? null);
connection.onRequest(ListBackends, () => engine.backends.list());
connection.onRequest(OpenRemoteTrace, async ({ traceId, backend }) => {
  try {
    return await engine.backends.open(traceId, backend);
  } catch (error) {
    if (error instanceof BackendError) return { problems: [], error: error.message };
    throw error;
  }
});
connection.onRequest(SearchBackend, async ({ backend, query, limit }) => {
  try {
    return { traces: await engine.backends.search(backend, query, limit) };
  } catch (error) {
    if (error instanceof BackendError) return { traces: [], error: error.message };
    throw error;
  }
});
connection.onRequest(ExportTrace, ({ traceId }) => {
  const spans = engine.index.rawSpans(traceId);
  return spans ? encodeTracesData(spans) : null;
});
connection.onRequest(GetStats, () => engine.stats());
// The query API's routes, answered as over HTTP (with the team backends' fallbacks).
connection.onRequest(QueryApiGet, ({ path }) => answerApi('GET', new URL(path, 'http://127.0.0.1'), engine.apiContext()));
// The Steps view asks again whenever traces change; between changes the last answer stands.
let lastReport: { key: string; report: ReturnType<typeof buildTraceReport> } | undefined;
connection.onRequest(GetReport, ({ sinceMs, groupBy = 'name' }) => {
  const key = `${engine.index.version}/${sinceMs}/${groupBy}`;
  if (lastReport?.key !== key) lastReport = { key, report: buildTraceReport(engine.index.tracesSince(sinceMs), sinceMs, groupBy, engine.index.promptSourceOf) };
  return lastReport.report;
});
connection.onRequest(ClearTraces, () => {
  engine.clearTraces();
  codeLinks.clear();
});
connection.onRequest(DeleteStoredTraces, () => inTurn(async () => {
  const deletion = await engine.deleteStored();
  codeLinks.clear();
  return deletion;
}));
// Imported paths are remembered in the store folder and read again after a restart.
connection.onRequest(ImportFiles, ({ paths, watch }) => engine.files.import(paths, { watch, remember: true }));
connection.onRequest(SetReceiving, ({ receiving }) => inTurn(() => setReceiving(receiving)));
connection.onRequest(TakeOver, () => inTurn(async () => {
  await engine.reloadStore();
  return setReceiving(true);
}));
connection.onRequest(UpdateSettings, (next) => inTurn(async () => {
  // Receivers that failed to start (a taken port) try again: the new settings may fix that.
  const shouldReceive = engine.receiving || status.problem !== undefined;
  linkCode(next, settings);
  settings = next;
  await engine.reconfigure(engineOptions(next));
  // Receivers that new ports stopped (or that had failed) start here, so a taken port becomes a
  // status with a problem, not a failed request.
  return shouldReceive && !engine.receiving ? setReceiving(true) : status;
}));
registerTraceTestRequests(connection, () => engine.testTarget);
connection.onShutdown(async () => {
  await engine?.close();
});

connection.listen();
