import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The release rules of .changeset/config.json, proved by running `changeset version` on a copy of the
// workspace manifests: packages are versioned independently, and a package whose workspace dependency is
// released is released with it (a patch), with a changelog entry that says why.
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const changesetBin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');

/** A scratch copy of what `changeset version` reads and writes: manifests, changelogs, config. */
function scratchWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'im-changesets-'));
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(dir, file));
  cpSync(join(root, '.changeset', 'config.json'), join(dir, '.changeset', 'config.json'));
  for (const pkg of readdirSync(join(root, 'packages'))) {
    mkdirSync(join(dir, 'packages', pkg), { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md']) {
      cpSync(join(root, 'packages', pkg, file), join(dir, 'packages', pkg, file));
    }
  }
  return dir;
}

function versions(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pkg of readdirSync(join(dir, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(dir, 'packages', pkg, 'package.json'), 'utf8')) as {
      version: string;
    };
    out[pkg] = manifest.version;
  }
  return out;
}

async function releaseWith(changeset: string): Promise<{ dir: string; before: Record<string, string> }> {
  const dir = scratchWorkspace();
  const before = versions(dir);
  writeFileSync(join(dir, '.changeset', 'a-change.md'), changeset);
  await run(process.execPath, [changesetBin, 'version'], { cwd: dir, env: { ...process.env, CI: 'true' } });
  return { dir, before };
}

const bump = (version: string, part: 'minor' | 'patch'): string => {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return part === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
};

describe('releases: changesets versioning', { timeout: 60_000 }, () => {
  test('independent versions: a minor change to one adapter releases that adapter only', async () => {
    const { dir, before } = await releaseWith('---\n"@identity-model/koa": minor\n---\n\nA new guard.\n');
    try {
      const after = versions(dir);
      for (const pkg of Object.keys(before)) {
        assert.equal(after[pkg], pkg === 'koa' ? bump(before.koa!, 'minor') : before[pkg], pkg);
      }
      assert.match(
        readFileSync(join(dir, 'packages/koa/CHANGELOG.md'), 'utf8'),
        /## \d+\.\d+\.\d+\s+### Minor Changes\s+- A new guard\./,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('internal dependencies bumped together: a core patch releases every package that depends on core', async () => {
    const { dir, before } = await releaseWith('---\n"@identity-model/core": patch\n---\n\nA fix.\n');
    try {
      const after = versions(dir);
      for (const pkg of Object.keys(before)) assert.equal(after[pkg], bump(before[pkg]!, 'patch'), pkg);
      const express = readFileSync(join(dir, 'packages/express/CHANGELOG.md'), 'utf8');
      assert.match(
        express,
        new RegExp(`Updated dependencies\\s+- @identity-model/core@${after.core!.replaceAll('.', '\\.')}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
