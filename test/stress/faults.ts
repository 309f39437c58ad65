// Faults: kill -9 mid-ingest and restart on the same store; a store folder that cannot be
// written (no permission, a full disk, a path that cannot be a folder); a port taken before start.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess } from './engineProcess';
import type { Section } from './figures';
import { send, sleep, stats } from './http';
import { newTally, postUntilAccepted } from './senders';
import { Encoding, RequestTemplate, SPANS_PER_TRACE } from './workload';

const TRACES_PER_REQUEST = 20;

export async function runFaults(section: Section): Promise<void> {
  const template = await RequestTemplate.build(Array.from({ length: TRACES_PER_REQUEST }, () => 'normal'));
  const root = mkdtempSync(join(tmpdir(), 'ati-stress-faults-'));
  chmodSync(root, 0o755); // another user (the permission case) must reach its folder
  try {
    await killDuringIngest(section, template, join(root, 'crash-store'));
    await unwritableStore(section, template, root);
    await fullDisk(section, template, root);
    await uncreatableStore(section, template, root);
    await portTaken(section);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Sends distinct requests until stopped; returns which were acknowledged. */
function sendContinuously(port: number, template: RequestTemplate, clients: Encoding[], firstRequest: number) {
  let next = firstRequest;
  let stopped = false;
  const acked: number[] = [];
  const done = Promise.all(clients.map(async (encoding) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (!stopped) {
      const request = next++;
      // One attempt each: after the kill nothing answers, and nothing unanswered counts.
      const reply = await send(port, '/v1/traces', {
        body: template.render(encoding, request), agent, timeoutMs: 5_000,
        headers: { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' },
      }).catch(() => undefined);
      if (reply?.status === 200) acked.push(request);
      else if (reply?.status === 429) await sleep(1000);
      else if (!reply) await sleep(50);
    }
    agent.destroy();
  }));
  return { acked, stop: async () => { stopped = true; await done; } };
}

async function tracePresent(port: number, template: RequestTemplate, request: number, t: number, agent: Agent): Promise<boolean> {
  const reply = await send(port, `/api/traces/${template.traceId(request, t)}`, { agent, timeoutMs: 30_000 });
  return reply.status === 200 && (JSON.parse(reply.body.toString()) as { spans: unknown[] }).spans.length === SPANS_PER_TRACE;
}

async function killDuringIngest(section: Section, template: RequestTemplate, storeDir: string): Promise<void> {
  const first = await EngineProcess.serve(['--no-grpc', '--store', storeDir]);
  const load = sendContinuously(first.httpPort, template, ['protobuf', 'protobuf', 'protobuf', 'json', 'json'], 0);
  await sleep(3000);
  await first.crash();
  await load.stop();
  const begin = Date.now();
  const second = await EngineProcess.serve(['--no-grpc', '--store', storeDir]);
  try {
    // The store is replayed while the receivers already serve: wait until the count settles.
    let spans = -1;
    for (let settled = 0; settled < 3; await sleep(300)) {
      const now = (await stats(second.httpPort)).spans;
      settled = now === spans ? settled + 1 : 0;
      spans = now;
    }
    const replayS = (Date.now() - begin) / 1000;
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let missing = 0;
    for (const request of load.acked) {
      for (let t = 0; t < TRACES_PER_REQUEST; t++) if (!await tracePresent(second.httpPort, template, request, t, agent)) missing++;
    }
    agent.destroy();
    const ackedSpans = load.acked.length * template.spans;
    section.figure('kill -9 after 3 s of ingest: requests acknowledged before the kill', load.acked.length);
    section.figure('spans restored from the store after restart / acknowledged', `${spans} / ${ackedSpans}`);
    section.figure('restart until the store is replayed', replayS, 's');
    section.check('after kill -9 and restart, every acknowledged trace is there (each checked)', missing === 0 && load.acked.length > 0,
      `${missing} of ${load.acked.length * TRACES_PER_REQUEST} missing`);
    const torn = /incomplete \(the write was cut off\)/.test(second.stderr);
    section.figure('a write cut off by the kill was reported on restart', torn ? 'yes' : 'no (the kill fell between writes)');
  } finally {
    await second.stop();
  }
}

/** Another user than root, so file permissions apply (root ignores them). */
function asUnprivileged(): { uid?: number; gid?: number } {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
}

/** Sends a few requests and checks each is answered 200 and queryable. */
async function servesFromMemory(engine: EngineProcess, template: RequestTemplate, requests: number[]): Promise<boolean> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const tally = newTally();
  let ok = true;
  for (const request of requests) {
    ok = await postUntilAccepted(engine.httpPort, 'protobuf', template.render('protobuf', request), agent, tally, 10_000) && ok;
    ok = await tracePresent(engine.httpPort, template, request, 0, agent) && ok;
  }
  agent.destroy();
  return ok;
}

async function unwritableStore(section: Section, template: RequestTemplate, root: string): Promise<void> {
  const storeDir = join(root, 'read-only-store');
  mkdirSync(storeDir);
  chmodSync(storeDir, 0o555);
  const engine = await EngineProcess.serve(['--no-grpc', '--store', storeDir], asUnprivileged());
  try {
    const served = await servesFromMemory(engine, template, [1000, 1001, 1002]);
    const warning = engine.stderr.split('\n').find((line) => line.includes('cannot write'));
    section.figure('read-only store: warning', warning ?? '(none)');
    section.check('a read-only store gives one clear warning and the receiver serves from memory',
      served && !!warning && warning.includes(storeDir) && engine.stderr.split('cannot write').length === 2);
  } finally {
    await engine.stop();
  }
}

/** A real small filesystem at `mountPoint` (a tmpfs; mounting needs root); false, with a figure saying so, where it cannot be made. */
export function mountTinyDisk(section: Section, mountPoint: string, size: string, what: string): boolean {
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    section.figure(what, 'skipped: cannot mount a small tmpfs here (needs root)');
    return false;
  }
}

