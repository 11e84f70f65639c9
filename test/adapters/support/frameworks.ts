/**
 * The same small API in each framework, so one test matrix can run against all three:
 *   GET /claims  any valid token → { sub, client_id, iss, scopes }
 *   GET /read    scope `read`    → { ok: 'read' }
 *   GET /write   scope `write`   → { ok: 'write' }
 * `serviceFetch` (when `serviceToken` is given) is built the framework's own way.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  BearerAuthOptions,
  ServiceFetch,
  ServiceTokenOptions,
  ValidatedToken,
} from '@identity-model/core';
import * as expressAdapter from '@identity-model/express';
import { oidcAuth } from '@identity-model/fastify';
import * as koaAdapter from '@identity-model/koa';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

export interface ApiOptions {
  auth: BearerAuthOptions;
  serviceToken?: ServiceTokenOptions;
}

export interface RunningApi {
  url: string;
  serviceFetch: ServiceFetch | undefined;
  close(): Promise<void>;
}

export interface FrameworkHarness {
  name: 'fastify' | 'express' | 'koa';
  start(options: ApiOptions): Promise<RunningApi>;
}

function claimsOf(auth: ValidatedToken | undefined) {
  return {
    sub: auth?.claims.sub,
    client_id: auth?.claims.client_id,
    iss: auth?.claims.iss,
    scopes: auth?.scopes,
  };
}

async function listen(server: Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

export const fastifyHarness: FrameworkHarness = {
  name: 'fastify',
  async start({ auth, serviceToken }) {
    const app = Fastify();
    await app.register(oidcAuth, { ...auth, ...(serviceToken ? { serviceToken } : {}) });
    app.get('/claims', async (request) => claimsOf(request.auth));
    app.get('/read', { preHandler: app.requireScopes('read') }, async () => ({ ok: 'read' }));
    app.get('/write', { preHandler: app.requireScopes('write') }, async () => ({ ok: 'write' }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, serviceFetch: serviceToken ? app.serviceFetch : undefined, close: () => app.close() };
  },
};

export const expressHarness: FrameworkHarness = {
  name: 'express',
  async start({ auth, serviceToken }) {
    const app = express();
    const authenticate = expressAdapter.requireToken(auth);
    app.use(authenticate);
    app.get('/claims', (req, res) => {
      res.json(claimsOf(req.auth));
    });
    app.get('/read', expressAdapter.requireScopes('read'), (_req, res) => {
      res.json({ ok: 'read' });
    });
    app.get('/write', expressAdapter.requireScopes('write'), (_req, res) => {
      res.json({ ok: 'write' });
    });
    const serviceFetch = serviceToken ? expressAdapter.serviceFetch(serviceToken) : undefined;
    const server = app.listen(0, '127.0.0.1');
    const url = await listen(server);
    return {
      url,
      serviceFetch,
      async close() {
        await closeServer(server);
        await Promise.all([authenticate.close(), serviceFetch?.close()]);
      },
    };
  },
};

export const koaHarness: FrameworkHarness = {
  name: 'koa',
  async start({ auth, serviceToken }) {
    const app = new Koa();
    const router = new Router();
    router.get('/claims', (ctx) => {
      ctx.body = claimsOf(ctx.state.auth);
    });
    router.get('/read', koaAdapter.requireScopes('read'), (ctx) => {
      ctx.body = { ok: 'read' };
    });
    router.get('/write', koaAdapter.requireScopes('write'), (ctx) => {
      ctx.body = { ok: 'write' };
    });
    const authenticate = koaAdapter.requireToken(auth);
    app.use(authenticate);
    app.use(router.routes());
    const serviceFetch = serviceToken ? koaAdapter.serviceFetch(serviceToken) : undefined;
    const server = app.listen(0, '127.0.0.1');
    const url = await listen(server);
    return {
      url,
      serviceFetch,
      async close() {
        await closeServer(server);
        await Promise.all([authenticate.close(), serviceFetch?.close()]);
      },
    };
  },
};
