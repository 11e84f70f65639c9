/**
 * Done when "the CLI's commands run from the packed tarball against the dev IdP": core and cli are packed
 * with pnpm (workspace:* becomes a version), installed with npm into a scratch project outside the
 * repository, and run through npx there, as a user would after `npm install @identity-model/cli`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type DevIdp, startDevIdp } from '../../../examples/dev-idp/dev-idp.js';
import {
  assertExpiresIn,
  CLI_ROOT,
  type CliOptions,
  ensureBuilt,
  minutesLeftAround,
  REPO_ROOT,
  runCli,
} from './support/cli.js';

const exec = promisify(execFile);
let scratch: string;
let idp: DevIdp;

const quiet = { env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 };

before(async () => {
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), 'identity-model-cli-packed-'));
  const tarballs = join(scratch, 'tarballs');
  for (const dir of [join(REPO_ROOT, 'packages', 'core'), CLI_ROOT]) {
    await exec('pnpm', ['pack', '--pack-destination', tarballs], { ...quiet, cwd: dir });
  }
  const project = join(scratch, 'project');
  await exec('mkdir', ['-p', project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  assert.equal(files.length, 2, `expected two tarballs, got ${files.join(', ')}`);
  await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files], {
    ...quiet,
    cwd: project,
  });
  idp = await startDevIdp();
});
after(async () => {
  await idp?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `npx --no identity-model …` in the scratch project: the installed bin, never a download. */
function npx(args: string[], options: Omit<CliOptions, 'command'> = {}) {
  return runCli(args, {
    ...options,
    command: { file: 'npx', args: ['--no', 'identity-model'], cwd: join(scratch, 'project') },
  });
}

describe('the packed @identity-model/cli, installed with npm', { timeout: 180_000 }, () => {
  test('npx identity-model discover <dev IdP>: accepted', async () => {
    const run = await npx(['discover', idp.issuer]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /accepted by the default DiscoveryPolicy/);
  });

  test('npx identity-model token --raw, then decode and validate that token', async () => {
    const token = await npx(
      ['token', '--issuer', idp.issuer, '--client-id', idp.clientId, '--scope', 'read', '--raw'],
      {
        env: { IDENTITY_MODEL_CLIENT_SECRET: idp.clientSecret },
      },
    );
    assert.equal(token.code, 0, token.stdout + token.stderr);
    const accessToken = token.stdout.trim();
    const [decoded, minutes] = await minutesLeftAround(accessToken, () => npx(['decode', accessToken]));
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.match(decoded.stdout, /NOT VERIFIED/);
    assert.match(decoded.stdout, new RegExp(`client_id\\s+${idp.clientId}`));
    assertExpiresIn(decoded.stdout, minutes);
    const valid = await npx(['validate', accessToken, '--issuer', idp.issuer, '--audience', idp.audience]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
  });
});
