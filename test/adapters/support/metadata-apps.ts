/**
 * One small API per framework with RFC 9728 metadata and RFC 9470 step-up routes, built on a server that
 * already listens (the resource identifier names the port):
 *   GET /mcp             any valid token                     → { sub, aud }
 *   GET /mcp/tools       scopes `read` and `write`            → { ok }
 *   GET /mcp/strong      acr `urn:mfa` or `phr`                → { ok }
 *   GET /mcp/recent      auth_time within 60 s                 → { ok }
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BearerAuthOptions, ChallengeSettings, ValidatedToken } from '@identity-model/core';
import * as expressAdapter from '@identity-model/express';
import { oidcAuth } from '@identity-model/fastify';
import * as koaAdapter from '@identity-model/koa';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';

export type Framework = 'express' | 'fastify' | 'koa';
export const FRAMEWORKS: readonly Framework[] = ['express', 'fastify', 'koa'];

export const STRONG = { acr: ['urn:mfa', 'phr'] } as const;
export const RECENT = { maxAge: 60 } as const;

export interface MetadataApi {
  origin: string;
  /** What the authenticator puts in every challenge (realm, metadata URL, DPoP offered or not). */
  challenge: ChallengeSettings;
  close(): Promise<void>;
}

function body(auth: ValidatedToken | undefined) {
  return { sub: auth?.claims.sub, aud: auth?.claims.aud };
}

/** A server listening on an ephemeral loopback port, so the options can name it before the app exists. */
export async function listening(): Promise<{ server: Server; origin: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Starts the API in `framework`; `auth(origin)` gives the options once the origin is known. */
export async function startMetadataApi(
  framework: Framework,
  auth: (origin: string) => BearerAuthOptions,
): Promise<MetadataApi> {
  const { server, origin } = await listening();
  const options = auth(origin);
  if (framework === 'fastify') {
    const app = Fastify({
      serverFactory: (handler) => {
        server.on('request', handler);
        return server;
      },
    });
    await app.register(oidcAuth, options);
    app.get('/mcp', async (request) => body(request.auth));
    app.get('/mcp/tools', { preHandler: app.requireScopes('read', 'write') }, async () => ({ ok: true }));
    app.get('/mcp/strong', { preHandler: app.requireAuthentication(STRONG) }, async () => ({ ok: true }));
    app.get('/mcp/recent', { preHandler: app.requireAuthentication(RECENT) }, async () => ({ ok: true }));
    await app.ready();
    return {
      origin,
      challenge: app.oidc.authenticator.challenge,
      async close() {
        // Fastify closes only a server it listened on itself.
        await app.close();
        await closeServer(server);
      },
    };
  }
  if (framework === 'express') {
    const app = express();
    const authenticate = expressAdapter.requireToken(options);
    app.use(authenticate);
    app.get('/mcp', (req, res) => {
      res.json(body(req.auth));
    });
    app.get('/mcp/tools', expressAdapter.requireScopes('read', 'write'), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/mcp/strong', expressAdapter.requireAuthentication(STRONG), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/mcp/recent', expressAdapter.requireAuthentication(RECENT), (_req, res) => {
      res.json({ ok: true });
    });
    server.on('request', app);
    return {
      origin,
      challenge: authenticate.authenticator.challenge,
      async close() {
        await closeServer(server);
        await authenticate.close();
      },
    };
  }
  const app = new Koa();
  const router = new Router();
  router.get('/mcp', (ctx) => {
    ctx.body = body(ctx.state.auth);
  });
  router.get('/mcp/tools', koaAdapter.requireScopes('read', 'write'), (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/mcp/strong', koaAdapter.requireAuthentication(STRONG), (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/mcp/recent', koaAdapter.requireAuthentication(RECENT), (ctx) => {
    ctx.body = { ok: true };
  });
  const authenticate = koaAdapter.requireToken(options);
  app.use(authenticate);
  app.use(router.routes());
  server.on('request', app.callback());
  return {
    origin,
    challenge: authenticate.authenticator.challenge,
    async close() {
      await closeServer(server);
      await authenticate.close();
    },
  };
}
