import { oidcAuth } from '@identity-model/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

export interface ApiOptions {
  issuer: string;
  audience: string;
  logger?: boolean;
}

/** An API where every request needs a valid access token; `/read` and `/write` need those scopes too. */
export async function buildFastifyApi({
  issuer,
  audience,
  logger = true,
}: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger });
  await app.register(oidcAuth, { issuer, audience, realm: 'demo-api' });

  app.get('/read', { preHandler: app.requireScopes('read') }, async (request) => ({
    message: 'here is the data',
    client: request.auth?.claims.client_id,
    scopes: request.auth?.scopes,
  }));

  app.post('/write', { preHandler: app.requireScopes('write') }, async (request) => ({
    message: 'saved',
    client: request.auth?.claims.client_id,
  }));

  return app;
}
