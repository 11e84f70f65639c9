import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError, type StoredToken } from '@identity-model/core';
import { Redis } from 'ioredis';
import { RedisCacheStore } from '../src/index.js';
import { redisUrl, uniquePrefix } from './support/redis-server.js';

const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzdmMifQ.very-secret-signature';
const token = (): StoredToken => ({
  accessToken: ACCESS_TOKEN,
  tokenType: 'Bearer',
  expiresAt: Date.now() + 60_000,
  scope: 'read',
});

describe('RedisCacheStore encryption', () => {
  let client: Redis;
  before(async () => {
    client = new Redis(await redisUrl());
  });
  after(() => client.quit());

  test('a dump of Redis does not hand out the bearer token', async () => {
    const prefix = uniquePrefix();
    const store = new RedisCacheStore(client, { prefix, encryptionKey: randomBytes(32) });
    const value = token();
    await store.set('k', value, 60_000);
    const raw = await client.getBuffer(store.keyNames('k').token);
    assert.ok(raw);
    assert.ok(!raw.includes(ACCESS_TOKEN) && !raw.includes('very-secret-signature'));
    assert.ok(!raw.toString('latin1').includes(Buffer.from(ACCESS_TOKEN).toString('base64').slice(0, 20)));
    assert.deepEqual(await store.get('k'), value);
  });

  test('the key is accepted as a Buffer, hex, base64 or base64url, all meaning the same bytes', async () => {
    const key = randomBytes(32);
    const prefix = uniquePrefix();
    const writer = new RedisCacheStore(client, { prefix, encryptionKey: key });
    const value = token();
    await writer.set('k', value, 60_000);
    for (const encryptionKey of [
      key.toString('hex'),
      key.toString('base64'),
      key.toString('base64url'),
      new Uint8Array(key),
    ]) {
      assert.deepEqual(await new RedisCacheStore(client, { prefix, encryptionKey }).get('k'), value);
    }
  });

  test('an unusable key is refused at construction without echoing it', () => {
    const secretish = 'my-password-is-hunter2';
    for (const encryptionKey of [randomBytes(16), randomBytes(31).toString('base64'), secretish, '']) {
      assert.throws(
        () => new RedisCacheStore(client, { encryptionKey }),
        (err: unknown) => err instanceof ConfigurationError && !err.message.includes('hunter2'),
      );
    }
  });

  test('tampered ciphertext is a miss (forged token)', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix(), encryptionKey: randomBytes(32) });
    await store.set('k', token(), 60_000);
    const name = store.keyNames('k').token;
    const raw = (await client.get(name)) as string;
    const bytes = Buffer.from(raw.slice(3), 'base64');
    for (const at of [0, 13, 30, bytes.length - 1]) {
      const forged = Buffer.from(bytes);
      forged[at]! ^= 1;
      await client.set(name, `e1:${forged.toString('base64')}`, 'PX', 60_000);
      assert.equal(await store.get('k'), undefined, `bit flipped at ${at}`);
    }
  });

  test('a value sealed with another key is a miss', async () => {
    const prefix = uniquePrefix();
    await new RedisCacheStore(client, { prefix, encryptionKey: randomBytes(32) }).set('k', token(), 60_000);
    assert.equal(
      await new RedisCacheStore(client, { prefix, encryptionKey: randomBytes(32) }).get('k'),
      undefined,
    );
  });

  test('a sealed value copied under another key name is a miss (token swap between clients)', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix(), encryptionKey: randomBytes(32) });
    await store.set('client-a', token(), 60_000);
    const raw = (await client.get(store.keyNames('client-a').token)) as string;
    await client.set(store.keyNames('client-b').token, raw, 'PX', 60_000);
    assert.equal(await store.get('client-b'), undefined);
    assert.ok(await store.get('client-a'));
  });

  test('a plaintext value planted in an encrypting store is a miss (token injection)', async () => {
    const prefix = uniquePrefix();
    const encrypting = new RedisCacheStore(client, { prefix, encryptionKey: randomBytes(32) });
    await new RedisCacheStore(client, { prefix }).set('k', token(), 60_000);
    assert.equal(await encrypting.get('k'), undefined);
    // and the other way round: a store without the key cannot read sealed values
    await encrypting.set('k2', token(), 60_000);
    assert.equal(await new RedisCacheStore(client, { prefix }).get('k2'), undefined);
  });
});
