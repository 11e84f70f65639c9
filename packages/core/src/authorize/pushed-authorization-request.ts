import { ConfigurationError } from '../errors.js';
import type { RetryMode } from '../http/types.js';
import {
  AuthenticatedEndpointRequest,
  type AuthenticatedRequestOptions,
} from '../protocol/authenticated-request.js';
import {
  type AuthorizationRequestParameters,
  RESERVED_AUTHORIZATION_PARAMETERS,
  resolveAuthorizationRequest,
} from './authorization-parameters.js';

/**
 * An RFC 9126 request: the authorization parameters (checked and laid out as `buildAuthorizationUrl` does)
 * or one signed `request` object (RFC 9126 §3, from `createRequestObject`), plus the client authentication.
 */
export type PushedAuthorizationRequestOptions = AuthenticatedRequestOptions &
  ((AuthorizationRequestParameters & { request?: undefined }) | { request: string });

const MAX_REQUEST_OBJECT = 65_536;

/**
 * A pushed authorization request (RFC 9126), authenticated as the client is at the token endpoint, to
 * `address` or to the `pushed_authorization_request_endpoint` of the `authority`'s discovery document.
 * `state` and `nonce` are fixed here (generated when not given): keep them for the callback. A request object
 * carries its own.
 */
export class PushedAuthorizationRequest extends AuthenticatedEndpointRequest {
  /** Not resent: each push creates a `request_uri` at the server. */
  readonly retry: RetryMode = 'unsent';
  /** The `state` to check the callback against (undefined when a request object carries it). */
  readonly state: string | undefined;
  /** The `nonce` to check the ID token against (undefined when a request object carries it). */
  readonly nonce: string | undefined;
  /** The authorization parameters sent (without the client authentication). */
  readonly fields: ReadonlyArray<readonly [string, string]>;

  constructor(options: PushedAuthorizationRequestOptions) {
    super(options, {
      metadata: 'pushed_authorization_request_endpoint',
      what: 'pushed authorization request endpoint',
      ownFields: [...RESERVED_AUTHORIZATION_PARAMETERS],
    });
    if (options.request !== undefined) {
      const { request } = options;
      if (typeof request !== 'string' || request.length === 0 || request.length > MAX_REQUEST_OBJECT) {
        throw new ConfigurationError(
          'request: must be the signed request object (a JWT from createRequestObject)',
        );
      }
      this.fields = Object.freeze([['client_id', this.clientId] as const, ['request', request] as const]);
      this.state = undefined;
      this.nonce = undefined;
      return;
    }
    const resolved = resolveAuthorizationRequest(this.clientId, options);
    // client_id is an authorization request parameter (RFC 9126 §2.1), sent whatever the client
    // authentication; the methods that put it in the form set the same value.
    this.fields = resolved.fields;
    this.state = resolved.state;
    this.nonce = resolved.nonce;
  }
}
