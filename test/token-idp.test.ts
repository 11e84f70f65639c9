import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenRequest,
  createHttpClient,
  type HttpClient,
  requestClientCredentialsToken,
  type TokenResponse,
} from '@identity-model/core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { type IdpClient, startIdp, type TestIdp } from './support/idp.js';

// The token endpoint client against a real oidc-provider: every client authentication method it supports.
describe('token endpoint client against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  let tokenEndpoint: string;
  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
    tokenEndpoint = `${idp.issuer}/token`;
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  function request(
    client: IdpClient,
    extra: Partial<ConstructorParameters<typeof ClientCredentialsTokenRequest>[0]> = {},
  ) {
    return new ClientCredentialsTokenRequest({
      address: tokenEndpoint,
      clientId: client.clientId,
      ...(client.privateJwk ? { privateKey: client.privateJwk } : { clientSecret: client.clientSecret }),
      clientAuthentication: client.authMethod,
      ...extra,
    });
  }

  async function verify(response: TokenResponse, audience = idp.audience) {
    assert.equal(response.isSuccessful, true, `${response.error}: ${response.errorDescription}`);
    assert.equal(response.tokenType, 'Bearer');
    assert.equal(response.expiresIn, 300);
    const { payload } = await jwtVerify(response.accessToken as string, createLocalJWKSet(idp.publicJwks()), {
      issuer: idp.issuer,
      audience,
    });
    return payload;
  }

  for (const name of ['basic', 'post', 'jwt', 'privateKeyJwt'] as const) {
    test(`a real client-credentials token with ${name === 'jwt' ? 'client_secret_jwt' : name === 'privateKeyJwt' ? 'private_key_jwt' : `client_secret_${name}`}`, async () => {
      const client = idp.clients[name];
      const req = request(client, { scope: 'read' });
      const payload = await verify(await requestClientCredentialsToken(req, http));
      assert.equal(payload.client_id, client.clientId);
      assert.equal(payload.scope, 'read');
      if (client.authMethod === 'private_key_jwt' || client.authMethod === 'client_secret_jwt') {
        // The provider rejects a replayed jti: a second request proves each assertion is fresh.
        await verify(await requestClientCredentialsToken(req, http));
      }
    });
  }

  test('private_key_jwt with the issuer as assertion audience', async () => {
    const req = request(idp.clients.privateKeyJwt, { clientAssertion: { audience: idp.issuer } });
    await verify(await requestClientCredentialsToken(req, http));
  });

  test('scope and resource: the token is for the requested resource and scopes', async () => {
    const response = await requestClientCredentialsToken(
      request(idp.clients.basic, { scope: ['read', 'write'], resource: idp.otherAudience }),
      http,
    );
    const payload = await verify(response, idp.otherAudience);
    assert.equal(payload.scope, 'read write');
    assert.equal(payload.aud, idp.otherAudience);
  });

  test('invalid_client is a typed response (wrong secret)', async () => {
    const response = await requestClientCredentialsToken(
      request({ ...idp.clients.basic, clientSecret: 'wrong-secret' }),
      http,
    );
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
    assert.equal(response.httpStatus, 401);
    assert.ok(!(response.errorDescription ?? '').includes('wrong-secret'));
  });

  test('invalid_client for a private_key_jwt assertion signed with the wrong key', async () => {
    const { generateKeyPair, exportJWK } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const wrong = { ...(await exportJWK(privateKey)), kid: idp.clients.privateKeyJwt.privateJwk?.kid };
    const response = await requestClientCredentialsToken(
      request(idp.clients.privateKeyJwt, { privateKey: wrong }),
      http,
    );
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
  });

  test('invalid_scope is a typed response', async () => {
    const response = await requestClientCredentialsToken(
      request(idp.clients.readOnly, { scope: 'write' }),
      http,
    );
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_scope');
    assert.equal(response.httpStatus, 400);
  });

  test('a grant the client may not use is a typed protocol error response', async () => {
    const { RefreshTokenRequest, requestRefreshToken } = await import('@identity-model/core');
    const response = await requestRefreshToken(
      new RefreshTokenRequest({
        address: tokenEndpoint,
        clientId: idp.clients.basic.clientId,
        clientSecret: idp.clients.basic.clientSecret,
        refreshToken: 'not-a-refresh-token',
      }),
      http,
    );
    // The provider enables refresh_token for its end-user clients, so for this service client it answers
    // invalid_request ("requested grant type is not allowed for this client"), not unsupported_grant_type.
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.httpStatus, 400);
    assert.equal(response.error, 'invalid_request');
    assert.match(response.errorDescription ?? '', /grant type is not allowed/);
  });
});
