import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigurationError, HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { EndpointDiscoveryError } from '../../src/protocol/endpoint-address.js';
import { revokeToken, TokenRevocationRequest } from '../../src/revocation/index.js';
import { completeDocument } from '../discovery/documents.js';
import { freePort } from '../http/local-server.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

// RFC 7009 against a loopback server that answers as each real server does, and with every fault.

const TOKEN = 'rt_1a2b3c4d5e6f_secret';
type Answer = (req: SeenRequest, res: ServerResponse) => void;

describe('token revocation (RFC 7009)', () => {
  let server: LocalServer;
  let http: HttpClient;
  let answers: Answer[] = [];
  const reply = (...list: Answer[]) => {
    answers = list;
  };
  const request = (extra: Record<string, unknown> = {}) =>
    new TokenRevocationRequest({
      address: `${server.origin}/revoke`,
      clientId: 'svc',
      clientSecret: 's3cret',
      token: TOKEN,
      ...extra,
    });

  before(async () => {
    server = await startServer((req, res) => {
      const seen = server.requests.length;
      const answer = answers[Math.min(seen - 1, answers.length - 1)];
      if (req.path.startsWith('/.well-known/')) {
        json(res, 200, completeDocument(server.origin, { revocation_endpoint: `${server.origin}/revoke` }));
      } else if (answer) answer(req, res);
      else res.end();
    });
    http = createHttpClient({ retryCount: 2, retryBaseDelayMs: 1 });
  });
  beforeEach(() => {
    server.requests.length = 0;
    answers = [];
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  test('posts token and token_type_hint with the client authentication; an empty 200 is success', async () => {
    reply((_req, res) => res.end());
    const response = await revokeToken(request({ tokenTypeHint: 'refresh_token' }), http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.httpStatus, 200);
    assert.equal(response.errorType, undefined);
    const [seen] = server.requests;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.path, '/revoke');
    assert.equal(seen?.form.get('token'), TOKEN);
    assert.equal(seen?.form.get('token_type_hint'), 'refresh_token');
    assert.equal(seen?.headers.authorization, `Basic ${Buffer.from('svc:s3cret').toString('base64')}`);
    assert.equal(seen?.headers.accept, 'application/json');
  });

  test('a 200 with {} and the empty text/html 200 of django-oauth-toolkit are success too', async () => {
    for (const answer of [
      (_req: SeenRequest, res: ServerResponse) => json(res, 200, {}),
      (_req: SeenRequest, res: ServerResponse) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end();
      },
    ]) {
      reply(answer);
      const response = await revokeToken(request(), http);
      assert.equal(response.isSuccessful, true, response.error);
    }
  });

  test('unsupported_token_type is a typed protocol error', async () => {
    reply((_req, res) => json(res, 400, { error: 'unsupported_token_type', error_description: 'no' }));
    const response = await revokeToken(request({ tokenTypeHint: 'id_token' }), http);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'unsupported_token_type');
    assert.equal(response.errorDescription, 'no');
    assert.equal(response.httpStatus, 400);
  });

  test('invalid_client on 401 is a typed protocol error, with the challenge in headers', async () => {
    reply((_req, res) =>
      json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="oauth"' }),
    );
    const response = await revokeToken(request(), http);
    assert.equal(response.errorType, 'protocol');
    assert.equal(response.error, 'invalid_client');
    assert.equal(response.httpStatus, 401);
    assert.equal(response.headers['www-authenticate'], 'Basic realm="oauth"');
  });

  test('an OAuth error object on a 200 is not mistaken for success', async () => {
    reply((_req, res) => json(res, 200, { error: 'invalid_request' }));
    const response = await revokeToken(request(), http);
    assert.equal(response.isSuccessful, false);
    assert.equal(response.error, 'invalid_request');
  });

  test('503 with Retry-After is honoured: resent after the pause, then success', async () => {
    reply(
      (_req, res) => {
        res.writeHead(503, { 'retry-after': '0' });
        res.end();
      },
      (_req, res) => res.end(),
    );
    const response = await revokeToken(request(), http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(server.requests.length, 2);
  });

  test('503 that outlasts the retries is an http failure carrying Retry-After', async () => {
    const once = createHttpClient({ retryCount: 0 });
    try {
      reply((_req, res) => {
        res.writeHead(503, { 'retry-after': '7' });
        res.end();
      });
      const response = await revokeToken(request(), once);
      assert.equal(response.errorType, 'http');
      assert.equal(response.httpStatus, 503);
      assert.equal(response.retryAfter, 7);
      assert.ok(response.exception instanceof HttpError);
    } finally {
      await once.close();
    }
  });

  test('a 500 HTML page is an http failure, not resent, and its body is not quoted', async () => {
    reply((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end(`<p>${TOKEN}</p>`);
    });
    const response = await revokeToken(request(), http);
    assert.equal(response.errorType, 'http');
    assert.equal(response.httpStatus, 500);
    assert.equal(server.requests.length, 1);
    assert.ok(!JSON.stringify(response).includes(TOKEN));
    assert.ok(!inspect(response, { depth: 5 }).includes(TOKEN));
  });

  test('connection refused is an http failure, never a throw', async () => {
    const port = await freePort();
    const response = await revokeToken(
      new TokenRevocationRequest({
        address: `http://127.0.0.1:${port}/revoke`,
        clientId: 'svc',
        token: TOKEN,
      }),
      createHttpClient({ retryCount: 0 }),
    );
    assert.equal(response.errorType, 'http');
    assert.ok(!response.error?.includes(TOKEN));
  });

  test('with authority, the revocation_endpoint comes from discovery, once per request object', async () => {
    reply((_req, res) => res.end());
    const req = new TokenRevocationRequest({
      authority: server.origin,
      discoveryPolicy: { requireHttps: false },
      clientId: 'svc',
      clientSecret: 's3cret',
      clientAuthentication: 'client_secret_post',
      token: TOKEN,
    });
    assert.equal((await revokeToken(req, http)).isSuccessful, true);
    assert.equal((await revokeToken(req, http)).isSuccessful, true);
    const paths = server.requests.map((r) => r.path);
    assert.deepEqual(paths, ['/.well-known/openid-configuration', '/revoke', '/revoke']);
    assert.equal(server.requests[1]?.form.get('client_secret'), 's3cret');
  });

  test('a discovery document without revocation_endpoint is an exception response naming it', async () => {
    const bare = await startServer((_req, res) => json(res, 200, completeDocument(bare.origin)));
    try {
      const response = await revokeToken(
        new TokenRevocationRequest({
          authority: bare.origin,
          discoveryPolicy: { requireHttps: false },
          clientId: 'svc',
          token: TOKEN,
        }),
        http,
      );
      assert.equal(response.errorType, 'exception');
      assert.ok(response.exception instanceof EndpointDiscoveryError);
      assert.match(response.error ?? '', /revocation_endpoint/);
    } finally {
      await bare.close();
    }
  });

  test('the token never shows in util.inspect or JSON.stringify of the request', () => {
    const req = request({ tokenTypeHint: 'access_token' });
    assert.equal(req.token, TOKEN);
    for (const shown of [inspect(req, { depth: 10 }), JSON.stringify(req)]) {
      assert.ok(!shown.includes(TOKEN), shown);
      assert.ok(!shown.includes('s3cret'), shown);
      assert.match(shown, /token["']?:\s?["']\*\*\*/);
    }
  });

  test('bad options are ConfigurationErrors that say what to change', () => {
    assert.throws(() => request({ token: '' }), ConfigurationError);
    assert.throws(() => request({ tokenTypeHint: '' }), /tokenTypeHint/);
    assert.throws(() => request({ parameters: { token: 'other' } }), /"token" is set by the request/);
    assert.throws(
      () => request({ headers: { Authorization: 'x' } }),
      /"Authorization" is set by the request/,
    );
    assert.throws(
      () => new TokenRevocationRequest({ clientId: 'svc', token: TOKEN } as never),
      /address or authority/,
    );
  });
});
