import { clampRetryAfterSeconds } from '../http/retry.js';

/** Where a discovery request went wrong. */
export type DiscoveryErrorType = 'http' | 'protocol' | 'policy' | 'exception';

interface ResponseInit {
  raw?: Readonly<Record<string, unknown>>;
  httpStatus?: number;
  headers?: Readonly<Record<string, string>>;
  error?: string;
  errorType?: DiscoveryErrorType;
  cause?: unknown;
}

/**
 * The outcome of a discovery request: either a validated document (`isSuccessful`) with typed getters for
 * every OpenID Connect Discovery 1.0 / RFC 8414 metadata value, or an `error` with its `errorType`.
 * A failure is an expected outcome, not an exception: nothing here throws.
 */
// biome-ignore format: the metadata getters read best as a table, one per line
export class DiscoveryDocumentResponse {
  /** The JSON document as received (empty on failure before a document was parsed). */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly httpStatus: number | undefined;
  /** Response headers, lower-case names (used for `Cache-Control`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly error: string | undefined;
  readonly errorType: DiscoveryErrorType | undefined;
  /** The underlying error (an `HttpError`, a `SyntaxError` …), when there was one. */
  readonly cause: unknown;

  /** @internal Built by `getDiscoveryDocument`. */
  constructor(init: ResponseInit) {
    this.raw = init.raw ?? {};
    this.httpStatus = init.httpStatus;
    this.headers = init.headers ?? {};
    this.error = init.error;
    this.errorType = init.errorType;
    this.cause = init.cause;
  }

  get isSuccessful(): boolean {
    return this.error === undefined;
  }

  /** Seconds the server asked us to wait (a whole number, at most 24 h), when a failed fetch said so. */
  get retryAfter(): number | undefined {
    return clampRetryAfterSeconds((this.cause as { retryAfter?: unknown } | undefined)?.retryAfter);
  }

