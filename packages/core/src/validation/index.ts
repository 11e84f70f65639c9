export type * from './types.js';
export type * from './options.js';
export { createTokenValidator } from './token-validator.js';
export { SecretKeySource } from './secret-key-source.js';
