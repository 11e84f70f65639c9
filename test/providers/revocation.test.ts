/**
 * RFC 7009 revocation against real providers, each revocation checked by introspecting the token afterwards
 * (raw fetch, so only revokeToken is under test): oidc-provider (opaque user tokens from an authorization
 * code flow played through its development interactions; its JWT access tokens cannot be revoked),
 * glewlwyd (Basic credentials sent raw) and django-oauth-toolkit (endpoint not in discovery; empty HTML 200).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createHttpClient, type HttpClient, revokeToken, TokenRevocationRequest } from '@identity-model/core';
import { startDjangoOAuthToolkit, type TestDjangoOAuthToolkit } from '../support/django-oauth-toolkit.js';
import { basicAuthorization } from '../support/fixture-token.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { type IdpUserClient, startIdp, type TestIdp } from '../support/idp.js';
import { authorize } from '../support/interactions.js';
import { providerSkip } from '../support/providers-available.js';

async function introspectActive(url: string, authorization: string, token: string): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, accept: 'application/json' },
    body: new URLSearchParams({ token }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { active?: unknown }).active;
}

/** Access and refresh token (both opaque) for `client`, by the authorization code flow with PKCE. */
async function userTokens(idp: TestIdp, client: IdpUserClient): Promise<{ access: string; refresh: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${idp.issuer}/auth`);
  for (const [name, value] of Object.entries({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri as string,
    scope: 'openid offline_access',
    prompt: 'consent',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    url.searchParams.set(name, value);
  }
  const { redirect } = await authorize(url, { login: 'alice' });
  const code = redirect.searchParams.get('code');
  assert.ok(code, redirect.href);
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuthorization(webAppAsIdpClient(client), 'form-urlencoded') },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri as string,
      code_verifier: verifier,
    }),
  });
  const json = (await res.json()) as { access_token?: string; refresh_token?: string };
  assert.ok(json.access_token && json.refresh_token, JSON.stringify(Object.keys(json)));
  return { access: json.access_token, refresh: json.refresh_token };
}

function webAppAsIdpClient(client: IdpUserClient) {
  return {
    clientId: client.clientId,
    clientSecret: client.clientSecret as string,
    authMethod: 'client_secret_basic' as const,
  };
}

describe('revocation: oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  const revoke = (token: string, extra: Record<string, unknown> = {}) =>
    revokeToken(
      new TokenRevocationRequest({
        authority: idp.issuer,
        clientId: idp.userClients.webApp.clientId,
        clientSecret: idp.userClients.webApp.clientSecret as string,
        token,
        ...extra,
      }),
      http,
    );
  const active = (token: string) =>
    introspectActive(
      `${idp.issuer}/token/introspection`,
      basicAuthorization(webAppAsIdpClient(idp.userClients.webApp), 'form-urlencoded'),
      token,
    );

  before(async () => {
    http = createHttpClient({ retryCount: 0 });
    idp = await startIdp();
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  test('revoking an opaque access token (endpoint from discovery) makes introspection inactive', async () => {
    const { access } = await userTokens(idp, idp.userClients.webApp);
    assert.equal(await active(access), true);
    idp.resetCounts();
    const response = await revoke(access, { tokenTypeHint: 'access_token' });
    assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
    assert.equal(response.httpStatus, 200);
    assert.equal(idp.counts.revocation, 1);
    assert.equal(await active(access), false);
  });

  test('revoking the refresh token (client_secret_post) revokes it too', async () => {
    const { refresh } = await userTokens(idp, idp.userClients.webApp);
    const response = await revoke(refresh, {
      tokenTypeHint: 'refresh_token',
      clientAuthentication: 'client_secret_post',
    });
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(await active(refresh), false);
  });

  test('a token the provider does not know is still a success (RFC 7009 §2.2)', async () => {
    const response = await revoke(randomBytes(32).toString('base64url'));
    assert.equal(response.isSuccessful, true, response.error);
  });

  test('a JWT access token cannot be revoked here: unsupported_token_type, typed', async () => {
    const jwt = await idp.getToken();
    const response = await revokeToken(
      new TokenRevocationRequest({
        authority: idp.issuer,
        clientId: idp.clients.basic.clientId,
        clientSecret: idp.clients.basic.clientSecret,
        token: jwt,
      }),
      http,
    );
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'unsupported_token_type');
    assert.equal(response.httpStatus, 400);
  });

  test('a wrong client secret is invalid_client, typed', async () => {
    const response = await revoke('whatever', { clientSecret: 'wrong-secret' });
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
    assert.equal(response.httpStatus, 401);
  });
});

const skipGlewlwyd = providerSkip('glewlwyd');

describe('revocation: glewlwyd', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;
  const auth = () => basicAuthorization(gw.clients.basic, 'raw');

  before(async () => {
    if (skipGlewlwyd) return;
    http = createHttpClient({ retryCount: 0 });
    gw = await startGlewlwyd();
  });
  after(async () => {
    if (skipGlewlwyd) return;
    await http.close();
    await gw.close();
  });

  test('revoking its JWT access token (Basic sent raw, endpoint from discovery) deactivates it', {
    skip: skipGlewlwyd,
  }, async () => {
    for (const client of [gw.clients.basic, gw.clients.reservedBasic]) {
      const token = await gw.getToken({ client });
      assert.equal(await introspectActive(`${gw.issuer}/introspect`, auth(), token), true);
      gw.resetCounts();
      const response = await revokeToken(
        new TokenRevocationRequest({
          authority: gw.issuer,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          basicAuthenticationHeaderStyle: 'rfc2617',
          token,
          tokenTypeHint: 'access_token',
        }),
        http,
      );
      assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
      assert.equal(gw.counts.revocation, 1);
      assert.equal(await introspectActive(`${gw.issuer}/introspect`, auth(), token), false);
    }
  });

  test('a wrong client secret is refused (glewlwyd: 401 with an empty body, so an http failure)', {
    skip: skipGlewlwyd,
  }, async () => {
    const response = await revokeToken(
      new TokenRevocationRequest({
        authority: gw.issuer,
        clientId: gw.clients.post.clientId,
        clientSecret: 'wrong-secret',
        clientAuthentication: 'client_secret_post',
        token: await gw.getToken(),
      }),
      http,
    );
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 401);
    assert.match(response.error ?? '', /HTTP 401 without a JSON object \(empty body\)/);
  });
});

const skipDot = providerSkip('django-oauth-toolkit');

describe('revocation: django-oauth-toolkit', () => {
  let dot: TestDjangoOAuthToolkit;
  let http: HttpClient;

  before(async () => {
    if (skipDot) return;
    http = createHttpClient({ retryCount: 0 });
    dot = await startDjangoOAuthToolkit();
  });
  after(async () => {
    if (skipDot) return;
    await http.close();
    await dot.close();
  });

  test('revoking its opaque token answers an empty text/html 200: success, and the token is inactive', {
    skip: skipDot,
  }, async () => {
    const token = await dot.getToken({ scope: 'read' });
    const auth = basicAuthorization(dot.clients.basic, 'form-urlencoded');
    assert.equal(await introspectActive(dot.endpoints.introspection, auth, token), true);
    const response = await revokeToken(
      new TokenRevocationRequest({
        address: dot.endpoints.revocation,
        clientId: dot.clients.reservedBasic.clientId,
        clientSecret: dot.clients.reservedBasic.clientSecret,
        token: await dot.getToken({ client: dot.clients.reservedBasic }),
      }),
      http,
    );
    assert.equal(response.isSuccessful, true, `${response.httpStatus} ${response.error}`);
    const own = await revokeToken(
      new TokenRevocationRequest({
        address: dot.endpoints.revocation,
        clientId: dot.clients.basic.clientId,
        clientSecret: dot.clients.basic.clientSecret,
        token,
      }),
      http,
    );
    assert.equal(own.isSuccessful, true, `${own.httpStatus} ${own.error}`);
    assert.equal(own.httpStatus, 200);
    assert.match(own.headers['content-type'] ?? '', /^text\/html/);
    assert.equal(own.raw, undefined);
    assert.equal(await introspectActive(dot.endpoints.introspection, auth, token), false);
  });

  test('a wrong client secret is invalid_client, typed', { skip: skipDot }, async () => {
    const response = await revokeToken(
      new TokenRevocationRequest({
        address: dot.endpoints.revocation,
        clientId: dot.clients.post.clientId,
        clientSecret: 'wrong-secret',
        clientAuthentication: 'client_secret_post',
        token: await dot.getToken(),
      }),
      http,
    );
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
    assert.equal(response.httpStatus, 401);
  });
});
