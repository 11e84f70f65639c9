/**
 * What happens when a provider cannot run: off CI its tests are skipped and the summary says how many and
 * how to install it; under CI=true they fail; a start that goes wrong says why, within its time bound.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchServer, ProviderStartError, runSetupCommand } from '../support/provider-process.js';
import { skipFor } from '../support/providers-available.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  // Without NODE_TEST_CONTEXT the nested runner reports as a top-level one, not to this test process.
  const { NODE_TEST_CONTEXT: _context, ...clean } = env;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** The env of a machine without glewlwyd: nothing on PATH (the runner spawns node by absolute path). */
function withoutGlewlwyd(ci: boolean): NodeJS.ProcessEnv {
  const { CI: _ci, ...env } = process.env;
  return { ...env, PATH: mkdtempSync(join(tmpdir(), 'im-empty-path-')), ...(ci ? { CI: 'true' } : {}) };
}

describe('a provider that is not installed', () => {
  test('off CI: its tests are skipped and the summary counts them with the install command', async () => {
    const env = withoutGlewlwyd(false);
    const { code, out } = await run(['scripts/run-tests.mjs', 'test/providers/glewlwyd-fixture'], env);
    rmSync(env.PATH as string, { recursive: true, force: true });
    const lines = out.trim().split('\n');
    assert.equal(code, 0, out);
    assert.match(lines.at(-1) ?? '', /^0 passed, 0 failed, (\d+) skipped$/);
    const skipped = /, (\d+) skipped$/.exec(lines.at(-1) ?? '')?.[1];
    assert.equal(
      lines.at(-2),
      `provider tests skipped: ${skipped} (glewlwyd not installed); install with: apt-get install -y glewlwyd`,
    );
  });

  test('under CI=true: its tests fail, never skip, and the failure names the install command', async () => {
    const env = withoutGlewlwyd(true);
    const { code, out } = await run(['scripts/run-tests.mjs', 'test/providers/glewlwyd-fixture'], env);
    rmSync(env.PATH as string, { recursive: true, force: true });
    assert.notEqual(code, 0);
    assert.match(out.trim().split('\n').at(-1) ?? '', /^0 passed, [1-9]\d* failed$/);
    assert.match(
      out,
      /glewlwyd cannot start: the glewlwyd binary is not on PATH; install it with `apt-get install -y glewlwyd`/,
    );
  });

  test('the reporter groups several missing providers into one install command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'im-skip-'));
    const file = join(dir, 'skips.test.mjs');
    const gw = skipFor('glewlwyd', 'not on PATH', false);
    const dot = skipFor('django-oauth-toolkit', 'no module', false);
    writeFileSync(
      file,
      `import { test } from 'node:test';
test('a', { skip: ${JSON.stringify(gw)} }, () => {});
test('b', { skip: ${JSON.stringify(gw)} }, () => {});
test('c', { skip: ${JSON.stringify(dot)} }, () => {});
test('d', { skip: 'not a provider' }, () => {});
test('e', () => {});
`,
    );
    const { out } = await run(
      ['--test', `--test-reporter=${join(root, 'scripts/count-reporter.mjs')}`, file],
      process.env,
    );
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(out.trim().split('\n'), [
      'provider tests skipped: 3 (glewlwyd, django-oauth-toolkit not installed); install with: apt-get install -y glewlwyd python3-django-oauth-toolkit',
      '1 passed, 0 failed, 4 skipped',
    ]);
  });

  test('under CI nothing is skipped; an installed provider is never skipped', () => {
    assert.equal(skipFor('glewlwyd', 'not on PATH', true), false);
    assert.equal(skipFor('glewlwyd', undefined, false), false);
  });
});

describe('a provider start that goes wrong says why', () => {
  const cwd = tmpdir();
  const node = (code: string) => ['-e', code];

  test('a binary that does not exist: the apt package and its install command', async () => {
    await assert.rejects(
      launchServer({
        provider: 'glewlwyd',
        command: 'glewlwyd-not-installed',
        args: [],
        cwd,
        readyUrl: 'http://127.0.0.1:9/',
        timeoutMs: 5000,
      }),
      (error: Error) =>
        error instanceof ProviderStartError &&
        /not found; install it with `apt-get install -y glewlwyd`/.test(error.message),
    );
  });

  test('a server that dies on start: its exit status and the tail of its output', async () => {
    const started = Date.now();
    await assert.rejects(
      launchServer({
        provider: 'glewlwyd',
        command: process.execPath,
        args: node("console.error('bind: address already in use'); process.exit(3)"),
        cwd,
        readyUrl: 'http://127.0.0.1:9/',
        timeoutMs: 10_000,
      }),
      /glewlwyd start failed within 10000 ms: .* exited \(code 3\)\n--- glewlwyd output \(last lines\) ---\nbind: address already in use/,
    );
    assert.ok(Date.now() - started < 5000, 'a dead server is reported at once, not at the deadline');
  });

  test('a server that never answers is stopped at the time bound', async () => {
    const started = Date.now();
    await assert.rejects(
      launchServer({
        provider: 'django-oauth-toolkit',
        command: process.execPath,
        args: node('setInterval(() => {}, 1000)'),
        cwd,
        readyUrl: 'http://127.0.0.1:9/',
        timeoutMs: 1000,
      }),
      /django-oauth-toolkit start failed within 1000 ms: http:\/\/127\.0\.0\.1:9\/ did not answer/,
    );
    assert.ok(Date.now() - started < 6000);
  });

  test('a failing setup step: which step, and its output', async () => {
    await assert.rejects(
      runSetupCommand({
        provider: 'django-oauth-toolkit',
        step: 'migrate and clients (manage.py shell)',
        command: process.execPath,
        args: node("console.error('no such table: oauth2_provider_application'); process.exit(1)"),
        cwd,
        timeoutMs: 10_000,
      }),
      /migrate and clients \(manage\.py shell\) failed within 10000 ms: .* exited \(code 1\)[\s\S]*no such table/,
    );
  });
});
