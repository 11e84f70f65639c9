import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readmeSnippet } from '../../packages/testing/test/readme-snippets.js';

// The "done when": a project outside the workspace installs the packed tarballs with npm, and the
// Express test from the @identity-model/testing README passes there, with no TypeScript, no source
// condition and no workspace links.
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKED = ['core', 'express', 'testing'];

/** Where the registry is and how to reach it: the only npm settings passed on. */
const REGISTRY_SETTINGS = /^npm_config_(registry|userconfig|cafile|strict_ssl|https?_proxy|proxy|noproxy)$/i;

/** The environment without what pnpm, tsx and the outer test runner put in it. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (REGISTRY_SETTINGS.test(name) || !/^(npm_|NODE_OPTIONS$|NODE_TEST_CONTEXT$|PNPM_)/i.test(name)) {
      env[name] = value;
    }
  }
  return env;
}

test('a scratch project installs the packed testing and express tarballs with npm and the README test passes', {
  timeout: 180_000,
}, async () => {
  for (const pkg of PACKED) {
    assert.ok(
      existsSync(join(root, 'packages', pkg, 'dist', 'index.js')),
      `packages/${pkg}/dist missing: run pnpm build`,
    );
  }
  const scratch = mkdtempSync(join(tmpdir(), 'im-testing-scratch-'));
  try {
    const env = cleanEnv();
    await Promise.all(
      PACKED.map((pkg) =>
        run('pnpm', ['pack', '--pack-destination', scratch], { cwd: join(root, 'packages', pkg), env }),
      ),
    );
    const tarballs = readdirSync(scratch).filter((name) => name.endsWith('.tgz'));
    assert.equal(tarballs.length, PACKED.length, `packed: ${tarballs.join(', ')}`);
    const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const dependencies: Record<string, string> = { express: rootManifest.devDependencies.express! };
    for (const tarball of tarballs) {
      const pkg = PACKED.find((name) => tarball.startsWith(`identity-model-${name}-`))!;
      dependencies[`@identity-model/${pkg}`] = `file:./${tarball}`;
    }
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'scratch-api', private: true, type: 'module', dependencies }, null, 2),
    );
    writeFileSync(join(scratch, 'orders.test.js'), readmeSnippet('express'));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: scratch,
      env,
      timeout: 150_000,
    }).catch((err: { stderr?: string }) => assert.fail(`npm install failed:\n${err.stderr ?? String(err)}`));

    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', 'orders.test.js'], {
      cwd: scratch,
      env,
      timeout: 60_000,
    }).catch((err: { stdout?: string; stderr?: string }) =>
      assert.fail(`the README test failed in the scratch project:\n${err.stdout ?? ''}\n${err.stderr ?? ''}`),
    );
    assert.match(stdout, /^# pass 2$/m);
    assert.match(stdout, /^# fail 0$/m);
    // What ran is the published build, not a link into the workspace.
    assert.ok(!existsSync(join(scratch, 'node_modules', '@identity-model', 'testing', 'src')));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
