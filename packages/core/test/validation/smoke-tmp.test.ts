import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenValidator } from '../../src/validation/index.js';
import { AUDIENCE, CountingKeySource, ISSUER, testKey, token, assertSameVerdict } from './helpers.js';

test('smoke', async () => {
  for (const alg of ['RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed448'] as const) {
    const k = testKey(alg);
    const source = new CountingKeySource([k.key]);
    const v = createTokenValidator({ issuer: ISSUER, audience: AUDIENCE, keySource: source });
    const t = token(k);
    const r = await v.validate(t);
    assert.equal(r.claims.sub, 'user-1');
    assert.deepEqual(r.scopes, ['read', 'write']);
    assert.equal(r.principal.findFirst('sub')?.value, 'user-1');
    await assertSameVerdict(v, t, { keys: source.jwks(), issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA'] });
  }
});
