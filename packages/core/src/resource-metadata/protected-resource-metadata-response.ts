import { ProtocolResponse, type ProtocolResponseInit } from '../protocol/protocol-response.js';

function strings(raw: Record<string, unknown> | undefined, name: string): readonly string[] | undefined {
  const value = raw?.[name];
  return Array.isArray(value) ? Object.freeze([...(value as string[])]) : undefined;
}

function string(raw: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = raw?.[name];
  return typeof value === 'string' ? value : undefined;
}

function flag(raw: Record<string, unknown> | undefined, name: string): boolean | undefined {
  const value = raw?.[name];
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * A protected resource's metadata (RFC 9728 §2), read and checked: on success `resource` equals the resource
 * asked for, and every member present has its specified type. `raw` holds the document as received
 * (`signed_metadata` included, not verified).
 */
export class ProtectedResourceMetadataResponse extends ProtocolResponse {
  readonly resource: string | undefined;
  /** Issuers whose tokens the resource accepts: discover one (RFC 8414 / OIDC) to get a token. */
  readonly authorizationServers: readonly string[];
  readonly jwksUri: string | undefined;
  readonly scopesSupported: readonly string[] | undefined;
  readonly bearerMethodsSupported: readonly string[] | undefined;
  readonly resourceSigningAlgValuesSupported: readonly string[] | undefined;
  readonly resourceName: string | undefined;
  readonly resourceDocumentation: string | undefined;
  readonly resourcePolicyUri: string | undefined;
  readonly resourceTosUri: string | undefined;
  readonly tlsClientCertificateBoundAccessTokens: boolean;
  readonly authorizationDetailsTypesSupported: readonly string[] | undefined;
  readonly dpopSigningAlgValuesSupported: readonly string[] | undefined;
  readonly dpopBoundAccessTokensRequired: boolean;

  constructor(init: ProtocolResponseInit) {
    super(init);
    const raw = this.isSuccessful ? init.raw : undefined;
    this.resource = string(raw, 'resource');
    this.authorizationServers = strings(raw, 'authorization_servers') ?? Object.freeze([]);
    this.jwksUri = string(raw, 'jwks_uri');
    this.scopesSupported = strings(raw, 'scopes_supported');
    this.bearerMethodsSupported = strings(raw, 'bearer_methods_supported');
    this.resourceSigningAlgValuesSupported = strings(raw, 'resource_signing_alg_values_supported');
    this.resourceName = string(raw, 'resource_name');
    this.resourceDocumentation = string(raw, 'resource_documentation');
    this.resourcePolicyUri = string(raw, 'resource_policy_uri');
    this.resourceTosUri = string(raw, 'resource_tos_uri');
    // RFC 9728 §2: both default to false when omitted.
    this.tlsClientCertificateBoundAccessTokens =
      flag(raw, 'tls_client_certificate_bound_access_tokens') ?? false;
    this.authorizationDetailsTypesSupported = strings(raw, 'authorization_details_types_supported');
    this.dpopSigningAlgValuesSupported = strings(raw, 'dpop_signing_alg_values_supported');
    this.dpopBoundAccessTokensRequired = flag(raw, 'dpop_bound_access_tokens_required') ?? false;
  }
}
