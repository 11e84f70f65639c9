import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrequencySketch } from '../../src/validation/frequency-sketch.js';

/** Fixed 30-bit fingerprints (an LCG), so every run counts the same collisions. */
function fingerprints(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 2;
  });
}

describe('frequency sketch (TinyLFU)', () => {
  test('counts each sighting of a token; one never seen counts 0', () => {
    const sketch = new FrequencySketch(100);
    const [a, b] = fingerprints(2, 1) as [number, number];
    assert.equal(sketch.frequency(a), 0);
    for (let i = 0; i < 7; i++) sketch.increment(a);
    sketch.increment(b);
    assert.equal(sketch.frequency(a), 7);
    assert.equal(sketch.frequency(b), 1);
  });

  test('a counter stops at 15, and sightings that raise no counter do not bring aging closer', () => {
    const sketch = new FrequencySketch(10); // ages every 100 sightings
    const [hot, ...others] = fingerprints(86, 2) as [number, ...number[]];
    for (let i = 0; i < 515; i++) sketch.increment(hot);
    assert.equal(
      sketch.frequency(hot),
      15,
      'saturated, and not halved by 500 sightings that counted nothing',
    );
    for (const f of others.slice(0, 84)) sketch.increment(f);
    assert.equal(sketch.frequency(hot), 15, '99 counted sightings');
    sketch.increment(others[84]!);
    assert.equal(sketch.frequency(hot), 7, 'the 100th counted sighting halved every counter');
  });

  test('every sample of 10 × entries sightings halves the counts, so old popularity fades', () => {
    const sketch = new FrequencySketch(10);
    const [once, ...rest] = fingerprints(100, 3) as [number, ...number[]];
    for (let i = 0; i < 8; i++) sketch.increment(once);
    for (const f of rest.slice(0, 91)) sketch.increment(f);
    assert.equal(sketch.frequency(once), 8, '99 sightings: not aged yet');
    sketch.increment(rest[91]!);
    assert.equal(sketch.frequency(once), 4);
    assert.equal(rest.filter((f) => sketch.frequency(f) > 0).length, 0, 'tokens seen once are forgotten');
  });

  test('distinct tokens rarely inflate one another: fewer than 1 % of 1,000 are over-counted', () => {
    const sketch = new FrequencySketch(1000);
    const all = fingerprints(1000, 4);
    for (const f of all) sketch.increment(f);
    const overCounted = all.filter((f) => sketch.frequency(f) !== 1).length;
    assert.ok(overCounted < 10, `over-counted: ${overCounted}`);
    assert.ok(
      all.every((f) => sketch.frequency(f) >= 1),
      'a count-min sketch never under-counts',
    );
  });

  test('clear forgets every count', () => {
    const sketch = new FrequencySketch(10);
    const [a] = fingerprints(1, 5) as [number];
    sketch.increment(a);
    sketch.increment(a);
    sketch.clear();
    assert.equal(sketch.frequency(a), 0);
  });
});
