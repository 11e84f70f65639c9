/**
 * The introspection cache: a hit costs no request, an entry lives min(exp, cacheDuration) and never past
 * exp, an inactive answer is kept briefly, failures are not kept, one token in flight costs one request,
 * a flood of distinct tokens is bounded in memory and in concurrent introspections, and a shared store
 * spares a second process the request without ever holding the token.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { TokenValidationError } from '../../src/errors.js';
import type { CacheStore } from '../../src/token-management/cache-store.js';
import { MemoryCacheStore } from '../../src/token-management/memory-cache-store.js';
import { recordingLogger } from '../token-management/recording-logger.js';
import { type FakeAuthorizationServer, TOKEN } from './fake-authorization-server.js';
import { active, answerWith, useFakeAuthorizationServer, validatorFor } from './validator-support.js';

let as: FakeAuthorizationServer;
const { introspections } = useFakeAuthorizationServer((server) => {
  as = server;
});

function clock(start = Date.now()) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (e) {
    assert.ok(e instanceof TokenValidationError);
    return e.code;
  }
}

describe('introspection cache: lifetimes', () => {
  test('a hit costs no introspection', async () => {
    answerWith(as, () => active());
    const validator = validatorFor(as);
    await validator.validate(TOKEN);
    await validator.validate(TOKEN);
    await validator.validate(TOKEN);
    assert.equal(introspections(), 1);
  });

  test('an active answer lives cacheDuration when exp is later', async () => {
    const time = clock();
    answerWith(as, () => active({ exp: Math.floor(time.now() / 1000) + 3600 }));
    const validator = validatorFor(as, { now: time.now, cacheDuration: 60 });
    await validator.validate(TOKEN);
    time.advance(59);
    await validator.validate(TOKEN);
    assert.equal(introspections(), 1);
    time.advance(2);
    await validator.validate(TOKEN);
    assert.equal(introspections(), 2);
  });

  test('an active answer never outlives its exp, whatever cacheDuration', async () => {
    const time = clock();
    const exp = Math.floor(time.now() / 1000) + 30;
    let answer: Record<string, unknown> = active({ exp });
    answerWith(as, () => answer);
    const validator = validatorFor(as, { now: time.now, cacheDuration: 300, clockTolerance: 0 });
    await validator.validate(TOKEN);
    time.advance(29);
    await validator.validate(TOKEN);
    assert.equal(introspections(), 1);
    time.advance(2);
    answer = { active: false }; // what the server says of an expired token
    assert.equal(await code(validator.validate(TOKEN)), 'token_inactive');
    assert.equal(introspections(), 2);
  });

  test('an inactive answer is kept inactiveCacheDuration: a flood of one bad token costs one request', async () => {
    const time = clock();
    answerWith(as, () => ({ active: false }));
    const validator = validatorFor(as, { now: time.now, inactiveCacheDuration: 5 });
    for (let i = 0; i < 50; i++) assert.equal(await code(validator.validate(TOKEN)), 'token_inactive');
    assert.equal(introspections(), 1);
    time.advance(6);
    await code(validator.validate(TOKEN));
    assert.equal(introspections(), 2);
  });

  test('a revoked token is refused once its entry expires, and at once with cacheDuration: 0', async () => {
    const time = clock();
    let answer: Record<string, unknown> = active();
    answerWith(as, () => answer);
    const cached = validatorFor(as, { now: time.now, cacheDuration: 10 });
    const uncached = validatorFor(as, { now: time.now, cacheDuration: 0 });
    await cached.validate(TOKEN);
    await uncached.validate(TOKEN);
    answer = { active: false }; // revoked
    assert.equal(await code(uncached.validate(TOKEN)), 'token_inactive');
    assert.equal(await code(cached.validate(TOKEN)), 'accepted');
    time.advance(11);
    assert.equal(await code(cached.validate(TOKEN)), 'token_inactive');
  });

  test('cacheDuration: 0 introspects every request, inactive ones too', async () => {
    answerWith(as, () => ({ active: false }));
    const validator = validatorFor(as, { cacheDuration: 0 });
    await code(validator.validate(TOKEN));
    await code(validator.validate(TOKEN));
    assert.equal(introspections(), 2);
  });

  test('a failure is not cached: the next request introspects again', async () => {
    answerWith(as, () => ({}), { status: 500 });
    const validator = validatorFor(as);
    assert.equal(await code(validator.validate(TOKEN)), 'keys_unavailable');
    answerWith(as, () => active());
    assert.equal(await code(validator.validate(TOKEN)), 'accepted');
    assert.equal(introspections(), 2);
  });
});

describe('introspection cache: floods', () => {
  test('100 concurrent validations of one token cost one introspection', async () => {
    answerWith(as, () => active(), { delayMs: 50 });
    const validator = validatorFor(as);
    const results = await Promise.all(Array.from({ length: 100 }, () => validator.validate(TOKEN)));
    assert.equal(results.length, 100);
    assert.ok(results.every((r) => r.token === TOKEN && r.claims.sub === 'user-1'));
    assert.equal(introspections(), 1);
  });

  test('10,000 distinct random tokens: entries and bytes bounded, introspections in flight bounded', async () => {
    const seen = answerWith(
      as,
      (req) => (req.form.get('token')!.endsWith('0') ? active() : { active: false }),
      {
        delayMs: 1,
      },
    );
    const maxEntries = 500;
    const maxBytes = 100_000;
    const maxConcurrent = 8;
    const validator = validatorFor(as, { maxEntries, maxBytes, maxConcurrent, maxQueued: 10_000 });
    let peakEntries = 0;
    let peakBytes = 0;
    const tokens = Array.from({ length: 10_000 }, () => randomBytes(24).toString('base64url'));
    await Promise.all(
      tokens.map(async (token) => {
        await code(validator.validate(token));
        const { entries, bytes } = validator.cacheSize;
        peakEntries = Math.max(peakEntries, entries);
        peakBytes = Math.max(peakBytes, bytes);
      }),
    );
    assert.equal(introspections(), 10_000);
    assert.ok(peakEntries <= maxEntries, `entries ${peakEntries}`);
    assert.ok(peakBytes <= maxBytes, `bytes ${peakBytes}`);
    assert.ok(seen.maxInFlight() <= maxConcurrent, `in flight ${seen.maxInFlight()}`);
    console.log(
      `# flood: peak entries ${peakEntries}, peak bytes ${peakBytes}, in flight ${seen.maxInFlight()}`,
    );
  });

  test('callers beyond the queue are answered 503 at once instead of piling up', async () => {
    answerWith(as, () => active(), { delayMs: 200 });
    const validator = validatorFor(as, { maxConcurrent: 1, maxQueued: 1 });
    const codes = await Promise.all(['a', 'b', 'c'].map((t) => code(validator.validate(`${TOKEN}-${t}`))));
    assert.deepEqual(codes, ['accepted', 'accepted', 'keys_unavailable']);
    assert.equal(introspections(), 2);
  });
});

describe('introspection cache: shared through a CacheStore', () => {
  test('two validators sharing a store cost one introspection; the store never holds the token', async () => {
    answerWith(as, () => active());
    const { recording: spy, keys, values } = recordingStore();
    await validatorFor(as, { store: spy }).validate(TOKEN);
    const auth = await validatorFor(as, { store: spy }).validate(TOKEN);
    assert.equal(auth.claims.sub, 'user-1');
    assert.equal(introspections(), 1);
    assert.equal(keys.length, 1);
    assert.match(keys[0]!, /^introspection:[A-Za-z0-9_-]{43}$/);
    assert.ok(!keys[0]!.includes(TOKEN) && !values[0]!.includes(TOKEN), 'the token is in the store');
  });

  test('a second process waits for a slow introspection (2.5 s) under the lock instead of introspecting too', async () => {
    answerWith(as, () => active(), { delayMs: 2500 });
    const store = new MemoryCacheStore();
    const first = validatorFor(as, { store }).validate(TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the first one holds the lock now
    const second = validatorFor(as, { store }).validate(TOKEN);
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.claims.sub, 'user-1');
    assert.equal(b.claims.sub, 'user-1');
    assert.equal(introspections(), 1);
  });

  test('an answer another process stored between our read and our lock is used, not introspected again', async () => {
    answerWith(as, () => active());
    const store = new MemoryCacheStore();
    let raced = false;
    const racing: CacheStore = {
      get: (k) => store.get(k),
      set: (k, v, t) => store.set(k, v, t),
      delete: (k) => store.delete(k),
      getValue: (k) => store.getValue(k),
      setValue: (k, v, t) => store.setValue(k, v, t),
      // Our read missed; before our lock is taken, another process introspects, stores and releases.
      tryLock: async (k, t) => {
        if (!raced) {
          raced = true;
          await validatorFor(as, { store }).validate(TOKEN);
        }
        return store.tryLock(k, t);
      },
    };
    const auth = await validatorFor(as, { store: racing }).validate(TOKEN);
    assert.equal(auth.claims.sub, 'user-1');
    assert.equal(introspections(), 1);
  });

  test('a stored answer is re-checked: a foreign audience planted in the store is refused', async () => {
    answerWith(as, () => active());
    const { store, recording, keys } = recordingStore();
    await validatorFor(as, { store: recording }).validate(TOKEN);
    // Another writer with the store's access rewrites the entry for another API.
    const value = JSON.parse((await store.getValue(keys[0]!))!);
    value.claims.aud = 'https://other.example';
    await store.setValue(keys[0]!, JSON.stringify(value), 60_000);
    assert.equal(await code(validatorFor(as, { store }).validate(TOKEN)), 'audience_invalid');
    assert.equal(introspections(), 1);
  });

  test('a store value that does not parse is a miss', async () => {
    answerWith(as, () => active());
    const store: CacheStore = {
      get: async () => undefined,
      set: async () => {},
      delete: async () => {},
      getValue: async () => '{not json',
      setValue: async () => {},
    };
    assert.equal(await code(validatorFor(as, { store }).validate(TOKEN)), 'accepted');
    assert.equal(introspections(), 1);
  });

  test('a store that rejects: callers are still served, with one warning', async () => {
    answerWith(as, () => active());
    const logger = recordingLogger();
    const store: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      getValue: () => Promise.reject(new Error('ECONNREFUSED')),
      setValue: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const validator = validatorFor(as, { store, logger, cacheDuration: 300 });
    for (let i = 0; i < 5; i++) assert.equal(await code(validator.validate(`${TOKEN}-${i}`)), 'accepted');
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
  });
});

/** A MemoryCacheStore that records the keys and values written to it. */
function recordingStore() {
  const store = new MemoryCacheStore();
  const keys: string[] = [];
  const values: string[] = [];
  const recording: CacheStore = {
    get: (k) => store.get(k),
    set: (k, v, t) => store.set(k, v, t),
    delete: (k) => store.delete(k),
    getValue: (k) => store.getValue(k),
    setValue: (k, v, t) => {
      keys.push(k);
      values.push(v);
      return store.setValue(k, v, t);
    },
  };
  return { store, recording, keys, values };
}
