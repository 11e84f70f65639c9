import type { Logger } from '../logger.js';
import type { CacheLock, CacheStore } from '../token-management/cache-store.js';
import { StoreGuard } from '../token-management/store-guard.js';
import { parseJsonObject } from '../validation/safe-json.js';

/** A stored answer: the introspection members as received and the epoch ms until which they may be used. */
export interface StoredAnswer {
  claims: Record<string, unknown>;
  until: number;
}

const STORE_TIMEOUT_MS = 1000;
const STORE_RETRY_MS = 5000;
const LOCK_POLL_MS = 50;
/** A stored value longer than this is not ours (an answer is a few hundred bytes). */
const MAX_STORED_LENGTH = 1024 * 1024;

/**
 * Introspection answers shared through a `CacheStore` (`getValue`/`setValue`), under `introspection:<hash>`
 * (the caller's key is already a hash: the token is never stored). Every call goes through a `StoreGuard`:
 * bounded in time, a failure is a miss, one warning per outage. A value that does not parse is a miss; the
 * caller re-checks what it reads (a shared store is not trusted to say a token is valid).
 */
export class IntrospectionStore {
  readonly #guard: StoreGuard;

  constructor(store: CacheStore, logger: Logger) {
    this.#guard = new StoreGuard(store, logger, STORE_TIMEOUT_MS, STORE_RETRY_MS);
  }

  async read(key: string, nowMs: number): Promise<StoredAnswer | undefined> {
    const value = await this.#guard.getValue(`introspection:${key}`);
    if (value === undefined || value.length > MAX_STORED_LENGTH) return undefined;
    const parsed = parseJsonObject(value, true);
    if (!parsed.ok) return undefined;
    const { v, until, claims } = parsed.value as Record<string, unknown>;
    if (v !== 1 || typeof until !== 'number' || !(until > nowMs)) return undefined;
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
    return { claims: claims as Record<string, unknown>, until };
  }

  async write(
    key: string,
    claims: Readonly<Record<string, unknown>>,
    until: number,
    nowMs: number,
  ): Promise<void> {
    if (until <= nowMs) return;
    await this.#guard.setValue(
      `introspection:${key}`,
      JSON.stringify({ v: 1, until, claims }),
      until - nowMs,
    );
  }

  /**
   * Cross-process single flight (when the store has `tryLock`): resolves `{ lock }` when this process should
   * introspect (release it after `write`), `{ answer }` when another process stored one meanwhile, or `{}` to
   * introspect without a lock (no lock support, the store failing, or the holder still holding it at its
   * expiry). Another process's introspection is waited for as long as its lock lives (`lockTtlMs`, the
   * request timeout and a second): a slow server then still gets one introspection, not one per process.
   * The store is read again once the lock is ours: an answer stored just before it is used, not redone.
   */
  async claim(
    key: string,
    now: () => number,
    lockTtlMs: number,
  ): Promise<{ lock?: CacheLock; answer?: StoredAnswer }> {
    if (!this.#guard.supportsLock) return {};
    const name = `introspection-lock:${key}`;
    // Real time, not `now`: a test clock that stands still must not make this wait forever.
    const deadline = Date.now() + lockTtlMs;
    for (;;) {
      const result = await this.#guard.tryLock(name, lockTtlMs);
      if (result.state === 'acquired') {
        // The holder before us may have stored its answer and released between the caller's read and now.
        const answer = await this.read(key, now());
        if (answer === undefined) return { lock: result.lock };
        await this.release(result.lock);
        return { answer };
      }
      if (result.state === 'unavailable') return {};
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS).unref());
      const answer = await this.read(key, now());
      if (answer !== undefined) return { answer };
      if (Date.now() >= deadline) return {};
    }
  }

  release(lock: CacheLock): Promise<void> {
    return this.#guard.release(lock);
  }
}
