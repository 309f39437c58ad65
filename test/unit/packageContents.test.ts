import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

describe('the .vsix', () => {
  it('ships every bundle the build makes but the CLI (the webviews, the engine and its workers)', function () {
    this.timeout(60_000);
    assert.ok(existsSync(join(REPO, 'dist', 'extension.js')), 'dist/ is missing: run npm run build first');
    const built = readdirSync(join(REPO, 'dist')).filter((file) => /\.(js|css)$/.test(file) && file !== 'cli.js').map((file) => `dist/${file}`);
    const shipped = execFileSync(join(REPO, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' }).split('\n');
    assert.deepEqual(built.filter((file) => !shipped.includes(file)), []);
  });
});
