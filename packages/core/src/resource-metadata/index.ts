export { getProtectedResourceMetadata } from './get-protected-resource-metadata.js';
export {
  MAX_RESOURCE_METADATA_BYTES,
  ProtectedResourceMetadataRequest,
  type ProtectedResourceMetadataRequestOptions,
} from './protected-resource-metadata-request.js';
export { ProtectedResourceMetadataResponse } from './protected-resource-metadata-response.js';
export {
  canonicalResource,
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadataUrl,
} from './resource-identifier.js';
export {
  buildResourceMetadata,
  type ResourceMetadata,
  type ResourceMetadataDefaults,
} from './resource-metadata.js';
export type {
  ProtectedResourceMetadataDocument,
  ResourceMetadataOptions,
} from './resource-metadata-options.js';
export {
  createResourceMetadataEndpoint,
  type ResourceMetadataAnswer,
  type ResourceMetadataEndpoint,
} from './serve.js';
