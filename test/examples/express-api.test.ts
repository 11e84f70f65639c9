import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTestIssuer, type TestIssuer } from '@identity-model/testing';
import { buildExpressApi } from '../../examples/express-api/app.js';

// The Express example, tested the way its README tells users to test theirs: against a test issuer.
let issuer: TestIssuer;
let api: ReturnType<typeof buildExpressApi>;
let server: Server;
let origin: string;

before(async () => {
  issuer = await createTestIssuer({ algorithms: ['RS256', 'ES256'], audience: 'demo-api' });
  api = buildExpressApi({ issuer: issuer.issuer, audience: 'demo-api' });
  server = api.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await api.close();
  await issuer.close();
});

function call(method: string, path: string, token?: string): Promise<Response> {
  return fetch(`${origin}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('examples/express-api against a test issuer', () => {
  test('a token with the read scope reads, whichever key signed it', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const res = await call('GET', '/read', issuer.createToken({ alg, clientId: 'svc', scope: 'read' }));
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { message: 'here is the data', client: 'svc', scopes: ['read'] });
    }
  });

  test('write needs the write scope: 403 insufficient_scope with only read, 200 with write', async () => {
    const denied = await call('POST', '/write', issuer.createToken({ scope: 'read' }));
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
    assert.equal((await call('POST', '/write', issuer.createToken({ scope: 'write' }))).status, 200);
  });

  test('no token is 401; a token for another audience or an expired one is 401 invalid_token', async () => {
    assert.equal((await call('GET', '/read')).status, 401);
    for (const token of [
      issuer.createToken({ scope: 'read', aud: 'another-api' }),
      issuer.createToken({ scope: 'read', expiresIn: -60 }),
    ]) {
      const res = await call('GET', '/read', token);
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    }
  });

  test('a token from the service client flow (the token endpoint) is accepted', async () => {
    const res = await fetch(issuer.tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('test-client:test-secret').toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=read',
    });
    const { access_token: token } = (await res.json()) as { access_token: string };
    assert.equal((await call('GET', '/read', token)).status, 200);
  });
});
