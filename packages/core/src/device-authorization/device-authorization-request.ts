import { OidcConstants } from '../constants/oidc-constants.js';
import {
  AuthenticatedEndpointRequest,
  type AuthenticatedRequestOptions,
} from '../protocol/authenticated-request.js';
import { resourceIndicators, scopeParameter } from '../token/token-request.js';

const P = OidcConstants.TokenRequest;

export interface DeviceAuthorizationRequestOptions extends AuthenticatedRequestOptions {
  /** Space-separated string or a list. */
  scope?: string | readonly string[];
  /** RFC 8707 resource indicator(s), absolute URIs without a fragment. */
  resource?: string | readonly string[];
}

/**
 * A device authorization request (RFC 8628 §3.1): the device asks for a device code and a user code. The
 * client authenticates as at the token endpoint; a device is usually a public client (`none`: only
 * `client_id` is sent). Located by `address` or by `authority` (`device_authorization_endpoint`).
 */
export class DeviceAuthorizationRequest extends AuthenticatedEndpointRequest {
  readonly scope: string | undefined;
  readonly resource: readonly string[];

  constructor(options: DeviceAuthorizationRequestOptions) {
    super(options, {
      metadata: OidcConstants.Discovery.DeviceAuthorizationEndpoint,
      what: 'device authorization endpoint',
      ownFields: [P.Scope, P.Resource],
    });
    this.scope = scopeParameter(options.scope);
    this.resource = resourceIndicators(options.resource);
  }
}
