import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BearerError } from '../../src/bearer/bearer-error.js';
import { type BearerRequest, extractBearerToken } from '../../src/bearer/extract-token.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

function withAuth(value: string): BearerRequest {
  return { method: 'GET', url: '/', headers: { authorization: value } };
}

function refusal(fn: () => unknown): BearerError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof BearerError, `expected a BearerError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}

describe('extractBearerToken: Authorization header (RFC 6750 §2.1)', () => {
  test('returns the token of a well-formed header', () => {
    assert.equal(extractBearerToken(withAuth(`Bearer ${JWT}`)), JWT);
  });

  test('the scheme is case-insensitive', () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      assert.equal(extractBearerToken(withAuth(`${scheme} ${JWT}`)), JWT);
    }
  });

  test('accepts every b64token character and trailing "=" padding', () => {
    const token = 'Az09-._~+/abc==';
    assert.equal(extractBearerToken(withAuth(`Bearer ${token}`)), token);
  });

  test('several spaces after the scheme are allowed by the 1*SP grammar', () => {
    assert.equal(extractBearerToken(withAuth(`Bearer   ${JWT}`)), JWT);
  });

  test('no Authorization header means no credentials', () => {
    assert.equal(extractBearerToken({ headers: {} }), undefined);
  });

  test('another scheme is not bearer credentials', () => {
    assert.equal(extractBearerToken(withAuth('Basic dXNlcjpwYXNz')), undefined);
    assert.equal(extractBearerToken(withAuth(`Bearerish ${JWT}`)), undefined);
  });

  const malformed: [string, string][] = [
    ['scheme without token', 'Bearer'],
    ['scheme and space only', 'Bearer '],
    ['tab instead of space', `Bearer\t${JWT}`],
    ['a second token', `Bearer ${JWT} other`],
    ['auth-params instead of a token', 'Bearer realm="x"'],
    ['a comma-separated list', `Bearer, ${JWT}`],
    ['characters outside b64token', 'Bearer abc$def'],
    ['padding in the middle', 'Bearer abc=def'],
    ['only padding', 'Bearer ==='],
    ['a quoted token', `Bearer "${JWT}"`],
    ['an empty header', ''],
  ];
  for (const [name, value] of malformed) {
    test(`malformed header is 400 invalid_request: ${name}`, () => {
      const error = refusal(() => extractBearerToken(withAuth(value)));
      assert.equal(error.code, 'invalid_request');
      assert.equal(error.status, 400);
    });
  }

  test('header smuggling: a second Authorization header (hidden by Node) is refused', () => {
    const request: BearerRequest = {
      headers: { authorization: `Bearer ${JWT}` },
      rawHeaders: ['Authorization', `Bearer ${JWT}`, 'authorization', 'Bearer other'],
    };
    assert.equal(refusal(() => extractBearerToken(request)).code, 'invalid_request');
  });

  test('whitespace around the header value is ignored, whichever kind (what String.prototype.trim removes)', () => {
    for (const space of [' ', '\t', '\n', '\u00a0', '\u2028', '\ufeff']) {
      assert.equal(extractBearerToken(withAuth(`${space}Bearer ${JWT}${space}`)), JWT, JSON.stringify(space));
      assert.equal(extractBearerToken(withAuth(`Bearer ${JWT}${space}`)), JWT, JSON.stringify(space));
      assert.equal(refusal(() => extractBearerToken(withAuth(space))).code, 'invalid_request');
    }
  });

  test('header smuggling: a repeated Authorization header is counted in any letter case, and only it', () => {
    const raw = (name: string): BearerRequest => ({
      headers: { authorization: `Bearer ${JWT}` },
      rawHeaders: ['Authorization', `Bearer ${JWT}`, name, 'Bearer other'],
    });
    for (const name of ['AUTHORIZATION', 'authorization', 'aUtHoRiZaTiOn']) {
      assert.equal(refusal(() => extractBearerToken(raw(name))).code, 'invalid_request', name);
    }
    for (const name of ['@UTHORIZATION', 'authorizatio', 'authorizations', 'Authorizatio\u00ee']) {
      assert.equal(extractBearerToken(raw(name)), JWT, name);
    }
  });

  test('a refusal never echoes the credentials it saw', () => {
    const error = refusal(() => extractBearerToken(withAuth('Bearer secret$token')));
    assert.doesNotMatch(error.message, /secret/);
    assert.doesNotMatch(JSON.stringify(error.toResponse()), /secret/);
  });
});

describe('extractBearerToken: query and form body (RFC 6750 §2.2, §2.3)', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  test('query and body tokens are ignored unless enabled', () => {
    assert.equal(extractBearerToken({ url: `/?access_token=${JWT}`, headers: {} }), undefined);
    assert.equal(
      extractBearerToken({ method: 'POST', headers: form, body: { access_token: JWT } }),
      undefined,
    );
  });

  test('an enabled query token is read from the request-target', () => {
    const request = { url: `/things?x=1&access_token=${JWT}#frag`, headers: {} };
    assert.equal(extractBearerToken(request, { allowQueryToken: true }), JWT);
  });

  test('an enabled form token is read from a POSTed urlencoded body', () => {
    const request = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: { access_token: JWT },
    };
    assert.equal(extractBearerToken(request, { allowBodyToken: true }), JWT);
  });

  test('a form token is never taken from a GET or from a JSON body', () => {
    const options = { allowBodyToken: true };
    assert.equal(
      extractBearerToken({ method: 'GET', headers: form, body: { access_token: JWT } }, options),
      undefined,
    );
    const json = { 'content-type': 'application/json' };
    assert.equal(
      extractBearerToken({ method: 'POST', headers: json, body: { access_token: JWT } }, options),
      undefined,
    );
  });

  test('prototype pollution: an inherited access_token is not a form field', () => {
    const body = Object.create({ access_token: JWT }) as object;
    assert.equal(
      extractBearerToken({ method: 'POST', headers: form, body }, { allowBodyToken: true }),
      undefined,
    );
  });

  test('two methods in one request are 400 invalid_request', () => {
    const request = { url: `/?access_token=${JWT}`, headers: { authorization: `Bearer ${JWT}` } };
    const error = refusal(() => extractBearerToken(request, { allowQueryToken: true }));
    assert.equal(error.code, 'invalid_request');
    const both = { method: 'POST', url: `/?access_token=${JWT}`, headers: form, body: { access_token: JWT } };
    assert.equal(
      refusal(() => extractBearerToken(both, { allowQueryToken: true, allowBodyToken: true })).code,
      'invalid_request',
    );
  });

  test('a repeated access_token parameter or field is 400 invalid_request', () => {
    const query = { url: `/?access_token=${JWT}&access_token=${JWT}`, headers: {} };
    assert.equal(refusal(() => extractBearerToken(query, { allowQueryToken: true })).code, 'invalid_request');
    const body = { method: 'POST', headers: form, body: { access_token: [JWT, JWT] } };
    assert.equal(refusal(() => extractBearerToken(body, { allowBodyToken: true })).code, 'invalid_request');
  });

  test('an empty or ill-formed query token is 400 invalid_request', () => {
    for (const url of ['/?access_token=', '/?access_token=a%20b']) {
      assert.equal(
        refusal(() => extractBearerToken({ url, headers: {} }, { allowQueryToken: true })).status,
        400,
      );
    }
  });
});
