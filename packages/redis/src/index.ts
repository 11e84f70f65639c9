export { CacheStoreError, type CacheStoreErrorCode } from './errors.js';
export { RedisCacheStore, type RedisCacheStoreOptions } from './redis-cache-store.js';
