export {
  ClientConfigurationRequest,
  type ClientConfigurationRequestOptions,
  ClientUpdateRequest,
  type ClientUpdateRequestOptions,
  type FromResponseOptions,
} from './client-configuration-request.js';
export type { ClientMetadata } from './client-metadata.js';
export {
  ClientRegistrationRequest,
  type ClientRegistrationRequestOptions,
} from './client-registration-request.js';
export {
  CLIENT_INFORMATION_MEMBERS,
  ClientDeletionResponse,
  type ClientRegistrationErrorCode,
  ClientRegistrationResponse,
  MAX_TIMESTAMP_SECONDS,
} from './client-registration-response.js';
export type { JsonEndpointOptions } from './json-exchange.js';
export { deleteClient, readClient, updateClient } from './manage-client.js';
export { registerClient } from './register-client.js';
