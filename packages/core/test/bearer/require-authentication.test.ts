import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BearerError } from '../../src/bearer/bearer-error.js';
import { requireAuthentication } from '../../src/bearer/require-authentication.js';
import { ConfigurationError } from '../../src/errors.js';
import { ClaimsPrincipal } from '../../src/principal/claims-principal.js';
import type { ValidatedToken } from '../../src/validation/types.js';

function token(claims: Record<string, unknown>): ValidatedToken {
  return { token: 't', header: { alg: 'RS256' }, claims, principal: new ClaimsPrincipal([]), scopes: [] };
}
const now = () => Math.floor(Date.now() / 1000);

describe('requireAuthentication (RFC 9470)', () => {
  const guard = requireAuthentication({ acr: ['urn:mfa', 'phr'], maxAge: 300 });

  test('passes a token whose acr is accepted and whose auth_time is recent', () => {
    assert.equal(guard(token({ acr: 'phr', auth_time: now() - 10 })), undefined);
  });

  for (const [name, claims, description] of [
    [
      'weak authentication: acr not accepted',
      { acr: 'pwd', auth_time: 0 },
      'A different authentication level is required',
    ],
    ['no acr at all', { auth_time: now() }, 'A different authentication level is required'],
    [
      'an acr that is a list',
      { acr: ['urn:mfa'], auth_time: now() },
      'A different authentication level is required',
    ],
    [
      'stale authentication: auth_time too old',
      { acr: 'urn:mfa', auth_time: now() - 301 },
      'More recent authentication is required',
    ],
    ['no auth_time', { acr: 'urn:mfa' }, 'More recent authentication is required'],
    [
      'auth_time as a string',
      { acr: 'urn:mfa', auth_time: String(now()) },
      'More recent authentication is required',
    ],
    [
      'auth_time far in the future',
      { acr: 'urn:mfa', auth_time: now() + 3600 },
      'More recent authentication is required',
    ],
  ] as const) {
    test(`refuses ${name}: 401 with the whole requirement in the challenge`, () => {
      const refusal = guard(token(claims)) as BearerError;
      assert.ok(refusal instanceof BearerError);
      assert.equal(refusal.status, 401);
      assert.equal(refusal.code, 'insufficient_user_authentication');
      assert.equal(
        refusal.headers['www-authenticate'],
        `Bearer error="insufficient_user_authentication", error_description="${description}", acr_values="urn:mfa phr", max_age=300`,
      );
    });
  }

  test('maxAge alone and acr alone', () => {
    assert.equal(requireAuthentication({ maxAge: 0 })(token({ auth_time: now() })), undefined);
    const refusal = requireAuthentication({ acr: ['urn:mfa'] })(token({ acr: 'pwd' })) as BearerError;
    assert.equal(
      refusal.headers['www-authenticate'],
      'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="urn:mfa"',
    );
  });

  for (const [name, requirement] of [
    ['nothing required', {}],
    ['an empty acr list', { acr: [] }],
    ['an acr with a space', { acr: ['a b'] }],
    ['a negative maxAge', { maxAge: -1 }],
    ['a fractional maxAge', { maxAge: 1.5 }],
    ['acr as a string', { acr: 'urn:mfa' }],
  ] as const) {
    test(`refuses ${name} when the guard is built`, () => {
      assert.throws(() => requireAuthentication(requirement as never), ConfigurationError);
    });
  }
});
