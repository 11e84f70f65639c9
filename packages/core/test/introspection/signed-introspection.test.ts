/**
 * RFC 9701 signed introspection against a real local server: a signed answer is trusted only after its
 * signature (the provider's JWKS), `iss`, `aud` = our client id, `iat` and `typ` verified; every forgery,
 * misdirection and downgrade is an exception response, never an active token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  introspectToken,
  TokenIntrospectionRequest,
  type TokenIntrospectionRequestOptions,
  type TokenIntrospectionResponse,
} from '../../src/introspection/index.js';
import { b64url, testKey } from '../validation/helpers.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type FakeAuthorizationServer,
  send,
  startFakeAuthorizationServer,
  TOKEN,
} from './fake-authorization-server.js';

const JWT_TYPE = 'application/token-introspection+jwt';
let as: FakeAuthorizationServer;
before(async () => {
  as = await startFakeAuthorizationServer();
});
after(() => as.close());

function signedRequest(options: Partial<TokenIntrospectionRequestOptions> = {}): TokenIntrospectionRequest {
  return new TokenIntrospectionRequest({
    authority: as.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    token: TOKEN,
    jwtResponse: true,
    ...options,
  });
}

async function answeredWith(
  body: string,
  type = JWT_TYPE,
  request = signedRequest(),
): Promise<TokenIntrospectionResponse> {
  as.answer = (_req, res) => send(res, 200, body, type);
  return introspectToken(request, as.http);
}

async function refused(body: string, code: string, type = JWT_TYPE): Promise<void> {
  const r = await answeredWith(body, type);
  assert.equal(r.errorType, 'exception');
  assert.equal(r.isActive, false);
  assert.equal(r.sub, undefined);
  assert.match(String(r.error), new RegExp(`refused \\(${code}\\)`));
}

describe('signed introspection: accepted', () => {
  test('asks with Accept token-introspection+jwt; members come from the verified token_introspection', async () => {
    const r = await answeredWith(as.signed());
    assert.equal(as.hits('/introspect').at(-1)!.headers.accept, JWT_TYPE);
    assert.equal(r.isSuccessful, true, String(r.error));
    assert.equal(r.isActive, true);
    assert.equal(r.sub, 'user-1');
    assert.deepEqual(r.scopes, ['read']);
    assert.equal(r.signedResponse?.header.typ, 'token-introspection+jwt');
    assert.equal(r.signedResponse?.claims.aud, CLIENT_ID);
    assert.equal(r.raw?.iss, as.issuer);
  });

  test('an inactive token, signed, is a successful answer with isActive false', async () => {
    const r = await answeredWith(as.signed({ token_introspection: { active: false } }));
    assert.equal(r.isSuccessful, true);
    assert.equal(r.isActive, false);
  });

  test('with address, the issuer and jwksUri options are used (no discovery)', async () => {
    const before = as.hits('/.well-known/openid-configuration').length;
    const request = new TokenIntrospectionRequest({
      address: as.introspectionEndpoint,
      issuer: as.issuer,
      jwksUri: as.jwksUri,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      token: TOKEN,
      jwtResponse: true,
    });
    const r = await answeredWith(as.signed(), JWT_TYPE, request);
    assert.equal(r.isActive, true, String(r.error));
    assert.equal(as.hits('/.well-known/openid-configuration').length, before);
  });

  test('the provider key set is fetched once for many answers (shared per jwks_uri)', async () => {
    const request = signedRequest();
    const before = as.hits('/jwks').length;
    for (let i = 0; i < 3; i++)
      assert.equal((await answeredWith(as.signed(), JWT_TYPE, request)).isActive, true);
    assert.ok(as.hits('/jwks').length - before <= 1);
  });

  test('signedResponseAudience accepts a server that sets another aud (glewlwyd)', async () => {
    const body = as.signed({ aud: 'token-audience' });
    const r = await answeredWith(body, JWT_TYPE, signedRequest({ signedResponseAudience: 'token-audience' }));
    assert.equal(r.isActive, true, String(r.error));
  });
});

describe('signed introspection: refused', () => {
  test('forged: signed by another key (under the provider kid, or its own)', async () => {
    const attacker = testKey('ES256', 'attacker');
    await refused(as.signed({}, { kid: as.key.kid }, attacker), 'signature_invalid');
    await refused(as.signed({}, {}, attacker), 'key_not_found');
  });

  test('unsigned: alg none', async () => {
    const claims = {
      iss: as.issuer,
      aud: CLIENT_ID,
      iat: Math.floor(Date.now() / 1000),
      token_introspection: { active: true },
    };
    await refused(
      `${b64url({ alg: 'none', typ: 'token-introspection+jwt' })}.${b64url(claims)}.`,
      'alg_none',
    );
  });

  test('misdirected: aud is another client, or the introspected token audience', async () => {
    await refused(as.signed({ aud: 'another-client' }), 'audience_invalid');
    await refused(as.signed({ aud: undefined }), 'audience_invalid');
  });

  test('foreign issuer', async () => {
    await refused(as.signed({ iss: 'https://evil.example' }), 'issuer_invalid');
  });

  test('confusion: typ JWT, at+jwt or none is not an introspection response', async () => {
    for (const typ of ['JWT', 'at+jwt', undefined]) await refused(as.signed({}, { typ }), 'typ_invalid');
  });

  test('iat missing or in the future', async () => {
    await refused(as.signed({ iat: undefined }), 'claim_missing');
    await refused(as.signed({ iat: Math.floor(Date.now() / 1000) + 3600 }), 'iat_in_future');
  });

  test('a replayed old answer is refused past signedResponseMaxAge', async () => {
    const old = as.signed({ iat: Math.floor(Date.now() / 1000) - 3600 });
    const r = await answeredWith(old, JWT_TYPE, signedRequest({ signedResponseMaxAge: 60 }));
    assert.equal(r.errorType, 'exception');
    assert.match(String(r.error), /token_too_old/);
  });

  test('a verified JWT whose token_introspection is missing or has no boolean active', async () => {
    for (const value of [undefined, 'active', [true], { sub: 'x' }, { active: 'true' }]) {
      const r = await answeredWith(as.signed({ token_introspection: value }));
      assert.equal(r.errorType, 'exception', JSON.stringify(value));
      assert.equal(r.isActive, false);
    }
  });

  test('downgrade: plain JSON answered when a signed response was asked for', async () => {
    const r = await answeredWith('{"active":true,"sub":"user-1"}', 'application/json');
    assert.equal(r.errorType, 'exception');
    assert.equal(r.isActive, false);
    assert.match(String(r.error), /not the signed response asked for/);
  });

  test('an OAuth error is still read as one (error answers are never signed)', async () => {
    as.answer = (_req, res) => send(res, 401, '{"error":"invalid_client"}', 'application/json');
    const r = await introspectToken(signedRequest(), as.http);
    assert.equal(r.errorType, 'protocol');
    assert.equal(r.error, 'invalid_client');
  });

  test('garbage labelled as a JWT is an exception', async () => {
    await refused('not-a-jwt', 'token_malformed');
    await refused('', 'token_malformed');
  });
});
