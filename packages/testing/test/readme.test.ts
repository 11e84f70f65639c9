import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readmeSnippet } from './readme-snippets.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));

// The README's tests, run exactly as written (ESM JavaScript, node:test), against the workspace sources.
describe('the README snippets are complete, short and pass', { concurrency: true }, () => {
  for (const name of ['express', 'fastify'] as const) {
    test(`the ${name} test from the README passes as it stands, in under 30 lines`, async () => {
      const code = readmeSnippet(name);
      assert.ok(code.trimEnd().split('\n').length < 30, `the ${name} snippet has 30 lines or more`);
      const { stdout } = await run(
        process.execPath,
        // TAP on every Node line: Node 24's default reporter for a non-TTY is spec, not TAP.
        [
          '--conditions=@identity-model/source',
          '--import',
          'tsx',
          '--test-reporter=tap',
          '--input-type=module',
          '--eval',
          code,
        ],
        { cwd: root, env: { ...process.env, NODE_OPTIONS: '', NODE_TEST_CONTEXT: '' }, timeout: 30_000 },
      ).catch((err: { stdout?: string; stderr?: string }) =>
        assert.fail(`the ${name} snippet failed:\n${err.stdout ?? ''}\n${err.stderr ?? String(err)}`),
      );
      assert.match(stdout, /^# pass 2$/m);
      assert.match(stdout, /^# fail 0$/m);
    });
  }
});
