/**
 * A real identity provider for tests: `oidc-provider` on 127.0.0.1 (ephemeral port) issuing JWT access
 * tokens (`typ: at+jwt`) through the client-credentials grant, with request counting per endpoint,
 * key rotation, and stop/restart on the same port to play an outage.
 *
 *   const idp = await startIdp();
 *   const token = await idp.getToken({ scope: 'read' });        // RS256 JWT for idp.audience
 *   const es = await idp.getToken({ alg: 'ES256' });              // or PS256, EdDSA
 *   idp.counts.discovery / .jwks / .token / .introspection ...   // requests seen, by endpoint
 *   idp.resetCounts();
 *   await idp.rotateKeys();                 // a new key signs from now on; old keys stay published
 *   await idp.rotateKeys({ dropOld: true }); // ... and old keys are withdrawn
 *   await idp.signToken(claims, { alg, header })  // mint any token with the provider's current key
 *   await idp.stop(); await idp.restart();  // outage and recovery, same port
 *   await idp.close();
 *
 * Clients (`idp.clients`): `basic` (client_secret_basic, scopes read+write), `post` (client_secret_post),
 * `jwt` (client_secret_jwt), `privateKeyJwt` (private_key_jwt, `privateJwk` given), `readOnly`
 * (client_secret_basic, scope read only), `reservedBasic` / `reservedPost` (secrets with `+ % : space /`).
 * Service clients may also use the RFC 8693 token exchange grant (test/support/token-exchange-grant.ts).
 * The audience of access tokens is the requested resource, by default `idp.audience`; `idp.otherAudience`
 * is a second registered resource.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { errors as providerErrors } from 'oidc-provider';
import { secretClients } from './fixture-token.js';
import {
  registerTokenExchangeGrant,
  TOKEN_EXCHANGE_GRANT,
  tokenExchangeClaims,
} from './token-exchange-grant.js';

export type SigningAlg = 'RS256' | 'PS256' | 'ES256' | 'EdDSA';

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt';
  /** For `private_key_jwt`: the client's private key (JWK, with `kid` and `alg`). */
  privateJwk?: JWK;
}

export interface IdpCounts {
  discovery: number;
  jwks: number;
  token: number;
  introspection: number;
  revocation: number;
  userinfo: number;
  registration: number;
  deviceAuthorization: number;
  other: number;
}

/** A client for end-user flows (device, authorization code): not a client-credentials client. */
export interface IdpUserClient {
  clientId: string;
  /** Undefined for a public client (`token_endpoint_auth_method: none`). */
  clientSecret: string | undefined;
  redirectUri: string | undefined;
  /** The client's private key (its public half is the client's `jwks`): signs JAR request objects. */
  privateJwk?: JWK;
  /** A registered `post_logout_redirect_uri` (RP-initiated logout). */
  postLogoutRedirectUri?: string;
}

export interface StartIdpOptions {
  /** Access-token lifetime in seconds (default 300). */
  accessTokenTtl?: number;
  /** Extra delay (ms) before the token endpoint answers, to hold a fetch in flight. */
  tokenDelayMs?: number;
  /** Registered as `webApp`'s `backchannel_logout_uri` (with `backchannel_logout_session_required`). */
  backchannelLogoutUri?: string;
  /**
   * DPoP (RFC 9449): oidc-provider's `dPoP` feature is on by default (a token request with a proof gets a
   * DPoP-bound token, `cnf.jkt`); `nonces: true` also makes the token endpoint demand a server nonce.
   */
  dpop?: { nonces?: boolean };
}

export interface SignTokenOptions {
  alg?: SigningAlg;
  /** Header members to add or override (`typ` defaults to `at+jwt`, `kid` to the key's). */
  header?: Record<string, unknown>;
}

