/**
 * examples/mcp-server, played by an MCP client against oidc-provider: no token → 401 → `resource_metadata`
 * → the metadata → the authorization server's discovery → a token for `resource` = the server's URL (RFC
 * 8707, through the token manager) → 200; a token for another resource → 401; a missing scope → 403 naming it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  ClientCredentialsTokenManager,
  createHttpClient,
  DiscoveryDocumentRequest,
  getDiscoveryDocument,
  getProtectedResourceMetadata,
  type HttpClient,
  ProtectedResourceMetadataRequest,
} from '@identity-model/core';
import { buildMcpServer } from '../../examples/mcp-server/app.js';
import { challengeOf } from '../support/challenge-parser.js';
import { startIdp, type TestIdp } from '../support/idp.js';

let idp: TestIdp;
let http: HttpClient;
let server: Server;
let mcp: ReturnType<typeof buildMcpServer>;
let resource: string;

before(async () => {
  idp = await startIdp();
  http = createHttpClient({ retryCount: 0, timeoutMs: 3000 });
  // Listen first: the resource identifier is the URL clients call, port included.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  resource = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  idp.addResource(resource);
  mcp = buildMcpServer({ issuer: idp.issuer, resource });
  server.on('request', mcp.app);
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await mcp.close();
  await http.close();
  await idp.close();
});

function rpc(method: string, params: unknown, token?: string): Promise<Response> {
  return fetch(resource, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
}

function audienceOf(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).aud;
}

describe('examples/mcp-server: the MCP authorization flow against oidc-provider', () => {
  test('401 → metadata → authorization server → token for the resource → 200', async () => {
    const refused = await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {} });
    assert.equal(refused.status, 401);
    const header = refused.headers.get('www-authenticate');
    const challenge = challengeOf(header, 'Bearer');
    const metadataUrl = challenge.params.resource_metadata;
    assert.equal(metadataUrl, resource.replace('/mcp', '/.well-known/oauth-protected-resource/mcp'));

    const metadata = await getProtectedResourceMetadata(
      new ProtectedResourceMetadataRequest({ resource, metadataUrl: metadataUrl as string }),
      http,
    );
    assert.equal(metadata.isSuccessful, true, metadata.error);
    assert.equal(metadata.resource, resource);
    assert.deepEqual(metadata.scopesSupported, ['read', 'write']);
    const [authorizationServer] = metadata.authorizationServers;
    assert.equal(authorizationServer, idp.issuer);

    const discovery = await getDiscoveryDocument(
      new DiscoveryDocumentRequest({ address: authorizationServer as string }),
      http,
    );
    assert.equal(discovery.isSuccessful, true, discovery.error);

    const manager = new ClientCredentialsTokenManager({
      tokenEndpoint: discovery.tokenEndpoint as string,
      clientId: idp.clients.basic.clientId,
      clientSecret: idp.clients.basic.clientSecret,
      scope: metadata.scopesSupported as string[],
      resource: metadata.resource as string,
      httpClient: http,
    });
    try {
      const { accessToken } = await manager.getToken();
      // RFC 8707: the token manager sent `resource`, so the provider restricted the audience to this server.
      assert.equal(audienceOf(accessToken), resource);
      const init = await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {} }, accessToken);
      assert.equal(init.status, 200);
      const body = (await init.json()) as { result: { serverInfo: { name: string } } };
      assert.equal(body.result.serverInfo.name, 'identity-model-mcp-example');
      const listed = (await (await rpc('tools/list', {}, accessToken)).json()) as {
        result: { tools: { name: string }[] };
      };
      assert.deepEqual(
        listed.result.tools.map((t) => t.name),
        ['echo'],
      );
      const called = await rpc('tools/call', { name: 'echo', arguments: { text: 'hi' } }, accessToken);
      assert.equal(called.status, 200);
      assert.deepEqual(((await called.json()) as { result: unknown }).result, {
        content: [{ type: 'text', text: 'hi' }],
      });
    } finally {
      await manager.close();
    }
  });

  test('token substitution: a token issued for another resource → 401 invalid_token', async () => {
    const other = await idp.getToken({ scope: 'read write', resource: idp.otherAudience });
    assert.equal(audienceOf(other), idp.otherAudience);
    const res = await rpc('tools/list', {}, other);
    assert.equal(res.status, 401);
    const challenge = challengeOf(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(challenge.params.error, 'invalid_token');
    assert.equal(challenge.params.error_description, 'The access token audience is not accepted');
    assert.ok(challenge.params.resource_metadata?.endsWith('/.well-known/oauth-protected-resource/mcp'));
  });

  test('a missing scope → 403 insufficient_scope naming it', async () => {
    const readOnly = await idp.getToken({ client: idp.clients.readOnly, scope: 'read', resource });
    assert.equal((await rpc('tools/list', {}, readOnly)).status, 200);
    const res = await rpc('tools/call', { name: 'echo', arguments: { text: 'hi' } }, readOnly);
    assert.equal(res.status, 403);
    const challenge = challengeOf(res.headers.get('www-authenticate'), 'Bearer');
    assert.equal(challenge.params.error, 'insufficient_scope');
    assert.equal(challenge.params.scope, 'write');
  });
});
