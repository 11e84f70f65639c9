import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DiscoveryCache, type DiscoveryCacheOptions } from '../../src/discovery/index.js';
import { createHttpClient } from '../../src/http/index.js';
import { type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { completeDocument } from './documents.js';

const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
const servers: LocalServer[] = [];
after(async () => {
  await Promise.all([http.close(), ...servers.map((s) => s.close())]);
});

/** A provider serving a complete document after `latencyMs`. */
async function provider(latencyMs = 0): Promise<LocalServer> {
  const server = await startServer(async (_req, res) => {
    if (latencyMs) await delay(latencyMs);
    sendJson(res, 200, completeDocument(server.url));
  });
  servers.push(server);
  return server;
}

const cache = (server: LocalServer, options: DiscoveryCacheOptions = {}) =>
  new DiscoveryCache(server.url, { httpClient: http, ...options });

/** Fails the test if a promise rejection goes unhandled while `fn` runs. */
async function withoutUnhandledRejections(fn: () => Promise<void>): Promise<void> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await fn();
    await delay(20);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
}

describe('DiscoveryCache robustness', () => {
  test('a throwing issuerComparer is a typed exception failure, not a rejection, and does not wedge the cache', async () => {
    const server = await provider();
    let calls = 0;
    const discovery = cache(server, {
      failureBackoffMs: 0,
      policy: {
        issuerComparer: () => {
          calls++;
          throw new Error('comparer bug');
        },
      },
    });
    await withoutUnhandledRejections(async () => {
      const first = await discovery.get();
      assert.equal(first.isSuccessful, false);
      assert.equal(first.errorType, 'exception');
      assert.match(first.error ?? '', /issuerComparer threw/);
      assert.equal((first.cause as Error).message, 'comparer bug');
      // Not stuck on a fetch that never settled: the next call fetches again.
      const second = await discovery.get();
      assert.equal(second.errorType, 'exception');
      const refreshed = await discovery.refresh();
      assert.equal(refreshed.errorType, 'exception');
    });
    assert.equal(calls, 3);
    assert.equal(server.count, 3);
    await discovery.close();
  });

  test('a get() waiting on a fetch when close() is called answers closed, not the fetched document', async () => {
    const server = await provider(100);
    const discovery = cache(server);
    const waiting = discovery.get();
    const refreshing = discovery.refresh();
    await delay(20);
    await discovery.close();
    for (const response of [await waiting, await refreshing]) {
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'exception');
      assert.match(response.error ?? '', /closed/);
    }
    // The fetch finished after close(): nothing it brought is served later either.
    await delay(120);
    const later = await discovery.get();
    assert.match(later.error ?? '', /closed/);
  });

  test('a stale document being refreshed when close() is called is not served', async () => {
    const server = await provider(100);
    const discovery = cache(server, { defaultTtlMs: 1, minTtlMs: 0 });
    const ok = await discovery.get();
    assert.equal(ok.isSuccessful, true, ok.error);
    await delay(10);
    const waiting = discovery.get();
    await delay(20);
    await discovery.close();
    assert.match((await waiting).error ?? '', /closed/);
    assert.equal(server.count, 2);
  });
});
