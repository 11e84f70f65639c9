/**
 * Floods of distinct random opaque tokens through an introspection validator, against a loopback
 * introspection endpoint that answers `active: false` and counts requests and the most in flight at once.
 * Memory after a full GC stays bounded (the answer cache is capped by entries and bytes), and the endpoint
 * never sees more than `maxConcurrent` introspections at a time; beyond `maxQueued` waiting validations,
 * callers get `keys_unavailable` (503) at once instead of piling up.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createHttpClient,
  createIntrospectionValidator,
  type HttpClient,
  type IntrospectionTokenValidator,
  TokenValidationError,
} from '@identity-model/core';
import { json, type LocalServer, startLocalServer } from '../security/support/local-server.js';
import { heapAfterGc, MiB, mib } from './support/heap.js';

const N = Number(process.env.BOUNDS_REQUESTS ?? 10_000);
const BATCH = 1000;
const MAX_CONCURRENT = 32; // the validator's default, stated here so the assertion says what it checks
/** Far above what a capped cache of 10,000 small inactive answers holds, far below an unbounded one. */
const HEAP_BUDGET = 24 * MiB;
const randomToken = () => randomBytes(24).toString('base64url');

describe('bounds: floods of distinct random opaque tokens through the introspection validator', () => {
  let server: LocalServer;
  let http: HttpClient;
  let inFlight = 0;
  let maxInFlight = 0;

  before(async () => {
    server = await startLocalServer(async (req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      req.resume();
      await sleep(2); // long enough for requests to overlap
      inFlight--;
      json(res, 200, { active: false });
    });
    http = createHttpClient({ retryCount: 0 });
  });
  after(async () => {
    await http?.close();
    await server?.close();
  });

  function validator(extra: { maxEntries?: number; maxQueued?: number } = {}): IntrospectionTokenValidator {
    server.reset();
    maxInFlight = 0;
    return createIntrospectionValidator({
      issuer: server.origin,
      audience: 'urn:api',
      address: `${server.origin}/introspect`,
      clientId: 'api',
      clientSecret: 'flood-secret',
      httpClient: http,
      ...extra,
    });
  }

  async function flood(
    v: IntrospectionTokenValidator,
    n: number,
    batch: number,
  ): Promise<Map<string, number>> {
    const codes = new Map<string, number>();
    for (let i = 0; i < n; i += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, n - i) }, () =>
          v.validate(randomToken()).then(
            () => codes.set('accepted', (codes.get('accepted') ?? 0) + 1),
            (e: unknown) => {
              const code = e instanceof TokenValidationError ? e.code : `untyped:${String(e)}`;
              codes.set(code, (codes.get(code) ?? 0) + 1);
            },
          ),
        ),
      );
    }
    return codes;
  }

  test(`${N} distinct random tokens: memory bounded, at most ${MAX_CONCURRENT} introspections in flight`, async (t) => {
    const v = validator({ maxEntries: 2000 });
    try {
      const heapBefore = heapAfterGc();
      const started = Date.now();
      const codes = await flood(v, N, BATCH);
      const grown = heapAfterGc() - heapBefore;
      const size = v.cacheSize;
      t.diagnostic(
        `${N} tokens in ${Date.now() - started} ms: ${server.requests.length} introspections, ` +
          `max in flight ${maxInFlight}, codes ${JSON.stringify(Object.fromEntries(codes))}, ` +
          `cache ${size.entries} entries / ${size.bytes} bytes, heap +${mib(grown)}`,
      );
      assert.deepEqual([...codes.keys()], ['token_inactive']);
      // Each distinct token costs at most one introspection (none is retried, none refused at this pace)...
      assert.equal(server.requests.length, N);
      // ...and the endpoint never sees more than the concurrency limit at once, whatever the flood's rate.
      assert.ok(maxInFlight <= MAX_CONCURRENT, `max in flight ${maxInFlight}`);
      assert.ok(size.entries <= 2000, `${size.entries} cached answers`);
      assert.ok(grown < HEAP_BUDGET, `heap grew by ${mib(grown)}`);
    } finally {
      await v.close();
    }
  });

  test('a burst beyond the queue: the excess is refused at once with keys_unavailable, in flight still bounded', async (t) => {
    const maxQueued = 200;
    const v = validator({ maxQueued });
    try {
      const burst = 2000;
      const started = Date.now();
      const codes = await flood(v, burst, burst);
      t.diagnostic(
        `burst of ${burst}: ${server.requests.length} introspections, max in flight ${maxInFlight}, ` +
          `codes ${JSON.stringify(Object.fromEntries(codes))} in ${Date.now() - started} ms`,
      );
      assert.ok(maxInFlight <= MAX_CONCURRENT, `max in flight ${maxInFlight}`);
      // At most the slots plus the queue were introspected; every other caller got a typed 503.
      assert.ok(
        server.requests.length <= MAX_CONCURRENT + maxQueued,
        `${server.requests.length} introspections`,
      );
      assert.equal(server.requests.length, codes.get('token_inactive'));
      assert.equal((codes.get('keys_unavailable') ?? 0) + server.requests.length, burst);
      assert.ok((codes.get('keys_unavailable') ?? 0) > 0);
    } finally {
      await v.close();
    }
  });
});
