import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

  test('a flood of one-shot tokens does not push out the tokens in use; a token seen twice is admitted', async () => {
    const { source, validator } = setup({ cache: { maxEntries: 20 } });
    const keep = token(rsa, { jti: 'keep' });
    const first = token(rsa, { jti: 'first' });
    await validator.validate(first);
    await validator.validate(keep);
    for (let i = 0; i < 200; i++) {
      await validator.validate(token(rsa, { jti: `flood-${i}` }));
      if (i % 10 === 0) await validator.validate(keep);
    }
    let calls = source.getKeysCalls;
    await validator.validate(keep);
    await validator.validate(first);
    assert.equal(source.getKeysCalls, calls, 'both tokens admitted before the flood are still cached');

    // Once full, a new token is admitted on its second verification, and the least recently used one goes.
    const late = token(rsa, { jti: 'late' });
    await validator.validate(late);
    await validator.validate(late);
    calls = source.getKeysCalls;
    await validator.validate(late);
    assert.equal(source.getKeysCalls, calls, 'the token verified twice is cached');
    await validator.validate(token(rsa, { jti: 'flood-0' }));
    assert.equal(source.getKeysCalls, calls + 1, 'the least recently used token was evicted');
  });

  test('VerifiedTokenCache never holds more than maxEntries; past it, only a second sighting is admitted', () => {
    const cache = new VerifiedTokenCache(50, 60_000);
    const source = new CountingKeySource([rsa.key]);
    const tokens = Array.from({ length: 5000 }, () => randomBytes(30).toString('base64url'));
    const result = (t: string) => new ValidatedTokenResult(t, { alg: 'RS256' }, {}, []);
    const now = Date.now();
    const results = tokens.map(result);
    for (const [i, t] of tokens.entries()) cache.set(t, results[i]!, rsa.key, source, now, now + 60_000, 0);
    assert.equal(cache.size, 50);
    assert.equal(cache.get(tokens[0]!, now), results[0], 'admitted while there was room');
    assert.equal(cache.get(tokens[4999]!, now), undefined, 'seen once while full: not admitted');
    cache.set(tokens[4999]!, results[4999]!, rsa.key, source, now, now + 60_000, 0);
    assert.equal(cache.size, 50);
    assert.equal(cache.get(tokens[4999]!, now), results[4999], 'admitted on its second sighting');
    assert.equal(cache.get(tokens[1]!, now), undefined, 'the least recently used entry made room');
    // An entry that would already be expired is not stored at all.
    const expired = randomBytes(30).toString('base64url');
    cache.set(expired, result(expired), rsa.key, source, now, now - 1, 0);
    assert.equal(cache.get(expired, now), undefined);
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
