/**
 * The glewlwyd fixture the provider matrix stands on: prove it serves what the tests assume, through the
 * library's own discovery, token client and validator. Skipped off CI when glewlwyd is not installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenRequest,
  createHttpClient,
  createTokenValidator,
  DiscoveryDocumentRequest,
  getDiscoveryDocument,
  type HttpClient,
  requestClientCredentialsToken,
  TokenValidationError,
  type TokenValidator,
} from '@identity-model/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { connectionErrorCode } from '../support/connection-error.js';
import { basicAuthorization } from '../support/fixture-token.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import type { IdpClient } from '../support/idp.js';
import { providerSkip } from '../support/providers-available.js';

const skip = providerSkip('glewlwyd');

describe('glewlwyd fixture', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;
  const validators: TokenValidator[] = [];
  const validator = (issuer = gw.issuer, audience = gw.audience) => {
    const v = createTokenValidator({ issuer, audience, keySet: { cooldownMs: 0 } });
    validators.push(v);
    return v;
  };
  const tokenRequest = (client: IdpClient, scope = 'read') =>
    new ClientCredentialsTokenRequest({
      address: `${gw.issuer}/token`,
      clientId: client.clientId,
      ...(client.privateJwk ? { privateKey: client.privateJwk } : { clientSecret: client.clientSecret }),
      clientAuthentication: client.authMethod,
      scope,
      resource: gw.audience,
    });

  before(async () => {
    if (skip) return;
    http = createHttpClient({ retryCount: 0 });
    gw = await startGlewlwyd();
  });
  after(async () => {
    if (skip) return;
    await Promise.all(validators.map((v) => v.close()));
    await http.close();
    await gw.close();
  });

  test('starts within the bound, on an ephemeral loopback port, with a fresh database', { skip }, () => {
    assert.equal(gw.issuer, `http://127.0.0.1:${gw.port}/api/oidc`);
    assert.ok(existsSync(`${gw.dataDir}/glewlwyd.db`));
    assert.ok(gw.timings.setupMs + gw.timings.launchMs < 15_000);
  });

  test('the discovery document passes the default policy and advertises the proxy', { skip }, async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: gw.issuer }), http);
    assert.equal(doc.isSuccessful, true, doc.error);
    assert.equal(doc.issuer, gw.issuer);
    assert.equal(doc.tokenEndpoint, `${gw.issuer}/token`);
    assert.equal(doc.jwksUri, `${gw.issuer}/jwks`);
    assert.equal(doc.introspectionEndpoint, `${gw.issuer}/introspect`);
    assert.equal(doc.revocationEndpoint, `${gw.issuer}/revoke`);
    assert.equal(doc.deviceAuthorizationEndpoint, `${gw.issuer}/device_authorization`);
    assert.equal(doc.pushedAuthorizationRequestEndpoint, `${gw.issuer}/par`);
    assert.equal(doc.registrationEndpoint, `${gw.issuer}/register`);
    assert.ok(doc.getStrings('token_endpoint_auth_methods_supported')?.includes('private_key_jwt'));
    assert.ok(doc.getStrings('access_token_signing_alg_values_supported')?.includes('ES256'));
    assert.ok(doc.getStrings('dpop_signing_alg_values_supported')?.includes('ES256'));
  });

  test('its document has the gaps the matrix must decide about (recorded, glewlwyd 2.7.5)', {
    skip,
  }, async () => {
    const doc = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: gw.issuer }), http);
    const grants = doc.getStrings('grant_types_supported') ?? [];
    // client_credentials and refresh_token are listed as response types, not grant types.
    assert.ok(!grants.includes('client_credentials') && !grants.includes('refresh_token'), grants.join());
    assert.ok(grants.includes('implicit'), 'implicit is listed although auth-type-token is disabled');
    const responseTypes = doc.getStrings('response_types_supported') ?? [];
    assert.ok(responseTypes.includes('client_credentials') && responseTypes.includes('refresh_token'));
    // The introspection/revocation auth methods omit client_secret_post, which the endpoints accept.
    assert.deepEqual(doc.getStrings('introspection_endpoint_auth_methods_supported'), [
      'client_secret_basic',
      'bearer',
    ]);
    for (const missing of [
      'introspection_endpoint_auth_signing_alg_values_supported',
      'revocation_endpoint_auth_signing_alg_values_supported',
      'authorization_response_iss_parameter_supported',
      'end_session_endpoint',
    ]) {
      assert.equal(doc.raw[missing], undefined, missing);
    }
  });

  test('a client_secret_post token from our token client is an RS256 RFC 9068 JWT that validates', {
    skip,
  }, async () => {
    const response = await requestClientCredentialsToken(tokenRequest(gw.clients.post), http);
    assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
    const token = response.accessToken as string;
    assert.deepEqual(decodeProtectedHeader(token), { typ: 'at+jwt', alg: 'RS256', kid: gw.kids.RS256 });
    const result = await validator().validate(token);
    assert.equal(result.claims.iss, gw.issuer);
    assert.equal(result.claims.aud, gw.audience);
    assert.equal(result.claims.client_id, gw.clients.post.clientId);
    assert.deepEqual(result.scopes, ['read']);
  });

  test('the es256 client gets ES256 tokens that validate with the same key set', { skip }, async () => {
    const response = await requestClientCredentialsToken(tokenRequest(gw.clients.es256), http);
    assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
    const result = await validator().validate(response.accessToken as string);
    assert.equal(result.header.alg, 'ES256');
    assert.equal(result.header.kid, gw.kids.ES256);
  });

  test('the private_key_jwt client authenticates with its ES256 key', { skip }, async () => {
    const response = await requestClientCredentialsToken(tokenRequest(gw.clients.privateKeyJwt), http);
    assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
    assert.equal(decodeJwt(response.accessToken as string).client_id, gw.clients.privateKeyJwt.clientId);
  });

  test('secrets with reserved characters work (Basic sent raw: glewlwyd does not decode it)', {
    skip,
  }, async () => {
    for (const client of [gw.clients.reservedBasic, gw.clients.reservedPost]) {
      assert.match(client.clientSecret, /\+%2B:a b\/c%$/);
      assert.equal(decodeJwt(await gw.getToken({ client })).client_id, client.clientId);
    }
  });

  test('introspection answers JSON, and a JWT (RFC 9701) when asked; revocation deactivates', {
    skip,
  }, async () => {
    const token = await gw.getToken();
    const auth = { authorization: basicAuthorization(gw.clients.basic, 'raw') };
    const introspect = (accept = 'application/json') =>
      fetch(`${gw.issuer}/introspect`, {
        method: 'POST',
        headers: { ...auth, accept },
        body: new URLSearchParams({ token }),
      });
    const json = await introspect();
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(((await json.json()) as { active: boolean }).active, true);
    const jwt = await introspect('application/token-introspection+jwt');
    assert.equal(jwt.headers.get('content-type'), 'application/token-introspection+jwt');
    const signed = await jwt.text();
    assert.equal(decodeProtectedHeader(signed).typ, 'token-introspection+jwt');
    assert.equal((decodeJwt(signed).token_introspection as { active: boolean }).active, true);
    const revoked = await fetch(`${gw.issuer}/revoke`, {
      method: 'POST',
      headers: auth,
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoked.status, 200);
    assert.equal(((await (await introspect()).json()) as { active: boolean }).active, false);
  });

  test('requests are counted per endpoint through the proxy', { skip }, async () => {
    gw.resetCounts();
    await fetch(`${gw.issuer}/.well-known/openid-configuration`);
    await fetch(`${gw.issuer}/jwks`);
    await gw.getToken();
    await gw.getToken();
    assert.deepEqual(
      {
        discovery: gw.counts.discovery,
        jwks: gw.counts.jwks,
        token: gw.counts.token,
        other: gw.counts.other,
      },
      { discovery: 1, jwks: 1, token: 2, other: 0 },
    );
  });

  test('stop refuses connections; restart serves again on the same port, same database and keys', {
    skip,
  }, async () => {
    const before = await gw.getToken();
    const port = gw.port;
    await gw.stop();
    assert.equal(await connectionErrorCode(`${gw.issuer}/jwks`), 'ECONNREFUSED');
    await gw.restart();
    assert.equal(gw.port, port);
    assert.equal((await fetch(`${gw.issuer}/jwks`)).status, 200);
    const v = validator();
    await v.validate(before);
    await v.validate(await gw.getToken());
  });

  test('two starts in parallel get distinct ports, databases and keys', { skip }, async () => {
    const [a, b] = await Promise.all([startGlewlwyd(), startGlewlwyd()]);
    try {
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.dataDir, b.dataDir);
      assert.notEqual(a.kids.RS256, b.kids.RS256);
      const fromA = await a.getToken();
      await validator(a.issuer, a.audience).validate(fromA);
      // b's validator fetches b's keys: a's token is refused (another issuer, and an unknown key).
      await assert.rejects(validator(b.issuer, b.audience).validate(fromA), TokenValidationError);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    assert.equal(existsSync(a.dataDir) || existsSync(b.dataDir), false);
  });
});
