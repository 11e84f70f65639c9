/**
 * JWKS through getJwks and the RemoteKeySet each provider's Cache-Control drives; key rotation where the
 * provider can rotate (oidc-provider in process; glewlwyd by rewriting its plugin settings and restarting).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createTokenValidator,
  getJwks,
  JwksRequest,
  RemoteKeySet,
  TokenValidationError,
} from '@identity-model/core';
import { decodeProtectedHeader } from 'jose';
import type { Scenario } from '../run-matrix.js';

const MIN_TTL_MS = 200;

export const jwksScenarios: Scenario = (ctx) => {
  const { expect, capabilities } = ctx.descriptor;

  describe('JWKS', () => {
    ctx.test(`getJwks: every published key passes our checks (${expect.jwks.keys.join(', ')})`, async () => {
      const response = await getJwks(new JwksRequest({ address: ctx.provider().jwksUri }), ctx.http());
      assert.equal(response.isSuccessful, true, response.error);
      assert.deepEqual(response.rejectedKeys, []);
      assert.deepEqual(response.keys.map((k) => `${k.kty}/${k.alg ?? '-'}`).sort(), expect.jwks.keys);
      assert.ok(response.keys.every((k) => typeof k.kid === 'string' && k.kid.length > 0));
    });

    ctx.test(`its Cache-Control (${expect.jwks.caching}) sets how long the key set is kept`, async () => {
      const p = ctx.provider();
      const jwks = await getJwks(new JwksRequest({ address: p.jwksUri }), ctx.http());
      const header = jwks.headers['cache-control'];
      if (expect.jwks.caching === 'none') assert.equal(header, undefined);
      if (expect.jwks.caching === 'no-store') assert.equal(header, 'no-store');
      // django-oauth-toolkit repeats the header name in its value ("Cache-Control: public, max-age=3600, …"):
      // the max-age is still read.
      if (expect.jwks.caching === 'max-age') assert.match(header ?? '', /max-age=3600/);
      const set = new RemoteKeySet(p.jwksUri, {
        httpClient: ctx.http(),
        minTtlMs: MIN_TTL_MS,
        defaultTtlMs: 60_000,
      });
      try {
        const kid = jwks.keys[0]?.kid;
        p.resetCounts();
        assert.ok((await set.getKeys(kid)).length > 0);
        await sleep(MIN_TTL_MS * 2);
        assert.ok((await set.getKeys(kid)).length > 0);
        // no-store: kept only the minimum TTL, so refetched; a max-age or the default: still fresh.
        assert.equal(p.counts.jwks, expect.jwks.caching === 'no-store' ? 2 : 1);
      } finally {
        await set.close();
      }
    });

    if (!capabilities.keyRotation) return;

    ctx.test(
      'key rotation: a token signed by the new key validates after one refetch; the old keys stay usable',
      async () => {
        const p = ctx.provider();
        const jwt = p.jwt;
        assert.ok(jwt?.rotateKeys);
        const validator = createTokenValidator({
          issuer: p.issuer,
          audience: jwt.audience,
          httpClient: ctx.http(),
          keySet: { cooldownMs: 0 },
        });
        try {
          const before = await ctx.token();
          const es256Before = await ctx.token({ client: jwt.es256Client });
          await validator.validate(before);
          const old = jwt.currentKids();
          await jwt.rotateKeys();
          const kids = jwt.currentKids();
          assert.notEqual(kids.RS256, old.RS256);
          p.resetCounts();
          const after = await ctx.token();
          assert.equal(decodeProtectedHeader(after).kid, kids.RS256);
          await validator.validate(after);
          assert.equal(p.counts.jwks, 1, 'one refetch for the unknown kid');
          // Minted before the rotation, first seen after it: verified with the old key, still published.
          assert.equal(decodeProtectedHeader(es256Before).kid, old.ES256);
          await validator.validate(es256Before);
          // Tokens of the new ES256 key too.
          const es256After = await ctx.token({ client: jwt.es256Client });
          assert.equal(decodeProtectedHeader(es256After).kid, kids.ES256);
          await validator.validate(es256After);
        } catch (error) {
          if (error instanceof TokenValidationError) assert.fail(`${error.code}: ${error.message}`);
          throw error;
        } finally {
          await validator.close();
        }
      },
    );
  });
};
