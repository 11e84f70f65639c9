/** A client-credentials token as kept in a cache. */
export interface StoredToken {
  accessToken: string;
  tokenType: string;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
  scope?: string;
}

/** A held distributed lock; releasing a lock that has expired or changed owner does nothing. */
export interface CacheLock {
  release(): Promise<void>;
}

/**
 * Where the token manager keeps tokens. In-memory by default; `@identity-model/redis` shares one token
 * across a fleet. A store may reject (its backend is down): the manager then falls back to its
 * in-process cache and fetches by itself, so a store failure never fails a caller.
 */
export interface CacheStore {
  get(key: string): Promise<StoredToken | undefined>;
  /** Keeps the value for at most `ttlMs`. */
  set(key: string, value: StoredToken, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Optional single flight across processes: resolves a lock when this caller may fetch, `undefined` when
   * another holder has it (the caller then waits for the stored token, bounded, before fetching itself).
   * The lock expires by itself after `ttlMs` so a holder that dies blocks nobody for long. `key` is the
   * token's own cache key: keep locks in a namespace of their own. The manager calls `tryLock` only when
   * it is about to fetch, `set`s the new token, then `release`s.
   */
  tryLock?(key: string, ttlMs: number): Promise<CacheLock | undefined>;
  /** Optional: an opaque string value under `key` for at most `ttlMs` (introspection results; issue 16 may
   *  add replay markers). Same key rules as tokens (the caller hashes anything secret into the key). */
  getValue?(key: string): Promise<string | undefined>;
  setValue?(key: string, value: string, ttlMs: number): Promise<void>;
  close?(): Promise<void>;
}
