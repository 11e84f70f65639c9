import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toBearerError } from '../../src/bearer/authenticate.js';
import { BearerError } from '../../src/bearer/bearer-error.js';
import { TokenValidationError, type TokenValidationErrorCode } from '../../src/errors.js';

const CODES: TokenValidationErrorCode[] = [
  'token_malformed',
  'token_too_large',
  'alg_none',
  'alg_not_allowed',
  'key_not_found',
  'signature_invalid',
  'token_expired',
  'token_not_yet_valid',
  'iat_in_future',
  'token_too_old',
  'issuer_invalid',
  'audience_invalid',
  'typ_invalid',
  'crit_unsupported',
  'claim_missing',
  'claim_invalid',
];

function mapped(error: unknown, options?: { realm?: string; retryAfter?: number }): BearerError {
  const result = toBearerError(error, options);
  assert.ok(result instanceof BearerError);
  return result;
}

describe('mapping failures to RFC 6750 answers', () => {
  for (const code of CODES) {
    test(`${code} → 401 invalid_token with a fixed description`, () => {
      // The validator's own message may name details; the client sees only the fixed text.
      const cause = new TokenValidationError(code, `detail eyJhbGciOi.secret for ${code}`);
      const error = mapped(cause, { realm: 'api' });
      const response = error.toResponse();
      assert.equal(response.status, 401);
      assert.equal(response.body.error, 'invalid_token');
      assert.match(response.body.error_description, /^The access token /);
      assert.match(
        response.headers['www-authenticate'] ?? '',
        /^Bearer realm="api", error="invalid_token", error_description="The access token [^"]+"$/,
      );
      assert.doesNotMatch(JSON.stringify(response), /secret|eyJ/);
      assert.equal(error.cause, cause);
    });
  }

  test('keys_unavailable → 503 with the Retry-After the cause gives, never 401', () => {
    const response = mapped(
      new TokenValidationError('keys_unavailable', 'down', { retryAfter: 12.2 }),
    ).toResponse();
    assert.equal(response.status, 503);
    assert.equal(response.headers['retry-after'], '13');
    assert.equal(response.headers['www-authenticate'], undefined);
    assert.equal(response.body.error, 'temporarily_unavailable');
  });

  test('keys_unavailable without a hint uses the configured, then the default, Retry-After', () => {
    const cause = new TokenValidationError('keys_unavailable', 'down');
    assert.equal(mapped(cause, { retryAfter: 30 }).headers['retry-after'], '30');
    assert.equal(mapped(cause).headers['retry-after'], '5');
  });

  test('an error that is not a verdict on the token passes through unchanged', () => {
    const bug = new TypeError('boom');
    assert.equal(toBearerError(bug), bug);
  });

  test('missing credentials: 401 with a bare challenge and no error code', () => {
    const response = new BearerError('token_missing', 'An access token is required', {
      realm: 'api',
    }).toResponse();
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="api"');
  });

  test('insufficient scope: 403 with scope= and the status under both names', () => {
    const error = new BearerError('insufficient_scope', 'more please', { scope: ['write'] });
    assert.equal(error.statusCode, 403);
    assert.equal(
      error.headers['www-authenticate'],
      'Bearer error="insufficient_scope", error_description="more please", scope="write"',
    );
    assert.equal(error.withRealm('r').headers['www-authenticate']?.startsWith('Bearer realm="r", '), true);
  });
});
