import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http/index.js';
import { getProtectedResourceMetadata } from '../../src/resource-metadata/get-protected-resource-metadata.js';
import { ProtectedResourceMetadataRequest } from '../../src/resource-metadata/protected-resource-metadata-request.js';
import { buildResourceMetadata } from '../../src/resource-metadata/resource-metadata.js';
import { createResourceMetadataEndpoint } from '../../src/resource-metadata/serve.js';

// The real endpoint serves the good document; the faults (a document for another resource, a huge body…)
// are what a real resource server of ours cannot be made to send, so a local server plays them.
let server: Server;
let origin: string;
let fault: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
const http = createHttpClient({ retryCount: 0, timeoutMs: 3000 });

before(async () => {
  let endpoint: ReturnType<typeof createResourceMetadataEndpoint> | undefined;
  server = createServer((req, res) => {
    if (fault) return fault(req, res);
    const answer = endpoint?.answer(req.method ?? 'GET', req.url ?? '/');
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint = createResourceMetadataEndpoint(
    buildResourceMetadata(
      { resource: `${origin}/mcp`, scopesSupported: ['read'], dpopSigningAlgValuesSupported: ['ES256'] },
      { issuers: ['https://login.example'] },
    ),
  );
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await http.close();
});

function serve(status: number, headers: Record<string, string>, body: string | Buffer): void {
  fault = (_req, res) => res.writeHead(status, headers).end(body);
}

describe('getProtectedResourceMetadata', () => {
  test('reads the path-inserted well-known document: typed members, resource checked', async () => {
    fault = undefined;
    const response = await getProtectedResourceMetadata(`${origin}/mcp`, http);
    assert.equal(response.isSuccessful, true, response.error);
    assert.equal(response.resource, `${origin}/mcp`);
    assert.deepEqual(response.authorizationServers, ['https://login.example']);
    assert.deepEqual(response.scopesSupported, ['read']);
    assert.deepEqual(response.bearerMethodsSupported, ['header']);
    assert.deepEqual(response.dpopSigningAlgValuesSupported, ['ES256']);
    assert.equal(response.dpopBoundAccessTokensRequired, false);
    assert.equal(response.tlsClientCertificateBoundAccessTokens, false);
  });

  test('metadata substitution: a document naming another resource is refused', async () => {
    let asked: string | undefined;
    fault = (req, res) => {
      asked = req.url;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          resource: 'https://evil.example/mcp',
          authorization_servers: ['https://evil.example'],
        }),
      );
    };
    const response = await getProtectedResourceMetadata(
      new ProtectedResourceMetadataRequest({ resource: `${origin}/mcp`, metadataUrl: `${origin}/elsewhere` }),
      http,
    );
    assert.equal(asked, '/elsewhere');
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'exception');
    assert.match(response.error ?? '', /not the resource it was fetched for/);
    assert.deepEqual(response.authorizationServers, []);
  });

  test('memory exhaustion: a body over the cap fails without being read whole', async () => {
    serve(200, { 'content-type': 'application/json' }, Buffer.alloc(200_000, 0x20));
    const response = await getProtectedResourceMetadata(
      { resource: `${origin}/mcp`, maxBodyBytes: 4096 },
      http,
    );
    assert.equal(response.isSuccessful, false);
    assert.equal(response.errorType, 'http');
  });

  for (const [name, status, headers, body, pattern] of [
    [
      'an HTML page',
      200,
      { 'content-type': 'text/html' },
      '<html></html>',
      /text\/html, not application\/json/,
    ],
    [
      'JSON that is not an object',
      200,
      { 'content-type': 'application/json' },
      '[1]',
      /without a JSON object/,
    ],
    ['a document without resource', 200, { 'content-type': 'application/json' }, '{}', /no resource/],
    [
      'a mistyped member',
      200,
      { 'content-type': 'application/json' },
      '{"resource":"RESOURCE","scopes_supported":"read"}',
      /scopes_supported must be a list/,
    ],
    [
      'a plain-http authorization server',
      200,
      { 'content-type': 'application/json' },
      '{"resource":"RESOURCE","authorization_servers":["http://login.example"]}',
      /authorization_servers must hold https issuer URLs/,
    ],
    ['a 404', 404, { 'content-type': 'text/plain' }, 'no', /answered HTTP 404/],
    ['a redirect (not followed)', 302, { location: 'https://evil.example/' }, '', /answered HTTP 302/],
  ] as const) {
    test(`refuses ${name}`, async () => {
      serve(status, headers, body.replace('RESOURCE', `${origin}/mcp`));
      const response = await getProtectedResourceMetadata(`${origin}/mcp`, http);
      assert.equal(response.isSuccessful, false);
      assert.match(response.error ?? '', pattern);
    });
  }

  test('a resource that is not a URL is an unsuccessful response; the request class throws', async () => {
    const response = await getProtectedResourceMetadata('not a url', http);
    assert.equal(response.isSuccessful, false);
    assert.ok(response.exception instanceof ConfigurationError);
    assert.throws(
      () => new ProtectedResourceMetadataRequest({ resource: `${origin}/mcp#frag` }),
      ConfigurationError,
    );
  });
});
