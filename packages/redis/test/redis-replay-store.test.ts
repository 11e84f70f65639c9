import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError, type Logger } from '@identity-model/core';
import { Redis } from 'ioredis';
import { RedisReplayStore, ReplayStoreError } from '../src/index.js';
import { redisUrl, startRedisServer, uniquePrefix } from './support/redis-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

describe('RedisReplayStore', () => {
  let client: Redis;
  before(async () => {
    client = new Redis(await redisUrl());
  });
  after(() => client.quit());

  test('the first use of an identifier is accepted, every later one is a replay, across store instances', async () => {
    const prefix = uniquePrefix('replay');
    const a = new RedisReplayStore(client, { prefix });
    const b = new RedisReplayStore(client, { prefix });
    assert.equal(await a.setIfAbsent('jti-1', 60_000), true);
    assert.equal(await a.setIfAbsent('jti-1', 60_000), false);
    assert.equal(await b.setIfAbsent('jti-1', 60_000), false, 'another replica sees the same identifier');
    assert.equal(await b.setIfAbsent('jti-2', 60_000), true);
    assert.equal(
      await new RedisReplayStore(client, { prefix: uniquePrefix() }).setIfAbsent('jti-1', 60_000),
      true,
    );
  });

  test('of 50 concurrent uses of one identifier through 5 stores exactly one is accepted', async () => {
    const prefix = uniquePrefix('replay');
    const stores = Array.from({ length: 5 }, () => new RedisReplayStore(client, { prefix }));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => stores[i % 5]!.setIfAbsent('same-jti', 60_000)),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  test('the key is SET NX with the requested TTL; it holds a hash of the identifier, never the identifier', async () => {
    const prefix = uniquePrefix('replay');
    const store = new RedisReplayStore(client, { prefix });
    const jti = 'secret-looking-jti-0123456789';
    await store.setIfAbsent(jti, 30_000);
    const keys = await client.keys(`${prefix}*`);
    assert.deepEqual(keys, [store.keyName(jti)]);
    assert.ok(!keys[0]!.includes(jti));
    assert.match(keys[0]!.slice(prefix.length), /^[A-Za-z0-9_-]{43}$/, 'a base64url SHA-256');
    assert.equal(await client.get(keys[0]!), '1');
    const pttl = await client.pttl(keys[0]!);
    assert.ok(pttl > 25_000 && pttl <= 30_000, `pttl ${pttl}`);
    // A huge identifier costs a 43-character key like any other.
    const huge = 'x'.repeat(100_000);
    await store.setIfAbsent(huge, 30_000);
    assert.equal(store.keyName(huge).length, prefix.length + 43);
  });

  test('the TTL is clamped: at most maxTtlMs, at least 1 ms, a non-finite one is maxTtlMs', async () => {
    const prefix = uniquePrefix('replay');
    const store = new RedisReplayStore(client, { prefix, maxTtlMs: 10_000 });
    await store.setIfAbsent('long', 3_600_000_000);
    const long = await client.pttl(store.keyName('long'));
    assert.ok(long > 5_000 && long <= 10_000, `pttl ${long}`);
    await store.setIfAbsent('nan', Number.NaN);
    const nan = await client.pttl(store.keyName('nan'));
    assert.ok(nan > 5_000 && nan <= 10_000, `pttl ${nan}`);
    await store.setIfAbsent('inf', Number.POSITIVE_INFINITY);
    assert.ok((await client.pttl(store.keyName('inf'))) <= 10_000);
    // Zero or negative would make Redis refuse the SET: clamped to 1 ms, so the identifier is still recorded.
    assert.equal(await store.setIfAbsent('zero', 0), true);
    assert.equal(await store.setIfAbsent('negative', -5000), true);
  });

  test('an identifier can be used again once its TTL has passed', async () => {
    const store = new RedisReplayStore(client, { prefix: uniquePrefix('replay') });
    assert.equal(await store.setIfAbsent('short', 200), true);
    assert.equal(await store.setIfAbsent('short', 200), false);
    await sleep(350);
    assert.equal(await store.setIfAbsent('short', 200), true);
  });

  test('a closed store rejects instead of answering', async () => {
    const store = new RedisReplayStore(client, { prefix: uniquePrefix('replay') });
    await store.close();
    await assert.rejects(store.setIfAbsent('k', 1000), {
      name: 'ReplayStoreError',
      code: 'replay_store_closed',
    });
  });

  test('options are validated at construction', () => {
    assert.throws(() => new RedisReplayStore({} as Redis), ConfigurationError);
    assert.throws(() => new RedisReplayStore(client, { commandTimeoutMs: 0 }), ConfigurationError);
    assert.throws(() => new RedisReplayStore(client, { commandTimeoutMs: Number.NaN }), ConfigurationError);
    assert.throws(() => new RedisReplayStore(client, { maxTtlMs: 0 }), ConfigurationError);
    assert.throws(() => new RedisReplayStore(client, { maxTtlMs: 1.5 }), ConfigurationError);
    assert.throws(() => new RedisReplayStore(client, { prefix: 'p'.repeat(257) }), ConfigurationError);
    assert.throws(() => new RedisReplayStore(client, { prefix: 5 as unknown as string }), ConfigurationError);
  });
});

describe('RedisReplayStore when Redis cannot answer', () => {
  test('Redis stopped: setIfAbsent rejects promptly, warning once; back again: it answers and says so', async () => {
    const server = await startRedisServer();
    const client = new Redis(server.url, { retryStrategy: () => 50 });
    client.on('error', () => {}); // connection errors are expected here
    try {
      const { lines, logger } = recordingLogger();
      const store = new RedisReplayStore(client, {
        prefix: uniquePrefix('replay'),
        commandTimeoutMs: 150,
        logger,
      });
      assert.equal(await store.setIfAbsent('before', 60_000), true);
      await server.stop();
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        await assert.rejects(store.setIfAbsent(`during-${i}`, 60_000), (err: unknown) => {
          assert.ok(err instanceof ReplayStoreError, String(err));
          assert.ok(['replay_store_unavailable', 'replay_store_timeout'].includes(err.code), err.code);
          return true;
        });
        assert.ok(Date.now() - started < 2500, 'bounded');
      }
      assert.equal(lines.filter((l) => l.level === 'warn').length, 1, 'one warning per outage');
      assert.ok(!JSON.stringify(lines).includes('during-'), 'no identifier in a log line');
      await server.start();
      const deadline = Date.now() + 8000;
      let answered: boolean | undefined;
      while (answered === undefined && Date.now() < deadline) {
        answered = await store.setIfAbsent('after', 60_000).catch(() => undefined);
        if (answered === undefined) await sleep(50);
      }
      assert.equal(answered, true);
      assert.equal(lines.filter((l) => l.level === 'info').length, 1, 'recovery is logged once');
    } finally {
      client.disconnect();
      await server.close();
    }
  });

  test('a server that accepts the connection and never answers: rejects with replay_store_timeout', async () => {
    let connected!: () => void;
    const reached = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const accepted: Socket[] = [];
    const silent: Server = createServer((socket) => {
      accepted.push(socket);
      connected();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const client = new Redis({ host: '127.0.0.1', port, enableReadyCheck: false });
    client.on('error', () => {});
    try {
      await reached; // the TCP connection is up; nothing will ever answer on it
      const store = new RedisReplayStore(client, { commandTimeoutMs: 100 });
      const started = Date.now();
      await assert.rejects(store.setIfAbsent('k', 1000), { code: 'replay_store_timeout' });
      assert.ok(Date.now() - started < 1500);
    } finally {
      client.disconnect();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
      });
    }
  });

  test('nothing listening at all (a closed port): rejects with replay_store_unavailable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    try {
      const store = new RedisReplayStore(client, { commandTimeoutMs: 200 });
      await sleep(100); // let ioredis learn the port is closed
      await assert.rejects(store.setIfAbsent('k', 1000), (err: unknown) => {
        assert.ok(err instanceof ReplayStoreError);
        assert.ok(['replay_store_unavailable', 'replay_store_timeout'].includes(err.code), err.code);
        return true;
      });
    } finally {
      client.disconnect();
    }
  });
});
