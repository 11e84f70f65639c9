/**
 * A tiny static identity provider on 127.0.0.1 that every contender fetches from, so they all pay the
 * same for metadata and keys: discovery, a JWKS at `/.well-known/jwks.json` (where get-jwks looks by
 * default) and a client-credentials token endpoint. Counts requests per endpoint; an optional delay
 * keeps a fetch in flight long enough for a storm to pile up behind it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PublicJwk } from './jwt.js';

export interface IdpCounts {
  discovery: number;
  jwks: number;
  token: number;
  other: number;
}

export interface BenchIdp {
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  counts: IdpCounts;
  resetCounts(): void;
  setKeys(keys: readonly PublicJwk[]): void;
  /** Delay before every answer, ms. */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export async function startIdp(
  keys: readonly PublicJwk[],
  options: { delayMs?: number } = {},
): Promise<BenchIdp> {
  let jwksBody = JSON.stringify({ keys });
  let delayMs = options.delayMs ?? 0;
  const counts: IdpCounts = { discovery: 0, jwks: 0, token: 0, other: 0 };
  let discoveryBody = '';

  const send = (res: ServerResponse, status: number, body: string) => {
    const write = () => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
    };
    if (delayMs > 0) setTimeout(write, delayMs);
    else write();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      counts.discovery++;
      send(res, 200, discoveryBody);
    } else if (req.method === 'GET' && path === '/.well-known/jwks.json') {
      counts.jwks++;
      send(res, 200, jwksBody);
    } else if (req.method === 'POST' && path === '/token') {
      counts.token++;
      req.resume();
      req.on('end', () =>
        send(
          res,
          200,
          JSON.stringify({
            access_token: randomBytes(24).toString('base64url'),
            token_type: 'Bearer',
            expires_in: 3600,
            scope: 'read',
          }),
        ),
      );
    } else {
      counts.other++;
      send(res, 404, '{"error":"not_found"}');
    }
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const tokenEndpoint = `${issuer}/token`;
  discoveryBody = JSON.stringify({
    issuer,
    jwks_uri: jwksUri,
    token_endpoint: tokenEndpoint,
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  });

  return {
    issuer,
    jwksUri,
    tokenEndpoint,
    counts,
    resetCounts() {
      counts.discovery = 0;
      counts.jwks = 0;
      counts.token = 0;
      counts.other = 0;
    },
    setKeys(next) {
      jwksBody = JSON.stringify({ keys: next });
    },
    setDelay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
