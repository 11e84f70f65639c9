/**
 * ID tokens and back-channel logout tokens end to end against oidc-provider: the code flow with PKCE,
 * nonce and max_age is driven through the provider's real login and consent pages (plain HTTP, a cookie
 * jar), the code exchanged at the token endpoint, the ID token validated with keys from discovery; a hybrid
 * `code id_token token` response proves at_hash and c_hash; RP-initiated logout makes the provider POST a
 * logout token to a loopback receiver, which validateLogoutToken accepts once and refuses on replay.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  AuthorizationCodeTokenRequest,
  createHttpClient,
  createIdTokenValidator,
  type HttpClient,
  type IdTokenValidator,
  MemoryReplayStore,
  requestAuthorizationCodeToken,
  TokenValidationError,
  validateLogoutToken,
} from '@identity-model/core';
import { startIdp, type TestIdp } from './support/idp.js';
import { authorize, CookieJar, endSession } from './support/interactions.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TokenValidationError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** A loopback relying party endpoint that records every logout_token the provider posts. */
async function startLogoutReceiver(): Promise<{ server: Server; uri: string; tokens: string[] }> {
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token');
      if (token) tokens.push(token);
      res.writeHead(token ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, uri: `http://127.0.0.1:${port}/backchannel-logout`, tokens };
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('ID tokens and logout tokens against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  let receiver: Awaited<ReturnType<typeof startLogoutReceiver>>;
  let validator: IdTokenValidator;
  const jar = new CookieJar();
  let codeFlow: { idToken: string; accessToken: string; sid: unknown } | undefined;

  before(async () => {
    receiver = await startLogoutReceiver();
    idp = await startIdp({ backchannelLogoutUri: receiver.uri });
    http = createHttpClient({ retryCount: 0 });
    // Keys from the issuer's discovery document (the default key source).
    validator = createIdTokenValidator({
      issuer: idp.issuer,
      clientId: idp.userClients.webApp.clientId,
      httpClient: http,
    });
  });
  after(async () => {
    await validator.close();
    await http.close();
    await idp.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  test('code flow with PKCE, nonce and max_age: the ID token passes nonce, auth_time and signature checks', async () => {
    const client = idp.userClients.webApp;
    const { verifier, challenge } = pkce();
    const nonce = randomBytes(16).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const url = new URL(`${idp.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid profile email',
      redirect_uri: client.redirectUri!,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      max_age: '300',
    })) {
      url.searchParams.set(k, v);
    }
    const { redirect } = await authorize(url, { login: 'alice', jar });
    assert.equal(redirect.searchParams.get('state'), state);
    const code = redirect.searchParams.get('code');
    assert.ok(code, `no code in ${redirect.href}`);

    const tokens = await requestAuthorizationCodeToken(
      new AuthorizationCodeTokenRequest({
        address: `${idp.issuer}/token`,
        clientId: client.clientId,
        clientSecret: client.clientSecret!,
        code,
        redirectUri: client.redirectUri!,
        codeVerifier: verifier,
      }),
      http,
    );
    assert.ok(tokens.isSuccessful, `${tokens.error} ${tokens.errorDescription}`);
    const idToken = tokens.idToken!;
    const accessToken = tokens.accessToken!;
    const result = await validator.validate(idToken, { nonce, maxAge: 300, accessToken });
    assert.equal(result.sub, 'alice');
    assert.equal(typeof result.claims.auth_time, 'number');
    codeFlow = { idToken, accessToken, sid: result.claims.sid };

    // The same real token, checked against another flow's nonce or a max_age it cannot meet.
    await rejectsWith(validator.validate(idToken, { nonce: 'another-flow' }), 'nonce_mismatch');
    // 200 s later the token is still unexpired (300 s), but the sign-in is older than a max_age of 60.
    const later = createIdTokenValidator({
      issuer: idp.issuer,
      clientId: client.clientId,
      jwksUri: `${idp.issuer}/jwks`,
      httpClient: http,
      now: () => Date.now() + 200_000,
    });
    await rejectsWith(later.validate(idToken, { nonce, maxAge: 60 }), 'auth_time_too_old');
    await later.validate(idToken, { nonce, maxAge: 300 });
    await later.close();
  });

  test('hybrid code id_token token: at_hash and c_hash of the front-channel ID token verify; a swapped access token is refused', async () => {
    const client = idp.userClients.webAppHybrid;
    const nonce = randomBytes(16).toString('base64url');
    const url = new URL(`${idp.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: client.clientId,
      response_type: 'code id_token token',
      scope: 'openid profile',
      redirect_uri: client.redirectUri!,
      state: 's',
      nonce,
    })) {
      url.searchParams.set(k, v);
    }
    const { redirect } = await authorize(url, { login: 'bob' });
    const params = new URLSearchParams(redirect.hash.slice(1));
    const idToken = params.get('id_token');
    const accessToken = params.get('access_token');
    const code = params.get('code');
    assert.ok(idToken && accessToken && code, `fragment lacks a member: ${[...params.keys()].join(',')}`);
    const hybrid = createIdTokenValidator({
      issuer: idp.issuer,
      clientId: client.clientId,
      jwksUri: `${idp.issuer}/jwks`,
      httpClient: http,
    });
    try {
      const ok = await hybrid.validate(idToken, { nonce, accessToken, requireAtHash: true, code });
      assert.equal(typeof ok.claims.at_hash, 'string');
      assert.equal(typeof ok.claims.c_hash, 'string');
      assert.ok(codeFlow);
      await rejectsWith(
        hybrid.validate(idToken, { nonce, accessToken: codeFlow.accessToken }),
        'at_hash_mismatch',
      );
      await rejectsWith(hybrid.validate(idToken, { nonce, code: 'an-injected-code' }), 'c_hash_mismatch');
    } finally {
      await hybrid.close();
    }
  });

  test('RP-initiated logout sends a back-channel logout token: accepted once, its replay refused', async () => {
    assert.ok(codeFlow, 'the code flow test signed alice in');
    const client = idp.userClients.webApp;
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as {
      end_session_endpoint: string;
      backchannel_logout_supported?: boolean;
    };
    assert.equal(discovery.backchannel_logout_supported, true);
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('id_token_hint', codeFlow.idToken);
    url.searchParams.set('post_logout_redirect_uri', client.postLogoutRedirectUri!);
    url.searchParams.set('state', 'bye');
    const { redirect } = await endSession(url, { jar });
    assert.equal(redirect?.origin + (redirect?.pathname ?? ''), client.postLogoutRedirectUri);
    assert.equal(redirect?.searchParams.get('state'), 'bye');
    assert.equal(receiver.tokens.length, 1, 'the provider posted one logout token');
    const logoutToken = receiver.tokens[0]!;

    const options = {
      issuer: idp.issuer,
      clientId: client.clientId,
      jwksUri: `${idp.issuer}/jwks`,
      httpClient: http,
      replayStore: new MemoryReplayStore(),
    };
    const result = await validateLogoutToken(logoutToken, options);
    assert.equal(result.sub, 'alice');
    assert.equal(result.sid, codeFlow.sid, 'the sid of the session the ID token was issued in');
    assert.equal(result.header.typ, 'logout+jwt');
    await rejectsWith(validateLogoutToken(logoutToken, options), 'token_replayed');
    // The ID token of the same session is no logout token.
    await rejectsWith(validateLogoutToken(codeFlow.idToken, options), 'claim_missing');
  });
});
