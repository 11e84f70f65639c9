/**
 * RFC 7662 introspection against a real local server: what is sent, how every kind of answer reads, and
 * that no answer, however hostile, crashes the call or leaks the token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import {
  introspectToken,
  TokenIntrospectionRequest,
  type TokenIntrospectionRequestOptions,
  type TokenIntrospectionResponse,
} from '../../src/introspection/index.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type FakeAuthorizationServer,
  send,
  startFakeAuthorizationServer,
  TOKEN,
} from './fake-authorization-server.js';

let as: FakeAuthorizationServer;
before(async () => {
  as = await startFakeAuthorizationServer();
});
after(() => as.close());

function request(options: Partial<TokenIntrospectionRequestOptions> = {}): TokenIntrospectionRequest {
  return new TokenIntrospectionRequest({
    address: as.introspectionEndpoint,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    token: TOKEN,
    ...options,
  });
}

async function answered(status: number, body: string, type = 'application/json') {
  as.answer = (_req, res) => send(res, status, body, type);
  return introspectToken(request(), as.http);
}

function leaksNothing(response: TokenIntrospectionResponse): void {
  const printed = `${inspect(response, { depth: 5 })}${JSON.stringify(response)}${String(response.error)}`;
  assert.ok(!printed.includes(TOKEN), 'the token appears in the response');
}

describe('introspection: the request', () => {
  test('sends token and token_type_hint with the client credentials, asking for JSON', async () => {
    as.answer = (_req, res) => send(res, 200, '{"active":false}', 'application/json');
    await introspectToken(request({ tokenTypeHint: 'access_token' }), as.http);
    const seen = as.hits('/introspect').at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.form.get('token'), TOKEN);
    assert.equal(seen.form.get('token_type_hint'), 'access_token');
    assert.equal(seen.headers.accept, 'application/json');
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    assert.equal(seen.headers.authorization, `Basic ${basic}`);
  });

  test('the token is masked when the request is printed or serialized', () => {
    const r = request();
    assert.ok(!inspect(r, { depth: 5 }).includes(TOKEN));
    assert.match(inspect(r), /token: '\*\*\*'/);
    assert.ok(!JSON.stringify(r).includes(TOKEN));
    assert.equal(r.token, TOKEN);
  });

  test('a rate-limited introspection is sent again (it changes nothing at the server)', async () => {
    const http = createHttpClient({ env: {}, retryCount: 1, retryBaseDelayMs: 1, timeoutMs: 5_000 });
    try {
      as.answer = (_req, res) => {
        const n = as.hits('/introspect').length;
        if (n % 2 === 1) send(res, 429, '', 'text/plain');
        else send(res, 200, '{"active":true}', 'application/json');
      };
      const before = as.hits('/introspect').length;
      if (before % 2 === 1) await introspectToken(request(), as.http); // align on an odd count
      const response = await introspectToken(request(), http);
      assert.equal(response.isActive, true);
    } finally {
      await http.close();
    }
  });

  test('options that cannot work are a ConfigurationError naming what to change', () => {
    const cases: Array<[Partial<TokenIntrospectionRequestOptions>, RegExp]> = [
      [{ token: '' }, /token: the token to introspect is required/],
      [{ token: 'x'.repeat(70_000) }, /token: longer than/],
      [{ tokenTypeHint: '' }, /tokenTypeHint/],
      [{ issuer: 'https://as.example' }, /issuer: only used with jwtResponse: true/],
      [{ parameters: { token: 'other' } }, /"token" is set by the request itself/],
      [{ jwtResponse: true }, /issuer: required to verify a signed introspection response/],
      [{ jwtResponse: true, issuer: 'https://as' }, /jwksUri, keys or keySource: required/],
      [
        { jwtResponse: true, issuer: 'https://as', jwksUri: 'https://as/jwks', keys: { keys: [] } },
        /give one key source, not jwksUri and keys/,
      ],
      [{ jwtResponse: true, issuer: 'https://as', jwksUri: 'ftp://as/jwks' }, /jwksUri: must be/],
      [
        { jwtResponse: true, issuer: 'https://as', jwksUri: 'https://as/jwks', algorithms: ['none'] },
        /'none' is never allowed/,
      ],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => request(options),
        (err: unknown) => err instanceof ConfigurationError && message.test(err.message),
        String(message),
      );
    }
  });
});

describe('introspection: answers', () => {
  test('an active token: every RFC 7662 member typed, all of them in frozen claims', async () => {
    const body = {
      active: true,
      scope: 'read write',
      client_id: 'c1',
      username: 'alice',
      token_type: 'Bearer',
      exp: 2_000_000_000,
      iat: 1_700_000_000,
      nbf: 1_700_000_000,
      sub: 'u1',
      aud: ['api-1', 'api-2'],
      iss: 'https://as.example',
      jti: 'j1',
      cnf: { jkt: 'thumb' },
      tenant: 'acme',
    };
    const r = await answered(200, JSON.stringify(body));
    assert.equal(r.isSuccessful, true);
    assert.equal(r.isActive, true);
    assert.deepEqual(
      [r.scope, r.clientId, r.username, r.tokenType, r.exp, r.iat, r.nbf, r.sub, r.iss, r.jti],
      [
        'read write',
        'c1',
        'alice',
        'Bearer',
        2_000_000_000,
        1_700_000_000,
        1_700_000_000,
        'u1',
        'https://as.example',
        'j1',
      ],
    );
    assert.deepEqual(r.scopes, ['read', 'write']);
    assert.deepEqual(r.aud, ['api-1', 'api-2']);
    assert.deepEqual(r.cnf, { jkt: 'thumb' });
    assert.equal(r.claims.tenant, 'acme');
    assert.ok(Object.isFrozen(r.claims) && Object.isFrozen(r.claims.aud));
    assert.equal(r.signedResponse, undefined);
  });

  test('aud may be a single string', async () => {
    const r = await answered(200, '{"active":true,"aud":"api-1"}');
    assert.equal(r.aud, 'api-1');
  });

  test('an inactive token is a successful answer with isActive false and nothing typed', async () => {
    const r = await answered(200, '{"active":false,"sub":"should-not-be-trusted"}');
    assert.equal(r.isSuccessful, true);
    assert.equal(r.isActive, false);
    assert.equal(r.sub, undefined);
    assert.deepEqual(r.scopes, []);
    assert.equal(r.claims.sub, 'should-not-be-trusted');
  });

  test('401 invalid_client for our credentials is a protocol error', async () => {
    as.answer = (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="as"' });
      res.end('{"error":"invalid_client","error_description":"client authentication failed"}');
    };
    const r = await introspectToken(request(), as.http);
    assert.equal(r.errorType, 'protocol');
    assert.equal(r.error, 'invalid_client');
    assert.equal(r.errorDescription, 'client authentication failed');
    assert.equal(r.httpStatus, 401);
    assert.equal(r.isActive, false);
  });

  test('401 without an OAuth error body is an http error', async () => {
    const r = await answered(401, 'Unauthorized', 'text/plain');
    assert.equal(r.errorType, 'http');
    assert.equal(r.httpStatus, 401);
    assert.equal(r.isActive, false);
  });

  test('an HTML 403 page is an http error that does not quote the page', async () => {
    const r = await answered(403, `<html><body>denied ${TOKEN}</body></html>`, 'text/html');
    assert.equal(r.errorType, 'http');
    assert.equal(r.httpStatus, 403);
    assert.match(String(r.error), /HTTP 403 without a JSON object \(text\/html, \d+ bytes\)/);
    leaksNothing(r);
  });

  test('a 200 that is not JSON (HTML, a bare token, an array) is an exception, never active', async () => {
    for (const [body, type] of [
      [`<html>${TOKEN}</html>`, 'text/html'],
      [TOKEN, 'application/json'],
      ['[{"active":true}]', 'application/json'],
      ['', 'application/json'],
    ] as const) {
      const r = await answered(200, body, type);
      assert.equal(r.errorType, 'exception', body);
      assert.equal(r.isActive, false);
      leaksNothing(r);
    }
  });

  test('a missing or non-boolean active is no answer at all (exception), never active', async () => {
    for (const body of ['{}', '{"active":"true"}', '{"active":1}', '{"active":null}', '{"active":"false"}']) {
      const r = await answered(200, body);
      assert.equal(r.errorType, 'exception', body);
      assert.equal(r.isActive, false, body);
      assert.match(String(r.error), /"active" is .*, not a boolean/);
    }
  });

  test('hostile numbers: exp, iat, nbf must be safe non-negative integers', async () => {
    for (const value of ['1e308', '1e999', '-1', '"2000000000"', '1.5', '9007199254740993']) {
      for (const name of ['exp', 'iat', 'nbf']) {
        const r = await answered(200, `{"active":true,"${name}":${value}}`);
        assert.equal(r.errorType, 'exception', `${name}: ${value}`);
        assert.equal(r.isActive, false);
      }
    }
  });

  test('mistyped members are refused: a number scope, an object aud, a list cnf', async () => {
    for (const body of [
      '{"active":true,"scope":42}',
      '{"active":true,"aud":{"a":1}}',
      '{"active":true,"aud":["a",1]}',
      `{"active":true,"aud":${JSON.stringify(Array.from({ length: 101 }, (_, i) => `a${i}`))}}`,
      '{"active":true,"cnf":["x"]}',
      '{"active":true,"sub":{"id":1}}',
    ]) {
      const r = await answered(200, body);
      assert.equal(r.errorType, 'exception', body);
      assert.equal(r.isActive, false);
    }
  });

  test('a signed answer to a plain request is refused: it was not asked for and is not verified', async () => {
    const r = await answered(200, as.signed(), 'application/token-introspection+jwt');
    assert.equal(r.errorType, 'exception');
    assert.match(String(r.error), /signed response, which was not asked for/);
    assert.equal(r.isActive, false);
  });

  test('an unreachable endpoint is an http error, a broken discovery an exception', async () => {
    const dead = new TokenIntrospectionRequest({
      address: 'http://127.0.0.1:1/introspect',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      token: TOKEN,
    });
    const r = await introspectToken(dead, as.http);
    assert.equal(r.errorType, 'http');
    leaksNothing(r);
    const lost = new TokenIntrospectionRequest({
      authority: 'http://127.0.0.1:1',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      token: TOKEN,
    });
    const d = await introspectToken(lost, as.http);
    assert.equal(d.errorType, 'exception');
    assert.match(String(d.error), /EndpointDiscoveryError/);
  });

  test('with authority, the endpoint comes from discovery, read once per request object', async () => {
    as.answer = (_req, res) => send(res, 200, '{"active":true}', 'application/json');
    const before = as.hits('/.well-known/openid-configuration').length;
    const r = new TokenIntrospectionRequest({
      authority: as.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      token: TOKEN,
    });
    assert.equal((await introspectToken(r, as.http)).isActive, true);
    assert.equal((await introspectToken(r, as.http)).isActive, true);
    assert.equal(as.hits('/.well-known/openid-configuration').length - before, 1);
  });
});
