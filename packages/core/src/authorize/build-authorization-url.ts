import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import { ConfigurationError } from '../errors.js';
import {
  type AuthorizationRequestParameters,
  resolveAuthorizationRequest,
} from './authorization-parameters.js';
import { frontChannelUrl, withFields } from './front-channel-endpoint.js';
import { requiresPushedAuthorization } from './pushed-authorization-policy.js';

/** Where the authorization request goes: the endpoint URL, or a discovery document naming it. */
export interface AuthorizationEndpointOptions {
  authorizationEndpoint?: string | URL;
  document?: DiscoveryDocumentResponse;
  clientId: string;
}

/** A full front-channel authorization request. */
export interface AuthorizationUrlOptions
  extends AuthorizationEndpointOptions,
    AuthorizationRequestParameters {
  requestUri?: undefined;
  request?: undefined;
}

/**
 * A request by reference: `requestUri` from `pushAuthorizationRequest` (RFC 9126 §4), or a signed request
 * object by value from `createRequestObject` (RFC 9101 §5.1). The URL carries only `client_id` and that.
 */
export type RequestReferenceUrlOptions = AuthorizationEndpointOptions &
  ({ requestUri: string; request?: undefined } | { request: string; requestUri?: undefined });

export interface AuthorizationUrl {
  url: string;
  /** Keep it (server side, bound to the browser session) and check it with `validateAuthorizeCallbackState`. */
  state: string;
  /** Keep it and check the ID token's `nonce` against it. */
  nonce: string;
}

/** A request by reference: `state` and `nonce` are those of the pushed request or request object. */
export interface RequestReferenceUrl {
  url: string;
  state: undefined;
  nonce: undefined;
}

const MAX_REFERENCE = 65_536;

/**
 * The URL to send the user to (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), with `state` and `nonce` (generated from
 * the CSPRNG when not given). Throws `ConfigurationError` for an option that cannot work, an extra parameter
 * that would replace a standard one, an endpoint that is not http(s), or a front-channel request to a provider
 * whose discovery document requires PAR.
 */
export function buildAuthorizationUrl(options: AuthorizationUrlOptions): AuthorizationUrl;
export function buildAuthorizationUrl(options: RequestReferenceUrlOptions): RequestReferenceUrl;
export function buildAuthorizationUrl(
  options: AuthorizationUrlOptions | RequestReferenceUrlOptions,
): AuthorizationUrl | RequestReferenceUrl {
  const endpoint = frontChannelUrl(
    options,
    'authorizationEndpoint',
    'authorization_endpoint',
    'buildAuthorizationUrl',
  );
  if (typeof options.clientId !== 'string' || options.clientId === '') {
    throw new ConfigurationError('clientId: a non-empty string is required');
  }
  const reference = referenceField(options);
  if (reference !== undefined) {
    const fields: Array<[string, string]> = [['client_id', options.clientId], reference];
    return { url: withFields(endpoint, fields, 'authorizationEndpoint'), state: undefined, nonce: undefined };
  }
  if (options.document !== undefined && requiresPushedAuthorization(options.document)) {
    throw new ConfigurationError(
      'this provider requires pushed authorization requests (require_pushed_authorization_requests): ' +
        'push the request with pushAuthorizationRequest and pass its requestUri',
    );
  }
  const resolved = resolveAuthorizationRequest(options.clientId, options as AuthorizationUrlOptions);
  return {
    url: withFields(endpoint, resolved.fields, 'authorizationEndpoint'),
    state: resolved.state,
    nonce: resolved.nonce,
  };
}

function referenceField(
  options: AuthorizationUrlOptions | RequestReferenceUrlOptions,
): [string, string] | undefined {
  const { requestUri, request } = options;
  if (requestUri === undefined && request === undefined) return undefined;
  if (requestUri !== undefined && request !== undefined) {
    throw new ConfigurationError('requestUri or request: give one, not both');
  }
  const [name, value] = requestUri !== undefined ? ['request_uri', requestUri] : ['request', request];
  if (typeof value !== 'string' || value === '' || value.length > MAX_REFERENCE) {
    throw new ConfigurationError(
      `${name === 'request' ? 'request' : 'requestUri'}: must be a non-empty string`,
    );
  }
  return [name, value];
}
