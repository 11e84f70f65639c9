/**
 * The three providers of the matrix, each fixture wrapped once as a `ProviderDescriptor`, with what the
 * scenarios must observe of it: its quirks are written here, as expectations, not in the scenarios.
 */
import { startDjangoOAuthToolkit } from '../../support/django-oauth-toolkit.js';
import { startGlewlwyd } from '../../support/glewlwyd.js';
import { startIdp } from '../../support/idp.js';
import { providerSkip } from '../../support/providers-available.js';
import type { ProviderDescriptor } from './provider-under-test.js';

export const oidcProvider: ProviderDescriptor = {
  name: 'oidc-provider',
  version: '9.13 (npm, in process)',
  skip: false,
  capabilities: { jwtAccessTokens: true, privateKeyJwt: true, keyRotation: true },
  async start(options) {
    const idp = await startIdp(options);
    const clients = idp.clients;
    return {
      issuer: idp.issuer,
      tokenEndpoint: `${idp.issuer}/token`,
      jwksUri: `${idp.issuer}/jwks`,
      counts: idp.counts,
      resetCounts: () => idp.resetCounts(),
      clients: { ...clients, privateKeyJwt: clients.privateKeyJwt },
      tokenParameters: { scope: 'read', resource: idp.audience },
      jwt: {
        audience: idp.audience,
        otherAudience: idp.otherAudience,
        // The fixture registers every client once more per algorithm, suffixed.
        es256Client: { ...clients.post, clientId: `${clients.post.clientId}-es256` },
        currentKids: () => ({
          RS256: idp.privateJwk('RS256').kid as string,
          ES256: idp.privateJwk('ES256').kid as string,
        }),
        rotateKeys: () => idp.rotateKeys(),
      },
      close: () => idp.close(),
    };
  },
  basicStyle: 'rfc6749',
  expect: {
    grantTypesListed: { clientCredentials: true },
    jwks: { keys: ['EC/ES256', 'OKP/-', 'RSA/-'], caching: 'none' },
    wrongSecret: { httpStatus: 401, errorType: 'protocol', error: 'invalid_client' },
    // RFC 6749 §3.3 lets a server grant less than asked, but then `scope` is REQUIRED in the answer: with
    // nothing left, oidc-provider issues a token and omits `scope`.
    unknownScope: { alone: { granted: undefined }, besideKnown: { granted: 'read' } },
    // It checks the encoding: a raw `%` not followed by two hex digits is `invalid_request`.
    wrongBasicStyle: { httpStatus: 400, errorType: 'protocol', error: 'invalid_request' },
  },
};

export const glewlwyd: ProviderDescriptor = {
  name: 'glewlwyd',
  version: '2.7.5 (Debian package glewlwyd)',
  skip: providerSkip('glewlwyd'),
  capabilities: { jwtAccessTokens: true, privateKeyJwt: true, keyRotation: true },
  async start(options) {
    const gw = await startGlewlwyd(options);
    return {
      issuer: gw.issuer,
      tokenEndpoint: `${gw.issuer}/token`,
      jwksUri: `${gw.issuer}/jwks`,
      counts: gw.counts,
      resetCounts: () => gw.resetCounts(),
      clients: gw.clients,
      // Without `resource`, glewlwyd puts the scope string in `aud`.
      tokenParameters: { scope: 'read', resource: gw.audience },
      jwt: {
        audience: gw.audience,
        otherAudience: gw.otherAudience,
        es256Client: gw.clients.es256,
        currentKids: () => ({ ...gw.kids }),
        rotateKeys: () => gw.rotateKeys(),
      },
      close: () => gw.close(),
    };
  },
  // glewlwyd does not form-urldecode Basic credentials.
  basicStyle: 'rfc2617',
  expect: {
    // It lists client_credentials under response_types_supported instead.
    grantTypesListed: { clientCredentials: false },
    jwks: { keys: ['EC/ES256', 'RSA/RS256'], caching: 'no-store' },
    wrongSecret: { httpStatus: 403, errorType: 'http' },
    // A non-RFC code, kept as sent; beside a known scope the unknown one is dropped.
    unknownScope: {
      alone: { httpStatus: 400, errorType: 'protocol', error: 'scope_invalid' },
      besideKnown: { granted: 'read' },
    },
    wrongBasicStyle: { httpStatus: 403, errorType: 'http' },
  },
};

export const djangoOAuthToolkit: ProviderDescriptor = {
  name: 'django-oauth-toolkit',
  version: '1.7 (Debian package python3-django-oauth-toolkit)',
  skip: providerSkip('django-oauth-toolkit'),
  // Opaque access tokens; its key signs only ID tokens; no private_key_jwt in DOT 1.7.
  capabilities: { jwtAccessTokens: false, privateKeyJwt: false, keyRotation: false },
  async start(options) {
    const dot = await startDjangoOAuthToolkit(options);
    return {
      issuer: dot.issuer,
      tokenEndpoint: dot.endpoints.token,
      jwksUri: dot.endpoints.jwks,
      counts: dot.counts,
      resetCounts: () => dot.resetCounts(),
      clients: dot.clients,
      tokenParameters: { scope: 'read' },
      close: () => dot.close(),
    };
  },
  basicStyle: 'rfc6749',
  expect: {
    jwks: { keys: ['RSA/RS256'], caching: 'max-age' },
    wrongSecret: { httpStatus: 401, errorType: 'protocol', error: 'invalid_client' },
    unknownScope: {
      alone: { httpStatus: 400, errorType: 'protocol', error: 'invalid_scope' },
      besideKnown: { httpStatus: 400, errorType: 'protocol', error: 'invalid_scope' },
    },
    wrongBasicStyle: { httpStatus: 401, errorType: 'protocol', error: 'invalid_client' },
    // Every DOT route needs its trailing slash: without it, Django's HTML 404 page.
    htmlErrorPage: {
      address: (p) => p.tokenEndpoint.replace(/\/$/, ''),
      refusal: { httpStatus: 404, errorType: 'http' },
    },
  },
};
