#!/usr/bin/env node
// Runs every test file with node:test, TypeScript through tsx, packages resolved to their
// sources (the `@identity-model/source` export condition) so no build is needed to test.
// Usage: node scripts/run-tests.mjs [path-or-substring ...]
// TEST_COVERAGE=<file.lcov> also writes line and branch coverage of packages/*/src (Node 22+, mapped to the
// TypeScript sources) to that file; scripts/coverage-report.mjs prints it per package and enforces the floors.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const filters = process.argv.slice(2);
const all = [
  ...readdirSync(join(root, 'packages')).flatMap((p) => findTests(join(root, 'packages', p, 'test'))),
  ...findTests(join(root, 'test')),
].sort();
const files = filters.length ? all.filter((f) => filters.some((x) => f.includes(x))) : all;
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const coverageFile = process.env.TEST_COVERAGE;
if (coverageFile && Number(process.versions.node.split('.')[0]) < 22) {
  console.error(
    `TEST_COVERAGE needs Node 22 or later (--test-coverage-include); this is Node ${process.version}`,
  );
  process.exit(1);
}
const coverageArgs = coverageFile
  ? [
      '--enable-source-maps',
      '--experimental-test-coverage',
      '--test-coverage-include=packages/*/src/**',
      '--test-reporter=lcov',
      `--test-reporter-destination=${coverageFile}`,
    ]
  : [];

const countDir = mkdtempSync(join(tmpdir(), 'im-test-'));
const countFile = join(countDir, 'count.txt');
const args = [
  '--conditions=@identity-model/source',
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
  // A hung test (a child process left running, a server that never answers) fails after 5 minutes instead
  // of holding the whole run until CI's limit.
  `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 300000}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts/count-reporter.mjs')}`,
  `--test-reporter-destination=${countFile}`,
  ...coverageArgs,
  ...files,
];
const child = spawn(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
child.on('exit', (code, signal) => {
  let lines = [];
  try {
    lines = readFileSync(countFile, 'utf8').trim().split('\n').filter(Boolean);
  } catch {}
  rmSync(countDir, { recursive: true, force: true });
  const exitCode = signal ? 1 : (code ?? 1);
  // The reporter's last line is the count; lines before it (skipped provider tests) are printed first.
  let summary = lines.pop();
  // The runner's own exit code also catches failures no test reported (a file that crashed on load).
  if (!summary) summary = `0 passed, ${exitCode === 0 ? 0 : 1} failed`;
  else if (exitCode !== 0 && / 0 failed/.test(summary)) summary = summary.replace(' 0 failed', ' 1 failed');
  for (const line of lines) console.log(line);
  console.log(summary);
  process.exit(exitCode);
});
