#!/usr/bin/env node
// CI gate on what users install: packs every published package (as `pnpm publish` would, publishConfig
// applied) into a temporary directory and runs on each tarball
//   - publint: package.json fields against the files really packed (exports, types, bin, files);
//   - attw (@arethetypeswrong/cli): every entry point resolves, with types, in all four TypeScript
//     resolution modes: node10, node16 from CommonJS, node16 from ESM, and bundler (profile "strict").
// Any publint message (error, warning or suggestion) and any attw problem fails the run. None is waived
// today; an exception would go in PUBLINT_EXPLAINED below with the reason it is right.
// Explained outputs: attw prints "This package does not contain types" for @identity-model/cli and exits 0:
// the cli exports no library (only its bin and ./package.json), so there are no types to resolve.
// Run after `pnpm build`. Usage: node scripts/check-packages.mjs
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { packPackage, publishedPackages, root } from './pack-packages.mjs';

const run = promisify(execFile);
// attw's bin, found through its package.json, so it runs with this Node (no shell, no PATH lookup).
const attwManifest = fileURLToPath(import.meta.resolve('@arethetypeswrong/cli/package.json'));
const attw = join(dirname(attwManifest), JSON.parse(readFileSync(attwManifest, 'utf8')).bin.attw);

/** publint message codes accepted, per package name, each with why. Empty: nothing is waived. */
const PUBLINT_EXPLAINED = {};

async function checkPublint(pkg, tarball) {
  const buffer = readFileSync(tarball);
  const tarballBytes = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const { messages, pkg: manifest } = await publint({
    pack: { tarball: tarballBytes },
    level: 'suggestion',
    strict: true,
  });
  const waived = PUBLINT_EXPLAINED[pkg.name] ?? {};
  const problems = messages.filter((m) => !(m.code in waived));
  for (const m of messages) {
    const note = m.code in waived ? ` (accepted: ${waived[m.code]})` : '';
    console.log(`  publint ${m.type}: ${formatMessage(m, manifest, { color: false })}${note}`);
  }
  if (messages.length === 0) console.log('  publint: no errors, warnings or suggestions');
  return problems.length === 0;
}

async function checkAttw(tarball) {
  // Exit code 1 on any problem in any resolution mode; the table is printed either way.
  const result = await run(
    process.execPath,
    [attw, tarball, '--profile', 'strict', '--format', 'table', '--no-emoji', '--no-color'],
    {
      cwd: root,
    },
  ).then(
    ({ stdout }) => ({ ok: true, stdout }),
    (err) => ({ ok: false, stdout: `${err.stdout ?? ''}${err.stderr ?? ''}` }),
  );
  console.log(result.stdout.replace(/^/gm, '  '));
  return result.ok;
}

const destination = mkdtempSync(join(tmpdir(), 'im-check-packages-'));
const failed = [];
try {
  for (const pkg of publishedPackages()) {
    console.log(`\n${pkg.name}`);
    const tarball = await packPackage(pkg, destination);
    const publintOk = await checkPublint(pkg, tarball);
    const attwOk = await checkAttw(tarball);
    if (!publintOk) failed.push(`${pkg.name}: publint`);
    if (!attwOk) failed.push(`${pkg.name}: attw`);
  }
} finally {
  rmSync(destination, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`\ncheck-packages: failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\ncheck-packages: every package passes publint and attw');
