import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError, type StoredToken } from '@identity-model/core';
import { Redis } from 'ioredis';
import { RedisCacheStore } from '../src/index.js';
import { redisUrl, startRedisServer, uniquePrefix } from './support/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function token(lifetimeMs = 60_000, accessToken = 'eyJhbGciOi.secret-access-token.sig'): StoredToken {
  return { accessToken, tokenType: 'Bearer', expiresAt: Date.now() + lifetimeMs, scope: 'read write' };
}

describe('RedisCacheStore', () => {
  let client: Redis;
  before(async () => {
    client = new Redis(await redisUrl());
  });
  after(() => client.quit());

  test('a stored token is read back by another store instance on the same prefix', async () => {
    const prefix = uniquePrefix();
    const value = token();
    await new RedisCacheStore(client, { prefix }).set('cache-key', value, 60_000);
    assert.deepEqual(await new RedisCacheStore(client, { prefix }).get('cache-key'), value);
    assert.equal(await new RedisCacheStore(client, { prefix: uniquePrefix() }).get('cache-key'), undefined);
    assert.equal(await new RedisCacheStore(client, { prefix }).get('other-key'), undefined);
  });

  test('the token is stored with a TTL no longer than its remaining lifetime or the requested ttl', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    await store.set('k1', token(20_000), 600_000);
    const pttl1 = await client.pttl(store.keyNames('k1').token);
    assert.ok(pttl1 > 15_000 && pttl1 <= 20_000, `pttl ${pttl1}`);
    await store.set('k2', token(600_000), 10_000);
    const pttl2 = await client.pttl(store.keyNames('k2').token);
    assert.ok(pttl2 > 5_000 && pttl2 <= 10_000, `pttl ${pttl2}`);
  });

  test('an already expired token is not stored', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    await store.set('k', token(-1000), 60_000);
    assert.equal(await client.exists(store.keyNames('k').token), 0);
  });

  test('a value read back is re-checked for expiry even if Redis still holds it', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    const value = token(1000);
    await store.set('k', value, 60_000);
    await client.persist(store.keyNames('k').token); // a clock-skewed or misconfigured writer
    await sleep(value.expiresAt - Date.now() + 50);
    assert.equal(await client.exists(store.keyNames('k').token), 1);
    assert.equal(await store.get('k'), undefined);
  });

  test('delete removes the token', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    await store.set('k', token(), 60_000);
    await store.delete('k');
    assert.equal(await store.get('k'), undefined);
  });

  test('key names reveal neither the cache key nor the token, and share one Cluster hash tag', async () => {
    const prefix = uniquePrefix();
    const store = new RedisCacheStore(client, { prefix });
    const cacheKey = 'client-id:s3cr3t-client-secret:read';
    await store.set(cacheKey, token(), 60_000);
    const lock = await store.tryLock(cacheKey, 5000);
    const keys = await client.keys(`${prefix}*`);
    assert.equal(keys.length, 2);
    for (const name of keys) {
      assert.ok(!name.includes('s3cr3t') && !name.includes('client-id') && !name.includes('secret-access'));
    }
    const tags = keys.map((k) => /\{([^}]+)\}/.exec(k)?.[1]);
    assert.ok(tags[0]);
    assert.equal(tags[0], tags[1]);
    await lock?.release();
  });

  test('a garbage or tampered value is a miss, not a crash (cache poisoning)', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    const name = store.keyNames('k').token;
    const bad = [
      'garbage',
      'p1:{not json',
      'p1:null',
      'p1:"a string"',
      'p1:{"accessToken":5,"tokenType":"Bearer","expiresAt":99999999999999}',
      'p1:{"accessToken":"x","tokenType":"Bearer"}',
      'p1:{"accessToken":"x","tokenType":"Bearer","expiresAt":"soon"}',
      'p1:{"accessToken":"","tokenType":"Bearer","expiresAt":99999999999999}',
      'p1:{"accessToken":"x","tokenType":"Bearer","expiresAt":99999999999999,"scope":7}',
      'e1:AAAA',
    ];
    for (const raw of bad) {
      await client.set(name, raw, 'PX', 60_000);
      assert.equal(await store.get('k'), undefined, raw);
    }
    await client.set(
      name,
      'p1:{"accessToken":"x","tokenType":"Bearer","expiresAt":99999999999999}',
      'PX',
      60_000,
    );
    assert.deepEqual(await store.get('k'), {
      accessToken: 'x',
      tokenType: 'Bearer',
      expiresAt: 99999999999999,
    });
  });

  test('a lock is exclusive: of 20 concurrent tryLock calls exactly one wins', async () => {
    const prefix = uniquePrefix();
    const stores = Array.from({ length: 4 }, () => new RedisCacheStore(client, { prefix }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % 4]!.tryLock('k', 5000)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    await results.find(Boolean)?.release();
    const next = await stores[0]!.tryLock('k', 5000);
    assert.ok(next, 'released lock can be taken again');
    await next.release();
  });

  test('an expired lock can be taken over, and its old holder cannot release the new holder’s lock', async () => {
    const prefix = uniquePrefix();
    const a = new RedisCacheStore(client, { prefix });
    const b = new RedisCacheStore(client, { prefix });
    const lockA = await a.tryLock('k', 500);
    assert.ok(lockA);
    assert.equal(await b.tryLock('k', 5000), undefined);
    await sleep(700);
    const lockB = await b.tryLock('k', 5000);
    assert.ok(lockB, 'lock expiry lets another replica take over');
    await lockA.release(); // compare-and-delete: not A's lock any more
    assert.equal(await a.tryLock('k', 5000), undefined, 'B still holds the lock');
    await lockB.release();
    await lockB.release(); // idempotent
    const again = await a.tryLock('k', 5000);
    assert.ok(again);
    await again.release();
  });

  test('options are validated at construction', () => {
    assert.throws(() => new RedisCacheStore(client, { prefix: 'a{b}:' }), ConfigurationError);
    assert.throws(() => new RedisCacheStore(client, { commandTimeoutMs: 0 }), ConfigurationError);
    assert.throws(() => new RedisCacheStore({} as Redis), ConfigurationError);
  });
});

describe('RedisCacheStore on a fresh server', () => {
  test('releases locks through EVAL when the script is not cached yet (NOSCRIPT)', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url);
    try {
      await client.script('FLUSH');
      const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
      const lock = await store.tryLock('k', 30_000);
      assert.ok(lock);
      await lock.release();
      const again = await store.tryLock('k', 30_000);
      assert.ok(again, 'the first lock was released');
      await again.release();
    } finally {
      client.disconnect();
      await server.close();
    }
  });
});
