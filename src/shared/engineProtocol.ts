// What the extension and its engine process say to each other, besides LSP itself. Both sides
// import this file, so they cannot drift apart without a compile error.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { BackendConfig, BackendListing, RemoteTraceHit } from './backends';
import type { DetectorSettings, EngineStats, StepGrouping, TraceDetail, TraceQuery, TraceReport, TraceSummary } from './spanModel';

/** Engine settings, sent as initializationOptions and again when the user changes them. */
export interface EngineSettings {
  host: string;
  httpPort: number;
  grpcPort: number | null;
  storeDir?: string;
  maxSpans: number;
  /** The memory cap in megabytes; 0: half of the engine process's heap limit. */
  maxMemoryMb: number;
  slowMs: number;
  retention: { normalDays: number; slowDays: number; errorDays: number; maxBytes: number; sampleNormal?: number };
  priceOverrides: Record<string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }>;
  /** Context windows in tokens by model id, over the model catalog's. */
  contextLimits?: Record<string, number>;
  /** Trace files to watch and tail: folders searched with the globs (node_modules and .git never). */
  watch?: { roots: string[]; globs: string[] };
  /** Path prefixes recorded in traces (e.g. a container's /app) and the local folders they are. */
  pathMappings?: Record<string, string>;
  detectors?: DetectorSettings;
  /** Masked in everything received, shown, exported and stored (regular expression sources); none: off. */
  redaction?: { name: string; pattern: string }[];
  /** OTLP/HTTP base URLs every accepted request is also exported to. */
  forward?: string[];
  /** Team backends, with their headers read from SecretStorage. */
  backends?: BackendConfig[];
}

/** Something wrong in a trace file; the rest of the file still loads. `line` is 1-based. */
export interface FileProblem {
  file: string;
  line?: number;
  reason: string;
}

/** What one imported file held. `shape` is null for a file that is not traces (left alone). */
export interface ImportResult {
  file: string;
  shape: string | null;
  spans: number;
  traces: number;
  problems: FileProblem[];
}

/** The engine's receivers: OTLP/HTTP (which also serves the query API) and OTLP/gRPC. */
export type ReceiverProtocol = 'http' | 'grpc';

export interface ReceiverStatus {
  receiving: boolean;
  host: string;
  httpPort?: number;
  grpcPort?: number | null;
  /** Set when the receivers could not start, e.g. a port held by another process. */
  problem?: {
    message: string;
    /** The port another process holds (with portInUse). */
    port?: number;
    portInUse?: boolean;
    /** The receiver that failed to start. */
    protocol?: ReceiverProtocol;
  };
}

/** extension → engine: traces matching a query, newest (or slowest, ...) first. */
export const QueryTraces = new RequestType<TraceQuery, TraceSummary[], void>('traces/query');
/** extension → engine: one trace with its normalized spans, or null. */
export const GetTrace = new RequestType<{ traceId: string }, TraceDetail | null, void>('traces/get');
/**
 * extension → engine: one trace for the trace view: its summary, and the whole TraceDetail as
 * JSON text, which the extension host passes on to the webview without parsing (a 10,000-span
 * trace is megabytes; the host's thread must not walk it).
 */
export const GetTraceJson = new RequestType<{ traceId: string }, { summary: TraceSummary; json: string } | null, void>('traces/getJson');
/** extension → engine: a trace as OTLP/JSON TracesData (Export), or null. */
export const ExportTrace = new RequestType<{ traceId: string }, object | null, void>('traces/exportOtlp');
/** extension → engine: statistics per step and per model of the traces since a moment. */
export const GetReport = new RequestType<{ sinceMs: number; groupBy?: StepGrouping }, TraceReport, void>('traces/report');
/**
 * extension → engine: any route of the query API (shared/queryApi.ts) by its path, answered as
 * the HTTP API answers it: sessions, the LLM calls table and context windows go this way.
 */
export const QueryApiGet = new RequestType<{ path: string }, { status: number; body: unknown }, void>('api/get');
/** extension → engine: counts for the status bar. */
export const GetStats = new RequestType0<EngineStats, void>('traces/stats');
/** extension → engine: forget every trace in memory; the store keeps its copy, read again after a restart. */
export const ClearTraces = new RequestType0<void, void>('traces/clear');
/**
 * extension → engine: forget every trace for good: memory, the store's segment files, and the
 * imported files read again after a restart (no longer tailed; the files themselves stay).
 */
export const DeleteStoredTraces = new RequestType0<StoreDeletion, void>('traces/deleteStored');

/** What deleting the stored traces did. */
export interface StoreDeletion {
  deletedFiles: number;
  /** Imported files or folders no longer read after a restart. */
  forgottenImports: number;
  problems: string[];
}
/** extension → engine: start or stop the OTLP receivers; answers the resulting status. */
export const SetReceiving = new RequestType<{ receiving: boolean }, ReceiverStatus, void>('receiver/set');
/**
 * extension → engine: another engine that held the ports stopped; read what it stored (the
 * store is shared) and claim the ports.
 */
export const TakeOver = new RequestType0<ReceiverStatus, void>('engine/takeOver');
/** extension → engine: new settings (the engine restarts its receivers if ports changed). */
export const UpdateSettings = new RequestType<EngineSettings, ReceiverStatus, void>('engine/updateSettings');
/** extension → engine: read trace files or folders (and keep tailing them when `watch`). */
export const ImportFiles = new RequestType<{ paths: string[]; watch?: boolean }, ImportResult[], void>('files/import');
/** engine → extension: how far a long import has read, at most a few times a second. */
export const ImportProgress = new NotificationType<{ file: string; bytesRead: number; totalBytes: number }>('files/progress');
/** engine → extension: the current problems of one file (an empty list clears them). */
export const FileProblems = new NotificationType<{ file: string; problems: FileProblem[] }>('files/problems');
/** engine → extension: traces arrived or went; at most a few times a second, whatever the load. */
export const TracesChanged = new NotificationType<EngineStats>('traces/changed');
/** engine → extension: the receivers started, stopped or failed. */
export const ReceiverStatusChanged = new NotificationType<ReceiverStatus>('receiver/status');
/** extension → engine: the configured team backends (without their headers). */
export const ListBackends = new RequestType0<BackendListing[], void>('backends/list');
/**
 * extension → engine: load a trace from the team backends (all in order, or one), into the index.
 * `backend` names where it was found; else `problems` says per backend why not, or `error` why nothing was tried.
 */
export const OpenRemoteTrace = new RequestType<{ traceId: string; backend?: string }, { backend?: string; problems: string[]; error?: string }, void>('backends/open');
/** extension → engine: run a search in a backend's own query language. */
export const SearchBackend = new RequestType<{ backend: string; query: string; limit?: number }, { traces: RemoteTraceHit[]; error?: string }, void>('backends/search');
