import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { CacheLock, CacheStore, StoredToken } from './cache-store.js';

export interface MemoryCacheStoreOptions {
  /** Most entries kept, tokens and values together; the least recently used goes first (default 1000). */
  maxEntries?: number;
}

interface Entry {
  value: StoredToken | string;
  /** Epoch ms. */
  expiresAt: number;
}

// Tokens and values live in one LRU (one bound for both) under separate namespaces, so a value can never be
// read back as a token or the other way round.
const TOKEN = 't:';
const VALUE = 'v:';

/**
 * The default `CacheStore`: a bounded LRU map in this process. Its lock makes managers that share the store
 * in one process fetch once between them, the way `@identity-model/redis` does across processes.
 */
export class MemoryCacheStore implements CacheStore {
  readonly #entries = new Map<string, Entry>();
  readonly #locks = new Map<string, { owner: string; expiresAt: number }>();
  readonly #maxEntries: number;

  constructor(options: MemoryCacheStoreOptions = {}) {
    const max = options.maxEntries ?? 1000;
    if (!Number.isInteger(max) || max < 1)
      throw new ConfigurationError('maxEntries: a positive integer is required');
    this.#maxEntries = max;
  }

  /** Tokens and values currently held (expired ones are dropped lazily). */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const value = this.#read(TOKEN + key);
    return typeof value === 'object' ? { ...value } : undefined;
  }

  async set(key: string, value: StoredToken, ttlMs: number): Promise<void> {
    this.#write(TOKEN + key, { ...value }, ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(TOKEN + key);
  }

  async getValue(key: string): Promise<string | undefined> {
    const value = this.#read(VALUE + key);
    return typeof value === 'string' ? value : undefined;
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    this.#write(VALUE + key, String(value), ttlMs);
  }

  #read(name: string): StoredToken | string | undefined {
    const entry = this.#entries.get(name);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(name);
      return undefined;
    }
    // Re-insert: Map order is the LRU order.
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    return entry.value;
  }

  #write(name: string, value: StoredToken | string, ttlMs: number): void {
    this.#entries.delete(name);
    if (!(ttlMs > 0)) return; // expired already, or NaN: nothing to keep
    this.#entries.set(name, { value, expiresAt: Date.now() + ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  async tryLock(key: string, ttlMs: number): Promise<CacheLock | undefined> {
    const now = Date.now();
    const held = this.#locks.get(key);
    if (held && held.expiresAt > now) return undefined;
    const owner = randomUUID();
    this.#locks.set(key, { owner, expiresAt: now + ttlMs });
    // Locks are few (one per key being fetched) but bound them anyway: drop expired ones.
    if (this.#locks.size > this.#maxEntries) {
      for (const [k, l] of this.#locks) if (l.expiresAt <= now) this.#locks.delete(k);
    }
    return {
      release: async () => {
        if (this.#locks.get(key)?.owner === owner) this.#locks.delete(key);
      },
    };
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#locks.clear();
  }
}
