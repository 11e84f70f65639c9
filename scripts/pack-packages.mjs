// Packs every published workspace package with `pnpm pack` (so `publishConfig` overrides apply exactly
// as on `pnpm publish`) into a directory, and returns where each tarball is.
// Shared by scripts/check-packages.mjs and test/packaging/tarball-contents.test.ts.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = fileURLToPath(new URL('..', import.meta.url));

/** The packages/* directories whose package.json is not private, with their names. */
export function publishedPackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'package.json')))
    .map((name) => ({
      dir: join(dir, name),
      manifest: JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * `pnpm pack`s one package into `destination` and returns the tarball's path. The package must be
 * built: `files` ships dist/, and a missing dist/ would pack a tarball with nothing to check.
 */
export async function packPackage(pkg, destination) {
  if (!existsSync(join(pkg.dir, 'dist'))) throw new Error(`${pkg.name}: no dist/ (run pnpm build first)`);
  // Without the variables of an outer pnpm or npm run, which would change what pnpm pack reads.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)));
  const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkg.dir,
    env,
  });
  const { filename } = JSON.parse(stdout);
  return filename.startsWith('/') ? filename : join(destination, filename);
}
