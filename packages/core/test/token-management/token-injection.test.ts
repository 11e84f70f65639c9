import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { Agent, interceptors, request, fetch as undiciFetch } from 'undici';
import { ConfigurationError, TokenManagementError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { createAuthenticatedFetch } from '../../src/token-management/authenticated-fetch.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/client-credentials-token-manager.js';
import { isInvalidTokenChallenge } from '../../src/token-management/injection-support.js';
import { clientCredentialsInterceptor } from '../../src/token-management/token-interceptor.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

describe('injecting tokens into outgoing calls', () => {
  let idp: LocalServer;
  let api: LocalServer;
  let other: LocalServer;
  let http: HttpClient;
  let manager: ClientCredentialsTokenManager;
  let issued = 0;
  /** How the API answers; per test. Default: 200 echoing what it saw. */
  let apiAnswer: (req: SeenRequest, res: ServerResponse) => void;
  const echo = (req: SeenRequest, res: ServerResponse) =>
    json(res, 200, { authorization: req.headers.authorization ?? null, body: req.body, path: req.path });
  const tokenRequests = () => idp.requests.length;
  const apiAuth = () => api.requests.map((r) => r.headers.authorization);

  before(async () => {
    idp = await startServer((_req, res) =>
      json(res, 200, { access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: 300 }),
    );
    api = await startServer((req, res) => apiAnswer(req, res));
    other = await startServer(echo);
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await manager?.close();
    await Promise.all([idp.close(), api.close(), other.close(), http.close()]);
  });
  afterEach(async () => {
    await manager.close();
    for (const s of [idp, api, other]) s.requests.length = 0;
  });
  const newManager = () => {
    manager = new ClientCredentialsTokenManager({
      tokenEndpoint: idp.url,
      clientId: 'svc',
      clientSecret: 'injection-secret',
      httpClient: http,
    });
    apiAnswer = echo;
    return manager;
  };

  describe('createAuthenticatedFetch', () => {
    test('the configured origin receives the bearer token', async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      const res = await f(`${api.origin}/orders`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { authorization: string }).authorization, `Bearer tok-${issued}`);
      await f(`${api.origin}/orders`);
      assert.equal(tokenRequests(), 1, 'the token is cached between calls');
    });

    test('token leak to another host: a non-matching origin gets no token', async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      await (await f(`${other.origin}/x`)).text();
      // Same host and port spelled differently is another origin too.
      await (await f(`${api.origin.replace('127.0.0.1', 'localhost')}/x`)).text();
      assert.equal(other.requests[0]?.headers.authorization, undefined);
      assert.equal(api.requests[0]?.headers.authorization, undefined);
      assert.equal(tokenRequests(), 0);
    });

    test('token leak through a redirect: the token is not sent to the origin redirected to', async () => {
      newManager();
      apiAnswer = (req, res) => {
        if (req.path === '/hop') {
          res.writeHead(302, { location: '/away' });
          return res.end();
        }
        res.writeHead(307, { location: `${other.origin}/landing` });
        res.end();
      };
      const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
      const res = await f(`${api.origin}/hop`, { method: 'POST', body: 'payload' });
      assert.equal(res.status, 200);
      assert.equal(res.url, `${other.origin}/landing`);
      const landed = (await res.json()) as { authorization: string | null };
      assert.equal(landed.authorization, null);
      assert.deepEqual(
        apiAuth(),
        [`Bearer tok-${issued}`, `Bearer tok-${issued}`],
        'same-origin hops keep the token',
      );
      assert.equal(api.requests[1]?.method, 'GET', '302 after POST continues as GET');
      assert.equal(other.requests[0]?.headers.authorization, undefined);
    });

    test('redirect: "manual" hands the redirect back; "error" rejects', async () => {
      newManager();
      apiAnswer = (_req, res) => {
        res.writeHead(302, { location: `${other.origin}/` });
        res.end();
      };
      const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
      const manual = await f(`${api.origin}/`, { redirect: 'manual' });
      assert.equal(manual.status, 302);
      await assert.rejects(f(`${api.origin}/`, { redirect: 'error' }), TypeError);
      assert.equal(other.requests.length, 0);
    });

    test("a caller's own Authorization header is left alone", async () => {
      const f = createAuthenticatedFetch(newManager(), { origins: [api.origin] });
      await (await f(`${api.origin}/`, { headers: { Authorization: 'Basic abc' } })).text();
      assert.deepEqual(apiAuth(), ['Basic abc']);
      assert.equal(tokenRequests(), 0);
    });

    test('401 invalid_token: exactly one renewal and one retry, body replayed', async () => {
      newManager();
      apiAnswer = (req, res) => {
        if (api.requests.length === 1) {
          res.writeHead(401, { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' });
          return res.end();
        }
        echo(req, res);
      };
      const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
      const res = await f(`${api.origin}/write`, {
        method: 'POST',
        body: JSON.stringify({ n: 1 }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { body: string }).body, '{"n":1}');
      assert.equal(tokenRequests(), 2, 'one renewal');
      assert.deepEqual(
        apiAuth(),
        [`Bearer tok-${issued - 1}`, `Bearer tok-${issued}`],
        'one retry with the new token',
      );
    });

    test('401 invalid_token twice: the second 401 goes to the caller (no loop); other 401s are not retried', async () => {
      newManager();
      apiAnswer = (_req, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
        res.end();
      };
      const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
      assert.equal((await f(`${api.origin}/`)).status, 401);
      assert.equal(api.requests.length, 2);
      assert.equal(tokenRequests(), 2);
      apiAnswer = (_req, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="api"' });
        res.end();
      };
      api.requests.length = 0;
      assert.equal((await f(`${api.origin}/`)).status, 401);
      assert.equal(api.requests.length, 1);
    });

    test('a streamed body is not replayed after a 401', async () => {
      newManager();
      apiAnswer = (_req, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
        res.end();
      };
      const f = createAuthenticatedFetch(manager, { origins: [api.origin] });
      const body = new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('stream'));
          c.close();
        },
      });
      const res = await f(`${api.origin}/`, { method: 'POST', body, duplex: 'half' } as RequestInit);
      assert.equal(res.status, 401);
      assert.equal(api.requests.length, 1);
      assert.equal(api.requests[0]?.body, 'stream');
    });

    test('origins must be bare origins', () => {
      const m = newManager();
      assert.throws(() => createAuthenticatedFetch(m, { origins: [] }), ConfigurationError);
      assert.throws(() => createAuthenticatedFetch(m, { origins: [`${api.origin}/path`] }), /origin only/);
    });
  });

  describe('clientCredentialsInterceptor (undici)', () => {
    let agent: Agent;
    before(() => {
      agent = new Agent();
    });
    after(() => agent.close());

    test('the configured origin receives the token; another origin does not', async () => {
      const dispatcher = agent.compose(clientCredentialsInterceptor(newManager(), { origins: [api.origin] }));
      const ok = await request(`${api.origin}/a`, { dispatcher });
      assert.equal(
        ((await ok.body.json()) as { authorization: string }).authorization,
        `Bearer tok-${issued}`,
      );
      const elsewhere = await request(`${other.origin}/b`, { dispatcher });
      await elsewhere.body.text();
      assert.equal(other.requests[0]?.headers.authorization, undefined);
    });

    test('token leak through an absolute-form path: the origin connected to decides, not the path', async () => {
      const dispatcher = agent.compose(clientCredentialsInterceptor(newManager(), { origins: [api.origin] }));
      const before = other.requests.length;
      const res = await dispatcher.request({ origin: other.origin, path: `${api.origin}/x`, method: 'GET' });
      await res.body.text();
      assert.equal(other.requests.length, before + 1);
      assert.equal(other.requests[before]?.headers.authorization, undefined);
    });

    test('token leak through a redirect: undici redirect interceptor and fetch re-check every hop', async () => {
      newManager();
      apiAnswer = (_req, res) => {
        res.writeHead(302, { location: `${other.origin}/landing` });
        res.end();
      };
      const inject = clientCredentialsInterceptor(manager, { origins: [api.origin] });
      for (const dispatcher of [
        agent.compose(interceptors.redirect({ maxRedirections: 3 }), inject),
        agent.compose(inject, interceptors.redirect({ maxRedirections: 3 })),
      ]) {
        const res = await request(`${api.origin}/start`, { dispatcher });
        assert.equal(res.statusCode, 200);
        await res.body.text();
      }
      const viaFetch = await undiciFetch(`${api.origin}/start`, { dispatcher: agent.compose(inject) });
      assert.equal(viaFetch.status, 200);
      await viaFetch.text();
      assert.equal(api.requests.length, 3);
      assert.ok(api.requests.every((r) => r.headers.authorization === `Bearer tok-${issued}`));
      assert.equal(other.requests.length, 3);
      assert.ok(other.requests.every((r) => r.headers.authorization === undefined));
    });

    test("a caller's own Authorization header is left alone", async () => {
      const dispatcher = agent.compose(clientCredentialsInterceptor(newManager(), { origins: [api.origin] }));
      const res = await request(api.origin, { dispatcher, headers: { authorization: 'Bearer mine' } });
      await res.body.text();
      assert.deepEqual(apiAuth(), ['Bearer mine']);
      assert.equal(tokenRequests(), 0);
    });

    test('401 invalid_token: exactly one renewal and one retry; the caller sees only the retry', async () => {
      newManager();
      apiAnswer = (req, res) => {
        if (api.requests.length === 1) {
          res.writeHead(401, {
            'www-authenticate': 'Bearer error="invalid_token", error_description="expired"',
          });
          return res.end('rejected');
        }
        echo(req, res);
      };
      const dispatcher = agent.compose(clientCredentialsInterceptor(manager, { origins: [api.origin] }));
      const res = await request(`${api.origin}/p`, { dispatcher, method: 'PUT', body: 'data' });
      assert.equal(res.statusCode, 200);
      const seen = (await res.body.json()) as { body: string; authorization: string };
      assert.equal(seen.body, 'data');
      assert.equal(seen.authorization, `Bearer tok-${issued}`);
      assert.equal(tokenRequests(), 2);
      assert.equal(api.requests.length, 2);
    });

    test('no token to be had: the request fails with the manager error and is never sent', async () => {
      const failing = new ClientCredentialsTokenManager({
        tokenEndpoint: `${other.origin}/nothing-here`,
        clientId: 'svc',
        clientSecret: 's',
        httpClient: http,
      });
      try {
        const dispatcher = agent.compose(clientCredentialsInterceptor(failing, { origins: [api.origin] }));
        newManager();
        await assert.rejects(request(api.origin, { dispatcher }), TokenManagementError);
        assert.equal(api.requests.length, 0);
      } finally {
        await failing.close();
      }
    });
  });

  test('WWW-Authenticate parsing recognises only a Bearer invalid_token challenge', () => {
    assert.equal(isInvalidTokenChallenge('Bearer realm="a, b", error="invalid_token"'), true);
    assert.equal(isInvalidTokenChallenge('Basic realm="x", Bearer error=invalid_token'), true);
    assert.equal(isInvalidTokenChallenge(['Basic realm="x"', 'bearer error="invalid_token"']), true);
    assert.equal(isInvalidTokenChallenge('Bearer error="insufficient_scope"'), false);
    assert.equal(isInvalidTokenChallenge('Basic realm="x", error="invalid_token"'), false);
    assert.equal(isInvalidTokenChallenge('Bearer realm="error=\\"invalid_token\\""'), false);
    assert.equal(isInvalidTokenChallenge(undefined), false);
  });
});
