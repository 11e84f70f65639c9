/**
 * Token introspection (RFC 7662) and signed introspection responses (RFC 9701) against real providers:
 * oidc-provider, glewlwyd and django-oauth-toolkit. Active, inactive and revoked tokens; signed answers
 * verified with each provider's own JWKS.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  createHttpClient,
  type HttpClient,
  introspectToken,
  TokenIntrospectionRequest,
  type TokenIntrospectionRequestOptions,
} from '@identity-model/core';
import { startDjangoOAuthToolkit, type TestDjangoOAuthToolkit } from '../support/django-oauth-toolkit.js';
import { basicAuthorization } from '../support/fixture-token.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { type IdpClient, OPAQUE_AUDIENCE, startIdp, type TestIdp } from '../support/idp.js';
import { providerSkip } from '../support/providers-available.js';

type Location = Pick<TokenIntrospectionRequestOptions, 'address' | 'authority'>;

function credentials(client: IdpClient): Partial<TokenIntrospectionRequestOptions> {
  return {
    clientId: client.clientId,
    clientAuthentication: client.authMethod,
    ...(client.privateJwk ? { privateKey: client.privateJwk } : { clientSecret: client.clientSecret }),
  };
}

const randomToken = () => randomBytes(24).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('introspection: oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  const introspect = (token: string, options: Partial<TokenIntrospectionRequestOptions> = {}) =>
    introspectToken(
      new TokenIntrospectionRequest({
        authority: idp.issuer,
        ...credentials(idp.clients.basic),
        token,
        ...options,
      } as TokenIntrospectionRequestOptions),
      http,
    );

  before(async () => {
    http = createHttpClient({ retryCount: 0 });
    idp = await startIdp();
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  test('an active opaque token: typed members from the real answer', async () => {
    const token = await idp.getToken({ resource: OPAQUE_AUDIENCE, scope: 'read' });
    const r = await introspect(token, { tokenTypeHint: 'access_token' });
    assert.equal(r.isSuccessful, true, `${r.httpStatus} ${r.error}`);
    assert.equal(r.isActive, true);
    assert.equal(r.clientId, idp.clients.basic.clientId);
    assert.deepEqual(r.scopes, ['read']);
    assert.equal(r.iss, idp.issuer);
    assert.equal(r.aud, OPAQUE_AUDIENCE);
    assert.equal(r.tokenType, 'Bearer');
    assert.ok(r.exp !== undefined && r.exp > now() && r.iat !== undefined && r.iat <= now() + 1);
    assert.equal(r.claims.active, true);
  });

  test('every client authentication method is accepted at the introspection endpoint', async () => {
    const token = await idp.getToken({ resource: OPAQUE_AUDIENCE });
    for (const client of [idp.clients.post, idp.clients.jwt, idp.clients.privateKeyJwt]) {
      const r = await introspect(token, credentials(client));
      assert.equal(r.isActive, true, `${client.authMethod}: ${r.httpStatus} ${r.error}`);
    }
  });

  test('a random token is inactive: a successful answer', async () => {
    const r = await introspect(randomToken());
    assert.equal(r.isSuccessful, true, String(r.error));
    assert.equal(r.isActive, false);
  });

  test('a revoked token is inactive (revoked with a raw POST)', async () => {
    const token = await idp.getToken({ resource: OPAQUE_AUDIENCE });
    assert.equal((await introspect(token)).isActive, true);
    const revoked = await fetch(`${idp.issuer}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(idp.clients.basic, 'form-urlencoded') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoked.status, 200);
    const r = await introspect(token);
    assert.equal(r.isSuccessful, true);
    assert.equal(r.isActive, false);
  });

  test('a JWT access token: oidc-provider refuses to introspect it (unsupported_token_type)', async () => {
    const r = await introspect(await idp.getToken());
    assert.equal(r.errorType, 'protocol');
    assert.equal(r.error, 'unsupported_token_type');
    assert.equal(r.isActive, false);
  });

  test('wrong client credentials: invalid_client (protocol, 401)', async () => {
    const r = await introspect(randomToken(), { clientSecret: 'not-the-secret' });
    assert.equal(r.errorType, 'protocol');
    assert.equal(r.error, 'invalid_client');
    assert.equal(r.httpStatus, 401);
  });

  test('RFC 9701: a signed answer verified with the jwks_uri from discovery', async () => {
    const token = await idp.getToken({ resource: OPAQUE_AUDIENCE, scope: 'read write' });
    idp.resetCounts();
    const request = new TokenIntrospectionRequest({
      authority: idp.issuer,
      ...credentials(idp.clients.basic),
      token,
      jwtResponse: true,
    } as TokenIntrospectionRequestOptions);
    for (let i = 0; i < 2; i++) {
      const r = await introspectToken(request, http);
      assert.equal(r.isSuccessful, true, `${r.httpStatus} ${r.error}`);
      assert.equal(r.isActive, true);
      assert.deepEqual(r.scopes, ['read', 'write']);
      assert.equal(r.signedResponse?.header.typ, 'token-introspection+jwt');
      assert.equal(r.signedResponse?.claims.iss, idp.issuer);
      assert.equal(r.signedResponse?.claims.aud, idp.clients.basic.clientId);
    }
    assert.deepEqual([idp.counts.discovery, idp.counts.jwks, idp.counts.introspection], [1, 1, 2]);
  });

  test('RFC 9701: a signed answer for an inactive token', async () => {
    const r = await introspect(randomToken(), { jwtResponse: true });
    assert.equal(r.isSuccessful, true, String(r.error));
    assert.equal(r.isActive, false);
    assert.ok(r.signedResponse !== undefined);
  });

  test('RFC 9701: refused when the keys given are not the provider keys', async () => {
    const { publicKey } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    );
    const foreign = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'not-theirs', use: 'sig' }] };
    const r = await introspect(randomToken(), { jwtResponse: true, keys: foreign } as never);
    assert.equal(r.errorType, 'exception');
    assert.match(String(r.error), /refused \(key_not_found\)/);
  });
});

const glewlwydSkip = providerSkip('glewlwyd');

describe('introspection: glewlwyd', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;
  const request = (token: string, options: Partial<TokenIntrospectionRequestOptions> = {}) =>
    new TokenIntrospectionRequest({
      authority: gw.issuer,
      ...credentials(gw.clients.basic),
      // glewlwyd does not form-urldecode Basic credentials.
      basicAuthenticationHeaderStyle: 'rfc2617',
      token,
      ...options,
    } as TokenIntrospectionRequestOptions);

  before(async () => {
    if (glewlwydSkip) return;
    http = createHttpClient({ retryCount: 0 });
    gw = await startGlewlwyd();
  });
  after(async () => {
    if (glewlwydSkip) return;
    await http.close();
    await gw.close();
  });

  test('JSON: an active token, a random token, a revoked token', { skip: glewlwydSkip }, async () => {
    const token = await gw.getToken({ scope: 'read' });
    const active = await introspectToken(request(token), http);
    assert.equal(active.isSuccessful, true, `${active.httpStatus} ${active.error}`);
    assert.equal(active.isActive, true);
    assert.equal(active.clientId, gw.clients.basic.clientId);
    assert.ok(active.scopes.includes('read'));
    const unknown = await introspectToken(request(randomToken()), http);
    assert.equal(unknown.isSuccessful, true, String(unknown.error));
    assert.equal(unknown.isActive, false);
    const revoked = await fetch(`${gw.issuer}/revoke`, {
      method: 'POST',
      headers: { authorization: basicAuthorization(gw.clients.basic, 'raw') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoked.status, 200);
    const after = await introspectToken(request(token), http);
    assert.equal(after.isSuccessful, true);
    assert.equal(after.isActive, false);
  });

  test('RFC 9701: refused by default, because glewlwyd sets aud to the token audience, not the caller', {
    skip: glewlwydSkip,
  }, async () => {
    const token = await gw.getToken({ scope: 'read' });
    const r = await introspectToken(request(token, { jwtResponse: true }), http);
    assert.equal(r.errorType, 'exception');
    assert.match(String(r.error), /refused \(audience_invalid\)/);
    assert.equal(r.isActive, false);
  });

  test('RFC 9701: accepted with signedResponseAudience = the token audience', {
    skip: glewlwydSkip,
  }, async () => {
    const token = await gw.getToken({ scope: 'read' });
    const r = await introspectToken(
      request(token, { jwtResponse: true, signedResponseAudience: gw.audience }),
      http,
    );
    assert.equal(r.isSuccessful, true, `${r.httpStatus} ${r.error}`);
    assert.equal(r.isActive, true);
    assert.equal(r.signedResponse?.header.typ, 'token-introspection+jwt');
    assert.equal(r.signedResponse?.claims.iss, gw.issuer);
  });

  test('RFC 9701 quirk: for an inactive token glewlwyd answers HTTP 400 with an empty body (http error)', {
    skip: glewlwydSkip,
  }, async () => {
    const r = await introspectToken(
      request(randomToken(), { jwtResponse: true, signedResponseAudience: gw.audience }),
      http,
    );
    assert.equal(r.errorType, 'http');
    assert.equal(r.httpStatus, 400);
    assert.equal(r.isActive, false);
  });
});

const dotSkip = providerSkip('django-oauth-toolkit');

describe('introspection: django-oauth-toolkit', () => {
  let dot: TestDjangoOAuthToolkit;
  let http: HttpClient;
  // DOT serves introspection without advertising it: the address is given.
  const introspect = (token: string, location?: Location) =>
    introspectToken(
      new TokenIntrospectionRequest({
        ...(location ?? { address: dot.endpoints.introspection }),
        ...credentials(dot.clients.basic),
        token,
      } as TokenIntrospectionRequestOptions),
      http,
    );

  before(async () => {
    if (dotSkip) return;
    http = createHttpClient({ retryCount: 0 });
    dot = await startDjangoOAuthToolkit();
  });
  after(async () => {
    if (dotSkip) return;
    await http.close();
    await dot.close();
  });

  test('an opaque token: active, then inactive after revocation; a random token inactive', {
    skip: dotSkip,
  }, async () => {
    const token = await dot.getToken({ scope: 'read write' });
    const active = await introspect(token);
    assert.equal(active.isSuccessful, true, `${active.httpStatus} ${active.error}`);
    assert.equal(active.isActive, true);
    assert.deepEqual(active.scopes, ['read', 'write']);
    assert.equal(active.clientId, dot.clients.basic.clientId);
    assert.ok(active.exp !== undefined && active.exp > now());
    const unknown = await introspect(randomToken());
    assert.equal(unknown.isSuccessful, true, String(unknown.error));
    assert.equal(unknown.isActive, false);
    const revoked = await fetch(dot.endpoints.revocation, {
      method: 'POST',
      headers: { authorization: basicAuthorization(dot.clients.basic, 'form-urlencoded') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(revoked.status, 200);
    const after = await introspect(token);
    assert.equal(after.isSuccessful, true);
    assert.equal(after.isActive, false);
  });

  test('with authority, the missing introspection_endpoint is an exception, not a crash', {
    skip: dotSkip,
  }, async () => {
    const r = await introspect(randomToken(), { authority: dot.issuer });
    assert.equal(r.errorType, 'exception');
    assert.match(String(r.error), /names no introspection_endpoint/);
  });
});
