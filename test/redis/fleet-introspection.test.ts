/**
 * Opaque tokens across a fleet: 8 real processes, each with its own introspection validator over one shared
 * RedisCacheStore prefix, validate django-oauth-toolkit tokens; introspections are counted at DOT's proxy.
 * The validators share answers through `getValue`/`setValue` and take turns through the store's lock.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import {
  type RedisServer,
  redisUrl,
  startRedisServer,
  uniquePrefix,
} from '../../packages/redis/test/support/redis-server.js';
import { startDjangoOAuthToolkit, type TestDjangoOAuthToolkit } from '../support/django-oauth-toolkit.js';
import { providerSkip } from '../support/providers-available.js';
import { type Fleet, type ReplicaReply, startFleet } from './support/fleet.js';

const REPLICAS = 8;
const CONCURRENCY = 50;
const skip = providerSkip('django-oauth-toolkit');

let fleet: Fleet;
let dot: TestDjangoOAuthToolkit;
let url: string;

before(async () => {
  if (skip) return;
  // The fleet first, on its own: if the provider then fails to start, `after` still stops the replicas
  // (a replica left running keeps this file's process, and the whole run, alive).
  fleet = await startFleet(REPLICAS);
  [dot, url] = await Promise.all([startDjangoOAuthToolkit(), redisUrl()]);
});
after(async () => {
  if (skip) return;
  await Promise.all([fleet?.close(), dot?.close()]);
});

function configure(prefix: string, redis: string, encryptionKey?: string): Promise<unknown> {
  return Promise.all(
    Array.from({ length: REPLICAS }, (_, i) =>
      fleet.send(i, {
        type: 'configure-introspection',
        redisUrl: redis,
        // Generous: on a loaded machine a round trip can take hundreds of ms, and a timeout would (correctly)
        // make a replica introspect by itself, which is not what these scenarios test.
        store: { prefix, commandTimeoutMs: 3000, ...(encryptionKey ? { encryptionKey } : {}) },
        validator: {
          issuer: dot.issuer,
          audience: false, // DOT's answers carry no `aud`
          address: dot.endpoints.introspection, // DOT does not advertise it
          clientId: dot.clients.basic.clientId,
          clientSecret: dot.clients.basic.clientSecret,
          timeoutMs: 10_000,
        },
      }),
    ),
  );
}

/** Every replica validates `token` `concurrency` times at once; all must be accepted. */
async function validateEverywhere(
  token: string,
  concurrency = CONCURRENCY,
): Promise<Record<string, unknown>[]> {
  const replies: ReplicaReply[] = await Promise.all(
    Array.from({ length: REPLICAS }, (_, i) => fleet.send(i, { type: 'validate', token, concurrency })),
  );
  for (const r of replies) assert.deepEqual(r.errors ?? [], [], 'no caller fails');
  const claims = replies.flatMap((r) =>
    (r.claims ?? []).map((c) => JSON.parse(c) as Record<string, unknown>),
  );
  assert.equal(claims.length, REPLICAS * concurrency);
  for (const c of claims) {
    assert.equal(c.active, true);
    assert.equal(c.client_id, dot.clients.basic.clientId);
  }
  return claims;
}

describe('a fleet of introspection validators sharing a RedisCacheStore', () => {
  let admin: Redis;
  before(() => {
    if (skip) return;
    admin = new Redis(url);
  });
  after(() => admin?.disconnect());

  test(`${REPLICAS} processes × ${CONCURRENCY} concurrent validations of one opaque token → exactly one introspection at django-oauth-toolkit`, {
    skip,
    timeout: 120_000, // a hung replica fails the test instead of the run
  }, async () => {
    await configure(uniquePrefix('fleet-introspect'), url);
    const token = await dot.getToken({ scope: 'read write' });
    dot.resetCounts();
    const claims = await validateEverywhere(token);
    assert.equal(dot.counts.introspection, 1, 'one introspection for the whole fleet');
    assert.equal(claims[0]?.scope, 'read write');
    // Later requests anywhere in the fleet are answered from memory or Redis: still one.
    await validateEverywhere(token, 5);
    assert.equal(dot.counts.introspection, 1);
  });

  test('with encryptionKey, the fleet still introspects once and Redis holds no plaintext claims', {
    skip,
    timeout: 120_000, // a hung replica fails the test instead of the run
  }, async () => {
    const prefix = uniquePrefix('fleet-introspect-enc');
    await configure(prefix, url, randomBytes(32).toString('base64'));
    const token = await dot.getToken({ scope: 'read write' });
    dot.resetCounts();
    await validateEverywhere(token);
    assert.equal(dot.counts.introspection, 1);
    const keys = await admin.keys(`${prefix}*`);
    assert.equal(keys.length, 1, `the shared answer, and no lock left behind: ${keys.join(', ')}`);
    assert.ok(keys[0]?.endsWith(':value'));
    assert.ok(!keys[0]?.includes(token));
    const raw = (await admin.getBuffer(keys[0] as string)) as Buffer;
    assert.ok(raw.toString('latin1').startsWith('e1:'), 'sealed');
    for (const plaintext of [token, dot.clients.basic.clientId, 'read write', '"active"', '"exp"']) {
      assert.ok(!raw.includes(plaintext), `Redis holds ${plaintext}`);
    }
  });
});

describe('a fleet of introspection validators whose Redis goes down', () => {
  let redis: RedisServer;
  before(async () => {
    if (skip) return;
    redis = await startRedisServer();
  });
  after(() => redis?.close());

  test('callers are still served: from the in-process cache, else each replica introspects once', {
    skip,
    timeout: 120_000, // a hung replica fails the test instead of the run
  }, async () => {
    await configure(uniquePrefix('fleet-introspect-outage'), redis.url);
    await fleet.waitForStatus((s) => s === 'ready');
    const [held, fresh] = await Promise.all([dot.getToken(), dot.getToken({ scope: 'write' })]);
    dot.resetCounts();
    await validateEverywhere(held, 20);
    assert.equal(dot.counts.introspection, 1);

    await redis.stop();
    await fleet.waitForStatus((s) => s !== 'ready');
    dot.resetCounts();
    // The answer every replica already holds is served from memory...
    await validateEverywhere(held, 20);
    assert.equal(dot.counts.introspection, 0);
    // ...and a token nobody holds yet is introspected by each replica on its own, once per replica.
    await validateEverywhere(fresh, 20);
    assert.equal(dot.counts.introspection, REPLICAS);
  });
});
