import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTokenValidator } from '../../src/validation/index.js';
import {
  AUDIENCE,
  assertSameVerdict,
  CountingKeySource,
  ISSUER,
  type TestAlg,
  testKey,
  token,
} from './helpers.js';

const ALL: TestAlg[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

describe('valid tokens are accepted', () => {
  for (const alg of ALL) {
    test(`${alg} signed access token validates, and jose agrees`, async () => {
      const k = testKey(alg);
      const source = new CountingKeySource([k.key]);
      const validator = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keySource: source });
      const t = token(k);
      const result = await validator.validate(t);
      assert.equal(result.token, t);
      assert.equal(result.header.alg, alg);
      assert.equal(result.claims.sub, 'user-1');
      assert.deepEqual(result.scopes, ['read', 'write']);
      assert.equal(result.principal.findFirst('client_id')?.value, 'client-1');
      await assertSameVerdict(validator, t, {
        keys: source.jwks(),
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ALL,
      });
    });
  }

  test('EdDSA with an Ed448 key validates (jose 6 does not implement Ed448: no differential)', async () => {
    const k = testKey('Ed448');
    const validator = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keySource: new CountingKeySource([k.key]),
    });
    assert.equal((await validator.validate(token(k))).header.alg, 'EdDSA');
  });

  test('a token without kid validates when exactly one key fits', async () => {
    const rsa = testKey('RS256');
    const ec = testKey('ES256');
    const source = new CountingKeySource([rsa.key, ec.key]);
    const validator = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keySource: source });
    const t = token(rsa, {}, { kid: undefined });
    await validator.validate(t);
    await assertSameVerdict(validator, t, {
      keys: source.jwks(),
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ALL,
    });
  });

  test('aud as an array passes when any member is accepted; typ JWT and absent pass by default', async () => {
    const k = testKey('RS256');
    const source = new CountingKeySource([k.key]);
    const validator = createTokenValidator({
      issuer: [ISSUER, 'https://other'],
      audience: ['a', AUDIENCE],
      keySource: source,
    });
    const oracle = {
      keys: source.jwks(),
      issuer: [ISSUER, 'https://other'],
      audience: ['a', AUDIENCE],
      algorithms: ALL,
    };
    for (const t of [
      token(k, { aud: ['x', AUDIENCE] }),
      token(k, {}, { typ: 'JWT' }),
      token(k, {}, { typ: 'application/AT+JWT' }),
      token(k, {}, { typ: undefined }),
    ]) {
      assert.equal(await assertSameVerdict(validator, t, oracle), true);
    }
  });

  test('scopes come from scope, scp (string or array) and optionally permissions', async () => {
    const k = testKey('RS256');
    const keySource = new CountingKeySource([k.key]);
    const validator = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keySource,
      scopeClaims: ['scope', 'scp', 'permissions'],
    });
    const r = await validator.validate(token(k, { scope: 'a b', scp: ['b', 'c'], permissions: ['read:x'] }));
    assert.deepEqual(r.scopes, ['a', 'b', 'c', 'read:x']);
    const d = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keySource });
    assert.deepEqual((await d.validate(token(k, { scope: undefined, scp: 'x  y' }))).scopes, ['x', 'y']);
  });

  test('the result is frozen and serializes without the token', async () => {
    const k = testKey('RS256');
    const validator = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keySource: new CountingKeySource([k.key]),
    });
    const t = token(k, { nested: { a: [1] } });
    const r = await validator.validate(t);
    assert.ok(Object.isFrozen(r.claims) && Object.isFrozen(r.header) && Object.isFrozen(r.scopes));
    assert.ok(Object.isFrozen((r.claims.nested as { a: number[] }).a));
    assert.ok(!JSON.stringify(r).includes(t));
  });
});

describe('the header of each token is its own', () => {
  test('tokens with different headers, in any order, are each checked against their own header', async () => {
    const rsa = testKey('RS256');
    const ec = testKey('ES256');
    const source = new CountingKeySource([rsa.key, ec.key]);
    const validator = createTokenValidator({
      issuer: ISSUER,
      audience: AUDIENCE,
      keySource: source,
      algorithms: ['RS256', 'ES256'],
      cache: false,
    });
    const byRsa = token(rsa);
    const byEc = token(ec);
    // RS256 named in the header, the EC key's kid: no key fits, whatever header was checked just before.
    const mismatched = token(rsa, {}, { kid: ec.kid });
    // An algorithm not allowed, with every other member of a valid RSA header.
    const symmetric = token(rsa, {}, { alg: 'HS256' });
    for (const order of [
      [byRsa, mismatched, byRsa, byEc, symmetric, byEc, byRsa],
      [mismatched, mismatched, symmetric, byEc, byEc, byRsa],
    ]) {
      for (const t of order) {
        const outcome = await validator.validate(t).then(
          (result) => result.header,
          (error: { code?: string }) => error.code,
        );
        if (t === byRsa) assert.deepEqual(outcome, { alg: 'RS256', typ: 'at+jwt', kid: rsa.kid });
        else if (t === byEc) assert.deepEqual(outcome, { alg: 'ES256', typ: 'at+jwt', kid: ec.kid });
        else assert.equal(typeof outcome, 'string', 'refused');
      }
    }
    await validator.close();
  });
});
