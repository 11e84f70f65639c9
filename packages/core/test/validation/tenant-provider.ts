/**
 * A multi-tenant provider on 127.0.0.1: `/tenants/<name>` is an issuer with its own ES256 key, its own
 * discovery document and JWKS. A name that was not added answers 404 (a tenant whose discovery fails).
 * Every request path is recorded, so "no request" and "one request" are proven at the server.
 */
import { createHttpClient } from '../../src/http/http-client.js';
import type { HttpClient } from '../../src/http/types.js';
import { completeDocument } from '../discovery/documents.js';
import { type LocalServer, sendJson, startServer } from '../http/local-server.js';
import { signJws, type TestKey, testKey } from './helpers.js';

export const TENANT_AUDIENCE = 'urn:test:tenant-api';

export interface TenantProvider {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  /** `http://127.0.0.1:PORT/tenants/<name>` */
  issuer(name: string): string;
  /** Publishes a tenant; `document` overrides members of its discovery document. */
  addTenant(name: string, document?: Record<string, unknown>): TestKey;
  /** A new signing key for the tenant, published beside the old one; its JWKS then answers `delayMs` late. */
  rotateKey(name: string, delayMs?: number): void;
  /** Requests whose path starts with `/tenants/<name>/`. */
  count(name: string): number;
  /** A token signed by `signer`'s key (default: the tenant named by `iss`), for the API audience. */
  token(signer: string, claims?: Record<string, unknown>): string;
  /** A client that does not retry, so each fetch is one request. */
  readonly httpClient: HttpClient;
  close(): Promise<void>;
}

export async function startTenantProvider(): Promise<TenantProvider> {
  const tenants = new Map<
    string,
    { key: TestKey; document: Record<string, unknown>; retired: TestKey[]; delayMs: number }
  >();
  const requests: string[] = [];
  let base = '';
  const issuer = (name: string) => `${base}/tenants/${name}`;
  const server: LocalServer = await startServer((req, res) => {
    const path = req.url ?? '';
    requests.push(path);
    const match = /^\/tenants\/([^/]+)\/(\.well-known\/openid-configuration|jwks)$/.exec(path);
    const tenant = match === null ? undefined : tenants.get(match[1]!);
    if (match === null || tenant === undefined) return sendJson(res, 404, { error: 'not_found' });
    if (match[2] === 'jwks') {
      const keys = [tenant.key.jwk, ...tenant.retired.map((k) => k.jwk)];
      setTimeout(() => sendJson(res, 200, { keys }), tenant.delayMs);
      return;
    }
    const iss = issuer(match[1]!);
    sendJson(
      res,
      200,
      completeDocument(iss, { id_token_signing_alg_values_supported: ['ES256'], ...tenant.document }),
    );
  });
  base = server.url;
  const httpClient = createHttpClient({ retryCount: 0, timeoutMs: 5_000 });
  return {
    base,
    requests,
    issuer,
    addTenant(name, document = {}) {
      const key = testKey('ES256', `tenant-${name}`);
      tenants.set(name, { key, document, retired: [], delayMs: 0 });
      return key;
    },
    rotateKey(name, delayMs = 0) {
      const tenant = tenants.get(name)!;
      tenant.retired.push(tenant.key);
      tenant.key = testKey('ES256', `tenant-${name}-${tenant.retired.length}`);
      tenant.delayMs = delayMs;
    },
    count: (name) => requests.filter((p) => p.startsWith(`/tenants/${name}/`)).length,
    token(signer, claims = {}) {
      const key = tenants.get(signer)?.key ?? testKey('ES256', `tenant-${signer}`);
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: issuer(signer),
        aud: TENANT_AUDIENCE,
        sub: 'user-1',
        iat: now,
        exp: now + 300,
        jti: `${signer}-${Math.random()}`,
        ...claims,
      };
      return signJws({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }, payload, key.privateKey, 'ES256');
    },
    httpClient,
    async close() {
      await httpClient.close();
      await server.close();
    },
  };
}
