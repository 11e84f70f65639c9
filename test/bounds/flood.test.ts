/**
 * Floods of hostile tokens straight through the validator: 100,000 random `kid`s, 100,000 random issuers,
 * 100,000 distinct genuine tokens. Memory after a full GC stays bounded (caches are capped), and the
 * provider sees a bounded number of fetches (unknown kids refetch at most once per cooldown).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTokenValidator, TokenValidationError, type TokenValidator } from '@identity-model/core';
import { b64u, forge, nowSeconds } from '../security/support/forge.js';
import { json, type LocalServer, startLocalServer } from '../security/support/local-server.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { heapAfterGc, MiB, mib } from './support/heap.js';

// 100,000 random kids (the flood that could turn into provider fetches); the cache-bound floods use 25,000,
// already 25× the largest cap, to keep the file's CPU time small. BOUNDS_REQUESTS sets every flood's size.
const N = Number(process.env.BOUNDS_REQUESTS ?? 100_000);
const N_CACHES = Number(process.env.BOUNDS_REQUESTS ?? 25_000);
const BATCH = 1000;
const salt = randomBytes(6).toString('hex');
/** Far above what capped caches hold (~1000 tokens, 64 headers, 100 issuers), far below an unbounded one. */
const HEAP_BUDGET = 24 * MiB;

async function flood(
  validator: TokenValidator,
  make: (i: number) => string,
  n = N,
): Promise<{ codes: Map<string, number>; accepted: number; ms: number }> {
  const codes = new Map<string, number>();
  let accepted = 0;
  const started = Date.now();
  for (let i = 0; i < n; i += BATCH) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      batch.push(
        validator.validate(make(j)).then(
          () => {
            accepted++;
          },
          (error: unknown) => {
            const code = error instanceof TokenValidationError ? error.code : `untyped:${String(error)}`;
            codes.set(code, (codes.get(code) ?? 0) + 1);
          },
        ),
      );
    }
    await Promise.all(batch);
  }
  return { codes, accepted, ms: Date.now() - started };
}

