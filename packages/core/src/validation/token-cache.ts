import type { KeySource, VerificationKey } from '../jwks/verification-key.js';
import type { ValidatedTokenResult } from './validated-token.js';

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
 * Tokens already verified, keyed by the token string itself (≤ the token length cap each, so 1000 entries of
 * 8 KiB stay under 10 MB). A Map keeps insertion order, which makes it an LRU when a hit re-inserts. Only
 * successes are stored.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxTtlMs: number;

  constructor(maxEntries: number, maxTtlMs: number) {
    this.#maxEntries = maxEntries;
    this.#maxTtlMs = maxTtlMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The result when the token is cached and still passes at `nowMs` with a key still current. */
  get(token: string, nowMs: number): ValidatedTokenResult | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (nowMs >= entry.expiresAt || nowMs < entry.notBefore || !entry.source.isCurrent(entry.key))
      return undefined;
    this.#entries.set(token, entry);
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
    this.#entries.delete(token);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { result, key, source, expiresAt, notBefore });
  }

  clear(): void {
    this.#entries.clear();
  }
}
