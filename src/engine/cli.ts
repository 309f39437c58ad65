// The headless engine: `node dist/cli.js serve [--host H] [--port P] [--grpc-port G] [--watch PATH]`,
// `node dist/cli.js import FILE...` to check what trace files hold, `node dist/cli.js test` to
// run regression tests (traceTests/), and `node dist/cli.js doctor` to say why traces in a store or
// files look wrong.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { logVerbosity, setLogVerbosity } from '@grpc/grpc-js';
import { byService, describeServiceDiagnoses, type ServiceDiagnosis } from '../shared/doctor';
import type { ImportResult } from '../shared/engineProtocol';
import { DEFAULTS, maxMemoryBytes, PortInUseError, startEngine } from './engine';
import { TraceFiles } from './files/traceFiles';
import { TraceIndex } from './index/traceIndex';
import { PriceTable } from './normalize/pricing';
import { DEFAULT_REDACTIONS, RedactionPattern, TextRedactor } from '../shared/redaction';
import type { PriceOverride } from './normalize/pricing';
import { Ingest } from './otlp/ingest';
import { storeFolderProblem, TraceStore, type RetentionPolicy } from './store/traceStore';
import { parseTestArgs, runTests } from './traceTests/testCommand';
import { BACKEND_TYPES, BackendConfig, BackendType } from '../shared/backends';
import { checkConfig } from './backends/teamBackends';
import { forwardBaseUrl } from './forward/forwarder';

const USAGE = `AI Trace Inspector engine

Usage:
  node dist/cli.js serve [options]
  node dist/cli.js import [--store DIR] [--json] FILE_OR_FOLDER...
  node dist/cli.js test [--junit FILE] [TEST_FILE_OR_FOLDER...]
  node dist/cli.js doctor [--json] (--store DIR | FILE_OR_FOLDER...)

serve options:
  --host HOST          interface to bind (default ${DEFAULTS.host}; anything else exposes your prompts)
  --port PORT          OTLP/HTTP receiver and query API port (default ${DEFAULTS.httpPort})
  --grpc-port PORT     OTLP/gRPC receiver port (default ${DEFAULTS.grpcPort}; 0 for any free port)
  --no-grpc            do not start the gRPC receiver
  --allow-host NAME    also accept this Host header (repeatable; for a non-loopback --host)
  --max-body-mb N      largest request accepted after decompression (default 64)
  --prices FILE        JSON of price overrides: {"model-id": {"input": USD/1M, "output": USD/1M}}
  --store DIR          keep received traces in DIR across restarts (default: memory only)
  --keep-days N        keep normal traces N days in the store (default 7)
  --keep-slow-days N   keep slow traces N days (default 30)
  --keep-error-days N  keep failed traces N days (default 90)
  --store-max-mb N     the store's size bound (default 2048)
  --max-spans N        spans held in memory; the oldest normal traces are evicted past it (default 1000000)
  --max-memory-mb N    the same for the memory the traces take, estimated (default: half the heap
                       limit, at most 80% of it; node --max-old-space-size raises the limit)
  --slow-ms N          a trace this long or longer is slow (default 2000)
  --no-redact          keep API keys, bearer tokens, emails and card numbers as received
                       (by default they are masked before anything is indexed or stored)
  --redact NAME=REGEX  also mask what this regular expression matches (repeatable)
  --sample-normal P    keep P percent of normal (not failed, not slow) traces in the store (default 100)
  --watch PATH         read trace files in PATH (a file or folder) and tail them (repeatable)
  --workspace DIR      link spans to the sources in DIR as the extension does with the workspace
                       (repeatable): /api/traces/{id} then gives each span's source with how it
                       was found (attribute, stack or prompt)
  --forward URL        also export every accepted request to this OTLP/HTTP base URL, e.g.
                       http://collector:4318 (repeatable; queued in memory, retried, never delays
                       the local answer; /api/stats shows what was sent, queued and dropped)
  --backend NAME=TYPE:URL
                       a team backend to open and search traces in when they are not here; TYPE is
                       ${BACKEND_TYPES.join(', ')} (repeatable), e.g. tempo=tempo:http://tempo:3200
  --backend-header NAME:HEADER=VALUE
                       a header sent to backend NAME (Authorization, X-Scope-OrgID, ...; never logged)
  --backend-option NAME:KEY=VALUE
                       database, table (clickhouse), project (phoenix), traceUrl (a link with {traceId})
  -h, --help           show this help

import reads each file (a folder: every file in it), recognizes its shape from its content
(OTLP/JSON lines or documents, OTLP protobuf, OTel Python console spans, OTel JS span lines such
as Copilot Chat's outfile, DSPy logs and LM history, JSON arrays of these, gzip of any) and prints
per file its shape, spans, traces and problems as FILE:LINE: reason. Exit code 1 when a file had
problems or was not traces.
  --store DIR          also remember the files in DIR, so \`serve --store DIR\` reads them at start
  --json               print the results as JSON (an array of {file, shape, spans, traces, problems})

doctor reads a store (--store DIR) or trace files and prints, per service, why its traces look
wrong (Trace Doctor): each problem with how many traces show it, one example trace, the evidence
and the fix. Exit code 1 when it found any.
  --json               print them as JSON (the diagnoses of GET /api/stats)

test runs the regression tests (*.tracetest.json; a folder: every one below it, default .) with
an engine of its own on free loopback ports: each test's command with its OTLP export pointed
there, then its expectations against the traces it sent. One line per test, then
"N passed, N failed". Exit code 1 when a test failed, 2 when a test file is invalid.
  --junit FILE         also write the results as JUnit XML
`;

