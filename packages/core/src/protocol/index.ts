export {
  AuthenticatedEndpointRequest,
  type AuthenticatedRequestOptions,
  type EndpointParameters,
} from './authenticated-request.js';
export {
  EndpointDiscoveryError,
  type EndpointLocationOptions,
  EndpointLocator,
  validateEndpointAddress,
} from './endpoint-address.js';
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
