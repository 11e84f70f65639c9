export {
  CacheStoreError,
  type CacheStoreErrorCode,
  ReplayStoreError,
  type ReplayStoreErrorCode,
} from './errors.js';
export { RedisCacheStore, type RedisCacheStoreOptions } from './redis-cache-store.js';
export { RedisReplayStore, type RedisReplayStoreOptions } from './redis-replay-store.js';
