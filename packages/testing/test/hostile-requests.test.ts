import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestIssuer, type TestIssuer } from '../src/index.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await createTestIssuer();
});
after(() => issuer.close());

const BASIC = `Basic ${Buffer.from('test-client:test-secret').toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('malformed or hostile requests get OAuth error answers, and the issuer keeps serving', async () => {
  const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
    [
      'JSON body',
      post(issuer.tokenEndpoint, '{"grant_type":"client_credentials"}', {
        'content-type': 'application/json',
        authorization: BASIC,
      }),
      400,
      'invalid_request',
    ],
    [
      'a 1 MiB body',
      post(issuer.tokenEndpoint, `grant_type=${'x'.repeat(1 << 20)}`, { authorization: BASIC }),
      413,
      'invalid_request',
    ],
    [
      'a repeated parameter',
      post(issuer.tokenEndpoint, 'grant_type=client_credentials&scope=a&scope=b', { authorization: BASIC }),
      400,
      'invalid_request',
    ],
    ['no grant_type', post(issuer.tokenEndpoint, '', { authorization: BASIC }), 400, 'invalid_request'],
    [
      'another grant',
      post(issuer.tokenEndpoint, 'grant_type=password&username=a&password=b', { authorization: BASIC }),
      400,
      'unsupported_grant_type',
    ],
    [
      'two authentication methods',
      post(
        issuer.tokenEndpoint,
        'grant_type=client_credentials&client_id=test-client&client_secret=test-secret',
        { authorization: BASIC },
      ),
      400,
      'invalid_request',
    ],
    [
      'Basic without a colon',
      post(issuer.tokenEndpoint, 'grant_type=client_credentials', {
        authorization: `Basic ${Buffer.from('nocolon').toString('base64')}`,
      }),
      401,
      'invalid_client',
    ],
    ['no credentials', post(issuer.introspectionEndpoint, 'token=abc'), 401, 'invalid_client'],
    [
      'introspection without token',
      post(issuer.introspectionEndpoint, '', { authorization: BASIC }),
      400,
      'invalid_request',
    ],
  ];
  for (const [what, answer, status, error] of cases) {
    const { status: got, body } = await answer;
    assert.equal(got, status, what);
    assert.equal(body.error, error, what);
    assert.ok(!JSON.stringify(body).includes('test-secret'), `${what}: the secret is echoed`);
  }
  assert.equal((await fetch(`${issuer.issuer}/nowhere`)).status, 404);
  assert.equal((await fetch(issuer.jwksUri, { method: 'DELETE' })).status, 405);
  assert.equal((await fetch(`${issuer.issuer}/authorize?response_type=code`)).status, 400);
  assert.equal((await fetch(issuer.jwksUri)).status, 200, 'still serving');
});
