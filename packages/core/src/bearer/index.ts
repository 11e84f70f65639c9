export {
  type AuthenticateBearerOptions,
  authenticateBearer,
  toBearerError,
} from './authenticate.js';
export {
  authorizeBearer,
  type BearerAuthenticator,
  type BearerAuthOptions,
  type BearerOptions,
  createBearerAuthenticator,
  type TokenKindOptions,
} from './authenticator.js';
export {
  BearerError,
  type BearerErrorBody,
  type BearerErrorCode,
  type BearerErrorOptions,
  type BearerResponse,
  DEFAULT_RETRY_AFTER_SECONDS,
} from './bearer-error.js';
export {
  type BearerChallenge,
  type ChallengeScheme,
  type ChallengeSettings,
  formatBearerChallenge,
  formatChallenge,
  quoteHeaderValue,
} from './challenge.js';
export {
  ENVIRONMENT_VARIABLES,
  type Environment,
  type EnvironmentValidatorOptions,
  readEnvironmentAudience,
  readEnvironmentIssuer,
  withEnvironmentOptions,
} from './environment-options.js';
export { type BearerExtractionOptions, type BearerRequest, extractBearerToken } from './extract-token.js';
export {
  type AuthGuard,
  checkGuard,
  claimCheck,
  claimEquals,
  claimIncludes,
  type GuardMiddlewares,
  type GuardResult,
  guardMiddlewares,
  requireAnyScope,
  requireScopes,
} from './guards.js';
export { createServiceFetch, type ServiceFetch, type ServiceTokenOptions } from './service-fetch.js';
