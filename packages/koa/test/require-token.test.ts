import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { BearerError } from '@identity-model/core';
import { claimIncludes, requireScopes, requireToken } from '@identity-model/koa';
import Router from '@koa/router';
import Koa from 'koa';
import { secretIssuer } from '../../../test/adapters/support/secret-tokens.js';

const a = secretIssuer('a');
const b = secretIssuer('b');

async function withServer(app: Koa, fn: (url: string) => Promise<void>): Promise<void> {
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

describe('@identity-model/koa requireToken', () => {
  test('answers RFC 6750 refusals and puts the token in ctx.state.auth', async () => {
    const app = new Koa();
    const router = new Router();
    router.get('/me', (ctx) => {
      ctx.body = { sub: ctx.state.auth?.claims.sub };
    });
    router.get('/write', requireScopes('write'), (ctx) => {
      ctx.body = 'written';
    });
    router.get('/roles', claimIncludes('roles', 'admin'), (ctx) => {
      ctx.body = 'admin';
    });
    app.use(requireToken({ ...a.options, realm: 'api' }));
    app.use(router.routes());
    await withServer(app, async (url) => {
      const read = bearer(await a.sign({ scope: 'read', roles: ['admin'] }));
      assert.deepEqual(await (await fetch(`${url}/me`, { headers: read })).json(), { sub: 'client-a' });
      const none = await fetch(`${url}/me`);
      assert.equal(none.status, 401);
      assert.equal(
        none.headers.get('www-authenticate'),
        'Bearer realm="api", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
      assert.deepEqual(await none.json(), {
        error: 'unauthorized',
        error_description: 'An access token is required',
      });
      const forbidden = await fetch(`${url}/write`, { headers: read });
      assert.equal(forbidden.status, 403);
      assert.equal(
        forbidden.headers.get('www-authenticate'),
        'Bearer realm="api", error="insufficient_scope", error_description="The access token lacks a scope this resource requires", scope="write", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
      assert.equal((await fetch(`${url}/roles`, { headers: read })).status, 200);
      const bad = await fetch(`${url}/me`, { headers: bearer(await b.sign()) });
      assert.equal(bad.status, 401);
      assert.equal(((await bad.json()) as { error: string }).error, 'invalid_token');
    });
  });

  test('passthrough: refused requests reach downstream with the reason, guards still refuse', async () => {
    const app = new Koa();
    const router = new Router();
    router.get('/', (ctx) => {
      ctx.body = { sub: ctx.state.auth?.claims.sub ?? null, error: ctx.state.authError?.code ?? null };
    });
    router.get('/read', requireScopes('read'), (ctx) => {
      ctx.body = 'ok';
    });
    app.use(requireToken({ ...a.options, passthrough: true }));
    app.use(router.routes());
    await withServer(app, async (url) => {
      assert.deepEqual(await (await fetch(url)).json(), { sub: null, error: 'token_missing' });
      const forged = bearer(await b.sign({ scope: 'read' }));
      assert.deepEqual(await (await fetch(url, { headers: forged })).json(), {
        sub: null,
        error: 'invalid_token',
      });
      assert.deepEqual(await (await fetch(url, { headers: bearer(await a.sign()) })).json(), {
        sub: 'client-a',
        error: null,
      });
      const guarded = await fetch(`${url}/read`, { headers: forged });
      assert.equal(guarded.status, 401);
      assert.match(guarded.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      assert.equal(
        (await fetch(`${url}/read`, { headers: bearer(await a.sign({ scope: 'read' })) })).status,
        200,
      );
    });
  });

  test('forwardErrors throws the refusal to upstream middleware, as ctx.throw would', async () => {
    const app = new Koa();
    const seen: unknown[] = [];
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        seen.push(error);
        const refusal = error as BearerError;
        ctx.status = refusal.status;
        ctx.set(refusal.headers);
        ctx.body = { problem: refusal.body.error };
      }
    });
    app.use(requireToken({ ...a.options, forwardErrors: true }));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    await withServer(app, async (url) => {
      const res = await fetch(url, { headers: { authorization: 'Bearer ' } });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { problem: 'invalid_request' });
    });
    assert.ok(seen[0] instanceof BearerError);
  });

  test("Koa's own error handling sends a thrown refusal's status and challenge", async () => {
    const app = new Koa();
    app.silent = true;
    app.use(requireToken({ ...a.options, forwardErrors: true, realm: 'api' }));
    app.use((ctx) => {
      ctx.body = 'ok';
    });
    await withServer(app, async (url) => {
      const res = await fetch(url);
      assert.equal(res.status, 401);
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="api", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
    });
  });
});
