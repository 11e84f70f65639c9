/**
 * DPoP replay detection across a fleet (RFC 9449 §11.1): two replicas of one API (two Express servers on
 * their own ports, each with its own ioredis client and `RedisReplayStore` on one prefix, the same
 * `publicUrl` so a proof names the same `htu` at both) and a real Redis. A proof one replica accepted is
 * refused by the other; with Redis unreachable a DPoP request is answered 503, never accepted unchecked.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { RedisReplayStore } from '@identity-model/redis';
import { Redis } from 'ioredis';
import { redisUrl, uniquePrefix } from '../../packages/redis/test/support/redis-server.js';
import { type RunningApp, startApp } from '../security/support/apps.js';
import { type Answer, assertAnswer } from '../security/support/dpop-answer.js';
import { dpopHeaders, forgeProof, type ProofKeyPair, proofKey } from '../security/support/dpop-forge.js';
import { addProviderSecrets, createLogCapture } from '../security/support/log-capture.js';
import { rawRequest } from '../security/support/raw-http.js';
import { startIdp, type TestIdp } from '../support/idp.js';

const PUBLIC_URL = 'https://api.example.com';
const OFFERED = ['Bearer', 'DPoP'] as const;
const REPLAYED = { status: 401, scheme: 'DPoP', error: 'invalid_dpop_proof' } as const;

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('DPoP proofs replayed across replicas sharing a RedisReplayStore', () => {
  let idp: TestIdp;
  let url: string;
  const key: ProofKeyPair = proofKey();
  const logs = createLogCapture();
  const clients: Redis[] = [];
  const apps: RunningApp[] = [];

  before(async () => {
    [idp, url] = await Promise.all([startIdp(), redisUrl()]);
    addProviderSecrets(logs, idp);
  });
  after(async () => {
    for (const app of apps) await app.close();
    for (const client of clients) client.disconnect();
    await idp?.close();
  });

  /** One replica: its own Redis client and store (or none: the default in-memory store). */
  async function replica(store: 'redis' | 'memory', prefix = '', redis = url): Promise<RunningApp> {
    let replayStore: RedisReplayStore | undefined;
    if (store === 'redis') {
      const client = new Redis(redis, { retryStrategy: () => 100, maxRetriesPerRequest: 1 });
      client.on('error', () => {}); // the unreachable-Redis replica's connection errors are expected
      clients.push(client);
      replayStore = new RedisReplayStore(client, { prefix, commandTimeoutMs: 2000, logger: logs.logger });
    }
    const app = await startApp('express', {
      issuer: idp.issuer,
      audience: idp.audience,
      logger: logs.logger,
      publicUrl: PUBLIC_URL,
      ...(replayStore ? { dpop: { replayStore } } : {}),
    });
    apps.push(app);
    return app;
  }

  async function request(): Promise<[string, string][]> {
    const token = await idp.signToken({ sub: 'svc-basic', scope: 'read', cnf: { jkt: key.jkt } });
    const proof = forgeProof({ key, htu: `${PUBLIC_URL}/api`, accessToken: token });
    logs.addSecret(token, proof);
    return dpopHeaders(token, proof);
  }

  async function send(app: RunningApp, headers: [string, string][]): Promise<Answer> {
    const res = await rawRequest(app.port, { path: '/api', headers });
    return { status: res.status, headers: res.headers, json: res.json, body: res.body };
  }

  test('a proof accepted by replica A and replayed to replica B is refused (invalid_dpop_proof, dpop_replayed)', async () => {
    const prefix = uniquePrefix('dpop');
    const [a, b] = [await replica('redis', prefix), await replica('redis', prefix)];
    const headers = await request();
    assertAnswer(await send(a, headers), { status: 200, binding: 'dpop' }, OFFERED, 'first use at A');
    const linesBefore = logs.lines.length;
    assertAnswer(await send(b, headers), REPLAYED, OFFERED, 'replay at B');
    const causes = logs.lines
      .slice(linesBefore)
      .map((line) => (JSON.parse(line) as { cause?: string }).cause);
    assert.ok(causes.includes('dpop_replayed'), `causes logged: ${causes.join(', ')}`);
    assertAnswer(await send(a, headers), REPLAYED, OFFERED, 'replay at A');
    // A fresh proof for the same token is another request, accepted by either replica.
    assertAnswer(
      await send(b, await request()),
      { status: 200, binding: 'dpop' },
      OFFERED,
      'fresh proof at B',
    );
  });

  test('the same proof sent to both replicas at once, 10 times over: exactly one request is accepted', async () => {
    const prefix = uniquePrefix('dpop');
    const [a, b] = [await replica('redis', prefix), await replica('redis', prefix)];
    const headers = await request();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 ? a : b, headers)));
    assert.deepEqual(answers.map((x) => x.status).sort(), [200, ...Array(9).fill(401)]);
    for (const answer of answers.filter((x) => x.status === 401)) {
      assertAnswer(answer, REPLAYED, OFFERED, 'concurrent replay');
    }
  });

  test('without a shared store each replica sees only its own proofs (what the Redis store is for)', async () => {
    const [a, b] = [await replica('memory'), await replica('memory')];
    const headers = await request();
    assert.equal((await send(a, headers)).status, 200);
    assertAnswer(await send(a, headers), REPLAYED, OFFERED, 'replay at A, its own memory');
    assert.equal((await send(b, headers)).status, 200, 'B has its own memory: the replay is not seen');
  });

  test('Redis unreachable: a DPoP request is answered 503 temporarily_unavailable, a plain bearer one still passes', async () => {
    const down = await replica('redis', uniquePrefix('dpop'), `redis://127.0.0.1:${await closedPort()}`);
    const answer = await send(down, await request());
    assertAnswer(answer, { status: 503 }, OFFERED, 'Redis down');
    assert.equal(answer.headers['www-authenticate'], undefined, 'a 503 is not a challenge');
    assert.equal(answer.headers['retry-after'], '5', 'the default Retry-After (no retryAfter option)');
    const warnings = logs.lines.filter((line) => line.includes('Redis replay store unavailable'));
    assert.equal(warnings.length, 1, 'the store warns once per outage');
    const plain = await idp.signToken({ sub: 'svc-basic', scope: 'read' });
    logs.addSecret(plain);
    const res = await send(down, [['authorization', `Bearer ${plain}`]]);
    assert.equal(res.status, 200, res.body);
  });

  test('no log line holds a token or a proof', () => {
    assert.ok(logs.lines.length > 0);
    assert.deepEqual(logs.findLeaks(), []);
  });
});
