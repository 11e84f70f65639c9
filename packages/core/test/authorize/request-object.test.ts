import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, jwtVerify } from 'jose';
import { createRequestObject, generatePkcePair } from '../../src/authorize/index.js';
import { ConfigurationError } from '../../src/errors.js';

const ISSUER = 'https://idp.example';

describe('createRequestObject (RFC 9101)', () => {
  let privateJwk: JWK;
  let publicJwk: JWK;
  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: 'rp-1', alg: 'ES256' };
    publicJwk = await exportJWK(publicKey);
  });
  const options = (extra: Record<string, unknown> = {}) => ({
    clientId: 'web',
    audience: ISSUER,
    key: privateJwk,
    ...extra,
  });

  test('signed with the client key: typ oauth-authz-req+jwt, iss/client_id/aud/iat/nbf/exp/jti, parameters as JSON', async () => {
    const pkce = generatePkcePair();
    const object = await createRequestObject(
      {
        redirectUri: 'https://app.example/cb',
        scope: ['openid', 'profile'],
        pkce,
        maxAge: 600,
        claims: { userinfo: { email: null } },
        resource: ['https://api.example/a', 'https://api.example/b'],
      },
      options({ lifetimeSeconds: 120 }),
    );
    const header = decodeProtectedHeader(object.request);
    assert.equal(header.typ, 'oauth-authz-req+jwt');
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, 'rp-1');
    const { payload } = await jwtVerify(object.request, publicJwk, {
      issuer: 'web',
      audience: ISSUER,
      typ: 'oauth-authz-req+jwt',
    });
    assert.equal(payload.client_id, 'web');
    assert.equal(payload.response_type, 'code');
    assert.equal(payload.redirect_uri, 'https://app.example/cb');
    assert.equal(payload.scope, 'openid profile');
    assert.equal(payload.code_challenge, pkce.codeChallenge);
    assert.equal(payload.max_age, 600);
    assert.deepEqual(payload.claims, { userinfo: { email: null } });
    assert.deepEqual(payload.resource, ['https://api.example/a', 'https://api.example/b']);
    assert.equal(payload.state, object.state);
    assert.equal(payload.nonce, object.nonce);
    assert.equal((payload.exp as number) - (payload.nbf as number), 120);
    assert.equal(payload.iat, payload.nbf);
    assert.match(payload.jti as string, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(payload.code_verifier, undefined);
  });

  test('replay: every request object has its own jti, state and nonce', async () => {
    const a = await createRequestObject({ scope: 'openid' }, options());
    const b = await createRequestObject({ scope: 'openid' }, options());
    const ja = (await jwtVerify(a.request, publicJwk)).payload.jti;
    const jb = (await jwtVerify(b.request, publicJwk)).payload.jti;
    assert.notEqual(ja, jb);
    assert.notEqual(a.state, b.state);
    assert.notEqual(a.nonce, b.nonce);
  });

  test('a key that cannot sign, an alg that does not fit it, and bad lifetimes are refused', async () => {
    await assert.rejects(createRequestObject({}, options({ key: publicJwk })), ConfigurationError);
    await assert.rejects(createRequestObject({}, options({ alg: 'RS256' })), ConfigurationError);
    await assert.rejects(createRequestObject({}, options({ alg: 'none' })), ConfigurationError);
    await assert.rejects(createRequestObject({}, options({ key: undefined })), ConfigurationError);
    for (const lifetimeSeconds of [0, 3601, 1.5]) {
      await assert.rejects(createRequestObject({}, options({ lifetimeSeconds })), ConfigurationError);
    }
    await assert.rejects(createRequestObject({}, options({ audience: 'not a url' })), ConfigurationError);
    await assert.rejects(createRequestObject({}, options({ clientId: '' })), ConfigurationError);
  });

  test('parameter override: extra parameters cannot replace iss-bound members', async () => {
    await assert.rejects(
      createRequestObject({ extraParameters: { client_id: 'someone-else' } }, options()),
      (err: unknown) => err instanceof ConfigurationError && err.message.includes('client_id'),
    );
  });

  test('no private key material in a refusal message', async () => {
    await createRequestObject({}, options({ alg: 'RS256' })).catch((err: Error) => {
      assert.ok(!err.message.includes(privateJwk.d as string));
    });
  });
});
