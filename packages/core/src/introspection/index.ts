export { introspectToken } from './introspect-token.js';
export type { IntrospectionMembers } from './introspection-members.js';
export {
  MAX_INTROSPECTED_TOKEN_LENGTH,
  TOKEN_INTROSPECTION_JWT_MEDIA_TYPE,
  TokenIntrospectionRequest,
  type TokenIntrospectionRequestOptions,
} from './token-introspection-request.js';
export { TokenIntrospectionResponse } from './token-introspection-response.js';
