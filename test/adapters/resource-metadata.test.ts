/**
 * RFC 9728 metadata, RFC 8707 audiences and RFC 9470 step-up in every adapter, against a test issuer (JWTs
 * validated locally, opaque tokens introspected: `tokens: 'auto'`). Every challenge goes through the strict
 * RFC 9110 parser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type BearerAuthOptions,
  createHttpClient,
  getProtectedResourceMetadata,
  type HttpClient,
} from '@identity-model/core';
import { createTestIssuer, type TestIssuer } from '@identity-model/testing';
import { challengeOf, parseChallengesStrict } from '../support/challenge-parser.js';
import { FRAMEWORKS, type MetadataApi, startMetadataApi } from './support/metadata-apps.js';

let issuer: TestIssuer;
let http: HttpClient;

before(async () => {
  issuer = await createTestIssuer();
  http = createHttpClient({ retryCount: 0, timeoutMs: 3000 });
});
after(async () => {
  await http.close();
  await issuer.close();
});

const now = () => Math.floor(Date.now() / 1000);

function options(origin: string, extra: Partial<BearerAuthOptions> = {}): BearerAuthOptions {
  return {
    issuer: issuer.issuer,
    tokens: 'auto',
    introspection: {
      clientId: issuer.defaultClient.clientId,
      clientSecret: issuer.defaultClient.clientSecret,
    },
    httpClient: http,
    resourceMetadata: {
      resource: `${origin}/mcp`,
      scopesSupported: ['read', 'write'],
      resourceName: 'Test MCP',
    },
    ...extra,
  } as BearerAuthOptions;
}

async function call(api: MetadataApi, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(`${api.origin}${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

for (const framework of FRAMEWORKS) {
  describe(`${framework}: RFC 9728 metadata, audiences and step-up`, () => {
    let api: MetadataApi;
    let resource: string;
    let metadataUrl: string;

    before(async () => {
      api = await startMetadataApi(framework, (origin) => options(origin));
      resource = `${api.origin}/mcp`;
      metadataUrl = `${api.origin}/.well-known/oauth-protected-resource/mcp`;
    });
    after(() => api.close());

    /** The Bearer challenge's params, and every other challenge only DPoP pointing to the same metadata. */
    function bearerParams(header: string | null): Record<string, string> {
      const all = parseChallengesStrict(header ?? '');
      for (const other of all.filter((c) => c.scheme !== 'Bearer')) {
        assert.equal(other.scheme, 'DPoP');
        assert.equal(other.params.resource_metadata, metadataUrl);
      }
      return challengeOf(header, 'Bearer').params;
    }

    test('the document at both well-known paths: members, JSON, Cache-Control, CORS, no token needed', async () => {
      const dpop = api.challenge.dpopAlgorithms;
      const expected = {
        resource,
        authorization_servers: [issuer.issuer],
        scopes_supported: ['read', 'write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Test MCP',
        ...(dpop === undefined ? {} : { dpop_signing_alg_values_supported: [...dpop] }),
      };
      for (const path of [
        '/.well-known/oauth-protected-resource/mcp',
        '/.well-known/oauth-protected-resource',
      ]) {
        const res = await call(api, path, { origin: 'https://app.example' });
        assert.equal(res.status, 200, path);
        assert.deepEqual(JSON.parse(res.text), expected);
        assert.match(res.headers.get('content-type') ?? '', /^application\/json(; charset=utf-8)?$/);
        assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
        assert.equal(res.headers.get('access-control-allow-origin'), '*');
        assert.equal(res.headers.get('www-authenticate'), null);
      }
      const head = await call(api, '/.well-known/oauth-protected-resource/mcp', {}, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      assert.equal(head.headers.get('access-control-allow-origin'), '*');
      // The client side reads it and checks `resource` against the URL it called.
      const read = await getProtectedResourceMetadata(resource, http);
      assert.equal(read.isSuccessful, true, read.error);
      assert.deepEqual(read.authorizationServers, [issuer.issuer]);
    });

    test('a browser preflight of the document: 204 with the CORS answer; other methods 405', async () => {
      const res = await call(
        api,
        '/.well-known/oauth-protected-resource/mcp',
        {
          origin: 'https://app.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'mcp-protocol-version',
        },
        'OPTIONS',
      );
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS');
      assert.equal(res.headers.get('access-control-allow-headers'), '*');
      const post = await call(api, '/.well-known/oauth-protected-resource/mcp', {}, 'POST');
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
    });

    test('no token → 401 whose challenge names the metadata (full header, DPoP offered when it is)', async () => {
      const res = await call(api, '/mcp');
      assert.equal(res.status, 401);
      const dpop = api.challenge.dpopAlgorithms;
      const expected =
        `Bearer resource_metadata="${metadataUrl}"` +
        (dpop === undefined ? '' : `, DPoP algs="${dpop.join(' ')}", resource_metadata="${metadataUrl}"`);
      assert.equal(res.headers.get('www-authenticate'), expected);
      assert.deepEqual(bearerParams(res.headers.get('www-authenticate')), { resource_metadata: metadataUrl });
    });

    test('every 401 and 403 kind carries resource_metadata; 403 lists every scope the route needs', async () => {
      const cases: [string, string, number, Record<string, string>][] = [
        [
          'expired',
          issuer.createToken({ aud: resource, expiresIn: -120 }),
          401,
          { error: 'invalid_token', error_description: 'The access token expired' },
        ],
        [
          'token substitution: minted for another resource',
          issuer.createToken({ aud: 'https://other.example/mcp' }),
          401,
          { error: 'invalid_token', error_description: 'The access token audience is not accepted' },
        ],
        [
          'opaque and revoked',
          (() => {
            const t = issuer.createOpaqueToken({ aud: resource });
            issuer.revoke(t);
            return t;
          })(),
          401,
          { error: 'invalid_token', error_description: 'The access token is not active' },
        ],
      ];
      for (const [name, token, status, params] of cases) {
        const res = await call(api, '/mcp', bearer(token));
        assert.equal(res.status, status, name);
        assert.deepEqual(
          bearerParams(res.headers.get('www-authenticate')),
          { ...params, resource_metadata: metadataUrl },
          name,
        );
      }
      const scoped = await call(
        api,
        '/mcp/tools',
        bearer(issuer.createToken({ aud: resource, scope: 'read' })),
      );
      assert.equal(scoped.status, 403);
      assert.deepEqual(bearerParams(scoped.headers.get('www-authenticate')), {
        error: 'insufficient_scope',
        error_description: 'The access token lacks a scope this resource requires',
        scope: 'read write',
        resource_metadata: metadataUrl,
      });
      const malformed = await call(api, '/mcp', { authorization: 'Bearer a b' });
      assert.equal(malformed.status, 400);
      assert.equal(bearerParams(malformed.headers.get('www-authenticate')).resource_metadata, metadataUrl);
    });

    test('refusals of a cross-origin browser request expose WWW-Authenticate; others do not', async () => {
      const origin = { origin: 'https://app.example' };
      for (const [path, headers] of [
        ['/mcp', origin],
        ['/mcp/tools', bearer(issuer.createToken({ aud: resource, scope: 'read' }), origin)],
        ['/mcp/strong', bearer(issuer.createToken({ aud: resource, claims: { acr: 'pwd' } }), origin)],
      ] as const) {
        const res = await call(api, path, headers);
        assert.ok(res.status === 401 || res.status === 403, path);
        assert.equal(res.headers.get('access-control-expose-headers'), 'WWW-Authenticate', path);
      }
      const plain = await call(api, '/mcp');
      assert.equal(plain.headers.get('access-control-expose-headers'), null);
    });

    test('the audience rule: resource is the audience; its trailing-slash twin is another resource', async () => {
      const ok = await call(api, '/mcp', bearer(issuer.createToken({ aud: resource, sub: 'alice' })));
      assert.equal(ok.status, 200);
      assert.deepEqual(JSON.parse(ok.text), { sub: 'alice', aud: resource });
      const opaque = await call(api, '/mcp', bearer(issuer.createOpaqueToken({ aud: resource, sub: 'bob' })));
      assert.equal(opaque.status, 200);
      for (const aud of [`${resource}/`, issuer.audience as string, api.origin]) {
        const res = await call(api, '/mcp', bearer(issuer.createToken({ aud })));
        assert.equal(res.status, 401, String(aud));
        assert.equal(bearerParams(res.headers.get('www-authenticate')).error, 'invalid_token');
      }
    });

    test('an explicit audience replaces the resource as the required audience', async () => {
      const legacy = await startMetadataApi(framework, (origin) =>
        options(origin, { audience: 'legacy-api' }),
      );
      try {
        const target = `${legacy.origin}/mcp`;
        assert.equal(
          (await call(legacy, '/mcp', bearer(issuer.createToken({ aud: 'legacy-api' })))).status,
          200,
        );
        assert.equal((await call(legacy, '/mcp', bearer(issuer.createToken({ aud: target })))).status, 401);
      } finally {
        await legacy.close();
      }
    });

    for (const kind of ['jwt', 'introspected'] as const) {
      const mint = (claims: Record<string, unknown>, aud: string) =>
        kind === 'jwt' ? issuer.createToken({ aud, claims }) : issuer.createOpaqueToken({ aud, claims });

      test(`step-up (${kind}): acr not accepted → 401 insufficient_user_authentication with acr_values`, async () => {
        for (const claims of [{ acr: 'pwd' }, {}]) {
          const res = await call(api, '/mcp/strong', bearer(mint(claims, resource)));
          assert.equal(res.status, 401);
          assert.deepEqual(bearerParams(res.headers.get('www-authenticate')), {
            error: 'insufficient_user_authentication',
            error_description: 'A different authentication level is required',
            acr_values: 'urn:mfa phr',
            resource_metadata: metadataUrl,
          });
          assert.equal(JSON.parse(res.text).error, 'insufficient_user_authentication');
        }
        assert.equal((await call(api, '/mcp/strong', bearer(mint({ acr: 'phr' }, resource)))).status, 200);
      });

      test(`step-up (${kind}): auth_time older than max_age → 401 with max_age`, async () => {
        for (const claims of [{ auth_time: now() - 3600 }, { acr: 'urn:mfa' }]) {
          const res = await call(api, '/mcp/recent', bearer(mint(claims, resource)));
          assert.equal(res.status, 401);
          assert.deepEqual(bearerParams(res.headers.get('www-authenticate')), {
            error: 'insufficient_user_authentication',
            error_description: 'More recent authentication is required',
            max_age: '60',
            resource_metadata: metadataUrl,
          });
        }
        assert.equal(
          (await call(api, '/mcp/recent', bearer(mint({ auth_time: now() - 5 }, resource)))).status,
          200,
        );
      });
    }
  });
}
