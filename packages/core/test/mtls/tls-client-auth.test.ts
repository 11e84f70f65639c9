/**
 * RFC 8705 §2 client authentication and §5 endpoint aliases, against real HTTPS servers on 127.0.0.1 that
 * ask for client certificates: what goes on the wire, where it goes, and the misconfigurations refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestPki, type TestCertificate, type TestPki } from '../../../../test/support/certificates.js';
import { IntrospectionProbe } from '../../../../test/support/introspection-probe.js';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { ClientCredentialsTokenRequest, requestClientCredentialsToken } from '../../src/token/index.js';
import { ClientCredentialsTokenManager } from '../../src/token-management/index.js';
import { type MtlsServer, sendJson, startMtlsServer } from './mtls-server.js';

describe('tls_client_auth and self_signed_tls_client_auth (RFC 8705)', () => {
  let pki: TestPki;
  let server: MtlsServer;
  let tlsCert: TestCertificate;
  let otherCert: TestCertificate;
  let withCert: HttpClient;
  let withOtherCert: HttpClient;
  let withoutCert: HttpClient;
  let selfSignedClient: HttpClient;

  before(async () => {
    pki = await createTestPki();
    tlsCert = await pki.issue('svc-tls');
    otherCert = await pki.issue('svc-tls-rotated');
    // Asks for a certificate but lets clients without one (or self-signed) in, so every case reaches it.
    server = await startMtlsServer(
      pki,
      (req, res) => {
        if (req.path === '/.well-known/openid-configuration') {
          sendJson(res, 200, {
            issuer: server.origin,
            authorization_endpoint: `${server.origin}/authorize`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['ES256'],
            token_endpoint: `${server.origin}/plain/token`,
            introspection_endpoint: `${server.origin}/plain/introspect`,
            mtls_endpoint_aliases: {
              token_endpoint: `${server.origin}/mtls/token`,
              introspection_endpoint: `${server.origin}/mtls/introspect`,
            },
          });
          return;
        }
        if (req.path.endsWith('/introspect')) {
          sendJson(res, 200, { active: false });
          return;
        }
        sendJson(res, 200, { access_token: `at-${req.path}`, token_type: 'Bearer', expires_in: 300 });
      },
      { rejectUnauthorized: false },
    );
    withCert = createHttpClient({ env: {}, ca: pki.ca.cert, clientCertificate: tlsCert });
    withOtherCert = createHttpClient({ env: {}, ca: pki.ca.cert, clientCertificate: otherCert });
    withoutCert = createHttpClient({ env: {}, ca: pki.ca.cert });
    selfSignedClient = createHttpClient({
      env: {},
      ca: pki.ca.cert,
      clientCertificate: await pki.selfSigned('svc-self-signed'),
    });
  });
  after(async () => {
    await Promise.all([withCert, withOtherCert, withoutCert, selfSignedClient].map((h) => h.close()));
    await server.close();
    await pki.cleanup();
  });

  const paths = () => server.requests.map((r) => r.path);

  for (const method of ['tls_client_auth', 'self_signed_tls_client_auth'] as const) {
    test(`${method}: the form carries client_id only (no secret, assertion or Authorization); the certificate authenticates`, async () => {
      const http = method === 'tls_client_auth' ? withCert : selfSignedClient;
      const request = new ClientCredentialsTokenRequest({
        address: `${server.origin}/mtls/token`,
        clientId: 'svc-tls',
        clientAuthentication: method,
        scope: 'read',
      });
      const response = await requestClientCredentialsToken(request, http);
      assert.equal(response.isSuccessful, true, response.error);
      const seen = server.requests.at(-1);
      assert.ok(seen);
      assert.deepEqual([...seen.form.keys()].sort(), ['client_id', 'grant_type', 'scope']);
      assert.equal(seen.form.get('client_id'), 'svc-tls');
      assert.equal(seen.headers.authorization, undefined);
      assert.equal(seen.peerSubject, method === 'tls_client_auth' ? 'CN=svc-tls' : 'CN=svc-self-signed');
    });
  }

  test('a tls_client_auth request through an HTTP client without a certificate is a ConfigurationError, and nothing is sent', async () => {
    const before = server.requests.length;
    const request = new ClientCredentialsTokenRequest({
      address: `${server.origin}/mtls/token`,
      clientId: 'svc-tls',
      clientAuthentication: 'tls_client_auth',
    });
    const response = await requestClientCredentialsToken(request, withoutCert);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'exception');
    assert.ok(response.exception instanceof ConfigurationError);
    assert.match(response.exception.message, /clientCertificate/);
    assert.equal(server.requests.length, before);
  });

  test('tls_client_auth to a plain http:// endpoint is a ConfigurationError (no certificate travels without TLS)', async () => {
    const request = new ClientCredentialsTokenRequest({
      address: 'http://127.0.0.1:1/token',
      clientId: 'svc-tls',
      clientAuthentication: 'self_signed_tls_client_auth',
    });
    const response = await requestClientCredentialsToken(request, withCert);
    assert.ok(response.exception instanceof ConfigurationError);
    assert.match(response.exception.message, /needs an https endpoint/);
  });

  test('endpoint requests: tls_client_auth goes to the mtls_endpoint_aliases entry, not the plain endpoint', async () => {
    server.requests.length = 0;
    const probe = new IntrospectionProbe({
      authority: server.origin,
      clientId: 'svc-tls',
      clientAuthentication: 'tls_client_auth',
    });
    const response = await probe.post(withCert, [['token', 'x']], {
      retry: 'none',
      accept: 'application/json',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(paths(), ['/.well-known/openid-configuration', '/mtls/introspect']);
    assert.equal(server.requests.at(-1)?.form.get('client_id'), 'svc-tls');
  });

  test('endpoint requests: a secret-authenticated client uses the alias when its HTTP client presents a certificate, the plain endpoint when not', async () => {
    const secretProbe = () =>
      new IntrospectionProbe({ authority: server.origin, clientId: 'svc-basic', clientSecret: 's3cret' });
    server.requests.length = 0;
    await secretProbe().post(withoutCert, [['token', 'x']], { retry: 'none', accept: 'application/json' });
    await secretProbe().post(withCert, [['token', 'x']], { retry: 'none', accept: 'application/json' });
    assert.deepEqual(
      paths().filter((p) => p.endsWith('/introspect')),
      ['/plain/introspect', '/mtls/introspect'],
    );
  });

  test('endpoint requests: tls_client_auth without a certificate fails before discovery or the POST', async () => {
    server.requests.length = 0;
    const probe = new IntrospectionProbe({
      authority: server.origin,
      clientId: 'svc-tls',
      clientAuthentication: 'tls_client_auth',
    });
    await assert.rejects(
      probe.post(withoutCert, [['token', 'x']], { retry: 'none', accept: 'application/json' }),
      (error: unknown) => error instanceof ConfigurationError && /clientCertificate/.test(error.message),
    );
    assert.equal(server.requests.length, 0);
  });

  test('the manager with an issuer fetches from the token endpoint alias and needs no secret', async () => {
    server.requests.length = 0;
    const manager = new ClientCredentialsTokenManager({
      issuer: server.origin,
      clientId: 'svc-tls',
      clientAuthentication: 'tls_client_auth',
      httpClient: withCert,
    });
    try {
      const token = await manager.getToken();
      assert.equal(token.accessToken, 'at-/mtls/token');
      assert.deepEqual(paths(), ['/.well-known/openid-configuration', '/mtls/token']);
    } finally {
      await manager.close();
    }
  });

  test('the manager refuses tls_client_auth at construction without an HTTP client that presents a certificate', () => {
    const base = {
      tokenEndpoint: `${server.origin}/mtls/token`,
      clientId: 'svc-tls',
      clientAuthentication: 'tls_client_auth',
    } as const;
    for (const httpClient of [undefined, withoutCert]) {
      assert.throws(
        () => new ClientCredentialsTokenManager({ ...base, ...(httpClient ? { httpClient } : {}) }),
        (error: unknown) =>
          error instanceof ConfigurationError && /httpClient: tls_client_auth/.test(error.message),
      );
    }
    assert.throws(
      () =>
        new ClientCredentialsTokenManager({
          ...base,
          tokenEndpoint: 'http://127.0.0.1/token',
          httpClient: withCert,
        }),
      /needs an https endpoint/,
    );
  });

  test('cache keys: a certificate-bound token is never shared with a manager holding another certificate', () => {
    const key = (httpClient: HttpClient) =>
      new ClientCredentialsTokenManager({
        tokenEndpoint: `${server.origin}/mtls/token`,
        clientId: 'svc-tls',
        clientAuthentication: 'tls_client_auth',
        httpClient,
      }).cacheKey;
    assert.notEqual(key(withCert), key(withOtherCert));
    assert.equal(key(withCert), key(withCert));
  });

  test('cache keys of managers without a certificate are unchanged (a fleet mid-upgrade keeps sharing tokens)', () => {
    const endpoint = `${server.origin}/plain/token`;
    const manager = new ClientCredentialsTokenManager({
      tokenEndpoint: endpoint,
      clientId: 'svc-basic',
      clientSecret: 's3cret',
      scope: 'read',
    });
    const material = JSON.stringify([1, endpoint, null, 'svc-basic', ['read'], [], []]);
    const expected = `identity-model:client-credentials:${createHash('sha256').update(material).digest('base64url')}`;
    assert.equal(manager.cacheKey, expected);
  });
});
