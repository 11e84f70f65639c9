/**
 * The in-process introspection cache on its own: least recently used first out (a hit on the newest entry is
 * not re-inserted, and must not change that order), expiry, and the byte count a hit leaves unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  IntrospectionCache,
  type IntrospectionVerdict,
} from '../../src/introspection/introspection-cache.js';

const NOW = 1_000_000;
const verdict = (sub: string): IntrospectionVerdict => ({ accepted: true, claims: { sub } });

function filled(maxEntries: number, keys: string[]): IntrospectionCache {
  const cache = new IntrospectionCache(maxEntries, 1_000_000);
  for (const key of keys) cache.set(key, verdict(key), NOW + 60_000, NOW, 20);
  return cache;
}

const present = (cache: IntrospectionCache, keys: string[]) =>
  keys.filter((key) => cache.get(key, NOW) !== undefined);

describe('introspection cache: least recently used goes first', () => {
  test('a hit on an older entry keeps it when the next one is evicted', () => {
    const cache = filled(3, ['a', 'b', 'c']);
    assert.ok(cache.get('a', NOW));
    cache.set('d', verdict('d'), NOW + 60_000, NOW, 20);
    assert.deepEqual(present(cache, ['a', 'b', 'c', 'd']), ['a', 'c', 'd']);
  });

  test('hits on the newest entry, then on an older one: the entry used longest ago goes first', () => {
    const cache = filled(2, ['a', 'b']);
    assert.ok(cache.get('b', NOW));
    assert.ok(cache.get('b', NOW));
    assert.ok(cache.get('a', NOW));
    cache.set('c', verdict('c'), NOW + 60_000, NOW, 20);
    assert.deepEqual(present(cache, ['a', 'b', 'c']), ['a', 'c']);
  });

  test('after the newest entry is evicted, a hit on what is now last still moves nothing out of order', () => {
    const cache = filled(2, ['a', 'b']);
    assert.equal(cache.get('b', NOW + 60_000), undefined); // expired: removed
    assert.ok(cache.get('a', NOW));
    cache.set('c', verdict('c'), NOW + 60_000, NOW, 20);
    cache.set('d', verdict('d'), NOW + 60_000, NOW, 20);
    assert.deepEqual(present(cache, ['a', 'b', 'c', 'd']), ['c', 'd']);
  });
});

describe('introspection cache: bookkeeping', () => {
  test('hits leave the entry and byte counts as they were', () => {
    const cache = filled(10, ['a', 'b', 'c']);
    const bytes = cache.bytes;
    for (let i = 0; i < 5; i++) for (const key of ['c', 'a', 'a', 'b']) assert.ok(cache.get(key, NOW));
    assert.equal(cache.size, 3);
    assert.equal(cache.bytes, bytes);
  });

  test('an entry is not used from its until on, and its bytes are given back', () => {
    const cache = filled(10, ['a']);
    assert.equal(cache.get('a', NOW + 59_999)?.accepted, true);
    assert.equal(cache.get('a', NOW + 60_000), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.bytes, 0);
  });

  test('clear forgets every entry, the newest included', () => {
    const cache = filled(10, ['a', 'b']);
    cache.clear();
    assert.equal(cache.get('b', NOW), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.bytes, 0);
  });
});
