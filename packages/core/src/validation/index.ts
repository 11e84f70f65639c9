export { DiscoveryKeySource, type DiscoveryKeySourceOptions } from './discovery-key-source.js';
export type * from './options.js';
export { DEFAULT_CLOCK_TOLERANCE } from './resolve-options.js';
export { SecretKeySource } from './secret-key-source.js';
export { createTokenValidator } from './token-validator.js';
export type * from './types.js';
export {
  closeValidateTokenCache,
  type TokenValidationConfig,
  type TokenValidationOptions,
  validateToken,
} from './validate-token.js';
