/**
 * The adapter matrix: every scenario runs, unchanged, through Fastify, Express and Koa against a real
 * oidc-provider on loopback. `adapterMatrix(harness)` is called once per framework (one test file each, so
 * the three run in parallel).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BearerAuthOptions, createHttpClient, type HttpClient } from '@identity-model/core';
import { startIdp, type TestIdp } from '../support/idp.js';
import type { FrameworkHarness, RunningApi } from './support/frameworks.js';

const REALM = 'matrix';

interface ErrorBody {
  error: string;
  error_description: string;
}

function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Edits a JWT's payload and keeps the original signature. */
function withPayload(token: string, edit: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

export function adapterMatrix(harness: FrameworkHarness): void {
  describe(`${harness.name} adapter against oidc-provider`, () => {
    let idp: TestIdp;
    let http: HttpClient;
    const running: RunningApi[] = [];

    function authOptions(): BearerAuthOptions {
      // No retries: a provider outage must show as 503 at once, not after seconds of backoff.
      return { issuer: idp.issuer, audience: idp.audience, realm: REALM, httpClient: http, retryAfter: 7 };
    }

    async function api(options: Partial<Parameters<FrameworkHarness['start']>[0]> = {}): Promise<RunningApi> {
      const app = await harness.start({ auth: authOptions(), ...options });
      running.push(app);
      return app;
    }

    async function call(app: RunningApi, path: string, headers: Record<string, string> = {}) {
      const res = await fetch(`${app.url}${path}`, { headers });
      const body = (await res.json()) as Record<string, unknown>;
      return { status: res.status, headers: res.headers, body };
    }

    async function expectInvalidToken(app: RunningApi, token: string): Promise<void> {
      const res = await call(app, '/claims', bearer(token));
      assert.equal(res.status, 401);
      assert.match(
        res.headers.get('www-authenticate') ?? '',
        /^Bearer realm="matrix", error="invalid_token", error_description="[^"]+", DPoP realm="matrix", algs="ES256 ES384 PS256 RS256 EdDSA"$/,
      );
      assert.equal((res.body as unknown as ErrorBody).error, 'invalid_token');
    }

    before(async () => {
      idp = await startIdp();
      http = createHttpClient({ retryCount: 0, timeoutMs: 3000 });
    });

    after(async () => {
      await Promise.all(running.map((app) => app.close()));
      await http.close();
      await idp.close();
    });

    test('a valid token → 200, with its claims in the handler', async () => {
      const app = await api();
      const res = await call(app, '/claims', bearer(await idp.getToken({ scope: 'read' })));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        sub: idp.clients.basic.clientId,
        client_id: idp.clients.basic.clientId,
        iss: idp.issuer,
        scopes: ['read'],
      });
      assert.equal(
        (await call(app, '/read', bearer(await idp.getToken({ scope: 'read write' })))).status,
        200,
      );
    });

    test('no token → 401 with a bare challenge', async () => {
      const app = await api();
      const res = await call(app, '/claims');
      assert.equal(res.status, 401);
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="matrix", DPoP realm="matrix", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
    });

    test('malformed Authorization header → 400 invalid_request', async () => {
      const app = await api();
      const token = await idp.getToken({ scope: 'read' });
      for (const value of ['Bearer', `Bearer ${token} extra`, `Bearer\t${token}`, 'Bearer tok%en']) {
        const res = await call(app, '/claims', { authorization: value });
        assert.equal(res.status, 400, value.slice(0, 12));
        assert.equal((res.body as unknown as ErrorBody).error, 'invalid_request');
        assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
      }
    });

    test('privilege escalation: a payload edited to add scope write → 401 invalid_token', async () => {
      const app = await api();
      const token = await idp.getToken({ scope: 'read' });
      await expectInvalidToken(
        app,
        withPayload(token, (c) => Object.assign(c, { scope: 'read write' })),
      );
    });

    test('replay of an expired token → 401 invalid_token', async () => {
      const app = await api();
      const now = Math.floor(Date.now() / 1000);
      await expectInvalidToken(app, await idp.signToken({ scope: 'read', iat: now - 600, exp: now - 300 }));
    });

    test('token substitution: a token minted for another API → 401 invalid_token', async () => {
      const app = await api();
      await expectInvalidToken(app, await idp.getToken({ scope: 'read', resource: idp.otherAudience }));
    });

    test('issuer spoofing: a token naming another issuer → 401 invalid_token', async () => {
      const app = await api();
      idp.resetCounts();
      await expectInvalidToken(app, await idp.signToken({ iss: 'https://evil.example', scope: 'read' }));
      assert.equal(idp.counts.discovery + idp.counts.jwks, 0, 'refused before any request to the provider');
    });

    test('missing scope → 403 insufficient_scope with scope="write"', async () => {
      const app = await api();
      const res = await call(app, '/write', bearer(await idp.getToken({ scope: 'read' })));
      assert.equal(res.status, 403);
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="matrix", error="insufficient_scope", error_description="The access token lacks a scope this resource requires", scope="write", DPoP realm="matrix", algs="ES256 ES384 PS256 RS256 EdDSA"',
      );
    });

    test('provider down before the first request → 503 with Retry-After, never 401', async () => {
      const token = await idp.getToken({ scope: 'read' });
      const app = await api();
      await idp.stop();
      // (Recovery comes after the discovery failure backoff, 5 s, which the validator options do not shorten.)
      try {
        const res = await call(app, '/claims', bearer(token));
        assert.equal(res.status, 503);
        // The key source's own hint wins; the configured `retryAfter` (7) is for failures that give none.
        assert.match(res.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
        assert.equal(res.headers.get('www-authenticate'), null);
      } finally {
        await idp.restart();
      }
    });

    test('provider down after warm-up → still 200 from the cached keys', async () => {
      const first = await idp.getToken({ scope: 'read' });
      const second = await idp.getToken({ scope: 'read', alg: 'ES256' });
      const app = await api();
      assert.equal((await call(app, '/claims', bearer(first))).status, 200);
      await idp.stop();
      try {
        // A token never seen before: verified with the cached key set, not the verified-token cache.
        assert.equal((await call(app, '/claims', bearer(second))).status, 200);
      } finally {
        await idp.restart();
      }
    });

    test('the provider rotates its keys → tokens signed with the new key are accepted', async () => {
      // An unknown kid refetches at most once per cooldown after the last fetch (30 s by default): shortened here.
      const app = await api({ auth: { ...authOptions(), keySet: { cooldownMs: 100 } } });
      assert.equal((await call(app, '/claims', bearer(await idp.getToken({ scope: 'read' })))).status, 200);
      await sleep(400);
      await idp.rotateKeys();
      idp.resetCounts();
      const rotated = await idp.getToken({ scope: 'read' });
      assert.equal((await call(app, '/claims', bearer(rotated))).status, 200);
      assert.equal(idp.counts.jwks, 1, 'one refetch for the unknown kid');
    });

    test('200 concurrent requests on a cold start → exactly 1 discovery and 1 JWKS request', async () => {
      const tokens = await Promise.all([
        idp.getToken({ scope: 'read' }),
        idp.getToken({ scope: 'read', alg: 'ES256' }),
      ]);
      const app = await api();
      idp.resetCounts();
      const statuses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`${app.url}/read`, { headers: bearer(tokens[i % tokens.length] as string) }).then(
            async (res) => {
              await res.arrayBuffer();
              return res.status;
            },
          ),
        ),
      );
      assert.deepEqual(new Set(statuses), new Set([200]));
      assert.equal(idp.counts.discovery, 1);
      assert.equal(idp.counts.jwks, 1);
    });

    test('serviceFetch carries a client-credentials token the API accepts, and only to its origins', async () => {
      const target = await api();
      const client = idp.clients.basic;
      const caller = await api({
        serviceToken: {
          issuer: idp.issuer,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          scope: 'read',
          origins: [target.url],
          httpClient: http,
        },
      });
      const serviceFetch = caller.serviceFetch;
      assert.ok(serviceFetch);
      const res = await serviceFetch(`${target.url}/claims`);
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { client_id: string; scopes: string[] }).scopes, ['read']);
      assert.equal((await serviceFetch(`${target.url}/write`)).status, 403);
      // Token leakage: the caller's own origin is not listed, so the request goes out without a token.
      assert.equal((await serviceFetch(`${caller.url}/claims`)).status, 401);
    });
  });
}
