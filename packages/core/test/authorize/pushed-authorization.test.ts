import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  generatePkcePair,
  PushedAuthorizationRequest,
  type PushedAuthorizationRequestOptions,
  pushAuthorizationRequest,
} from '../../src/authorize/index.js';
import { ConfigurationError, HttpError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import type { HttpClient } from '../../src/http/types.js';
import { EndpointDiscoveryError } from '../../src/protocol/endpoint-address.js';
import { completeDocument } from '../discovery/documents.js';
import { freePort } from '../http/local-server.js';
import { json, type LocalServer, type SeenRequest, startServer } from '../token/local-server.js';

// RFC 9126 against a loopback server that answers as a real one does, and with every fault.

type Answer = (req: SeenRequest, res: ServerResponse) => void;

describe('pushed authorization requests (RFC 9126)', () => {
  let server: LocalServer;
  let http: HttpClient;
  let answer: Answer = (_req, res) =>
    json(res, 201, { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 });

  const request = (extra: Partial<PushedAuthorizationRequestOptions> = {}) =>
    new PushedAuthorizationRequest({
      address: `${server.origin}/par`,
      clientId: 'web',
      clientSecret: 's3cret',
      redirectUri: 'https://app.example/cb',
      scope: 'openid',
      ...extra,
    } as PushedAuthorizationRequestOptions);

  before(async () => {
    server = await startServer((req, res) => {
      if (req.path.startsWith('/.well-known/')) {
        json(
          res,
          200,
          completeDocument(server.origin, { pushed_authorization_request_endpoint: `${server.origin}/par` }),
        );
      } else answer(req, res);
    });
    http = createHttpClient({ retryCount: 2, retryBaseDelayMs: 1 });
  });
  beforeEach(() => {
    server.requests.length = 0;
    answer = (_req, res) =>
      json(res, 201, { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 });
  });
  after(async () => {
    await http.close();
    await server.close();
  });

  test('posts every authorization parameter with client_id and the client authentication', async () => {
    const pkce = generatePkcePair();
    const par = request({ pkce, resource: ['https://api.example/a', 'https://api.example/b'] });
    const response = await pushAuthorizationRequest(par, http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.requestUri, 'urn:ietf:params:oauth:request_uri:abc');
    assert.equal(response.expiresIn, 60);
    const seen = server.requests[0] as SeenRequest;
    assert.equal(seen.method, 'POST');
    assert.match(seen.headers.authorization as string, /^Basic /);
    assert.equal(seen.form.get('client_id'), 'web');
    assert.equal(seen.form.get('response_type'), 'code');
    assert.equal(seen.form.get('redirect_uri'), 'https://app.example/cb');
    assert.equal(seen.form.get('code_challenge'), pkce.codeChallenge);
    assert.equal(seen.form.get('state'), par.state);
    assert.equal(seen.form.get('nonce'), par.nonce);
    assert.deepEqual(seen.form.getAll('resource'), ['https://api.example/a', 'https://api.example/b']);
    assert.equal(seen.form.get('client_secret'), null);
  });

  test('client_secret_post: client_id sent once, with the secret', async () => {
    await pushAuthorizationRequest(request({ clientAuthentication: 'client_secret_post' }), http);
    const form = (server.requests[0] as SeenRequest).form;
    assert.deepEqual(form.getAll('client_id'), ['web']);
    assert.equal(form.get('client_secret'), 's3cret');
  });

  test('a request object: only client_id and request (its parameters are inside it)', async () => {
    await pushAuthorizationRequest(
      request({ request: 'h.p.s', scope: undefined, redirectUri: undefined } as never),
      http,
    );
    const form = (server.requests[0] as SeenRequest).form;
    assert.deepEqual([...form.keys()], ['client_id', 'request']);
  });

  test('the endpoint from discovery (pushed_authorization_request_endpoint)', async () => {
    const par = request({ address: undefined, authority: server.origin });
    const response = await pushAuthorizationRequest(par, http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.ok(server.requests.some((r) => r.path === '/par'));
  });

  test('hostile expires_in is clamped to 1..3600; a missing or negative one is an exception', async () => {
    answer = (_req, res) => json(res, 201, { request_uri: 'urn:x', expires_in: 1e12 });
    assert.equal((await pushAuthorizationRequest(request(), http)).expiresIn, 3600);
    answer = (_req, res) => json(res, 201, { request_uri: 'urn:x', expires_in: 0.2 });
    assert.equal((await pushAuthorizationRequest(request(), http)).expiresIn, 1);
    answer = (_req, res) => json(res, 201, { request_uri: 'urn:x', expires_in: -5 });
    assert.equal((await pushAuthorizationRequest(request(), http)).errorType, 'exception');
    answer = (_req, res) => json(res, 201, { request_uri: 'urn:x', expires_in: 0.5e1 });
    assert.equal((await pushAuthorizationRequest(request(), http)).expiresIn, 5);
    answer = (_req, res) => json(res, 201, { request_uri: 'urn:x' });
    const missing = await pushAuthorizationRequest(request(), http);
    assert.equal(missing.isSuccessful, false);
    assert.equal(missing.errorType, 'exception');
  });

  test('a missing, non-string or oversized request_uri is an exception, never used', async () => {
    for (const request_uri of [undefined, 42, '', 'u'.repeat(2049)]) {
      answer = (_req, res) => json(res, 201, { request_uri, expires_in: 60 });
      const response = await pushAuthorizationRequest(request(), http);
      assert.equal(response.isSuccessful, false, String(request_uri));
      assert.equal(response.errorType, 'exception');
      assert.equal(response.requestUri, undefined);
    }
    answer = (_req, res) => {
      res.writeHead(201, { 'content-type': 'text/html' });
      res.end('<html>');
    };
    assert.equal((await pushAuthorizationRequest(request(), http)).errorType, 'exception');
  });

  test('an OAuth error is a protocol response; a 5xx without one is http', async () => {
    answer = (_req, res) =>
      json(res, 400, { error: 'invalid_request', error_description: 'bad redirect_uri' });
    const refused = await pushAuthorizationRequest(request(), http);
    assert.equal(refused.errorType, 'protocol');
    assert.equal(refused.error, 'invalid_request');
    assert.equal(refused.errorDescription, 'bad redirect_uri');
    answer = (_req, res) => {
      res.writeHead(500);
      res.end();
    };
    const broken = await pushAuthorizationRequest(request(), http);
    assert.equal(broken.errorType, 'http');
    assert.equal(broken.httpStatus, 500);
  });

  test('not resent: a 503 is answered once (each push creates a request_uri)', async () => {
    answer = (_req, res) => json(res, 503, { error: 'temporarily_unavailable' }, { 'retry-after': '1' });
    const response = await pushAuthorizationRequest(request(), http);
    assert.equal(response.isSuccessful, false);
    assert.equal(server.requests.length, 1);
    assert.equal(response.retryAfter, 1);
  });

  test('network failure and failed discovery come back as responses, not throws', async () => {
    const port = await freePort();
    const down = await pushAuthorizationRequest(request({ address: `http://127.0.0.1:${port}/par` }), http);
    assert.equal(down.errorType, 'http');
    assert.ok(down.exception instanceof HttpError);
    const noDiscovery = await pushAuthorizationRequest(
      request({ address: undefined, authority: `http://127.0.0.1:${port}` }),
      http,
    );
    assert.equal(noDiscovery.isSuccessful, false);
    assert.ok(noDiscovery.exception instanceof EndpointDiscoveryError);
  });

  test('parameter override: extra form parameters cannot replace authorization parameters', () => {
    for (const name of ['state', 'redirect_uri', 'code_challenge', 'request_uri', 'client_id']) {
      assert.throws(() => request({ parameters: { [name]: 'x' } }), ConfigurationError, name);
      assert.throws(() => request({ extraParameters: { [name]: 'x' } } as never), ConfigurationError, name);
    }
    assert.throws(() => request({ request: '' } as never), ConfigurationError);
  });

  test('the client secret never shows when the request or response is printed', async () => {
    const par = request();
    const response = await pushAuthorizationRequest(par, http);
    const { inspect } = await import('node:util');
    assert.ok(!inspect(par, { depth: 5 }).includes('s3cret'));
    assert.ok(!JSON.stringify(response).includes('s3cret'));
  });
});
