import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { ConfigurationError } from '@identity-model/core';
import { type OidcAuthInstance, oidcAuth } from '@identity-model/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { secretIssuer } from '../../../test/adapters/support/secret-tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    partner: OidcAuthInstance;
  }
}

const a = secretIssuer('a');
const b = secretIssuer('b');

function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

async function withApp(
  build: (app: FastifyInstance) => Promise<void> | void,
  fn: (app: FastifyInstance) => Promise<void>,
) {
  const app = Fastify();
  try {
    await build(app);
    await app.ready();
    await fn(app);
  } finally {
    await app.close();
  }
}

describe('@identity-model/fastify oidcAuth', () => {
  test('validates every request by default and hands the claims to the handler', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, { ...a.options, realm: 'api' });
        app.get('/me', async (request) => ({ sub: request.auth?.claims.sub, scopes: request.auth?.scopes }));
      },
      async (app) => {
        const ok = await app.inject({ url: '/me', headers: bearer(await a.sign({ scope: 'read write' })) });
        assert.equal(ok.statusCode, 200);
        assert.deepEqual(ok.json(), { sub: 'client-a', scopes: ['read', 'write'] });
        const none = await app.inject({ url: '/me' });
        assert.equal(none.statusCode, 401);
        assert.equal(
          none.headers['www-authenticate'],
          'Bearer realm="api", DPoP realm="api", algs="ES256 ES384 PS256 RS256 EdDSA"',
        );
        const unknown = await app.inject({ url: '/nowhere' });
        assert.equal(unknown.statusCode, 401, 'the hook runs before routing answers 404');
      },
    );
  });

  test('opt-in mode: only routes with app.authenticate or a guard are protected', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, { ...a.options, authenticateAll: false });
        app.get('/public', async (request) => ({ auth: request.auth ?? null }));
        app.get('/private', { preHandler: app.authenticate }, async (request) => ({
          sub: request.auth?.claims.sub,
        }));
        app.get('/read', { preHandler: app.requireScopes('read') }, async (request) => ({
          sub: request.auth?.claims.sub,
        }));
      },
      async (app) => {
        assert.deepEqual((await app.inject({ url: '/public' })).json(), { auth: null });
        assert.equal((await app.inject({ url: '/private' })).statusCode, 401);
        assert.equal((await app.inject({ url: '/read' })).statusCode, 401, 'a guard alone authenticates');
        const token = await a.sign({ scope: 'read' });
        assert.equal((await app.inject({ url: '/read', headers: bearer(token) })).json().sub, 'client-a');
        const write = await a.sign({ scope: 'write' });
        const refused = await app.inject({ url: '/read', headers: bearer(write) });
        assert.equal(refused.statusCode, 403);
        assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope".*scope="read"/);
      },
    );
  });

  test('guards as preHandlers: any scope, claims, custom checks', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, a.options);
        app.get('/any', { preHandler: app.requireAnyScope('admin', 'ops') }, async () => 'ok');
        app.get('/tenant', { preHandler: app.claimEquals('tenant', 'acme') }, async () => 'ok');
        app.get('/roles', { preHandler: app.claimIncludes('roles', 'admin') }, async () => 'ok');
        app.get('/check', { preHandler: app.claimCheck((c) => c.sub === 'client-a') }, async () => 'ok');
      },
      async (app) => {
        const good = bearer(await a.sign({ scope: 'ops', tenant: 'acme', roles: ['admin'] }));
        const bad = bearer(await a.sign({ sub: 'other', scope: 'read', tenant: 'evil', roles: ['user'] }));
        for (const url of ['/any', '/tenant', '/roles', '/check']) {
          assert.equal((await app.inject({ url, headers: good })).statusCode, 200, url);
          assert.equal((await app.inject({ url, headers: bad })).statusCode, 403, url);
        }
      },
    );
  });

  test('optional mode: no token passes unauthenticated, a bad token is still refused', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, { ...a.options, optional: true });
        app.get('/', async (request) => ({ sub: request.auth?.claims.sub ?? null }));
      },
      async (app) => {
        assert.deepEqual((await app.inject({ url: '/' })).json(), { sub: null });
        assert.equal((await app.inject({ url: '/', headers: bearer(await b.sign()) })).statusCode, 401);
        assert.deepEqual((await app.inject({ url: '/', headers: bearer(await a.sign()) })).json(), {
          sub: 'client-a',
        });
      },
    );
  });

  test('encapsulation: two issuers in sibling contexts each protect only their own routes', async () => {
    await withApp(
      async (app) => {
        await app.register(async (scope) => {
          await scope.register(oidcAuth, a.options);
          scope.get('/a', async (request) => ({ iss: request.auth?.claims.iss }));
        });
        await app.register(async (scope) => {
          await scope.register(oidcAuth, b.options);
          scope.get('/b', async (request) => ({ iss: request.auth?.claims.iss }));
        });
        app.get('/health', async () => 'up');
      },
      async (app) => {
        const tokenA = bearer(await a.sign());
        const tokenB = bearer(await b.sign());
        assert.equal((await app.inject({ url: '/a', headers: tokenA })).json().iss, a.issuer);
        assert.equal((await app.inject({ url: '/b', headers: tokenB })).json().iss, b.issuer);
        assert.equal((await app.inject({ url: '/a', headers: tokenB })).statusCode, 401);
        assert.equal((await app.inject({ url: '/b', headers: tokenA })).statusCode, 401);
        assert.equal((await app.inject({ url: '/health' })).statusCode, 200);
      },
    );
  });

  test('a named instance lives beside the default one in the same context', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, { ...a.options, authenticateAll: false, realm: 'internal' });
        await app.register(oidcAuth, {
          ...b.options,
          authenticateAll: false,
          name: 'partner',
          realm: 'partner',
        });
        app.get('/internal', { preHandler: app.requireScopes('read') }, async () => 'internal');
        app.get('/partner', { preHandler: app.partner.requireScopes('read') }, async () => 'partner');
      },
      async (app) => {
        const tokenA = bearer(await a.sign({ scope: 'read' }));
        const tokenB = bearer(await b.sign({ scope: 'read' }));
        assert.equal((await app.inject({ url: '/internal', headers: tokenA })).body, 'internal');
        assert.equal((await app.inject({ url: '/partner', headers: tokenB })).body, 'partner');
        const cross = await app.inject({ url: '/partner', headers: tokenA });
        assert.equal(cross.statusCode, 401);
        assert.match(
          String(cross.headers['www-authenticate']),
          /^Bearer realm="partner", error="invalid_token"/,
        );
      },
    );
  });

  test('a second unnamed instance in one context is refused with a message that says what to do', async () => {
    const app = Fastify();
    await app.register(oidcAuth, a.options);
    app.register(oidcAuth, b.options);
    await assert.rejects(
      async () => app.ready(),
      (error: unknown) => {
        assert.ok(error instanceof ConfigurationError);
        assert.match(error.message, /`name`/);
        return true;
      },
    );
    await app.close().catch(() => {});
  });

  test('logs refusals through request.log, without the token', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = Fastify({ logger: { level: 'debug', stream } });
    await app.register(oidcAuth, a.options);
    app.get('/', async () => 'ok');
    const token = await b.sign();
    const res = await app.inject({ url: '/', headers: bearer(token) });
    await app.close();
    assert.equal(res.statusCode, 401);
    const refusal = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'bearer token refused');
    assert.ok(refusal, 'a refusal is logged');
    assert.equal(refusal.code, 'invalid_token');
    assert.ok(refusal.reqId !== undefined, 'through the request logger');
    assert.ok(!lines.join('').includes(token.split('.')[2] ?? '!'), 'the token never reaches the log');
  });

  test('closes its validator when the app closes', async () => {
    const app = Fastify();
    await app.register(oidcAuth, a.options);
    await app.ready();
    const validator = app.oidc.authenticator.validator;
    await app.close();
    await assert.rejects(validator.validate(await a.sign({ jti: 'after-close' })));
  });

  test('serviceFetch without serviceToken options says what is missing', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, a.options);
      },
      async (app) => {
        await assert.rejects(app.serviceFetch('http://127.0.0.1:1/'), /serviceToken/);
      },
    );
  });

  test('a custom claim check that throws is a server error, not a refusal', async () => {
    await withApp(
      async (app) => {
        await app.register(oidcAuth, a.options);
        const boom = app.claimCheck(() => {
          throw new Error('lookup failed');
        });
        app.get('/', { preHandler: boom }, async () => 'ok');
      },
      async (app) => {
        assert.equal((await app.inject({ url: '/', headers: bearer(await a.sign()) })).statusCode, 500);
      },
    );
  });
  test('a validator failing unexpectedly (an Error or not) is a 500, not a refusal and not a hang', async () => {
    for (const failure of [new Error('validator crashed'), 'not an Error']) {
      await withApp(
        async (app) => {
          const validator = { validate: () => Promise.reject(failure), close: async () => {} };
          await app.register(oidcAuth, { validator, allowBodyToken: true });
          app.post('/me', async () => ({ reached: true }));
        },
        async (app) => {
          const answer = await app.inject({ method: 'POST', url: '/me', headers: bearer('a.b.c') });
          assert.equal(answer.statusCode, 500);
          assert.equal(answer.headers['www-authenticate'], undefined);
        },
      );
    }
  });
});
