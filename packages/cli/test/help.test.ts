/** `--help`, `--version` and the exit codes as documented, from the built binary. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { CLI_ROOT, ensureBuilt, runCli } from './support/cli.js';

const COMMANDS = ['discover', 'jwks', 'decode', 'validate', 'token', 'introspect'];

before(() => ensureBuilt());

describe('identity-model --help and --version', { concurrency: true }, () => {
  test('--help lists every command and the exit codes 0 to 3', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    for (const name of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${name}\\s+\\S`, 'm'));
    for (const code of ['0  ok', '1  refused', '2  usage', '3  unavailable'])
      assert.ok(run.stdout.includes(code));
    assert.match(run.stdout, /NO_COLOR/);
  });

  test('every command has its own --help, with the exit codes; none shows a secret on argv', async () => {
    for (const name of COMMANDS) {
      const run = await runCli([name, '--help']);
      assert.equal(run.code, 0, name);
      assert.ok(run.stdout.startsWith(`identity-model ${name}`), name);
      assert.match(run.stdout, /Exit codes:/);
      assert.doesNotMatch(
        run.stdout,
        /--client-secret(=| +)(?!argument\b)\S/,
        `${name} --help shows a secret on argv`,
      );
    }
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(CLI_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const run = await runCli(['--version']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout.trim(), version);
  });

  test('no command is exit 2 with the help; an unknown command is exit 2 on stderr', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /Commands:/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});

test('a token that begins with "-" (random base64url) is read as the token, not as an unknown option', async () => {
  const { dashArgumentLast } = await import('../src/run.js');
  assert.deepEqual(dashArgumentLast(['-rAbC', '--issuer', 'x']), ['--issuer', 'x', '--', '-rAbC']);
  assert.deepEqual(dashArgumentLast(['-', '--issuer', 'x']), ['-', '--issuer', 'x']);
  assert.deepEqual(dashArgumentLast(['--issuer', 'x', '-rAbC']), ['--issuer', 'x', '-rAbC']);
});
