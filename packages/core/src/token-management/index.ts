export { type AuthenticatedFetchOptions, createAuthenticatedFetch } from './authenticated-fetch.js';
export type * from './cache-store.js';
export { ClientCredentialsTokenManager } from './client-credentials-token-manager.js';
export {
  type AuthenticationChallenge,
  isInvalidTokenChallenge,
  parseChallenges,
  type TokenInjectionOptions,
} from './injection-support.js';
export type { AccessTokenSource, ClientCredentialsToken, GetTokenOptions } from './managed-token.js';
export type { ClientCredentialsTokenManagerOptions } from './manager-options.js';
export { MemoryCacheStore, type MemoryCacheStoreOptions } from './memory-cache-store.js';
export { clientCredentialsInterceptor } from './token-interceptor.js';
