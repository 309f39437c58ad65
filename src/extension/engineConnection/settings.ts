// The extension's settings, read into what the engine takes. Every setting applies without a
// window reload: the engine is sent the new values (followSettingChanges).
import * as vscode from 'vscode';
import type { EngineSettings } from '../../shared/engineProtocol';
import { DEFAULT_REDACTIONS } from '../../shared/redaction';
import type { BackendConfig } from '../../shared/backends';

export const SECTION = 'aiTraceInspector';

/**
 * `backendHeaders` gives each backend's headers from SecretStorage (engineConnection/backendSecrets.ts);
 * headers written into the settings themselves are not read: a secret does not belong there.
 */
export function readEngineSettings(defaultStoreDir: string, backendHeaders?: (backend: string) => Record<string, string> | undefined): EngineSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const storeLocation = c.get<string>('store.location', '').trim();
  return {
    host: c.get<string>('receiver.host', '127.0.0.1'),
    httpPort: c.get<number>('receiver.httpPort', 4318),
    grpcPort: c.get<boolean>('receiver.grpcEnabled', true) ? c.get<number>('receiver.grpcPort', 4317) : null,
    storeDir: c.get<boolean>('store.enabled', true) ? storeLocation || defaultStoreDir : undefined,
    maxSpans: c.get<number>('memory.maxSpans', 1_000_000),
    maxMemoryMb: c.get<number>('memory.maxMegabytes', 0),
    slowMs: slowThresholdMs(),
    retention: {
      normalDays: c.get<number>('retention.normalDays', 7),
      slowDays: c.get<number>('retention.slowDays', 30),
      errorDays: c.get<number>('retention.errorDays', 90),
      maxBytes: c.get<number>('retention.maxMegabytes', 2048) * 1024 * 1024,
      sampleNormal: c.get<number>('retention.sampleNormalPercent', 100) / 100,
    },
    priceOverrides: c.get<EngineSettings['priceOverrides']>('prices', {}),
    contextLimits: c.get<Record<string, number>>('contextLimits', {}),
    watch: {
      roots: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      globs: c.get<string[]>('watch.globs', []),
    },
    pathMappings: pathMappings(),
    redaction: c.get<boolean>('redaction.enabled', true)
      ? [...DEFAULT_REDACTIONS, ...c.get<{ name: string; pattern: string }[]>('redaction.patterns', []).filter((p) => p?.name && p.pattern)]
      : undefined,
    forward: c.get<string[]>('receiver.forward', []).filter((url) => typeof url === 'string' && url.trim()),
    backends: configuredBackends().map((b) => {
      const headers = backendHeaders?.(b.name);
      return headers ? { ...b, headers } : b;
    }),
    detectors: {
      loopRepeats: c.get<number>('detectors.loopRepeats', 5),
      weakRetrievalScore: c.get<number>('detectors.weakRetrievalScore', 0.5),
      contextTokenLimit: c.get<number>('detectors.contextTokenLimit', 0),
      medianFactor: c.get<number>('detectors.medianFactor', 3),
      cascadeDepth: c.get<number>('detectors.cascadeDepth', 3),
    },
  };
}

/** The aiTraceInspector.backends setting, without any `headers` (those come from SecretStorage). */
export function configuredBackends(): BackendConfig[] {
  const list = vscode.workspace.getConfiguration(SECTION).get<unknown[]>('backends', []);
  return (Array.isArray(list) ? list : []).filter((b): b is BackendConfig => !!b && typeof b === 'object'
    && typeof (b as BackendConfig).name === 'string' && typeof (b as BackendConfig).url === 'string')
    .map(({ headers: _ignored, ...backend }) => backend);
}

/** The code.pathMappings setting, `${workspaceFolder}` meaning the first workspace folder. */
export function pathMappings(): Record<string, string> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const mappings = vscode.workspace.getConfiguration(SECTION).get<Record<string, string>>('code.pathMappings', {});
  return Object.fromEntries(Object.entries(mappings).map(([from, to]) => [from, to.replace('${workspaceFolder}', folder)]));
}

export function slowThresholdMs(): number {
  return vscode.workspace.getConfiguration(SECTION).get<number>('slowThresholdMs', 2000);
}

/** Sends the engine its settings again whenever they or the workspace folders change. */
export function followSettingChanges(
  engine: { updateSettings(settings: EngineSettings): Promise<unknown> },
  settings: () => EngineSettings,
  on: { changed(): void; applied(): void; failed(error: Error): void },
): vscode.Disposable[] {
  const apply = () => void engine.updateSettings(settings()).then(on.applied, on.failed);
  return [
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      on.changed();
      apply();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(apply),
  ];
}