export interface TestIdp {
  issuer: string;
  port: number;
  audience: string;
  otherAudience: string;
  clients: {
    basic: IdpClient;
    post: IdpClient;
    jwt: IdpClient;
    privateKeyJwt: IdpClient;
    readOnly: IdpClient;
    /** Secrets holding `+ %2B : space / %`: oidc-provider form-urldecodes Basic credentials (RFC 6749 §2.3.1). */
    reservedBasic: IdpClient;
    reservedPost: IdpClient;
  };
  /**
   * End-user clients: `device` (public, RFC 8628 device flow, scopes `openid profile email offline_access read`)
   * and `webApp` (client_secret_basic, authorization code + PKCE, redirect `http://127.0.0.1/callback`).
   * Their access tokens are opaque and usable at userinfo. The provider's development interactions are on:
   * any login name signs in as that account (sub = the login name), with name and email claims.
   */
  userClients: {
    device: IdpUserClient;
    webApp: IdpUserClient;
    /** Like `device`, but registered with `userinfo_signed_response_alg: RS256`: its userinfo is a signed JWT. */
    deviceSignedUserinfo: IdpUserClient;
    /** Hybrid `code id_token token` (fragment): its front-channel ID token carries `at_hash` and `c_hash`. */
    webAppHybrid: IdpUserClient;
  };
  counts: IdpCounts;
  /** Delay before the token endpoint answers (ms); may be changed at any time. */
  tokenDelayMs: number;
  resetCounts(): void;
  /** A client-credentials access token (a JWT) from the real token endpoint. */
  getToken(options?: {
    client?: IdpClient;
    scope?: string;
    resource?: string;
    alg?: SigningAlg;
  }): Promise<string>;
  /** Signs arbitrary claims with the provider's current private key for `alg` (defaults: iss, iat, exp, aud). */
  signToken(claims: Record<string, unknown>, options?: SignTokenOptions): Promise<string>;
  rotateKeys(options?: { dropOld?: boolean }): Promise<void>;
  /** Registers another RFC 8707 resource (e.g. an MCP server's URL): JWT access tokens, scopes read and write. */
  addResource(resource: string): void;
  /** The public JWK Set currently published. */
  publicJwks(): { keys: JWK[] };
  /** The current private signing key for `alg` (JWK), to forge raw tokens and to scan logs for leaks. */
  privateJwk(alg?: SigningAlg): JWK;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

const ALGS: SigningAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
/** A resource whose client-credentials access tokens are opaque (`getToken({ resource: OPAQUE_AUDIENCE })`). */
export const OPAQUE_AUDIENCE = 'urn:identity-model:opaque-api';

async function generateSigningKey(kind: 'RSA' | 'EC' | 'OKP'): Promise<JWK> {
  const alg = kind === 'RSA' ? 'RS256' : kind === 'EC' ? 'ES256' : 'EdDSA';
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  jwk.kid = `${kind.toLowerCase()}-${randomBytes(6).toString('hex')}`;
  jwk.use = 'sig';
  return jwk;
}

async function generateKeyGeneration(): Promise<JWK[]> {
  return Promise.all([generateSigningKey('RSA'), generateSigningKey('EC'), generateSigningKey('OKP')]);
}

function toPublic(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

function keyTypeFor(alg: SigningAlg): string {
  return alg === 'ES256' ? 'EC' : alg === 'EdDSA' ? 'OKP' : 'RSA';
}

export async function startIdp(options: StartIdpOptions = {}): Promise<TestIdp> {
  const audience = 'urn:identity-model:test-api';
  const otherAudience = 'urn:identity-model:other-api';
  const secret = () => randomBytes(32).toString('base64url');
  const clientKey = await generateKeyPair('ES256', { extractable: true });
  const clientPrivateJwk = { ...(await exportJWK(clientKey.privateKey)), kid: 'client-key-1', alg: 'ES256' };
  const reserved = secretClients();
  const clients = {
    basic: { clientId: 'svc-basic', clientSecret: secret(), authMethod: 'client_secret_basic' },
    post: { clientId: 'svc-post', clientSecret: secret(), authMethod: 'client_secret_post' },
    jwt: { clientId: 'svc-jwt', clientSecret: secret(), authMethod: 'client_secret_jwt' },
    privateKeyJwt: {
      clientId: 'svc-pkjwt',
      clientSecret: '',
      authMethod: 'private_key_jwt',
      privateJwk: clientPrivateJwk,
    },
    readOnly: { clientId: 'svc-read-only', clientSecret: secret(), authMethod: 'client_secret_basic' },
    reservedBasic: reserved.reservedBasic,
    reservedPost: reserved.reservedPost,
  } satisfies TestIdp['clients'];

  // Each generation of keys: [RSA, EC, OKP]; the newest generation comes first and signs.
  let generations: JWK[][] = [await generateKeyGeneration()];
  const extraResources = new Set<string>();
  const accessTokenTtl = options.accessTokenTtl ?? 300;
  const userClients = {
    device: { clientId: 'user-device', clientSecret: undefined, redirectUri: undefined },
    webApp: {
      clientId: 'user-web-app',
      clientSecret: secret(),
      redirectUri: 'http://127.0.0.1/callback',
      privateJwk: clientPrivateJwk,
      postLogoutRedirectUri: 'http://127.0.0.1/logged-out',
    },
    webAppHybrid: {
      clientId: 'user-web-app-hybrid',
      clientSecret: secret(),
      redirectUri: 'http://127.0.0.1/callback',
    },
    deviceSignedUserinfo: {
      clientId: 'user-device-signed-userinfo',
      clientSecret: undefined,
      redirectUri: undefined,
    },
  } satisfies TestIdp['userClients'];
  const userClientIds = new Set(Object.values(userClients).map((c) => c.clientId));
  const userClientMetadata = [
    {
      client_id: userClients.device.clientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      scope: 'openid profile email offline_access read',
    },
    {
      client_id: userClients.deviceSignedUserinfo.clientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      response_types: [],
      redirect_uris: [],
      scope: 'openid profile email',
      userinfo_signed_response_alg: 'RS256',
    },
    {
      client_id: userClients.webApp.clientId,
      client_secret: userClients.webApp.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [userClients.webApp.redirectUri],
      // JAR (RFC 9101): request objects signed with the client's key; RP-initiated logout's redirect.
      jwks: { keys: [toPublic(clientPrivateJwk)] },
      post_logout_redirect_uris: [userClients.webApp.postLogoutRedirectUri],
      scope: 'openid profile email offline_access read',
      ...(options.backchannelLogoutUri === undefined
        ? {}
        : {
            backchannel_logout_uri: options.backchannelLogoutUri,
            backchannel_logout_session_required: true,
          }),
    },
    {
      // Hybrid `code id_token token`: the front-channel ID token carries at_hash and c_hash.
      client_id: userClients.webAppHybrid.clientId,
      // oidc-provider allows implicit responses to an http loopback redirect for native clients only.
      application_type: 'native',
      client_secret: userClients.webAppHybrid.clientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'implicit'],
      response_types: ['code id_token token'],
      redirect_uris: [userClients.webAppHybrid.redirectUri],
      scope: 'openid profile email',
    },
  ];
  const cookieKeys = [randomBytes(16).toString('hex')];
  // One secret for the provider's lifetime: nonces stay valid across rotateKeys() rebuilds.
  const dpopFeature = options.dpop?.nonces
    ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
    : { enabled: true };

  function clientMetadata(alg: SigningAlg | undefined) {
    const suffix = alg ? `-${alg.toLowerCase()}` : '';
    const base = Object.values(clients);
    return base.map((c) => ({
      client_id: `${c.clientId}${suffix}`,
      ...(c.authMethod === 'private_key_jwt'
        ? { jwks: { keys: [toPublic(c.privateJwk as JWK)] } }
        : { client_secret: c.clientSecret }),
      token_endpoint_auth_method: c.authMethod,
      ...(c.authMethod === 'client_secret_jwt' ? { token_endpoint_auth_signing_alg: 'HS256' } : {}),
      // Token exchange (RFC 8693) through test/support/token-exchange-grant.ts.
      grant_types: ['client_credentials', TOKEN_EXCHANGE_GRANT],
      redirect_uris: [],
      response_types: [],
      scope: c === clients.readOnly ? 'read' : 'read write',
      'urn:identity-model:access_token_alg': alg ?? 'RS256',
    }));
  }

  function buildProvider(issuer: string): Provider {
    const keys = generations.flat();
    const provider = new Provider(issuer, {
      clients: [...[undefined, ...ALGS].flatMap((alg) => clientMetadata(alg)), ...userClientMetadata],
      async findAccount(_ctx: unknown, sub: string) {
        return {
          accountId: sub,
          async claims() {
            return { sub, name: `User ${sub}`, email: `${sub}@example.test`, email_verified: true };
          },
        };
      },
      claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
      extraClientMetadata: { properties: ['urn:identity-model:access_token_alg'] },
      extraTokenClaims: tokenExchangeClaims,
      jwks: { keys },
      cookies: { keys: cookieKeys },
      responseTypes: ['code id_token token', 'code id_token', 'code', 'id_token', 'none'],
      // The provider's outgoing requests (back-channel logout) go to loopback receivers of the tests: drop the
      // dispatcher that refuses special-use addresses (SSRF protection) in this fixture only.
      fetch: (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
        const { dispatcher: _dispatcher, ...rest } = init;
        return globalThis.fetch(url, rest);
      },
      scopes: ['openid', 'profile', 'email', 'offline_access', 'read', 'write'],
      ttl: {
        ClientCredentials: accessTokenTtl,
        AccessToken: accessTokenTtl,
        AuthorizationCode: 60,
        DeviceCode: 600,
        Grant: 3600,
        IdToken: 300,
        Interaction: 600,
        RefreshToken: 3600,
        Session: 3600,
      },
      clientAuthMethods: [
        'client_secret_basic',
        'client_secret_post',
        'client_secret_jwt',
        'private_key_jwt',
        'none',
      ],
      enabledJWA: {
        clientAuthSigningAlgValues: ['HS256', 'ES256', 'RS256', 'PS256', 'EdDSA'],
      },
      features: {
        devInteractions: { enabled: true },
        dPoP: dpopFeature,
        backchannelLogout: { enabled: true },
        // Authorization flows (issue 14); PAR and RP-initiated logout are on by default.
        requestObjects: { enabled: true },
        jwtResponseModes: { enabled: true },
        claimsParameter: { enabled: true },
        deviceFlow: { enabled: true },
        userinfo: { enabled: true },
        jwtUserinfo: { enabled: true },
        jwtIntrospection: { enabled: true },
        registration: { enabled: true },
        registrationManagement: { enabled: true },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          // End-user clients get opaque tokens for userinfo; service clients a JWT for the API.
          defaultResource: (_ctx: unknown, client: { clientId: string }) =>
            userClientIds.has(client.clientId) ? undefined : audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string, client: Record<string, unknown>) => {
            if (resource === OPAQUE_AUDIENCE) {
              // Introspection needs an opaque token: oidc-provider refuses to introspect its JWTs.
              return {
                scope: 'read write',
                audience: resource,
                accessTokenTTL: accessTokenTtl,
                accessTokenFormat: 'opaque',
              };
            }
            if (resource !== audience && resource !== otherAudience && !extraResources.has(resource)) {
              throw new providerErrors.InvalidTarget();
            }
            return {
              scope: 'read write',
              audience: resource,
              accessTokenTTL: accessTokenTtl,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: client['urn:identity-model:access_token_alg'] as string } },
            };
          },
        },
      },
    });
    registerTokenExchangeGrant(provider, {
      jwks: () => ({ keys: generations.flat().map(toPublic) }),
      audiences: [audience, otherAudience],
      accessTokenTtl,
    });
    provider.on('server_error', (_ctx: unknown, err: Error) => {
      console.error('oidc-provider server_error', err);
    });
    return provider;
  }

  const counts: IdpCounts = {
    discovery: 0,
    jwks: 0,
    token: 0,
    introspection: 0,
    revocation: 0,
    userinfo: 0,
    registration: 0,
    deviceAuthorization: 0,
    other: 0,
  };
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const idpState = { tokenDelayMs: options.tokenDelayMs ?? 0 };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server')
      counts.discovery++;
    else if (path === '/jwks') counts.jwks++;
    else if (path === '/token') counts.token++;
    else if (path === '/token/introspection') counts.introspection++;
    else if (path === '/token/revocation') counts.revocation++;
    else if (path === '/me') counts.userinfo++;
    else if (path?.startsWith('/reg')) counts.registration++;
    else if (path === '/device/auth') counts.deviceAuthorization++;
    else counts.other++;
    if (path === '/token' && idpState.tokenDelayMs > 0) {
      const timer = setTimeout(() => handler(req, res), idpState.tokenDelayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    handler(req, res);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  handler = buildProvider(issuer).callback();

  function currentKey(alg: SigningAlg): JWK {
    const kty = keyTypeFor(alg);
    const key = generations[0]?.find((k) => k.kty === kty);
    if (!key) throw new Error(`no ${kty} key`);
    return key;
  }

  const idp: TestIdp = {
    issuer,
    port,
    audience,
    otherAudience,
    clients,
    userClients,
    counts,
    get tokenDelayMs() {
      return idpState.tokenDelayMs;
    },
    set tokenDelayMs(value: number) {
      idpState.tokenDelayMs = value;
    },
    resetCounts() {
      for (const k of Object.keys(counts) as (keyof IdpCounts)[]) counts[k] = 0;
    },
    async getToken({ client = clients.basic, scope, resource, alg } = {}) {
      if (client.authMethod !== 'client_secret_basic' && client.authMethod !== 'client_secret_post') {
        throw new Error('getToken supports the secret-based clients; use the library for the others');
      }
      const clientId = alg ? `${client.clientId}-${alg.toLowerCase()}` : client.clientId;
      const body = new URLSearchParams({ grant_type: 'client_credentials' });
      if (scope) body.set('scope', scope);
      if (resource) body.set('resource', resource);
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (client.authMethod === 'client_secret_basic') {
        const creds = `${encodeURIComponent(clientId)}:${encodeURIComponent(client.clientSecret)}`;
        headers.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
      } else {
        body.set('client_id', clientId);
        body.set('client_secret', client.clientSecret);
      }
      const res = await fetch(`${issuer}/token`, { method: 'POST', headers, body });
      const json = (await res.json()) as {
        access_token?: string;
        error?: string;
        error_description?: string;
      };
      if (!res.ok || !json.access_token) {
        throw new Error(`token request failed: ${res.status} ${json.error} ${json.error_description}`);
      }
      return json.access_token;
    },
    async signToken(claims, { alg = 'RS256', header = {} } = {}) {
      const jwk = currentKey(alg);
      const { importJWK } = await import('jose');
      const key = await importJWK(jwk, alg);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: audience, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg, typ: 'at+jwt', kid: jwk.kid, ...header })
        .sign(key);
    },
    async rotateKeys({ dropOld = false } = {}) {
      const fresh = await generateKeyGeneration();
      generations = dropOld ? [fresh] : [fresh, ...generations];
      handler = buildProvider(issuer).callback();
    },
    addResource(resource) {
      extraResources.add(resource);
    },
    publicJwks() {
      return { keys: generations.flat().map(toPublic) };
    },
    privateJwk(alg = 'RS256') {
      return { ...currentKey(alg) };
    },
    async stop() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async restart() {
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      await idp.stop();
    },
  };
  return idp;
}
