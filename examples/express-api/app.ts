import { requireScopes, requireToken } from '@identity-model/express';
import express, { type Express } from 'express';

export interface ApiOptions {
  issuer: string;
  audience: string;
}

/** An API where every request needs a valid access token; `/read` and `/write` need those scopes too. */
export function buildExpressApi({ issuer, audience }: ApiOptions): { app: Express; close(): Promise<void> } {
  const app = express();
  const auth = requireToken({ issuer, audience, realm: 'demo-api' });
  app.use(auth);

  app.get('/read', requireScopes('read'), (req, res) => {
    res.json({ message: 'here is the data', client: req.auth?.claims.client_id, scopes: req.auth?.scopes });
  });

  app.post('/write', requireScopes('write'), (req, res) => {
    res.json({ message: 'saved', client: req.auth?.claims.client_id });
  });

  return { app, close: () => auth.close() };
}
