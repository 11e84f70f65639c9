import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildEndSessionUrl } from '../../src/authorize/index.js';
import { DiscoveryDocumentResponse } from '../../src/discovery/index.js';
import { ConfigurationError } from '../../src/errors.js';

const endpoint = 'https://idp.example/session/end';

describe('buildEndSessionUrl (RP-Initiated Logout 1.0)', () => {
  test('every parameter of §2, plus extras', () => {
    const url = new URL(
      buildEndSessionUrl({
        endSessionEndpoint: endpoint,
        idTokenHint: 'h.p.s',
        postLogoutRedirectUri: 'https://app.example/bye',
        state: 'st',
        clientId: 'web',
        uiLocales: ['fr', 'en'],
        logoutHint: 'alice',
        extraParameters: { tenant: 't1' },
      }),
    );
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      id_token_hint: 'h.p.s',
      post_logout_redirect_uri: 'https://app.example/bye',
      state: 'st',
      client_id: 'web',
      ui_locales: 'fr en',
      logout_hint: 'alice',
      tenant: 't1',
    });
  });

  test('from the discovery document; nothing given, nothing added', () => {
    const document = new DiscoveryDocumentResponse({
      raw: { issuer: 'https://idp.example', end_session_endpoint: endpoint },
    });
    assert.equal(buildEndSessionUrl({ document }), endpoint);
    assert.throws(
      () => buildEndSessionUrl({ document: new DiscoveryDocumentResponse({ raw: {} }) }),
      ConfigurationError,
    );
  });

  test('open redirect guard: a post_logout_redirect_uri needs id_token_hint or client_id so the provider can check it', () => {
    assert.throws(
      () =>
        buildEndSessionUrl({
          endSessionEndpoint: endpoint,
          postLogoutRedirectUri: 'https://app.example/bye',
        }),
      ConfigurationError,
    );
    assert.throws(
      () =>
        buildEndSessionUrl({
          endSessionEndpoint: endpoint,
          clientId: 'web',
          postLogoutRedirectUri: 'relative',
        }),
      ConfigurationError,
    );
  });

  test('parameter override and non-http(s) endpoints are refused', () => {
    assert.throws(
      () =>
        buildEndSessionUrl({
          endSessionEndpoint: endpoint,
          extraParameters: { post_logout_redirect_uri: 'https://attacker.example' },
        }),
      ConfigurationError,
    );
    for (const bad of ['javascript:alert(1)', 'https://idp.example/end#x']) {
      assert.throws(() => buildEndSessionUrl({ endSessionEndpoint: bad }), ConfigurationError);
    }
  });
});
