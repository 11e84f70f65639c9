export { createAutoTokenValidator, looksLikeJws } from './auto-validator.js';
export { introspectToken } from './introspect-token.js';
export type { IntrospectionMembers } from './introspection-members.js';
export {
  DEFAULT_INACTIVE_CACHE_SECONDS,
  DEFAULT_INTROSPECTION_CACHE_SECONDS,
  DEFAULT_INTROSPECTION_MAX_BYTES,
  DEFAULT_INTROSPECTION_MAX_ENTRIES,
  DEFAULT_MAX_CONCURRENT_INTROSPECTIONS,
  DEFAULT_MAX_QUEUED_INTROSPECTIONS,
  type IntrospectionOptions,
  type IntrospectionValidatorOptions,
} from './introspection-options.js';
export {
  createIntrospectionValidator,
  INTROSPECTED_TOKEN_HEADER,
  IntrospectionTokenValidator,
} from './introspection-validator.js';
export {
  MAX_INTROSPECTED_TOKEN_LENGTH,
  TOKEN_INTROSPECTION_JWT_MEDIA_TYPE,
  TokenIntrospectionRequest,
  type TokenIntrospectionRequestOptions,
} from './token-introspection-request.js';
export { TokenIntrospectionResponse } from './token-introspection-response.js';
