/**
 * One API per framework, configured the way the README tells users to, for attack and fuzz tests:
 *   GET/POST /api  — any valid token; answers `{ sub, scopes }`
 *   GET /admin     — needs scope `admin`
 * `startApp(framework, options)` listens on 127.0.0.1:0 and returns its port and a `close()`; with `tls`
 * it serves HTTPS and asks for a client certificate (any issuer, so RFC 8705 self-signed ones arrive too).
 * Answers carry `binding` when the token was sender-constrained.
 */
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { BearerAuthOptions, Logger, ValidatedToken } from '@identity-model/core';
import * as expressAdapter from '@identity-model/express';
import { oidcAuth } from '@identity-model/fastify';
import * as koaAdapter from '@identity-model/koa';
import Router from '@koa/router';
import express from 'express';
import Fastify, { type FastifyServerFactory } from 'fastify';
import Koa from 'koa';
import type { Logger as PinoLogger } from 'pino';

export type Framework = 'fastify' | 'express' | 'koa';
export const FRAMEWORKS: Framework[] = ['fastify', 'express', 'koa'];

export interface RunningApp {
  framework: Framework;
  port: number;
  url: string;
  close(): Promise<void>;
}

export type AppOptions = BearerAuthOptions & { logger?: Logger };

/** The server's certificate and key (PEM) for an HTTPS app. */
export interface AppTls {
  key: string;
  cert: string;
}

function body(auth: ValidatedToken | undefined) {
  return { sub: auth?.claims.sub, scopes: auth?.scopes ?? [], binding: auth?.binding };
}

function httpsOptions(tls: AppTls): HttpsOptions {
  return { key: tls.key, cert: tls.cert, requestCert: true, rejectUnauthorized: false };
}

/** `app.listen`, or an HTTPS server around the same handler. */
function listen(
  handler: Parameters<typeof createHttpsServer>[1],
  listenHttp: () => Server,
  tls?: AppTls,
): Promise<Server> {
  return new Promise((resolve) => {
    if (!tls) {
      const s = listenHttp();
      s.once('listening', () => resolve(s));
      return;
    }
    const s = createHttpsServer(httpsOptions(tls), handler);
    s.listen(0, '127.0.0.1', () => resolve(s as unknown as Server));
  });
}

async function startFastify(options: AppOptions, tls?: AppTls): Promise<RunningApp> {
  // Fastify's own `https` option would change the instance's type; a server factory keeps the plain one.
  const serverFactory: FastifyServerFactory | undefined = tls
    ? (handler) => createHttpsServer(httpsOptions(tls), handler) as unknown as Server
    : undefined;
  const app = Fastify({
    ...(serverFactory ? { serverFactory } : {}),
    // The app's own logger (pino) carries the library's lines through `request.log`. Fastify's per-request
    // lines are off: they log the URL, which holds the token when a client puts it in the query string.
    ...(options.logger ? { loggerInstance: options.logger as PinoLogger } : {}),
    disableRequestLogging: true,
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(text))));
  });
  const { logger: _l, ...pluginOptions } = options;
  await app.register(oidcAuth, pluginOptions);
  app.get('/api', async (req) => body(req.auth));
  app.post('/api', async (req) => body(req.auth));
  app.get('/admin', { preHandler: app.requireScopes('admin') }, async (req) => body(req.auth));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return { framework: 'fastify', port, url, close: () => app.close() };
}

async function startExpress(options: AppOptions, tls?: AppTls): Promise<RunningApp> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const auth = expressAdapter.requireToken(options);
  app.use(auth);
  app.get('/api', (req, res) => void res.json(body(req.auth)));
  app.post('/api', (req, res) => void res.json(body(req.auth)));
  app.get('/admin', expressAdapter.requireScopes('admin'), (req, res) => void res.json(body(req.auth)));
  const server = await listen(app, () => app.listen(0, '127.0.0.1'), tls);
  const port = (server.address() as AddressInfo).port;
  return {
    framework: 'express',
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await auth.close();
    },
  };
}

async function startKoa(options: AppOptions, tls?: AppTls): Promise<RunningApp> {
  const app = new Koa();
  const auth = koaAdapter.requireToken(options);
  const router = new Router();
  router.get('/api', (ctx) => {
    ctx.body = body(ctx.state.auth);
  });
  router.post('/api', (ctx) => {
    ctx.body = body(ctx.state.auth);
  });
  router.get('/admin', koaAdapter.requireScopes('admin'), (ctx) => {
    ctx.body = body(ctx.state.auth);
  });
  app.use(auth);
  app.use(router.routes());
  const server = await listen(app.callback(), () => app.listen(0, '127.0.0.1'), tls);
  const port = (server.address() as AddressInfo).port;
  return {
    framework: 'koa',
    port,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await auth.close();
    },
  };
}

export function startApp(framework: Framework, options: AppOptions, tls?: AppTls): Promise<RunningApp> {
  if (framework === 'fastify') return startFastify(options, tls);
  if (framework === 'express') return startExpress(options, tls);
  return startKoa(options, tls);
}
