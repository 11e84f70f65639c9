import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, type JWK } from 'jose';
import { OidcConstants } from '../../src/constants/oidc-constants.js';
import { DPoPClient } from '../../src/dpop/dpop-client.js';
import { ConfigurationError, HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import {
  AuthorizationCodeTokenRequest,
  ClientCredentialsTokenRequest,
  DeviceTokenRequest,
  PasswordTokenRequest,
  RefreshTokenRequest,
  TokenExchangeTokenRequest,
} from '../../src/token/grant-requests.js';
import {
  requestAuthorizationCodeToken,
  requestClientCredentialsToken,
  requestDeviceToken,
  requestPasswordToken,
  requestRefreshToken,
  requestToken,
  requestTokenExchangeToken,
} from '../../src/token/request-token.js';
import { TokenRequest } from '../../src/token/token-request.js';
import { json, type LocalServer, type SeenRequest, startServer } from './local-server.js';

const T = OidcConstants.TokenTypeIdentifiers;

describe('token endpoint requests and responses', () => {
  let server: LocalServer;
  let http: HttpClient;
  // What the next request gets: set per test; the server answers in order, then repeats the last answer.
  let answers: Array<(req: SeenRequest, res: import('node:http').ServerResponse) => void> = [];
  const ok = {
    access_token: 'at',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'rt',
    id_token: 'it',
    scope: 'read',
  };
  before(async () => {
    server = await startServer((req, res) => {
      const answer = answers.length > 1 ? answers.shift() : answers[0];
      (answer ?? ((_q, r) => json(r, 200, ok)))(req, res);
    });
    http = createHttpClient({ retryCount: 3, retryBaseDelayMs: 5 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });
  const reset = (...a: typeof answers) => {
    answers = a;
    server.requests.length = 0;
  };
  const base = { address: '', clientId: 'app', clientSecret: 'secret-value-123' };
  before(() => {
    base.address = server.url;
  });

  test('a successful answer fills every field', async () => {
    reset((_q, r) =>
      json(r, 200, { ...ok, expires_in: '3600', issued_token_type: T.AccessToken, custom: 1 }),
    );
    const response = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(response.isSuccessful, true);
    assert.equal(response.errorType, undefined);
    assert.equal(response.httpStatus, 200);
    assert.equal(response.accessToken, 'at');
    assert.equal(response.tokenType, 'Bearer');
    assert.equal(response.expiresIn, 3600, 'a numeric string is accepted');
    assert.equal(response.refreshToken, 'rt');
    assert.equal(response.idToken, 'it');
    assert.equal(response.scope, 'read');
    assert.equal(response.issuedTokenType, T.AccessToken);
    assert.equal(response.raw?.custom, 1);
  });

  test('an OAuth error is a typed unsuccessful response, not a throw', async () => {
    reset((_q, r) =>
      json(r, 400, {
        error: 'invalid_scope',
        error_description: 'scope x is unknown',
        error_uri: 'https://docs/e',
      }),
    );
    const response = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_scope');
    assert.equal(response.errorDescription, 'scope x is unknown');
    assert.equal(response.errorUri, 'https://docs/e');
    assert.equal(response.httpStatus, 400);
    assert.equal(response.accessToken, undefined);
    assert.equal(server.requests.length, 1, 'a 400 is never retried');
  });

  test('a non-JSON error page is an http error; a non-JSON 200 is an exception', async () => {
    reset((_q, r) => {
      r.writeHead(502, { 'content-type': 'text/html' });
      r.end('<html>bad gateway</html>');
    });
    const gateway = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(gateway.errorType, 'http');
    assert.equal(gateway.httpStatus, 502);
    assert.match(gateway.error ?? '', /502/);

    reset((_q, r) => {
      r.writeHead(200, { 'content-type': 'text/plain' });
      r.end('access_token=at');
    });
    const garbled = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(garbled.errorType, 'exception');
    assert.equal(garbled.httpStatus, 200);
    assert.ok(garbled.exception instanceof SyntaxError);

    reset((_q, r) => json(r, 200, { token_type: 'Bearer' }));
    const missing = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(missing.errorType, 'exception');
    assert.match(missing.error ?? '', /access_token/);

    reset((_q, r) => json(r, 200, { access_token: 'at', expires_in: 'soon' }));
    const badExpiry = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(badExpiry.errorType, 'exception');
  });

  test('a network failure is an http error response with its cause, and no secret in the message', async () => {
    const gone = await startServer(() => {});
    await gone.close();
    const noRetry = createHttpClient({ retryCount: 0 });
    const response = await requestClientCredentialsToken(
      new ClientCredentialsTokenRequest({ ...base, address: gone.url }),
      noRetry,
    );
    await noRetry.close();
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'http');
    assert.ok(response.exception instanceof HttpError);
    assert.ok(!(response.error ?? '').includes(base.clientSecret));
  });

  test('client credentials retries a 429 (Retry-After) and then succeeds', async () => {
    reset(
      (_q, r) => json(r, 429, { error: 'slow_down' }, { 'retry-after': '0' }),
      (_q, r) => json(r, 503, {}, { 'retry-after': '0' }),
      (_q, r) => json(r, 200, ok),
    );
    const response = await requestClientCredentialsToken(new ClientCredentialsTokenRequest(base), http);
    assert.equal(response.isSuccessful, true);
    assert.equal(server.requests.length, 3);
  });

  test('a retried request carries a new DPoP proof and a new client assertion (no jti sent twice)', async () => {
    reset(
      (_q, r) => json(r, 503, {}, { 'retry-after': '0' }),
      (_q, r) => json(r, 429, { error: 'slow_down' }, { 'retry-after': '0' }),
      (_q, r) => json(r, 200, { ...ok, token_type: 'DPoP' }),
    );
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const request = new ClientCredentialsTokenRequest({
      address: base.address,
      clientId: 'app',
      clientAuthentication: 'private_key_jwt',
      privateKey: privateKey.export({ format: 'jwk' }) as JWK,
      dpop: new DPoPClient(),
    });
    const response = await requestClientCredentialsToken(request, http);
    assert.equal(response.isSuccessful, true);
    assert.equal(server.requests.length, 3);
    const jti = (jwt: string | undefined) => decodeJwt(jwt ?? '').jti;
    const proofs = server.requests.map((r) => jti(r.headers.dpop as string));
    const assertions = server.requests.map((r) => jti(r.form.get('client_assertion') ?? undefined));
    assert.equal(new Set(proofs).size, 3, 'each attempt has its own DPoP proof');
    assert.equal(new Set(assertions).size, 3, 'each attempt has its own client assertion');
    for (const value of [...proofs, ...assertions]) assert.equal(typeof value, 'string');
  });

  test('one-time credentials are not resent after the server may have seen them (code, refresh, device)', async () => {
    const grants = [
      () => requestAuthorizationCodeToken(new AuthorizationCodeTokenRequest({ ...base, code: 'c' }), http),
      () => requestRefreshToken(new RefreshTokenRequest({ ...base, refreshToken: 'r' }), http),
      () => requestDeviceToken(new DeviceTokenRequest({ ...base, deviceCode: 'd' }), http),
    ];
    for (const send of grants) {
      reset((_q, r) => json(r, 503, {}, { 'retry-after': '0' }));
      const response = await send();
      assert.equal(response.isSuccessful, false);
      assert.equal(response.httpStatus, 503);
      assert.equal(server.requests.length, 1, 'a 503 after the code was sent is not retried');
    }
  });

  test('authorization code grant sends code, redirect_uri and the PKCE verifier', async () => {
    reset();
    const verifier = 'v'.repeat(43);
    await requestAuthorizationCodeToken(
      new AuthorizationCodeTokenRequest({
        ...base,
        clientSecret: undefined,
        code: 'the-code',
        redirectUri: 'https://app/cb',
        codeVerifier: verifier,
      }),
      http,
    );
    const form = server.requests[0]?.form as URLSearchParams;
    assert.equal(form.get('grant_type'), 'authorization_code');
    assert.equal(form.get('code'), 'the-code');
    assert.equal(form.get('redirect_uri'), 'https://app/cb');
    assert.equal(form.get('code_verifier'), verifier);
    assert.equal(form.get('client_id'), 'app', 'a public client (no secret) authenticates with none');
    assert.throws(
      () => new AuthorizationCodeTokenRequest({ ...base, code: 'c', codeVerifier: 'short' }),
      ConfigurationError,
    );
  });

  test('refresh, device code and password grants send their fields', async () => {
    reset();
    await requestRefreshToken(new RefreshTokenRequest({ ...base, refreshToken: 'r1', scope: 'read' }), http);
    await requestDeviceToken(new DeviceTokenRequest({ ...base, deviceCode: 'dc' }), http);
    await requestPasswordToken(
      new PasswordTokenRequest({ ...base, userName: 'alice', password: 'pw' }),
      http,
    );
    const [refresh, device, password] = server.requests.map((r) => Object.fromEntries(r.form));
    assert.deepEqual(refresh, { grant_type: 'refresh_token', refresh_token: 'r1', scope: 'read' });
    assert.deepEqual(device, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: 'dc',
    });
    assert.deepEqual(password, { grant_type: 'password', username: 'alice', password: 'pw' });
  });

  test('device flow: authorization_pending is a protocol error to poll on', async () => {
    reset((_q, r) => json(r, 400, { error: 'authorization_pending' }));
    const response = await requestDeviceToken(new DeviceTokenRequest({ ...base, deviceCode: 'dc' }), http);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'authorization_pending');
  });

  test('token exchange: impersonation sends the subject only, delegation adds the actor', async () => {
    reset((_q, r) => json(r, 200, { ...ok, issued_token_type: T.Jwt, token_type: 'N_A' }));
    const impersonation = await requestTokenExchangeToken(
      new TokenExchangeTokenRequest({
        ...base,
        subjectToken: 'user-token',
        subjectTokenType: T.AccessToken,
        requestedTokenType: T.Jwt,
        audience: ['svc-a', 'svc-b'],
        resource: 'https://api.example/',
      }),
      http,
    );
    assert.equal(impersonation.issuedTokenType, T.Jwt);
    await requestTokenExchangeToken(
      new TokenExchangeTokenRequest({
        ...base,
        subjectToken: 'user-id-token',
        subjectTokenType: T.IdentityToken,
        actorToken: 'service-token',
        actorTokenType: T.Jwt,
      }),
      http,
    );
    const [first, second] = server.requests.map((r) => r.form);
    assert.equal(first?.get('grant_type'), 'urn:ietf:params:oauth:grant-type:token-exchange');
    assert.equal(first?.get('subject_token'), 'user-token');
    assert.equal(first?.get('subject_token_type'), 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(first?.get('requested_token_type'), 'urn:ietf:params:oauth:token-type:jwt');
    assert.deepEqual(first?.getAll('audience'), ['svc-a', 'svc-b']);
    assert.equal(first?.get('resource'), 'https://api.example/');
    assert.equal(first?.get('actor_token'), null);
    assert.equal(second?.get('actor_token'), 'service-token');
    assert.equal(second?.get('actor_token_type'), T.Jwt);
    assert.equal(second?.get('subject_token_type'), T.IdentityToken);
    assert.deepEqual(Object.values(T).sort(), [
      'urn:ietf:params:oauth:token-type:access_token',
      'urn:ietf:params:oauth:token-type:id_token',
      'urn:ietf:params:oauth:token-type:jwt',
      'urn:ietf:params:oauth:token-type:refresh_token',
      'urn:ietf:params:oauth:token-type:saml1',
      'urn:ietf:params:oauth:token-type:saml2',
    ]);
    assert.throws(
      () =>
        new TokenExchangeTokenRequest({
          ...base,
          subjectToken: 's',
          subjectTokenType: T.Jwt,
          actorToken: 'a',
        }),
      /actorTokenType/,
    );
  });

  test('requestToken sends a custom grant with its own parameters', async () => {
    reset();
    const response = await requestToken(
      new TokenRequest({
        ...base,
        grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        parameters: { assertion: 'signed.jwt.here' },
        headers: { 'x-trace': 't-1' },
      }),
      http,
    );
    assert.equal(response.isSuccessful, true);
    const seen = server.requests[0] as SeenRequest;
    assert.equal(seen.form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    assert.equal(seen.form.get('assertion'), 'signed.jwt.here');
    assert.equal(seen.headers['x-trace'], 't-1');
    assert.match(seen.headers.authorization as string, /^Basic /);
    assert.throws(
      () => new TokenRequest({ ...base, grantType: 'x', headers: { Authorization: 'Bearer x' } }),
      /Authorization/,
    );
  });
});
