export type * from './verification-key.js';
