/**
 * The fleet test against an independent provider: 8 real processes sharing a RedisCacheStore fetch their
 * client-credentials token from glewlwyd (C, its own token endpoint), counted at glewlwyd's proxy.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { redisUrl, uniquePrefix } from '../../packages/redis/test/support/redis-server.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { providerSkip } from '../support/providers-available.js';
import { type Fleet, fleetProviders, startFleet } from './support/fleet.js';

const REPLICAS = 8;
const CONCURRENCY = 50;
const skip = providerSkip('glewlwyd');

let fleet: Fleet;
let gw: TestGlewlwyd;
let url: string;

before(async () => {
  if (skip) return;
  // The fleet first, on its own: if the provider then fails to start, `after` still stops the replicas
  // (a replica left running keeps this file's process, and the whole run, alive).
  fleet = await startFleet(REPLICAS);
  [gw, url] = await Promise.all([startGlewlwyd(), redisUrl()]);
});
after(async () => {
  if (skip) return;
  await Promise.all([fleet?.close(), gw?.close()]);
});

test(`${REPLICAS} processes × ${CONCURRENCY} concurrent getToken from glewlwyd → exactly one token request at glewlwyd`, {
  skip,
}, async () => {
  const provider = fleetProviders.glewlwyd(gw);
  const prefix = uniquePrefix('fleet-glewlwyd'); // one for the whole fleet: the shared cache
  await fleet.configureAll(() => ({
    type: 'configure',
    redisUrl: url,
    store: { prefix, commandTimeoutMs: 3000 },
    manager: {
      ...provider.manager,
      lock: { ttlMs: 10_000, waitMs: 10_000, pollIntervalMs: 25 },
      storeTimeoutMs: 3000,
      storeRetryMs: 100,
    },
  }));
  provider.resetCounts();
  const replies = await fleet.runAll({ scope: 'read', concurrency: CONCURRENCY });
  for (const r of replies) assert.deepEqual(r.errors ?? [], [], 'no caller fails');
  const tokens = replies.flatMap((r) => r.tokens ?? []);
  assert.equal(tokens.length, REPLICAS * CONCURRENCY);
  assert.equal(new Set(tokens).size, 1, 'every caller in every replica got the same token');
  assert.equal(provider.tokenRequests(), 1);
  const claims = decodeJwt(tokens[0] as string);
  assert.deepEqual(
    [claims.iss, claims.aud, claims.client_id],
    [gw.issuer, gw.audience, gw.clients.basic.clientId],
  );
});
