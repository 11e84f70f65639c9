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
