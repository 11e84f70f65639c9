import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PerIssuerResolver } from '../../src/validation/key-source-resolver.js';
import { CountingKeySource } from './helpers.js';

test('per-issuer key sources are bounded (an issuer predicate cannot grow them without limit)', async () => {
  const created: CountingKeySource[] = [];
  const resolver = new PerIssuerResolver(() => {
    const s = new CountingKeySource([]);
    created.push(s);
    return s;
  }, 3);
  for (let i = 0; i < 50; i++) resolver.forIssuer(`https://tenant-${i}.example`);
  assert.equal(resolver.size, 3);
  assert.equal(created.length, 50);
  await new Promise((r) => setImmediate(r));
  assert.equal(created.filter((s) => s.closed).length, 47, 'evicted sources are closed');
  // Recently used issuers stay; the same issuer gets the same source.
  const kept = resolver.forIssuer('https://tenant-49.example');
  assert.equal(kept, created[49]);
  await resolver.close();
  assert.ok(created.every((s) => s.closed));
});
