import type { Logger } from '../logger.js';
import type { CacheLock, CacheStore, StoredToken } from './cache-store.js';

export type LockResult =
  | { state: 'acquired'; lock: CacheLock }
  | { state: 'busy' }
  | { state: 'unavailable' };

function describe(err: unknown): { error: string; code?: string; message?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { error: typeof err };
}

class StoreTimeout extends Error {
  constructor(op: string, ms: number) {
    super(`cache store ${op} took longer than ${ms} ms`);
    this.name = 'StoreTimeout';
  }
}

/**
 * Wraps a `CacheStore` so that it can never fail or stall a caller: each call is bounded by a timeout, a
 * rejection turns into "no answer", and after a failure the store is left alone for `retryMs` before it is
 * probed again (one warning per outage, one info line on recovery).
 */
export class StoreGuard {
  readonly #store: CacheStore;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #retryMs: number;
  #downUntil = 0;
  #down = false;

  constructor(store: CacheStore, logger: Logger, timeoutMs: number, retryMs: number) {
    this.#store = store;
    this.#logger = logger;
    this.#timeoutMs = timeoutMs;
    this.#retryMs = retryMs;
  }

  get supportsLock(): boolean {
    return typeof this.#store.tryLock === 'function';
  }

  /** True while the store is considered down (calls are skipped until the next probe). */
  get isDown(): boolean {
    return this.#down;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const result = await this.#call('get', () => this.#store.get(key));
    if (!result.ok) return undefined;
    const value = result.value;
    // A store shared with other software could hold anything: use only a well-formed token.
    if (
      value &&
      typeof value.accessToken === 'string' &&
      value.accessToken.length > 0 &&
      typeof value.tokenType === 'string' &&
      typeof value.expiresAt === 'number' &&
      Number.isFinite(value.expiresAt)
    ) {
      return value;
    }
    return undefined;
  }

  async set(key: string, value: StoredToken, ttlMs: number): Promise<void> {
    await this.#call('set', () => this.#store.set(key, value, ttlMs));
  }

  /** The store's opaque value under `key`; undefined when absent, unsupported or the store is failing. */
  async getValue(key: string): Promise<string | undefined> {
    const getValue = this.#store.getValue;
    if (!getValue) return undefined;
    const result = await this.#call('getValue', () => getValue.call(this.#store, key));
    return result.ok && typeof result.value === 'string' ? result.value : undefined;
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    const setValue = this.#store.setValue;
    if (!setValue) return;
    await this.#call('setValue', () => setValue.call(this.#store, key, value, ttlMs));
  }

  async delete(key: string): Promise<void> {
    await this.#call('delete', () => this.#store.delete(key));
  }

  async tryLock(key: string, ttlMs: number): Promise<LockResult> {
    const tryLock = this.#store.tryLock;
    if (!tryLock) return { state: 'unavailable' };
    const result = await this.#call('tryLock', () => tryLock.call(this.#store, key, ttlMs));
    if (!result.ok) return { state: 'unavailable' };
    return result.value ? { state: 'acquired', lock: result.value } : { state: 'busy' };
  }

  async release(lock: CacheLock): Promise<void> {
    await this.#call('release', () => lock.release());
  }

  async #call<T>(op: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (this.#down && Date.now() < this.#downUntil) return { ok: false };
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StoreTimeout(op, this.#timeoutMs)), this.#timeoutMs);
          timer.unref();
        }),
      ]);
      if (this.#down) {
        this.#down = false;
        this.#logger.info({ op }, 'token cache store available again');
      }
      return { ok: true, value };
    } catch (err) {
      this.#downUntil = Date.now() + this.#retryMs;
      if (!this.#down) {
        this.#down = true;
        this.#logger.warn(
          { op, ...describe(err) },
          'token cache store failed; using the in-process cache and fetching directly until it recovers',
        );
      }
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }
}
