/**
 * A real authorization server on 127.0.0.1 for introspection tests: discovery, a JWK Set and an
 * introspection endpoint whose answer each test sets. Signs RFC 9701 responses with real keys.
 */
import type { ServerResponse } from 'node:http';
import { createHttpClient } from '../../src/http/index.js';
import { type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';
import { signJws, type TestKey, testKey } from '../validation/helpers.js';

export const CLIENT_ID = 'resource-server';
export const CLIENT_SECRET = 'rs-secret';
export const TOKEN = 'opaque-token-value-1234567890';

export type Answer = (req: SeenRequest, res: ServerResponse) => void;

export interface FakeAuthorizationServer {
  server: LocalServer;
  /** The issuer (the server's origin). */
  issuer: string;
  introspectionEndpoint: string;
  jwksUri: string;
  key: TestKey;
  http: ReturnType<typeof createHttpClient>;
  /** What the introspection endpoint answers next. */
  answer: Answer;
  /** Requests to a path so far. */
  hits(path: string): SeenRequest[];
  /** An RFC 9701 response: claims and header overridable (undefined deletes), signed by `signer`. */
  signed(claims?: Record<string, unknown>, header?: Record<string, unknown>, signer?: TestKey): string;
  close(): Promise<void>;
}

export function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

export async function startFakeAuthorizationServer(): Promise<FakeAuthorizationServer> {
  const key = testKey('ES256', 'as-key');
  const http = createHttpClient({ env: {}, retryCount: 0, timeoutMs: 5_000 });
  const fake: FakeAuthorizationServer = {
    answer: (_req, res) => send(res, 200, '{"active":false}', 'application/json'),
  } as FakeAuthorizationServer;
  const server = await startServer((req, res) => {
    if (req.path === '/.well-known/openid-configuration') {
      const doc = {
        issuer: fake.issuer,
        authorization_endpoint: `${fake.issuer}/authorize`,
        token_endpoint: `${fake.issuer}/token`,
        introspection_endpoint: fake.introspectionEndpoint,
        jwks_uri: fake.jwksUri,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
      };
      return send(res, 200, JSON.stringify(doc), 'application/json');
    }
    if (req.path === '/jwks') return send(res, 200, JSON.stringify({ keys: [key.jwk] }), 'application/json');
    return fake.answer(req, res);
  });
  return Object.assign(fake, {
    server,
    issuer: server.origin,
    introspectionEndpoint: `${server.origin}/introspect`,
    jwksUri: `${server.origin}/jwks`,
    key,
    http,
    async close() {
      await http.close();
      await server.close();
    },
    hits: (path: string) => server.requests.filter((r) => r.path === path),
    signed(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, signer = key): string {
      const c: Record<string, unknown> = {
        iss: server.origin,
        aud: CLIENT_ID,
        iat: Math.floor(Date.now() / 1000),
        token_introspection: { active: true, sub: 'user-1', scope: 'read' },
        ...claims,
      };
      const h: Record<string, unknown> = {
        alg: 'ES256',
        kid: signer.kid,
        typ: 'token-introspection+jwt',
        ...header,
      };
      for (const o of [c, h]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
      return signJws(h, c, signer.privateKey, 'ES256');
    },
  });
}
