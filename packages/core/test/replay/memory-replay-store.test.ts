import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../../src/errors.js';
import { MemoryReplayStore, ReplayStoreFullError } from '../../src/replay/memory-replay-store.js';

test('a replayed identifier is refused until its ttl has passed, then accepted again', async () => {
  let now = 1_000_000;
  const store = new MemoryReplayStore({ now: () => now });
  assert.equal(await store.setIfAbsent('jti-1', 5_000), true);
  assert.equal(await store.setIfAbsent('jti-1', 5_000), false);
  now += 5_001;
  assert.equal(await store.setIfAbsent('jti-1', 5_000), true);
});

test('setIfAbsentNow answers at once, with the verdicts of setIfAbsent, and throws when full', async () => {
  const store = new MemoryReplayStore({ maxEntries: 2 });
  assert.equal(store.setIfAbsentNow('a', 60_000), true);
  assert.equal(store.setIfAbsentNow('a', 60_000), false);
  assert.equal(await store.setIfAbsent('a', 60_000), false, 'one memory behind both');
  assert.equal(await store.setIfAbsent('b', 60_000), true);
  assert.equal(store.setIfAbsentNow('b', 60_000), false);
  assert.throws(() => store.setIfAbsentNow('c', 60_000), ReplayStoreFullError);
});

test('flooding a full store does not evict live identifiers: new ones are refused (fail closed)', async () => {
  let now = 0;
  const store = new MemoryReplayStore({ maxEntries: 3, now: () => now });
  assert.equal(await store.setIfAbsent('victim', 60_000), true);
  await store.setIfAbsent('flood-1', 60_000);
  await store.setIfAbsent('flood-2', 60_000);
  await assert.rejects(store.setIfAbsent('flood-3', 60_000), ReplayStoreFullError);
  assert.equal(await store.setIfAbsent('victim', 60_000), false, 'the victim is still remembered');
  now += 61_000;
  assert.equal(await store.setIfAbsent('after-expiry', 60_000), true, 'expired entries are swept');
  assert.equal(store.size, 1);
});

test('a ttl is clamped to maxTtlMs, and bad options are refused', async () => {
  let now = 0;
  const store = new MemoryReplayStore({ maxTtlMs: 1_000, now: () => now });
  await store.setIfAbsent('k', Number.POSITIVE_INFINITY);
  now += 1_001;
  assert.equal(await store.setIfAbsent('k', 10), true);
  assert.throws(() => new MemoryReplayStore({ maxEntries: 0 }), ConfigurationError);
});
