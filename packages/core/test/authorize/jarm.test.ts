import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import {
  AuthorizeCallbackError,
  parseAuthorizeCallbackResponse,
  processJarmResponse,
  validateAuthorizeCallbackIssuer,
  validateAuthorizeCallbackState,
} from '../../src/authorize/index.js';
import { ConfigurationError, TokenValidationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { json, type LocalServer, startServer } from '../token/local-server.js';

// JARM (JWT Secured Authorization Response Mode): each refusal named after the forgery it stops.

const ISSUER = 'https://idp.example';
const CLIENT = 'web-app';
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('processJarmResponse', () => {
  let providerKey: Key;
  let otherKey: Key;
  let publicJwk: JWK;
  let server: LocalServer;
  let http: HttpClient;
  let jwksUp = true;

  before(async () => {
    ({ privateKey: providerKey } = await generateKeyPair('RS256', { extractable: true }));
    ({ privateKey: otherKey } = await generateKeyPair('RS256', { extractable: true }));
    const { kty, n, e } = await exportJWK(providerKey);
    publicJwk = { kty, n, e, kid: 'op-1', alg: 'RS256', use: 'sig' } as JWK;
    server = await startServer((_req, res) => {
      if (jwksUp) json(res, 200, { keys: [publicJwk] });
      else json(res, 503, { error: 'down' });
    });
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  const keys = () => ({ keys: [publicJwk] });
  /** Verified with the provider's published key, for our client and issuer. */
  const verify = async (jwt: string | Promise<string>) =>
    processJarmResponse(await jwt, { issuer: ISSUER, clientId: CLIENT, keys: keys() });
  async function jarm(
    claims: Record<string, unknown> = {},
    {
      key = providerKey,
      kid = 'op-1',
      alg = 'RS256',
      exp = 60,
    }: { key?: Key | Uint8Array; kid?: string; alg?: string; exp?: number | null } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const body: Record<string, unknown> = {
      iss: ISSUER,
      aud: CLIENT,
      iat: now,
      code: 'c-1',
      state: 's-1',
      ...claims,
    };
    if (exp !== null) body.exp = now + exp;
    return new SignJWT(body).setProtectedHeader({ alg, kid }).sign(key);
  }
  const refusedWith = (code: string) => (err: unknown) =>
    err instanceof AuthorizeCallbackError &&
    err.code === 'jarm_invalid' &&
    err.cause instanceof TokenValidationError &&
    err.cause.code === code;

  test('a genuine response: its parameters, ready for the state and iss checks', async () => {
    const callback = await processJarmResponse(parseAuthorizeCallbackResponse({ response: await jarm() }), {
      issuer: ISSUER,
      clientId: CLIENT,
      keys: keys(),
    });
    assert.equal(callback.code, 'c-1');
    assert.equal(callback.state, 's-1');
    assert.equal(callback.iss, ISSUER);
    assert.equal(callback.raw.aud, undefined, 'JWT envelope members are not response parameters');
    validateAuthorizeCallbackState(callback, 's-1');
    validateAuthorizeCallbackIssuer(callback, { issuer: ISSUER, issParameterSupported: true });
  });

  test('an error response inside JARM is typed; a numeric expires_in becomes the string it is on the wire', async () => {
    const error = await verify(jarm({ code: undefined, error: 'access_denied' }));
    assert.equal(error.isError, true);
    assert.equal(error.error, 'access_denied');
    const implicit = await verify(jarm({ expires_in: 300 }));
    assert.equal(implicit.expiresIn, '300');
  });

  test('JARM signed by another key is refused', async () => {
    await assert.rejects(verify(jarm({}, { key: otherKey })), refusedWith('signature_invalid'));
    await assert.rejects(
      verify(jarm({}, { key: otherKey, kid: 'attacker' })),
      (err: unknown) => err instanceof AuthorizeCallbackError && err.code === 'jarm_invalid',
    );
  });

  test('JARM for another client is refused (aud is not our client_id)', async () => {
    await assert.rejects(verify(jarm({ aud: 'other-client' })), refusedWith('audience_invalid'));
  });

  test('JARM from another issuer is refused (mix-up through a signed response)', async () => {
    await assert.rejects(verify(jarm({ iss: 'https://attacker.example' })), refusedWith('issuer_invalid'));
  });

  test('expired JARM is refused (a replayed old response)', async () => {
    await assert.rejects(verify(jarm({}, { exp: -120 })), refusedWith('token_expired'));
  });

  test('JARM without exp is refused (it would never expire)', async () => {
    await assert.rejects(verify(jarm({}, { exp: null })), refusedWith('claim_missing'));
  });

  test('alg none and an HMAC forgery with the public key as secret are refused', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({
        iss: ISSUER,
        aud: CLIENT,
        exp: Math.floor(Date.now() / 1000) + 60,
        code: 'x',
        state: 's',
      }),
    ).toString('base64url')}.`;
    await assert.rejects(verify(unsigned), refusedWith('alg_none'));
    const hmac = await jarm({}, { key: new TextEncoder().encode(JSON.stringify(publicJwk)), alg: 'HS256' });
    await assert.rejects(
      verify(hmac),
      (err: unknown) => err instanceof AuthorizeCallbackError && err.code === 'jarm_invalid',
    );
  });

  test('a member that is not a string (a smuggled object) is refused', async () => {
    await assert.rejects(
      verify(jarm({ state: { nested: true } })),
      (err: unknown) => err instanceof AuthorizeCallbackError && err.code === 'jarm_invalid',
    );
  });

  test('a callback without the response parameter is refused as jarm_missing', async () => {
    await assert.rejects(
      processJarmResponse(parseAuthorizeCallbackResponse('?code=c&state=s'), {
        issuer: ISSUER,
        clientId: CLIENT,
        keys: keys(),
      }),
      (err: unknown) => err instanceof AuthorizeCallbackError && err.code === 'jarm_missing',
    );
  });

  test('keys from the provider jwks_uri; an unreachable JWKS is keys_unavailable, not a forgery', async () => {
    jwksUp = true;
    const ok = await processJarmResponse(await jarm(), {
      issuer: ISSUER,
      clientId: CLIENT,
      jwksUri: `${server.origin}/jwks`,
      httpClient: http,
    });
    assert.equal(ok.code, 'c-1');
    jwksUp = false;
    await assert.rejects(
      processJarmResponse(await jarm(), {
        issuer: ISSUER,
        clientId: CLIENT,
        jwksUri: `${server.origin}/jwks-down`,
        httpClient: http,
      }),
      refusedWith('keys_unavailable'),
    );
  });

  test('options: exactly one key source, a client id, an http(s) jwksUri', async () => {
    const jwt = await jarm();
    for (const options of [
      { issuer: ISSUER, clientId: CLIENT },
      { issuer: ISSUER, clientId: CLIENT, keys: keys(), jwksUri: `${server.origin}/jwks` },
      { issuer: ISSUER, clientId: '', keys: keys() },
      { issuer: ISSUER, clientId: CLIENT, jwksUri: 'file:///etc/jwks' },
    ]) {
      await assert.rejects(
        processJarmResponse(jwt, options),
        ConfigurationError,
        JSON.stringify(Object.keys(options)),
      );
    }
  });
});
