/** `identity-model decode`: header, claims and human times, never a verdict; and how output is coloured. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startIdp, type TestIdp } from '../../../test/support/idp.js';
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
const ESC = '\u001b[';

before(async () => {
  ensureBuilt();
  idp = await startIdp();
  fresh = await idp.getToken({ scope: 'read' });
  expired = await expiredToken(idp, { auth_time: Math.floor(Date.now() / 1000) - 90_000 });
});
after(() => idp?.close());

describe('identity-model decode', { concurrency: true }, () => {
  test('a fresh token: header, claims, "expires in N min", and a NOT VERIFIED warning', async () => {
    const [run, expected] = await minutesLeftAround(fresh, () => runCli(['decode', fresh]));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^NOT VERIFIED/);
    assert.match(run.stdout, /alg\s+RS256/);
    assert.match(run.stdout, /typ\s+at\+jwt/);
    assert.match(run.stdout, /client_id\s+svc-basic/);
    assert.match(run.stdout, /exp\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+expires in \d+ min/);
    assertExpiresIn(run.stdout, expected);
    assert.match(run.stdout, /iat\s+\S+\s+issued \d+ s ago/);
  });

  test('an expired token still decodes (exit 0): "expired 2 h ago", auth_time "25 h ago"', async () => {
    const run = await runCli(['decode', expired]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /exp\s+\S+\s+expired 2 h ago/);
    assert.match(run.stdout, /auth_time\s+\S+\s+authenticated 25 h ago/);
  });

  test('the token from standard input with -', async () => {
    const [run, minutes] = await minutesLeftAround(fresh, () =>
      runCli(['decode', '-'], { stdin: `${fresh}\n` }),
    );
    assert.equal(run.code, 0, run.stderr);
    assertExpiresIn(run.stdout, minutes);
  });

  test('--json: verified false, header, claims, times with ISO and relative forms', async () => {
    const doc = parseJson(await runCli(['decode', expired, '--json']));
    assert.equal(doc.verified, false);
    assert.equal(doc.expired, true);
    assert.equal((doc.header as Record<string, unknown>).alg, 'RS256');
    assert.equal((doc.claims as Record<string, unknown>).sub, 'svc');
    const exp = (doc.times as Record<string, Record<string, unknown>>).exp!;
    assert.equal(exp.relative, 'expired 2 h ago');
    assert.match(String(exp.iso), /Z$/);
    assert.ok(Number(exp.secondsFromNow) < -7000);
  });

  test('garbage is not a JWT: exit 1, and the message quotes nothing of it', async () => {
    for (const garbage of [
      'not-a-token-CANARY',
      'a.b.c-CANARY',
      `${Buffer.from('{"alg"').toString('base64url')}.e30.sig`,
    ]) {
      const run = await runCli(['decode', garbage]);
      assert.equal(run.code, 1, garbage);
      assert.match(run.stdout, /not a readable JWT/);
      assert.doesNotMatch(run.stdout + run.stderr, /CANARY/);
    }
  });

  test('no token, or an empty stdin: usage error, exit 2', async () => {
    assert.equal((await runCli(['decode'])).code, 2);
    const empty = await runCli(['decode', '-'], { stdin: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /standard input held no token/);
  });
});

describe('colour', { concurrency: true }, () => {
  test('a pipe gets plain text; FORCE_COLOR=1 colours it; NO_COLOR wins over FORCE_COLOR', async () => {
    const plain = await runCli(['decode', expired]);
    assert.ok(!plain.stdout.includes(ESC), 'no ANSI codes in a pipe');
    const forced = await runCli(['decode', expired], { env: { FORCE_COLOR: '1' } });
    assert.ok(forced.stdout.includes(ESC), 'FORCE_COLOR=1 colours');
    const both = await runCli(['decode', expired], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    assert.ok(!both.stdout.includes(ESC), 'NO_COLOR turns colour off');
    // The expired token: its "2 h ago" reads the same in both runs, unlike a fresh token's seconds.
    assert.equal(both.stdout, plain.stdout);
  });

  test('--json is never coloured', async () => {
    const run = await runCli(['decode', fresh, '--json'], { env: { FORCE_COLOR: '1' } });
    assert.ok(!run.stdout.includes(ESC));
    parseJson(run);
  });
});
