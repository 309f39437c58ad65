// Saved filters (the setting aiTraceInspector.savedFilters): named filters to apply to the tree
// in two clicks, such as hiding health checks and framework noise. The current filter can be
// saved under a name from the same pick.
import * as vscode from 'vscode';
import { SECTION } from '../engineConnection/settings';

interface SavedFilter {
  name: string;
  filter: string;
}

/** The filter text to apply ('' clears), or undefined when the user cancels. */
export async function pickSavedFilter(current: string): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const saved = config.get<SavedFilter[]>('savedFilters', []).filter((f) => f?.name && typeof f.filter === 'string');
  type Item = vscode.QuickPickItem & { filter?: string; save?: true };
  const items: Item[] = saved.map((f) => ({ label: f.name, detail: f.filter, filter: f.filter, picked: f.filter === current }));
  if (current) items.push({ label: '$(save) Save the current filter…', detail: current, save: true });
  items.push({ label: '$(clear-all) No filter', filter: '' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Apply a Saved Filter', matchOnDetail: true });
  if (!picked) return undefined;
  if (!picked.save) return picked.filter;
  const name = await vscode.window.showInputBox({ title: 'Save Filter', prompt: `A name for: ${current}`, validateInput: (v) => (v.trim() ? undefined : 'Give it a name') });
  if (!name) return undefined;
  await config.update('savedFilters', [...saved.filter((f) => f.name !== name.trim()), { name: name.trim(), filter: current }], vscode.ConfigurationTarget.Global);
  return current;
}
