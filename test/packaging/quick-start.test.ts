import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// .ci/run runs the README's quick start on a bare machine (scripts/bare-machine.sh); this keeps the lines
// it runs what a newcomer with only Node.js and npm can paste: two lines, pnpm only through npx, at the
// version the workspace pins.
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  packageManager: string;
};

function quickStartLines(): string[] {
  const block = /^<!-- quick-start[^\n]*-->\n```sh\n([\s\S]*?)\n```$/m.exec(readme);
  assert.ok(block, 'README.md needs a `<!-- quick-start … -->` marker before the quick start ```sh block');
  return block[1]!.split('\n');
}

test('the README quick start is exactly two lines: install and demo, then the whole suite', () => {
  const lines = quickStartLines();
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, / install --frozen-lockfile && .* demo$/);
  assert.match(lines[1]!, / test$/);
});

test('the quick start needs no pnpm on PATH: every pnpm runs through npx at the pinned version', () => {
  const pinned = `npx --yes ${packageManager}`;
  assert.match(packageManager, /^pnpm@\d+\.\d+\.\d+$/);
  for (const line of quickStartLines()) {
    for (const command of line.split('&&').map((part) => part.trim())) {
      assert.ok(command.startsWith(`${pinned} `), `"${command}" does not start with "${pinned}"`);
    }
  }
});

test('CI installs the same pnpm the quick start runs', () => {
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
  assert.match(
    ci,
    new RegExp(`^PNPM_VERSION=${packageManager.slice('pnpm@'.length).replaceAll('.', '\\.')}$`, 'm'),
  );
  assert.match(ci, /scripts\/bare-machine\.sh "\$bare" 1/);
  assert.match(ci, /scripts\/bare-machine\.sh "\$bare" 2/);
});
