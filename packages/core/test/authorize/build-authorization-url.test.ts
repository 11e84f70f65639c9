import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildAuthorizationUrl,
  generatePkcePair,
  requiresPushedAuthorization,
} from '../../src/authorize/index.js';
import { DiscoveryDocumentResponse } from '../../src/discovery/index.js';
import { ConfigurationError } from '../../src/errors.js';

const endpoint = 'https://idp.example/authorize';
const base = { authorizationEndpoint: endpoint, clientId: 'web', redirectUri: 'https://app.example/cb' };
const doc = (extra: Record<string, unknown> = {}) =>
  new DiscoveryDocumentResponse({
    raw: { issuer: 'https://idp.example', authorization_endpoint: endpoint, ...extra },
  });

describe('buildAuthorizationUrl', () => {
  test('every standard parameter, in its wire form', () => {
    const pkce = generatePkcePair();
    const { url, state, nonce } = buildAuthorizationUrl({
      ...base,
      scope: ['openid', 'profile'],
      state: 'st',
      nonce: 'no',
      pkce,
      prompt: ['login', 'consent'],
      maxAge: 0,
      acrValues: 'urn:mace:incommon:iap:silver',
      loginHint: 'alice@example.test',
      idTokenHint: 'eyJ.hint.x',
      resource: ['https://api.example/a', 'https://api.example/b'],
      claims: { id_token: { acr: { essential: true } } },
      uiLocales: ['fr-CA', 'en'],
      responseMode: 'form_post',
      display: 'page',
      extraParameters: { audience: 'x', tag: ['1', '2'] },
    });
    const q = new URL(url).searchParams;
    assert.equal(state, 'st');
    assert.equal(nonce, 'no');
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), 'web');
    assert.equal(q.get('redirect_uri'), 'https://app.example/cb');
    assert.equal(q.get('scope'), 'openid profile');
    assert.equal(q.get('state'), 'st');
    assert.equal(q.get('nonce'), 'no');
    assert.equal(q.get('code_challenge'), pkce.codeChallenge);
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('prompt'), 'login consent');
    assert.equal(q.get('max_age'), '0');
    assert.equal(q.get('acr_values'), 'urn:mace:incommon:iap:silver');
    assert.equal(q.get('login_hint'), 'alice@example.test');
    assert.equal(q.get('id_token_hint'), 'eyJ.hint.x');
    assert.deepEqual(q.getAll('resource'), ['https://api.example/a', 'https://api.example/b']);
    assert.deepEqual(JSON.parse(q.get('claims') as string), { id_token: { acr: { essential: true } } });
    assert.equal(q.get('ui_locales'), 'fr-CA en');
    assert.equal(q.get('response_mode'), 'form_post');
    assert.equal(q.get('display'), 'page');
    assert.equal(q.get('audience'), 'x');
    assert.deepEqual(q.getAll('tag'), ['1', '2']);
    assert.equal(q.get('code_verifier'), null, 'the verifier never leaves the client');
  });

  test('state and nonce generated from the CSPRNG when not given: 32 bytes base64url, fresh each time', () => {
    const a = buildAuthorizationUrl(base);
    const b = buildAuthorizationUrl(base);
    for (const v of [a.state, a.nonce]) assert.match(v, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.state, b.state);
    assert.notEqual(a.nonce, b.nonce);
    assert.notEqual(a.state, a.nonce);
    assert.equal(new URL(a.url).searchParams.get('state'), a.state);
  });

  test('parameter override: an extra parameter cannot replace a standard one', () => {
    for (const name of [
      'state',
      'client_id',
      'redirect_uri',
      'code_challenge',
      'request_uri',
      'nonce',
      'response_type',
    ]) {
      assert.throws(
        () => buildAuthorizationUrl({ ...base, extraParameters: { [name]: 'attacker' } }),
        (err: unknown) => err instanceof ConfigurationError && err.message.includes(name),
      );
    }
  });

  test('the endpoint must be http(s), without credentials or fragment; its own query is kept', () => {
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://u:p@idp.example/a',
      'https://idp.example/a#x',
      'relative/path',
    ]) {
      assert.throws(
        () => buildAuthorizationUrl({ ...base, authorizationEndpoint: bad }),
        ConfigurationError,
        bad,
      );
    }
    const { url } = buildAuthorizationUrl({ ...base, authorizationEndpoint: `${endpoint}?tenant=t1` });
    assert.equal(new URL(url).searchParams.get('tenant'), 't1');
    assert.throws(
      () => buildAuthorizationUrl({ ...base, authorizationEndpoint: `${endpoint}?state=fixed` }),
      ConfigurationError,
    );
  });

  test('options that cannot work are refused, saying what to change', () => {
    const bad: Array<Record<string, unknown>> = [
      { clientId: '' },
      { redirectUri: 'https://app.example/cb#frag' },
      { redirectUri: 'not a uri' },
      { maxAge: -1 },
      { maxAge: 1.5 },
      { resource: 'https://api.example/#x' },
      { resource: 'relative' },
      { scope: '' },
      { scope: ['open id'] },
      { claims: 'id_token' },
      { pkce: generatePkcePair(), codeChallenge: 'a'.repeat(43) },
      { codeChallenge: 'short' },
      { codeChallengeMethod: 'S256' },
      { state: '' },
    ];
    for (const extra of bad) {
      assert.throws(
        () => buildAuthorizationUrl({ ...base, ...extra } as typeof base),
        ConfigurationError,
        JSON.stringify(extra),
      );
    }
  });

  test('from a discovery document: its authorization_endpoint', () => {
    const { url } = buildAuthorizationUrl({
      document: doc(),
      clientId: 'web',
      redirectUri: 'https://app.example/cb',
    });
    assert.equal(`${new URL(url).origin}${new URL(url).pathname}`, endpoint);
    assert.throws(() => buildAuthorizationUrl({ ...base, document: doc() }), ConfigurationError, 'not both');
    const failed = new DiscoveryDocumentResponse({ error: 'down', errorType: 'http' });
    assert.throws(() => buildAuthorizationUrl({ document: failed, clientId: 'web' }), ConfigurationError);
  });

  test('PAR required by discovery: a front-channel request is refused, a request_uri is accepted', () => {
    const requiring = doc({ require_pushed_authorization_requests: true });
    assert.equal(requiresPushedAuthorization(requiring), true);
    assert.equal(requiresPushedAuthorization(doc()), false);
    assert.throws(
      () =>
        buildAuthorizationUrl({
          document: requiring,
          clientId: 'web',
          redirectUri: 'https://app.example/cb',
        }),
      (err: unknown) => err instanceof ConfigurationError && /pushAuthorizationRequest/.test(err.message),
    );
    const { url, state } = buildAuthorizationUrl({
      document: requiring,
      clientId: 'web',
      requestUri: 'urn:ietf:params:oauth:request_uri:abc',
    });
    assert.equal(state, undefined);
    assert.deepEqual(
      [...new URL(url).searchParams],
      [
        ['client_id', 'web'],
        ['request_uri', 'urn:ietf:params:oauth:request_uri:abc'],
      ],
    );
  });

  test('a request object by value: only client_id and request; not both request and request_uri', () => {
    const { url } = buildAuthorizationUrl({
      authorizationEndpoint: endpoint,
      clientId: 'web',
      request: 'a.b.c',
    });
    assert.deepEqual([...new URL(url).searchParams.keys()], ['client_id', 'request']);
    assert.throws(
      () =>
        buildAuthorizationUrl({
          authorizationEndpoint: endpoint,
          clientId: 'web',
          request: 'a.b.c',
          requestUri: 'urn:x',
        } as never),
      ConfigurationError,
    );
    assert.throws(
      () => buildAuthorizationUrl({ authorizationEndpoint: endpoint, clientId: 'web', requestUri: '' }),
      ConfigurationError,
    );
  });
});
