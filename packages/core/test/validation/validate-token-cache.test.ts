/**
 * The seed-shaped `validateToken(jwt, config, discoAddress)` shares its validators: inline functions in the
 * config (a fresh `claimsValidator` or `logger` on every call) must not rebuild it, one key source serves a
 * discovery address, and a validator evicted from the bounded cache is never closed under a call in flight.
 * Requests counted at a real provider on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { closeValidateTokenCache, validateToken } from '../../src/validation/index.js';
import { rejectsWith } from './helpers.js';
import { startTenantProvider, TENANT_AUDIENCE, type TenantProvider } from './tenant-provider.js';

let idp: TenantProvider;

before(async () => {
  idp = await startTenantProvider();
  idp.addTenant('seed');
});

beforeEach(async () => {
  await closeValidateTokenCache();
  idp.requests.length = 0;
});

after(async () => {
  await closeValidateTokenCache();
  await idp.close();
});

const noop = (): void => {};

test('100 calls with a fresh inline claimsValidator and logger each: 1 discovery and 1 JWKS request', async () => {
  const token = idp.token('seed');
  let checks = 0;
  for (let i = 0; i < 100; i++) {
    const claims = await validateToken(
      token,
      {
        performDisco: true,
        audience: TENANT_AUDIENCE,
        algorithms: ['ES256'],
        claimsValidator: (c) => {
          checks++;
          return c.sub === 'user-1';
        },
        logger: { debug: noop, info: noop, warn: noop, error: noop },
        httpClient: idp.httpClient,
      },
      idp.issuer('seed'),
    );
    assert.equal(claims.iss, idp.issuer('seed'));
  }
  assert.equal(checks, 100, 'claimsValidator runs on every call');
  assert.equal(idp.count('seed'), 2, 'one discovery and one JWKS request');
  assert.deepEqual(idp.requests, ['/tenants/seed/.well-known/openid-configuration', '/tenants/seed/jwks']);
});

test("claimsValidator is each call's own: it refuses a token an earlier call accepted and cached", async () => {
  const token = idp.token('seed');
  const config = {
    performDisco: true,
    audience: TENANT_AUDIENCE,
    algorithms: ['ES256'],
    httpClient: idp.httpClient,
  };
  await validateToken(token, { ...config, claimsValidator: () => true }, idp.issuer('seed'));
  const refused = await rejectsWith(
    validateToken(token, { ...config, claimsValidator: () => false }, idp.issuer('seed')),
    'claim_invalid',
  );
  assert.match(refused.message, /claimsValidator/);
  await rejectsWith(
    validateToken(
      token,
      {
        ...config,
        claimsValidator: () => {
          throw new Error('boom');
        },
      },
      idp.issuer('seed'),
    ),
    'claim_invalid',
  );
  await validateToken(token, { ...config, claimsValidator: () => undefined }, idp.issuer('seed'));
});

test('100 concurrent calls across 40 distinct configs (more than the cache holds) all succeed', async () => {
  const token = idp.token('seed', {
    aud: [TENANT_AUDIENCE, ...Array.from({ length: 40 }, (_, i) => `urn:api:${i}`)],
  });
  const calls = Array.from({ length: 100 }, (_, i) =>
    validateToken(
      token,
      {
        performDisco: true,
        audience: `urn:api:${i % 40}`,
        algorithms: ['ES256'],
        httpClient: idp.httpClient,
      },
      idp.issuer('seed'),
    ),
  );
  const results = await Promise.allSettled(calls);
  const failed = results.filter((r) => r.status === 'rejected');
  assert.equal(failed.length, 0, `failures: ${failed.map((r) => String(r.reason)).join('; ')}`);
  assert.equal(idp.count('seed'), 2, 'one key source for the discovery address');
});

test('an evicted config keeps working when used again', async () => {
  const token = idp.token('seed', {
    aud: [TENANT_AUDIENCE, ...Array.from({ length: 40 }, (_, i) => `urn:api:${i}`)],
  });
  const call = (i: number) =>
    validateToken(
      token,
      {
        performDisco: true,
        audience: `urn:api:${i}`,
        algorithms: ['ES256'],
        httpClient: idp.httpClient,
      },
      idp.issuer('seed'),
    );
  for (let i = 0; i < 40; i++) await call(i);
  await call(0); // evicted by the 33rd config: rebuilt on the shared key source
  assert.equal(idp.count('seed'), 2);
});
