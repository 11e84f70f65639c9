import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PerIssuerResolver } from '../../src/validation/key-source-resolver.js';
import { CountingKeySource } from './helpers.js';

/** A resolver of at most `max` sources made by `make`, with every source it made. */
function resolverOf<S extends CountingKeySource>(make: () => S, max: number) {
  const created: S[] = [];
  const resolver = new PerIssuerResolver(() => {
    const s = make();
    created.push(s);
    return s;
  }, max);
  return { resolver, created };
}

test('per-issuer key sources are bounded (an issuer predicate cannot grow them without limit)', async () => {
  const { resolver, created } = resolverOf(() => new CountingKeySource([]), 3);
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

test('an evicted source is closed only once its calls in flight settle, which still get their keys', async () => {
  const gates: (() => void)[] = [];
  class GatedKeySource extends CountingKeySource {
    gated = false;
    override async getKeys(kid: string | undefined) {
      if (this.gated) await new Promise<void>((release) => gates.push(release));
      return super.getKeys(kid);
    }
  }
  const { resolver, created } = resolverOf(() => new GatedKeySource([]), 1);
  const a = resolver.forIssuer('https://a.example');
  await resolver.getKeys('https://a.example', a, undefined); // admitted
  created[0]!.gated = true;
  const inFlight = resolver.getKeys('https://a.example', a, undefined);
  const b = resolver.forIssuer('https://b.example');
  await resolver.getKeys('https://b.example', b, undefined); // admitted: a is evicted
  await new Promise((r) => setImmediate(r));
  assert.equal(created[0]!.closed, false, 'not closed under its call in flight');
  gates.shift()!();
  assert.deepEqual(await inFlight, []);
  await new Promise((r) => setImmediate(r));
  assert.equal(created[0]!.closed, true, 'closed once the call settled');
  await resolver.close();
  assert.ok(created.every((s) => s.closed));
});
