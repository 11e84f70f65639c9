export {
  DEFAULT_REPLAY_ENTRIES,
  MemoryReplayStore,
  type MemoryReplayStoreOptions,
  ReplayStoreFullError,
} from './memory-replay-store.js';
export type { ReplayStore } from './replay-store.js';
