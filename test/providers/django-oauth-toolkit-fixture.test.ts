/**
 * The django-oauth-toolkit fixture the provider matrix stands on: prove it serves what the tests assume,
 * through the library's discovery and token client. Skipped off CI when the package is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenRequest,
  createHttpClient,
  DiscoveryDocumentRequest,
  getDiscoveryDocument,
  type HttpClient,
  requestClientCredentialsToken,
} from '@identity-model/core';
import { connectionErrorCode } from '../support/connection-error.js';
import { startDjangoOAuthToolkit, type TestDjangoOAuthToolkit } from '../support/django-oauth-toolkit.js';
import { basicAuthorization } from '../support/fixture-token.js';
import { providerSkip } from '../support/providers-available.js';

const skip = providerSkip('django-oauth-toolkit');

describe('django-oauth-toolkit fixture', () => {
  let dot: TestDjangoOAuthToolkit;
  let http: HttpClient;

  before(async () => {
    if (skip) return;
    http = createHttpClient({ retryCount: 0 });
    dot = await startDjangoOAuthToolkit();
  });
  after(async () => {
    if (skip) return;
    await http.close();
    await dot.close();
  });

  test('starts within the bound, on an ephemeral loopback port, with a fresh database', { skip }, () => {
    assert.equal(dot.issuer, `http://127.0.0.1:${dot.port}/o`);
    assert.ok(existsSync(`${dot.dataDir}/db.sqlite3`));
    assert.ok(dot.timings.setupMs + dot.timings.launchMs < 15_000);
  });

  test('the discovery document passes the default policy and advertises the proxy', { skip }, async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: dot.issuer }), http);
    assert.equal(doc.isSuccessful, true, doc.error);
    assert.equal(doc.issuer, dot.issuer);
    assert.equal(doc.tokenEndpoint, dot.endpoints.token);
    assert.equal(doc.jwksUri, dot.endpoints.jwks);
    assert.equal(doc.userInfoEndpoint, dot.endpoints.userinfo);
    // DOT 1.7 serves introspection and revocation but does not advertise them.
    assert.equal(doc.introspectionEndpoint, undefined);
    assert.equal(doc.revocationEndpoint, undefined);
  });

  test('a client_secret_post token from our token client is opaque', { skip }, async () => {
    const client = dot.clients.post;
    const response = await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({
        address: dot.endpoints.token,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        clientAuthentication: 'client_secret_post',
        scope: 'read',
      }),
      http,
    );
    assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
    assert.match(response.accessToken as string, /^[A-Za-z0-9]{30}$/);
    assert.equal(response.scope, 'read');
    assert.equal(response.expiresIn, 300);
  });

  test('introspection of its token by raw fetch; revocation deactivates', { skip }, async () => {
    const token = await dot.getToken({ scope: 'read write' });
    const introspect = async () => {
      const res = await fetch(dot.endpoints.introspection, {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(dot.clients.basic, 'form-urlencoded'),
          accept: 'application/json',
        },
        body: new URLSearchParams({ token }),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as Record<string, unknown>;
    };
    const active = await introspect();
    assert.equal(active.active, true);
    assert.equal(active.scope, 'read write');
    assert.equal(active.client_id, dot.clients.basic.clientId);
    const revoked = await fetch(dot.endpoints.revocation, {
      method: 'POST',
      headers: { authorization: basicAuthorization(dot.clients.basic, 'form-urlencoded') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoked.status, 200);
    assert.deepEqual(await introspect(), { active: false });
  });

  test('secrets with reserved characters work with Basic (form-urlencoded) and post', { skip }, async () => {
    for (const client of [dot.clients.reservedBasic, dot.clients.reservedPost]) {
      assert.match(client.clientSecret, /\+%2B:a b\/c%$/);
      assert.match(await dot.getToken({ client }), /^[A-Za-z0-9]{30}$/);
    }
  });

  test('requests are counted per endpoint through the proxy', { skip }, async () => {
    dot.resetCounts();
    await fetch(`${dot.issuer}/.well-known/openid-configuration`);
    await fetch(dot.endpoints.jwks);
    await dot.getToken();
    assert.deepEqual(
      {
        discovery: dot.counts.discovery,
        jwks: dot.counts.jwks,
        token: dot.counts.token,
        other: dot.counts.other,
      },
      { discovery: 1, jwks: 1, token: 1, other: 0 },
    );
  });

  test('stop refuses connections; restart serves again on the same port and database', { skip }, async () => {
    const token = await dot.getToken();
    const port = dot.port;
    await dot.stop();
    assert.equal(await connectionErrorCode(dot.endpoints.jwks), 'ECONNREFUSED');
    await dot.restart();
    assert.equal(dot.port, port);
    const res = await fetch(dot.endpoints.introspection, {
      method: 'POST',
      headers: { authorization: basicAuthorization(dot.clients.basic, 'form-urlencoded') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(((await res.json()) as { active: boolean }).active, true);
  });

  test('two starts in parallel get distinct ports and databases', { skip }, async () => {
    const [a, b] = await Promise.all([startDjangoOAuthToolkit(), startDjangoOAuthToolkit()]);
    try {
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.dataDir, b.dataDir);
      const fromA = await a.getToken();
      // b's database does not know a's token.
      const res = await fetch(b.endpoints.introspection, {
        method: 'POST',
        headers: { authorization: basicAuthorization(b.clients.basic, 'form-urlencoded') },
        body: new URLSearchParams({ token: fromA }),
      });
      assert.deepEqual(await res.json(), { active: false });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.equal(existsSync(a.dataDir) || existsSync(b.dataDir), false);
  });
});
