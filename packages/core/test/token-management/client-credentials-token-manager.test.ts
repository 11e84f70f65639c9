import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigurationError, TokenManagementError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import {
  type ClientCredentialsTokenManagerOptions,
  failureBackoffMs,
} from '../../src/token-management/manager-options.js';
import { completeDocument } from '../discovery/documents.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';
import { recordingLogger } from './recording-logger.js';

const SECRET = 'manager-test-secret-value';

describe('ClientCredentialsTokenManager', () => {
  let server: LocalServer;
  let http: HttpClient;
  let issued = 0;
  /** Answers token requests; replaced per test. */
  let answer: (req: SeenRequest, res: ServerResponse) => void | Promise<void>;
  const managers: ClientCredentialsTokenManager[] = [];

  const fresh =
    (extra: Record<string, unknown> = {}) =>
    (_req: SeenRequest, res: ServerResponse) =>
      json(res, 200, { access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: 300, ...extra });

  before(async () => {
    server = await startServer((req, res) => answer(req, res));
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    server.requests.length = 0;
  });

  function manager(
    options: Partial<ClientCredentialsTokenManagerOptions> = {},
  ): ClientCredentialsTokenManager {
    const m = new ClientCredentialsTokenManager({
      tokenEndpoint: server.url,
      clientId: 'svc',
      clientSecret: SECRET,
      scope: 'read',
      httpClient: http,
      ...options,
    });
    managers.push(m);
    return m;
  }

  test('100 concurrent callers share one token request', async () => {
    answer = async (req, res) => {
      await sleep(50);
      fresh()(req, res);
    };
    const m = manager();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => m.getToken()));
    assert.equal(server.requests.length, 1);
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    const token = tokens[0];
    assert.equal(token?.tokenType, 'Bearer');
    assert.ok((token?.expiresAt ?? 0) > Date.now() + 290_000);
    // And later callers are served from the cache.
    await m.getToken();
    assert.equal(server.requests.length, 1);
  });

  test('refresh ahead: inside the window callers get the cached token at once while one renewal runs', async () => {
    let renewalAnswered = false;
    answer = async (req, res) => {
      if (server.requests.length === 1) return fresh({ expires_in: 2 })(req, res);
      await sleep(300);
      renewalAnswered = true;
      fresh({ expires_in: 300 })(req, res);
    };
    // 2 s token: the window scales down to min(60 s, 2 s / 4) = 0.5 s.
    const m = manager();
    const first = await m.getToken();
    await sleep(first.expiresAt - 500 - Date.now() + 50);
    const during = await Promise.all(Array.from({ length: 20 }, () => m.getToken()));
    assert.equal(renewalAnswered, false, 'the callers did not wait for the renewal');
    assert.ok(during.every((t) => t.accessToken === first.accessToken));
    while (!renewalAnswered) await sleep(20);
    assert.equal(server.requests.length, 2, 'exactly one background renewal');
    await sleep(20);
    const after = await m.getToken();
    assert.notEqual(after.accessToken, first.accessToken);
    assert.equal(server.requests.length, 2);
  });

  test('a token past its expiry is never returned', async () => {
    answer = fresh({ expires_in: 0.2 });
    const m = manager({ refreshBeforeExpiry: 0 });
    const first = await m.getToken();
    await sleep(first.expiresAt - Date.now() + 20);
    const second = await m.getToken();
    assert.notEqual(second.accessToken, first.accessToken);
    assert.ok(second.expiresAt > Date.now());
  });

  test('forced renewal fetches a new token; concurrent forced callers share it', async () => {
    answer = fresh();
    const m = manager();
    const first = await m.getToken();
    const renewed = await Promise.all([
      m.getToken({ forceRenewal: true }),
      m.getToken({ forceRenewal: true }),
    ]);
    assert.equal(server.requests.length, 2);
    assert.notEqual(renewed[0].accessToken, first.accessToken);
    assert.equal(renewed[0].accessToken, renewed[1].accessToken);
    assert.equal((await m.getToken()).accessToken, renewed[0].accessToken);
  });

  test('failures are never cached: callers during a failure share it, then a backoff, then a new attempt', async () => {
    let fail = true;
    answer = async (req, res) => {
      await sleep(30);
      if (fail)
        json(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
      else fresh()(req, res);
    };
    const logger = recordingLogger();
    const m = manager({ failureBackoff: { initialMs: 100, maxMs: 100 }, logger });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => m.getToken()));
    assert.equal(server.requests.length, 1, 'concurrent callers shared one failing request');
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const err = (r as PromiseRejectedResult).reason;
      assert.ok(err instanceof TokenManagementError);
      assert.equal(err.code, 'token_request_failed');
      assert.equal(err.error, 'invalid_client');
      assert.equal(err.httpStatus, 401);
    }
    // Inside the backoff: fail fast, the provider is not asked again.
    await assert.rejects(m.getToken(), TokenManagementError);
    assert.equal(server.requests.length, 1);
    fail = false;
    await sleep(150);
    const token = await m.getToken();
    assert.match(token.accessToken, /^token-/);
    assert.equal(server.requests.length, 2);
    assert.ok(!logger.text().includes(SECRET));
  });

  test('429 with Retry-After is honoured: the manager waits at least as long as the provider asked', async () => {
    answer = (req, res) => {
      if (server.requests.length === 1) json(res, 429, { error: 'rate_limited' }, { 'retry-after': '1' });
      else fresh()(req, res);
    };
    const m = manager({ failureBackoff: { initialMs: 10, maxMs: 10 } });
    const err = await m.getToken().then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TokenManagementError);
    assert.equal(err.httpStatus, 429);
    assert.equal(err.retryAfter, 1);
    await sleep(200);
    await assert.rejects(m.getToken(), /not retried/);
    assert.equal(server.requests.length, 1, 'no request before Retry-After has passed');
    await sleep(900);
    await m.getToken();
    assert.equal(server.requests.length, 2);
  });

  test('the HTTP client retries a 429 after Retry-After for the manager, and the caller gets a token', async () => {
    answer = (req, res) => {
      if (server.requests.length === 1) json(res, 429, {}, { 'retry-after': '1' });
      else fresh()(req, res);
    };
    const retrying = createHttpClient({ retryCount: 2, retryBaseDelayMs: 10 });
    try {
      const m = manager({ httpClient: retrying });
      const started = Date.now();
      await m.getToken();
      assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
      assert.equal(server.requests.length, 2);
    } finally {
      await retrying.close();
    }
  });

  test('failure backoff doubles per consecutive failure up to the cap, with jitter, never under Retry-After', () => {
    const config = { backoffInitialMs: 1000, backoffMaxMs: 8000 };
    for (let i = 0; i < 50; i++) {
      const first = failureBackoffMs(1, config, undefined);
      const third = failureBackoffMs(3, config, undefined);
      const tenth = failureBackoffMs(10, config, undefined);
      assert.ok(first >= 800 && first <= 1200, String(first));
      assert.ok(third >= 3200 && third <= 4800, String(third));
      assert.ok(tenth >= 6400 && tenth <= 9600, String(tenth));
      assert.equal(failureBackoffMs(1, config, 20), 20_000);
      assert.equal(failureBackoffMs(1, config, 86_400), 300_000, 'a huge Retry-After is capped');
    }
  });

  test('expires_in missing: the configured default lifetime applies', async () => {
    answer = (_req, res) => json(res, 200, { access_token: 'no-expiry', token_type: 'Bearer' });
    const m = manager({ defaultLifetime: 42 });
    const before = Date.now();
    const token = await m.getToken();
    assert.ok(token.expiresAt >= before + 42_000 && token.expiresAt <= Date.now() + 42_000);
  });

  test('scope, resource and parameters go to the provider; the scope granted comes back', async () => {
    answer = fresh({ scope: 'read write' });
    const m = manager({
      scope: ['read', 'write'],
      resource: 'https://api.example/',
      parameters: { tenant: 't1' },
    });
    const token = await m.getToken();
    assert.equal(token.scope, 'read write');
    const form = server.requests[0]?.form;
    assert.equal(form?.get('scope'), 'read write');
    assert.equal(form?.get('resource'), 'https://api.example/');
    assert.equal(form?.get('tenant'), 't1');
  });

  test('cache keys: hashed, no secret, differ by scope, resource and parameters, not by scope order', () => {
    const a = manager({ scope: 'read write' });
    const b = manager({ scope: 'write read' });
    const c = manager({ scope: 'read' });
    const d = manager({ scope: 'read', resource: 'https://other/' });
    const e = manager({ scope: 'read', parameters: { tenant: 'x' } });
    assert.equal(a.cacheKey, b.cacheKey);
    assert.equal(new Set([a.cacheKey, c.cacheKey, d.cacheKey, e.cacheKey]).size, 4);
    for (const key of [a.cacheKey, c.cacheKey]) {
      assert.ok(!key.includes(SECRET) && !key.includes('svc'));
      assert.match(key, /^identity-model:client-credentials:[A-Za-z0-9_-]{43}$/);
    }
  });

  test('options that cannot work are refused at construction', () => {
    const base = { clientId: 'svc', clientSecret: 's', httpClient: http };
    assert.throws(() => new ClientCredentialsTokenManager({ ...base }), ConfigurationError);
    assert.throws(
      () => new ClientCredentialsTokenManager({ ...base, tokenEndpoint: server.url, issuer: server.origin }),
      /exactly one/,
    );
    assert.throws(
      () =>
        new ClientCredentialsTokenManager({ tokenEndpoint: server.url, clientId: 'svc', httpClient: http }),
      /clientSecret/,
    );
    assert.throws(
      () =>
        new ClientCredentialsTokenManager({ ...base, tokenEndpoint: server.url, refreshBeforeExpiry: -1 }),
      /refreshBeforeExpiry/,
    );
  });

  test('issuer: the token endpoint comes from discovery, read once', async () => {
    let discovery = 0;
    answer = (req, res) => {
      if (req.path === '/.well-known/openid-configuration') {
        discovery++;
        // What OpenID Connect Discovery 1.0 §3 requires (jwks_uri aside: a client needs no keys).
        return json(res, 200, {
          ...completeDocument(server.origin),
          jwks_uri: undefined,
          token_endpoint: `${server.origin}/token`,
        });
      }
      fresh()(req, res);
    };
    const m = manager({ tokenEndpoint: undefined, issuer: server.origin });
    await m.getToken();
    await m.getToken({ forceRenewal: true });
    assert.equal(discovery, 1);
    assert.equal(server.requests.filter((r) => r.path === '/token').length, 2);
  });

  test('close() ends the manager: later calls reject with manager_closed', async () => {
    answer = fresh();
    const m = manager();
    await m.getToken();
    await m.close();
    await assert.rejects(
      m.getToken(),
      (e: unknown) => e instanceof TokenManagementError && e.code === 'manager_closed',
    );
  });
});
