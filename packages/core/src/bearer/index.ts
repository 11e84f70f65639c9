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
export {
  type BearerExtractionOptions,
  type BearerRequest,
  type Credentials,
  extractBearerToken,
  extractCredentials,
} from './extract-token.js';
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
export { checkPublicUrl, type RequestUrlSettings, requestUrl } from './request-url.js';
export { type AuthenticationRequirement, requireAuthentication } from './require-authentication.js';
export { SenderConstraint, type SenderConstraintContext } from './sender-constraint.js';
export { SenderConstraintError, type SenderConstraintErrorCode } from './sender-constraint-error.js';
export type {
  CertificateSource,
  DPoPOptions,
  MtlsOptions,
  SenderConstraintOptions,
} from './sender-constraint-options.js';
export { createServiceFetch, type ServiceFetch, type ServiceTokenOptions } from './service-fetch.js';
export { TrustedProxies } from './trusted-proxies.js';
export { type AuthenticationOutcome, whenAuthenticated } from './when-authenticated.js';
