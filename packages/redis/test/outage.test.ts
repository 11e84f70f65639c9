import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Logger, StoredToken } from '@identity-model/core';
import { Redis } from 'ioredis';
import { CacheStoreError, RedisCacheStore } from '../src/index.js';
import { type RedisServer, startRedisServer, uniquePrefix } from './support/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (): StoredToken => ({
  accessToken: 'at-secret',
  tokenType: 'Bearer',
  expiresAt: Date.now() + 60_000,
});
// Generous (the bound is 150 ms; the machine is shared and slow), yet short of what ioredis alone would
// take: it keeps a command queued through maxRetriesPerRequest (20) reconnection attempts.
const BOUND_MS = 2500;

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const log =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { lines, logger };
}

async function rejectsBounded(op: () => Promise<unknown>, code?: string): Promise<void> {
  const started = Date.now();
  await assert.rejects(op(), (err: unknown) => {
    assert.ok(err instanceof CacheStoreError, String(err));
    if (code) assert.equal(err.code, code);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < BOUND_MS, `took ${elapsed} ms`);
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  assert.fail('condition not met in time');
}

describe('RedisCacheStore when Redis is down or slow', () => {
  let server: RedisServer;
  let client: Redis;
  before(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, { retryStrategy: () => 50 });
    client.on('error', () => {}); // connection errors are expected here
  });
  after(async () => {
    client.disconnect();
    await server.close();
  });

  test('every operation rejects within its bound while Redis is stopped, warning once; recovery is logged', async () => {
    const { lines, logger } = recordingLogger();
    const store = new RedisCacheStore(client, { prefix: uniquePrefix(), commandTimeoutMs: 150, logger });
    await store.set('k', token(), 60_000);
    assert.ok(await store.get('k'));

    await server.stop();
    await rejectsBounded(() => store.get('k'));
    await rejectsBounded(() => store.set('k', token(), 60_000));
    await rejectsBounded(() => store.delete('k'));
    await rejectsBounded(() => store.tryLock('k', 5000));
    await Promise.all(Array.from({ length: 50 }, () => rejectsBounded(() => store.get('k'))));
    const warnings = lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, 'one warning per outage');
    assert.ok(!JSON.stringify(lines).includes('at-secret'));

    await server.start();
    await eventually(async () => (await store.set('k', token(), 60_000)) === undefined);
    assert.ok(await store.get('k'));
    assert.equal(lines.filter((l) => l.level === 'info').length, 1, 'recovery logged');

    await server.stop(); // a second outage warns again
    await rejectsBounded(() => store.get('k'));
    assert.equal(lines.filter((l) => l.level === 'warn').length, 2);
    await server.start();
    await eventually(async () => (await store.get('k')) === undefined); // a restarted server is empty
  });

  test('a Redis that accepts commands but does not answer: operations time out', async () => {
    await eventually(async () => (await client.ping()) === 'PONG');
    const store = new RedisCacheStore(client, { prefix: uniquePrefix(), commandTimeoutMs: 150 });
    const admin = new Redis(server.url);
    try {
      await admin.client('PAUSE', 1000, 'ALL');
      await rejectsBounded(() => store.get('k'), 'cache_store_timeout');
      await eventually(async () => (await store.get('k')) === undefined);
    } finally {
      admin.disconnect();
    }
  });

  test('a lock acquired after its tryLock timed out is released, not left to block the fleet', async () => {
    await eventually(async () => (await client.ping()) === 'PONG');
    const prefix = uniquePrefix();
    const store = new RedisCacheStore(client, { prefix, commandTimeoutMs: 150 });
    const admin = new Redis(server.url);
    try {
      await admin.client('PAUSE', 500, 'WRITE');
      await rejectsBounded(() => store.tryLock('k', 60_000), 'cache_store_timeout');
      // After the pause the SET lands; the store releases it at once rather than after 60 s.
      await eventually(async () => {
        const lock = await store.tryLock('k', 60_000);
        await lock?.release();
        return lock !== undefined;
      }, 4000);
    } finally {
      admin.disconnect();
    }
  });

  test('a client that never reached Redis: operations reject within their bound', async () => {
    const dead = await startRedisServer();
    await dead.stop();
    const orphan = new Redis(dead.url, { retryStrategy: () => 200 });
    orphan.on('error', () => {});
    try {
      const store = new RedisCacheStore(orphan, { prefix: uniquePrefix(), commandTimeoutMs: 150 });
      await rejectsBounded(() => store.get('k'));
      await rejectsBounded(() => store.tryLock('k', 1000));
    } finally {
      orphan.disconnect();
      await dead.close();
    }
  });

  test('values (introspection results): getValue and setValue reject within the bound when Redis is paused, stopped or the store closed', async () => {
    await eventually(async () => (await client.ping()) === 'PONG');
    const store = new RedisCacheStore(client, { prefix: uniquePrefix(), commandTimeoutMs: 150 });
    await store.setValue('k', '{"active":true}', 60_000);
    assert.equal(await store.getValue('k'), '{"active":true}');
    const admin = new Redis(server.url);
    try {
      await admin.client('PAUSE', 1000, 'ALL');
      await rejectsBounded(() => store.getValue('k'), 'cache_store_timeout');
      await rejectsBounded(() => store.setValue('k', '{"active":true}', 60_000), 'cache_store_timeout');
    } finally {
      admin.disconnect();
    }
    await eventually(async () => (await store.getValue('k')) === '{"active":true}');
    await server.stop();
    await rejectsBounded(() => store.getValue('k'));
    await rejectsBounded(() => store.setValue('k', '{"active":true}', 60_000));
    await rejectsBounded(() => store.setValue('k', '{"active":true}', 0));
    await Promise.all(Array.from({ length: 50 }, () => rejectsBounded(() => store.getValue('k'))));
    await server.start();
    await store.close();
    await rejectsBounded(() => store.getValue('k'), 'cache_store_closed');
    await rejectsBounded(() => store.setValue('k', 'v', 1000), 'cache_store_closed');
  });

  test('a closed store rejects', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix() });
    await store.close();
    await rejectsBounded(() => store.get('k'), 'cache_store_closed');
  });
});