/** A wrong command line: the error is followed by the usage. */
class UsageError extends Error {}

interface ServeArgs {
  storeDir?: string;
  retention: Partial<RetentionPolicy>;
  maxSpans?: number;
  maxMemoryMb?: number;
  slowMs?: number;
  host?: string;
  httpPort?: number;
  grpcPort?: number | null;
  allowedHosts: string[];
  maxBodyBytes?: number;
  pricesFile?: string;
  watchPaths: string[];
  workspace: string[];
  redaction?: RedactionPattern[];
  forward: string[];
  backends: BackendConfig[];
}

const BACKEND_OPTIONS = ['database', 'table', 'project', 'traceUrl'] as const;

export function parseServeArgs(argv: string[]): ServeArgs {
  const args: ServeArgs = { allowedHosts: [], retention: {}, watchPaths: [], workspace: [], redaction: [...DEFAULT_REDACTIONS], forward: [], backends: [] };
  const backendExtras: { flag: string; name: string; apply: (backend: BackendConfig) => void }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const port = () => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number 0-65535, got "${v}"`);
      return n;
    };
    const positive = () => {
      const v = value();
      const n = Number(v);
      if (!(n > 0)) throw new UsageError(`${flag} must be a positive number, got "${v}"`);
      return n;
    };
    switch (flag) {
      case '--store': args.storeDir = value(); break;
      case '--keep-days': args.retention.normalDays = positive(); break;
      case '--keep-slow-days': args.retention.slowDays = positive(); break;
      case '--keep-error-days': args.retention.errorDays = positive(); break;
      case '--store-max-mb': args.retention.maxBytes = positive() * 1024 * 1024; break;
      case '--max-spans': args.maxSpans = Math.floor(positive()); break;
      case '--max-memory-mb': args.maxMemoryMb = positive(); break;
      case '--slow-ms': args.slowMs = positive(); break;
      case '--host': args.host = value(); break;
      case '--port': args.httpPort = port(); break;
      case '--grpc-port': args.grpcPort = port(); break;
      case '--no-grpc': args.grpcPort = null; break;
      case '--allow-host': args.allowedHosts.push(value().toLowerCase()); break;
      case '--max-body-mb': args.maxBodyBytes = Math.round(positive() * 1024 * 1024); break;
      case '--prices': args.pricesFile = value(); break;
      case '--watch': args.watchPaths.push(value()); break;
      case '--workspace': args.workspace.push(value()); break;
      case '--no-redact': args.redaction = undefined; break;
      case '--forward': {
        const v = value();
        try {
          forwardBaseUrl(v);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        args.forward.push(v);
        break;
      }
      case '--backend': {
        const v = value();
        const match = /^([^=]+)=([a-z]+):(.+)$/.exec(v);
        if (!match) throw new UsageError(`--backend takes NAME=TYPE:URL, e.g. tempo=tempo:http://tempo:3200, got "${v}"`);
        const backend: BackendConfig = { name: match[1], type: match[2] as BackendType, url: match[3] };
        try {
          checkConfig(backend);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        if (args.backends.some((b) => b.name === backend.name)) throw new UsageError(`backend ${backend.name} is given twice`);
        args.backends.push(backend);
        break;
      }
      case '--backend-header': {
        const v = value();
        const match = /^([^:]+):([^=]+)=(.*)$/.exec(v);
        if (!match) throw new UsageError(`--backend-header takes NAME:HEADER=VALUE, e.g. "tempo:Authorization=Bearer ..."`);
        const [, name, header, headerValue] = match;
        backendExtras.push({ flag, name, apply: (b) => { b.headers = { ...b.headers, [header.trim()]: headerValue }; } });
        break;
      }
      case '--backend-option': {
        const v = value();
        const match = /^([^:]+):([^=]+)=(.*)$/.exec(v);
        const key = match?.[2] as typeof BACKEND_OPTIONS[number];
        if (!match || !BACKEND_OPTIONS.includes(key)) {
          throw new UsageError(`--backend-option takes NAME:KEY=VALUE with KEY one of ${BACKEND_OPTIONS.join(', ')}, got "${v.split('=')[0]}"`);
        }
        backendExtras.push({ flag, name: match[1], apply: (b) => { b[key] = match[3]; } });
        break;
      }
      case '--redact': {
        const v = value();
        const at = v.indexOf('=');
        if (at < 1) throw new UsageError(`--redact takes NAME=REGEX, got "${v}"`);
        const pattern = { name: v.slice(0, at), pattern: v.slice(at + 1) };
        try {
          TextRedactor.validate([pattern]);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        args.redaction = [...(args.redaction ?? []), pattern];
        break;
      }
      case '--sample-normal': {
        const share = positive();
        if (share > 100) throw new UsageError(`--sample-normal is a percentage up to 100, got "${share}"`);
        args.retention.sampleNormal = share / 100;
        break;
      }
      default: throw new UsageError(`unknown option "${flag}"`);
    }
  }
  for (const extra of backendExtras) {
    const backend = args.backends.find((b) => b.name === extra.name);
    // The message names the flag but never repeats a header's value: it may be a secret.
    if (!backend) throw new UsageError(`${extra.flag} names backend "${extra.name}", which no --backend defines`);
    extra.apply(backend);
  }
  return args;
}

