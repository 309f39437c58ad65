// package.json's contributions against the ids in src/shared/commands.ts: a command the code
// registers but the manifest does not contribute (or the reverse), a menu, keybinding or welcome
// link to an unknown command, or a `when` clause naming an unknown context key fails here
// instead of silently doing nothing in the editor.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { COMMANDS, CONTEXT_KEYS, VIEWS } from '../../src/shared/commands';
import { TRACE_VIEW_TYPE } from '../../src/shared/webviewProtocol';

const ROOT = join(__dirname, '..', '..');

interface Manifest {
  activationEvents?: string[];
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    keybindings?: { command: string; when?: string }[];
    views: Record<string, { id: string }[]>;
    viewsWelcome: { view: string; when?: string; contents: string }[];
  };
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const known = new Set<string>(Object.values(COMMANDS));
const ids = (text: string | undefined) => text?.match(/\baiTraceInspector\.[\w.]+/g) ?? [];

/** The source files (not fixtures) where an id could be typed as a literal. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(name) ? [path] : [];
  });
}

describe('package.json contributions and src/shared/commands.ts', () => {
  const { contributes } = manifest;

  it('contributes every command constant, and only those', () => {
    const contributed = contributes.commands.map((c) => c.command);
    assert.equal(new Set(contributed).size, contributed.length, 'no command contributed twice');
    assert.deepEqual([...contributed].sort(), [...known].sort());
  });

  it('points every menu item, keybinding and welcome link at a known command', () => {
    const menuItems = Object.entries(contributes.menus).flatMap(([menu, items]) => items.map((item) => ({ where: menu, command: item.command })));
    const keybindings = (contributes.keybindings ?? []).map((k) => ({ where: 'keybindings', command: k.command }));
    const links = contributes.viewsWelcome.flatMap((welcome) =>
      [...welcome.contents.matchAll(/\(command:([^?)]+)/g)].map((m) => ({ where: `viewsWelcome of ${welcome.view}`, command: m[1] })));
    assert.ok(menuItems.length > 10 && links.length > 4, 'the manifest was read');
    const unknown = [...menuItems, ...keybindings, ...links].filter((item) => !known.has(item.command));
    assert.deepEqual(unknown, []);
  });

  it('names only known views and context keys in when clauses, and the views the code creates', () => {
    const views = Object.values(contributes.views).flat().map((v) => v.id);
    assert.deepEqual(views.sort(), Object.values(VIEWS).sort());
    const whenClauses = [
      ...Object.values(contributes.menus).flat().map((item) => item.when),
      ...(contributes.keybindings ?? []).map((k) => k.when),
      ...contributes.viewsWelcome.map((w) => w.when),
    ];
    const allowed = new Set<string>([...Object.values(CONTEXT_KEYS), ...Object.values(VIEWS)]);
    assert.deepEqual(whenClauses.flatMap(ids).filter((id) => !allowed.has(id)), []);
    assert.ok(contributes.viewsWelcome.every((w) => views.includes(w.view)));
    assert.ok(manifest.activationEvents?.includes(`onWebviewPanel:${TRACE_VIEW_TYPE}`), 'the trace view revives after a reload');
  });

  it('keeps command ids out of the code as literals: everything imports src/shared/commands.ts', () => {
    const home = join(ROOT, 'src', 'shared', 'commands.ts');
    const literals = ['src', 'webview', 'test', 'bench'].flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .filter((file) => file !== home && file !== __filename)
      .flatMap((file) => ids(readFileSync(file, 'utf8')).filter((id) => known.has(id)).map((id) => `${relative(ROOT, file)}: ${id}`));
    assert.deepEqual(literals, []);
  });
});
