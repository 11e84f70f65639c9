import { ConfigurationError, IdentityModelError } from '../errors.js';
import type { ReplayStore } from './replay-store.js';

export interface MemoryReplayStoreOptions {
  /** Most identifiers remembered at once. Default 10 000. */
  maxEntries?: number;
  /** Longest time (ms) one identifier is remembered, whatever the caller asks. Default 1 h. */
  maxTtlMs?: number;
  /** Current time in ms since the epoch. Default `Date.now`; injectable for tests. */
  now?: () => number;
}

export const DEFAULT_REPLAY_ENTRIES = 10_000;
const DEFAULT_MAX_TTL_MS = 3_600_000;
/** A full sweep of expired entries runs at most this often (ms): a flood cannot make every call O(n). */
const SWEEP_INTERVAL_MS = 1_000;

/** Raised when the store holds `maxEntries` live identifiers: nothing new is accepted until some expire. */
export class ReplayStoreFullError extends IdentityModelError {
  constructor() {
    super('replay store is full of live identifiers', { code: 'replay_store_full' });
  }
}

/**
 * A bounded in-process `ReplayStore`. When full of identifiers that have not expired it refuses new ones
 * (rejects with `ReplayStoreFullError`) instead of forgetting old ones: evicting a live identifier would let
 * whoever filled the store replay it.
 */
export class MemoryReplayStore implements ReplayStore {
  /** key → expiry (epoch ms). */
  readonly #entries = new Map<string, number>();
  readonly #max: number;
  readonly #maxTtlMs: number;
  readonly #now: () => number;
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryReplayStoreOptions = {}) {
    const { maxEntries = DEFAULT_REPLAY_ENTRIES, maxTtlMs = DEFAULT_MAX_TTL_MS, now = Date.now } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000) {
      throw new ConfigurationError('MemoryReplayStore: maxEntries must be an integer between 1 and 10000000');
    }
    if (!Number.isFinite(maxTtlMs) || maxTtlMs < 1) {
      throw new ConfigurationError('MemoryReplayStore: maxTtlMs must be a positive number of milliseconds');
    }
    if (typeof now !== 'function') throw new ConfigurationError('MemoryReplayStore: now must be a function');
    this.#max = maxEntries;
    this.#maxTtlMs = maxTtlMs;
    this.#now = now;
  }

  /** Identifiers held now (expired ones included until swept). */
  get size(): number {
    return this.#entries.size;
  }

  async setIfAbsent(key: string, ttlMs: number): Promise<boolean> {
    return this.setIfAbsentNow(key, ttlMs);
  }

  setIfAbsentNow(key: string, ttlMs: number): boolean {
    const now = this.#now();
    const expiry = this.#entries.get(key);
    if (expiry !== undefined) {
      if (expiry > now) return false;
      this.#entries.delete(key);
    }
    if (this.#entries.size >= this.#max) this.#sweep(now);
    if (this.#entries.size >= this.#max) throw new ReplayStoreFullError();
    const ttl = Number.isFinite(ttlMs) ? Math.min(Math.max(ttlMs, 1), this.#maxTtlMs) : this.#maxTtlMs;
    this.#entries.set(key, now + ttl);
    return true;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  #sweep(now: number): void {
    if (now - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = now;
    for (const [key, expiry] of this.#entries) if (expiry <= now) this.#entries.delete(key);
  }
}
