/** `identity-model token` and `introspect`: secrets only from the environment or stdin, tokens masked. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OPAQUE_AUDIENCE, startIdp, type TestIdp } from '../../../test/support/idp.js';
import { ensureBuilt, parseJson, runCli } from './support/cli.js';

let idp: TestIdp;

before(async () => {
  ensureBuilt();
  idp = await startIdp();
});
after(() => idp?.close());

const client = () => idp.clients.basic;
const tokenArgs = (...extra: string[]) => [
  'token',
  '--issuer',
  idp.issuer,
  '--client-id',
  client().clientId,
  ...extra,
];
const secretEnv = () => ({ IDENTITY_MODEL_CLIENT_SECRET: client().clientSecret });
const output = (run: { stdout: string; stderr: string }) => run.stdout + run.stderr;

describe('identity-model token', { concurrency: true }, () => {
  test('secret from IDENTITY_MODEL_CLIENT_SECRET: exit 0, the token masked in human output', async () => {
    const run = await runCli(tokenArgs('--scope', 'read'), { env: secretEnv() });
    assert.equal(run.code, 0, output(run));
    assert.match(run.stdout, /token issued/);
    assert.match(run.stdout, /access_token\s+eyJ\S{5}… \(\d+ characters; --raw prints it\)/);
    assert.match(run.stdout, /expires_in\s+300/);
    assert.doesNotMatch(run.stdout, /eyJ[\w-]+\.[\w-]+\./, 'no whole JWT on screen');
    assert.ok(!output(run).includes(client().clientSecret));
  });

  test('--raw prints only the token, and it validates; --json carries access_token', async () => {
    const raw = await runCli(tokenArgs('--raw'), { env: secretEnv() });
    assert.equal(raw.code, 0, output(raw));
    const token = raw.stdout.trim();
    assert.equal(token.split('.').length, 3);
    const check = await runCli(['validate', token, '--issuer', idp.issuer, '--audience', idp.audience]);
    assert.equal(check.code, 0, output(check));
    const doc = parseJson(await runCli(tokenArgs('--json'), { env: secretEnv() }));
    assert.equal(doc.issued, true);
    assert.equal(typeof doc.access_token, 'string');
    assert.equal(doc.token_type, 'Bearer');
  });

  test('secret from another variable (--client-secret-env) and from stdin (--client-secret-stdin)', async () => {
    const named = await runCli(tokenArgs('--client-secret-env', 'MY_SECRET'), {
      env: { MY_SECRET: client().clientSecret },
    });
    assert.equal(named.code, 0, output(named));
    const piped = await runCli(tokenArgs('--client-secret-stdin'), { stdin: `${client().clientSecret}\n` });
    assert.equal(piped.code, 0, output(piped));
    const post = idp.clients.post;
    const viaPost = await runCli(
      ['token', '--issuer', idp.issuer, '--client-id', post.clientId, '--auth-method', 'client_secret_post'],
      { env: { IDENTITY_MODEL_CLIENT_SECRET: post.clientSecret } },
    );
    assert.equal(viaPost.code, 0, output(viaPost));
  });

  test('secret on argv: --client-secret is refused (exit 2) saying why, and the value is not echoed', async () => {
    for (const args of [
      ['--client-secret', 'CANARY-s3cret'],
      ['--client-secret=CANARY-s3cret'],
      ['--client-secrt=CANARY-s3cret'],
    ]) {
      const run = await runCli(tokenArgs(...args), { env: secretEnv() });
      assert.equal(run.code, 2, args.join(' '));
      assert.doesNotMatch(output(run), /CANARY/);
    }
    const run = await runCli(tokenArgs('--client-secret', 'x'), { env: secretEnv() });
    assert.match(run.stderr, /readable by every user of this machine/);
    assert.match(run.stderr, /IDENTITY_MODEL_CLIENT_SECRET/);
  });

  test('no secret anywhere: exit 2 naming the variable to set', async () => {
    const run = await runCli(tokenArgs());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /IDENTITY_MODEL_CLIENT_SECRET is not set/);
  });

  test('a wrong secret: exit 1 with invalid_client, and the secret is not echoed', async () => {
    const wrong = 'CANARY-wrong-secret';
    const run = await runCli(tokenArgs(), { env: { IDENTITY_MODEL_CLIENT_SECRET: wrong } });
    assert.equal(run.code, 1, output(run));
    assert.match(run.stdout, /token request refused: invalid_client/);
    assert.doesNotMatch(output(run), /CANARY/);
    const doc = parseJson(
      await runCli(tokenArgs('--json'), { env: { IDENTITY_MODEL_CLIENT_SECRET: wrong } }),
    );
    assert.deepEqual([doc.issued, doc.error, doc.access_token], [false, 'invalid_client', undefined]);
  });
});

describe('identity-model introspect', { concurrency: true }, () => {
  const introspectArgs = (token: string, ...extra: string[]) => [
    'introspect',
    token,
    '--issuer',
    idp.issuer,
    '--client-id',
    client().clientId,
    ...extra,
  ];

  test('an opaque token is active: exit 0, its scope and client', async () => {
    const token = await idp.getToken({ resource: OPAQUE_AUDIENCE, scope: 'read' });
    const run = await runCli(introspectArgs(token), { env: secretEnv() });
    assert.equal(run.code, 0, output(run));
    assert.match(run.stdout, /^active/);
    assert.match(run.stdout, /scope\s+read/);
    // An opaque token's exp is not readable here: a 300 s token reads 5 min in its first second, 4 after.
    assert.match(run.stdout, /expires in [45] min/);
    assert.ok(!output(run).includes(token));
    const doc = parseJson(await runCli(introspectArgs(token, '--json'), { env: secretEnv() }));
    assert.equal(doc.active, true);
    assert.equal((doc.claims as Record<string, unknown>).client_id, client().clientId);
  });

  test('an unknown token is inactive: exit 1', async () => {
    const run = await runCli(introspectArgs('no-such-token-CANARY', '--json'), { env: secretEnv() });
    assert.equal(run.code, 1, output(run));
    assert.equal(parseJson(run).active, false);
    assert.doesNotMatch(output(run), /CANARY/);
  });

  test('the token from stdin, the secret from the environment; both on stdin is a usage error', async () => {
    const token = await idp.getToken({ resource: OPAQUE_AUDIENCE });
    const run = await runCli(introspectArgs('-'), { env: secretEnv(), stdin: token });
    assert.equal(run.code, 0, output(run));
    const both = await runCli(introspectArgs('-', '--client-secret-stdin'), { stdin: token });
    assert.equal(both.code, 2);
  });
});
