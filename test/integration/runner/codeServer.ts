// A real VS Code for the tests: code-server (the VS Code 1.100 server and workbench) in its own
// process group, on a free port, with throwaway user data, extensions and settings.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { recentlyFreePort } from '../portHolder';

/** Where scripts/install-vscode-test-deps.sh puts code-server. */
export function codeServerBinary(): string {
  const bin = join(process.env.CODE_SERVER_HOME ?? join(homedir(), '.cache', 'code-server'), 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) throw new Error(`code-server is not installed at ${bin}: run scripts/install-vscode-test-deps.sh`);
  return bin;
}

export interface CodeServerOptions {
  /** A fresh folder for this instance: user data, extensions and its log go under it. */
  dir: string;
  workspace: string;
  /** Written to the user settings.json before start. */
  userSettings: Record<string, unknown>;
  /** .vsix files installed before start. */
  extensions?: string[];
}

export class CodeServer {
  private constructor(readonly port: number, readonly logFile: string, readonly userDataDir: string, private readonly child: ChildProcess,
    private readonly workspace: string) {}

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const userDataDir = join(options.dir, 'user-data');
    const extensionsDir = join(options.dir, 'extensions');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(options.userSettings, null, 2));
    for (const vsix of options.extensions ?? []) {
      execFileSync(codeServerBinary(), ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], { stdio: 'pipe', timeout: 60_000 });
    }
    const port = await recentlyFreePort();
    const logFile = join(options.dir, 'code-server.log');
    const log = openSync(logFile, 'a');
    const child = spawn(codeServerBinary(), [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
      options.workspace,
    ], { detached: true, stdio: ['ignore', log, log] });
    const server = new CodeServer(port, logFile, userDataDir, child, options.workspace);
    await server.waitUntilServing();
    return server;
  }

  private async waitUntilServing(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`code-server exited with ${this.child.exitCode}:\n${this.logTail()}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`code-server did not answer within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /**
   * The workbench URL for the folder. With `extensionDevelopmentPath` the window loads the
   * extension from source, as F5 does; with `extensionTestsPath` it also runs that test entry.
   */
  url(payload: { extensionDevelopmentPath?: string; extensionTestsPath?: string } = {}): string {
    const remote = (path: string) => `vscode-remote://127.0.0.1:${this.port}${path}`;
    const entries = Object.entries(payload).filter(([, path]) => path).map(([key, path]) => [key, remote(path!)]);
    const params = new URLSearchParams({ folder: this.workspace });
    if (entries.length) params.set('payload', JSON.stringify(entries));
    return `http://127.0.0.1:${this.port}/?${params}`;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops code-server and everything it started (extension hosts, the engine) as a group. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => (this.child.exitCode !== null ? resolve() : this.child.once('exit', () => resolve())));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, signal);
      } catch {
        // already gone
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // Children that outlived their parent (the engine) still carry the group id.
    signalGroup('SIGKILL');
  }
}
