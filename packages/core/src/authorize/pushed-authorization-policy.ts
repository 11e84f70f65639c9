import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';

/**
 * Whether authorization requests to this provider go through PAR (RFC 9126 §5): its discovery document says
 * `require_pushed_authorization_requests: true`. `buildAuthorizationUrl({ document, ... })` refuses a
 * request that is not a `requestUri` when this is true, so the rule cannot be forgotten; with an explicit
 * `authorizationEndpoint` the caller decides (and may call this to do so).
 */
export function requiresPushedAuthorization(document: DiscoveryDocumentResponse): boolean {
  return document.getBoolean('require_pushed_authorization_requests') === true;
}