  /** A metadata value by its JSON name, when it is a string. */
  getString(name: string): string | undefined {
    const value = this.raw[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A metadata value by its JSON name, when it is an array of strings. */
  getStrings(name: string): readonly string[] | undefined {
    const value = this.raw[name];
    return Array.isArray(value) ? (value as string[]) : undefined;
  }

  /** A metadata value by its JSON name, when it is a boolean. */
  getBoolean(name: string): boolean | undefined {
    const value = this.raw[name];
    return typeof value === 'boolean' ? value : undefined;
  }

  // Endpoints and locations
  get issuer() { return this.getString('issuer'); }
  get authorizationEndpoint() { return this.getString('authorization_endpoint'); }
  get tokenEndpoint() { return this.getString('token_endpoint'); }
  get userInfoEndpoint() { return this.getString('userinfo_endpoint'); }
  get jwksUri() { return this.getString('jwks_uri'); }
  get registrationEndpoint() { return this.getString('registration_endpoint'); }
  get introspectionEndpoint() { return this.getString('introspection_endpoint'); }
  get revocationEndpoint() { return this.getString('revocation_endpoint'); }
  get deviceAuthorizationEndpoint() { return this.getString('device_authorization_endpoint'); }
  get pushedAuthorizationRequestEndpoint() { return this.getString('pushed_authorization_request_endpoint'); }
  get endSessionEndpoint() { return this.getString('end_session_endpoint'); }
  get checkSessionIframe() { return this.getString('check_session_iframe'); }
  get backchannelAuthenticationEndpoint() { return this.getString('backchannel_authentication_endpoint'); }
  get serviceDocumentation() { return this.getString('service_documentation'); }
  get opPolicyUri() { return this.getString('op_policy_uri'); }
  get opTosUri() { return this.getString('op_tos_uri'); }
  get signedMetadata() { return this.getString('signed_metadata'); }

  /** RFC 8705 §5: endpoint name → mTLS URL. */
  get mtlsEndpointAliases(): Readonly<Record<string, string>> | undefined {
    const value = this.raw.mtls_endpoint_aliases;
    return typeof value === 'object' && value !== null ? (value as Record<string, string>) : undefined;
  }

  // Supported values
  get scopesSupported() { return this.getStrings('scopes_supported'); }
  get responseTypesSupported() { return this.getStrings('response_types_supported'); }
  get responseModesSupported() { return this.getStrings('response_modes_supported'); }
  get grantTypesSupported() { return this.getStrings('grant_types_supported'); }
  get acrValuesSupported() { return this.getStrings('acr_values_supported'); }
  get subjectTypesSupported() { return this.getStrings('subject_types_supported'); }
  get idTokenSigningAlgValuesSupported() { return this.getStrings('id_token_signing_alg_values_supported'); }
  get idTokenEncryptionAlgValuesSupported() { return this.getStrings('id_token_encryption_alg_values_supported'); }
  get idTokenEncryptionEncValuesSupported() { return this.getStrings('id_token_encryption_enc_values_supported'); }
  get userInfoSigningAlgValuesSupported() { return this.getStrings('userinfo_signing_alg_values_supported'); }
  get userInfoEncryptionAlgValuesSupported() { return this.getStrings('userinfo_encryption_alg_values_supported'); }
  get userInfoEncryptionEncValuesSupported() { return this.getStrings('userinfo_encryption_enc_values_supported'); }
  get requestObjectSigningAlgValuesSupported() { return this.getStrings('request_object_signing_alg_values_supported'); }
  get requestObjectEncryptionAlgValuesSupported() { return this.getStrings('request_object_encryption_alg_values_supported'); }
  get requestObjectEncryptionEncValuesSupported() { return this.getStrings('request_object_encryption_enc_values_supported'); }
  get tokenEndpointAuthMethodsSupported() { return this.getStrings('token_endpoint_auth_methods_supported'); }
  get tokenEndpointAuthSigningAlgValuesSupported() { return this.getStrings('token_endpoint_auth_signing_alg_values_supported'); }
  get revocationEndpointAuthMethodsSupported() { return this.getStrings('revocation_endpoint_auth_methods_supported'); }
  get revocationEndpointAuthSigningAlgValuesSupported() { return this.getStrings('revocation_endpoint_auth_signing_alg_values_supported'); }
  get introspectionEndpointAuthMethodsSupported() { return this.getStrings('introspection_endpoint_auth_methods_supported'); }
  get introspectionEndpointAuthSigningAlgValuesSupported() { return this.getStrings('introspection_endpoint_auth_signing_alg_values_supported'); }
  get displayValuesSupported() { return this.getStrings('display_values_supported'); }
  get claimTypesSupported() { return this.getStrings('claim_types_supported'); }
  get claimsSupported() { return this.getStrings('claims_supported'); }
  get claimsLocalesSupported() { return this.getStrings('claims_locales_supported'); }
  get uiLocalesSupported() { return this.getStrings('ui_locales_supported'); }
  get codeChallengeMethodsSupported() { return this.getStrings('code_challenge_methods_supported'); }
  get dpopSigningAlgValuesSupported() { return this.getStrings('dpop_signing_alg_values_supported'); }
  get authorizationSigningAlgValuesSupported() { return this.getStrings('authorization_signing_alg_values_supported'); }
  get authorizationEncryptionAlgValuesSupported() { return this.getStrings('authorization_encryption_alg_values_supported'); }
  get authorizationEncryptionEncValuesSupported() { return this.getStrings('authorization_encryption_enc_values_supported'); }
  get backchannelTokenDeliveryModesSupported() { return this.getStrings('backchannel_token_delivery_modes_supported'); }
  get backchannelAuthenticationRequestSigningAlgValuesSupported() { return this.getStrings('backchannel_authentication_request_signing_alg_values_supported'); }

  // Flags
  get claimsParameterSupported() { return this.getBoolean('claims_parameter_supported'); }
  get requestParameterSupported() { return this.getBoolean('request_parameter_supported'); }
  get requestUriParameterSupported() { return this.getBoolean('request_uri_parameter_supported'); }
  get requireRequestUriRegistration() { return this.getBoolean('require_request_uri_registration'); }
  get requireSignedRequestObject() { return this.getBoolean('require_signed_request_object'); }
  get requirePushedAuthorizationRequests() { return this.getBoolean('require_pushed_authorization_requests'); }
  get tlsClientCertificateBoundAccessTokens() { return this.getBoolean('tls_client_certificate_bound_access_tokens'); }
  get authorizationResponseIssParameterSupported() { return this.getBoolean('authorization_response_iss_parameter_supported'); }
  get frontchannelLogoutSupported() { return this.getBoolean('frontchannel_logout_supported'); }
  get frontchannelLogoutSessionSupported() { return this.getBoolean('frontchannel_logout_session_supported'); }
  get backchannelLogoutSupported() { return this.getBoolean('backchannel_logout_supported'); }
  get backchannelLogoutSessionSupported() { return this.getBoolean('backchannel_logout_session_supported'); }
  get backchannelUserCodeParameterSupported() { return this.getBoolean('backchannel_user_code_parameter_supported'); }
}
