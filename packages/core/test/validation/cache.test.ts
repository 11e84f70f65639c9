import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTokenValidator } from '../../src/validation/index.js';
import type { TokenValidatorOptions } from '../../src/validation/options.js';
import { tokenFingerprint, VerifiedTokenCache } from '../../src/validation/token-cache.js';
import { ValidatedTokenResult } from '../../src/validation/validated-token.js';
import { AUDIENCE, CountingKeySource, ISSUER, rejectsWith, testKey, token } from './helpers.js';

const rsa = testKey('RS256');

function setup(options: Partial<TokenValidatorOptions> = {}) {
  let nowMs = Date.now();
  const source = new CountingKeySource([rsa.key]);
  const validator = createTokenValidator({
    issuer: ISSUER,
    audience: AUDIENCE,
    keySource: source,
    now: () => nowMs,
    ...options,
  });
  return {
    source,
    validator,
    advance: (ms: number) => {
      nowMs += ms;
    },
    nowSeconds: () => Math.floor(nowMs / 1000),
  };
}

describe('verified-token cache', () => {
  test('a hit skips key lookup and verification and returns the same result', async () => {
    const { source, validator } = setup();
    const t = token(rsa);
    const first = await validator.validate(t);
    for (let i = 0; i < 10; i++) assert.equal(await validator.validate(t), first);
    assert.equal(source.getKeysCalls, 1);
  });

  test('cache: false verifies every time', async () => {
    const { source, validator } = setup({ cache: false });
    const t = token(rsa);
    await validator.validate(t);
    await validator.validate(t);
    assert.equal(source.getKeysCalls, 2);
  });

  test('an entry that reaches exp is refused, not served', async () => {
    const { validator, advance, nowSeconds } = setup({ clockTolerance: 0 });
    const t = token(rsa, { iat: nowSeconds(), exp: nowSeconds() + 60 });
    await validator.validate(t);
    advance(59_000);
    await validator.validate(t);
    advance(2_000);
    await rejectsWith(validator.validate(t), 'token_expired');
  });

  test('an entry ends at maxTokenAge and at the cache max TTL', async () => {
    const aged = setup({ clockTolerance: 0, maxTokenAge: 30 });
    const t = token(rsa, { iat: aged.nowSeconds() });
    await aged.validator.validate(t);
    aged.advance(32_000);
    await rejectsWith(aged.validator.validate(t), 'token_too_old');

    const ttl = setup({ cache: { maxTtlSeconds: 10 } });
    const u = token(rsa);
    await ttl.validator.validate(u);
    ttl.advance(11_000);
    await ttl.validator.validate(u);
    assert.equal(ttl.source.getKeysCalls, 2, 'verified again after the max TTL');
  });

  test('an entry dies when its key leaves the key set', async () => {
    const { source, validator } = setup();
    const t = token(rsa);
    await validator.validate(t);
    source.keys = [testKey('RS256', 'replacement').key];
    await rejectsWith(validator.validate(t), 'key_not_found');
  });

  test('failures are never cached', async () => {
    const { source, validator } = setup();
    const forged = token(rsa).replace(/.$/, (c) => (c === 'A' ? 'Q' : 'A'));
    await rejectsWith(validator.validate(forged), 'signature_invalid');
    await rejectsWith(validator.validate(forged), 'signature_invalid');
    assert.equal(source.getKeysCalls, 2);
  });

  test('a flood of one-shot tokens does not push out the tokens in use; a token seen often enough is admitted', async () => {
    const { source, validator } = setup({ cache: { maxEntries: 20 } });
    const inUse = Array.from({ length: 5 }, (_, i) => token(rsa, { jti: `in-use-${i}` }));
    for (const t of [...inUse, ...inUse]) await validator.validate(t);
    // 40 one-shot tokens between two uses of a token: a plain LRU of 20 would have evicted it every time.
    for (let i = 0; i < 400; i++) {
      await validator.validate(token(rsa, { jti: `flood-${i}` }));
      if (i % 40 === 39) for (const t of inUse) await validator.validate(t);
    }
    const calls = source.getKeysCalls;
    for (const t of inUse) await validator.validate(t);
    assert.equal(source.getKeysCalls, calls, 'every token in use is still cached');

    const late = token(rsa, { jti: 'late' });
    let verifications = 0;
    for (let before = -1; before !== source.getKeysCalls && verifications < 16; verifications++) {
      before = source.getKeysCalls;
      await validator.validate(late);
    }
    assert.ok(verifications < 16, 'a token used again and again wins a place');
    for (const t of inUse) await validator.validate(t);
    assert.equal(
      source.getKeysCalls,
      calls + verifications - 1,
      "and it took a flood token's place, not theirs",
    );
  });

  // Fixed token strings whose tails look like signatures, so fingerprints are the same on every run.
  const fixedTokens = (prefix: string, n: number) =>
    Array.from(
      { length: n },
      (_, i) => `${prefix}.payload.${createHash('sha256').update(`${prefix}${i}`).digest('base64url')}`,
    );
  const resultOf = (t: string) => new ValidatedTokenResult(t, { alg: 'RS256' }, {}, []);

  test('VerifiedTokenCache never holds more than maxEntries; once full, only a token seen more often than the least recently used one is admitted', () => {
    const cache = new VerifiedTokenCache(50, 60_000);
    const source = new CountingKeySource([rsa.key]);
    const now = Date.now();
    const put = (t: string) => cache.set(t, resultOf(t), rsa.key, source, now, now + 60_000, 0);
    const tokens = fixedTokens('fill', 50);
    for (const t of tokens) put(t);
    assert.equal(cache.size, 50);
    const [candidate] = fixedTokens('candidate', 1) as [string];
    put(candidate);
    assert.equal(cache.size, 50);
    assert.equal(
      cache.get(candidate, now),
      undefined,
      'seen once, like the entry it would evict: not admitted',
    );
    put(candidate);
    assert.equal(cache.size, 50);
    assert.equal(cache.get(candidate, now)?.token, candidate, 'seen twice: admitted');
    assert.equal(cache.get(tokens[0]!, now), undefined, 'the least recently used entry made room');
    assert.equal(cache.get(tokens[1]!, now)?.token, tokens[1]);
    // An entry that would already be expired is not stored at all.
    const [expired] = fixedTokens('expired', 1) as [string];
    cache.set(expired, resultOf(expired), rsa.key, source, now, now - 1, 0);
    assert.equal(cache.get(expired, now), undefined);
    cache.clear();
    assert.equal(cache.size, 0);
    put(candidate);
    assert.equal(cache.get(candidate, now)?.token, candidate, 'after clear there is room again');
  });

  test('VerifiedTokenCache evicts the least recently used entry after any order of hits (a hit on the newest entry is not re-inserted)', () => {
    const source = new CountingKeySource([rsa.key]);
    const now = Date.now();
    let seed = 7;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    for (let trial = 0; trial < 40; trial++) {
      const cache = new VerifiedTokenCache(5, 60_000);
      const put = (t: string) => cache.set(t, resultOf(t), rsa.key, source, now, now + 60_000, 0);
      const tokens = fixedTokens(`trial${trial}`, 5);
      for (const t of tokens) put(t);
      // The order a true LRU keeps, least recently used first; a run of hits on the last one is likely.
      const order = [...tokens];
      for (let hit = 0; hit < 12; hit++) {
        const t = next(3) === 0 ? order[order.length - 1]! : order[next(order.length)]!;
        assert.equal(cache.get(t, now)?.token, t);
        order.splice(order.indexOf(t), 1);
        order.push(t);
      }
      const [candidate] = fixedTokens(`candidate${trial}`, 1) as [string];
      let offers = 0;
      while (cache.get(candidate, now) === undefined && offers < 16) {
        put(candidate);
        offers++;
      }
      assert.ok(offers < 16, 'a token offered often enough is admitted');
      assert.equal(cache.size, 5);
      // A `get` now only reorders: the one token gone must be the model's least recently used.
      const gone = tokens.filter((t) => cache.get(t, now) === undefined);
      assert.deepEqual(gone, [order[0]], `trial ${trial}`);
    }
  });

  test('VerifiedTokenCache: a cache in use is not displaced by a flood, and a loop larger than the cache keeps a fixed share instead of churning', () => {
    const cache = new VerifiedTokenCache(100, 60_000);
    const source = new CountingKeySource([rsa.key]);
    const now = Date.now();
    const results = new Map<string, ValidatedTokenResult>();
    /** One request: a hit, or a verification and an offer to the cache; true when the token was admitted. */
    const request = (t: string): 'hit' | 'admitted' | 'refused' => {
      if (cache.get(t, now) !== undefined) return 'hit';
      const result = results.get(t) ?? resultOf(t);
      results.set(t, result);
      cache.set(t, result, rsa.key, source, now, now + 60_000, 0);
      return cache.get(t, now) === undefined ? 'refused' : 'admitted';
    };

    const inUse = fixedTokens('in-use', 30);
    const flood = fixedTokens('one-shot', 5000);
    for (const t of [...inUse, ...inUse]) request(t);
    let admitted = 0;
    for (const [i, t] of flood.entries()) {
      // The first 70 fill the room the tokens in use left; count those that came once it was full.
      if (request(t) === 'admitted' && i >= 70) admitted++;
      if (i % 200 === 199) for (const u of inUse) request(u);
    }
    assert.deepEqual(
      inUse.map(request).filter((r) => r !== 'hit'),
      [],
      '200 one-shot tokens between uses, twice the cache: none in use was pushed out',
    );
    // Frequencies alone would let some in (shared counters over-count them; 186 here): the doorkeeper does not.
    assert.equal(admitted, 0, 'no one-shot token was admitted once the cache was full (an LRU: 4930)');

    // 1,000 tokens in a loop through 100 entries: an LRU (or a second-sighting doorkeeper) evicts on every
    // miss and never hits. TinyLFU keeps about a tenth of the loop and leaves it in place.
    cache.clear();
    const loop = fixedTokens('loop', 1000);
    const counts = { hit: 0, admitted: 0, refused: 0 };
    for (let round = 0; round < 20; round++)
      for (const t of loop) {
        const r = request(t);
        if (round >= 15) counts[r]++;
      }
    assert.ok(counts.hit >= 0.08 * 5000, `hits in the last five rounds: ${counts.hit} of 5000`);
    assert.ok(
      counts.admitted <= 0.01 * 5000,
      `admissions in the last five rounds: ${counts.admitted} of 5000`,
    );
  });

  test("a token sharing a cached token's fingerprint is a miss, never the other token's result", () => {
    const cache = new VerifiedTokenCache(10, 60_000);
    const source = new CountingKeySource([rsa.key]);
    const genuine = token(rsa);
    const tail = genuine.slice(-6);
    assert.equal(tokenFingerprint(`forged${tail}`), tokenFingerprint(genuine));
    const now = Date.now();
    const validated = new ValidatedTokenResult(genuine, { alg: 'RS256' }, {}, []);
    cache.set(genuine, validated, rsa.key, source, now, now + 60_000, 0);
    assert.equal(cache.get(`forged${tail}`, now), undefined);
    assert.equal(
      cache.get(
        genuine.replace(/^./, (c) => (c === 'e' ? 'f' : 'e')),
        now,
      ),
      undefined,
    );
    assert.equal(cache.get(genuine, now), validated, 'the miss did not drop the genuine entry');
  });
});
