/**
 * A provider that a test can break on demand: a real HTTP server on 127.0.0.1 answering discovery and JWKS
 * with its own RSA key, where each endpoint can be switched to a fault (hang, 429 storm, 500, garbage or
 * truncated JSON, a huge body, a redirect, a wrong issuer...). Tokens are signed with its key.
 */

import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forge, nowSeconds } from '../../security/support/forge.js';
import type { KeyPair } from '../../security/support/keys.js';
import { json, type LocalServer, startLocalServer } from '../../security/support/local-server.js';

export type Fault =
  | { kind: 'ok' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'garbage' }
  | { kind: 'truncated' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'redirect'; location: string }
  | { kind: 'html' }
  /** Fails the first `times` requests with `status`, then answers normally. */
  | { kind: 'flaky'; times: number; status: number };

export type Endpoint = 'discovery' | 'jwks';

export interface FaultProvider {
  issuer: string;
  server: LocalServer;
  key: KeyPair;
  audience: string;
  faults: Record<Endpoint, Fault>;
  /** Overrides members of the discovery document (e.g. a mismatched `issuer`). */
  discoveryOverrides: Record<string, unknown>;
  /** The keys published (default: the provider key). */
  publishedKeys: Record<string, unknown>[];
  /** `Cache-Control: max-age` of good answers, seconds (default 300). */
  maxAge: number;
  count(endpoint: Endpoint): number;
  token(claims?: Record<string, unknown>, key?: KeyPair): string;
  reset(): void;
  close(): Promise<void>;
}

const AUDIENCE = 'urn:identity-model:fault-api';

export async function startFaultProvider(): Promise<FaultProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key: KeyPair = {
    privateKey,
    publicKey,
    kid: 'fault-rsa-1',
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid: 'fault-rsa-1', use: 'sig', alg: 'RS256' },
  };
  const state = {
    faults: { discovery: { kind: 'ok' }, jwks: { kind: 'ok' } } as Record<Endpoint, Fault>,
    discoveryOverrides: {} as Record<string, unknown>,
    publishedKeys: [key.publicJwk] as Record<string, unknown>[],
    maxAge: 300,
  };
  const served: Record<Endpoint, number> = { discovery: 0, jwks: 0 };
  let origin = '';

  function answer(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse, body: () => unknown): void {
    const fault = state.faults[endpoint];
    served[endpoint]++;
    const good = () => json(res, 200, body(), { 'cache-control': `max-age=${state.maxAge}` });
    switch (fault.kind) {
      case 'ok':
        good();
        break;
      case 'hang':
        req.socket.setTimeout(0); // never answers; the server's close() destroys the socket
        break;
      case 'status':
        json(
          res,
          fault.status,
          { error: 'temporarily_unavailable' },
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
        );
        break;
      case 'flaky':
        if (served[endpoint] <= fault.times) json(res, fault.status, { error: 'server_error' });
        else good();
        break;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"keys": [ {"kty": "RSA", "n": tru');
        break;
      case 'truncated': {
        const text = JSON.stringify(body());
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length + 500 });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        setTimeout(() => res.destroy(), 20);
        break;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const pump = (): void => {
          while (sent < fault.bytes) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end('{}');
        };
        res.on('close', () => {
          sent = Number.POSITIVE_INFINITY;
        });
        pump();
        break;
      }
      case 'redirect':
        res.writeHead(302, { location: fault.location });
        res.end();
        break;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Service Unavailable</body></html>');
        break;
    }
  }

  const server = await startLocalServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') {
      answer('discovery', req, res, () => ({
        issuer: origin,
        jwks_uri: `${origin}/jwks`,
        token_endpoint: `${origin}/token`,
        authorization_endpoint: `${origin}/authorize`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        ...state.discoveryOverrides,
      }));
    } else if (path === '/jwks') {
      answer('jwks', req, res, () => ({ keys: state.publishedKeys }));
    } else {
      json(res, 404, { error: 'not_found' });
    }
  });
  origin = server.origin;

  return {
    issuer: origin,
    server,
    key,
    audience: AUDIENCE,
    get faults() {
      return state.faults;
    },
    get discoveryOverrides() {
      return state.discoveryOverrides;
    },
    set discoveryOverrides(v) {
      state.discoveryOverrides = v;
    },
    get publishedKeys() {
      return state.publishedKeys;
    },
    set publishedKeys(v) {
      state.publishedKeys = v;
    },
    get maxAge() {
      return state.maxAge;
    },
    set maxAge(v) {
      state.maxAge = v;
    },
    count: (endpoint) => served[endpoint],
    token(claims = {}, signer = key) {
      const now = nowSeconds();
      return forge({
        header: { alg: 'RS256', typ: 'at+jwt', kid: signer.kid },
        payload: {
          iss: origin,
          aud: AUDIENCE,
          sub: 's',
          client_id: 'c',
          iat: now,
          exp: now + 300,
          scope: 'read',
          ...claims,
        },
        key: signer.privateKey,
      });
    },
    reset() {
      state.faults = { discovery: { kind: 'ok' }, jwks: { kind: 'ok' } };
      state.discoveryOverrides = {};
      state.publishedKeys = [key.publicJwk];
      state.maxAge = 300;
      served.discovery = 0;
      served.jwks = 0;
      server.reset();
    },
    close: () => server.close(),
  };
}
