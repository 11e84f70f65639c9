import { requireScopes, requireToken } from '@identity-model/koa';
import Router from '@koa/router';
import Koa from 'koa';

export interface ApiOptions {
  issuer: string;
  audience: string;
}

/** An API where every request needs a valid access token; `/read` and `/write` need those scopes too. */
export function buildKoaApi({ issuer, audience }: ApiOptions): { app: Koa; close(): Promise<void> } {
  const app = new Koa();
  const auth = requireToken({ issuer, audience, realm: 'demo-api' });
  const router = new Router();

  router.get('/read', requireScopes('read'), (ctx) => {
    ctx.body = {
      message: 'here is the data',
      client: ctx.state.auth?.claims.client_id,
      scopes: ctx.state.auth?.scopes,
    };
  });

  router.post('/write', requireScopes('write'), (ctx) => {
    ctx.body = { message: 'saved', client: ctx.state.auth?.claims.client_id };
  });

  app.use(auth);
  app.use(router.routes());
  return { app, close: () => auth.close() };
}
