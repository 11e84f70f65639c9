/**
 * A provider's `expires_in` of 1e308 once became an expiry of Infinity, and a Redis `SET … PX Infinity` that
 * failed: the fleet never shared the token. It is clamped to a year where the response is read, so the
 * store's PX is accepted and another replica adopts the token.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ClientCredentialsTokenManager, createHttpClient } from '@identity-model/core';
import { Redis } from 'ioredis';
import { RedisCacheStore } from '../src/index.js';
import { redisUrl, uniquePrefix } from './support/redis-server.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

describe('RedisCacheStore with a hostile expires_in', () => {
  let client: Redis;
  let server: Server;
  let tokenEndpoint: string;
  let issued = 0;
  const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });

  before(async () => {
    client = new Redis(await redisUrl());
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Written verbatim: 1e308 is what the provider sent, not what JSON.stringify would make of it.
      res.end(`{"access_token":"shared-${++issued}","token_type":"Bearer","expires_in":1e308}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });
  after(async () => {
    await http.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await client.quit();
  });

  test('expires_in 1e308: Redis accepts the PX (one year) and a second replica adopts the token', async () => {
    const store = new RedisCacheStore(client, { prefix: uniquePrefix('expires-in') });
    const replica = () =>
      new ClientCredentialsTokenManager({
        tokenEndpoint,
        clientId: 'svc',
        clientSecret: 'x',
        httpClient: http,
        store,
      });
    const first = replica();
    const second = replica();
    try {
      const token = await first.getToken();
      assert.ok(Number.isFinite(token.expiresAt));
      const pttl = await client.pttl(store.keyNames(first.cacheKey).token);
      assert.ok(pttl > YEAR_MS - 60_000 && pttl <= YEAR_MS, `PTTL ${pttl}`);
      const adopted = await second.getToken();
      assert.equal(adopted.accessToken, token.accessToken);
      assert.equal(issued, 1, 'the second replica did not fetch its own token');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
