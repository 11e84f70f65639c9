/**
 * One contender of the HTTP bench, in its own process: `http-server.ts <framework> <variant> <issuer> <audience>`.
 * Listens on 127.0.0.1 (ephemeral port) and sends `{ port }` to the parent; every variant answers `GET /` with
 * a small JSON once the request is authenticated (bare: not at all). Only the modules one contender needs are
 * loaded (dynamic imports), so a dozen servers start quickly.
 */
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { FastifyRequest } from 'fastify';
import type { Framework, Variant } from './lib/contenders.js';
import { settledHeap } from './lib/settled-heap.js';

const BODY = { ok: true };

interface Settings {
  issuer: string;
  audience: string;
  jwksUri: string;
}

/** Whether the request carries a Bearer credential: the header-check hook's whole work, the floor hook's first step. */
function hasBearer(authorization: string | undefined): authorization is string {
  return authorization?.startsWith('Bearer ') === true;
}

/** The floor of any JWT middleware: signature with a pre-imported key, then `exp`. Nothing else. */
async function floorCheck(settings: Settings): Promise<(authorization: string | undefined) => boolean> {
  const response = await fetch(settings.jwksUri);
  const { keys } = (await response.json()) as { keys: JsonWebKey[] };
  const key: KeyObject = createPublicKey({ key: keys[0]!, format: 'jwk' });
  return (authorization) => {
    if (!hasBearer(authorization)) return false;
    const token = authorization.slice(7);
    const dot1 = token.indexOf('.');
    const dot2 = token.lastIndexOf('.');
    if (dot1 < 0 || dot2 === dot1) return false;
    const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
    if (!cryptoVerify('sha256', Buffer.from(token.slice(0, dot2)), key, signature)) return false;
    const claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString()) as {
      exp?: number;
    };
    return typeof claims.exp === 'number' && claims.exp > Date.now() / 1000;
  };
}

/**
 * Our adapters' options: what a user writes (plain HTTP is accepted on loopback). `BENCH_OURS_OPTIONS` (JSON)
 * adds options to explore, e.g. `{"cache":false}`.
 */
function oursOptions(settings: Settings) {
  const extra = JSON.parse(process.env.BENCH_OURS_OPTIONS ?? '{}') as Record<string, unknown>;
  return { issuer: settings.issuer, audience: settings.audience, ...extra };
}

async function buildFastify(variant: Variant, settings: Settings) {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  if (variant === 'hook') {
    app.addHook('onRequest', async (request, reply) => {
      if (!hasBearer(request.headers.authorization)) return reply.code(401).send({ error: 'invalid_token' });
    });
  } else if (variant === 'floor') {
    const check = await floorCheck(settings);
    app.addHook('onRequest', async (request, reply) => {
      if (!check(request.headers.authorization)) return reply.code(401).send({ error: 'invalid_token' });
    });
  } else if (variant === 'ours') {
    const { oidcAuth } = await import('@identity-model/fastify');
    await app.register(oidcAuth, oursOptions(settings));
  } else if (variant === 'peer') {
    const { default: fastifyJwt } = await import('@fastify/jwt');
    const { default: buildGetJwks } = await import('get-jwks');
    const getJwks = buildGetJwks({ issuersWhitelist: [settings.issuer] });
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: (
        _request: FastifyRequest,
        token: { header: { kid?: string; alg?: string }; payload: { iss?: string } },
      ) => getJwks.getPublicKey({ kid: token.header.kid, alg: token.header.alg, domain: token.payload.iss }),
      verify: { allowedIss: settings.issuer, allowedAud: settings.audience, algorithms: ['RS256'] },
    } as Parameters<typeof fastifyJwt>[1]);
    app.addHook('onRequest', async (request) => {
      await request.jwtVerify();
    });
  }
  app.get('/', async () => BODY);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

async function buildExpress(variant: Variant, settings: Settings) {
  const { default: express } = await import('express');
  const app = express();
  if (variant === 'hook') {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (hasBearer(req.headers.authorization)) next();
      else res.status(401).json({ error: 'invalid_token' });
    });
  } else if (variant === 'floor') {
    const check = await floorCheck(settings);
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (check(req.headers.authorization)) next();
      else res.status(401).json({ error: 'invalid_token' });
    });
  } else if (variant === 'ours') {
    const { requireToken } = await import('@identity-model/express');
    app.use(requireToken(oursOptions(settings)));
  } else if (variant === 'peer') {
    const { auth: expressOauth2JwtBearer } = await import('express-oauth2-jwt-bearer');
    app.use(
      expressOauth2JwtBearer({
        issuerBaseURL: settings.issuer,
        audience: settings.audience,
        tokenSigningAlg: 'RS256',
      }),
    );
  }
  app.get('/', (_req: Request, res: Response) => {
    res.json(BODY);
  });
  // Answer refusals passed to next(err) (express-oauth2-jwt-bearer does) without Express logging each one.
  app.use(
    (
      err: { status?: number; headers?: Record<string, string> },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      res
        .status(err.status ?? 500)
        .set(err.headers ?? {})
        .json({ error: 'refused' });
    },
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 60_000;
  return (server.address() as AddressInfo).port;
}

async function buildKoa(variant: Variant, settings: Settings) {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  // Clients dropped by the load generator at the end of a run are no news.
  app.silent = true;
  if (variant === 'hook') {
    app.use(async (ctx, next) => {
      if (!hasBearer(ctx.get('authorization') || undefined)) ctx.throw(401, 'invalid_token');
      await next();
    });
  } else if (variant === 'floor') {
    const check = await floorCheck(settings);
    app.use(async (ctx, next) => {
      if (!check(ctx.get('authorization') || undefined)) ctx.throw(401, 'invalid_token');
      await next();
    });
  } else if (variant === 'ours') {
    const { requireToken } = await import('@identity-model/koa');
    app.use(requireToken(oursOptions(settings)));
  } else if (variant === 'peer') {
    const { default: koaJwt } = await import('koa-jwt');
    const { default: jwksRsa } = await import('jwks-rsa');
    app.use(
      koaJwt({
        secret: jwksRsa.koaJwtSecret({
          jwksUri: settings.jwksUri,
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 10,
        }),
        audience: settings.audience,
        issuer: settings.issuer,
        algorithms: ['RS256'],
      }),
    );
  }
  app.use(async (ctx) => {
    ctx.body = BODY;
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.keepAliveTimeout = 60_000;
  return (server.address() as AddressInfo).port;
}

// Exit cleanly when the bench is done with us, so `--cpu-prof` (see BENCH_SERVER_NODE_FLAGS) gets written.
process.once('SIGTERM', () => process.exit(0));
// adapter-heap.ts starts us with --expose-gc and asks for the heap that survives the tokens it sent.
process.on('message', (message: { heap?: boolean }) => {
  if (message.heap) process.send?.(settledHeap());
});

const [framework, variant, issuer, audience] = process.argv.slice(2) as [Framework, Variant, string, string];
const settings: Settings = { issuer, audience, jwksUri: `${issuer}/.well-known/jwks.json` };
try {
  const build = framework === 'fastify' ? buildFastify : framework === 'express' ? buildExpress : buildKoa;
  const port = await build(variant, settings);
  process.send?.({ port });
} catch (err) {
  process.send?.({ error: (err as Error).message });
  process.exit(1);
}
