import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import {
  type RedisServer,
  redisUrl,
  startRedisServer,
  uniquePrefix,
} from '../../packages/redis/test/support/redis-server.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { type Fleet, type ReplicaReply, startFleet } from './support/fleet.js';

const REPLICAS = 8;
const CONCURRENCY = 50;

function allTokens(replies: ReplicaReply[]): string[] {
  for (const r of replies) assert.deepEqual(r.errors ?? [], [], 'no caller fails');
  return replies.flatMap((r) => r.tokens ?? []);
}

// Real processes, real Redis, real oidc-provider: what a service scaled to many replicas does. One fleet
// serves every scenario (starting 8 processes is the expensive part); the scenario killing a replica runs last.
let fleet: Fleet;
let idp: TestIdp;
let url: string;

before(async () => {
  // The fleet first, on its own: if the provider then fails to start, `after` still stops the replicas
  // (a replica left running keeps this file's process, and the whole run, alive).
  fleet = await startFleet(REPLICAS);
  [idp, url] = await Promise.all([startIdp(), redisUrl()]);
});
after(async () => {
  await Promise.all([fleet?.close(), idp?.close()]);
});

describe('a fleet of replicas sharing a RedisCacheStore', () => {
  let admin: Redis;
  before(() => {
    admin = new Redis(url);
  });
  after(() => admin.disconnect());

  function configure(prefix: string, redis = url, store: { encryptionKey?: string } = {}) {
    return fleet.configureAll(() => ({
      type: 'configure',
      redisUrl: redis,
      // Generous bounds: on a loaded machine a round trip can take hundreds of ms, and a timeout would
      // (correctly) make a replica fetch by itself, which is not what these scenarios test.
      store: { prefix, commandTimeoutMs: 3000, ...store },
      manager: {
        issuer: idp.issuer,
        clientId: idp.clients.basic.clientId,
        clientSecret: idp.clients.basic.clientSecret,
        lock: { ttlMs: 10_000, waitMs: 10_000, pollIntervalMs: 25 },
        storeTimeoutMs: 3000,
        storeRetryMs: 100,
      },
    }));
  }

  test(`${REPLICAS} processes × ${CONCURRENCY} concurrent getToken → exactly one token request at the provider`, async () => {
    await configure(uniquePrefix('fleet'));
    idp.tokenDelayMs = 300; // hold the fetch in flight while the whole fleet asks
    idp.resetCounts();
    try {
      const tokens = allTokens(await fleet.runAll({ scope: 'read', concurrency: CONCURRENCY }));
      assert.equal(tokens.length, REPLICAS * CONCURRENCY);
      assert.equal(new Set(tokens).size, 1, 'every caller in every replica got the same token');
      assert.equal(idp.counts.token, 1);
    } finally {
      idp.tokenDelayMs = 0;
    }
  });

  test('with encryptionKey, the fleet still shares one token and Redis holds no bearer token', async () => {
    const prefix = uniquePrefix('fleet-enc');
    await configure(prefix, url, { encryptionKey: randomBytes(32).toString('base64') });
    idp.tokenDelayMs = 200;
    idp.resetCounts();
    try {
      const tokens = allTokens(await fleet.runAll({ scope: 'write', concurrency: 10 }));
      assert.equal(new Set(tokens).size, 1);
      assert.equal(idp.counts.token, 1);
      const keys = await admin.keys(`${prefix}*`);
      assert.equal(keys.length, 1, 'the token, and no lock left behind');
      const raw = (await admin.getBuffer(keys[0]!)) as Buffer;
      const token = tokens[0]!;
      assert.ok(
        !raw.includes(token) && !raw.includes(token.split('.')[1]!) && !raw.includes(token.split('.')[2]!),
      );
    } finally {
      idp.tokenDelayMs = 0;
    }
  });
});