describe('bounds: floods of hostile tokens through the validator', () => {
  let idp: TestIdp;
  let validator: TokenValidator;
  let tenants: LocalServer;
  const payload = () => ({
    iss: idp.issuer,
    aud: idp.audience,
    sub: 's',
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
  });

  before(async () => {
    idp = await startIdp();
    tenants = await startLocalServer((_req, res) => json(res, 404, { error: 'no such tenant' }));
    validator = createTokenValidator({ issuer: idp.issuer, audience: idp.audience });
    await validator.validate(await idp.getToken({ scope: 'read' }));
  });

  after(async () => {
    await validator?.close();
    await tenants?.close();
    await idp?.close();
  });

  test('random kids: memory bounded, key-set fetches bounded by the refetch cooldown', async (t) => {
    const payloadSeg = b64u(JSON.stringify(payload()));
    const sig = b64u(randomBytes(256));
    idp.resetCounts();
    const heapBefore = heapAfterGc();
    const run = await flood(validator, () => {
      const header = b64u(
        JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: randomBytes(12).toString('hex') }),
      );
      return `${header}.${payloadSeg}.${sig}`;
    });
    const grown = heapAfterGc() - heapBefore;
    t.diagnostic(
      `random kids: ${run.ms} ms, codes ${JSON.stringify(Object.fromEntries(run.codes))}, ` +
        `key-set fetches ${idp.counts.jwks}, discovery fetches ${idp.counts.discovery}, heap +${mib(grown)}`,
    );
    assert.equal(run.accepted, 0);
    assert.deepEqual([...run.codes.keys()], ['key_not_found']);
    // Default cooldown is 30 s; the flood lasts seconds: one refetch, two if it straddles a cooldown.
    assert.ok(idp.counts.jwks <= 2, `${idp.counts.jwks} key-set fetches`);
    assert.ok(idp.counts.discovery <= 1, `${idp.counts.discovery} discovery fetches`);
    assert.ok(grown < HEAP_BUDGET, `heap grew by ${mib(grown)}`);
  });

  test('random issuers against a fixed issuer: refused without any fetch, memory bounded', async (t) => {
    const header = b64u(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: idp.privateJwk('RS256').kid }));
    const sig = b64u(randomBytes(256));
    idp.resetCounts();
    const heapBefore = heapAfterGc();
    const base = payload();
    const run = await flood(
      validator,
      (i) => {
        const p = { ...base, iss: `${tenants.origin}/${salt}-${i}` };
        return `${header}.${b64u(JSON.stringify(p))}.${sig}`;
      },
      N_CACHES,
    );
    const grown = heapAfterGc() - heapBefore;
    t.diagnostic(
      `random issuers: ${run.ms} ms, heap +${mib(grown)}, tenant-server requests ${tenants.requests.length}`,
    );
    assert.deepEqual([...run.codes.keys()], ['issuer_invalid']);
    assert.equal(tenants.requests.length, 0, 'a token named the issuer to fetch from');
    assert.equal(idp.counts.discovery + idp.counts.jwks, 0);
    assert.ok(grown < HEAP_BUDGET, `heap grew by ${mib(grown)}`);
  });

  test('random tenants under an issuer predicate: at most one discovery fetch per new tenant, memory bounded', async (t) => {
    const prefix = `${tenants.origin}/t/`;
    const multi = createTokenValidator({ issuer: (iss) => iss.startsWith(prefix), audience: idp.audience });
    try {
      const distinct = Math.min(N_CACHES, 1000);
      const header = b64u(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'k' }));
      const sig = b64u(randomBytes(256));
      tenants.reset();
      const heapBefore = heapAfterGc();
      const codes = new Map<string, number>();
      for (let i = 0; i < distinct; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) => {
            const p = { ...payload(), iss: `${prefix}${i + j}` };
            return multi
              .validate(`${header}.${b64u(JSON.stringify(p))}.${sig}`)
              .catch((e: TokenValidationError) => {
                codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
              });
          }),
        );
      }
      const grown = heapAfterGc() - heapBefore;
      t.diagnostic(
        `${distinct} tenants: ${tenants.requests.length} discovery requests, codes ${JSON.stringify(Object.fromEntries(codes))}, heap +${mib(grown)}`,
      );
      assert.deepEqual([...codes.keys()], ['keys_unavailable']);
      assert.ok(
        tenants.requests.length <= distinct,
        `${tenants.requests.length} requests for ${distinct} tenants`,
      );
      assert.ok(grown < HEAP_BUDGET, `heap grew by ${mib(grown)}`);
    } finally {
      await multi.close();
    }
  });

  test('distinct genuine tokens: the verified-token cache stays capped', async (t) => {
    const secret = randomBytes(32);
    const hs = createTokenValidator({
      issuer: 'urn:bounds',
      audience: 'urn:api',
      secret,
      algorithms: ['HS256'],
    });
    try {
      const now = nowSeconds();
      const heapBefore = heapAfterGc();
      const run = await flood(
        hs,
        (i) =>
          forge({
            header: { alg: 'HS256', typ: 'at+jwt' },
            payload: {
              iss: 'urn:bounds',
              aud: 'urn:api',
              sub: `s-${i}`,
              iat: now,
              exp: now + 300,
              pad: 'x'.repeat(200),
            },
            key: secret,
          }),
        N_CACHES,
      );
      const grown = heapAfterGc() - heapBefore;
      t.diagnostic(`distinct tokens: ${run.ms} ms, accepted ${run.accepted}, heap +${mib(grown)}`);
      assert.equal(run.accepted, N_CACHES);
      // Unbounded, 100,000 entries of ~1 KiB would hold ~100 MiB.
      assert.ok(grown < HEAP_BUDGET, `heap grew by ${mib(grown)}`);
    } finally {
      await hs.close();
    }
  });
});
