/**
 * Opaque access tokens at the resource server (issue 15): each framework's adapter accepts tokens by
 * introspection against real providers. django-oauth-toolkit (opaque tokens, introspection not in
 * discovery), glewlwyd (its JWTs introspected, `tokens: 'introspection'`), oidc-provider (`tokens: 'auto'`:
 * its JWTs validated locally at 0 introspections, its opaque tokens introspected). Introspections are
 * counted at the provider.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { BearerAuthOptions } from '@identity-model/core';
import {
  expressHarness,
  type FrameworkHarness,
  fastifyHarness,
  koaHarness,
  type RunningApi,
} from '../adapters/support/frameworks.js';
import { startDjangoOAuthToolkit, type TestDjangoOAuthToolkit } from '../support/django-oauth-toolkit.js';
import { basicAuthorization } from '../support/fixture-token.js';
import { startGlewlwyd, type TestGlewlwyd } from '../support/glewlwyd.js';
import { OPAQUE_AUDIENCE, startIdp, type TestIdp } from '../support/idp.js';
import { providerSkip } from '../support/providers-available.js';

const FRAMEWORKS: readonly FrameworkHarness[] = [fastifyHarness, expressHarness, koaHarness];
const randomToken = () => randomBytes(24).toString('base64url');

async function call(api: RunningApi, path: string, token?: string) {
  const res = await fetch(
    `${api.url}${path}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function withApi<T>(
  harness: FrameworkHarness,
  auth: BearerAuthOptions,
  fn: (api: RunningApi) => Promise<T>,
) {
  const api = await harness.start({ auth });
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

const dotSkip = providerSkip('django-oauth-toolkit');

describe('opaque tokens: django-oauth-toolkit, every framework', () => {
  let dot: TestDjangoOAuthToolkit;
  const auth = (introspection: Record<string, unknown> = {}): BearerAuthOptions => ({
    issuer: dot.issuer,
    audience: 'https://api.example',
    introspection: {
      address: dot.endpoints.introspection,
      clientId: dot.clients.basic.clientId,
      clientSecret: dot.clients.basic.clientSecret,
      ...introspection,
    },
  });
  const revoke = async (token: string) => {
    const res = await fetch(dot.endpoints.revocation, {
      method: 'POST',
      headers: { authorization: basicAuthorization(dot.clients.basic, 'form-urlencoded') },
      body: new URLSearchParams({ token }),
    });
    assert.equal(res.status, 200);
  };

  before(async () => {
    if (dotSkip) return;
    dot = await startDjangoOAuthToolkit();
  });
  after(async () => {
    if (dotSkip) return;
    await dot.close();
  });

  for (const harness of FRAMEWORKS) {
    test(`${harness.name}: the adapter matrix with an introspected opaque token`, {
      skip: dotSkip,
    }, async () => {
      const token = await dot.getToken({ scope: 'read' });
      await withApi(harness, auth(), async (api) => {
        const claims = await call(api, '/claims', token);
        assert.equal(claims.status, 200, JSON.stringify(claims.body));
        assert.deepEqual(claims.body.scopes, ['read']);
        assert.equal((await call(api, '/read', token)).status, 200);
        const write = await call(api, '/write', token);
        assert.equal(write.status, 403);
        assert.match(write.headers.get('www-authenticate') ?? '', /insufficient_scope/);
        const none = await call(api, '/claims');
        assert.equal(none.status, 401);
        const bad = await call(api, '/claims', randomToken());
        assert.equal(bad.status, 401);
        assert.match(bad.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      });
    });

    test(`${harness.name}: 100 concurrent requests with one token cost one introspection`, {
      skip: dotSkip,
    }, async () => {
      const token = await dot.getToken({ scope: 'read' });
      await withApi(harness, auth(), async (api) => {
        dot.resetCounts();
        const results = await Promise.all(Array.from({ length: 100 }, () => call(api, '/read', token)));
        assert.ok(results.every((r) => r.status === 200));
        assert.equal(dot.counts.introspection, 1);
      });
    });

    test(`${harness.name}: a revoked token is refused at once with cacheDuration: 0, after its entry expires otherwise`, {
      skip: dotSkip,
    }, async () => {
      const token = await dot.getToken({ scope: 'read' });
      await withApi(harness, auth({ cacheDuration: 0 }), (uncached) =>
        withApi(harness, auth({ cacheDuration: 1 }), async (cached) => {
          assert.equal((await call(uncached, '/read', token)).status, 200);
          assert.equal((await call(cached, '/read', token)).status, 200);
          await revoke(token);
          assert.equal((await call(uncached, '/read', token)).status, 401);
          assert.equal((await call(cached, '/read', token)).status, 200, 'served from its cache entry');
          await new Promise((resolve) => setTimeout(resolve, 1100));
          assert.equal((await call(cached, '/read', token)).status, 401);
        }),
      );
    });
  }

  test('introspection endpoint down (provider stopped): 503 with Retry-After in every framework', {
    skip: dotSkip,
  }, async () => {
    const token = await dot.getToken({ scope: 'read' });
    await dot.stop();
    try {
      for (const harness of FRAMEWORKS) {
        await withApi(harness, auth(), async (api) => {
          const res = await call(api, '/read', token);
          assert.equal(res.status, 503, `${harness.name}: ${JSON.stringify(res.body)}`);
          assert.ok(Number(res.headers.get('retry-after')) >= 1, `${harness.name}: no Retry-After`);
        });
      }
    } finally {
      await dot.restart();
    }
  });
});

const glewlwydSkip = providerSkip('glewlwyd');

describe("opaque tokens: glewlwyd's JWTs introspected (tokens: 'introspection')", () => {
  let gw: TestGlewlwyd;
  before(async () => {
    if (glewlwydSkip) return;
    gw = await startGlewlwyd();
  });
  after(async () => {
    if (glewlwydSkip) return;
    await gw.close();
  });

  for (const harness of FRAMEWORKS) {
    test(`${harness.name}: accepted by introspection, scopes from the answer, random token 401`, {
      skip: glewlwydSkip,
    }, async () => {
      const token = await gw.getToken({ scope: 'read' });
      const auth: BearerAuthOptions = {
        issuer: gw.issuer,
        audience: gw.audience,
        tokens: 'introspection',
        introspection: {
          clientId: gw.clients.basic.clientId,
          clientSecret: gw.clients.basic.clientSecret,
          basicAuthenticationHeaderStyle: 'rfc2617',
        },
      };
      await withApi(harness, auth, async (api) => {
        gw.resetCounts();
        const res = await call(api, '/read', token);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal((await call(api, '/claims', token)).status, 200);
        assert.equal(gw.counts.introspection, 1);
        assert.equal((await call(api, '/write', token)).status, 403);
        assert.equal((await call(api, '/claims', randomToken())).status, 401);
      });
    });
  }
});

describe("opaque tokens: oidc-provider with tokens: 'auto'", () => {
  let idp: TestIdp;
  before(async () => {
    idp = await startIdp();
  });
  after(() => idp.close());

  for (const harness of FRAMEWORKS) {
    test(`${harness.name}: JWTs validated locally (0 introspections), opaque tokens introspected`, async () => {
      const jwt = await idp.getToken({ scope: 'read' });
      const opaque = await idp.getToken({ resource: OPAQUE_AUDIENCE, scope: 'read' });
      assert.equal(jwt.split('.').length, 3);
      assert.notEqual(opaque.split('.').length, 3);
      const client = idp.clients.basic;
      const auth: BearerAuthOptions = {
        issuer: idp.issuer,
        audience: [idp.audience, OPAQUE_AUDIENCE],
        tokens: 'auto',
        introspection: { clientId: client.clientId, clientSecret: client.clientSecret },
      };
      await withApi(harness, auth, async (api) => {
        idp.resetCounts();
        assert.equal((await call(api, '/read', jwt)).status, 200);
        assert.equal(idp.counts.introspection, 0, 'a JWT was introspected');
        const res = await call(api, '/read', opaque);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(idp.counts.introspection, 1);
        // A JWS that fails locally is not retried by introspection.
        const forged = `${jwt.slice(0, jwt.lastIndexOf('.'))}.${randomToken()}`;
        assert.equal((await call(api, '/read', forged)).status, 401);
        assert.equal(idp.counts.introspection, 1);
      });
    });
  }
});
