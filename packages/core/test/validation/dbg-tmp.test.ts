import { test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { CountingKeySource, testKey, token, AUDIENCE, ISSUER } from '/work/main/packages/core/test/validation/helpers.ts';
test('d', async () => {
  for (const alg of ['RS256', 'PS384', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed448'] as const) {
  const k = testKey(alg);
  const s = new CountingKeySource([k.key]);
  try { await jwtVerify(token(k), createLocalJWKSet(s.jwks()), { issuer: ISSUER, audience: AUDIENCE }); console.log(alg, 'ok'); } catch (e) { console.log(alg, e); }
  }
});
