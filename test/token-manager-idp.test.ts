import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ClientCredentialsTokenManager,
  type ClientCredentialsTokenManagerOptions,
  createAuthenticatedFetch,
  createHttpClient,
  type HttpClient,
  TokenManagementError,
} from '@identity-model/core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startIdp, type TestIdp } from './support/idp.js';

// The client-credentials manager and injection against a real oidc-provider, counted at the provider.
describe('ClientCredentialsTokenManager against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  const managers: ClientCredentialsTokenManager[] = [];
  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await idp.close();
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    idp.tokenDelayMs = 0;
    idp.resetCounts();
  });

  function manager(
    options: Partial<ClientCredentialsTokenManagerOptions> = {},
  ): ClientCredentialsTokenManager {
    const m = new ClientCredentialsTokenManager({
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
      scope: 'read',
      httpClient: http,
      ...options,
    });
    managers.push(m);
    return m;
  }

  test('100 concurrent getToken calls: exactly 1 token request at the provider', async () => {
    idp.tokenDelayMs = 50;
    const m = manager();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => m.getToken()));
    assert.equal(idp.counts.token, 1);
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    const { payload } = await jwtVerify(
      tokens[0]?.accessToken as string,
      createLocalJWKSet(idp.publicJwks()),
      {
        issuer: idp.issuer,
        audience: idp.audience,
      },
    );
    assert.equal(payload.scope, 'read');
    assert.equal(tokens[0]?.scope, 'read');
  });

  test('issuer + private_key_jwt: discovery finds the endpoint, the assertion authenticates', async () => {
    const client = idp.clients.privateKeyJwt;
    const m = manager({
      tokenEndpoint: undefined,
      issuer: idp.issuer,
      clientId: client.clientId,
      clientSecret: undefined,
      privateKey: client.privateJwk,
    });
    await m.getToken();
    await m.getToken({ forceRenewal: true });
    assert.equal(idp.counts.discovery, 1);
    assert.equal(idp.counts.token, 2);
  });

  test('forced renewal gets a new token from the provider', async () => {
    const m = manager();
    const first = await m.getToken();
    const second = await m.getToken({ forceRenewal: true });
    assert.notEqual(second.accessToken, first.accessToken);
    assert.equal(idp.counts.token, 2);
  });

  test('a refused client is a TokenManagementError carrying the provider error', async () => {
    const m = manager({ clientSecret: 'not-the-secret' });
    await assert.rejects(m.getToken(), (err: unknown) => {
      assert.ok(err instanceof TokenManagementError);
      assert.equal(err.error, 'invalid_client');
      assert.ok(!err.message.includes('not-the-secret'));
      return true;
    });
  });

  test('provider outage: a typed error, not cached; after recovery the next call gets a token', async () => {
    const m = manager({ failureBackoff: { initialMs: 50, maxMs: 50 } });
    await idp.stop();
    try {
      await assert.rejects(
        m.getToken(),
        (err: unknown) => err instanceof TokenManagementError && err.code === 'token_request_failed',
      );
    } finally {
      await idp.restart();
    }
    await sleep(100);
    const token = await m.getToken();
    assert.ok(token.accessToken.length > 0);
    assert.equal(idp.counts.token, 1);
  });

  test('injection: a real resource server sees a token it can verify; another origin sees none', async () => {
    const jwks = createLocalJWKSet(idp.publicJwks());
    const seen: Array<string | undefined> = [];
    const api: Server = createServer(async (req, res) => {
      seen.push(req.headers.authorization);
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      try {
        const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: idp.audience });
        res.end(JSON.stringify({ client: payload.client_id }));
      } catch {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      }
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const f = createAuthenticatedFetch(manager(), { origins: [origin] });
      const res = await f(`${origin}/orders`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { client: idp.clients.basic.clientId });
      const elsewhere = await f(`${origin.replace('127.0.0.1', 'localhost')}/orders`);
      assert.equal(elsewhere.status, 401);
      assert.equal(seen.length, 2);
      assert.equal(seen[1], undefined);
    } finally {
      await new Promise<void>((r) => {
        api.close(() => r());
        api.closeAllConnections();
      });
    }
  });
});

describe('refresh ahead with short-lived tokens from oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  before(async () => {
    idp = await startIdp({ accessTokenTtl: 2 });
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  test('inside the refresh window no caller waits: all are served from cache while one renewal runs', async () => {
    const m = new ClientCredentialsTokenManager({
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
      httpClient: http,
    });
    try {
      const first = await m.getToken();
      // A 2 s token: the window is min(60 s, 2 s / 4) = 0.5 s. Step into it and hold the renewal at the provider.
      await sleep(first.expiresAt - 500 - Date.now() + 50);
      idp.tokenDelayMs = 400;
      const during = await Promise.all(Array.from({ length: 50 }, () => m.getToken()));
      // A caller that waited for the renewal would hold the new token: all holding the old one proves none did.
      assert.ok(
        during.every((t) => t.accessToken === first.accessToken),
        'served from cache',
      );
      await sleep(550);
      idp.tokenDelayMs = 0;
      const renewed = await m.getToken();
      assert.notEqual(renewed.accessToken, first.accessToken);
      assert.equal(idp.counts.token, 2, 'exactly one renewal for 50 callers');
    } finally {
      await m.close();
    }
  });
});
