/**
 * What a resource server says about itself (RFC 9728 §2), every member of the specification. Given as the
 * `resourceMetadata` option of every adapter: the document is served at the well-known URLs, every challenge
 * points to it (`resource_metadata="…"`), and `resource` is the required audience unless `audience` is given.
 */
export interface ResourceMetadataOptions {
  /**
   * This API's resource identifier (RFC 8707, RFC 9728 §2 `resource`): its absolute https URL (http on
   * loopback), as clients send it as `resource` and tokens carry it in `aud`. Canonicalised once: a bare
   * origin loses its trailing slash (`https://api.example/` → `https://api.example`), a path keeps its own
   * (`/mcp` and `/mcp/` are different resources). No query, no fragment.
   */
  resource: string;
  /** `authorization_servers`: issuer identifiers clients may get tokens from. Default: the configured issuer(s). */
  authorizationServers?: readonly string[];
  /** `jwks_uri`: this API's own public keys (for signed responses), an https URL. */
  jwksUri?: string;
  /** `scopes_supported`: the scopes this API's routes ask for (RECOMMENDED). */
  scopesSupported?: readonly string[];
  /**
   * `bearer_methods_supported`: how a token may be presented. Default: `header`, plus `body` and `query` when
   * `allowBodyToken` / `allowQueryToken` are on.
   */
  bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[];
  /** `resource_signing_alg_values_supported`: JWS algorithms of this API's signed responses. */
  resourceSigningAlgValuesSupported?: readonly string[];
  /** `resource_name`: a human-readable name for the API. */
  resourceName?: string;
  /** `resource_documentation`: a page for developers. */
  resourceDocumentation?: string;
  /** `resource_policy_uri`: how the API uses data. */
  resourcePolicyUri?: string;
  /** `resource_tos_uri`: the API's terms of service. */
  resourceTosUri?: string;
  /**
   * `tls_client_certificate_bound_access_tokens` (RFC 8705): mTLS-bound tokens are supported. Default: `true`
   * when the authenticator has `mtls` options (it reads client certificates).
   */
  tlsClientCertificateBoundAccessTokens?: boolean;
  /** `authorization_details_types_supported` (RFC 9396). */
  authorizationDetailsTypesSupported?: readonly string[];
  /**
   * `dpop_signing_alg_values_supported` (RFC 9449). Default: the DPoP proof algorithms the authenticator
   * offers in its challenges, when it offers DPoP.
   */
  dpopSigningAlgValuesSupported?: readonly string[];
  /** `dpop_bound_access_tokens_required`. Default: `true` when the authenticator accepts DPoP-bound tokens only. */
  dpopBoundAccessTokensRequired?: boolean;
  /** `signed_metadata`: a JWT you signed over these members, published verbatim (RFC 9728 §2.2). */
  signedMetadata?: string;
  /** Seconds clients and caches may keep the document (`Cache-Control: public, max-age=…`). Default 3600. */
  cacheMaxAge?: number;
}

/** The document as served (RFC 9728 §2): snake_case members, absent ones left out. */
export interface ProtectedResourceMetadataDocument {
  resource: string;
  authorization_servers?: readonly string[];
  jwks_uri?: string;
  scopes_supported?: readonly string[];
  bearer_methods_supported?: readonly string[];
  resource_signing_alg_values_supported?: readonly string[];
  resource_name?: string;
  resource_documentation?: string;
  resource_policy_uri?: string;
  resource_tos_uri?: string;
  tls_client_certificate_bound_access_tokens?: boolean;
  authorization_details_types_supported?: readonly string[];
  dpop_signing_alg_values_supported?: readonly string[];
  dpop_bound_access_tokens_required?: boolean;
  signed_metadata?: string;
}
