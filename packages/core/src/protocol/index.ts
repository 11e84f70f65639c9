export {
  AuthenticatedEndpointRequest,
  type AuthenticatedRequestOptions,
  type EndpointParameters,
  extraHeaders,
} from './authenticated-request.js';
export {
  EndpointDiscoveryError,
  type EndpointLocationOptions,
  EndpointLocator,
  validateEndpointAddress,
} from './endpoint-address.js';
export {
  type EndpointResponseRules,
  EndpointResponseVerifier,
  type SignedResponseRequestOptions,
  sharedRemoteKeySet,
} from './endpoint-response-verifier.js';
export {
  describeBody,
  failureFromError,
  kindOf,
  mediaType,
  type ProtocolErrorType,
  ProtocolResponse,
  type ProtocolResponseInit,
  readErrorAnswer,
  readJsonObject,
  unexpectedAnswer,
} from './protocol-response.js';
export {
  MAX_SIGNED_RESPONSE_LENGTH,
  type SignedResponseOptions,
  SignedResponseVerifier,
  type VerifiedSignedResponse,
  verifySignedResponse,
} from './signed-response.js';