describe('a fleet whose Redis goes down mid-run', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(() => redis.close());

  test('callers still get tokens while Redis is down, and the fleet shares again once it is back', async () => {
    const prefix = uniquePrefix('fleet-outage');
    await fleet.configureAll(() => ({
      type: 'configure',
      redisUrl: redis.url,
      store: { prefix, commandTimeoutMs: 3000 },
      manager: {
        issuer: idp.issuer,
        clientId: idp.clients.basic.clientId,
        clientSecret: idp.clients.basic.clientSecret,
        lock: { ttlMs: 10_000, waitMs: 10_000, pollIntervalMs: 25 },
        storeTimeoutMs: 3000,
        storeRetryMs: 100,
      },
    }));
    await fleet.waitForStatus((s) => s === 'ready');
    idp.tokenDelayMs = 300;
    idp.resetCounts();
    try {
      const shared = allTokens(await fleet.runAll({ scope: 'read', concurrency: 20 }));
      assert.equal(new Set(shared).size, 1);
      assert.equal(idp.counts.token, 1);

      await redis.stop();
      await fleet.waitForStatus((s) => s !== 'ready');
      idp.resetCounts();
      // The token already held keeps being served from memory...
      assert.deepEqual(
        new Set(allTokens(await fleet.runAll({ scope: 'read', concurrency: 20 }))),
        new Set(shared),
      );
      assert.equal(idp.counts.token, 0);
      // ...and a token nobody holds yet is fetched by each replica on its own, once per replica.
      const alone = allTokens(await fleet.runAll({ scope: 'write', concurrency: 20 }));
      assert.equal(alone.length, REPLICAS * 20);
      assert.equal(idp.counts.token, REPLICAS);

      await redis.start();
      await fleet.waitForStatus((s) => s === 'ready');
      await new Promise((r) => setTimeout(r, 300)); // past storeRetryMs: the managers probe the store again
      idp.resetCounts();
      const again = allTokens(await fleet.runAll({ scope: 'read write', concurrency: 20 }));
      assert.equal(new Set(again).size, 1, 'sharing resumed');
      assert.equal(idp.counts.token, 1);
    } finally {
      idp.tokenDelayMs = 0;
    }
  });
});

describe('a fleet whose lock holder dies mid-fetch', () => {
  const LOCK_TTL_MS = 1000;
  const WAIT_MS = 8000; // longer than the lock TTL: a takeover must come from the lock expiring
  let tokenServer: ReturnType<typeof createServer>;
  let requests: number[] = [];
  let firstRequest: (index: number) => void = () => {};

  before(async () => {
    // A token endpoint that never answers the first request (the holder dies while it waits), then answers.
    // Each replica authenticates with its own secret, so the endpoint knows who is fetching.
    tokenServer = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      const basic = Buffer.from(
        (req.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const index = Number(decodeURIComponent(basic.split(':')[1] ?? '').replace('secret-', ''));
      requests.push(index);
      if (requests.length === 1) return firstRequest(index);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ access_token: `token-${requests.length}`, token_type: 'Bearer', expires_in: 300 }),
      );
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    tokenServer.closeAllConnections();
    await new Promise((r) => tokenServer.close(r));
  });

  test('another replica takes over once the lock expires, and the fleet still fetches only once more', async () => {
    const { port } = tokenServer.address() as AddressInfo;
    const prefix = uniquePrefix('fleet-kill');
    await fleet.configureAll((i) => ({
      type: 'configure',
      redisUrl: url,
      store: { prefix, commandTimeoutMs: 3000 },
      manager: {
        tokenEndpoint: `http://127.0.0.1:${port}/token`,
        clientId: 'svc',
        clientSecret: `secret-${i}`,
        lock: { ttlMs: LOCK_TTL_MS, waitMs: WAIT_MS, pollIntervalMs: 25 },
        storeTimeoutMs: 3000,
        timeoutMs: 60_000,
      },
    }));
    requests = [];
    const holder = new Promise<number>((resolve) => {
      firstRequest = resolve;
    });
    const started = Date.now();
    const runs = [...Array(REPLICAS).keys()].map((i) =>
      fleet.send(i, { type: 'run', scope: 'read', concurrency: CONCURRENCY }).then(
        (reply) => ({ i, reply }),
        () => ({ i, reply: undefined }),
      ),
    );
    const holderIndex = await holder;
    fleet.kill(holderIndex);

    const results = (await Promise.all(runs)).filter((r) => r.i !== holderIndex);
    const elapsed = Date.now() - started;
    const tokens = allTokens(results.map((r) => r.reply as ReplicaReply));
    assert.equal(tokens.length, (REPLICAS - 1) * CONCURRENCY);
    assert.equal(new Set(tokens).size, 1, 'the survivors share the token fetched by the one that took over');
    assert.equal(requests.length, 2, `token requests by replica: ${requests.join(', ')}`);
    assert.notEqual(requests[1], holderIndex);
    // Well before the wait fallback: the takeover came from the lock's expiry.
    assert.ok(elapsed < WAIT_MS - 2000, `took ${elapsed} ms`);
  });
});
