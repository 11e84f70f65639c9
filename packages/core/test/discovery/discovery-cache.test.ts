import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
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

/** A provider whose behaviour the test switches: 'ok' serves a document, 'down' answers 503. */
async function provider(headers: Record<string, string> = {}, latencyMs = 0) {
  const state = { mode: 'ok' as 'ok' | 'down' };
  const server = await startServer(async (_req, res: ServerResponse) => {
    if (latencyMs) await delay(latencyMs);
    if (state.mode === 'down') return sendJson(res, 503, {});
    const o = server.url;
    sendJson(res, 200, completeDocument(o), headers);
  });
  servers.push(server);
  return { server, state };
}

function cache(server: LocalServer, options: DiscoveryCacheOptions = {}) {
  return new DiscoveryCache(server.url, { httpClient: http, ...options });
}

describe('DiscoveryCache', () => {
  test('100 concurrent cold calls make exactly 1 request; a cache hit makes none', async () => {
    const { server } = await provider({}, 50);
    const discovery = cache(server);
    const results = await Promise.all(Array.from({ length: 100 }, () => discovery.get()));
    assert.equal(server.count, 1);
    assert.ok(results.every((r) => r.isSuccessful && r === results[0]));
    const again = await discovery.get();
    assert.equal(again, results[0]);
    assert.equal(server.count, 1);
    await discovery.close();
  });

  test('after the default TTL the next call refetches', async () => {
    const { server } = await provider();
    const discovery = cache(server, { defaultTtlMs: 150, minTtlMs: 0 });
    await discovery.get();
    await discovery.get();
    assert.equal(server.count, 1);
    await delay(250);
    assert.equal((await discovery.get()).isSuccessful, true);
    assert.equal(server.count, 2);
  });

  test('Cache-Control max-age sets the TTL, clamped to maxTtlMs', async () => {
    const { server } = await provider({ 'cache-control': 'public, max-age=1' });
    const discovery = cache(server, { defaultTtlMs: 50, minTtlMs: 0 });
    await discovery.get();
    await delay(200);
    await discovery.get();
    assert.equal(server.count, 1, 'max-age=1 outlives the 50 ms default');
    await delay(1_000);
    await discovery.get();
    assert.equal(server.count, 2, 'refetched after max-age');

    const long = await provider({ 'cache-control': 'max-age=86400' });
    const clamped = cache(long.server, { minTtlMs: 0, maxTtlMs: 150 });
    await clamped.get();
    await delay(250);
    await clamped.get();
    assert.equal(long.server.count, 2, 'a day-long max-age is clamped to maxTtlMs');
  });

  test('max-age below the minimum is raised to minTtlMs', async () => {
    const { server } = await provider({ 'cache-control': 'max-age=0' });
    const discovery = cache(server, { minTtlMs: 60_000 });
    await discovery.get();
    await discovery.get();
    assert.equal(server.count, 1);
  });

  test('a failure is not cached, but a down provider is asked at most once per backoff', async () => {
    const { server, state } = await provider();
    state.mode = 'down';
    const discovery = cache(server, { failureBackoffMs: 300 });
    const first = await Promise.all(Array.from({ length: 20 }, () => discovery.get()));
    assert.ok(first.every((r) => r.isSuccessful === false && r.httpStatus === 503));
    assert.equal(server.count, 1);
    const during = await discovery.get();
    assert.equal(during.isSuccessful, false);
    assert.equal(server.count, 1, 'no request during the backoff');

    state.mode = 'ok';
    await delay(400);
    assert.equal((await discovery.get()).isSuccessful, true, 'the next call after the backoff fetches again');
    assert.equal(server.count, 2);
  });

  test('when a refresh fails the last good document keeps being served, with a warning', async () => {
    const { server, state } = await provider();
    const warnings: object[] = [];
    const noop = () => {};
    const discovery = cache(server, {
      defaultTtlMs: 100,
      minTtlMs: 0,
      failureBackoffMs: 10_000,
      logger: { debug: noop, info: noop, error: noop, warn: (obj) => warnings.push(obj) },
    });
    const good = await discovery.get();
    state.mode = 'down';
    await delay(150);
    assert.equal(await discovery.get(), good);
    assert.equal(await discovery.get(), good);
    assert.equal(server.count, 2, 'one failed refresh, then the backoff holds');
    assert.equal(warnings.length, 1);
    assert.match(JSON.stringify(warnings[0]), /servingStale":true/);

    const failed = await discovery.refresh();
    assert.equal(failed.isSuccessful, false, 'refresh() reports what the provider answered');
  });

  test('a stale document older than maxStaleMs is not served', async () => {
    const { server, state } = await provider();
    const discovery = cache(server, { defaultTtlMs: 50, minTtlMs: 0, maxStaleMs: 100, failureBackoffMs: 0 });
    await discovery.get();
    state.mode = 'down';
    await delay(200);
    assert.equal((await discovery.get()).isSuccessful, false);
  });

  test('refresh() fetches now and replaces the cached document', async () => {
    const { server } = await provider();
    const discovery = cache(server);
    const before = await discovery.get();
    const refreshed = await discovery.refresh();
    assert.equal(server.count, 2);
    assert.notEqual(refreshed, before);
    assert.equal(await discovery.get(), refreshed);
  });

  test('a closed cache answers with an error and makes no request', async () => {
    const { server } = await provider();
    const discovery = cache(server);
    await discovery.close();
    assert.equal((await discovery.get()).isSuccessful, false);
    assert.equal(server.count, 0);
  });
});
