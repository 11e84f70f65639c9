/**
 * oidc-provider behind HTTPS with mutual TLS (RFC 8705), on 127.0.0.1:
 *
 *   const pki = await createTestPki();
 *   const idp = await startMtlsIdp(pki);
 *   idp.issuer        // https://127.0.0.1:P1 — asks for no client certificate
 *   idp.mtlsOrigin    // https://127.0.0.1:P2 — asks for one: the `mtls_endpoint_aliases` point here
 *   idp.clients.tls / .selfSigned / .boundSecret, each with its client certificate
 *   idp.counts.plain['/token'], idp.counts.mtls['/token']   // requests seen, by listener and path
 *
 * Clients: `svc-tls` (`tls_client_auth`, subject `CN=svc-tls`, certificate from `pki.ca`), `svc-self-signed`
 * (`self_signed_tls_client_auth`, its self-signed certificate registered in its `jwks` as `x5c`),
 * `svc-bound-secret` (`client_secret_basic`). All get certificate-bound (`cnf["x5t#S256"]`) JWT access
 * tokens for `idp.audience`. The mTLS listener verifies client certificates against `pki.ca` but lets
 * unverified (self-signed) ones through, as RFC 8705 §2.2 needs; `certificateAuthorized` tells them apart.
 */
import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import type { TestCertificate, TestPki } from './certificates.js';

export interface MtlsIdpClient {
  clientId: string;
  certificate: TestCertificate;
  clientSecret?: string;
}

export interface MtlsIdp {
  issuer: string;
  mtlsOrigin: string;
  audience: string;
  /** PEM of the CA that signed the servers' certificate (give it to the HTTP client as `ca`). */
  ca: string;
  clients: { tls: MtlsIdpClient; selfSigned: MtlsIdpClient; boundSecret: MtlsIdpClient };
  counts: { plain: Record<string, number>; mtls: Record<string, number> };
  resetCounts(): void;
  close(): Promise<void>;
}

/** The koa context oidc-provider hands to the mTLS hooks: only the socket is read. */
interface HookContext {
  req: IncomingMessage;
}

function peerCertificate(ctx: HookContext): X509Certificate | undefined {
  const socket = ctx.req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const raw = socket.getPeerCertificate().raw;
  return raw === undefined ? undefined : new X509Certificate(raw);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startMtlsIdp(pki: TestPki): Promise<MtlsIdp> {
  const audience = 'urn:identity-model:mtls-api';
  const tls = await pki.issue('svc-tls');
  const selfSigned = await pki.selfSigned('svc-self-signed');
  const boundSecretCertificate = await pki.issue('svc-bound-secret');
  const clients = {
    tls: { clientId: 'svc-tls', certificate: tls },
    selfSigned: { clientId: 'svc-self-signed', certificate: selfSigned },
    boundSecret: {
      clientId: 'svc-bound-secret',
      certificate: boundSecretCertificate,
      clientSecret: randomBytes(24).toString('base64url'),
    },
  };
  const counts: MtlsIdp['counts'] = { plain: {}, mtls: {} };
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const counted = (table: Record<string, number>) => (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    table[path] = (table[path] ?? 0) + 1;
    handler(req, res);
  };
  const serverTls = { cert: pki.server.cert, key: pki.server.key };
  const plain = createServer(serverTls, counted(counts.plain));
  const mtls = createServer(
    { ...serverTls, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
    counted(counts.mtls),
  );
  for (const server of [plain, mtls]) server.keepAliveTimeout = 1000;
  const issuer = `https://127.0.0.1:${await listen(plain)}`;
  const mtlsOrigin = `https://127.0.0.1:${await listen(mtls)}`;

  const signing = await generateKeyPair('RS256', { extractable: true });
  const selfSignedX509 = new X509Certificate(selfSigned.cert);
  const selfSignedJwk = {
    ...(await exportJWK(createPublicKey(selfSigned.cert))),
    x5c: [selfSignedX509.raw.toString('base64')],
  };
  const common = {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'read write',
    tls_client_certificate_bound_access_tokens: true,
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        ...common,
        client_id: clients.tls.clientId,
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: `CN=${tls.commonName}`,
      },
      {
        ...common,
        client_id: clients.selfSigned.clientId,
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: { keys: [selfSignedJwk] },
      },
      {
        ...common,
        client_id: clients.boundSecret.clientId,
        client_secret: clients.boundSecret.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(signing.privateKey)), kid: 'mtls-rs256', use: 'sig' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: ['read', 'write'],
    clientAuthMethods: ['client_secret_basic', 'tls_client_auth', 'self_signed_tls_client_auth'],
    discovery: {
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsOrigin}/token`,
        introspection_endpoint: `${mtlsOrigin}/token/introspection`,
        revocation_endpoint: `${mtlsOrigin}/token/revocation`,
      },
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: (ctx: HookContext) => peerCertificate(ctx),
        // Verified against pki.ca by the TLS layer (the listener lets unverified ones in for self-signed).
        certificateAuthorized: (ctx: HookContext) => (ctx.req.socket as TLSSocket).authorized === true,
        certificateSubjectMatches: (ctx: HookContext, property: string, expected: string) =>
          property === 'tls_client_auth_subject_dn' && peerCertificate(ctx)?.subject === expected,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'read write',
          audience,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => {
    console.error('oidc-provider (mTLS) server_error', err);
  });
  handler = provider.callback();

  return {
    issuer,
    mtlsOrigin,
    audience,
    ca: pki.ca.cert,
    clients,
    counts,
    resetCounts() {
      for (const table of [counts.plain, counts.mtls]) {
        for (const key of Object.keys(table)) delete table[key];
      }
    },
    async close() {
      await Promise.all(
        [plain, mtls].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
