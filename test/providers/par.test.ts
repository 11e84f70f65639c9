/**
 * RFC 9126 pushed authorization requests against real providers, through `PushedAuthorizationRequest`,
 * `pushAuthorizationRequest` and `buildAuthorizationUrl({ requestUri })`:
 * - oidc-provider: the full round trip is in test/authorize-idp.test.ts; here the refusals (unregistered
 *   redirect_uri, a request_uri used twice);
 * - glewlwyd (client_secret_post): push → 201 request_uri; its authorization endpoint accepts the request_uri
 *   (redirects to its login page) and refuses an unknown one. The code flow itself is not played there: the
 *   fixture has no user module (glewlwyd's login is its own web app), so no user can sign in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildAuthorizationUrl,
  createHttpClient,
  DiscoveryDocumentRequest,
  type DiscoveryDocumentResponse,
  generatePkcePair,
  getDiscoveryDocument,
  type HttpClient,
  PushedAuthorizationRequest,
  parseAuthorizeCallbackResponse,
  pushAuthorizationRequest,
  requiresPushedAuthorization,
} from '@identity-model/core';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { authorize } from '../support/interactions.js';
import { providerSkip } from '../support/providers-available.js';

describe('PAR against oidc-provider', () => {
  let idp: TestIdp;
  let http: HttpClient;
  let document: DiscoveryDocumentResponse;
  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ retryCount: 0 });
    document = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: idp.issuer }), http);
  });
  after(async () => {
    await http.close();
    await idp.close();
  });
  const push = (extra: Record<string, unknown> = {}) =>
    pushAuthorizationRequest(
      new PushedAuthorizationRequest({
        authority: idp.issuer,
        clientId: idp.userClients.webApp.clientId,
        clientSecret: idp.userClients.webApp.clientSecret as string,
        redirectUri: idp.userClients.webApp.redirectUri as string,
        scope: 'openid',
        pkce: generatePkcePair(),
        ...extra,
      }),
      http,
    );

  test('an unregistered redirect_uri is refused at the push: a typed protocol error, nothing thrown', async () => {
    const pushed = await push({ redirectUri: 'https://attacker.example/callback' });
    assert.equal(pushed.isSuccessful, false);
    assert.equal(pushed.errorType, 'protocol');
    // oidc-provider answers invalid_request here (not invalid_redirect_uri), naming the parameter.
    assert.equal(pushed.error, 'invalid_request');
    assert.match(pushed.errorDescription ?? '', /redirect_uri/);
    assert.equal(pushed.requestUri, undefined);
  });

  test('request_uri replay: a pushed request is used once, the second authorization with it is refused', async () => {
    const pushed = await push();
    assert.equal(pushed.isSuccessful, true, pushed.error);
    const { url } = buildAuthorizationUrl({
      document,
      clientId: idp.userClients.webApp.clientId,
      requestUri: pushed.requestUri as string,
    });
    const first = parseAuthorizeCallbackResponse((await authorize(url, { login: 'alice' })).redirect);
    assert.ok(first.code);
    const second = parseAuthorizeCallbackResponse((await authorize(url, { login: 'alice' })).redirect);
    assert.equal(second.isError, true);
    assert.equal(second.error, 'invalid_request_uri');
  });
});

const skip = providerSkip('glewlwyd');

describe('PAR against glewlwyd', () => {
  let gw: TestGlewlwyd;
  let http: HttpClient;
  let document: DiscoveryDocumentResponse;
  before(async () => {
    if (skip) return;
    gw = await startGlewlwyd();
    http = createHttpClient({ retryCount: 0 });
    document = await getDiscoveryDocument(new DiscoveryDocumentRequest({ address: gw.issuer }), http);
  });
  after(async () => {
    if (skip) return;
    await http.close();
    await gw.close();
  });
  const request = (clientSecret = gw.clients.post.clientSecret) =>
    new PushedAuthorizationRequest({
      authority: gw.issuer,
      clientId: gw.clients.post.clientId,
      clientSecret,
      clientAuthentication: 'client_secret_post',
      redirectUri: 'http://127.0.0.1/callback',
      scope: 'read',
      pkce: generatePkcePair(),
    });

  test('push → 201 with request_uri and expires_in; the authorization endpoint accepts it', {
    skip,
  }, async () => {
    assert.equal(document.isSuccessful, true, document.error);
    assert.equal(requiresPushedAuthorization(document), false);
    const pushed = await pushAuthorizationRequest(request(), http);
    assert.equal(pushed.isSuccessful, true, `${pushed.error}: ${pushed.errorDescription}`);
    assert.equal(pushed.httpStatus, 201);
    assert.match(pushed.requestUri as string, /^urn:ietf:params:oauth:request_uri:/);
    assert.equal(pushed.expiresIn, 90);
    const { url } = buildAuthorizationUrl({
      document,
      clientId: gw.clients.post.clientId,
      requestUri: pushed.requestUri as string,
    });
    const answer = await fetch(url, { redirect: 'manual' });
    await answer.body?.cancel();
    // Accepted: glewlwyd sends the user to its login page, carrying on with the same request_uri.
    assert.equal(answer.status, 302);
    const login = new URL(answer.headers.get('location') as string);
    assert.match(login.pathname, /login\.html$/);
    assert.match(login.searchParams.get('callback_url') ?? '', /request_uri=/);
  });

  test('an unknown request_uri is refused by the authorization endpoint', { skip }, async () => {
    const { url } = buildAuthorizationUrl({
      document,
      clientId: gw.clients.post.clientId,
      requestUri: 'urn:ietf:params:oauth:request_uri:forged',
    });
    const answer = await fetch(url, { redirect: 'manual' });
    await answer.body?.cancel();
    assert.equal(answer.status, 403);
  });

  test('wrong client secret at the push: an unsuccessful 403 response, nothing thrown', {
    skip,
  }, async () => {
    const pushed = await pushAuthorizationRequest(request('not-the-secret'), http);
    assert.equal(pushed.isSuccessful, false);
    assert.equal(pushed.requestUri, undefined);
    // glewlwyd answers a bare 403 (no OAuth error object): an `http` failure.
    assert.equal(pushed.httpStatus, 403);
    assert.equal(pushed.errorType, 'http');
  });
});
