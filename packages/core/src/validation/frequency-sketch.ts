/** Counters per row for each entry the cache holds; rows are powers of two between these bounds. */
const COUNTERS_PER_ENTRY = 4;
const MIN_ROW = 1 << 10;
const MAX_ROW = 1 << 20;
/** Sightings recorded between two agings, per entry the cache holds (Caffeine's ratio). */
const SAMPLE_PER_ENTRY = 10;
/** A counter stops here (4 bits' worth), so halving forgets a once-hot token within a few samples. */
const MAX_COUNT = 15;
const ROW_SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f] as const;

/**
 * How often each token was seen lately: TinyLFU's count-min sketch over token fingerprints. Four rows of
 * small counters; a token's frequency is the least of its four counters, so it is never under-counted and
 * only over-counted when another token shares all four. Every `SAMPLE_PER_ENTRY × entries` sightings, all
 * counters are halved: what was frequent long ago fades, and memory stays fixed (4 × row bytes).
 */
export class FrequencySketch {
  readonly #counters: Uint8Array;
  /** The same bytes four at a time, so aging halves a word per step. */
  readonly #words: Uint32Array;
  readonly #rowMask: number;
  readonly #rowLength: number;
  readonly #sampleSize: number;
  #sightings = 0;

  constructor(maxEntries: number) {
    let row = MIN_ROW;
    while (row < maxEntries * COUNTERS_PER_ENTRY && row < MAX_ROW) row <<= 1;
    this.#rowLength = row;
    this.#rowMask = row - 1;
    this.#counters = new Uint8Array(ROW_SEEDS.length * row);
    this.#words = new Uint32Array(this.#counters.buffer);
    this.#sampleSize = maxEntries * SAMPLE_PER_ENTRY;
  }

  /** Counts one sighting of `fingerprint`; ages every counter once a sample is complete. */
  increment(fingerprint: number): void {
    let raised = false;
    for (let i = 0; i < ROW_SEEDS.length; i++) {
      const at = this.#index(fingerprint, i);
      if (this.#counters[at]! < MAX_COUNT) {
        this.#counters[at]!++;
        raised = true;
      }
    }
    if (raised && ++this.#sightings >= this.#sampleSize) this.#age();
  }

  /** Sightings of `fingerprint` since counters were last halved (plus half of those before), at most 15. */
  frequency(fingerprint: number): number {
    let least = MAX_COUNT;
    for (let i = 0; i < ROW_SEEDS.length; i++)
      least = Math.min(least, this.#counters[this.#index(fingerprint, i)]!);
    return least;
  }

  clear(): void {
    this.#counters.fill(0);
    this.#sightings = 0;
  }

  /** A counter in row `row`: the fingerprint mixed with the row's seed (murmur3's finaliser steps). */
  #index(fingerprint: number, row: number): number {
    let h = Math.imul(fingerprint ^ ROW_SEEDS[row]!, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
    return row * this.#rowLength + (h & this.#rowMask);
  }

  #age(): void {
    const words = this.#words;
    for (let i = 0; i < words.length; i++) words[i] = (words[i]! >>> 1) & 0x7f7f7f7f;
    this.#sightings = 0;
  }
}
