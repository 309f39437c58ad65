// Another window's engine holds the receiver port: this window shows its traces (over its HTTP
// API), and takes over (reloads the shared store, claims the ports) when that window closes.
import * as vscode from 'vscode';
import type { ReceiverStatus } from '../../shared/engineProtocol';
import type { ActiveSource } from './activeSource';
import type { EngineClient } from './engineClient';
import { HttpTraceSource } from './httpTraceSource';
import { resolvePortConflict } from './portConflict';

export class OtherWindowEngine implements vscode.Disposable {
  private attached: HttpTraceSource | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** This window attached to another's engine, or took over from it. */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly engine: EngineClient, private readonly source: ActiveSource, private readonly output: vscode.LogOutputChannel) {
    this.subscription = engine.onDidChangeStatus(async (status: ReceiverStatus) => {
      if (!status.problem?.portInUse || this.attached) return;
      const choice = await resolvePortConflict(status);
      if (choice.action === 'attach') this.attach(choice.port);
    });
  }

  /** What the status bar says while this window shows another's engine. */
  get description(): string | undefined {
    return this.attached?.description;
  }

  get isAttached(): boolean {
    return this.attached !== undefined;
  }

  private attach(port: number): void {
    const other = new HttpTraceSource(port);
    this.attached = other;
    this.source.use(other);
    other.onDidDisconnect(async () => {
      this.output.info(`the engine on port ${port} stopped answering; this window takes over`);
      this.attached = undefined;
      other.dispose();
      this.source.use(this.engine);
      await this.engine.takeOver();
      this.changed.fire();
    });
    this.changed.fire();
  }

  dispose(): void {
    this.attached?.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }
}
