/**
 * RFC 8705 against a real provider: oidc-provider with `features.mTLS` behind HTTPS on 127.0.0.1
 * (test/support/idp-mtls.ts), client certificates made by openssl at test time. Proves client
 * authentication by certificate, certificate-bound tokens (`cnf["x5t#S256"]` = our own thumbprint), the
 * refusals, and that the `mtls_endpoint_aliases` are what is used.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type ClientAuthenticationMethod,
  ClientCredentialsTokenManager,
  ClientCredentialsTokenRequest,
  ConfigurationError,
  certificateThumbprint,
  createHttpClient,
  type HttpClient,
  requestClientCredentialsToken,
} from '@identity-model/core';
import { decodeJwt } from 'jose';
import { createTestPki, type TestCertificate, type TestPki } from '../support/certificates.js';
import { type MtlsIdp, startMtlsIdp } from '../support/idp-mtls.js';
import { IntrospectionProbe } from '../support/introspection-probe.js';

describe('mTLS client authentication and certificate-bound tokens (oidc-provider)', () => {
  let pki: TestPki;
  let idp: MtlsIdp;
  const clients: HttpClient[] = [];
  const httpWith = (certificate?: TestCertificate): HttpClient => {
    const http = createHttpClient({
      env: {},
      ca: idp.ca,
      retryCount: 0,
      ...(certificate ? { clientCertificate: certificate } : {}),
    });
    clients.push(http);
    return http;
  };
  const tokenAt = (address: string, clientId: string, clientAuthentication: ClientAuthenticationMethod) =>
    new ClientCredentialsTokenRequest({ address, clientId, clientAuthentication, scope: 'read' });

  before(async () => {
    pki = await createTestPki();
    idp = await startMtlsIdp(pki);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await idp.close();
    await pki.cleanup();
  });

  test('tls_client_auth: a CA-signed certificate authenticates, and the token is bound to it (cnf x5t#S256)', async () => {
    const { certificate, clientId } = idp.clients.tls;
    const http = httpWith(certificate);
    const response = await requestClientCredentialsToken(
      tokenAt(`${idp.mtlsOrigin}/token`, clientId, 'tls_client_auth'),
      http,
    );
    assert.equal(response.isSuccessful, true, `${response.error}: ${response.errorDescription}`);
    const claims = decodeJwt(response.accessToken ?? '');
    assert.equal(claims.client_id, clientId);
    assert.deepEqual(claims.cnf, { 'x5t#S256': certificateThumbprint(certificate.cert) });
    assert.equal(http.clientCertificateThumbprint, certificateThumbprint(certificate.cert));
  });

  test('self_signed_tls_client_auth: the registered self-signed certificate authenticates; the token is bound to it', async () => {
    const { certificate, clientId } = idp.clients.selfSigned;
    const response = await requestClientCredentialsToken(
      tokenAt(`${idp.mtlsOrigin}/token`, clientId, 'self_signed_tls_client_auth'),
      httpWith(certificate),
    );
    assert.equal(response.isSuccessful, true, `${response.error}: ${response.errorDescription}`);
    assert.deepEqual(decodeJwt(response.accessToken ?? '').cnf, {
      'x5t#S256': certificateThumbprint(certificate.cert),
    });
  });

  for (const [name, makeCertificate, clientKey, method] of [
    [
      'a CA-signed certificate with another subject',
      () => pki.issue('svc-impostor'),
      'tls',
      'tls_client_auth',
    ],
    [
      'the right subject from an untrusted CA',
      async () => pki.issue('svc-tls', { signer: await pki.otherCa() }),
      'tls',
      'tls_client_auth',
    ],
    [
      'a self-signed certificate with the right subject',
      () => pki.selfSigned('svc-tls'),
      'tls',
      'tls_client_auth',
    ],
    [
      'an unregistered self-signed certificate',
      () => pki.selfSigned('svc-self-signed'),
      'selfSigned',
      'self_signed_tls_client_auth',
    ],
  ] as const) {
    test(`wrong certificate refused: ${name} → invalid_client (a protocol error)`, async () => {
      const { clientId } = idp.clients[clientKey];
      const response = await requestClientCredentialsToken(
        tokenAt(`${idp.mtlsOrigin}/token`, clientId, method),
        httpWith(await makeCertificate()),
      );
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'protocol');
      assert.equal(response.error, 'invalid_client');
      assert.equal(response.httpStatus, 401);
    });
  }

  test('no certificate: tls_client_auth through a client without one is a ConfigurationError, nothing sent', async () => {
    idp.resetCounts();
    const response = await requestClientCredentialsToken(
      tokenAt(`${idp.mtlsOrigin}/token`, idp.clients.tls.clientId, 'tls_client_auth'),
      httpWith(),
    );
    assert.equal(response.errorType, 'exception');
    assert.ok(response.exception instanceof ConfigurationError);
    assert.deepEqual(idp.counts.mtls, {});
  });

  test('the plain endpoint (no certificate requested) cannot authenticate a tls_client_auth client: why the alias matters', async () => {
    const { certificate, clientId } = idp.clients.tls;
    const response = await requestClientCredentialsToken(
      tokenAt(`${idp.issuer}/token`, clientId, 'tls_client_auth'),
      httpWith(certificate),
    );
    assert.equal(response.error, 'invalid_client');
  });

  for (const key of ['tls', 'selfSigned'] as const) {
    test(`ClientCredentialsTokenManager (${key}) from the issuer: discovery on the plain host, tokens from the mTLS alias`, async () => {
      const { certificate, clientId } = idp.clients[key];
      idp.resetCounts();
      const manager = new ClientCredentialsTokenManager({
        issuer: idp.issuer,
        clientId,
        clientAuthentication: key === 'tls' ? 'tls_client_auth' : 'self_signed_tls_client_auth',
        scope: 'read',
        httpClient: httpWith(certificate),
      });
      try {
        const token = await manager.getToken();
        assert.deepEqual(decodeJwt(token.accessToken).cnf, {
          'x5t#S256': certificateThumbprint(certificate.cert),
        });
        await manager.getToken();
        assert.equal(idp.counts.mtls['/token'], 1);
        assert.equal(idp.counts.plain['/token'], undefined);
        assert.equal(idp.counts.plain['/.well-known/openid-configuration'], 1);
      } finally {
        await manager.close();
      }
    });
  }

  test('a client_secret_basic client whose HTTP client presents a certificate also uses the alias and gets a bound token', async () => {
    const { certificate, clientId, clientSecret } = idp.clients.boundSecret;
    idp.resetCounts();
    const manager = new ClientCredentialsTokenManager({
      issuer: idp.issuer,
      clientId,
      clientSecret: clientSecret as string,
      httpClient: httpWith(certificate),
    });
    try {
      const token = await manager.getToken();
      assert.deepEqual(decodeJwt(token.accessToken).cnf, {
        'x5t#S256': certificateThumbprint(certificate.cert),
      });
      assert.equal(idp.counts.mtls['/token'], 1);
      assert.equal(idp.counts.plain['/token'], undefined);
    } finally {
      await manager.close();
    }
  });

  test('endpoint requests with tls_client_auth and an authority go to the alias, where the certificate authenticates', async () => {
    const { certificate, clientId } = idp.clients.tls;
    idp.resetCounts();
    const probe = new IntrospectionProbe({
      authority: idp.issuer,
      clientId,
      clientAuthentication: 'tls_client_auth',
    });
    // oidc-provider does not introspect its JWT access tokens; an unknown token still needs an authenticated client.
    const response = await probe.post(httpWith(certificate), [['token', 'unknown-token']], {
      retry: 'none',
      accept: 'application/json',
    });
    assert.equal(response.status, 200, response.body.toString('utf8'));
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), { active: false });
    assert.equal(idp.counts.mtls['/token/introspection'], 1);
    assert.equal(idp.counts.plain['/token/introspection'], undefined);
  });
});
