import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { DiscoveryDocumentRequest, getDiscoveryDocument } from '../../src/discovery/index.js';
import { HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { getJwks, JwksRequest } from '../../src/jwks/index.js';
import { ClientCredentialsTokenRequest } from '../../src/token/grant-requests.js';
import { requestClientCredentialsToken } from '../../src/token/request-token.js';
import type { TokenResponse, TokenResponseErrorType } from '../../src/token/token-response.js';
import { startServer } from './local-server.js';

// What real providers answer besides RFC 6749 §5.2 (glewlwyd: 403 with an empty body, `scope_invalid`;
// django-oauth-toolkit: HTML error pages), each from its own loopback server: always an unsuccessful, typed
// response, never a throw, and nothing from the body (which may be a token) in a message.

const MARKER = 'tok_9f8e7d6c5b4a';

interface Case {
  name: string;
  status: number;
  contentType?: string;
  body: string;
  errorType: TokenResponseErrorType;
  /** The whole body is unparsed text: then not even `inspect(response)` may show the marker. */
  opaque?: boolean;
  error?: string | RegExp;
}

const CASES: Case[] = [
  { name: '403 with an empty body', status: 403, body: '', errorType: 'http', error: /HTTP 403.*empty body/ },
  {
    name: 'a non-RFC error code (scope_invalid) on 400',
    status: 400,
    contentType: 'application/json',
    body: '{"error":"scope_invalid"}',
    errorType: 'protocol',
    error: 'scope_invalid',
  },
  {
    name: 'a non-RFC error code (scope_invalid) on 403',
    status: 403,
    contentType: 'application/json',
    body: '{"error":"scope_invalid"}',
    errorType: 'protocol',
    error: 'scope_invalid',
  },
  {
    name: 'an HTML page on 200',
    status: 200,
    contentType: 'text/html; charset=utf-8',
    body: `<html><body>${MARKER}</body></html>`,
    errorType: 'exception',
    opaque: true,
    error: /HTTP 200 .*not a JSON object \(text\/html, \d+ bytes\)/,
  },
  {
    name: 'an HTML page on 401',
    status: 401,
    contentType: 'text/html',
    body: `<h1>Unauthorized</h1>${MARKER}`,
    errorType: 'http',
    opaque: true,
    error: /HTTP 401 .*text\/html/,
  },
  {
    name: 'an HTML page on 500',
    status: 500,
    contentType: 'text/html',
    body: `<pre>Traceback ${MARKER}</pre>`,
    errorType: 'http',
    opaque: true,
  },
  {
    name: 'a bare token as text/plain on 200',
    status: 200,
    contentType: 'text/plain',
    body: MARKER,
    errorType: 'exception',
    opaque: true,
  },
  {
    name: 'a form-encoded token answer on 200',
    status: 200,
    contentType: 'application/x-www-form-urlencoded',
    body: `access_token=${MARKER}&token_type=bearer`,
    errorType: 'exception',
    opaque: true,
  },
  {
    name: 'JSON cut off inside the token on 200',
    status: 200,
    contentType: 'application/json',
    body: `{"access_token":"${MARKER}" "token_type":"Bearer"}`,
    errorType: 'exception',
    opaque: true,
  },
  {
    name: 'a JSON array on 200',
    status: 200,
    contentType: 'application/json',
    body: `["${MARKER}"]`,
    errorType: 'exception',
  },
  {
    name: 'a JSON string on 400',
    status: 400,
    contentType: 'application/json',
    body: `"${MARKER}"`,
    errorType: 'http',
  },
  {
    name: 'JSON null on 200',
    status: 200,
    contentType: 'application/json',
    body: 'null',
    errorType: 'exception',
  },
  {
    name: 'a JSON object without error on 400',
    status: 400,
    contentType: 'application/json',
    body: `{"message":"bad request ${MARKER}"}`,
    errorType: 'http',
    error: 'token endpoint answered HTTP 400',
  },
  {
    name: 'an empty error code on 400',
    status: 400,
    contentType: 'application/json',
    body: '{"error":""}',
    errorType: 'http',
    error: 'token endpoint answered HTTP 400',
  },
  {
    name: 'a non-string error code on 400',
    status: 400,
    contentType: 'application/json',
    body: '{"error":{"code":42}}',
    errorType: 'http',
  },
  {
    name: 'an error alongside tokens on 200',
    status: 200,
    contentType: 'application/json',
    body: `{"error":"invalid_scope","access_token":"${MARKER}","refresh_token":"${MARKER}","id_token":"${MARKER}"}`,
    errorType: 'protocol',
    error: 'invalid_scope',
  },
  {
    name: 'a 200 without access_token',
    status: 200,
    contentType: 'application/json',
    body: `{"token":"${MARKER}","token_type":"Bearer"}`,
    errorType: 'exception',
    error: 'token endpoint answered without an access_token',
  },
  {
    name: 'a 200 whose access_token is a number',
    status: 200,
    contentType: 'application/json',
    body: '{"access_token":12345,"token_type":"Bearer"}',
    errorType: 'exception',
    error: /access_token that is not a non-empty string \(a number\)/,
  },
  {
    name: 'a 200 whose access_token is an object',
    status: 200,
    contentType: 'application/json',
    body: `{"access_token":{"value":"${MARKER}"},"token_type":"Bearer"}`,
    errorType: 'exception',
    error: /\(an object\)/,
  },
  {
    name: 'a 200 whose access_token is empty',
    status: 200,
    contentType: 'application/json',
    body: '{"access_token":"","token_type":"Bearer"}',
    errorType: 'exception',
    error: /\(a string\)/,
  },
];

/** Answers as the case says. */
function respondWith(c: Case): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(c.status, c.contentType ? { 'content-type': c.contentType } : {});
    res.end(c.body);
  };
}

