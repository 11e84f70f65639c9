/**
 * The real provider goes down and comes back, behind Fastify, Express and Koa: warm APIs keep serving
 * tokens their cached keys can decide, a cold API answers 503 with Retry-After (never 401), and once the
 * provider is back (with rotated keys) every API accepts its new tokens without a restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHttpClient, type HttpClient } from '@identity-model/core';
import { FRAMEWORKS, type Framework, type RunningApp, startApp } from '../security/support/apps.js';
import { rawRequest } from '../security/support/raw-http.js';
import { startIdp, type TestIdp } from '../support/idp.js';

const TTL_MS = 400;
const BACKOFF_MS = 200;

describe('provider outage and recovery through every adapter', () => {
  let idp: TestIdp;
  const warm = new Map<Framework, RunningApp>();
  const cold = new Map<Framework, RunningApp>();
  let token: string;
  let http: HttpClient;

  // Warm APIs find their keys through discovery; cold ones are pointed at the key set directly, because a
  // failed discovery holds back the next attempt for a fixed 5 s (not tunable through the validator).
  const options = (direct: boolean) => ({
    issuer: idp.issuer,
    audience: idp.audience,
    ...(direct ? { jwksUri: `${idp.issuer}/jwks` } : {}),
    keySet: {
      defaultTtlMs: TTL_MS,
      minTtlMs: 0,
      maxTtlMs: TTL_MS,
      failureBackoffMs: BACKOFF_MS,
      cooldownMs: BACKOFF_MS,
    },
    httpClient: http,
  });
  const get = (app: RunningApp, t: string) =>
    rawRequest(app.port, { path: '/api', headers: [['authorization', `Bearer ${t}`]] });

  before(async () => {
    idp = await startIdp();
    http = createHttpClient({ timeoutMs: 1000, retryCount: 0 });
    token = await idp.getToken({ scope: 'read' });
    for (const f of FRAMEWORKS) {
      warm.set(f, await startApp(f, options(false)));
      cold.set(f, await startApp(f, options(true)));
    }
    for (const app of warm.values()) assert.equal((await get(app, token)).status, 200);
  });

  after(async () => {
    for (const app of [...warm.values(), ...cold.values()]) await app.close();
    await http?.close();
    await idp?.close();
  });

  test('provider down: warm APIs still accept tokens their cached keys decide', async () => {
    await idp.stop();
    await new Promise((r) => setTimeout(r, TTL_MS + 100)); // cached key sets are now stale
    for (const [f, app] of warm) {
      // A token never seen before (no verified-token cache hit): only the stale keys can decide it.
      const unseen = await idp.signToken({ scope: 'read', jti: `outage-${f}` });
      const res = await get(app, unseen);
      assert.equal(res.status, 200, `${f}: ${res.status} ${res.body}`);
    }
  });

  test('provider down: a cold API answers 503 with Retry-After, never 401', async () => {
    for (const [f, app] of cold) {
      const res = await get(app, token);
      assert.equal(res.status, 503, `${f}: ${res.status} ${res.body}`);
      assert.match(res.headers['retry-after'] ?? '', /^[1-9]\d*$/, `${f}: Retry-After`);
      assert.equal(res.json?.error, 'temporarily_unavailable');
    }
  });

  test('provider back with rotated keys: every API accepts the new tokens', async () => {
    await idp.restart();
    await idp.rotateKeys();
    const fresh = await idp.getToken({ scope: 'read' });
    for (const [f, app] of [...warm, ...cold]) {
      const deadline = Date.now() + BACKOFF_MS + 4000;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await get(app, fresh)).status;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, `${f} did not recover`);
      assert.equal((await get(app, token)).status, 200, `${f}: the old key is still published`);
    }
  });
});
