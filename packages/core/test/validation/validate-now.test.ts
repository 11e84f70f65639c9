import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBearerAuthenticator } from '../../src/bearer/authenticator.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import type { TokenValidationError } from '../../src/errors.js';
import { createTokenValidator } from '../../src/validation/index.js';
import { AUDIENCE, CountingKeySource, ISSUER, testKey, token } from './helpers.js';

const rsa = testKey('RS256');
const other = testKey('RS256', 'other-key');

describe('validateNow: the same verdicts as validate, without a wait when none is needed', () => {
  test('keys at hand: a fresh token and a cached one are answered synchronously', async () => {
    const validator = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [rsa.jwk] } });
    const t = token(rsa);
    const first = validator.validateNow!(t);
    assert.ok(!(first instanceof Promise), 'verified synchronously');
    assert.equal(first.claims.iss, ISSUER);
    assert.equal(validator.validateNow!(t), first, 'then a synchronous cache hit');
    assert.equal(await validator.validate(t), first);
  });

  test('a refusal is thrown synchronously by validateNow and rejected by validate, with the same code', async () => {
    const validator = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keys: { keys: [rsa.jwk] } });
    // The signature's first character changed (replacing its last two could leave it as it was: 1 in 256).
    const genuine = token(rsa);
    const at = genuine.lastIndexOf('.') + 1;
    const forged = `${genuine.slice(0, at)}${genuine[at] === 'A' ? 'B' : 'A'}${genuine.slice(at + 1)}`;
    for (const [bad, code] of [
      [token(other), 'key_not_found'],
      [token(rsa, { exp: Math.floor(Date.now() / 1000) - 600 }), 'token_expired'],
      [forged, 'signature_invalid'],
      ['not-a-jwt', 'token_malformed'],
    ] as const) {
      assert.throws(
        () => validator.validateNow!(bad),
        (e: unknown) => (e as TokenValidationError).code === code,
      );
      await assert.rejects(
        validator.validate(bad),
        (e: unknown) => (e as TokenValidationError).code === code,
      );
    }
  });

  test('a key source without keysNow, or custom validators, always go through the promise', async () => {
    const source = new CountingKeySource([rsa.key]);
    const plain = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keySource: source });
    const outcome = plain.validateNow!(token(rsa));
    assert.ok(outcome instanceof Promise);
    assert.equal((await outcome).claims.iss, ISSUER);

    let ran = 0;
    const checked = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { keys: [rsa.jwk] },
      validators: {
        sub: (value) => {
          ran++;
          return value !== 'refused';
        },
      },
    });
    const pending = checked.validateNow!(token(rsa));
    assert.ok(pending instanceof Promise, 'custom validators may be async: never skipped');
    await pending;
    await assert.rejects(Promise.resolve().then(() => checked.validateNow!(token(rsa, { sub: 'refused' }))));
    assert.equal(ran, 2);
  });

  test('authenticateNow: the token itself when warm; a refusal is a rejected promise, never a throw', async () => {
    const authenticator = createBearerAuthenticator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: { keys: [rsa.jwk] },
    });
    try {
      const request = (authorization: string) => ({ method: 'GET', url: '/', headers: { authorization } });
      const ok = authenticator.authenticateNow(request(`Bearer ${token(rsa)}`));
      assert.ok(ok !== undefined && !(ok instanceof Promise));
      assert.equal(ok.claims.iss, ISSUER);
      const refused = authenticator.authenticateNow(request(`Bearer ${token(other)}`));
      assert.ok(refused instanceof Promise);
      await assert.rejects(refused, (e: unknown) => e instanceof BearerError && e.status === 401);
      const malformed = authenticator.authenticateNow(request('Bearer a b'));
      assert.ok(malformed instanceof Promise);
      await assert.rejects(malformed, (e: unknown) => e instanceof BearerError && e.status === 400);
    } finally {
      await authenticator.close();
    }
  });
});
