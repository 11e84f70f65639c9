/**
 * Property-based attacks on core's validator with the real provider's keys: whatever string arrives, it is
 * never accepted unless it is the genuine token, every refusal is a typed TokenValidationError (never
 * `keys_unavailable` while the provider is up), and every call settles promptly. jose agrees on mutants.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTokenValidator, type TokenValidator } from '@identity-model/core';
import fc from 'fast-check';
import { joseAccepts } from '../../packages/core/test/validation/helpers.js';
import { providerKeys } from '../security/support/key-options.js';
import { addProviderSecrets, createLogCapture } from '../security/support/log-capture.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { FUZZ_RUNS, jwtShaped, mutate, mutation } from './support/arbitraries.js';
import { verdict } from './support/verdict.js';

/** Whether two compact tokens decode to the same bytes, segment by segment, under a lenient decoder. */
function sameBytes(a: string, b: string): boolean {
  const pa = a.split('.');
  const pb = b.split('.');
  return (
    pa.length === pb.length &&
    pa.every((seg, i) => Buffer.from(seg, 'base64url').equals(Buffer.from(pb[i] ?? '', 'base64url')))
  );
}

describe('fuzzing core createTokenValidator', () => {
  let idp: TestIdp;
  let validator: TokenValidator;
  let genuine: string;
  const codes = new Map<string, number>();
  const logs = createLogCapture();

  before(async () => {
    idp = await startIdp();
    validator = createTokenValidator({
      issuer: idp.issuer,
      audience: idp.audience,
      logger: logs.logger,
      ...providerKeys(idp),
    });
    genuine = await idp.getToken({ scope: 'read' });
    logs.addSecret(genuine);
    addProviderSecrets(logs, idp);
    assert.equal((await verdict(validator, genuine)).accepted, true, 'the genuine token must validate');
  });

  after(async () => {
    await validator?.close();
    await idp?.close();
  });

  const refused = async (token: string) => {
    const v = await verdict(validator, token);
    assert.equal(v.accepted, false, `accepted: ${token.slice(0, 80)}`);
    if (!v.accepted) {
      logs.recordError(v.error);
      assert.notEqual(v.error.code, 'keys_unavailable', 'the provider is up: keys must be available');
      codes.set(v.error.code, (codes.get(v.error.code) ?? 0) + 1);
    }
  };

  test('JWT-shaped and arbitrary strings are refused with a typed error, promptly', async () => {
    await fc.assert(fc.asyncProperty(jwtShaped, refused), { numRuns: FUZZ_RUNS });
  });

  test('every mutation of a genuine token is refused (and jose refuses it too)', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const token = mutate(genuine, m);
        if (token === genuine) return;
        await refused(token);
        const jose = await joseAccepts(token, {
          keys: idp.publicJwks(),
          issuer: idp.issuer,
          audience: idp.audience,
          algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        });
        // jose's decoder skips whitespace and "=": it may accept a mutant that decodes to the genuine bytes
        // (non-canonical encoding, which we refuse). Anything else jose accepted would be a forgery.
        if (jose)
          assert.ok(sameBytes(token, genuine), `jose accepted a mutant with other content: ${m.kind}`);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  test('refusal codes seen across the run', (t) => {
    t.diagnostic(JSON.stringify(Object.fromEntries(codes)));
    assert.ok(codes.size >= 3, 'the generators should reach several different checks');
  });

  test('no log line or error of the run holds the genuine token or key material', () => {
    assert.deepEqual(logs.findLeaks(), []);
  });
});
