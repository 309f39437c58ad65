// Team backend headers (Authorization, API keys, X-Scope-OrgID) live in VS Code's SecretStorage,
// never in settings or logs. They are read once at start and again whenever they change, so the
// settings sent to the engine can be built synchronously.
import * as vscode from 'vscode';

const SECRET_KEY = 'aiTraceInspector.backendHeaders';

type HeadersByBackend = Record<string, Record<string, string>>;

export class BackendSecrets implements vscode.Disposable {
  private headers: HeadersByBackend = {};
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the headers changed (in this window or another). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange(async (event) => {
      if (event.key !== SECRET_KEY) return;
      await this.load();
      this.changed.fire();
    });
  }

  async load(): Promise<void> {
    const text = await this.secrets.get(SECRET_KEY);
    try {
      const parsed = text ? JSON.parse(text) as unknown : {};
      this.headers = parsed && typeof parsed === 'object' ? parsed as HeadersByBackend : {};
    } catch {
      this.headers = {};
    }
  }

  headersFor(backend: string): Record<string, string> | undefined {
    const headers = this.headers[backend];
    return headers && Object.keys(headers).length ? { ...headers } : undefined;
  }

  /** The header names set for a backend (for a pick list; values are never shown). */
  headerNames(backend: string): string[] {
    return Object.keys(this.headers[backend] ?? {});
  }

  /** Sets a header of a backend, or removes it when `value` is empty. */
  async set(backend: string, header: string, value: string): Promise<void> {
    const next: HeadersByBackend = { ...this.headers, [backend]: { ...this.headers[backend] } };
    if (value) next[backend][header] = value;
    else delete next[backend][header];
    await this.secrets.store(SECRET_KEY, JSON.stringify(next));
    this.headers = next;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
