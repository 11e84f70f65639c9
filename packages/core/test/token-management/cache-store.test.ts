import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenManagementError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import type { CacheStore } from '../../src/token-management/cache-store.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import type { ClientCredentialsTokenManagerOptions } from '../../src/token-management/manager-options.js';
import { MemoryCacheStore } from '../../src/token-management/memory-cache-store.js';
import { json, type LocalServer, startServer } from '../token/local-server.js';
import { recordingLogger } from './recording-logger.js';

describe('MemoryCacheStore', () => {
  test('is bounded: the least recently used token goes first', async () => {
    const store = new MemoryCacheStore({ maxEntries: 2 });
    const t = (n: number) => ({ accessToken: `t${n}`, tokenType: 'Bearer', expiresAt: Date.now() + 60_000 });
    await store.set('a', t(1), 60_000);
    await store.set('b', t(2), 60_000);
    await store.get('a');
    await store.set('c', t(3), 60_000);
    assert.equal(store.size, 2);
    assert.equal((await store.get('a'))?.accessToken, 't1');
    assert.equal(await store.get('b'), undefined);
  });

  test('keeps a value no longer than its TTL', async () => {
    const store = new MemoryCacheStore();
    await store.set('k', { accessToken: 't', tokenType: 'Bearer', expiresAt: Date.now() + 60_000 }, 300);
    assert.equal((await store.get('k'))?.accessToken, 't');
    await sleep(350);
    assert.equal(await store.get('k'), undefined);
  });

  test('lock: one holder at a time; release frees it; it expires by itself', async () => {
    const store = new MemoryCacheStore();
    const lock = await store.tryLock('k', 1000);
    assert.ok(lock);
    assert.equal(await store.tryLock('k', 1000), undefined);
    await lock.release();
    const again = await store.tryLock('k', 100);
    assert.ok(again);
    await sleep(150);
    assert.ok(await store.tryLock('k', 1000), 'an expired lock does not block');
    await again.release(); // a stale release must not free the new holder's lock
    assert.equal(await store.tryLock('k', 1000), undefined);
  });

  test('values: round trip, kept no longer than their TTL', async () => {
    const store = new MemoryCacheStore();
    await store.setValue('introspection:abc', '{"active":true}', 300);
    assert.equal(await store.getValue('introspection:abc'), '{"active":true}');
    await sleep(350);
    assert.equal(await store.getValue('introspection:abc'), undefined);
  });

  test('values: a zero, negative or NaN TTL stores nothing and drops the previous value', async () => {
    const store = new MemoryCacheStore();
    for (const ttl of [0, -1, Number.NaN]) {
      await store.setValue('k', 'old', 60_000);
      await store.setValue('k', 'new', ttl);
      assert.equal(await store.getValue('k'), undefined, `ttl ${ttl}`);
    }
    assert.equal(store.size, 0);
  });

  test('values count toward maxEntries with tokens: a flood of values evicts the least recently used', async () => {
    const store = new MemoryCacheStore({ maxEntries: 3 });
    await store.set('tok', { accessToken: 't', tokenType: 'Bearer', expiresAt: Date.now() + 60_000 }, 60_000);
    for (let i = 0; i < 100; i++) await store.setValue(`v${i}`, `value ${i}`, 60_000);
    assert.equal(store.size, 3);
    assert.equal(await store.get('tok'), undefined, 'the old token went first');
    assert.equal(await store.getValue('v0'), undefined);
    assert.equal(await store.getValue('v99'), 'value 99');
  });

  test('a value is never read back as a token under the same key, nor a token as a value', async () => {
    const store = new MemoryCacheStore();
    await store.setValue('k', '{"accessToken":"planted","tokenType":"Bearer","expiresAt":9e15}', 60_000);
    assert.equal(await store.get('k'), undefined);
    await store.set('k', { accessToken: 't', tokenType: 'Bearer', expiresAt: Date.now() + 60_000 }, 60_000);
    assert.equal((await store.get('k'))?.accessToken, 't');
    assert.equal(
      await store.getValue('k'),
      '{"accessToken":"planted","tokenType":"Bearer","expiresAt":9e15}',
    );
    await store.delete('k');
    assert.equal(await store.get('k'), undefined);
  });
});

