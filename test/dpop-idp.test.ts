/**
 * DPoP end to end (RFC 9449): oidc-provider (its `dPoP` feature, nonces required) issues a DPoP-bound
 * client-credentials token to our manager, and our client uses it against our API through every adapter
 * (dpop mode 'required', server nonces on), with `createAuthenticatedFetch` and with the undici interceptor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenManager,
  clientCredentialsInterceptor,
  createAuthenticatedFetch,
  createHttpClient,
  generateDPoPKey,
  type HttpClient,
} from '@identity-model/core';
import { RedisCacheStore } from '@identity-model/redis';
import { Redis } from 'ioredis';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { redisUrl, uniquePrefix } from '../packages/redis/test/support/redis-server.js';
import { FRAMEWORKS, type RunningApp, startApp } from './security/support/apps.js';
import { startIdp, type TestIdp } from './support/idp.js';

describe('DPoP-bound client credentials from oidc-provider, used through every adapter', () => {
  let idp: TestIdp;
  let http: HttpClient;
  let manager: ClientCredentialsTokenManager;
  const apps: RunningApp[] = [];

  before(async () => {
    idp = await startIdp({ dpop: { nonces: true } });
    http = createHttpClient({ retryCount: 0 });
    manager = new ClientCredentialsTokenManager({
      tokenEndpoint: `${idp.issuer}/token`,
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
      scope: 'read',
      httpClient: http,
      dpop: true,
    });
  });
  after(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await manager.close();
    await Promise.all([http.close(), idp.close()]);
  });

  test('the provider issues a DPoP token bound to our key, after one use_dpop_nonce round trip', async () => {
    idp.resetCounts();
    const token = await manager.getToken();
    assert.equal(token.tokenType, 'DPoP');
    // First request without a nonce (refused: use_dpop_nonce), the second with the provider's nonce.
    assert.equal(idp.counts.token, 2);
    const { payload } = await jwtVerify(token.accessToken, createLocalJWKSet(idp.publicJwks()), {
      issuer: idp.issuer,
      audience: idp.audience,
    });
    assert.deepEqual(payload.cnf, { jkt: manager.dpop?.thumbprint });
    // The cached token is served afterwards: no more token requests.
    await manager.getToken();
    assert.equal(idp.counts.token, 2);
  });

  test('token confusion across replicas: a DPoP token in Redis is shared only by managers holding the same key', async () => {
    const redis = new Redis(await redisUrl());
    const store = new RedisCacheStore(redis, { prefix: uniquePrefix('dpop-cache') });
    const key = generateDPoPKey();
    const replica = (dpopKey = key) =>
      new ClientCredentialsTokenManager({
        tokenEndpoint: `${idp.issuer}/token`,
        clientId: idp.clients.basic.clientId,
        clientSecret: idp.clients.basic.clientSecret,
        scope: 'read',
        httpClient: http,
        store,
        dpop: { key: dpopKey },
      });
    const [a, b, other] = [replica(), replica(), replica(generateDPoPKey())];
    try {
      idp.resetCounts();
      const first = await a.getToken();
      const requests = idp.counts.token;
      // The second replica, same key: the token from Redis, no token request.
      assert.equal((await b.getToken()).accessToken, first.accessToken);
      assert.equal(idp.counts.token, requests);
      // Another key: its own token (bound to its own key), never the one it could not prove.
      const own = await other.getToken();
      assert.notEqual(own.accessToken, first.accessToken);
      assert.ok(idp.counts.token > requests);
      const { payload } = await jwtVerify(own.accessToken, createLocalJWKSet(idp.publicJwks()));
      assert.deepEqual(payload.cnf, { jkt: other.dpop?.thumbprint });
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
      await store.close?.();
      redis.disconnect();
    }
  });

  for (const framework of FRAMEWORKS) {
    describe(framework, () => {
      let app: RunningApp;
      before(async () => {
        app = await startApp(framework, {
          issuer: idp.issuer,
          audience: idp.audience,
          dpop: { mode: 'required', nonce: true },
        });
        apps.push(app);
      });

      test('createAuthenticatedFetch: 200 with auth.binding.jkt, the API nonce answered once then reused', async () => {
        const sent: string[] = [];
        const counting: typeof fetch = (input, init) => {
          sent.push(String(input));
          return fetch(input, init);
        };
        const f = createAuthenticatedFetch(manager, { origins: [app.url], fetch: counting });
        const res = await f(`${app.url}/api?page=1`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { binding?: unknown; scopes: string[] };
        assert.deepEqual(body.binding, { method: 'dpop', jkt: manager.dpop?.thumbprint });
        assert.deepEqual(body.scopes, ['read']);
        assert.equal(sent.length, 2, 'first proof without a nonce (401 use_dpop_nonce), then with it');
        const again = await f(`${app.url}/api`, { method: 'POST', body: 'x=1' });
        assert.equal(again.status, 200);
        await again.text();
        assert.equal(sent.length, 3, "the API's nonce went into the next proof at once");
      });

      test('clientCredentialsInterceptor: 200 with auth.binding.jkt', async () => {
        // The HTTP client's own dispatcher (an undici Agent), composed with the interceptor.
        const dispatcher = http.dispatcher.compose(
          clientCredentialsInterceptor(manager, { origins: [app.url] }),
        );
        const res = await dispatcher.request({ origin: app.url, path: '/api', method: 'GET' });
        assert.equal(res.statusCode, 200);
        const body = (await res.body.json()) as { binding?: unknown };
        assert.deepEqual(body.binding, { method: 'dpop', jkt: manager.dpop?.thumbprint });
      });

      test('token theft: the same DPoP-bound token sent as Bearer is refused with 401', async () => {
        const { accessToken } = await manager.getToken();
        const res = await fetch(`${app.url}/api`, { headers: { authorization: `Bearer ${accessToken}` } });
        assert.equal(res.status, 401);
        await res.text();
        const challenge = String(res.headers.get('www-authenticate'));
        assert.match(challenge, /^DPoP /);
        assert.match(challenge, /error="invalid_token"/);
      });

      test('token theft: the same token as DPoP with a proof from another key is refused with 401', async () => {
        const { accessToken } = await manager.getToken();
        const thief = new ClientCredentialsTokenManager({
          tokenEndpoint: `${idp.issuer}/token`,
          clientId: idp.clients.basic.clientId,
          clientSecret: idp.clients.basic.clientSecret,
          httpClient: http,
          dpop: true,
        });
        try {
          const stolen = {
            getToken: async () => ({ accessToken, tokenType: 'DPoP', expiresAt: Date.now() + 60_000 }),
            dpop: thief.dpop,
          };
          const f = createAuthenticatedFetch(stolen, { origins: [app.url] });
          const res = await f(`${app.url}/api`);
          assert.equal(res.status, 401);
          await res.text();
          assert.match(String(res.headers.get('www-authenticate')), /DPoP .*error="invalid_dpop_proof"/);
        } finally {
          await thief.close();
        }
      });
    });
  }
});
