#!/usr/bin/env node
// The pack smoke matrix (run once by .ci/run, after the build): `pnpm pack` every package into a
// directory outside the repository, install the tarballs with npm into one scratch app per framework
// version (test/packaging/smoke/frameworks.mjs), type-check each app's ESM and CommonJS entry in
// TypeScript's node16 and bundler modes, and run both against @identity-model/testing's issuer:
// a valid token must get 200, no token 401. Exits 1 if any cell fails. Usage: node scripts/pack-smoke.mjs
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { appSource, FRAMEWORKS, SYSTEMS, TSCONFIGS } from '../test/packaging/smoke/frameworks.mjs';
import { packPackage, publishedPackages } from './pack-packages.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const started = Date.now();

/** Where the registry is and how to reach it: the only npm settings passed on. */
const REGISTRY_SETTINGS =
  /^npm_config_(registry|userconfig|cafile|strict_ssl|https?_proxy|proxy|noproxy|cache)$/i;
/** The environment without what pnpm, tsx or a test runner put in it, so npm and node behave as a user's. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => REGISTRY_SETTINGS.test(name) || !/^(npm_|NODE_OPTIONS$|NODE_TEST_CONTEXT$|PNPM_)/i.test(name),
  ),
);

/** What every app prints: the valid token's request answered 200 with its subject, the anonymous one 401. */
const EXPECTED = JSON.stringify({ valid: 200, body: { sub: 'alice' }, anonymous: 401 });
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const output = (err) => `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || String(err);

/** Runs a command; resolves to null on success or to what it printed on failure. */
async function attempt(file, args, cwd, timeout = 180_000) {
  try {
    const { stdout } = await run(file, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, stdout };
  } catch (err) {
    return { ok: false, stdout: output(err) };
  }
}

/** At most `limit` of the tasks at once (the CI machine has 2 cores). */
async function pool(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const scratch = mkdtempSync(join(tmpdir(), 'im-pack-smoke-'));
const packs = join(scratch, 'packs');
mkdirSync(packs);
let failed = 0;
try {
  const packing = Date.now();
  // The same packing as check-packages and the tarball test (it refuses a package that is not built).
  const tarballs = new Map();
  for (const pkg of publishedPackages())
    tarballs.set(basename(pkg.dir), basename(await packPackage(pkg, packs)));
  console.log(`packed ${[...tarballs.values()].join(', ')} in ${seconds(packing)}`);

  const installing = Date.now();
  const installs = await pool(FRAMEWORKS, 3, async (framework) => {
    const dir = join(scratch, framework.name);
    mkdirSync(dir);
    const dependencies = { '@types/node': '^20.19.0', ...framework.dependencies };
    for (const pkg of ['core', 'testing', framework.adapter]) {
      dependencies[`@identity-model/${pkg}`] = `file:${join(packs, tarballs.get(pkg))}`;
    }
    // No "type": the .mts and .cts extensions decide the module system, so one install serves both apps.
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `smoke-${framework.name}`, private: true, dependencies }),
    );
    for (const [system, file] of Object.entries(SYSTEMS)) {
      writeFileSync(join(dir, file), appSource(framework, system));
      for (const [mode, compilerOptions] of Object.entries(TSCONFIGS)) {
        writeFileSync(
          join(dir, `tsconfig.${mode}.${system}.json`),
          JSON.stringify({ compilerOptions, files: [file] }),
        );
      }
    }
    const since = Date.now();
    const npm = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
    return { framework, dir, install: await attempt('npm', npm, dir), time: seconds(since) };
  });
  console.log(`npm installs (${FRAMEWORKS.length} apps, one shared npm cache) in ${seconds(installing)}`);

  const rows = await pool(installs, 2, async ({ framework, dir, install, time }) => {
    const cells = { install: install.ok ? time : install };
    if (install.ok) {
      for (const [system, file] of Object.entries(SYSTEMS)) {
        for (const mode of Object.keys(TSCONFIGS)) {
          const checked = await attempt(
            process.execPath,
            [tsc, '-p', `tsconfig.${mode}.${system}.json`],
            dir,
          );
          cells[`${system} tsc ${mode}`] = checked.ok ? 'ok' : checked;
        }
        // What node16 emitted (app.mts -> dist/app.mjs, app.cts -> dist/app.cjs) is what runs.
        const emitted = join('dist', file.replace(/\.(m|c)ts$/, '.$1js'));
        const ran = existsSync(join(dir, emitted))
          ? await attempt(process.execPath, [emitted], dir, 30_000)
          : { ok: false, stdout: `${emitted} was not emitted` };
        cells[`${system} run`] = ran.ok && ran.stdout.trim() === EXPECTED ? '200/401' : ran;
      }
    }
    return { framework, cells };
  });

  for (const { framework, cells } of rows) {
    const line = Object.entries(cells).map(
      ([name, cell]) => `${name}: ${typeof cell === 'string' ? cell : 'FAILED'}`,
    );
    console.log(`${framework.name.padEnd(10)} ${line.join(' | ')}`);
    for (const [name, cell] of Object.entries(cells)) {
      if (typeof cell === 'string') continue;
      failed++;
      console.log(`  ${framework.name} ${name} failed:\n${cell.stdout.replace(/^/gm, '    ')}`);
    }
  }
} catch (err) {
  failed++;
  console.error(`pack-smoke: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(
  `pack smoke matrix: ${failed === 0 ? 'all cells passed' : `${failed} failed`} in ${seconds(started)}`,
);
process.exit(failed === 0 ? 0 : 1);
