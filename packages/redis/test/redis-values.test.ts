import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError } from '@identity-model/core';
import { Redis } from 'ioredis';
import { RedisCacheStore } from '../src/index.js';
import { redisUrl, uniquePrefix } from './support/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// What an introspection cache stores: claims an attacker reading Redis must not learn.
const CLAIMS = JSON.stringify({
  active: true,
  sub: 'alice-subject-7f3a',
  email: 'alice@example.test',
  scope: 'orders:read',
  exp: 9_999_999_999,
});
const SECRETS = ['alice-subject-7f3a', 'alice@example.test', 'orders:read', '"active"'];
const KEY = 'introspection:Zm9vYmFyYmF6';

describe('RedisCacheStore values (introspection results)', () => {
  let client: Redis;
  before(async () => {
    client = new Redis(await redisUrl());
  });
  after(() => client.quit());

  test('a value set by one replica is read by another on the same prefix, and only there', async () => {
    const prefix = uniquePrefix();
    await new RedisCacheStore(client, { prefix }).setValue(KEY, CLAIMS, 60_000);
    assert.equal(await new RedisCacheStore(client, { prefix }).getValue(KEY), CLAIMS);
    assert.equal(await new RedisCacheStore(client, { prefix: uniquePrefix() }).getValue(KEY), undefined);
    assert.equal(await new RedisCacheStore(client, { prefix }).getValue('introspection:other'), undefined);
  });

  test('a value lives no longer than its ttl (PX), and a value never reads back as a token', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    await store.setValue(KEY, CLAIMS, 20_000);
    const pttl = await client.pttl(store.keyNames(KEY).value);
    assert.ok(pttl > 15_000 && pttl <= 20_000, `pttl ${pttl}`);
    assert.equal(await store.get(KEY), undefined);
    await store.setValue('short', 'v', 200);
    await sleep(300);
    assert.equal(await store.getValue('short'), undefined);
  });

  test('an absurd ttl is clamped, and a zero, negative or NaN ttl removes the previous value', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    await store.setValue(KEY, CLAIMS, Number.POSITIVE_INFINITY);
    const pttl = await client.pttl(store.keyNames(KEY).value);
    assert.ok(pttl > 0 && pttl <= 365 * 24 * 3600 * 1000, `pttl ${pttl}`);
    for (const ttl of [0, -5, Number.NaN]) {
      await store.setValue(KEY, CLAIMS, 60_000);
      await store.setValue(KEY, 'newer', ttl);
      assert.equal(await store.getValue(KEY), undefined, `ttl ${ttl}`);
    }
  });

  test('key names reveal nothing of the cache key and share the hash tag of its token and lock', async () => {
    const prefix = uniquePrefix();
    const store = new RedisCacheStore(client, { prefix });
    const cacheKey = 'introspection:raw-opaque-token-must-not-appear';
    await store.setValue(cacheKey, CLAIMS, 60_000);
    const keys = await client.keys(`${prefix}*`);
    assert.deepEqual(keys, [store.keyNames(cacheKey).value]);
    assert.ok(!keys[0]?.includes('opaque') && keys[0]?.endsWith(':value'));
    assert.equal(
      /\{([^}]+)\}/.exec(keys[0] ?? '')?.[1],
      /\{([^}]+)\}/.exec(store.keyNames(cacheKey).token)?.[1],
    );
  });

  test('values over maxValueBytes are neither written nor accepted from Redis (memory flood)', async () => {
    const prefix = uniquePrefix();
    const store = new RedisCacheStore(client, { prefix, maxValueBytes: 100 });
    await store.setValue(KEY, 'x'.repeat(101), 60_000);
    assert.equal(await client.exists(store.keyNames(KEY).value), 0);
    await client.set(store.keyNames(KEY).value, `p1:${'y'.repeat(5000)}`, 'PX', 60_000);
    assert.equal(await store.getValue(KEY), undefined);
    await store.setValue(KEY, 'x'.repeat(100), 60_000);
    assert.equal(await store.getValue(KEY), 'x'.repeat(100));
    for (const maxValueBytes of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new RedisCacheStore(client, { maxValueBytes }), ConfigurationError);
    }
  });

  test('encrypted: a dump of Redis holds none of the claims', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix(), encryptionKey: randomBytes(32) });
    await store.setValue(KEY, CLAIMS, 60_000);
    const raw = await client.getBuffer(store.keyNames(KEY).value);
    assert.ok(raw?.toString('latin1').startsWith('e1:'));
    for (const secret of SECRETS) assert.ok(!raw?.includes(secret), secret);
    assert.equal(await store.getValue(KEY), CLAIMS);
  });

  test('encrypted: tampered ciphertext, another key, or a value moved from another key name is a miss', async () => {
    const prefix = uniquePrefix();
    const key = randomBytes(32);
    const store = new RedisCacheStore(client, { prefix, encryptionKey: key });
    await store.setValue(KEY, CLAIMS, 60_000);
    await store.setValue('introspection:other', '{"active":true,"sub":"mallory"}', 60_000);
    const name = store.keyNames(KEY).value;
    const raw = (await client.get(name)) as string;
    const bytes = Buffer.from(raw.slice(3), 'base64');
    for (const at of [0, 13, 30, bytes.length - 1]) {
      const forged = Buffer.from(bytes);
      forged[at]! ^= 1;
      await client.set(name, `e1:${forged.toString('base64')}`, 'PX', 60_000);
      assert.equal(await store.getValue(KEY), undefined, `bit flipped at ${at}`);
    }
    await store.setValue(KEY, CLAIMS, 60_000);
    const other = new RedisCacheStore(client, { prefix, encryptionKey: randomBytes(32) });
    assert.equal(await other.getValue(KEY), undefined, 'sealed with another key');
    // Swapped key: mallory's sealed value copied under alice's key name is refused (AAD = key name).
    await client.set(name, (await client.get(store.keyNames('introspection:other').value)) as string);
    assert.equal(await store.getValue(KEY), undefined);
    // A sealed token moved into the value slot of the same cache key is refused too.
    await store.set(KEY, { accessToken: 'a', tokenType: 'Bearer', expiresAt: Date.now() + 60_000 }, 60_000);
    await client.set(name, (await client.get(store.keyNames(KEY).token)) as string);
    assert.equal(await store.getValue(KEY), undefined);
  });

  test('encrypted store refuses a planted plaintext value; a plain store refuses a sealed one', async () => {
    const prefix = uniquePrefix();
    const sealed = new RedisCacheStore(client, { prefix, encryptionKey: randomBytes(32) });
    const plain = new RedisCacheStore(client, { prefix });
    await plain.setValue(KEY, '{"active":true,"sub":"planted"}', 60_000);
    assert.equal(await sealed.getValue(KEY), undefined);
    await sealed.setValue(KEY, CLAIMS, 60_000);
    assert.equal(await plain.getValue(KEY), undefined);
    for (const garbage of ['garbage', '', 'e1:AAAA', 'e1:!!!!']) {
      await client.set(sealed.keyNames(KEY).value, garbage, 'PX', 60_000);
      assert.equal(await sealed.getValue(KEY), undefined, garbage);
    }
  });
});
