import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// scripts/coverage-report.mjs is what makes CI fail when a package's coverage drops: these run it on lcov
// files written here, as CI runs it on the one the Node 22 test run writes.
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const report = join(root, 'scripts', 'coverage-report.mjs');
// cli has no floor (its tests run the built bin in child processes): it is left out here.
const PACKAGES = readdirSync(join(root, 'packages')).filter((pkg) => pkg !== 'cli');

interface Entry {
  file: string;
  lines: [hit: number, found: number];
  branches: [hit: number, found: number];
}

const lcov = (entries: Entry[]): string =>
  entries
    .map(
      ({ file, lines, branches }) =>
        `TN:\nSF:${file}\nLH:${lines[0]}\nLF:${lines[1]}\nBRH:${branches[0]}\nBRF:${branches[1]}\nend_of_record\n`,
    )
    .join('');

const full = (pkg: string): Entry => ({
  file: `packages/${pkg}/src/index.ts`,
  lines: [100, 100],
  branches: [10, 10],
});

async function runReport(entries: Entry[]): Promise<{ code: number; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'im-coverage-'));
  try {
    const file = join(dir, 'coverage.lcov');
    writeFileSync(file, lcov(entries));
    const { stdout } = await run(process.execPath, [report, file], {
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    return { code: 0, stdout };
  } catch (err) {
    const { code, stdout } = err as { code: number; stdout: string };
    return { code, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('coverage floors (scripts/coverage-report.mjs)', () => {
  test('every package fully covered: the report passes and prints a row per package', async () => {
    const { code, stdout } = await runReport(PACKAGES.map(full));
    assert.equal(code, 0, stdout);
    for (const pkg of PACKAGES) assert.match(stdout, new RegExp(`^${pkg} +100\\.0 %`, 'm'));
    assert.match(stdout, /every package meets its floor/);
  });

  test('core with its branches uncovered falls under its floor: the report fails naming core', async () => {
    const entries = PACKAGES.map(full);
    entries.push({ file: 'packages/core/src/untested.ts', lines: [100, 100], branches: [0, 1000] });
    const { code, stdout } = await runReport(entries);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^core .*FAIL: branches under the floor/m);
    assert.match(stdout, /0\.0 % {2}packages\/core\/src\/untested\.ts \(0\/1000 branches\)/);
  });

  test('lines uncovered fail as branches do', async () => {
    const entries = PACKAGES.map(full);
    entries.push({ file: 'packages/express/src/untested.ts', lines: [0, 10_000], branches: [0, 0] });
    const { code, stdout } = await runReport(entries);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^express .*FAIL: lines under the floor/m);
  });

  test('a package whose sources no test loaded fails instead of counting as covered', async () => {
    const { code, stdout } = await runReport(PACKAGES.filter((pkg) => pkg !== 'koa').map(full));
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^koa .*FAIL: no coverage/m);
  });
});
