export {
  type AuthorizationRequestParameters,
  type ExtraAuthorizationParameters,
  type ParameterList,
  RESERVED_AUTHORIZATION_PARAMETERS,
} from './authorization-parameters.js';
export { AuthorizeCallbackError, type AuthorizeCallbackErrorCode } from './authorize-callback-error.js';
export {
  type AuthorizeCallbackInput,
  AuthorizeCallbackResponse,
  parseAuthorizeCallbackResponse,
} from './authorize-callback-response.js';
export {
  type AuthorizationEndpointOptions,
  type AuthorizationUrl,
  type AuthorizationUrlOptions,
  buildAuthorizationUrl,
  type RequestReferenceUrl,
  type RequestReferenceUrlOptions,
} from './build-authorization-url.js';
export { buildEndSessionUrl, type EndSessionUrlOptions } from './build-end-session-url.js';
export {
  type CodeChallengeMethod,
  generateCodeChallenge,
  generateCodeVerifier,
  generatePkcePair,
  type PkcePair,
} from './pkce.js';
export { type JarmOptions, processJarmResponse } from './process-jarm-response.js';
export { pushAuthorizationRequest } from './push-authorization-request.js';
export { requiresPushedAuthorization } from './pushed-authorization-policy.js';
export {
  PushedAuthorizationRequest,
  type PushedAuthorizationRequestOptions,
} from './pushed-authorization-request.js';
export { MAX_PUSHED_REQUEST_LIFETIME, PushedAuthorizationResponse } from './pushed-authorization-response.js';
export {
  createRequestObject,
  REQUEST_OBJECT_TYP,
  type RequestObject,
  type RequestObjectOptions,
} from './request-object.js';
export {
  type AuthorizeCallbackIssuerOptions,
  validateAuthorizeCallbackIssuer,
} from './validate-callback-issuer.js';
export { validateAuthorizeCallbackState } from './validate-callback-state.js';
