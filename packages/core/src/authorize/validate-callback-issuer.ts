import type { DiscoveryDocumentResponse } from '../discovery/discovery-document-response.js';
import { ConfigurationError } from '../errors.js';
import { AuthorizeCallbackError } from './authorize-callback-error.js';
import type { AuthorizeCallbackResponse } from './authorize-callback-response.js';

export type AuthorizeCallbackIssuerOptions =
  | {
      /** The issuer the flow started with (the one whose authorization endpoint the user was sent to). */
      issuer: string;
      /** Its `authorization_response_iss_parameter_supported`: when true, a response without `iss` is refused. */
      issParameterSupported?: boolean;
      document?: undefined;
    }
  | {
      /** The discovery document of the issuer the flow started with: both values are read from it. */
      document: DiscoveryDocumentResponse;
      issuer?: undefined;
      issParameterSupported?: undefined;
    };

/**
 * RFC 9207: the callback's `iss` must be exactly (no normalisation) the issuer the flow started with — a
 * response from another provider delivered to this flow is the mix-up attack. `iss` is required when the
 * provider advertises `authorization_response_iss_parameter_supported`, and checked whenever present
 * (§2.4). Applies to error responses too. Throws `AuthorizeCallbackError` (`issuer_missing`, `issuer_mismatch`).
 */
export function validateAuthorizeCallbackIssuer(
  response: AuthorizeCallbackResponse,
  options: AuthorizeCallbackIssuerOptions,
): void {
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError('issuer options: required');
  const { issuer, supported } =
    options.document !== undefined
      ? {
          issuer: options.document.issuer,
          supported: options.document.getBoolean('authorization_response_iss_parameter_supported') === true,
        }
      : { issuer: options.issuer, supported: options.issParameterSupported === true };
  if (typeof issuer !== 'string' || issuer === '') {
    throw new ConfigurationError('issuer: the issuer identifier the flow started with is required');
  }
  if (response.iss === undefined) {
    if (supported) {
      throw new AuthorizeCallbackError(
        'issuer_missing',
        'the provider advertises authorization_response_iss_parameter_supported but the response carries no iss',
      );
    }
    return;
  }
  if (response.iss !== issuer) {
    throw new AuthorizeCallbackError(
      'issuer_mismatch',
      'the authorization response comes from another issuer than the one this flow started with (mix-up)',
    );
  }
}
