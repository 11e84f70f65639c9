import { IdentityModelError } from '@identity-model/core';

export type CacheStoreErrorCode = 'cache_store_unavailable' | 'cache_store_timeout' | 'cache_store_closed';

/**
 * A store operation that did not complete: Redis down, slow, or the store closed. The token manager treats
 * it as a miss (reads) or a no-op (writes) and carries on with its in-process cache.
 */
export class CacheStoreError extends IdentityModelError {
  declare readonly code: CacheStoreErrorCode;

  constructor(code: CacheStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { code, cause: options.cause });
  }
}

/** Why `RedisReplayStore` could not answer: Redis down, Redis too slow, or the store closed. */
export type ReplayStoreErrorCode =
  | 'replay_store_unavailable'
  | 'replay_store_timeout'
  | 'replay_store_closed';

/**
 * `RedisReplayStore` could not tell whether an identifier was seen before: Redis down, slow, or the store
 * closed. The caller must refuse the request (a DPoP proof is answered 503), never accept it.
 */
export class ReplayStoreError extends IdentityModelError {
  declare readonly code: ReplayStoreErrorCode;

  constructor(code: ReplayStoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { code, cause: options.cause });
  }
}
