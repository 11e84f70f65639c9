/**
 * The provider's JWT access tokens validated by each adapter (Fastify, Express, Koa; the same small API as
 * the adapter matrix, test/adapters/support/frameworks.ts): valid (RS256 and ES256) → 200; another audience,
 * expired, tampered → 401 invalid_token, each for its own reason; a missing scope → 403 insufficient_scope.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import {
  expressHarness,
  type FrameworkHarness,
  fastifyHarness,
  koaHarness,
  type RunningApi,
} from '../../../adapters/support/frameworks.js';
import type { ProviderUnderTest } from '../provider-under-test.js';
import type { MatrixContext, Scenario } from '../run-matrix.js';

const REALM = 'provider-matrix';

async function call(app: RunningApi, path: string, token: string) {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** Edits a JWT's payload and keeps the original signature. */
function withPayload(token: string, edit: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

async function expectInvalidToken(app: RunningApi, token: string, description: string): Promise<void> {
  const res = await call(app, '/claims', token);
  assert.equal(res.status, 401);
  assert.equal(res.body.error, 'invalid_token');
  assert.equal(res.body.error_description, description);
  assert.match(res.challenge, new RegExp(`^Bearer realm="${REALM}", error="invalid_token"`));
}

function adapterScenarios(ctx: MatrixContext, harness: FrameworkHarness): void {
  describe(`resource server: ${harness.name}`, () => {
    let app: RunningApi | undefined;
    let shortApp: RunningApi | undefined;
    const start = (p: ProviderUnderTest) =>
      harness.start({
        auth: {
          issuer: p.issuer,
          audience: p.jwt?.audience ?? false,
          realm: REALM,
          httpClient: ctx.http(),
          clockTolerance: 0,
        },
      });
    const running = () => {
      assert.ok(app && shortApp);
      return { app, shortApp };
    };
    ctx.before(async () => {
      [app, shortApp] = await Promise.all([start(ctx.provider()), start(ctx.shortLived())]);
    });
    ctx.after(async () => {
      await Promise.all([app?.close(), shortApp?.close()]);
    });

    ctx.test('a valid token (RS256) → 200 with its claims; scope read → /read 200', async () => {
      const p = ctx.provider();
      const token = await ctx.token();
      const res = await call(running().app, '/claims', token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, {
        sub: p.clients.basic.clientId,
        client_id: p.clients.basic.clientId,
        iss: p.issuer,
        scopes: ['read'],
      });
      assert.equal((await call(running().app, '/read', token)).status, 200);
    });

    ctx.test('a valid ES256 token → 200', async () => {
      const client = ctx.provider().jwt?.es256Client;
      const res = await call(running().app, '/read', await ctx.token({ client }));
      assert.equal(res.status, 200);
    });

    ctx.test('token substitution: a token minted for another API → 401 invalid_token', async () => {
      const token = await ctx.token({ resource: ctx.provider().jwt?.otherAudience });
      await expectInvalidToken(running().app, token, 'The access token audience is not accepted');
    });

    ctx.test('replay after expiry → 401 invalid_token', async () => {
      const token = await ctx.token({ provider: ctx.shortLived() });
      const exp = decodeJwt(token).exp as number;
      await sleep(Math.max(0, exp * 1000 - Date.now()) + 50);
      await expectInvalidToken(running().shortApp, token, 'The access token expired');
    });

    ctx.test('privilege escalation: a payload edited to add scope write → 401 invalid_token', async () => {
      const token = withPayload(await ctx.token(), (c) => Object.assign(c, { scope: 'read write' }));
      await expectInvalidToken(running().app, token, 'The access token signature is invalid');
    });

    ctx.test('a missing scope → 403 insufficient_scope, scope="write"', async () => {
      const res = await call(running().app, '/write', await ctx.token());
      assert.equal(res.status, 403);
      assert.equal(res.body.error, 'insufficient_scope');
      assert.equal(
        res.challenge,
        `Bearer realm="${REALM}", error="insufficient_scope", error_description="The access token lacks a scope this resource requires", scope="write", DPoP realm="${REALM}", algs="ES256 ES384 PS256 RS256 EdDSA"`,
      );
    });
  });
}

export const resourceServerScenarios: Scenario = (ctx) => {
  if (!ctx.descriptor.capabilities.jwtAccessTokens) return;
  for (const harness of [fastifyHarness, expressHarness, koaHarness]) adapterScenarios(ctx, harness);
};
