import type { KeySource, VerificationKey } from '../jwks/verification-key.js';
import { SIX_BITS } from './base64url.js';
import { FrequencySketch } from './frequency-sketch.js';
import type { ValidatedTokenResult } from './validated-token.js';

/** Doorkeeper slots per cache entry (a power of two at most `MAX_DOORKEEPER_SLOTS`). */
const DOORKEEPER_SLOTS_PER_ENTRY = 4;
const MAX_DOORKEEPER_SLOTS = 1 << 16;

interface Entry {
  readonly result: ValidatedTokenResult;
  readonly key: VerificationKey;
  readonly source: KeySource;
  /** Epoch ms from which the token no longer passes (`exp`, `iat + maxTokenAge`, or the max TTL). */
  readonly expiresAt: number;
  /** Epoch ms before which the token does not pass yet (`nbf`). */
  readonly notBefore: number;
}

/**
 * 30 bits from five characters just before the token's last one: for a JWS those are signature bits, as
 * good as random (the last character may carry padding bits); any other character counts as 0, since a hit
 * compares the whole token anyway. A small integer, so a lookup does not hash the whole ~700-character token
 * string (which costs ~1 µs for a string fresh from a request header).
 */
export function tokenFingerprint(token: string): number {
  const end = token.length - 1;
  if (end < 5) {
    let short = 0;
    for (let i = 0; i < token.length; i++) short = (short << 6) | SIX_BITS[token.charCodeAt(i) & 127]!;
    return short;
  }
  return (
    (SIX_BITS[token.charCodeAt(end - 5) & 127]! << 24) |
    (SIX_BITS[token.charCodeAt(end - 4) & 127]! << 18) |
    (SIX_BITS[token.charCodeAt(end - 3) & 127]! << 12) |
    (SIX_BITS[token.charCodeAt(end - 2) & 127]! << 6) |
    SIX_BITS[token.charCodeAt(end - 1) & 127]!
  );
}

/**
 * Tokens already verified. Entries are keyed by `tokenFingerprint`, and a hit also needs the whole token to
 * be equal, so a colliding or forged token is a miss, never someone else's result. A Map keeps insertion
 * order, which makes it an LRU when a hit re-inserts (a hit on the newest entry is already in place). Only
 * successes are stored (≤ the token length cap each, so 1000 entries of 8 KiB stay under 10 MB).
 *
 * Admission (TinyLFU): while there is room every verified token is kept; once full, a token takes the least
 * recently used one's place only when the doorkeeper saw it before and it was seen more often lately than that
 * entry (`FrequencySketch`, which counts hits and verifications, never failures). A flood of tokens seen once
 * then neither pushes out the tokens in use nor moves an entry per request through the young generation into
 * the old one; and when more tokens cycle than the cache holds, it keeps a fixed share of them instead of
 * churning (the GC work that made our p99 latency up to 2.5× the floor hook's under 10,000 distinct tokens).
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<number, Entry>();
  readonly #maxEntries: number;
  readonly #maxTtlMs: number;
  readonly #frequencies: FrequencySketch;
  /**
   * Fingerprint + 1 of the last token offered in each slot while the cache was full (0: an empty slot). The
   * sketch alone over-counts some one-shot tokens in a flood of them (their counters are shared), so a token
   * must also have been offered before.
   */
  readonly #seen: Int32Array;
  readonly #seenMask: number;
  /** The entry placed last: a hit on it is already where a re-insertion would put it. */
  #newest: Entry | undefined;

  constructor(maxEntries: number, maxTtlMs: number) {
    this.#maxEntries = maxEntries;
    this.#maxTtlMs = maxTtlMs;
    this.#frequencies = new FrequencySketch(maxEntries);
    let slots = 1;
    while (slots < maxEntries * DOORKEEPER_SLOTS_PER_ENTRY && slots < MAX_DOORKEEPER_SLOTS) slots <<= 1;
    this.#seen = new Int32Array(slots);
    this.#seenMask = slots - 1;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The result when the token is cached and still passes at `nowMs` with a key still current. */
  get(token: string, nowMs: number): ValidatedTokenResult | undefined {
    const fingerprint = tokenFingerprint(token);
    const entry = this.#entries.get(fingerprint);
    if (entry === undefined || entry.result.token !== token) return undefined;
    if (nowMs >= entry.expiresAt || nowMs < entry.notBefore || !entry.source.isCurrent(entry.key)) {
      this.#entries.delete(fingerprint);
      return undefined;
    }
    if (entry !== this.#newest) {
      // Delete then set moves the entry last: the least recently used stays first.
      this.#entries.delete(fingerprint);
      this.#entries.set(fingerprint, entry);
      this.#newest = entry;
    }
    this.#frequencies.increment(fingerprint);
    return entry.result;
  }

  set(
    token: string,
    result: ValidatedTokenResult,
    key: VerificationKey,
    source: KeySource,
    nowMs: number,
    expiresAt: number,
    notBefore: number,
  ): void {
    expiresAt = Math.min(expiresAt, nowMs + this.#maxTtlMs);
    if (expiresAt <= nowMs) return;
    const fingerprint = tokenFingerprint(token);
    this.#frequencies.increment(fingerprint);
    // A fingerprint already held (this token again, or a rare collision) is replaced in place.
    if (!this.#entries.delete(fingerprint) && this.#entries.size >= this.#maxEntries) {
      if (!this.#seenBefore(fingerprint)) return;
      const oldest = this.#entries.keys().next().value!;
      // A tie keeps the entry: admitting would only trade one token for another as often seen.
      if (this.#frequencies.frequency(fingerprint) <= this.#frequencies.frequency(oldest)) return;
      this.#entries.delete(oldest);
    }
    this.#newest = { result, key, source, expiresAt, notBefore };
    this.#entries.set(fingerprint, this.#newest);
  }

  /** Remembers the token in its slot; true when it was the one there already. */
  #seenBefore(fingerprint: number): boolean {
    const slot = fingerprint & this.#seenMask;
    const before = this.#seen[slot] === fingerprint + 1;
    this.#seen[slot] = fingerprint + 1;
    return before;
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
    this.#frequencies.clear();
    this.#seen.fill(0);
  }
}
