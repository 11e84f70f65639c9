import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertValidRealm,
  assertValidScopes,
  formatBearerChallenge,
  quoteHeaderValue,
} from '../../src/bearer/challenge.js';
import { ConfigurationError } from '../../src/errors.js';

describe('WWW-Authenticate challenge formatting', () => {
  test('a bare challenge has no parameters', () => {
    assert.equal(formatBearerChallenge(), 'Bearer');
    assert.equal(formatBearerChallenge({ realm: 'api' }), 'Bearer realm="api"');
  });

  test('parameters are written in RFC 6750 order, quoted, comma-separated', () => {
    assert.equal(
      formatBearerChallenge({
        realm: 'api',
        error: 'insufficient_scope',
        errorDescription: 'needs more',
        scope: ['read', 'write'],
      }),
      'Bearer realm="api", error="insufficient_scope", error_description="needs more", scope="read write"',
    );
  });

  test('header injection: CR/LF and other controls cannot split the header line', () => {
    const header = formatBearerChallenge({
      realm: 'api\r\nSet-Cookie: x=1',
      errorDescription: 'a\nb\u0000c',
    });
    assert.doesNotMatch(header, /[\r\n]/);
    assert.ok(!header.includes('\u0000'));
    assert.equal(header, 'Bearer realm="apiSet-Cookie: x=1", error_description="abc"');
  });

  test('parameter injection: a quote in a value cannot close the quoted-string early', () => {
    assert.equal(quoteHeaderValue('a"b\\c'), '"a\\"b\\\\c"');
    const header = formatBearerChallenge({ realm: 'x", error="invalid_token' });
    assert.equal(header, 'Bearer realm="x\\", error=\\"invalid_token"');
    // error_description may not carry `"` or `\` at all (RFC 6750 §3).
    assert.equal(
      formatBearerChallenge({ errorDescription: 'say "hi" \\' }),
      "Bearer error_description=\"say 'hi' '\"",
    );
  });

  test('non-ASCII is dropped rather than sent as raw bytes', () => {
    assert.equal(quoteHeaderValue('réalm'), '"ralm"');
  });

  test('invalid scope tokens are left out of the scope attribute', () => {
    assert.equal(formatBearerChallenge({ scope: ['read', 'a"b', 'write'] }), 'Bearer scope="read write"');
  });

  test('configuration refuses a realm or scope that could not be sent verbatim', () => {
    assert.throws(() => assertValidRealm('line\nbreak'), ConfigurationError);
    assert.throws(() => assertValidRealm(''), ConfigurationError);
    assertValidRealm('My API "v2"');
    assert.throws(() => assertValidScopes('requireScopes', []), ConfigurationError);
    assert.throws(() => assertValidScopes('requireScopes', ['read write']), /not a valid scope/);
    assert.throws(() => assertValidScopes('requireScopes', ['a"b']), ConfigurationError);
    assertValidScopes('requireScopes', ['api:read', 'https://api.example.com/write']);
  });
});
