/** With `secret`, the one shared secret verifies HS* tokens whatever `kid` their header names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenValidator } from '../../src/validation/index.js';
import { AUDIENCE, claims, ISSUER, rejectsWith, signJws, testKey } from './helpers.js';

const secret = 'a-shared-secret-long-enough-for-hs512-'.padEnd(64, 'x');

test('an HS256 token whose header has a kid is verified with the secret (the secret matches any kid)', async () => {
  const v = createTokenValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    secret,
    algorithms: ['HS256', 'HS512'],
  });
  for (const kid of ['key-1', 'rotated-2024', '']) {
    const result = await v.validate(
      signJws({ alg: 'HS256', typ: 'at+jwt', kid }, claims(), Buffer.from(secret), 'HS256'),
    );
    assert.equal(result.header.kid, kid);
  }
  await v.validate(signJws({ alg: 'HS512', kid: 'k' }, claims(), Buffer.from(secret), 'HS512'));
  await v.validate(signJws({ alg: 'HS256' }, claims(), Buffer.from(secret), 'HS256'));
  await v.close();
});

test('a kid never turns a wrong secret into a pass', async () => {
  const v = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, secret, algorithms: ['HS256'] });
  await rejectsWith(
    v.validate(signJws({ alg: 'HS256', kid: 'key-1' }, claims(), Buffer.from(`${secret}x`), 'HS256')),
    'signature_invalid',
  );
  await rejectsWith(
    v.validate(signJws({ alg: 'HS256', kid: 'k'.repeat(257) }, claims(), Buffer.from(secret), 'HS256')),
    'key_not_found',
  );
});

test('public key sets still match kid exactly', async () => {
  const k = testKey('ES256');
  const v = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [k.jwk] } });
  await rejectsWith(
    v.validate(signJws({ alg: 'ES256', kid: 'another-kid' }, claims(), k.privateKey, 'ES256')),
    'key_not_found',
  );
  await v.close();
});
