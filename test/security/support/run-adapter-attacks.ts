/**
 * Runs the whole attack catalogue through one framework: one provider, one canary, two apps (the standard
 * one, and one whose key set also publishes a weak 1024-bit key), every case one named test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startIdp, type TestIdp } from '../../support/idp.js';
import { type Framework, type RunningApp, startApp } from './apps.js';
import { assertNoEcho, assertOutcome } from './assert-outcome.js';
import { type AttackCase, type AttackContext, attackCases, createAttackContext } from './attacks.js';
import { keySetOptions, providerKeys, startKeySetWith } from './key-options.js';
import type { LocalServer } from './local-server.js';
import { addProviderSecrets, createLogCapture } from './log-capture.js';
import { type RawRequest, rawRequest } from './raw-http.js';

export function runAdapterAttacks(framework: Framework): void {
  describe(`attacks through ${framework}`, () => {
    let idp: TestIdp;
    let ctx: AttackContext;
    let main: RunningApp;
    let weak: RunningApp;
    let weakKeySet: LocalServer;
    const logs = createLogCapture();
    let tried = 0;
    let rejected = 0;

    before(async () => {
      idp = await startIdp();
      ctx = await createAttackContext(idp);
      weakKeySet = await startKeySetWith(idp, [ctx.attacker.weakRsa.publicJwk]);
      const base = { issuer: idp.issuer, audience: idp.audience, logger: logs.logger };
      main = await startApp(framework, { ...base, ...providerKeys(idp) });
      weak = await startApp(framework, { ...base, ...keySetOptions(weakKeySet) });
      logs.addSecret(ctx.validToken);
      addProviderSecrets(logs, idp);
    });

    after(async () => {
      await main?.close();
      await weak?.close();
      await weakKeySet?.close();
      await ctx?.canary.close();
      await idp?.close();
    });

    const call = (app: RunningApp, req: RawRequest) => rawRequest(app.port, { path: '/api', ...req });

    test('control: a genuine token from the provider is accepted (RS256, ES256, EdDSA)', async () => {
      for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
        const token = alg === 'RS256' ? ctx.validToken : await idp.getToken({ scope: 'read', alg });
        logs.addSecret(token);
        const res = await call(main, { headers: [['authorization', `Bearer ${token}`]] });
        assert.equal(res.status, 200, `${alg}: ${res.body}`);
        assert.deepEqual(res.json?.scopes, ['read']);
      }
      const lower = await call(main, { headers: [['authorization', `bearer ${ctx.validToken}`]] });
      assert.equal(lower.status, 200, 'the scheme is case-insensitive');
    });

    test('control: a genuine token with scope admin passes the /admin guard', async () => {
      const token = ctx.signReal(ctx.claims({ scope: 'read admin' }));
      logs.addSecret(token);
      const res = await call(main, { path: '/admin', headers: [['authorization', `Bearer ${token}`]] });
      assert.equal(res.status, 200, res.body);
    });

    test('control: a weak key in the key set does not take the genuine keys down with it', async () => {
      const res = await call(weak, { headers: [['authorization', `Bearer ${ctx.validToken}`]] });
      assert.equal(res.status, 200, res.body);
    });

    for (const attack of attackCases) {
      test(attack.name, async () => {
        tried++;
        await runCase(attack);
        rejected++;
      });
    }

    async function runCase(attack: AttackCase): Promise<void> {
      const canaryBefore = ctx.canary.requests.length;
      const app = attack.app === 'weak-keys' ? weak : main;
      let req: RawRequest;
      let token: string | undefined;
      if (attack.token) {
        token = await attack.token(ctx);
        logs.addSecret(token);
        req = { path: attack.path ?? '/api', headers: [['authorization', `Bearer ${token}`]] };
      } else {
        req = await (attack.request as NonNullable<AttackCase['request']>)(ctx);
      }
      const res = await call(app, req);
      assert.ok(res.status < 500, `${attack.name}: server error ${res.status} ${res.body.slice(0, 200)}`);
      assertOutcome(res, attack.expect, attack.name);
      assertNoEcho(res, token ?? ctx.validToken, attack.name);
      assert.equal(ctx.canary.requests.length, canaryBefore, `${attack.name}: the canary saw a request`);
    }

    test('no log line of this run holds a token, client secret or private key', () => {
      assert.ok(logs.lines.length > 0, 'the library logged nothing at trace level: the capture is not wired');
      assert.deepEqual(logs.findLeaks(), []);
    });

    test('every case ran and was answered as RFC 6750 asks', (t) => {
      t.diagnostic(`${framework}: ${tried} attack cases tried, ${rejected} answered as RFC 6750 asks`);
      assert.equal(tried, attackCases.length);
      assert.equal(rejected, tried);
    });

    test('Object.prototype is untouched after every case', () => {
      const probe = {} as Record<string, unknown>;
      assert.equal(probe.scope, undefined);
      assert.equal(probe.scp, undefined);
      assert.equal(probe.permissions, undefined);
    });
  });
}
