export type * from './cache-store.js';
