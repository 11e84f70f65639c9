import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  AuthorizeCallbackError,
  type AuthorizeCallbackErrorCode,
  parseAuthorizeCallbackResponse,
  validateAuthorizeCallbackIssuer,
  validateAuthorizeCallbackState,
} from '../../src/authorize/index.js';
import { DiscoveryDocumentResponse } from '../../src/discovery/index.js';
import { ConfigurationError } from '../../src/errors.js';

const ISSUER = 'https://idp.example';
const refused = (code: AuthorizeCallbackErrorCode) => (err: unknown) =>
  err instanceof AuthorizeCallbackError && err.code === code;

describe('parseAuthorizeCallbackResponse', () => {
  test('reads a callback URL, a query string, a fragment, URLSearchParams and a form body alike', () => {
    const inputs = [
      'https://app.example/cb?code=c1&state=s1&iss=https%3A%2F%2Fidp.example',
      new URL('https://app.example/cb?code=c1&state=s1&iss=https%3A%2F%2Fidp.example'),
      '?code=c1&state=s1&iss=https%3A%2F%2Fidp.example',
      'code=c1&state=s1&iss=https%3A%2F%2Fidp.example',
      '#code=c1&state=s1&iss=https%3A%2F%2Fidp.example',
      'https://app.example/cb#code=c1&state=s1&iss=https%3A%2F%2Fidp.example',
      new URLSearchParams({ code: 'c1', state: 's1', iss: ISSUER }),
      { code: 'c1', state: 's1', iss: ISSUER },
    ];
    for (const input of inputs) {
      const r = parseAuthorizeCallbackResponse(input);
      assert.equal(r.code, 'c1', String(input));
      assert.equal(r.state, 's1');
      assert.equal(r.iss, ISSUER);
      assert.equal(r.isError, false);
    }
  });

  test('an error response is typed, never thrown', () => {
    const r = parseAuthorizeCallbackResponse(
      '?error=access_denied&error_description=The+user+said+no&error_uri=https%3A%2F%2Fidp.example%2Fe&state=s1',
    );
    assert.equal(r.isError, true);
    assert.equal(r.error, 'access_denied');
    assert.equal(r.errorDescription, 'The user said no');
    assert.equal(r.errorUri, 'https://idp.example/e');
    assert.equal(r.code, undefined);
  });

  test('implicit/hybrid and JARM members are read; the query wins over an unrelated fragment', () => {
    const r = parseAuthorizeCallbackResponse(
      'https://app.example/cb#id_token=a.b.c&access_token=at&token_type=Bearer&expires_in=300&session_state=x',
    );
    assert.equal(r.idToken, 'a.b.c');
    assert.equal(r.accessToken, 'at');
    assert.equal(r.tokenType, 'Bearer');
    assert.equal(r.expiresIn, '300');
    assert.equal(r.sessionState, 'x');
    assert.equal(parseAuthorizeCallbackResponse('?response=h.p.s').response, 'h.p.s');
    assert.equal(parseAuthorizeCallbackResponse('https://app.example/cb?code=q#/spa-route').code, 'q');
  });

  test('duplicate parameters: a second state or code is refused (RFC 6749 §3.1)', () => {
    for (const input of ['?code=a&state=s&state=t', '?code=a&code=b&state=s', { state: ['s', 't'] }]) {
      assert.throws(() => parseAuthorizeCallbackResponse(input), refused('duplicate_parameter'));
    }
  });

  test('oversized input is refused before use: long values, too many parameters', () => {
    assert.throws(
      () => parseAuthorizeCallbackResponse(`?code=${'a'.repeat(8193)}`),
      refused('parameter_too_long'),
    );
    assert.throws(
      () => parseAuthorizeCallbackResponse(`?response=${'a'.repeat(65_537)}`),
      refused('parameter_too_long'),
    );
    assert.equal(parseAuthorizeCallbackResponse(`?response=${'a'.repeat(65_536)}`).response?.length, 65_536);
    const many = Array.from({ length: 65 }, (_, i) => `p${i}=x`).join('&');
    assert.throws(() => parseAuthorizeCallbackResponse(many), refused('too_many_parameters'));
    assert.throws(() => parseAuthorizeCallbackResponse('a'.repeat(200_000)), refused('parameter_too_long'));
  });

  test('a form body value that is not a string (a parsed nested object) is refused', () => {
    assert.throws(() => parseAuthorizeCallbackResponse({ code: { $ne: 1 } }), refused('callback_malformed'));
    assert.throws(() => parseAuthorizeCallbackResponse(42 as never), refused('callback_malformed'));
  });

  test('prototype pollution: __proto__ as a parameter name is a plain value', () => {
    const r = parseAuthorizeCallbackResponse('?__proto__=x&code=c');
    assert.equal(r.code, 'c');
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  test('the code and tokens are masked when the response is printed', () => {
    const r = parseAuthorizeCallbackResponse('?code=secret-code-1&state=s&id_token=secret.id.token');
    const shown = `${inspect(r)} ${JSON.stringify(r)}`;
    assert.ok(!shown.includes('secret-code-1') && !shown.includes('secret.id.token'), shown);
    assert.match(shown, /\*\*\*/);
  });
});

describe('validateAuthorizeCallbackState', () => {
  test('the state this flow sent is accepted', () => {
    validateAuthorizeCallbackState(parseAuthorizeCallbackResponse('?code=c&state=abc'), 'abc');
  });

  test('wrong state (CSRF, a response injected into another session) is refused', () => {
    for (const other of ['abd', 'ab', 'abcd', 'ABC']) {
      assert.throws(
        () => validateAuthorizeCallbackState(parseAuthorizeCallbackResponse(`?code=c&state=${other}`), 'abc'),
        refused('state_mismatch'),
      );
    }
  });

  test('missing state is refused, also on an error response', () => {
    assert.throws(
      () => validateAuthorizeCallbackState(parseAuthorizeCallbackResponse('?code=c'), 'abc'),
      refused('state_missing'),
    );
    assert.throws(
      () => validateAuthorizeCallbackState(parseAuthorizeCallbackResponse('?code=c&state='), 'abc'),
      refused('state_missing'),
    );
    assert.throws(
      () => validateAuthorizeCallbackState(parseAuthorizeCallbackResponse('?error=access_denied'), 'abc'),
      refused('state_missing'),
    );
  });

  test('no expected state to compare with is a configuration error, not a pass', () => {
    const r = parseAuthorizeCallbackResponse('?code=c&state=');
    assert.throws(() => validateAuthorizeCallbackState(r, ''), ConfigurationError);
    assert.throws(() => validateAuthorizeCallbackState(r, undefined as never), ConfigurationError);
  });

  test('the message never contains either state', () => {
    try {
      validateAuthorizeCallbackState(
        parseAuthorizeCallbackResponse('?state=attacker-value'),
        'kept-secret-state',
      );
      assert.fail('should refuse');
    } catch (err) {
      assert.ok(
        !(err as Error).message.includes('attacker-value') &&
          !(err as Error).message.includes('kept-secret-state'),
      );
    }
  });
});

describe('validateAuthorizeCallbackIssuer (RFC 9207)', () => {
  const withIss = (iss: string) => parseAuthorizeCallbackResponse({ code: 'c', state: 's', iss });
  const noIss = parseAuthorizeCallbackResponse({ code: 'c', state: 's' });
  const doc = (supported: boolean | undefined) =>
    new DiscoveryDocumentResponse({
      raw: {
        issuer: ISSUER,
        ...(supported === undefined ? {} : { authorization_response_iss_parameter_supported: supported }),
      },
    });

  test('the issuer the flow started with is accepted', () => {
    validateAuthorizeCallbackIssuer(withIss(ISSUER), { issuer: ISSUER, issParameterSupported: true });
    validateAuthorizeCallbackIssuer(withIss(ISSUER), { document: doc(true) });
  });

  test('foreign iss (mix-up attack) is refused, whether or not the provider advertises iss', () => {
    for (const options of [
      { issuer: ISSUER, issParameterSupported: true },
      { issuer: ISSUER },
      { document: doc(undefined) },
    ]) {
      assert.throws(
        () => validateAuthorizeCallbackIssuer(withIss('https://attacker.example'), options),
        refused('issuer_mismatch'),
      );
    }
  });

  test('exact comparison: a trailing slash, case or a default port is another issuer', () => {
    for (const near of [
      `${ISSUER}/`,
      'https://IDP.example',
      'https://idp.example:443',
      'http://idp.example',
    ]) {
      assert.throws(
        () => validateAuthorizeCallbackIssuer(withIss(near), { issuer: ISSUER }),
        refused('issuer_mismatch'),
        near,
      );
    }
  });

  test('missing iss when advertised is refused (a mix-up attacker strips it)', () => {
    assert.throws(
      () => validateAuthorizeCallbackIssuer(noIss, { issuer: ISSUER, issParameterSupported: true }),
      refused('issuer_missing'),
    );
    assert.throws(
      () => validateAuthorizeCallbackIssuer(noIss, { document: doc(true) }),
      refused('issuer_missing'),
    );
    const error = parseAuthorizeCallbackResponse({ error: 'access_denied', state: 's' });
    assert.throws(
      () => validateAuthorizeCallbackIssuer(error, { document: doc(true) }),
      refused('issuer_missing'),
    );
  });

  test('missing iss from a provider that does not advertise it is accepted', () => {
    validateAuthorizeCallbackIssuer(noIss, { issuer: ISSUER });
    validateAuthorizeCallbackIssuer(noIss, { document: doc(false) });
  });

  test('no issuer to compare with is a configuration error', () => {
    assert.throws(() => validateAuthorizeCallbackIssuer(withIss(ISSUER), { issuer: '' }), ConfigurationError);
    assert.throws(
      () =>
        validateAuthorizeCallbackIssuer(withIss(ISSUER), {
          document: new DiscoveryDocumentResponse({ raw: {} }),
        }),
      ConfigurationError,
    );
  });
});
