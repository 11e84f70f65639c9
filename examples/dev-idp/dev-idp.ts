/**
 * A development identity provider: `oidc-provider` on 127.0.0.1 issuing JWT access tokens (RFC 9068) signed
 * with keys of our own (one RS256, one ES256, generated at start-up), through the client-credentials grant.
 * One client, `demo-service`, may ask for scope `read` only. Never use it in production.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type ProviderType from 'oidc-provider';

export const DEV_AUDIENCE = 'urn:identity-model:demo-api';
export const DEV_CLIENT_ID = 'demo-service';
export const DEV_CLIENT_SECRET = 'demo-service-secret-for-local-development-only';
export const DEV_PORT = 4000;

export interface DevIdpOptions {
  /** Default 0 (an ephemeral port); `main.ts` uses 4000 so the examples find it without configuration. */
  port?: number;
  /** Which of our keys signs access tokens. Default RS256. */
  accessTokenAlg?: 'RS256' | 'ES256';
  /** Access-token lifetime in seconds. Default 300. */
  accessTokenTtl?: number;
}

export interface DevIdp {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * Loads oidc-provider without its import-time "unsupported runtime" line on Node 20 (it supports 22+ officially
 * and works here for this development use); every other warning still shows.
 */
async function loadProvider(): Promise<typeof ProviderType> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}

/** A small in-memory store for the provider's artifacts (the built-in one warns on every start). */
class MemoryAdapter {
  static readonly entries = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  constructor(private readonly name: string) {}
  #key(id: string): string {
    return `${this.name}:${id}`;
  }
  async upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void> {
    if (MemoryAdapter.entries.size > 10_000) MemoryAdapter.entries.clear();
    MemoryAdapter.entries.set(this.#key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
  }
  async find(id: string): Promise<Record<string, unknown> | undefined> {
    const entry = MemoryAdapter.entries.get(this.#key(id));
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async consume(id: string): Promise<void> {
    const entry = MemoryAdapter.entries.get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    MemoryAdapter.entries.delete(this.#key(id));
  }
  async revokeByGrantId(): Promise<void> {}
}

function signingKeys(): object[] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `dev-rs256-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `dev-es256-${randomBytes(4).toString('hex')}`, alg: 'ES256', use: 'sig' },
  ];
}

export async function startDevIdp(options: DevIdpOptions = {}): Promise<DevIdp> {
  const alg = options.accessTokenAlg ?? 'RS256';
  const ttl = options.accessTokenTtl ?? 300;
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const Provider = await loadProvider();
  const provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: DEV_CLIENT_ID,
        client_secret: DEV_CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'read',
      },
    ],
    jwks: { keys: signingKeys() },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: ['read', 'write'],
    ttl: { ClientCredentials: ttl },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEV_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== DEV_AUDIENCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'read write',
            audience: resource,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg } },
          };
        },
      },
    },
  });
  server.on('request', provider.callback());
  server.keepAliveTimeout = 1000;

  return {
    issuer,
    audience: DEV_AUDIENCE,
    clientId: DEV_CLIENT_ID,
    clientSecret: DEV_CLIENT_SECRET,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
