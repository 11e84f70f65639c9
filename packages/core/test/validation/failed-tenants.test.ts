/**
 * Tenants whose discovery fails must not evict working tenants from the bounded per-issuer cache, and a flood
 * of them costs one fetch each per failure window. Counted at a real multi-tenant provider on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTokenValidator } from '../../src/validation/index.js';
import type { TokenValidatorOptions } from '../../src/validation/options.js';
import type { TokenValidator } from '../../src/validation/types.js';
import { rejectsWith } from './helpers.js';
import { startTenantProvider, TENANT_AUDIENCE, type TenantProvider } from './tenant-provider.js';

let idp: TenantProvider;
const validators: TokenValidator[] = [];

function validator(discovery: TokenValidatorOptions['discovery']): TokenValidator {
  const v = createTokenValidator({
    // Strict in shape, as a multi-tenant API would write it: any tenant of this provider.
    issuer: (iss) => iss.startsWith(`${idp.base}/tenants/`),
    audience: TENANT_AUDIENCE,
    algorithms: ['ES256'],
    httpClient: idp.httpClient,
    discovery,
  });
  validators.push(v);
  return v;
}

before(async () => {
  idp = await startTenantProvider();
  idp.addTenant('good');
});

after(async () => {
  await Promise.all(validators.map((v) => v.close()));
  await idp.close();
});

test('a flood of tenants whose discovery fails does not evict the warm good tenant (zero new requests for it)', async () => {
  const v = validator({ maxIssuers: 2, failureBackoffMs: 60_000 });
  await v.validate(idp.token('good'));
  assert.equal(idp.count('good'), 2, 'discovery and JWKS once');

  const failing = Array.from({ length: 20 }, (_, i) => `missing-${i}`);
  for (const name of failing) await rejectsWith(v.validate(idp.token(name)), 'keys_unavailable');
  for (const name of failing) assert.equal(idp.count(name), 1, `${name} fetched once`);

  const before = idp.requests.length;
  await v.validate(idp.token('good')); // a new token: not answered by the verified-token cache
  assert.equal(idp.requests.length, before, "the good tenant's next request makes no request");

  // Within the failure window a failing tenant is answered from memory, however often it is named.
  await Promise.all(failing.map((name) => rejectsWith(v.validate(idp.token(name)), 'keys_unavailable')));
  assert.equal(idp.requests.length, before, 'failing tenants fetched at most once per failure window');
});

test('concurrent tokens for one failing tenant cost one fetch', async () => {
  const v = validator({ maxIssuers: 2, failureBackoffMs: 60_000 });
  const tokens = Array.from({ length: 10 }, () => idp.token('concurrent-missing'));
  await Promise.all(tokens.map((t) => rejectsWith(v.validate(t), 'keys_unavailable')));
  assert.equal(idp.count('concurrent-missing'), 1);
});

test('a failure is remembered briefly: after the window the tenant is tried again, and admitted once it works', async () => {
  const v = validator({ maxIssuers: 2, failureBackoffMs: 200 });
  await rejectsWith(v.validate(idp.token('late')), 'keys_unavailable');
  await rejectsWith(v.validate(idp.token('late')), 'keys_unavailable');
  assert.equal(idp.count('late'), 1);
  idp.addTenant('late');
  await new Promise((r) => setTimeout(r, 250));
  await v.validate(idp.token('late'));
  assert.equal(idp.count('late'), 3, 'discovery again, then JWKS');
  await v.validate(idp.token('late'));
  assert.equal(idp.count('late'), 3, 'admitted: served from its key set');
});

test('a tenant evicted while its key set is being refetched still answers that request; its next token starts over', async () => {
  const v = validator({ maxIssuers: 1 });
  idp.addTenant('evicted');
  idp.addTenant('newcomer');
  await v.validate(idp.token('evicted'));
  // A rotation: the next token names a kid the held set lacks, and the refetch answers 300 ms late.
  idp.rotateKey('evicted', 300);
  const rotated = v.validate(idp.token('evicted'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(idp.count('evicted'), 3, 'the refetch is in flight');
  // Meanwhile another tenant takes the only place and pushes the refetching tenant out.
  await v.validate(idp.token('newcomer'));
  const validated = await rotated;
  assert.equal(validated.claims.iss, idp.issuer('evicted'));
  // Evicted: its next token starts over with discovery, which only a new key source does.
  await v.validate(idp.token('evicted'));
  assert.equal(idp.count('evicted'), 5, 'discovery and JWKS again after the eviction');
});
