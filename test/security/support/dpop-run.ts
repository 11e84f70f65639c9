/**
 * Runs the DPoP / mTLS attack catalogue (`cases-dpop.ts`) through one runner: core's authenticator, or one
 * framework. One provider, one test PKI, one target per app kind (see `dpop-context.ts`), every case one
 * named test; then the log scan and the count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestPki, type TestPki } from '../../support/certificates.js';
import { startIdp, type TestIdp } from '../../support/idp.js';
import type { Framework } from './apps.js';
import { assertNoEcho } from './assert-outcome.js';
import { type AttackContext, createAttackContext } from './attack-context.js';
import { dpopCases } from './cases-dpop.js';
import { assertAnswer } from './dpop-answer.js';
import {
  DPOP_APP_KINDS,
  DPOP_APP_OPTIONS,
  type DPoPAppKind,
  type DPoPCaseContext,
  OFFERED,
} from './dpop-context.js';
import { dpopBoundToken, forgeProof, mtlsBoundToken, type ProofKeyPair, proofKey } from './dpop-forge.js';
import { appTarget, coreTarget, type DPoPTarget } from './dpop-targets.js';
import { addProviderSecrets, createLogCapture, privateKeyPieces } from './log-capture.js';

export function runDPoPAttacks(runner: 'core' | Framework): void {
  describe(`DPoP and mTLS attacks through ${runner}`, () => {
    let idp: TestIdp;
    let attack: AttackContext;
    let pki: TestPki;
    let certs: DPoPCaseContext['certs'];
    const targets = new Map<DPoPAppKind, DPoPTarget>();
    const logs = createLogCapture();
    const key: ProofKeyPair = proofKey('ES256');
    const attackerKey: ProofKeyPair = proofKey('ES256');
    let tried = 0;
    let answered = 0;

    before(async () => {
      idp = await startIdp();
      attack = await createAttackContext(idp);
      pki = await createTestPki();
      certs = { bound: await pki.issue('svc-bound'), other: await pki.issue('svc-other') };
      for (const kind of DPOP_APP_KINDS) {
        const options = {
          issuer: idp.issuer,
          audience: idp.audience,
          logger: logs.logger,
          ...DPOP_APP_OPTIONS[kind],
        };
        const tls = kind === 'tls';
        targets.set(
          kind,
          runner === 'core'
            ? coreTarget(options, tls)
            : await appTarget(runner, options, tls ? pki : undefined),
        );
      }
      addProviderSecrets(logs, idp);
      for (const k of [key, attackerKey]) {
        logs.addSecret(
          ...privateKeyPieces(k.privateKey.export({ format: 'jwk' }) as Record<string, unknown>),
        );
      }
      for (const cert of Object.values(certs)) logs.addSecret(cert.key);
    });

    after(async () => {
      for (const target of targets.values()) await target.close();
      await attack?.canary.close();
      await pki?.cleanup();
      await idp?.close();
    });

    function context(kind: DPoPAppKind): DPoPCaseContext {
      const target = targets.get(kind) as DPoPTarget;
      return {
        attack,
        key,
        attackerKey,
        origin: target.origin,
        port: target.port,
        certs,
        dpopToken: (jkt = key.jkt) => dpopBoundToken(attack, jkt),
        mtlsToken: () => mtlsBoundToken(attack, certs.bound.cert),
        plainToken: () => attack.signReal(attack.claims()),
        proof: (spec = {}) => forgeProof({ key, htu: `${target.origin}/api`, ...spec }),
        async send(request) {
          const secrets: string[] = [];
          for (const [name, value] of request.headers) {
            const lower = name.toLowerCase();
            if (lower === 'authorization') secrets.push(value.replace(/^\S+\s+/, ''));
            if (lower === 'dpop') secrets.push(value);
          }
          logs.addSecret(...secrets);
          const answer = await target.send(request);
          for (const secret of secrets) assertNoEcho({ ...answer, ms: 0 }, secret, 'the answer');
          return answer;
        },
      };
    }

    for (const attackCase of dpopCases) {
      test(attackCase.name, async () => {
        tried++;
        const kind = attackCase.app ?? 'allowed';
        const linesBefore = logs.lines.length;
        const answer = await attackCase.run(context(kind));
        assertAnswer(answer, attackCase.expect, OFFERED[kind], attackCase.name);
        if (attackCase.codes) {
          // Core hands back the cause; an adapter's debug line names it (codes only, never the token).
          const cause =
            runner === 'core'
              ? answer.cause
              : logs.lines
                  .slice(linesBefore)
                  .map((line) => (JSON.parse(line) as { cause?: string }).cause)
                  .filter((c) => c !== undefined)
                  .at(-1);
          assert.ok(
            cause !== undefined && attackCase.codes.includes(cause),
            `${attackCase.name}: cause ${cause}, expected one of ${attackCase.codes.join(', ')}`,
          );
        }
        answered++;
      });
    }

    test('no log line of this run holds a token, a proof, a client secret or a private key', () => {
      assert.ok(logs.lines.length > 0, 'nothing was logged: the capture is not wired');
      assert.deepEqual(logs.findLeaks(), []);
    });

    test('every case ran and was answered as RFC 9449 / RFC 8705 ask', (t) => {
      t.diagnostic(`${runner}: ${tried} DPoP/mTLS cases tried, ${answered} answered as expected`);
      assert.equal(tried, dpopCases.length);
      assert.equal(answered, tried);
    });
  });
}
