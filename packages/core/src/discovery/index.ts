export { DiscoveryCache, type DiscoveryCacheOptions } from './discovery-cache.js';
export { DiscoveryDocumentResponse, type DiscoveryErrorType } from './discovery-document-response.js';
export {
  DiscoveryPolicy,
  type DiscoveryPolicyOptions,
  defaultIssuerComparer,
  type IssuerComparer,
  tenantTemplateIssuerComparer,
} from './discovery-policy.js';
export {
  DiscoveryDocumentRequest,
  type DiscoveryDocumentRequestOptions,
  getDiscoveryDocument,
} from './get-discovery-document.js';
