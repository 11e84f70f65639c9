import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AsymmetricSigningAlgorithms,
  type GrantType,
  JwtClaimTypes,
  OidcConstants,
  SigningAlgorithms,
} from '../../src/constants/index.js';

test('constants carry the specifications’ exact strings, as literal types', () => {
  const grant: 'client_credentials' = OidcConstants.GrantTypes.ClientCredentials;
  const union: GrantType = grant;
  assert.equal(union, 'client_credentials');
  assert.equal(JwtClaimTypes.ClientId, 'client_id');
  assert.equal(OidcConstants.TokenRequest.ClientAssertionType, 'client_assertion_type');
  assert.equal(OidcConstants.ProtectedResourceErrors.InsufficientScope, 'insufficient_scope');
  assert.equal(OidcConstants.Discovery.JwksUri, 'jwks_uri');
  assert.equal(OidcConstants.ClientAuthenticationMethods.PrivateKeyJwt, 'private_key_jwt');
  assert.equal(SigningAlgorithms.EdDsa, 'EdDSA');
  assert.ok(!(AsymmetricSigningAlgorithms as readonly string[]).includes('HS256'));
});

test('RFC 8693 token type identifiers: all six, all distinct urn:ietf:params:oauth:token-type values', () => {
  const ids = Object.values(OidcConstants.TokenTypeIdentifiers);
  assert.equal(ids.length, 6);
  assert.equal(new Set(ids).size, 6);
  for (const id of ids) assert.match(id, /^urn:ietf:params:oauth:token-type:[a-z0-9_]+$/);
});

test('no group maps two names to one value by mistake (except deliberate aliases)', () => {
  for (const [group, values] of Object.entries(OidcConstants)) {
    const list = Object.values(values as Record<string, string>);
    assert.equal(new Set(list).size, list.length, `duplicate value in OidcConstants.${group}`);
  }
  const claimValues = Object.values(JwtClaimTypes);
  assert.equal(new Set(claimValues).size, claimValues.length);
});
