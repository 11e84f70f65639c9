/**
 * `identity-model validate`: the verdict, the reason code and the adapters' exact answer, from the built
 * binary against oidc-provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startIdp, type TestIdp } from '../../../test/support/idp.js';
import { freePort } from '../../core/test/http/local-server.js';
import {
  assertExpiresIn,
  ensureBuilt,
  expiredToken,
  minutesLeftAround,
  parseJson,
  runCli,
} from './support/cli.js';

let idp: TestIdp;
let fresh: string;
let expired: string;

before(async () => {
  ensureBuilt();
  idp = await startIdp();
  fresh = await idp.getToken({ scope: 'read' });
  expired = await expiredToken(idp);
});
after(() => idp?.close());

const validate = (token: string, ...extra: string[]) => [
  'validate',
  token,
  '--issuer',
  idp.issuer,
  '--audience',
  idp.audience,
  ...extra,
];

describe('identity-model validate', { concurrency: true }, () => {
  test('a valid token: exit 0, its subject, scopes and expiry', async () => {
    const [run, minutes] = await minutesLeftAround(fresh, () => runCli(validate(fresh)));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^valid/);
    assert.match(run.stdout, /scopes\s+read/);
    assertExpiresIn(run.stdout, minutes);
    assert.doesNotMatch(run.stdout, /clock tolerance/);
    const doc = parseJson(await runCli(validate(fresh, '--scope', 'read', '--json')));
    assert.equal(doc.valid, true);
    assert.deepEqual(doc.scopes, ['read']);
    assert.deepEqual(doc.answer, { passes: true });
  });

  test('an expired token: exit 1, code token_expired, and the 401 an adapter sends', async () => {
    const run = await runCli(validate(expired));
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /refused: token_expired/);
    assert.match(run.stdout, /an adapter answers 401/);
    assert.match(
      run.stdout,
      /www-authenticate\s+Bearer error="invalid_token", error_description="The access token expired"/,
    );
    assert.match(run.stdout, /expired 2 h ago/);
    const doc = parseJson(await runCli(validate(expired, '--json')));
    assert.equal(doc.valid, false);
    assert.equal(doc.code, 'token_expired');
    assert.deepEqual(doc.answer, {
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer error="invalid_token", error_description="The access token expired", DPoP algs="ES256 ES384 PS256 RS256 EdDSA"',
      },
      body: { error: 'invalid_token', error_description: 'The access token expired' },
    });
  });

  test('a token just past exp passes by the clock tolerance, and the output says so', async () => {
    // exp is now (whole seconds): past by the time the CLI checks, yet within the default 5 s tolerance.
    const justExpired = await expiredToken(idp, {
      iat: Math.floor(Date.now() / 1000) - 60,
      exp: Math.floor(Date.now() / 1000),
    });
    const run = await runCli(validate(justExpired));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^valid/);
    assert.match(
      run.stdout,
      /accepted within the clock tolerance: it expired \d+ s ago; an API with the default clockTolerance \(5 s\) refuses it 5 s after exp/,
    );
  });

  test('token confusion: a token for another audience is audience_invalid', async () => {
    const other = await idp.getToken({ resource: idp.otherAudience });
    const doc = parseJson(await runCli(validate(other, '--json')));
    assert.equal(doc.code, 'audience_invalid');
    assert.equal((doc.answer as { status: number }).status, 401);
  });

  test('forged signature: a token signed with another key is refused, not decoded as valid', async () => {
    const [header, payload] = fresh.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`;
    const doc = parseJson(await runCli(validate(forged, '--json')));
    assert.equal(doc.valid, false);
    assert.equal(doc.code, 'signature_invalid');
  });

  test('a missing scope: exit 1, insufficient_scope and the 403 naming the scope', async () => {
    const run = await runCli(validate(fresh, '--scope', 'write', '--json'));
    assert.equal(run.code, 1);
    const doc = parseJson(run);
    assert.equal(doc.code, 'insufficient_scope');
    const answer = doc.answer as { status: number; headers: Record<string, string> };
    assert.equal(answer.status, 403);
    assert.match(answer.headers['www-authenticate']!, /scope="write"/);
  });

  test('keys unavailable (the issuer is down): exit 3 and the 503 with Retry-After', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const token = await idp.signToken({ iss: down, sub: 'svc' });
    const run = await runCli(['validate', token, '--issuer', down, '--audience', idp.audience, '--json']);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    const doc = parseJson(run);
    assert.equal(doc.code, 'keys_unavailable');
    const answer = doc.answer as { status: number; headers: Record<string, string> };
    assert.equal(answer.status, 503);
    assert.match(answer.headers['retry-after']!, /^\d+$/);
  });

  test('the token is never echoed, whatever the verdict', async () => {
    for (const token of [fresh, expired]) {
      const run = await runCli(validate(token, '--scope', 'write'));
      assert.ok(!run.stdout.includes(token) && !run.stderr.includes(token));
      assert.ok(!run.stdout.includes(token.split('.')[2]!), 'not even the signature');
    }
  });

  test('usage: missing --issuer or --audience is exit 2', async () => {
    const noIssuer = await runCli(['validate', fresh, '--audience', idp.audience]);
    assert.equal(noIssuer.code, 2);
    assert.match(noIssuer.stderr, /--issuer is required/);
    const noAudience = await runCli(['validate', fresh, '--issuer', idp.issuer]);
    assert.equal(noAudience.code, 2);
  });
});
