import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Proves every package works as published: from ESM `import` and CommonJS `require`, resolved
// through the package `exports` to the built `dist/` (children run without the source condition),
// with type declarations for both module systems.
const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

const packages: Record<string, string[]> = {
  core: [
    'createHttpClient',
    'getDiscoveryDocument',
    'DiscoveryCache',
    'getJwks',
    'RemoteKeySet',
    'createTokenValidator',
    'validateToken',
    'toPrincipal',
    'requestClientCredentialsToken',
    'ClientCredentialsTokenManager',
    'createAuthenticatedFetch',
    'authenticateBearer',
    'JwtClaimTypes',
    'OidcConstants',
    'IdentityModelError',
    'TokenValidationError',
    'createDPoPProof',
    'generateDPoPKey',
    'computeAth',
    'jwkThumbprint',
  ],
  express: ['requireToken', 'requireScopes'],
  fastify: ['oidcAuth'],
  koa: ['requireToken', 'requireScopes'],
  redis: ['RedisCacheStore'],
  testing: ['createTestIssuer', 'TestIssuer', 'createDPoPProof', 'generateDPoPKey'],
};

async function exportNames(pkg: string, mode: 'import' | 'require'): Promise<string[]> {
  const name = JSON.stringify(`@identity-model/${pkg}`);
  const script =
    mode === 'require'
      ? `console.log(JSON.stringify(Object.keys(require(${name})).sort()))`
      : `import(${name}).then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort())))`;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout) as string[];
}

describe('packaging: the built packages as users install them', { concurrency: true }, () => {
  for (const [pkg, expected] of Object.entries(packages)) {
    test(`@identity-model/${pkg} loads from ESM and CommonJS with the same exports`, async () => {
      const dist = join(root, 'packages', pkg, 'dist');
      for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
        assert.ok(existsSync(join(dist, file)), `${pkg}/dist/${file} missing: run pnpm build`);
      }
      const [esm, cjs] = await Promise.all([exportNames(pkg, 'import'), exportNames(pkg, 'require')]);
      assert.deepEqual(esm, cjs);
      for (const name of expected) assert.ok(esm.includes(name), `${pkg} does not export ${name}`);
    });
  }

  // @identity-model/cli exports no library: what it publishes is its bin, which must run from dist.
  test('@identity-model/cli: its bin is a built, executable script that runs without the sources', async () => {
    const cliRoot = join(root, 'packages', 'cli');
    const { bin, version } = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      version: string;
    };
    const script = join(cliRoot, bin['identity-model']!);
    assert.ok(existsSync(script), `cli/${bin['identity-model']} missing: run pnpm build`);
    assert.ok(readFileSync(script, 'utf8').startsWith('#!/usr/bin/env node\n'), 'the bin needs a shebang');
    const { stdout } = await run(process.execPath, [script, '--version'], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(stdout.trim(), version);
  });

  // One program per module system: a real project loads either the ESM or the CommonJS declarations.
  for (const system of ['esm', 'cjs']) {
    test(`type declarations compile for a ${system === 'esm' ? 'ESM' : 'CommonJS'} consumer`, async () => {
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const project = join(root, 'test', 'packaging', 'consumer', `tsconfig.${system}.json`);
      await run(process.execPath, [tsc, '-p', project], { cwd: root }).catch((err: { stdout?: string }) => {
        assert.fail(`tsc failed:\n${err.stdout ?? String(err)}`);
      });
    });
  }
});
