/**
 * `createAuthenticatedFetch` follows redirects itself (to decide the token per hop), so it must also do what
 * fetch does for the caller's own credentials: none of them follows a hop to another origin.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { createAuthenticatedFetch } from '../../src/token-management/authenticated-fetch.js';
import type { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import { json, type LocalServer, startServer } from '../token/local-server.js';
import { type ServiceTokenFixture, startServiceTokenFixture } from './service-token-fixture.js';

describe('createAuthenticatedFetch redirects', () => {
  let service: ServiceTokenFixture;
  let manager: ClientCredentialsTokenManager;
  let api: LocalServer;
  let other: LocalServer;

  before(async () => {
    service = await startServiceTokenFixture('redirect-secret');
    manager = service.manager;
    other = await startServer((_req, res) => json(res, 200, {}));
    api = await startServer((req, res) => {
      if (req.path === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
        return;
      }
      if (req.path === '/same') {
        res.writeHead(302, { location: '/away' });
        res.end();
        return;
      }
      if (req.path === '/away') {
        res.writeHead(307, { location: `${other.origin}/landing` });
        res.end();
        return;
      }
      json(res, 200, {});
    });
  });
  after(async () => {
    await Promise.all([service.close(), api.close(), other.close()]);
  });
  afterEach(() => {
    for (const s of [api, other]) s.requests.length = 0;
  });

  test("credential leak through a redirect: the caller's Cookie, Proxy-Authorization and DPoP stay on the origin", async () => {
    const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
    const credentials = {
      cookie: 'session=leaked-session',
      'proxy-authorization': 'Basic leaked',
      dpop: 'leaked.proof',
    };
    const res = await f(`${api.origin}/same`, { headers: { ...credentials, 'x-trace': 'kept' } });
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(api.requests.length, 2);
    for (const seen of api.requests) {
      assert.equal(seen.headers.cookie, credentials.cookie, 'same-origin hops keep them');
      assert.equal(seen.headers.authorization, `Bearer ${service.latest()}`);
    }
    const landed = other.requests[0]?.headers ?? {};
    for (const name of [...Object.keys(credentials), 'authorization']) {
      assert.equal(landed[name], undefined, `${name} reached the other origin`);
    }
    assert.equal(landed['x-trace'], 'kept');
  });

  test('redirect loop: bounded by maxRedirects', async () => {
    const f = createAuthenticatedFetch(manager, { origins: [api.origin], maxRedirects: 2 });
    await assert.rejects(f(`${api.origin}/loop`), TypeError);
    assert.equal(api.requests.length, 3);
  });

  test('maxRedirects that cannot bound anything is refused at construction', () => {
    for (const maxRedirects of [Number.NaN, -1, 1.5, 21, Number.POSITIVE_INFINITY, '3' as never]) {
      assert.throws(
        () => createAuthenticatedFetch(manager, { origins: [api.origin], maxRedirects }),
        ConfigurationError,
        String(maxRedirects),
      );
    }
  });
});
