import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { BearerError } from '@identity-model/core';
import {
  claimCheck,
  claimEquals,
  requireAnyScope,
  requireScopes,
  requireToken,
  serviceFetch,
} from '@identity-model/express';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { secretIssuer } from '../../../test/adapters/support/secret-tokens.js';

const a = secretIssuer('a');
const b = secretIssuer('b');

async function withServer(app: Express, fn: (url: string) => Promise<void>): Promise<void> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

describe('@identity-model/express requireToken', () => {
  test('answers RFC 6750 refusals itself and hands claims to req.auth', async () => {
    const app = express();
    const auth = requireToken({ ...a.options, realm: 'api' });
    app.use(auth);
    app.get('/me', (req, res) => {
      res.json({ sub: req.auth?.claims.sub });
    });
    app.get('/write', requireScopes('write'), (_req, res) => {
      res.send('written');
    });
    app.get('/any', requireAnyScope('admin', 'read'), (_req, res) => {
      res.send('any');
    });
    await withServer(app, async (url) => {
      const ok = await fetch(`${url}/me`, { headers: bearer(await a.sign({ scope: 'read' })) });
      assert.deepEqual(await ok.json(), { sub: 'client-a' });
      const none = await fetch(`${url}/me`);
      assert.equal(none.status, 401);
      assert.equal(
        none.headers.get('www-authenticate'),
        'Bearer realm="api", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
      const malformed = await fetch(`${url}/me`, { headers: { authorization: 'Bearer a b' } });
      assert.equal(malformed.status, 400);
      assert.equal(((await malformed.json()) as { error: string }).error, 'invalid_request');
      const read = bearer(await a.sign({ scope: 'read' }));
      const forbidden = await fetch(`${url}/write`, { headers: read });
      assert.equal(forbidden.status, 403);
      assert.equal(
        forbidden.headers.get('www-authenticate'),
        'Bearer realm="api", error="insufficient_scope", error_description="The access token lacks a scope this resource requires", scope="write", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
      assert.equal((await fetch(`${url}/any`, { headers: read })).status, 200);
    });
    await auth.close();
  });

  test('forwardErrors hands a BearerError carrying status, headers and body to next(err)', async () => {
    const app = express();
    app.use(requireToken({ ...a.options, forwardErrors: true }));
    app.get('/tenant', claimEquals('tenant', 'acme'), (_req, res) => {
      res.send('ok');
    });
    const seen: unknown[] = [];
    const handler: ErrorRequestHandler = (err, _req, res, _next) => {
      seen.push(err);
      const error = err as BearerError;
      res
        .status(error.status)
        .set(error.headers)
        .json({ custom: true, ...error.body });
    };
    app.use(handler);
    await withServer(app, async (url) => {
      const missing = await fetch(`${url}/tenant`);
      assert.equal(missing.status, 401);
      assert.equal(((await missing.json()) as { custom: boolean }).custom, true);
      const wrongTenant = await fetch(`${url}/tenant`, { headers: bearer(await a.sign({ tenant: 'evil' })) });
      assert.equal(wrongTenant.status, 403);
      assert.match(wrongTenant.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    });
    assert.equal(seen.length, 2);
    assert.ok(seen.every((e) => e instanceof BearerError));
  });

  test("Express's default error handler sends a forwarded refusal's status and challenge", async () => {
    const app = express();
    app.set('env', 'test'); // the default handler would print the error otherwise
    app.use(requireToken({ ...a.options, forwardErrors: true }));
    app.get('/', (_req, res) => {
      res.send('ok');
    });
    await withServer(app, async (url) => {
      const res = await fetch(url, { headers: bearer(await b.sign()) });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    });
  });

  test('optional mode: anonymous requests pass, guards still require a token', async () => {
    const app = express();
    app.use(requireToken({ ...a.options, optional: true }));
    app.get('/', (req, res) => {
      res.json({ sub: req.auth?.claims.sub ?? null });
    });
    app.get('/read', requireScopes('read'), (_req, res) => {
      res.send('ok');
    });
    await withServer(app, async (url) => {
      assert.deepEqual(await (await fetch(url)).json(), { sub: null });
      assert.equal((await fetch(url, { headers: bearer(await b.sign()) })).status, 401);
      assert.equal((await fetch(`${url}/read`)).status, 401);
      assert.equal(
        (await fetch(`${url}/read`, { headers: bearer(await a.sign({ scope: 'read' })) })).status,
        200,
      );
    });
  });

  test('a guard without requireToken refuses with 401 instead of letting the request through', async () => {
    const app = express();
    app.get('/', requireScopes('read'), (_req, res) => {
      res.send('ok');
    });
    await withServer(app, async (url) => {
      const res = await fetch(url, { headers: bearer(await a.sign({ scope: 'read' })) });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    });
  });

  test('a custom check that throws reaches the error handler as a server error', async () => {
    const app = express();
    app.use(requireToken(a.options));
    app.get(
      '/',
      claimCheck(() => {
        throw new Error('lookup failed');
      }),
      (_req, res) => {
        res.send('ok');
      },
    );
    const seen: unknown[] = [];
    app.use(((err, _req, res, _next) => {
      seen.push(err);
      res.status(500).send('boom');
    }) as ErrorRequestHandler);
    await withServer(app, async (url) => {
      assert.equal((await fetch(url, { headers: bearer(await a.sign()) })).status, 500);
    });
    assert.match(String(seen[0]), /lookup failed/);
  });

  test('two requireToken instances on different routers keep their own issuer and realm', async () => {
    const app = express();
    const routerA = express.Router();
    routerA.use(requireToken({ ...a.options, realm: 'a' }));
    routerA.get('/', requireScopes('read'), (req, res) => {
      res.json({ iss: req.auth?.claims.iss });
    });
    const routerB = express.Router();
    routerB.use(requireToken({ ...b.options, realm: 'b' }));
    routerB.get('/', requireScopes('read'), (req, res) => {
      res.json({ iss: req.auth?.claims.iss });
    });
    app.use('/a', routerA);
    app.use('/b', routerB);
    await withServer(app, async (url) => {
      const tokenB = bearer(await b.sign({ scope: 'read' }));
      assert.deepEqual(await (await fetch(`${url}/b`, { headers: tokenB })).json(), { iss: b.issuer });
      const cross = await fetch(`${url}/a`, { headers: tokenB });
      assert.equal(cross.status, 401);
      assert.match(cross.headers.get('www-authenticate') ?? '', /^Bearer realm="a"/);
      const noScope = await fetch(`${url}/b`, { headers: bearer(await b.sign({ scope: 'write' })) });
      assert.match(
        noScope.headers.get('www-authenticate') ?? '',
        /^Bearer realm="b", error="insufficient_scope"/,
      );
    });
  });

  test('form-body tokens, when enabled, are read after express.urlencoded(); two methods at once are 400', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(requireToken({ ...a.options, allowBodyToken: true }));
    app.post('/', (req, res) => {
      res.json({ sub: req.auth?.claims.sub });
    });
    await withServer(app, async (url) => {
      const token = await a.sign();
      const form = new URLSearchParams({ access_token: token });
      assert.deepEqual(await (await fetch(url, { method: 'POST', body: form })).json(), { sub: 'client-a' });
      const both = await fetch(url, { method: 'POST', body: form, headers: bearer(token) });
      assert.equal(both.status, 400);
    });
  });

  test('serviceFetch refuses options without origins when built', () => {
    assert.throws(
      () =>
        serviceFetch({
          tokenEndpoint: 'http://127.0.0.1:1/token',
          clientId: 'c',
          clientSecret: 's',
          origins: [],
        }),
      /origins/,
    );
  });
  test('req.auth: readable and writable as before, in mounted apps too, and no property added to the request', async () => {
    const app = express();
    const inner = express();
    app.use(requireToken(a.options));
    inner.get('/who', (req, res) => {
      res.json({ sub: req.auth?.claims.sub ?? null, own: Object.hasOwn(req, 'auth') });
    });
    app.use('/inner', inner);
    app.get('/me', (req, res) => {
      const before = req.auth?.claims.sub;
      const own = Object.hasOwn(req, 'auth');
      req.auth = undefined; // a handler may still overwrite it
      res.json({ before, own, after: req.auth ?? null });
    });
    const other = express();
    other.get('/plain', (req, res) => res.json({ auth: req.auth ?? null }));
    await withServer(app, async (url) => {
      const headers = bearer(await a.sign());
      assert.deepEqual(await (await fetch(`${url}/me`, { headers })).json(), {
        before: 'client-a',
        own: false,
        after: null,
      });
      assert.deepEqual(await (await fetch(`${url}/inner/who`, { headers })).json(), {
        sub: 'client-a',
        own: false,
      });
    });
    // Another app's requests never see a token from this one.
    await withServer(other, async (url) => {
      assert.deepEqual(await (await fetch(`${url}/plain`, { headers: bearer(await a.sign()) })).json(), {
        auth: null,
      });
    });
  });
  test("req.auth set before requireToken, another library's auth on the prototype, a plain Node request", async () => {
    const app = express();
    app.use((req, _res, next) => {
      if (req.path === '/pre') req.auth = undefined; // set before requireToken saw the request
      next();
    });
    app.use(requireToken(a.options));
    app.get(['/me', '/pre'], (req, res) => {
      res.json({ sub: req.auth?.claims.sub ?? null, own: Object.hasOwn(req, 'auth') });
    });
    await withServer(app, async (url) => {
      const headers = bearer(await a.sign());
      assert.deepEqual(await (await fetch(`${url}/me`, { headers })).json(), { sub: 'client-a', own: false });
      assert.deepEqual(await (await fetch(`${url}/pre`, { headers })).json(), {
        sub: 'client-a',
        own: false,
      });
    });

    // Someone else's `auth` on the app's request prototype is left alone: ours lands in an own property.
    const theirs = express();
    Object.defineProperty(theirs.request, 'auth', { value: undefined, writable: true, configurable: true });
    theirs.use(requireToken(a.options));
    theirs.get('/me', (req, res) => {
      res.json({ sub: req.auth?.claims.sub ?? null, own: Object.hasOwn(req, 'auth') });
    });
    await withServer(theirs, async (url) => {
      const headers = bearer(await a.sign());
      assert.deepEqual(await (await fetch(`${url}/me`, { headers })).json(), { sub: 'client-a', own: true });
    });

    // Without Express (a bare node:http request): an own property, as always.
    const middleware = requireToken(a.options);
    const server = createServer((req, res) => {
      const request = req as unknown as Request & { originalUrl: string };
      request.originalUrl = req.url ?? '/';
      middleware(request, res as unknown as Response, () => {
        res.end(JSON.stringify({ sub: request.auth?.claims.sub ?? null, own: Object.hasOwn(req, 'auth') }));
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const answer = await fetch(`http://127.0.0.1:${port}/`, { headers: bearer(await a.sign()) });
      assert.deepEqual(await answer.json(), { sub: 'client-a', own: true });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await middleware.close();
    }
  });
});
