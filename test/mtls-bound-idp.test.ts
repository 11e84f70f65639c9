/**
 * Certificate-bound access tokens end to end (RFC 8705 §3): oidc-provider behind mutual TLS
 * (test/support/idp-mtls.ts) binds our manager's token to its client certificate; our client presents the
 * same certificate to our API, served over HTTPS asking for client certificates, through every adapter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenManager,
  certificateThumbprint,
  createAuthenticatedFetch,
  createHttpClient,
  type HttpClient,
} from '@identity-model/core';
import { decodeJwt } from 'jose';
import { FRAMEWORKS, type RunningApp, startApp } from './security/support/apps.js';
import { createTestPki, type TestCertificate, type TestPki } from './support/certificates.js';
import { type MtlsIdp, startMtlsIdp } from './support/idp-mtls.js';

describe('certificate-bound tokens from oidc-provider, used through every adapter over mutual TLS', () => {
  let pki: TestPki;
  let idp: MtlsIdp;
  let manager: ClientCredentialsTokenManager;
  let bound: HttpClient;
  const clients: HttpClient[] = [];
  const apps: RunningApp[] = [];

  const httpWith = (certificate?: TestCertificate): HttpClient => {
    const http = createHttpClient({
      env: {},
      ca: pki.ca.cert,
      retryCount: 0,
      ...(certificate ? { clientCertificate: certificate } : {}),
    });
    clients.push(http);
    return http;
  };

  before(async () => {
    pki = await createTestPki();
    idp = await startMtlsIdp(pki);
    bound = httpWith(idp.clients.tls.certificate);
    manager = new ClientCredentialsTokenManager({
      issuer: idp.issuer,
      clientId: idp.clients.tls.clientId,
      clientAuthentication: 'tls_client_auth',
      scope: 'read',
      httpClient: bound,
    });
  });
  after(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await manager.close();
    await Promise.all(clients.map((c) => c.close()));
    await idp.close();
    await pki.cleanup();
  });

  test('the token is bound to the certificate the manager presented (cnf x5t#S256)', async () => {
    const { accessToken } = await manager.getToken();
    const cnf = decodeJwt(accessToken).cnf as Record<string, unknown>;
    assert.equal(cnf['x5t#S256'], certificateThumbprint(idp.clients.tls.certificate.cert));
    assert.equal(cnf['x5t#S256'], bound.clientCertificateThumbprint);
  });

  for (const framework of FRAMEWORKS) {
    describe(framework, () => {
      let app: RunningApp;
      before(async () => {
        app = await startApp(
          framework,
          { issuer: idp.issuer, audience: idp.audience, httpClient: httpWith() },
          { cert: pki.server.cert, key: pki.server.key },
        );
        apps.push(app);
      });

      test('the certificate the token is bound to, presented to the API → 200, auth.binding.thumbprint', async () => {
        const f = createAuthenticatedFetch(manager, { origins: [app.url], dispatcher: bound.dispatcher });
        const res = await f(`${app.url}/api`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { binding?: unknown; sub?: string; scopes?: string[] };
        assert.deepEqual(body.binding, {
          method: 'mtls',
          thumbprint: certificateThumbprint(idp.clients.tls.certificate.cert),
        });
        assert.equal(body.sub, idp.clients.tls.clientId);
        assert.deepEqual(body.scopes, ['read']);
      });

      test('token theft: the bound token presented with another certificate → 401 invalid_token', async () => {
        const thief = httpWith(await pki.issue(`thief-${framework}`));
        const f = createAuthenticatedFetch(manager, { origins: [app.url], dispatcher: thief.dispatcher });
        const res = await f(`${app.url}/api`);
        assert.equal(res.status, 401);
        await res.text();
        assert.match(String(res.headers.get('www-authenticate')), /^Bearer .*error="invalid_token"/);
      });

      test('token theft: the bound token presented without a certificate → 401 invalid_token', async () => {
        const f = createAuthenticatedFetch(manager, {
          origins: [app.url],
          dispatcher: httpWith().dispatcher,
        });
        const res = await f(`${app.url}/api`);
        assert.equal(res.status, 401);
        await res.text();
        assert.match(String(res.headers.get('www-authenticate')), /error="invalid_token"/);
      });
    });
  }
});
