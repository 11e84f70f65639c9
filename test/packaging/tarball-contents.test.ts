import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { packPackage, publishedPackages } from '../../scripts/pack-packages.mjs';

// What `pnpm publish` would upload, read from the real tarballs: the built dist/ and the package's
// documents, nothing from tests or sources, and a package.json that a consumer resolves without our
// development-only `@identity-model/source` condition (it points at ./src/index.ts, which is not shipped).
const run = promisify(execFile);

/** Everything a tarball may hold, under its `package/` folder. */
const SHIPPED =
  /^package\/(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/[\w.-]+\.(js|cjs|d\.ts|d\.cts))$/;
const REQUIRED = ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/CHANGELOG.md'];

interface Packed {
  entries: string[];
  manifest: Record<string, unknown>;
  files: Map<string, string>;
}

async function readTarball(tarball: string): Promise<Packed> {
  const { stdout: listing } = await run('tar', ['-tzf', tarball]);
  const entries = listing.split('\n').filter(Boolean).sort();
  const files = new Map<string, string>();
  for (const entry of entries.filter((e) => /\.(js|cjs|json)$/.test(e))) {
    const { stdout } = await run('tar', ['-xzOf', tarball, entry], { maxBuffer: 16 * 1024 * 1024 });
    files.set(entry, stdout);
  }
  const manifest = JSON.parse(files.get('package/package.json') ?? '{}') as Record<string, unknown>;
  return { entries, manifest, files };
}

/** Every file path a manifest field points a consumer at: main, module, types, bin, exports leaves. */
function pointedAt(manifest: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') paths.push(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) walk(v);
  };
  for (const field of ['main', 'module', 'types', 'bin', 'exports']) walk(manifest[field]);
  return paths.map((p) => `package/${p.replace(/^\.\//, '')}`);
}

const destination = mkdtempSync(join(tmpdir(), 'im-tarball-contents-'));
const packed = new Map<string, Packed>();

describe('packaging: what each tarball ships', () => {
  before(async () => {
    for (const pkg of publishedPackages())
      packed.set(pkg.name, await readTarball(await packPackage(pkg, destination)));
  });
  after(() => rmSync(destination, { recursive: true, force: true }));

  for (const { name } of publishedPackages()) {
    test(`${name}: sources, tests, configs and source maps do not ship, only dist and documents`, () => {
      const { entries } = packed.get(name)!;
      const stray = entries.filter((e) => !SHIPPED.test(e));
      assert.deepEqual(stray, [], `${name} would publish ${stray.join(', ')}`);
      for (const file of REQUIRED) assert.ok(entries.includes(file), `${name} is missing ${file}`);
    });

    test(`${name}: no built file embeds or links a source map (sourcesContent would leak the sources)`, () => {
      for (const [entry, text] of packed.get(name)!.files) {
        assert.doesNotMatch(text, /sourceMappingURL=|sourcesContent/, `${entry} carries a source map`);
      }
    });

    test(`${name}: the packed package.json has no @identity-model/source condition, and every path it names ships`, () => {
      const { manifest, entries } = packed.get(name)!;
      assert.doesNotMatch(JSON.stringify(manifest), /@identity-model\/source|\.\/src\//);
      for (const path of pointedAt(manifest))
        assert.ok(entries.includes(path), `${name} points at ${path}, not packed`);
      assert.equal(manifest.sideEffects, false);
      assert.deepEqual(manifest.publishConfig, { access: 'public', provenance: true });
      for (const field of ['repository', 'keywords', 'engines', 'license', 'description']) {
        assert.ok(manifest[field], `${name} has no ${field}`);
      }
    });
  }
});