/** Every text a message could carry: the response's messages and its exception's message and stack. */
function messages(response: TokenResponse): string {
  const exception = response.exception as Error | undefined;
  return [response.error, response.errorDescription, String(exception), exception?.stack].join('\n');
}

describe('non-standard token endpoint answers are typed unsuccessful responses', () => {
  let http: HttpClient;
  before(() => {
    http = createHttpClient({ retryCount: 0 });
  });
  after(() => http.close());

  async function answer(respond: (res: ServerResponse) => void): Promise<TokenResponse> {
    const server = await startServer((_req, res) => respond(res));
    try {
      const request = new ClientCredentialsTokenRequest({
        address: server.url,
        clientId: 'svc',
        clientSecret: 's3cret-client-secret',
      });
      return await requestClientCredentialsToken(request, http);
    } finally {
      await server.close();
    }
  }

  for (const c of CASES) {
    test(`${c.name}: errorType ${c.errorType}, httpStatus ${c.status}, the body not echoed`, async () => {
      const response = await answer(respondWith(c));
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, c.errorType);
      assert.equal(response.httpStatus, c.status);
      assert.equal(response.accessToken, undefined, 'an unsuccessful response hands out no token');
      assert.equal(response.refreshToken, undefined);
      assert.equal(response.idToken, undefined);
      if (typeof c.error === 'string') assert.equal(response.error, c.error);
      else if (c.error) assert.match(response.error ?? '', c.error);
      assert.ok(!messages(response).includes(MARKER), `no body content in a message: ${messages(response)}`);
      assert.ok(!messages(response).includes('s3cret-client-secret'));
      if (c.opaque) {
        assert.ok(!inspect(response, { depth: 10 }).includes(MARKER), 'nothing of the body when printed');
        assert.ok(!JSON.stringify(response).includes(MARKER), 'nothing of the body in JSON');
      }
    });
  }

  test('a body that is not JSON keeps a SyntaxError as its exception, naming size and type only', async () => {
    const response = await answer((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`access_token=${MARKER}`);
    });
    assert.ok(response.exception instanceof SyntaxError);
    assert.match((response.exception as Error).message, /not valid JSON \(text\/plain, \d+ bytes\)/);
  });

  for (const declared of [true, false]) {
    test(`a huge body (${declared ? 'declared by Content-Length' : 'chunked, undeclared'}) is cut off: an http error, not a crash`, async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const response = await answer((res) => {
        res.writeHead(200, {
          'content-type': 'application/json',
          ...(declared ? { 'content-length': String(chunk.length * 40) } : {}),
        });
        for (let i = 0; i < 40; i++) res.write(chunk);
        res.end();
      });
      assert.equal(response.isSuccessful, false);
      assert.equal(response.errorType, 'http');
      assert.ok(response.exception instanceof HttpError);
      assert.equal((response.exception as HttpError).code, 'http_body_too_large');
      assert.ok(!messages(response).includes('aaaa'));
    });
  }
});

// The same answers from a discovery or JWKS endpoint: their convention is `http` for a status other than 200
// and `protocol` for a 200 that is not a usable document (see discovery-document-response.ts, get-jwks.ts).
describe('discovery and JWKS meet the same answers with a typed failure, never a throw', () => {
  let http: HttpClient;
  before(() => {
    http = createHttpClient({ retryCount: 0 });
  });
  after(() => http.close());

  for (const c of CASES) {
    test(`${c.name}: discovery and JWKS fail typed, httpStatus ${c.status}`, async () => {
      const respond = respondWith(c);
      const server = await startServer((_req, res) => respond(res));
      try {
        const discovery = await getDiscoveryDocument(
          new DiscoveryDocumentRequest({ address: server.origin }),
          http,
        );
        const jwks = await getJwks(new JwksRequest({ address: `${server.origin}/jwks` }), http);
        for (const response of [discovery, jwks]) {
          assert.equal(response.isSuccessful, false);
          assert.equal(response.errorType, c.status === 200 ? 'protocol' : 'http');
          assert.equal(response.httpStatus, c.status);
          assert.ok(!(response.error ?? '').includes(MARKER));
        }
      } finally {
        await server.close();
      }
    });
  }
});
