/**
 * Every token attack of the catalogue straight through core's validator (discovery from the real provider),
 * with jose's `jwtVerify` as a second opinion: our verdict must be a refusal with a code that names the
 * attack, the error must not carry the token, and no request may reach the canary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTokenValidator, TokenValidationError, type TokenValidator } from '@identity-model/core';
import type { JWK } from 'jose';
import { joseAccepts } from '../../packages/core/test/validation/helpers.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { type AttackContext, createAttackContext, tokenCases } from './support/attacks.js';
import { keySetOptions, providerKeys, startKeySetWith } from './support/key-options.js';
import type { LocalServer } from './support/local-server.js';
import { addProviderSecrets, createLogCapture, secretPieces } from './support/log-capture.js';

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

describe('attacks through core createTokenValidator', () => {
  let idp: TestIdp;
  let ctx: AttackContext;
  let validator: TokenValidator;
  let weakValidator: TokenValidator;
  let weakKeySet: LocalServer;
  const logs = createLogCapture();
  const joseAlsoAccepted: string[] = [];

  before(async () => {
    idp = await startIdp();
    ctx = await createAttackContext(idp);
    weakKeySet = await startKeySetWith(idp, [ctx.attacker.weakRsa.publicJwk]);
    const base = { issuer: idp.issuer, audience: idp.audience, logger: logs.logger };
    validator = createTokenValidator({ ...base, ...providerKeys(idp) });
    weakValidator = createTokenValidator({ ...base, ...keySetOptions(weakKeySet) });
    logs.addSecret(ctx.validToken);
  });

  after(async () => {
    await validator?.close();
    await weakValidator?.close();
    await weakKeySet?.close();
    await ctx?.canary.close();
    await idp?.close();
  });

  const oracle = (weak: boolean) => ({
    keys: { keys: [...idp.publicJwks().keys, ...(weak ? [ctx.attacker.weakRsa.publicJwk as JWK] : [])] },
    issuer: idp.issuer,
    audience: idp.audience,
    algorithms: ASYMMETRIC,
    typ: 'default' as const,
  });

  test('control: genuine provider tokens are accepted, by us and by jose alike', async () => {
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
      const token = await idp.getToken({ scope: 'read', alg });
      const result = await validator.validate(token);
      assert.deepEqual(result.scopes, ['read']);
      assert.equal(
        await joseAccepts(token, oracle(false)),
        true,
        `${alg}: jose disagrees on a genuine token`,
      );
    }
  });

  for (const attack of tokenCases) {
    test(attack.name, async () => {
      const canaryBefore = ctx.canary.requests.length;
      const token = await (attack.token as NonNullable<typeof attack.token>)(ctx);
      logs.addSecret(token);
      const weak = attack.app === 'weak-keys';
      let accepted = false;
      try {
        const result = await (weak ? weakValidator : validator).validate(token);
        accepted = true;
        assert.ok(attack.coreMayAccept, `${attack.name}: the forged token was accepted`);
        attack.coreMayAccept(result.scopes, result.claims);
      } catch (error) {
        if (accepted) throw error;
        logs.recordError(error);
        assert.ok(error instanceof TokenValidationError, `untyped failure: ${String(error)}`);
        assert.ok(
          attack.codes?.includes(error.code),
          `${attack.name}: code ${error.code} (${error.message}), expected one of ${attack.codes?.join(', ')}`,
        );
        for (const piece of secretPieces(token))
          assert.ok(!error.message.includes(piece), 'message holds the token');
      }
      assert.equal(ctx.canary.requests.length, canaryBefore, `${attack.name}: the canary saw a request`);
      if (await joseAccepts(token, oracle(weak))) joseAlsoAccepted.push(attack.name);
    });
  }

  test('multi-issuer: a token signed by issuer B but naming issuer A is refused; each genuine token passes', async () => {
    const other = await startIdp();
    const multi = createTokenValidator({
      issuer: [idp.issuer, other.issuer],
      audience: idp.audience,
      logger: logs.logger,
    });
    try {
      assert.equal((await multi.validate(await idp.getToken({ scope: 'read' }))).claims.iss, idp.issuer);
      assert.equal((await multi.validate(await other.getToken({ scope: 'read' }))).claims.iss, other.issuer);
      // B's real key and kid, A's name: each issuer's tokens must verify against that issuer's keys only.
      const crossSigned = await other.signToken({ iss: idp.issuer, scope: 'read admin' });
      logs.addSecret(crossSigned);
      await assert.rejects(multi.validate(crossSigned), (error: unknown) => {
        logs.recordError(error);
        return (
          error instanceof TokenValidationError && ['key_not_found', 'signature_invalid'].includes(error.code)
        );
      });
      const canaryBefore = ctx.canary.requests.length;
      const outsider = ctx.signWith(
        ctx.attacker.rsa.privateKey,
        { alg: 'RS256', kid: ctx.attacker.rsa.kid },
        ctx.claims({ iss: ctx.canary.origin }),
      );
      await assert.rejects(multi.validate(outsider), { code: 'issuer_invalid' });
      assert.equal(ctx.canary.requests.length, canaryBefore, 'an issuer outside the list was contacted');
    } finally {
      await multi.close();
      await other.close();
    }
  });

  test('differential: jose refuses every forgery we refuse (cases it accepts are ours to be stricter on)', (t) => {
    t.diagnostic(`jose jwtVerify accepted: ${joseAlsoAccepted.join('; ') || 'none'}`);
    // Where jose is more lenient by design; anything else jose accepts would mean a forgery got through it.
    const stricterThanJose = [
      /__proto__|constructor\.prototype/, // we refuse prototype members outright
      /base64 padding|whitespace inside/, // jose's decoder skips "=" and whitespace
      /oversized token/, // jose has no length cap
      /iat an hour in the future/, // jose checks iat only against maxTokenAge
      /exp of 1e999/, // jose takes exp = Infinity as a valid NumericDate: a token that never expires
    ];
    for (const name of joseAlsoAccepted) {
      assert.ok(
        stricterThanJose.some((re) => re.test(name)),
        `jose accepted "${name}"`,
      );
    }
  });

  test('no log line or error of this run holds a token, client secret or private key', () => {
    addProviderSecrets(logs, idp);
    assert.ok(logs.errors.length >= tokenCases.length - 4, 'errors were not recorded');
    assert.deepEqual(logs.findLeaks(), []);
  });
});
