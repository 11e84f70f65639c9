/**
 * `followRedirects` against two real servers: the origin we call and another origin it redirects to, which
 * records everything it receives. Credentials, cookies and bodies never reach the other origin.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, describe, test } from 'node:test';
import { ConfigurationError, HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { type LocalServer, sendJson, startServer } from './local-server.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const servers: LocalServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The other origin: answers 200 and records each request (method, path, headers; bodies in `.bodies`). */
async function recorder(): Promise<{ server: LocalServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    sendJson(res, 200, { ok: true });
  });
  servers.push(server);
  return { server, seen };
}

/** The origin we call: `/go` answers `status` with `location`; anything else is recorded like `recorder`. */
async function redirecting(
  status: number,
  location: string | (() => string),
): Promise<{ server: LocalServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startServer((req, res) => {
    if (req.url === '/go') {
      res.writeHead(status, { location: typeof location === 'string' ? location : location() });
      res.end();
      return;
    }
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    sendJson(res, 200, { ok: true });
  });
  servers.push(server);
  return { server, seen };
}

const client = (options: Parameters<typeof createHttpClient>[0] = {}) =>
  createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000, ...options });

const CREDENTIALS = {
  Authorization: 'Bearer leaked-token',
  'Proxy-Authorization': 'Basic cHJveHk6c2VjcmV0',
  Cookie: 'session=leaked-session',
  DPoP: 'eyJ.leaked.proof',
  'X-Api-Key': 'leaked-api-key',
  'X-Tenant-Secret': 'leaked-tenant-secret',
};

describe('redirects never carry credentials, cookies or a body to another origin', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    test(`credential leak through a cross-origin ${status}: every authenticating header is dropped`, async () => {
      const other = await recorder();
      const api = await redirecting(status, `${other.server.url}/landing?x=1`);
      const http = client({ credentialHeaders: ['x-api-key'] });
      const response = await http.request({
        url: `${api.server.url}/go`,
        headers: { ...CREDENTIALS, 'X-Trace': 'kept' },
        credentialHeaders: ['X-Tenant-Secret'],
        followRedirects: true,
      });
      assert.equal(response.status, 200);
      assert.equal(response.url, `${other.server.url}/landing?x=1`);
      const headers = other.seen[0]?.headers ?? {};
      for (const name of Object.keys(CREDENTIALS)) {
        assert.equal(headers[name.toLowerCase()], undefined, `${name} reached the other origin`);
      }
      assert.equal(headers['x-trace'], 'kept', 'headers that do not authenticate still go');
      assert.equal(headers.host, new URL(other.server.url).host);
      await http.close();
    });
  }

  test('body leak through a cross-origin 307/308: refused with http_redirect, nothing reaches the other origin', async () => {
    for (const status of [307, 308]) {
      const other = await recorder();
      const api = await redirecting(status, `${other.server.url}/landing`);
      const http = client();
      const error = await http
        .request({
          url: `${api.server.url}/go`,
          body: new URLSearchParams({ client_secret: 'leaked-secret' }),
          followRedirects: true,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(error instanceof HttpError, `${status}: got ${String(error)}`);
      assert.equal(error.code, 'http_redirect');
      assert.equal(error.status, status);
      assert.doesNotMatch(error.message, /leaked/);
      assert.equal(other.server.count, 0, `${status}: the other origin received a request`);
      await http.close();
    }
  });

  test('a cross-origin 302/303 after a POST continues as a GET without the body', async () => {
    for (const status of [302, 303]) {
      const other = await recorder();
      const api = await redirecting(status, `${other.server.url}/landing`);
      const http = client();
      const response = await http.request({
        url: `${api.server.url}/go`,
        headers: CREDENTIALS,
        body: 'client_secret=leaked-secret',
        followRedirects: true,
      });
      assert.equal(response.status, 200);
      assert.equal(other.seen[0]?.method, 'GET');
      assert.equal(other.server.bodies[0], '');
      assert.equal(other.seen[0]?.headers['content-type'], undefined);
      assert.equal(other.seen[0]?.headers.authorization, undefined);
      await http.close();
    }
  });

  test('same-origin redirects keep credentials, cookies and (307/308) the body', async () => {
    for (const status of [307, 308]) {
      const api = await redirecting(status, '/next');
      const http = client();
      const response = await http.request({
        url: `${api.server.url}/go`,
        headers: { Authorization: 'Bearer same-origin', Cookie: 'session=s', DPoP: 'proof' },
        body: 'a=1',
        followRedirects: true,
      });
      assert.equal(response.status, 200);
      const seen = api.seen[0];
      assert.equal(seen?.method, 'POST');
      assert.equal(seen?.url, '/next');
      assert.equal(seen?.headers.authorization, 'Bearer same-origin');
      assert.equal(seen?.headers.cookie, 'session=s');
      assert.equal(seen?.headers.dpop, 'proof');
      assert.deepEqual(api.server.bodies, ['a=1', 'a=1']);
      await http.close();
    }
  });

  test('a hop that left the origin does not regain credentials by coming back', async () => {
    let away = '';
    const api = await redirecting(302, () => away);
    const bounce = await redirecting(302, `${api.server.url}/back`);
    away = `${bounce.server.url}/go`;
    const http = client();
    await http.request({ url: `${api.server.url}/go`, headers: CREDENTIALS, followRedirects: true });
    assert.equal(api.seen[0]?.url, '/back');
    assert.equal(api.seen[0]?.headers.authorization, undefined);
    assert.equal(api.seen[0]?.headers.cookie, undefined);
    await http.close();
  });
});

describe('redirect count is bounded', () => {
  async function loop(): Promise<LocalServer> {
    const server = await startServer((req, res) => {
      res.writeHead(302, { location: req.url ?? '/' });
      res.end();
    });
    servers.push(server);
    return server;
  }

  test('redirect loop: the default bound (5) then http_redirect', async () => {
    const server = await loop();
    const http = client();
    await assert.rejects(
      http.request({ url: server.url, followRedirects: true }),
      (e: unknown) => e instanceof HttpError && e.code === 'http_redirect' && /more than 5/.test(e.message),
    );
    assert.equal(server.count, 6);
    await http.close();
  });

  test('maxRedirects sets the bound; 0 follows none', async () => {
    const server = await loop();
    const http = client({ maxRedirects: 2 });
    await assert.rejects(http.request({ url: server.url, followRedirects: true }), HttpError);
    assert.equal(server.count, 3);
    server.resetCount();
    const none = client({ maxRedirects: 0 });
    await assert.rejects(none.request({ url: server.url, followRedirects: true }), HttpError);
    assert.equal(server.count, 1);
    await Promise.all([http.close(), none.close()]);
  });

  test('redirect options that cannot work are refused when the client is built', () => {
    for (const maxRedirects of [-1, 1.5, 21, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => client({ maxRedirects }), ConfigurationError, String(maxRedirects));
    }
    assert.throws(
      () => client({ credentialHeaders: ['x-api-key: secret-value'] }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigurationError);
        assert.doesNotMatch(e.message, /secret-value/, 'a pasted header value never reaches the message');
        return true;
      },
    );
    assert.throws(() => client({ credentialHeaders: 'x-api-key' as never }), ConfigurationError);
  });

  test('a malformed credentialHeaders on a request is a ConfigurationError, nothing is sent', async () => {
    const server = await loop();
    const http = client();
    await assert.rejects(
      http.request({ url: server.url, credentialHeaders: ['bad name'], followRedirects: true }),
      ConfigurationError,
    );
    assert.equal(server.count, 0);
    await http.close();
  });
});