async function fullDisk(section: Section, template: RequestTemplate, root: string): Promise<void> {
  const mountPoint = join(root, 'tiny-disk');
  if (!mountTinyDisk(section, mountPoint, '256k', 'full disk')) return;
  try {
    writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(200 * 1024));
    const engine = await EngineProcess.serve(['--no-grpc', '--store', mountPoint]);
    try {
      const served = await servesFromMemory(engine, template, [2000, 2001, 2002, 2003]);
      const warning = engine.stderr.split('\n').find((line) => line.includes('cannot write'));
      section.figure('full disk: warning', warning ?? '(none)');
      section.check('a full disk gives a clear warning and the receiver serves from memory', served && !!warning && /ENOSPC|no space/i.test(warning));
    } finally {
      await engine.stop();
    }
  } finally {
    execFileSync('umount', [mountPoint], { stdio: 'ignore' });
  }
}

async function uncreatableStore(section: Section, template: RequestTemplate, root: string): Promise<void> {
  const blocker = join(root, 'a-file');
  writeFileSync(blocker, 'not a folder');
  const storeDir = join(blocker, 'store');
  const engine = EngineProcess.spawn(['serve', '--port', '0', '--no-grpc', '--store', storeDir]);
  const outcome = await Promise.race([engine.exited.then((exit) => ({ exit })), sleep(5000).then(() => ({ exit: undefined }))]);
  if (outcome.exit) {
    section.figure('store path that cannot be a folder: CLI exit', `code ${outcome.exit.code}: ${lastLine(engine.stderr)}`);
    section.check('a store path that cannot be created gives a clear warning and the receiver serves from memory', false,
      `the engine exited with ${outcome.exit.code} instead`);
    return;
  }
  try {
    const port = Number(/OTLP\/HTTP\s+http:\/\/[^:]+:(\d+)\//.exec(engine.stdout)?.[1]);
    engine.httpPort = port;
    const served = await servesFromMemory(engine, template, [3000]);
    section.check('a store path that cannot be created gives a clear warning and the receiver serves from memory',
      served && engine.stderr.includes(storeDir), lastLine(engine.stderr));
  } finally {
    await engine.stop();
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').find((line) => /error|warning|cannot/i.test(line)) ?? text.trim().split('\n')[0] ?? '';
}

async function portTaken(section: Section): Promise<void> {
  for (const flag of ['--port', '--grpc-port'] as const) {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const other = flag === '--port' ? ['--grpc-port', '0'] : ['--port', '0'];
      const engine = EngineProcess.spawn(['serve', flag, String(port), ...other]);
      const exit = await Promise.race([engine.exited, sleep(15_000).then(() => undefined)]);
      if (!exit) await engine.crash();
      const message = engine.stderr.split('\n').find((line) => line.startsWith('error:')) ?? engine.stderr.split('\n')[0];
      const protocol = flag === '--port' ? 'OTLP/HTTP' : 'OTLP/gRPC';
      section.figure(`${protocol} port taken: exit code, message`, `${exit?.code ?? 'still running'}: ${message}`);
      section.check(`${protocol} port taken before start: the CLI exits non-zero naming the port`,
        exit?.code === 2 && message.includes(`port ${port} (${protocol}) is already in use`));
    } finally {
      holder.close();
    }
  }
}
