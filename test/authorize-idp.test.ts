/**
 * Authorization flows end to end against oidc-provider, the user played with plain HTTP through its
 * development interactions (test/support/interactions.ts): authorization code + PKCE, PAR, JAR (by value and
 * through PAR), JARM (`response_mode=jwt`), RFC 9207 `iss` on the callback, and the RP-initiated logout URL.
 * Only our library builds requests and reads answers; the provider is real.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AuthorizationCodeTokenRequest,
  type AuthorizationUrlOptions,
  AuthorizeCallbackError,
  buildAuthorizationUrl,
  buildEndSessionUrl,
  createHttpClient,
  createRequestObject,
  DiscoveryDocumentRequest,
  type DiscoveryDocumentResponse,
  generatePkcePair,
  getDiscoveryDocument,
  type HttpClient,
  type PkcePair,
  PushedAuthorizationRequest,
  parseAuthorizeCallbackResponse,
  processJarmResponse,
  pushAuthorizationRequest,
  requestAuthorizationCodeToken,
  requiresPushedAuthorization,
  validateAuthorizeCallbackIssuer,
  validateAuthorizeCallbackState,
} from '@identity-model/core';
import { decodeJwt } from 'jose';
import { startIdp, type TestIdp } from './support/idp.js';
import { authorize, CookieJar } from './support/interactions.js';

describe('authorization flows against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  let document: DiscoveryDocumentResponse;
  const web = () => idp.userClients.webApp;

  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
    document = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
    assert.equal(document.isSuccessful, true, document.error);
  });
  after(async () => {
    await http.close();
    await idp.close();
  });

  /** The callback checked as an application must: state, then RFC 9207 iss from the discovery document. */
  function checkedCallback(redirect: URL, expectedState: string) {
    const callback = parseAuthorizeCallbackResponse(redirect);
    assert.equal(callback.isError, false, `${callback.error}: ${callback.errorDescription}`);
    validateAuthorizeCallbackState(callback, expectedState);
    validateAuthorizeCallbackIssuer(callback, { document });
    return callback;
  }

  async function redeem(code: string, pkce: PkcePair) {
    const tokens = await requestAuthorizationCodeToken(
      new AuthorizationCodeTokenRequest({
        address: document.tokenEndpoint as string,
        clientId: web().clientId,
        clientSecret: web().clientSecret as string,
        code,
        redirectUri: web().redirectUri as string,
        codeVerifier: pkce.codeVerifier,
      }),
      http,
    );
    assert.equal(tokens.isSuccessful, true, `${tokens.error}: ${tokens.errorDescription}`);
    assert.ok(tokens.accessToken);
    assert.ok(tokens.idToken);
    return tokens;
  }

  /** A front-channel code flow request for webApp, with a fresh PKCE pair. */
  function codeFlow(extra: Partial<AuthorizationUrlOptions> = {}) {
    const pkce = generatePkcePair();
    const built = buildAuthorizationUrl({
      document,
      clientId: web().clientId,
      redirectUri: web().redirectUri as string,
      scope: 'openid',
      pkce,
      ...extra,
    });
    return { ...built, pkce };
  }

  /** A request object for webApp signed with its registered key. */
  const requestObject = (pkce: PkcePair) =>
    createRequestObject(
      { redirectUri: web().redirectUri as string, scope: 'openid', pkce },
      { clientId: web().clientId, audience: idp.issuer, key: web().privateJwk as object },
    );

  test('the provider advertises RFC 9207 iss and PAR, and does not require PAR', () => {
    assert.equal(document.getBoolean('authorization_response_iss_parameter_supported'), true);
    assert.ok(document.pushedAuthorizationRequestEndpoint);
    assert.equal(requiresPushedAuthorization(document), false);
  });

  test('authorization code + PKCE round trip: URL → login → callback (state, iss) → tokens with our nonce', async () => {
    const { url, state, nonce, pkce } = codeFlow({
      scope: ['openid', 'profile'],
      prompt: 'consent',
      claims: { id_token: { email: null } },
    });
    const { redirect } = await authorize(url, { login: 'alice' });
    const callback = checkedCallback(redirect, state);
    assert.equal(callback.iss, idp.issuer);
    const tokens = await redeem(callback.code as string, pkce);
    const claims = decodeJwt(tokens.idToken as string);
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, 'alice@example.test', 'the claims parameter reached the provider as JSON');
  });

  test('PKCE enforced end to end: the code with another verifier is refused by the provider', async () => {
    const { url, state } = codeFlow();
    const callback = checkedCallback((await authorize(url, { login: 'bob' })).redirect, state);
    const tokens = await requestAuthorizationCodeToken(
      new AuthorizationCodeTokenRequest({
        address: document.tokenEndpoint as string,
        clientId: web().clientId,
        clientSecret: web().clientSecret as string,
        code: callback.code as string,
        redirectUri: web().redirectUri as string,
        codeVerifier: generatePkcePair().codeVerifier,
      }),
      http,
    );
    assert.equal(tokens.isSuccessful, false);
    assert.equal(tokens.error, 'invalid_grant');
  });

  test('mix-up attack: the real callback presented to a flow started with another issuer is refused', async () => {
    const { url, state } = codeFlow();
    const callback = parseAuthorizeCallbackResponse((await authorize(url, { login: 'carol' })).redirect);
    validateAuthorizeCallbackState(callback, state);
    assert.throws(
      () =>
        validateAuthorizeCallbackIssuer(callback, {
          issuer: 'https://honest-idp.example',
          issParameterSupported: true,
        }),
      (err: unknown) => err instanceof AuthorizeCallbackError && err.code === 'issuer_mismatch',
    );
  });

  test('an error response (the user cancels) comes back typed, with state and iss checked', async () => {
    const { url, state } = codeFlow();
    const { redirect } = await authorize(url, { login: 'dave', abortAt: 'login' });
    const callback = parseAuthorizeCallbackResponse(redirect);
    assert.equal(callback.isError, true);
    assert.equal(callback.error, 'access_denied');
    assert.equal(callback.code, undefined);
    validateAuthorizeCallbackState(callback, state);
    validateAuthorizeCallbackIssuer(callback, { document });
  });

  test('PAR (RFC 9126): push with client authentication, then a URL with only client_id and request_uri', async () => {
    const pkce = generatePkcePair();
    const request = new PushedAuthorizationRequest({
      authority: idp.issuer,
      clientId: web().clientId,
      clientSecret: web().clientSecret as string,
      redirectUri: web().redirectUri as string,
      scope: 'openid profile',
      pkce,
    });
    const pushed = await pushAuthorizationRequest(request, http);
    assert.equal(pushed.isSuccessful, true, `${pushed.error}: ${pushed.errorDescription}`);
    assert.equal(pushed.httpStatus, 201);
    assert.match(pushed.requestUri as string, /^urn:ietf:params:oauth:request_uri:/);
    assert.ok((pushed.expiresIn as number) > 0 && (pushed.expiresIn as number) <= 3600);
    const { url } = buildAuthorizationUrl({
      document,
      clientId: web().clientId,
      requestUri: pushed.requestUri as string,
    });
    assert.deepEqual([...new URL(url).searchParams.keys()], ['client_id', 'request_uri']);
    const callback = checkedCallback(
      (await authorize(url, { login: 'erin' })).redirect,
      request.state as string,
    );
    const tokens = await redeem(callback.code as string, pkce);
    assert.equal(decodeJwt(tokens.idToken as string).nonce, request.nonce);
  });

  test('PAR with wrong client credentials: a typed invalid_client response, nothing thrown', async () => {
    const pushed = await pushAuthorizationRequest(
      new PushedAuthorizationRequest({
        authority: idp.issuer,
        clientId: web().clientId,
        clientSecret: 'not-the-secret',
        redirectUri: web().redirectUri as string,
        scope: 'openid',
      }),
      http,
    );
    assert.equal(pushed.isSuccessful, false);
    assert.equal(pushed.errorType, 'protocol');
    assert.equal(pushed.error, 'invalid_client');
  });

  test('JAR (RFC 9101) by value: a signed request object in the URL, the provider honours its state and nonce', async () => {
    const pkce = generatePkcePair();
    const object = await requestObject(pkce);
    const { url } = buildAuthorizationUrl({ document, clientId: web().clientId, request: object.request });
    assert.deepEqual([...new URL(url).searchParams.keys()], ['client_id', 'request']);
    const callback = checkedCallback((await authorize(url, { login: 'frank' })).redirect, object.state);
    const tokens = await redeem(callback.code as string, pkce);
    assert.equal(decodeJwt(tokens.idToken as string).nonce, object.nonce);
  });

  test('JAR through PAR: the request object pushed, then request_uri', async () => {
    const pkce = generatePkcePair();
    const object = await requestObject(pkce);
    const pushed = await pushAuthorizationRequest(
      new PushedAuthorizationRequest({
        authority: idp.issuer,
        clientId: web().clientId,
        clientSecret: web().clientSecret as string,
        request: object.request,
      }),
      http,
    );
    assert.equal(pushed.isSuccessful, true, `${pushed.error}: ${pushed.errorDescription}`);
    const { url } = buildAuthorizationUrl({
      document,
      clientId: web().clientId,
      requestUri: pushed.requestUri as string,
    });
    const callback = checkedCallback((await authorize(url, { login: 'grace' })).redirect, object.state);
    await redeem(callback.code as string, pkce);
  });

  test('JAR signed by a key the client did not register is refused by the provider', async () => {
    const { generateKeyPair, exportJWK } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const object = await createRequestObject(
      { redirectUri: web().redirectUri as string, scope: 'openid', pkce: generatePkcePair() },
      {
        clientId: web().clientId,
        audience: idp.issuer,
        key: { ...(await exportJWK(privateKey)), alg: 'ES256' },
      },
    );
    const { url } = buildAuthorizationUrl({ document, clientId: web().clientId, request: object.request });
    const { redirect } = await authorize(url, { login: 'heidi' });
    const callback = parseAuthorizeCallbackResponse(redirect);
    assert.equal(callback.isError, true);
    assert.equal(callback.error, 'invalid_request_object');
  });

  test('JARM (response_mode=jwt): the signed response verified with the provider JWKS, then state and iss', async () => {
    const { url, state, pkce } = codeFlow({ responseMode: 'jwt' });
    const { redirect } = await authorize(url, { login: 'ivan' });
    const raw = parseAuthorizeCallbackResponse(redirect);
    assert.ok(raw.response, 'a JARM response parameter');
    assert.equal(raw.code, undefined, 'the code travels only inside the signed response');
    const callback = await processJarmResponse(raw, {
      issuer: idp.issuer,
      clientId: web().clientId,
      jwksUri: document.jwksUri as string,
      httpClient: http,
    });
    validateAuthorizeCallbackState(callback, state);
    validateAuthorizeCallbackIssuer(callback, { document });
    await redeem(callback.code as string, pkce);
  });

  test('JARM for another client is refused: the real response checked with a foreign client_id', async () => {
    const { url } = codeFlow({ responseMode: 'jwt' });
    const raw = parseAuthorizeCallbackResponse((await authorize(url, { login: 'judy' })).redirect);
    await assert.rejects(
      processJarmResponse(raw, {
        issuer: idp.issuer,
        clientId: 'another-client',
        jwksUri: document.jwksUri as string,
        httpClient: http,
      }),
      (err: unknown) => err instanceof AuthorizeCallbackError && err.code === 'jarm_invalid',
    );
  });

  test('RP-initiated logout: the end-session URL is accepted (confirmation page), and confirming redirects back with state', async () => {
    const { url, state, pkce } = codeFlow();
    const callback = checkedCallback((await authorize(url, { login: 'ken' })).redirect, state);
    const tokens = await redeem(callback.code as string, pkce);
    const logoutState = 'logout-state-1';
    const endSession = buildEndSessionUrl({
      document,
      idTokenHint: tokens.idToken as string,
      postLogoutRedirectUri: web().postLogoutRedirectUri as string,
      state: logoutState,
      clientId: web().clientId,
    });
    const jar = new CookieJar();
    const page = await fetch(endSession, { redirect: 'manual' });
    jar.store(page.headers.getSetCookie(), new URL(endSession));
    const html = await page.text();
    assert.equal(page.status, 200, html.slice(0, 300));
    // A browser without the provider's session cookie gets the self-submitting confirmation form.
    const form = /<form[^>]*action="([^"]*\/session\/end\/confirm)"[\s\S]*?<\/form>/.exec(html);
    assert.ok(form, 'the logout confirmation form');
    const fields = [...(form[0] as string).matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map(
      (m) => [m[1] as string, m[2] as string] as [string, string],
    );
    const action = new URL(form[1] as string, endSession);
    const confirmed = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(action) ?? '' },
      body: new URLSearchParams(fields),
    });
    assert.equal(confirmed.status, 303);
    const back = new URL(confirmed.headers.get('location') as string);
    assert.equal(`${back.origin}${back.pathname}`, web().postLogoutRedirectUri);
    assert.equal(back.searchParams.get('state'), logoutState);
  });
});
