/**
 * DPoP end to end with a second, independent provider: glewlwyd 2.7.5 (DPoP draft 07, `oauth-dpop-allowed`
 * in the fixture). What it does, measured here: a token request with a valid proof gets `token_type: DPoP`
 * and `cnf.jkt` = the proof key's RFC 7638 thumbprint; without a proof it issues `token_type: bearer`
 * (lower case). It checks `typ`, the signature, `htm`, `htu` (exactly its advertised token endpoint: no
 * query, no trailing slash, same host), `iat` (60 s, the fixture's `oauth-dpop-iat-duration`) and refuses a
 * replayed `jti`, each with 403 `invalid_dpop_proof` (RFC 9449 §5 says 400). It has no server nonces: it
 * never sends `DPoP-Nonce` and ignores a `nonce` claim, so our manager's nonce round trip does not happen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenManager,
  clientCredentialsInterceptor,
  createAuthenticatedFetch,
  createDPoPProof,
  createHttpClient,
  type HttpClient,
} from '@identity-model/core';
import { decodeJwt } from 'jose';
import { FRAMEWORKS, type RunningApp, startApp } from '../security/support/apps.js';
import { basicAuthorization } from '../support/fixture-token.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { providerSkip } from '../support/providers-available.js';

const skip = providerSkip('glewlwyd');

describe('DPoP-bound client credentials from glewlwyd, used through every adapter', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;
  let manager: ClientCredentialsTokenManager;
  const apps: RunningApp[] = [];

  before(async () => {
    if (skip) return;
    http = createHttpClient({ retryCount: 0 });
    gw = await startGlewlwyd();
    manager = new ClientCredentialsTokenManager({
      tokenEndpoint: `${gw.issuer}/token`,
      clientId: gw.clients.basic.clientId,
      clientSecret: gw.clients.basic.clientSecret,
      basicAuthenticationHeaderStyle: 'rfc2617',
      scope: 'read',
      resource: gw.audience,
      httpClient: http,
      dpop: true,
    });
  });
  after(async () => {
    if (skip) return;
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await manager.close();
    await http.close();
    await gw.close();
  });

  test('glewlwyd issues a DPoP token bound to our key, in one token request (it has no nonces)', {
    skip,
  }, async () => {
    gw.resetCounts();
    const token = await manager.getToken();
    assert.equal(token.tokenType, 'DPoP');
    assert.equal(gw.counts.token, 1);
    const claims = decodeJwt(token.accessToken);
    assert.deepEqual(claims.cnf, { jkt: manager.dpop?.thumbprint });
    assert.equal(claims.aud, gw.audience);
    assert.equal(manager.dpop?.nonceFor(gw.issuer), undefined, 'glewlwyd sent no DPoP-Nonce');
  });

  test('what glewlwyd checks: a replayed proof and an htu with a query are refused (403 invalid_dpop_proof)', {
    skip,
  }, async () => {
    const address = `${gw.issuer}/token`;
    const ask = async (proof: string) => {
      const res = await fetch(address, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(gw.clients.basic, 'raw'),
          'content-type': 'application/x-www-form-urlencoded',
          dpop: proof,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource: gw.audience }),
      });
      const body = (await res.json()) as { token_type?: string; error?: string };
      return { status: res.status, body, nonce: res.headers.get('dpop-nonce') };
    };
    const key = manager.dpop?.key as NonNullable<typeof manager.dpop>['key'];
    const proof = await createDPoPProof({ key, htm: 'POST', htu: address });
    const first = await ask(proof);
    assert.equal(first.status, 200);
    assert.equal(first.body.token_type, 'DPoP');
    assert.equal(first.nonce, null);
    const replayed = await ask(proof);
    assert.deepEqual([replayed.status, replayed.body.error], [403, 'invalid_dpop_proof']);
    const otherPath = await ask(await createDPoPProof({ key, htm: 'POST', htu: `${gw.issuer}/introspect` }));
    assert.deepEqual([otherPath.status, otherPath.body.error], [403, 'invalid_dpop_proof']);
  });

  for (const framework of FRAMEWORKS) {
    describe(framework, () => {
      let app: RunningApp;
      before(async () => {
        if (skip) return;
        app = await startApp(framework, {
          issuer: gw.issuer,
          audience: gw.audience,
          dpop: { mode: 'required', nonce: true },
        });
        apps.push(app);
      });

      test('createAuthenticatedFetch and the interceptor: 200 with auth.binding.jkt', { skip }, async () => {
        const f = createAuthenticatedFetch(manager, { origins: [app.url] });
        const res = await f(`${app.url}/api`);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { binding?: unknown; sub?: string };
        assert.deepEqual(body.binding, { method: 'dpop', jkt: manager.dpop?.thumbprint });
        assert.equal(body.sub, gw.clients.basic.clientId);
        const dispatcher = http.dispatcher.compose(
          clientCredentialsInterceptor(manager, { origins: [app.url] }),
        );
        const viaInterceptor = await dispatcher.request({
          origin: app.url,
          path: '/api',
          method: 'POST',
          body: 'a=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        assert.equal(viaInterceptor.statusCode, 200);
        const answer = (await viaInterceptor.body.json()) as { binding?: unknown };
        assert.deepEqual(answer.binding, { method: 'dpop', jkt: manager.dpop?.thumbprint });
      });

      test('token theft: the DPoP-bound glewlwyd token sent as Bearer is refused with 401', {
        skip,
      }, async () => {
        const { accessToken } = await manager.getToken();
        const res = await fetch(`${app.url}/api`, { headers: { authorization: `Bearer ${accessToken}` } });
        assert.equal(res.status, 401);
        await res.text();
        assert.match(String(res.headers.get('www-authenticate')), /^DPoP .*error="invalid_token"/);
      });
    });
  }
});
