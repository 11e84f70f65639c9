/**
 * Certificate-bound OPAQUE tokens (RFC 8705 §3.2): the test issuer (@identity-model/testing) answers
 * introspection of an opaque token with `cnf["x5t#S256"]`; our resource server, validating by introspection
 * only, accepts the token only with that client certificate: through `createBearerAuthenticator` with the
 * `mtls.getCertificate` hook, and through every adapter served over HTTPS asking for client certificates (the
 * certificate read from the TLS socket). A cached verdict is held to the certificate too. Introspections are
 * counted at the issuer. (DPoP: sender-bound-introspection.test.ts.)
 */
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, test } from 'node:test';
import {
  type BearerAuthenticator,
  type BearerAuthOptions,
  BearerError,
  type BearerRequest,
  certificateThumbprint,
  createBearerAuthenticator,
} from '@identity-model/core';
import { createTestIssuer, type TestIssuer } from '@identity-model/testing';
import { FRAMEWORKS, type RunningApp, startApp } from './security/support/apps.js';
import { createTestPki, type TestCertificate, type TestPki } from './support/certificates.js';

const MISMATCH = 'The access token is bound to a client certificate this request did not present';
const ALGS = 'algs="ES256 ES384 PS256 RS256 EdDSA"';

async function refusal(promise: Promise<unknown>): Promise<BearerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BearerError, `expected a BearerError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

/** GET over HTTPS (a fresh connection each time), presenting `certificate` when given. */
function get(url: string, token: string, ca: string, certificate?: TestCertificate) {
  return new Promise<{ status: number; challenge: string | undefined; body: string }>((resolve, reject) => {
    const req = httpsRequest(url, {
      agent: false,
      ca,
      ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}),
      headers: { authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const challenge = res.headers['www-authenticate'];
        resolve({ status: res.statusCode ?? 0, challenge, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('certificate-bound opaque tokens validated by introspection (cnf x5t#S256)', () => {
  let pki: TestPki;
  let issuer: TestIssuer;
  let bound: TestCertificate;
  let other: TestCertificate;
  let thumbprint: string;
  let token: string;
  const options = (): BearerAuthOptions => ({
    issuer: issuer.issuer,
    audience: 'orders-api',
    tokens: 'introspection',
    introspection: {
      clientId: issuer.defaultClient.clientId,
      clientSecret: issuer.defaultClient.clientSecret,
    },
  });

  before(async () => {
    pki = await createTestPki();
    [bound, other] = await Promise.all([pki.issue('svc-bound'), pki.issue('svc-other')]);
    issuer = await createTestIssuer({ audience: 'orders-api' });
    thumbprint = certificateThumbprint(bound.cert);
    token = issuer.createOpaqueToken({ scope: 'read', claims: { cnf: { 'x5t#S256': thumbprint } } });
  });
  after(async () => {
    await issuer.close();
    await pki.cleanup();
  });

  describe('createBearerAuthenticator, certificate from getCertificate', () => {
    let auth: BearerAuthenticator;
    // What each request's TLS layer would have seen, as the application's hook reads it.
    const presented = new WeakMap<BearerRequest, string>();
    const requestWith = (certificate?: TestCertificate): BearerRequest => {
      const request: BearerRequest = {
        method: 'GET',
        url: '/orders',
        headers: { host: 'api.example', authorization: `Bearer ${token}` },
        socket: { remoteAddress: '127.0.0.1', encrypted: true },
      };
      if (certificate) presented.set(request, certificate.cert);
      return request;
    };
    before(() => {
      auth = createBearerAuthenticator({
        ...options(),
        realm: 'api',
        mtls: { getCertificate: (request) => presented.get(request) },
      });
    });
    after(() => auth.close());

    test('the certificate the token names → accepted, binding mtls with its thumbprint', async () => {
      issuer.resetRequests();
      const result = await auth.authenticate(requestWith(bound));
      assert.deepEqual(result?.binding, { method: 'mtls', thumbprint });
      assert.deepEqual(result?.claims.cnf, { 'x5t#S256': thumbprint });
      assert.deepEqual(result?.scopes, ['read']);
      assert.equal(issuer.requests.introspection, 1);
    });

    test('certificate mismatch: another certificate → 401 invalid_token (certificate_mismatch)', async () => {
      const error = await refusal(auth.authenticate(requestWith(other)));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_token');
      assert.equal((error.cause as { code?: string }).code, 'certificate_mismatch');
      assert.equal(
        error.headers['www-authenticate'],
        `Bearer realm="api", error="invalid_token", error_description="${MISMATCH}", DPoP realm="api", ${ALGS}`,
      );
    });

    test('no certificate → 401 invalid_token (certificate_missing)', async () => {
      const error = await refusal(auth.authenticate(requestWith()));
      assert.equal(error.code, 'invalid_token');
      assert.equal((error.cause as { code?: string }).code, 'certificate_missing');
    });

    test('introspection cache hit: the certificate is still checked on the cached token', async () => {
      await auth.authenticate(requestWith(bound));
      issuer.resetRequests();
      const mismatch = await refusal(auth.authenticate(requestWith(other)));
      assert.equal((mismatch.cause as { code?: string }).code, 'certificate_mismatch');
      const missing = await refusal(auth.authenticate(requestWith()));
      assert.equal((missing.cause as { code?: string }).code, 'certificate_missing');
      assert.deepEqual((await auth.authenticate(requestWith(bound)))?.binding, {
        method: 'mtls',
        thumbprint,
      });
      assert.equal(issuer.requests.introspection, 0, 'the cached verdict was not used');
    });
  });

  for (const framework of FRAMEWORKS) {
    describe(`${framework} over mutual TLS, certificate from the TLS socket`, () => {
      let app: RunningApp;
      before(async () => {
        app = await startApp(framework, options(), { cert: pki.server.cert, key: pki.server.key });
      });
      after(() => app.close());
      const call = (certificate?: TestCertificate) => get(`${app.url}/api`, token, pki.ca.cert, certificate);

      test('the certificate the token names → 200, auth.binding mtls with its thumbprint', async () => {
        const res = await call(bound);
        assert.equal(res.status, 200, res.body);
        const body = JSON.parse(res.body) as { binding?: unknown; scopes: string[] };
        assert.deepEqual(body.binding, { method: 'mtls', thumbprint });
        assert.deepEqual(body.scopes, ['read']);
      });

      test('certificate mismatch: another certificate → 401 Bearer error="invalid_token"', async () => {
        const res = await call(other);
        assert.equal(res.status, 401);
        assert.equal(
          res.challenge,
          `Bearer error="invalid_token", error_description="${MISMATCH}", DPoP ${ALGS}`,
        );
      });

      test('introspection cache hit: another certificate on the cached token is still refused', async () => {
        assert.equal((await call(bound)).status, 200);
        issuer.resetRequests();
        const mismatch = await call(other);
        assert.equal(mismatch.status, 401);
        assert.match(mismatch.challenge ?? '', /error="invalid_token"/);
        assert.equal((await call()).status, 401);
        assert.equal((await call(bound)).status, 200);
        assert.equal(issuer.requests.introspection, 0, 'the cached verdict was not used');
      });
    });
  }
});