describe('token manager with a shared store', () => {
  let server: LocalServer;
  let http: HttpClient;
  let issued = 0;
  let delayMs = 0;
  const managers: ClientCredentialsTokenManager[] = [];

  before(async () => {
    server = await startServer(async (_req, res) => {
      if (delayMs) await sleep(delayMs);
      json(res, 200, { access_token: `shared-${++issued}`, token_type: 'Bearer', expires_in: 300 });
    });
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    server.requests.length = 0;
    delayMs = 0;
  });

  function manager(options: Partial<ClientCredentialsTokenManagerOptions>): ClientCredentialsTokenManager {
    const m = new ClientCredentialsTokenManager({
      tokenEndpoint: server.url,
      clientId: 'svc',
      clientSecret: 'store-test-secret',
      httpClient: http,
      ...options,
    });
    managers.push(m);
    return m;
  }

  test('two managers (two "replicas") sharing a store with a lock fetch once between them', async () => {
    delayMs = 100;
    const store = new MemoryCacheStore();
    const a = manager({ store, lock: { pollIntervalMs: 10 } });
    const b = manager({ store, lock: { pollIntervalMs: 10 } });
    const [ta, tb] = await Promise.all([a.getToken(), b.getToken()]);
    assert.equal(server.requests.length, 1);
    assert.equal(ta.accessToken, tb.accessToken);
    // A third replica starting later reads the stored token.
    const c = manager({ store });
    assert.equal((await c.getToken()).accessToken, ta.accessToken);
    assert.equal(server.requests.length, 1);
  });

  test('a lock holder that never stores a token delays others only for lock.waitMs, then they fetch', async () => {
    const store = new MemoryCacheStore();
    const m = manager({ store, lock: { waitMs: 150, pollIntervalMs: 20 } });
    const held = await store.tryLock(m.cacheKey, 60_000);
    assert.ok(held, 'the test holds the lock like a crashed replica would');
    const started = Date.now();
    await m.getToken();
    assert.ok(Date.now() - started >= 140);
    assert.equal(server.requests.length, 1);
  });

  test("closed while waiting on another replica's lock: rejects with TokenManagementError manager_closed", async () => {
    const store = new MemoryCacheStore();
    const m = manager({ store, lock: { waitMs: 10_000, pollIntervalMs: 20 } });
    const held = await store.tryLock(m.cacheKey, 60_000);
    assert.ok(held, 'another replica holds the lock and never stores a token');
    const pending = m.getToken();
    const caught = pending.catch((e: unknown) => e);
    await sleep(50); // the manager is now polling for the holder's token
    const started = Date.now();
    await m.close();
    const error = await caught;
    assert.ok(error instanceof TokenManagementError, `got ${String(error)}`);
    assert.equal(error.code, 'manager_closed');
    assert.ok(Date.now() - started < 1000, 'close() ends the wait at once, not after lock.waitMs');
    assert.equal(server.requests.length, 0, 'a closed manager fetches nothing');
  });

  test("a crashed holder's lock expires and one waiter takes over well before lock.waitMs", async () => {
    const store = new MemoryCacheStore();
    const waiters = [1, 2, 3].map(() => manager({ store, lock: { waitMs: 10_000, pollIntervalMs: 20 } }));
    const held = await store.tryLock(waiters[0]?.cacheKey as string, 150);
    assert.ok(held);
    const started = Date.now();
    const tokens = await Promise.all(waiters.map((m) => m.getToken()));
    assert.ok(Date.now() - started < 5000, 'the takeover came from the lock expiring, not from waitMs');
    assert.equal(server.requests.length, 1, 'one waiter fetched; the others read its token');
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
  });

  test('Redis down: a rejecting store never fails a caller; one warning per outage', async () => {
    let down = true;
    const backing = new MemoryCacheStore();
    const flaky: CacheStore = {
      get: (k) => (down ? Promise.reject(new Error('ECONNREFUSED')) : backing.get(k)),
      set: (k, v, ttl) => (down ? Promise.reject(new Error('ECONNREFUSED')) : backing.set(k, v, ttl)),
      delete: (k) => backing.delete(k),
      tryLock: (k, ttl) => (down ? Promise.reject(new Error('ECONNREFUSED')) : backing.tryLock(k, ttl)),
    };
    const logger = recordingLogger();
    const m = manager({ store: flaky, logger, storeRetryMs: 0 });
    const first = await m.getToken();
    await m.getToken({ forceRenewal: true });
    await m.getToken({ forceRenewal: true });
    assert.equal(server.requests.length, 3);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    assert.equal(warnings.length, 1, logger.text());
    assert.ok(!logger.text().includes(first.accessToken));
    down = false;
    const renewed = await m.getToken({ forceRenewal: true });
    assert.equal(
      (await backing.get(m.cacheKey))?.accessToken,
      renewed.accessToken,
      'stored again once it is back',
    );
    assert.equal(logger.lines.filter((l) => l.level === 'info').length, 1, 'recovery is logged once');
  });

  test('a store that hangs is given up on after storeTimeoutMs', async () => {
    const hanging: CacheStore = {
      get: () => new Promise(() => {}),
      set: () => new Promise(() => {}),
      delete: async () => {},
    };
    const m = manager({ store: hanging, storeTimeoutMs: 50 });
    const token = await m.getToken();
    assert.match(token.accessToken, /^shared-/);
    assert.equal(server.requests.length, 1);
  });
});