async function serve(argv: string[]): Promise<void> {
  const args = parseServeArgs(argv);
  for (const folder of args.workspace) {
    if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--workspace ${folder}: not a folder`);
  }
  // grpc-js logs its own line before our clearer message about a taken port.
  setLogVerbosity(logVerbosity.NONE);
  const priceOverrides = args.pricesFile
    ? JSON.parse(readFileSync(args.pricesFile, 'utf8')) as Record<string, PriceOverride> : undefined;
  const log = (message: string) => console.error(`[engine] ${message}`);
  const storeProblem = args.storeDir === undefined ? undefined : storeFolderProblem(args.storeDir);
  if (storeProblem) throw new Error(`--store ${storeProblem}; give a folder (it is created if missing)`);
  let engine;
  try {
    engine = await startEngine({ ...args, priceOverrides, log });
  } catch (error) {
    if (error instanceof PortInUseError) {
      throw new Error(`${error.message}. Another engine or collector may be running there; stop it, or pick `
        + 'other ports with --port and --grpc-port.');
    }
    throw error;
  }
  const base = `http://${engine.host.includes(':') ? `[${engine.host}]` : engine.host}:${engine.httpPort}`;
  console.log(`AI Trace Inspector engine listening
  OTLP/HTTP  ${base}/v1/traces  (and /v1/logs)
  OTLP/gRPC  ${engine.grpcPort === null ? 'off' : `${engine.host}:${engine.grpcPort}`}
  API        ${base}/api/traces
  Store      ${engine.store ? engine.store.dir : 'none (traces are kept in memory only; use --store DIR)'}
  Memory     up to ${args.maxSpans ?? DEFAULTS.maxSpans} spans and ${Math.round(maxMemoryBytes(args.maxMemoryMb) / 2 ** 20)} MB of traces`);
  if (args.watchPaths.length) console.log(`  Watching   ${args.watchPaths.join(', ')}`);
  if (args.workspace.length) console.log(`  Workspace  ${args.workspace.join(', ')}`);
  if (args.forward.length) console.log(`  Forwarding ${engine.forwarder.stats().map((t) => t.url).join(', ')}`);
  if (args.backends.length) console.log(`  Backends   ${args.backends.map((b) => `${b.name} (${b.type} ${b.url})`).join(', ')}`);
  if (engine.host !== DEFAULTS.host && engine.host !== 'localhost' && engine.host !== '::1') {
    console.warn(`warning: bound to ${engine.host}; anyone who can reach this address can read your traces.`);
  }
  const stop = () => {
    engine.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function parseImportArgs(argv: string[], needPaths = true): { paths: string[]; storeDir?: string; json: boolean } {
  const args: { paths: string[]; storeDir?: string; json: boolean } = { paths: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--store') {
      args.storeDir = argv[++i];
      if (args.storeDir === undefined) throw new UsageError('--store needs a folder');
    } else if (arg === '--json') args.json = true;
    else if (arg.startsWith('--')) throw new UsageError(`unknown option "${arg}"`);
    else args.paths.push(arg);
  }
  if (needPaths && !args.paths.length) throw new UsageError('import needs at least one file or folder');
  return args;
}

async function importFiles(argv: string[]): Promise<void> {
  const args = parseImportArgs(argv);
  const files = new TraceFiles(new TraceIndex(new PriceTable()), args.storeDir, (message) => console.error(message));
  if (process.stderr.isTTY) {
    files.onProgress = (file, read, total) => process.stderr.write(`\r${file}: ${Math.floor((100 * read) / total)}%\x1b[K`);
  }
  const results = await files.import(args.paths, { remember: args.storeDir !== undefined });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (args.json) console.log(JSON.stringify(results, null, 2));
  else for (const result of results) console.log(describeImport(result));
  if (results.some((r) => r.shape === null || r.problems.length)) process.exitCode = 1;
}

function describeImport(result: ImportResult): string {
  const head = result.shape === null
    ? `${result.file}: ${result.problems.length ? 'not read' : 'not traces'}`
    : `${result.file}: ${result.shape}, ${result.spans} span(s) in ${result.traces} trace(s)`;
  const problems = result.problems.map((p) => `  ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.reason}`);
  return [head, ...problems].join('\n');
}

/** import's options, where a store alone is enough to read. */
export function parseDoctorArgs(argv: string[]): { paths: string[]; storeDir?: string; json: boolean } {
  const args = parseImportArgs(argv, false);
  if (args.storeDir !== undefined && args.paths.length) throw new UsageError('doctor reads either --store DIR or files, not both');
  if (args.storeDir === undefined && !args.paths.length) throw new UsageError('doctor needs --store DIR or at least one file or folder');
  return args;
}

async function doctor(argv: string[]): Promise<void> {
  const args = parseDoctorArgs(argv);
  // Everything has arrived that will: a missing parent or log record is lost, not late.
  const index = new TraceIndex(new PriceTable(), { doctorGraceMs: 0 });
  const log = (message: string) => console.error(message);
  if (args.storeDir !== undefined) {
    if (!existsSync(args.storeDir)) throw new Error(`no store at ${args.storeDir}`);
    const store = new TraceStore(args.storeDir, log);
    for (const problem of (await store.replay(new Ingest(index))).problems) log(`store: ${problem}`);
    store.close();
    await new TraceFiles(index, args.storeDir, log).restoreRemembered();
  } else {
    for (const result of await new TraceFiles(index, undefined, log).import(args.paths, { remember: false })) {
      if (result.shape === null) log(describeImport(result));
    }
  }
  const diagnoses = index.doctor.serviceDiagnoses(true);
  if (args.json) console.log(JSON.stringify(diagnoses, null, 2));
  else console.log(describeDiagnoses(diagnoses, index.stats().traces));
  if (diagnoses.length) process.exitCode = 1;
}

function describeDiagnoses(diagnoses: ServiceDiagnosis[], traces: number): string {
  if (!diagnoses.length) return `Trace Doctor: nothing wrong found in ${traces} trace(s).`;
  const lines = [`Trace Doctor: ${diagnoses.length} problem(s) in ${traces} trace(s)`];
  for (const [service, list] of byService(diagnoses)) lines.push('', ...describeServiceDiagnoses(service, list).lines);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help' || rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return;
  }
  if (command === 'serve') return serve(rest);
  if (command === 'import') return importFiles(rest);
  if (command === 'doctor') return doctor(rest);
  if (command === 'test') {
    // An engine of its own on free loopback ports, with the serve defaults (redaction on).
    const startTestEngine = () => startEngine({ host: DEFAULTS.host, httpPort: 0, grpcPort: 0, redaction: [...DEFAULT_REDACTIONS] });
    process.exitCode = await runTests(parseTestArgs(rest, (message) => new UsageError(message)), startTestEngine);
    return;
  }
  throw new UsageError(`unknown command "${command}"`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    // The usage helps with a wrong argument, not with a port in use or a missing file.
    console.error(`error: ${error.message}${error instanceof UsageError ? `\n\n${USAGE}` : ''}`);
    process.exit(2);
  });
}
